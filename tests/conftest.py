"""Shared fixtures: a real SQLite file and a real PostgreSQL database per test, migrated and seeded.

Both engines are migrated and seeded once per session into a template (a file for SQLite, a template database
for PostgreSQL) which each test clones, so tests can commit for real -- from several threads or processes --
and still start clean. PostgreSQL is the suite's own throwaway server unless ``COUNTER_DESK_TEST_PG_URL`` names
one (a superuser URL to its maintenance database). A PostgreSQL test that skips fails the run.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import shutil
import signal
import tempfile
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pgserver import PgServer, PgServerError, admin_connect

from counter_desk import i18n
from counter_desk.clock import FixedClock
from counter_desk.services import seed
from counter_desk.services.queue import QueueService
from counter_desk.store import migrate
from counter_desk.store.engine import Database

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Never read or write the developer's own configuration or database.
_HOME = Path(tempfile.mkdtemp(prefix="counter-desk-test-home-"))
for _var in [v for v in os.environ if v.startswith("COUNTER_DESK_") and v != "COUNTER_DESK_TEST_PG_URL"]:
    del os.environ[_var]
# The program speaks Bahasa Indonesia by default; the suite checks the English source texts (tests that check
# the translations set the language themselves).
os.environ["COUNTER_DESK_LANG"] = "en"
os.environ["XDG_CONFIG_HOME"] = str(_HOME / "config")
os.environ["XDG_DATA_HOME"] = str(_HOME / "data")

#: Monday 23 November 2026, 09:00 in Jakarta: the simulated "now" of the database tests.
MONDAY_9 = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)
TEMPLATE_DB = "counter_desk_template"
SAMPLE_BOOKINGS = 30
ENGINES = ["sqlite", "postgresql"]


MONDAY = MONDAY_9.date()
#: A day that is never "today", for tests through the CLI (which runs on the real clock).
LONG_AGO = dt.date(2020, 1, 2)


def booking_code(n: int, day: dt.date = MONDAY) -> str:
    """The code of sample booking number ``n`` (1-based) of ``day``, as made by seed.sample_bookings."""
    return f"MP{day:%y%m%d}{n:04d}"


def _prepare(db: Database) -> None:
    migrate.upgrade(db)
    clock = FixedClock(MONDAY_9)
    # Tests that drive the CLI run on the real clock, which may be a night or a weekend: the test office allows
    # check-in at any hour (seeded so, no audit row); the tests of the office-hours rule set "enforce" themselves.
    office = seed.reference_data()
    office["rules"]["checkin_hours"] = "allow"
    seed.load_data(db, office, clock=clock)
    seed.sample_bookings(db, SAMPLE_BOOKINGS, clock=clock)
    seed.sample_bookings(db, 3, clock=clock, day=MONDAY_9.date() + dt.timedelta(days=1))
    seed.sample_bookings(db, 1, clock=clock, day=LONG_AGO)


class _Postgres:
    def __init__(self, admin_url: str, server: PgServer | None) -> None:
        self.admin_url = admin_url
        self.server = server

    def url(self, dbname: str) -> str:
        base, _, _ = self.admin_url.rpartition("/")
        return f"{base}/{dbname}"

    def create(self, template: str | None = TEMPLATE_DB) -> str:
        name = f"t_{uuid.uuid4().hex[:16]}"
        with admin_connect(self.admin_url) as conn:
            clause = f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""
            conn.execute(f'CREATE DATABASE "{name}"{clause}')
        return name

    def drop(self, name: str) -> None:
        with admin_connect(self.admin_url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


#: The signal that stopped the run, once one did.
_STOPPED: list[int] = []


def _interrupted(signum: int, _frame: object) -> None:
    _STOPPED.append(signum)
    raise KeyboardInterrupt(f"signal {signum}")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """The KeyboardInterrupt of a SIGTERM is lost when it lands in a weakref callback or a ``__del__`` (Python
    prints it and goes on): the next test then ends the run instead, with the same teardown."""
    if _STOPPED:
        pytest.exit(f"stopped by signal {_STOPPED[0]}", returncode=pytest.ExitCode.INTERRUPTED)


def pytest_configure(config: pytest.Config) -> None:
    # A run stopped with SIGTERM (`timeout`, a CI cancel) ends like Ctrl+C: the session fixtures' teardown runs and
    # the suite's throwaway PostgreSQL server is stopped and deleted instead of left running.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupted)


@pytest.fixture(autouse=True)
def _no_dangling_threads(request: pytest.FixtureRequest) -> Iterator[None]:
    """GUI tests: every window stops its worker and live-feed threads when it closes (napari's
    _dangling_qthreads), and what a closed window left behind is collected on the GUI thread."""
    yield
    if request.node.path.parent.name != "ui":
        return
    for thread in threading.enumerate():
        if thread.name.startswith("counter-desk-"):
            thread.join(timeout=5)
    alive = [t.name for t in threading.enumerate() if t.name.startswith("counter-desk-")]
    assert not alive, f"threads left running: {alive}"
    # An exception's traceback (a reference cycle) may still hold a closed window. Collect it now, on the GUI
    # thread: collected later on a worker thread (by the next test's database work), the window would be
    # destroyed there, and Qt crashes.
    gc.collect()


@pytest.fixture(autouse=True)
def _english_after_each_test() -> Iterator[None]:
    """The command line's main() sets the process-wide language: put English back after every test."""
    yield
    i18n.set_language("en")


@pytest.fixture(scope="session")
def postgres() -> Iterator[_Postgres]:
    external = os.environ.get("COUNTER_DESK_TEST_PG_URL")
    if external:
        pg = _Postgres(external, None)
    else:
        try:
            server = PgServer().start()
        except PgServerError as exc:
            pytest.fail(f"cannot start the test PostgreSQL server: {exc}")
        pg = _Postgres(server.url("postgres"), server)
    pg.drop(TEMPLATE_DB)
    with admin_connect(pg.admin_url) as conn:
        conn.execute(f'CREATE DATABASE "{TEMPLATE_DB}"')
    db = Database.connect(pg.url(TEMPLATE_DB))
    _prepare(db)
    db.dispose()
    yield pg
    if pg.server is not None:
        pg.server.cleanup()
    else:
        pg.drop(TEMPLATE_DB)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    db = Database.connect(f"sqlite:///{path}")
    _prepare(db)
    db.dispose()
    return path


def _engine_url(request: pytest.FixtureRequest, tmp_path: Path, *, seeded: bool) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "counter-desk.sqlite3"
        if seeded:
            shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    pg: _Postgres = request.getfixturevalue("postgres")
    name = pg.create(TEMPLATE_DB if seeded else None)
    yield pg.url(name)
    pg.drop(name)


@pytest.fixture(params=ENGINES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database with the reference office and sample bookings for Monday, on each engine."""
    yield from _engine_url(request, tmp_path, seeded=True)


@pytest.fixture
def pg_url(postgres: _Postgres) -> Iterator[str]:
    """A migrated, seeded PostgreSQL database, for tests of what only PostgreSQL can do (row locks, NOTIFY)."""
    name = postgres.create(TEMPLATE_DB)
    yield postgres.url(name)
    postgres.drop(name)


@pytest.fixture(params=ENGINES)
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database (no schema) on each engine."""
    yield from _engine_url(request, tmp_path, seeded=False)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database.connect(db_url)
    yield database
    database.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(MONDAY_9)


@pytest.fixture
def queue(db: Database, clock: FixedClock) -> QueueService:
    return QueueService(db, clock=clock)


# -- a skipped PostgreSQL test is a failure of the suite, not a pass ---------------------------------------------

_skipped_pg: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and "postgresql" in report.nodeid:
        _skipped_pg.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _skipped_pg:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _skipped_pg:
        terminalreporter.write_line(
            f"FAILED: {len(_skipped_pg)} PostgreSQL test(s) skipped; the suite requires them to run:", red=True
        )
        for nodeid in _skipped_pg[:20]:
            terminalreporter.write_line(f"  {nodeid}", red=True)


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    """A virtual screen (Xvfb) for the end-to-end tests that run the real program; one per test module."""
    from xvfb import xvfb

    with xvfb("1280x900x24") as name:
        yield name

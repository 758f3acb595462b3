"""The station and supervisor windows put together with the rest, for real, offscreen, on both engines: the
supervisor's Plan tab, its standby banner, unexpected database errors without a row's personal data, and a click
whose answer was lost with the connection (done once, whatever the officer does next).

The lost answer is made by :class:`FlakyDatabase`: the real database, whose next write breaks as a lost
connection would, either before its commit (nothing saved) or after it (saved, but the station never heard).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from conftest import booking_code
from helpers import events
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import text
from sqlalchemy.orm import Session

from counter_desk import i18n
from counter_desk.clock import FixedClock
from counter_desk.errors import DatabaseUnavailable
from counter_desk.qt.tasks import NOT_CONFIRMED
from counter_desk.services.desk import Desk
from counter_desk.services.queue import QueueService
from counter_desk.services.views import Result
from counter_desk.store.engine import Database
from counter_desk.views.app import application
from counter_desk.views.station import StationWindow
from counter_desk.views.supervisor import STANDBY_CHECK_MS, SupervisorWindow
from counter_desk.views.supervisor_plan import PlanTab

WAIT_MS = 5000
#: A name and a NIK in a row PostgreSQL refuses: its DETAIL line would carry both.
NAME, NIK = "Budi Santoso", "3174012345678901"


class FlakyDatabase(Database):
    """The real database; :meth:`fail_next` makes its next write fail like a broken connection (``before`` or
    ``after`` the commit) or like a bug (``bug``: a real CHECK violation on a row holding a name and a NIK)."""

    def fail_next(self, how: str) -> None:
        object.__setattr__(self, "_how", how)

    @contextmanager
    def write(self) -> Iterator[Session]:
        how = getattr(self, "_how", None)
        object.__setattr__(self, "_how", None)
        if how == "before":
            raise DatabaseUnavailable("the database cannot be reached; the action may not have been saved")
        with super().write() as session:
            if how == "bug":
                session.execute(text("CREATE TEMPORARY TABLE probe (name TEXT, nik TEXT CHECK (length(nik) = 4))"))
                session.execute(text("INSERT INTO probe VALUES (:name, :nik)"), {"name": NAME, "nik": NIK})
            yield session
        if how == "after":
            raise DatabaseUnavailable("the database cannot be reached; the action may not have been saved")


@pytest.fixture
def flaky(db: Database) -> FlakyDatabase:
    return FlakyDatabase.from_engine(db.engine)


@pytest.fixture
def booth(qtbot: QtBot, flaky: FlakyDatabase, queue: QueueService, clock: FixedClock) -> StationWindow:
    application("en")
    for n in (1, 2):
        queue.check_in(booking_code(n))
    window = StationWindow(Desk(flaky), "interview-2", clock=clock, user="wawancara1", live=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window._snapshot is not None, timeout=WAIT_MS)
    return window


@pytest.fixture
def supervisor(qtbot: QtBot, db: Database, clock: FixedClock) -> Iterator[SupervisorWindow]:
    application("en")
    window = SupervisorWindow(Desk(db), clock=clock, user="kasi", live=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window._dashboard is not None, timeout=WAIT_MS)
    yield window
    i18n.set_language("en")


def _names_the_constraint(message: str, db: Database) -> None:
    """The class, the SQLSTATE and the server's primary message: which table and constraint, never which values."""
    if db.dialect == "postgresql":
        assert message.startswith('Unexpected error: CheckViolation [23514]: new row for relation "probe"'), message
    else:
        assert message == "Unexpected error: IntegrityError: CHECK constraint failed: length(nik) = 4", message


def _kinds(db: Database) -> list[str]:
    return [e["kind"] for e in events(db)]


# ---------------------------------------------------------------------------------------------- the Plan tab


def test_the_plan_tab_is_the_supervisors_last_tab(supervisor: SupervisorWindow, qtbot: QtBot) -> None:
    w = supervisor
    assert w.tabs.count() == 6
    assert isinstance(w.tabs.widget(5), PlanTab) and w.tabs.widget(5) is w.plan_tab
    assert w.tabs.tabText(5) == "Pla&n"
    # Ctrl+PgUp from the first tab wraps round to it, and its Plan button takes the focus.
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(w.overview_tab.station_view, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    assert w.tabs.currentIndex() == 5
    assert w.plan_tab.plan_button.hasFocus()
    # The tab's first read (the next working day) ran on the window's worker.
    with qtbot.waitSignal(w.plan_tab.planned, timeout=30_000):
        w.plan_tab.replications.setValue(3)
        w.plan_tab.plan_button.click()
    assert w.plan_tab.recommendation is not None


def test_the_plan_tab_title_in_indonesian(qtbot: QtBot, db: Database, clock: FixedClock) -> None:
    application("id")
    try:
        w = SupervisorWindow(Desk(db), clock=clock, user="kasi", live=False)
        qtbot.addWidget(w)
        assert w.tabs.tabText(5) == "Ren&cana"
    finally:
        i18n.set_language("en")


# ---------------------------------------------------------------------------------------------- standby banner


def test_the_standby_is_asked_about_on_the_worker_and_the_banner_stays_hidden(
    supervisor: SupervisorWindow, qtbot: QtBot, db: Database
) -> None:
    w = supervisor
    timer = w.findChild(type(w._standby_timer), "standbyCheck")
    assert timer is w._standby_timer and timer.isActive() and timer.interval() == STANDBY_CHECK_MS == 10_000
    with qtbot.waitSignal(w.standby_checked, timeout=WAIT_MS) as checked:
        w.check_standby()
    # SQLite has no standby; the test PostgreSQL server has none expected (no replication slot): nothing to say.
    assert checked.args == [[]]
    assert w.standby_banner.isHidden() and w.standby_banner.text() == ""
    assert w.banner.isHidden(), w.banner.text()


def test_standby_warnings_show_one_line_each_and_hide_when_gone(supervisor: SupervisorWindow) -> None:
    w = supervisor
    lines = [
        "The standby counter_desk_standby is not connected: if this server fails, the office stops until it is back.",
        "Actions are saved on this server only (not on the standby) until the standby is back and caught up.",
    ]
    w.show_standby_warnings(lines)
    assert w.standby_banner.isVisible()
    assert w.standby_banner.text().splitlines() == lines
    assert w.banner.isHidden()  # the actions' banner is another one: neither hides the other
    w.show_standby_warnings([])
    assert w.standby_banner.isHidden()


# ---------------------------------------------------------------------------------------------- bug messages


def test_an_unexpected_database_error_is_shown_without_the_rows_personal_data(
    booth: StationWindow, flaky: FlakyDatabase, qtbot: QtBot
) -> None:
    flaky.fail_next("bug")
    with qtbot.waitSignal(booth.failed, timeout=WAIT_MS) as failed:
        booth.buttons["call_next"].click()
    message = failed.args[0]
    assert NAME not in message and NIK not in message and "DETAIL" not in message
    _names_the_constraint(message, flaky)
    assert booth.ops.token("call_next") is None  # a bug is an answer: the next click is a new action
    assert booth.ops.failed_tries("call_next") == 0


def test_the_supervisors_unexpected_error_hides_the_row_too(supervisor: SupervisorWindow, db: Database) -> None:
    """A real DBAPIError from the server, through the window's read-failure path."""
    try:
        with db.write() as session:
            session.execute(text("CREATE TEMPORARY TABLE probe (name TEXT, nik TEXT CHECK (length(nik) = 4))"))
            session.execute(text("INSERT INTO probe VALUES (:name, :nik)"), {"name": NAME, "nik": NIK})
    except Exception as exc:  # noqa: BLE001 - the real error the window is given
        error = exc
    else:
        pytest.fail("the CHECK constraint did not refuse the row")
    if db.dialect == "postgresql":  # the DETAIL line the window must not show
        assert f"Failing row contains ({NAME}, {NIK})" in str(error)
    supervisor.ops.read_failed(error)
    message = supervisor.banner.text()
    assert NAME not in message and NIK not in message and "DETAIL" not in message
    _names_the_constraint(message, db)


# ---------------------------------------------------------------------------------------------- lost answers


def test_a_click_saved_before_the_connection_broke_is_not_done_again(
    booth: StationWindow, flaky: FlakyDatabase, db: Database, qtbot: QtBot
) -> None:
    flaky.fail_next("after")
    with qtbot.waitSignal(booth.failed, timeout=WAIT_MS) as failed:
        booth.buttons["call_next"].click()
    assert failed.args[0] == NOT_CONFIRMED
    assert "Nothing was changed" not in booth.banner.text()
    assert _kinds(db).count("called") == 1  # it was saved: the station did not hear so
    assert booth.ops.failed_tries("call_next") == 1 and booth.ops.token("call_next") is not None

    assert booth.buttons["call_next"].isEnabled()
    with qtbot.waitSignal(booth.acted, timeout=WAIT_MS) as acted:
        booth.buttons["call_next"].click()
    result = acted.args[0]
    assert isinstance(result, Result) and result.replayed and result.ticket.number == "A-001"
    assert booth.banner.text().startswith("Saved once, before the connection broke (not repeated): A-001"), (
        booth.banner.text()
    )
    assert _kinds(db).count("called") == 1  # pressed twice, called once
    assert booth.ops.failed_tries("call_next") == 0 and booth.ops.token("call_next") is None
    qtbot.waitUntil(lambda: booth.current_number.text() == "A-001", timeout=WAIT_MS)


def test_a_click_lost_before_its_commit_is_done_on_the_next_press(
    booth: StationWindow, flaky: FlakyDatabase, db: Database, qtbot: QtBot
) -> None:
    flaky.fail_next("before")
    with qtbot.waitSignal(booth.failed, timeout=WAIT_MS) as failed:
        booth.buttons["call_next"].click()
    assert failed.args[0] == NOT_CONFIRMED
    assert "called" not in _kinds(db)
    token = booth.ops.token("call_next")

    flaky.fail_next("before")  # still out of reach: the same token, a second failed try
    with qtbot.waitSignal(booth.failed, timeout=WAIT_MS):
        booth.buttons["call_next"].click()
    assert booth.ops.token("call_next") == token and booth.ops.failed_tries("call_next") == 2

    with qtbot.waitSignal(booth.acted, timeout=WAIT_MS) as acted:
        booth.buttons["call_next"].click()
    assert not acted.args[0].replayed
    assert booth.banner.text().startswith("Not saved before the connection broke; saved now: A-001"), (
        booth.banner.text()
    )
    assert _kinds(db).count("called") == 1

    # The next click, answered at once, says only what it did.
    qtbot.waitUntil(booth.buttons["recall"].isEnabled, timeout=WAIT_MS)
    with qtbot.waitSignal(booth.acted, timeout=WAIT_MS):
        booth.buttons["recall"].click()
    assert booth.banner.text().startswith("A-001")


def test_the_lost_answer_in_indonesian(booth: StationWindow, flaky: FlakyDatabase, qtbot: QtBot) -> None:
    application("id")
    try:
        flaky.fail_next("before")
        with qtbot.waitSignal(booth.failed, timeout=WAIT_MS) as failed:
            booth.buttons["call_next"].click()
        assert failed.args[0].startswith("Belum pasti: basis data tidak dapat dihubungi")
    finally:
        i18n.set_language("en")


def test_a_supervisor_move_lost_with_the_connection_is_done_once(
    qtbot: QtBot, flaky: FlakyDatabase, db: Database, queue: QueueService, clock: FixedClock
) -> None:
    application("en")
    queue.check_in(booking_code(1))
    w = SupervisorWindow(Desk(flaky), clock=clock, user="kasi", live=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w._dashboard is not None, timeout=WAIT_MS)

    flaky.fail_next("after")
    with qtbot.waitSignal(w.failed, timeout=WAIT_MS) as failed:
        w.tickets_tab.move_ticket("A-001", "adjudication", "berkas lengkap")
    assert failed.args[0] == NOT_CONFIRMED
    assert _kinds(db).count("transferred") == 1
    qtbot.waitUntil(lambda: not w.busy, timeout=WAIT_MS)

    with qtbot.waitSignal(w.acted, timeout=WAIT_MS) as acted:
        w.tickets_tab.move_ticket("A-001", "adjudication", "berkas lengkap")
    assert acted.args[0].replayed
    assert w.banner.text().startswith("Saved once, before the connection broke (not repeated): A-001 moved to")
    assert _kinds(db).count("transferred") == 1

    # Answered at once, the next action says only what it did.
    with qtbot.waitSignal(w.acted, timeout=WAIT_MS):
        w.tickets_tab.move_ticket("A-001", "interview", "kembali")
    assert w.banner.text().startswith("A-001 moved to"), w.banner.text()

"""Engines and sessions for both databases.

SQLite: WAL, foreign keys on, a generous busy timeout, and every write transaction opened with
``BEGIN IMMEDIATE`` (pysqlite defers BEGIN until the first write, which turns concurrent read-then-write
transactions into "database is locked" errors). Reads use a separate engine view that begins deferred, so the
display's polling never takes the write lock.

PostgreSQL: psycopg 3; the queue claims rows with ``FOR UPDATE SKIP LOCKED`` (see services.queue).
"""

from __future__ import annotations

import logging
import random
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, exc
from sqlalchemy.engine import URL, make_url

from counter_desk.errors import DatabaseBusy, DatabaseUnavailable
from counter_desk.i18n import _
from counter_desk.store import chain
from counter_desk.store.security import refusal

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

_READ_OPTION = "counter_desk_read_only"
SQLITE_BUSY_TIMEOUT_S = 60.0
SQLITE_STATEMENT_BUSY_MS = 50
#: PostgreSQL: a server that vanished (powered off, cable pulled) is given up on within seconds, not the
#: minutes of TCP's defaults, so a multi-host URL moves on to the standby. ``connect_timeout`` is per host.
_PG_CONNECT_DEFAULTS = {
    "connect_timeout": "3",
    "keepalives": "1",
    "keepalives_idle": "5",
    "keepalives_interval": "2",
    "keepalives_count": "3",
}


def _split_hosts(url: str) -> str:
    """libpq's multi-host form ``postgresql://u@a:5432,b:5432/db`` as SQLAlchemy's ``?host=a:5432&host=b:5432``."""
    scheme, sep, rest = url.partition("://")
    netloc, slash, tail = rest.partition("/")
    userinfo, at, hosts = netloc.rpartition("@")
    if not sep or "," not in hosts or not scheme.startswith("postgres"):
        return url
    path, _mark, query = tail.partition("?")
    extra = "&".join(f"host={h}" for h in hosts.split(",") if h)
    return f"{scheme}://{userinfo}{at}{slash}{path}?{extra}{'&' if query else ''}{query}"


def normalise_url(url: str | URL) -> URL:
    """Accept ``postgresql://`` and ``sqlite:///`` URLs; pick the psycopg 3 driver for PostgreSQL.

    A PostgreSQL URL may name several servers (a primary and its standby), in libpq's form
    ``postgresql://user@pc1:5432,pc2:5432/office`` or SQLAlchemy's ``...@/office?host=pc1:5432&host=pc2:5432``;
    unless it says otherwise, connections then go only to the one that accepts writes
    (``target_session_attrs=read-write``), so every client follows a promoted standby by itself.
    """
    parsed = make_url(_split_hosts(url) if isinstance(url, str) else url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    hosts = parsed.query.get("host")
    several = isinstance(hosts, tuple) and len(hosts) > 1
    if parsed.get_backend_name() == "postgresql" and several and "target_session_attrs" not in parsed.query:
        parsed = parsed.update_query_dict({"target_session_attrs": "read-write"})
    return parsed


def libpq_params(url: str | URL) -> dict[str, str]:
    """A PostgreSQL URL as libpq keywords (``host=a,b port=p,q ...``), for psycopg and the server tools."""
    parsed = normalise_url(url)
    params: dict[str, str] = {}
    query = dict(parsed.query)
    hosts = query.pop("host", None)
    if isinstance(hosts, tuple | list):
        names, ports = [], []
        for item in hosts:
            name, _, port = str(item).rpartition(":") if ":" in str(item) else (str(item), "", "")
            names.append(name)
            ports.append(port or str(parsed.port or 5432))
        params["host"] = ",".join(names)
        params["port"] = ",".join(ports)
    elif hosts:
        params["host"] = str(hosts)
    elif parsed.host:
        params["host"] = parsed.host
    if parsed.port and "port" not in params:
        params["port"] = str(parsed.port)
    if parsed.username:
        params["user"] = parsed.username
    if parsed.password:
        params["password"] = str(parsed.password)
    if parsed.database:
        params["dbname"] = parsed.database
    for key, value in query.items():
        params[key] = ",".join(value) if isinstance(value, tuple) else str(value)
    for key, default in _PG_CONNECT_DEFAULTS.items():
        params.setdefault(key, default)
    return params


def safe_url(url: str | URL) -> str:
    """The URL with its password hidden: the only form that may be logged or shown."""
    return make_url(_split_hosts(url) if isinstance(url, str) else url).render_as_string(hide_password=True)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy emit BEGIN itself (see _sqlite_on_begin); pysqlite's own handling is switched off.
    dbapi_connection.isolation_level = None
    chain.register_sqlite(dbapi_connection)  # the event log's hash chain trigger calls it
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Short: SQLite's own busy handler backs off to 100 ms sleeps, which starves some writers for seconds
        # when many wait; the write lock is taken by _sqlite_on_begin's loop instead.
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_STATEMENT_BUSY_MS}")
    finally:
        cursor.close()


def _begin_immediate(dbapi_connection: sqlite3.Connection) -> None:
    """Take SQLite's write lock, retrying with short jittered sleeps (0.2 ms doubling to 4 ms) for up to
    SQLITE_BUSY_TIMEOUT_S: waiters poll often enough that none waits long behind a stream of short writes."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
    delay = 0.0002
    while True:
        try:
            dbapi_connection.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc):
                raise
            if time.monotonic() >= deadline:
                # Held longer than anyone should wait: a clear "busy, try again" (nothing was written yet).
                raise _busy(exc) from exc
        time.sleep(delay * random.uniform(0.5, 1.5))  # noqa: S311 - jitter, not secrecy
        delay = min(delay * 2, 0.004)


def _sqlite_on_begin(conn: Any) -> None:
    if conn.get_execution_options().get(_READ_OPTION):
        conn.exec_driver_sql("BEGIN")
    else:
        _begin_immediate(conn.connection.dbapi_connection)


def make_engine(url: str | URL, **kwargs: Any) -> Engine:
    parsed = normalise_url(url)
    # Statement parameters carry names and NIKs: never let them into an exception's text (and so a log or a
    # traceback).
    kwargs.setdefault("hide_parameters", True)
    if parsed.get_backend_name() == "sqlite":
        kwargs.setdefault("connect_args", {})
        kwargs["connect_args"].setdefault("timeout", SQLITE_BUSY_TIMEOUT_S)
        kwargs["connect_args"].setdefault("check_same_thread", False)
        engine = create_engine(parsed, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
    elif parsed.get_backend_name() == "postgresql":
        # No pool_pre_ping: it costs a round trip per action. A connection found dead fails that one action
        # ("not saved", retried with the same idempotency token) and SQLAlchemy then recycles the whole pool.
        kwargs.setdefault("connect_args", {})
        for key, value in _PG_CONNECT_DEFAULTS.items():
            if key not in parsed.query:
                kwargs["connect_args"].setdefault(key, value)
        engine = create_engine(parsed, **kwargs)
        event.listen(engine, "handle_error", _pg_on_error)
    else:
        msg = f"unsupported database {parsed.get_backend_name()!r}: use postgresql:// or sqlite:///"
        raise ValueError(msg)
    return engine


#: SQLSTATE classes of a lost PostgreSQL connection: 08 connection exception, 57P admin/crash shutdown; and
#: 25006 (read-only transaction): the server this connection reached is (again) a standby, not the primary.
_LOST_STATES = ("08", "57P", "25006")


def _pg_on_error(context: Any) -> None:
    """A connection to a server that turned standby (25006) or is shutting down is as good as lost: let
    SQLAlchemy discard it and the rest of the pool, so the next action connects to the current primary."""
    state = getattr(context.original_exception, "sqlstate", "") or ""
    if state.startswith(_LOST_STATES):
        context.is_disconnect = True


def is_unavailable(error: exc.DBAPIError) -> bool:
    """Whether ``error`` means the database is out of reach (as opposed to a refused statement)."""
    if error.connection_invalidated:
        return True
    original = error.orig
    if isinstance(original, sqlite3.OperationalError):
        return "unable to open" in str(original) or "disk I/O" in str(original)
    state = getattr(original, "sqlstate", "") or ""
    if isinstance(error, exc.OperationalError | exc.InterfaceError) and not state:
        return True  # psycopg: connection refused, server closed the connection, ...
    return state.startswith(_LOST_STATES)


def is_busy(error: exc.DBAPIError) -> bool:
    """Whether ``error`` is SQLite's "database is locked": another connection held the write lock too long."""
    original = error.orig
    return isinstance(original, sqlite3.OperationalError) and ("locked" in str(original) or "busy" in str(original))


def _busy(error: Exception) -> DatabaseBusy:
    msg = _("the database is busy (another program holds it); nothing was saved: try again in a moment")
    log.info("SQLite lock not obtained: %s", getattr(error, "orig", error))
    return DatabaseBusy(msg)


@contextmanager
def _errors(*, writing: bool) -> Iterator[None]:
    """A database error as the user's error: unreachable (the action may not have been saved), busy, or refused."""
    try:
        yield
    except exc.DBAPIError as error:
        if is_unavailable(error):
            if writing:
                msg = _("the database cannot be reached; the action may not have been saved, try it again")
            else:
                msg = _("the database cannot be reached")
            raise DatabaseUnavailable(msg) from error
        if is_busy(error):
            raise _busy(error) from error
        refused = refusal(error)  # PostgreSQL said no to the signed-in officer's role (issue 13)
        if refused is not None:
            raise refused from error
        raise


@dataclass(frozen=True)
class Database:
    """An engine and the kinds of transaction a user action may need.

    ``write()`` is one transaction per user action, committed on success and rolled back on any error.
    ``read()`` never takes SQLite's write lock; nor does ``read_rows()``, a read on a plain connection for code
    that builds no ORM objects. The ORM is imported on the first session, not before: a command that only reads
    rows (``queue status``) starts without it.
    """

    engine: Engine

    @classmethod
    def connect(cls, url: str | URL, **kwargs: Any) -> Database:
        engine = make_engine(url, **kwargs)
        return cls.from_engine(engine)

    @classmethod
    def from_engine(cls, engine: Engine) -> Database:
        return cls(engine=engine)

    @cached_property
    def _writer(self) -> sessionmaker[Session]:
        from sqlalchemy.orm import sessionmaker  # the ORM only for the first session

        return sessionmaker(self.engine, expire_on_commit=False)

    @cached_property
    def _reader(self) -> sessionmaker[Session]:
        from sqlalchemy.orm import sessionmaker  # the ORM only for the first session

        return sessionmaker(self.engine.execution_options(**{_READ_OPTION: True}), expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def read_connection(self) -> Connection:
        """A connection whose transactions begin deferred: on SQLite it never takes or waits for the write lock."""
        return self.engine.execution_options(**{_READ_OPTION: True}).connect()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction. A lost connection raises :class:`DatabaseUnavailable` (retry with the same token)."""
        with _errors(writing=True), self._writer.begin() as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with _errors(writing=False), self._reader.begin() as session:
            yield session

    @contextmanager
    def read_rows(self) -> Iterator[Connection]:
        """A read transaction on a plain (Core) connection, with ``read()``'s errors: for reads of rows only."""
        with _errors(writing=False), self.read_connection() as conn, conn.begin():
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()

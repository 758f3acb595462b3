"""Being woken when the event log may have grown.

A wake-up only says "look again"; the truth is always read from the events table afterwards, so a lost or
duplicated notification can delay an update but never lose or repeat one.

- PostgreSQL: a dedicated autocommit psycopg connection ``LISTEN``\\ s on the channel every event is
  ``NOTIFY``'d on (payload: the event's sequence number).
- SQLite: ``PRAGMA data_version`` on a connection of its own changes whenever another connection commits;
  it is polled every ~200 ms.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from typing import Protocol

import psycopg
from psycopg.conninfo import make_conninfo
from sqlalchemy.engine import URL, make_url

from counter_desk.i18n import _
from counter_desk.store.engine import libpq_params, normalise_url
from counter_desk.store.journal import NOTIFY_CHANNEL

log = logging.getLogger(__name__)

SQLITE_POLL_S = 0.2
CONNECT_TIMEOUT_S = 5


class FeedLost(Exception):
    """The wake-up connection broke; the follower reconnects and catches up."""


class Wakeup(Protocol):
    def wait(self, timeout: float) -> bool:
        """Block up to ``timeout`` seconds; True when the event log may have changed."""
        ...

    def ping(self) -> None:
        """Prove the connection is alive (raises :class:`FeedLost` otherwise)."""
        ...

    def close(self) -> None: ...


def _pg_conninfo(url: str | URL) -> str:
    # libpq keywords, not a URL: a multi-host URL (primary and standby) becomes ``host=a,b port=p,q
    # target_session_attrs=read-write``, so the listener, like every other connection, reaches the primary
    # (NOTIFY is not replicated: a LISTEN on a standby would never hear anything).
    params = libpq_params(url)
    params.setdefault("connect_timeout", str(CONNECT_TIMEOUT_S))
    return make_conninfo(**params)


class PostgresWakeup:
    def __init__(self, url: str | URL) -> None:
        try:
            self._conn = psycopg.connect(_pg_conninfo(url), autocommit=True)
            # LISTEN before the caller's catch-up read: nothing committed in between can be missed.
            self._conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
        except psycopg.Error as exc:
            raise FeedLost(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from exc

    @property
    def backend_pid(self) -> int:
        return int(self._conn.info.backend_pid)

    def wait(self, timeout: float) -> bool:
        try:
            woke = False
            for _ in self._conn.notifies(timeout=timeout, stop_after=1):
                woke = True
            if woke:
                # Take whatever else already arrived, so one read serves a burst.
                for _ in self._conn.notifies(timeout=0.0):
                    pass
        except psycopg.Error as exc:
            raise FeedLost(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from exc
        return woke

    def ping(self) -> None:
        try:
            self._conn.execute("SELECT 1")
        except psycopg.Error as exc:
            raise FeedLost(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from exc

    def close(self) -> None:
        try:
            self._conn.close()
        except psycopg.Error:
            log.debug("closing a broken listener connection", exc_info=True)


class SqliteWakeup:
    def __init__(self, url: str | URL, interval: float = SQLITE_POLL_S) -> None:
        database = make_url(url).database
        if not database:
            msg = _("the SQLite change feed needs a database file")
            raise FeedLost(msg)
        self._interval = interval
        try:
            self._conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=CONNECT_TIMEOUT_S)
            self._version = self._data_version()
        except sqlite3.Error as exc:
            raise FeedLost(str(exc)) from exc

    def _data_version(self) -> int:
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def wait(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        try:
            while True:
                version = self._data_version()
                if version != self._version:
                    self._version = version
                    return True
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                time.sleep(min(self._interval, remaining))
        except sqlite3.Error as exc:
            raise FeedLost(str(exc)) from exc

    def ping(self) -> None:
        try:
            self._data_version()
        except sqlite3.Error as exc:
            raise FeedLost(str(exc)) from exc

    def close(self) -> None:
        self._conn.close()


def wakeup_for(url: str | URL) -> Wakeup:
    """The wake-up source that fits the database."""
    backend = normalise_url(url).get_backend_name()
    if backend == "postgresql":
        return PostgresWakeup(url)
    return SqliteWakeup(url)

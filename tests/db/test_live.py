"""The change feed on both engines: news arrives, nothing is missed, outages become states."""

from __future__ import annotations

import time

import pytest
from conftest import booking_code
from sqlalchemy import text

from counter_desk.live import follower as follower_module
from counter_desk.live.follower import OFFLINE, ONLINE, RECONNECTING, Follower
from counter_desk.live.wakeup import FeedLost, PostgresWakeup, wakeup_for
from counter_desk.services.queue import QueueService
from counter_desk.store.engine import Database


def _follower(queue: QueueService, url: str, **kwargs: float) -> Follower:
    return Follower(lambda after, limit: queue.events(after=after, limit=limit), lambda: wakeup_for(url), **kwargs)


def _collect_until(f: Follower, seq: int, timeout: float = 10.0) -> list[int]:
    seen: list[int] = []
    deadline = time.monotonic() + timeout
    while f.last_seq < seq and time.monotonic() < deadline:
        seen += [e.seq for e in f.step(timeout=0.5)]
    return seen


def test_catch_up_then_live(db_url: str, queue: QueueService) -> None:
    queue.check_in(booking_code(1))
    f = _follower(queue, db_url)
    try:
        first = f.step()
        assert [e.kind for e in first] == ["checked_in"] and f.state.state == ONLINE
        queue.check_in(booking_code(2))
        called = queue.call_next("interview-1")
        assert _collect_until(f, called.event_seq or 0) == [2, 3]
        assert f.step(timeout=0.3) == []
    finally:
        f.close()


def test_sqlite_wakeup_notices_another_connection(db_url: str, queue: QueueService) -> None:
    wakeup = wakeup_for(db_url)
    try:
        assert wakeup.wait(0.3) is False
        queue.check_in(booking_code(1))
        assert wakeup.wait(2.0) is True
        wakeup.ping()
    finally:
        wakeup.close()


def test_listener_killed_repeatedly_misses_nothing(pg_url: str, clock: object) -> None:
    """pg_terminate_backend on the listening connection while calls happen: every event arrives exactly once."""
    db = Database.connect(pg_url)
    queue = QueueService(db, clock=clock)  # type: ignore[arg-type]
    listeners: list[PostgresWakeup] = []

    def connect() -> PostgresWakeup:
        w = PostgresWakeup(pg_url)
        listeners.append(w)
        return w

    f = Follower(lambda after, limit: queue.events(after=after, limit=limit), connect, retry_s=0.05)
    seen: list[int] = []
    try:
        seen += [e.seq for e in f.step()]
        for n in range(1, 21):
            queue.check_in(booking_code(n))
            if n % 2 == 0:
                with db.write() as s:
                    s.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": listeners[-1].backend_pid})
            seen += [e.seq for e in f.step(timeout=0.2)]
        seen += _collect_until(f, 20)
        assert seen == list(range(1, 21))
        assert f.reconnects >= 5
        assert f.state.state == ONLINE
    finally:
        f.close()
        db.dispose()


def test_unreachable_database_is_a_state_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "postgresql://nobody@127.0.0.1:1/nothing"
    monkeypatch.setattr(follower_module, "OFFLINE_AFTER_S", 0.0)

    def refuse() -> PostgresWakeup:
        return PostgresWakeup(url)

    f = Follower(lambda after, limit: [], refuse, retry_s=0.01)
    assert f.step(timeout=0.05) == []
    assert f.state.state == RECONNECTING and f.state.error
    lost_since = f.state.since
    f.step(timeout=0.05)
    assert f.state.state == OFFLINE
    assert f.state.since == lost_since  # "offline since" the moment it was lost
    with pytest.raises(FeedLost):
        refuse()


def test_a_hole_in_a_read_is_read_again_before_moving_past_it(db_url: str, queue: QueueService) -> None:
    """A commit not yet visible to the first read (simulated: the first read leaves seq 2 out) is not skipped."""
    for n in (1, 2, 3):
        queue.check_in(booking_code(n))
    reads: list[int] = []

    def read_after(after: int, limit: int) -> list:  # type: ignore[type-arg]
        reads.append(after)
        events = queue.events(after=after, limit=limit)
        return [e for e in events if e.seq != 2] if len(reads) == 1 else events

    f = Follower(read_after, lambda: wakeup_for(db_url))
    try:
        assert [e.seq for e in f.step()] == [1, 2, 3]
        assert f.gaps_filled == 1 and f.last_seq == 3
    finally:
        f.close()


def test_backstop_read_catches_a_listener_that_went_deaf(pg_url: str, clock: object) -> None:
    """A LISTEN connection that silently stops hearing (UNLISTEN) still sees news through the backstop read."""
    db = Database.connect(pg_url)
    queue = QueueService(db, clock=clock)  # type: ignore[arg-type]
    listeners: list[PostgresWakeup] = []

    def connect() -> PostgresWakeup:
        w = PostgresWakeup(pg_url)
        listeners.append(w)
        return w

    f = Follower(lambda after, limit: queue.events(after=after, limit=limit), connect, backstop_s=0.5)
    try:
        f.step()
        listeners[-1]._conn.execute("UNLISTEN *")
        seq = queue.check_in(booking_code(1)).event_seq or 0
        assert listeners[-1].wait(0.3) is False  # deaf indeed
        assert _collect_until(f, seq, timeout=5.0) == [seq]
        assert len(listeners) == 1  # no reconnect was needed: the backstop read found it
    finally:
        f.close()
        db.dispose()

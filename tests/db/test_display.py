"""The display's state on both engines: start-up, following calls live, listener kills, no personal data."""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from conftest import booking_code
from sqlalchemy import event, inspect, text
from sqlalchemy.engine import make_url

from counter_desk.cli import main
from counter_desk.clock import FixedClock
from counter_desk.live.follower import ONLINE, Follower
from counter_desk.live.wakeup import PostgresWakeup, wakeup_for
from counter_desk.services import rules
from counter_desk.services.display import (
    DEFAULT_RUNNING_TEXT,
    Call,
    DisplayState,
    load_config,
    load_state,
    read_estimates,
    read_events,
)
from counter_desk.services.queue import QueueService
from counter_desk.store import display_views
from counter_desk.store.engine import Database


def _personal_data(db: Database) -> list[str]:
    with db.read() as s:
        rows = s.execute(text("SELECT applicant_name, nik FROM bookings")).all()
    return [v for row in rows for v in row if v]


def test_start_up_shows_todays_announced_calls_and_the_queues(db: Database, queue: QueueService) -> None:
    for n in range(1, 6):
        queue.check_in(booking_code(n))
    queue.call_next("interview-1")
    queue.call_next("interview-3")
    state = load_state(queue)
    assert state.current is not None
    assert (state.current.number, state.current.station_name) == ("A-002", "Wawancara 3")
    assert [c.number for c in state.history] == ["A-001"]
    assert state.announcement is None and state.fresh == ()  # starting up is silent
    with db.read() as s:
        assert state.last_seq == s.execute(text("SELECT max(seq) FROM events")).scalar_one()
    interview = next(w for w in state.waits if w.stage == "interview")
    assert interview.waiting == 3
    assert "adjudication" not in [w.stage for w in state.waits]  # not announced in the reference office
    assert state.config.office_name.startswith("Kantor Imigrasi")
    assert state.config.running_text == DEFAULT_RUNNING_TEXT


def test_running_text_comes_from_the_office_setting(db: Database, clock: FixedClock) -> None:
    rules.update(db, None, {"display_text": "  Loket tutup pukul 15.00  "}, clock=clock)
    assert load_config(QueueService(db, clock=clock)).running_text == "Loket tutup pukul 15.00"


def test_a_stage_configured_silent_is_not_shown(db: Database, queue: QueueService) -> None:
    with db.write() as s:
        s.execute(text("UPDATE stages SET announce = :f WHERE code = 'interview'"), {"f": False})
    queue.check_in(booking_code(1))
    queue.call_next("interview-1")
    state = load_state(queue)
    assert state.calls == () and all(w.stage != "interview" for w in state.waits)


def test_following_the_log_shows_every_call_recall_and_no_personal_data(
    db_url: str, db: Database, queue: QueueService
) -> None:
    for n in range(1, 5):
        queue.check_in(booking_code(n))
    state = load_state(queue)
    f = Follower(lambda after, limit: read_events(queue, after, limit), lambda: wakeup_for(db_url))
    f.last_seq = state.last_seq
    announced: list[Call] = []
    try:
        state = state.apply(f.step())
        for station in ("interview-1", "interview-2", "interview-4"):
            seq = queue.call_next(station).event_seq or 0
            deadline = time.monotonic() + 10
            while state.last_seq < seq and time.monotonic() < deadline:
                state = state.apply(f.step(timeout=0.5))
                if state.announcement:
                    announced.append(state.announcement)
        seq = queue.recall("interview-1").event_seq or 0
        while state.last_seq < seq:
            state = state.apply(f.step(timeout=0.5))
            if state.announcement:
                announced.append(state.announcement)
    finally:
        f.close()
    assert [(c.number, c.station_name, c.recall) for c in announced] == [
        ("A-001", "Wawancara 1", False),
        ("A-002", "Wawancara 2", False),
        ("A-003", "Wawancara 4", False),
        ("A-001", "Wawancara 1", True),
    ]
    shown = str(state.to_json())
    secrets = _personal_data(db)
    assert secrets and not [v for v in secrets if v in shown]


def test_listener_killed_ten_times_while_stations_call_misses_no_call(pg_url: str, clock: FixedClock) -> None:
    """pg_terminate_backend on the display's LISTEN connection, again and again: every call reaches the board."""
    db = Database.connect(pg_url)
    queue = QueueService(db, clock=clock)
    listeners: list[PostgresWakeup] = []

    def connect() -> PostgresWakeup:
        w = PostgresWakeup(pg_url)
        listeners.append(w)
        return w

    state = load_state(queue)
    f = Follower(lambda after, limit: read_events(queue, after, limit), connect, retry_s=0.05)
    f.last_seq = state.last_seq
    seen: list[str] = []
    called: list[str] = []
    kills = 0
    try:
        for n in range(1, 101):
            queue.check_in(walk_in="elderly")
            station = f"interview-{n % 4 + 1}"
            if n > 4:
                queue.finish(station)
            called.append(queue.call_next(station).ticket.number)
            if n % 10 == 5:
                pid = listeners[-1].backend_pid if listeners else None
                if pid is not None:
                    with db.write() as s:
                        s.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                    kills += 1
            state = state.apply(f.step(timeout=0.05))
            seen += [c.number for c in state.fresh]
        last = queue.events(after=0, limit=100_000)[-1].seq
        deadline = time.monotonic() + 20
        while state.last_seq < last and time.monotonic() < deadline:
            state = state.apply(f.step(timeout=0.3))
            seen += [c.number for c in state.fresh]
        assert kills == 10 and f.reconnects >= 5
        assert seen == called  # every call, once, in order
        assert state.current is not None and state.current.number == called[-1]
        assert f.state.state == ONLINE
    finally:
        f.close()
        db.dispose()


@pytest.mark.parametrize("kind", ["teleported"])
def test_an_unexpected_event_in_the_log_does_not_stop_the_board(kind: str, queue: QueueService) -> None:
    state = load_state(queue)
    queue.check_in(booking_code(1))
    events = read_events(queue, state.last_seq, 100)
    bogus = [type(events[0])(**{**events[0].__dict__, "kind": kind, "seq": events[0].seq})]
    state = state.apply(bogus + events[1:])
    queue.call_next("interview-2")
    state = state.apply(read_events(queue, state.last_seq, 100))
    assert state.current is not None and state.current.number == "A-001"
    assert isinstance(state, DisplayState)


@contextmanager
def _display_only(db_url: str) -> Iterator[Database]:
    """A connection that may read the display views and nothing else: the display role on PostgreSQL; on SQLite
    (no roles) an authorizer that refuses every read of a table that is not done through one of those views."""
    if db_url.startswith("postgresql"):
        role = f"cd_tv_{uuid.uuid4().hex[:8]}"
        assert main(["db", "roles", "--db", db_url, "--display-role", role, "--apply"]) == 0
        db = Database.connect(make_url(db_url).set(username=role, password=None))
    else:
        allowed = set(display_views.VIEWS)

        def authorize(action: int, table: str | None, _column: str | None, _db: str | None, via: str | None) -> int:
            if action == sqlite3.SQLITE_READ and via is None and table not in allowed:
                return sqlite3.SQLITE_DENY
            return sqlite3.SQLITE_OK

        db = Database.connect(db_url)
        event.listen(db.engine, "connect", lambda conn, _record: conn.set_authorizer(authorize))
    try:
        yield db
    finally:
        db.dispose()


def test_the_display_reads_only_the_display_views(db_url: str, queue: QueueService, clock: FixedClock) -> None:
    """Start-up, the live feed, the waiting counts: all from the views, on both engines; no table is readable."""
    for n in range(1, 4):
        queue.check_in(booking_code(n))
    queue.call_next("interview-1")
    with _display_only(db_url) as db:
        tv = QueueService(db, clock=clock)
        for statement in ("SELECT nik FROM bookings", "SELECT username FROM users", "SELECT number FROM tickets"):
            with pytest.raises(Exception, match=r"permission denied|is prohibited"), db.read() as s:
                s.execute(text(statement))
        state = load_state(tv)
        assert state.current is not None and state.current.number == "A-001"
        assert state.config.running_text == DEFAULT_RUNNING_TEXT
        assert next(w for w in state.waits if w.stage == "interview").waiting == 2
        f = Follower(lambda after, limit: read_events(tv, after, limit), lambda: wakeup_for(db_url))
        f.last_seq = state.last_seq
        try:
            seq = queue.call_next("interview-2").event_seq or 0
            deadline = time.monotonic() + 10
            while state.last_seq < seq and time.monotonic() < deadline:
                state = state.apply(f.step(timeout=0.5))
        finally:
            f.close()
        assert state.current is not None and (state.current.number, state.current.station) == ("A-002", "interview-2")
        assert read_estimates(tv) == queue.estimates()  # the same numbers the stations print
        assert [e.seq for e in read_events(tv, 0, 1000)] == [e.seq for e in queue.events()]
        assert all(e.user is None and e.reason is None and e.data == {} for e in read_events(tv, 0, 1000))


def test_the_views_have_the_columns_the_store_layer_names(db: Database) -> None:
    inspector = inspect(db.engine)
    assert set(display_views.VIEWS) <= set(inspector.get_view_names())
    for view in display_views.ALL:
        assert [c["name"] for c in inspector.get_columns(view.name)] == list(view.c.keys())

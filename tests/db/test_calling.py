"""Calling and serving on both engines: order, one ticket per station, idempotency, every transition."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import booking_code
from helpers import events, snapshot
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from counter_desk.clock import FixedClock
from counter_desk.errors import Conflict, EmptyQueue, InvalidInput, InvalidTransition, NotFound
from counter_desk.services.queue import QueueService
from counter_desk.store.engine import Database


def _checked_in(queue: QueueService, *codes: int) -> list[str]:
    return [queue.check_in(booking_code(n)).ticket.number for n in codes]


def test_call_next_follows_priority_then_slot_then_id(queue: QueueService, clock: FixedClock) -> None:
    _checked_in(queue, 25, 5)  # A-001 has a later slot than A-002
    clock.advance(dt.timedelta(minutes=1))
    queue.check_in(walk_in="lost")  # H-001, priority 5
    queue.check_in(walk_in="elderly")  # P-001, priority 10
    called = [queue.call_next(f"interview-{i}").ticket.number for i in (1, 2, 3, 4)]
    assert called == ["P-001", "H-001", "A-002", "A-001"]


def test_arrival_order_when_the_office_says_so(queue: QueueService, db: Database) -> None:
    with db.write() as s:
        s.execute(text("UPDATE offices SET queue_order = 'arrival'"))
    _checked_in(queue, 25, 5)
    assert queue.call_next("interview-1").ticket.number == "A-001"


def test_call_next_claims_and_records(queue: QueueService, db: Database, clock: FixedClock) -> None:
    _checked_in(queue, 1)
    clock.advance(dt.timedelta(minutes=7))
    result = queue.call_next("interview-2", user="wawancara1")
    t = result.ticket
    assert (t.number, t.status, t.station, t.call_count) == ("A-001", "called", "interview-2", 1)
    assert t.called_at == clock.now()
    assert t.waited_seconds(clock.now() + dt.timedelta(hours=1)) == 7 * 60
    called = events(db, kind="called")
    assert [(e["seq"], e["from_status"], e["to_status"]) for e in called] == [(2, "waiting", "called")]


def test_empty_queue_writes_nothing(queue: QueueService, db: Database) -> None:
    before = snapshot(db)
    with pytest.raises(EmptyQueue, match="nobody is waiting at interview"):
        queue.call_next("interview-1")
    assert snapshot(db) == before


def test_a_station_holds_one_ticket(queue: QueueService, db: Database) -> None:
    _checked_in(queue, 1, 2)
    queue.call_next("interview-1")
    before = snapshot(db)
    with pytest.raises(Conflict, match="interview-1 already holds A-001"):
        queue.call_next("interview-1")
    with pytest.raises(Conflict, match="interview-1 already holds A-001"):
        queue.call("A-002", "interview-1", "urgent")
    assert snapshot(db) == before


def test_the_database_itself_refuses_two_live_tickets_per_station(queue: QueueService, db: Database) -> None:
    _checked_in(queue, 1, 2)
    held = queue.call_next("interview-1").ticket
    with pytest.raises(IntegrityError), db.write() as s:
        s.execute(
            text(
                "UPDATE tickets SET status = 'serving', station_id = (SELECT station_id FROM tickets WHERE id = :h)"
                " WHERE number = 'A-002'"
            ),
            {"h": held.id},
        )


def test_stations_only_see_their_stage(queue: QueueService) -> None:
    _checked_in(queue, 1)
    with pytest.raises(EmptyQueue, match="adjudication"):
        queue.call_next("adjudicator")
    with pytest.raises(EmptyQueue, match="pickup"):
        queue.call_next("pickup")


def test_retry_with_the_same_token_returns_the_same_ticket(queue: QueueService, db: Database) -> None:
    _checked_in(queue, 1, 2)
    first = queue.call_next("interview-1", token="click-1")
    before = snapshot(db)
    retry = queue.call_next("interview-1", token="click-1")
    assert retry.replayed and retry.ticket.id == first.ticket.id
    assert snapshot(db) == before
    with pytest.raises(InvalidInput, match="already used for another action"):
        queue.start("interview-1", token="click-1")
    with pytest.raises(InvalidInput, match="token"):
        queue.call_next("interview-2", token="x" * 65)


def test_out_of_order_call_records_who_and_why(queue: QueueService, db: Database) -> None:
    _checked_in(queue, 1, 2, 3)
    result = queue.call("a-003", "interview-3", "  elderly   companion\n", user="wawancara1")
    assert (result.ticket.number, result.ticket.station) == ("A-003", "interview-3")
    [event] = events(db, kind="called")
    assert event["reason"] == "elderly companion"
    assert event["data"] == {"out_of_order": True}
    assert event["user_id"] is not None
    head = queue.call("A-001", "interview-1", "in order anyway")
    assert head.ticket.number == "A-001"
    assert events(db, kind="called")[-1]["data"] == {"out_of_order": False}


def test_out_of_order_call_bad_input(queue: QueueService, db: Database) -> None:
    _checked_in(queue, 1)
    queue.check_in(walk_in="pickup")
    before = snapshot(db)
    with pytest.raises(InvalidInput, match="reason is required"):
        queue.call("A-001", "interview-1", "   ")
    with pytest.raises(InvalidInput, match="C-001 waits at pickup, not at interview"):
        queue.call("C-001", "interview-1", "why not")
    with pytest.raises(NotFound, match="no ticket A-099"):
        queue.call("A-099", "interview-1", "typo")
    with pytest.raises(InvalidInput, match="not a ticket number"):
        queue.call("DROP TABLE", "interview-1", "x")
    assert snapshot(db) == before


def test_another_station_was_faster(queue: QueueService, db: Database) -> None:
    _checked_in(queue, 1)
    queue.call_next("interview-1")
    before = snapshot(db)
    with pytest.raises(InvalidTransition, match="cannot call A-001: it is called"):
        queue.call("A-001", "interview-2", "saw it on the list")
    with pytest.raises(InvalidTransition, match="interview-2 holds no ticket"):
        queue.start("interview-2")
    with pytest.raises(InvalidTransition, match="interview-2 does not hold A-001"):
        queue.finish("interview-2", ticket="A-001")
    assert snapshot(db) == before


def test_recall_start_finish(queue: QueueService, db: Database, clock: FixedClock) -> None:
    _checked_in(queue, 1)
    queue.call_next("interview-1")
    clock.advance(dt.timedelta(seconds=40))
    recalled = queue.recall("interview-1")
    assert (recalled.ticket.status, recalled.ticket.call_count) == ("called", 2)
    started = queue.start("interview-1", ticket="A-001")
    assert started.ticket.status == "serving" and started.ticket.started_at == clock.now()
    with pytest.raises(InvalidTransition, match="cannot recall A-001: it is being served"):
        queue.recall("interview-1")
    done = queue.finish("interview-1")
    assert (done.ticket.status, done.ticket.station) == ("done", None)
    kinds = [e["kind"] for e in events(db)]
    assert kinds == ["checked_in", "called", "recalled", "started", "finished"]
    # The station is free again.
    _checked_in(queue, 2)
    assert queue.call_next("interview-1").ticket.number == "A-002"


def test_no_show_frees_the_station_and_is_recoverable_within_tolerance(queue: QueueService, clock: FixedClock) -> None:
    _checked_in(queue, 1, 2)
    queue.call_next("interview-1")
    clock.advance(dt.timedelta(minutes=2))  # the office's minimum time after the call
    gone = queue.no_show("interview-1")
    assert (gone.ticket.status, gone.ticket.station) == ("no_show", None)
    assert queue.call_next("interview-1").ticket.number == "A-002"
    clock.advance(dt.timedelta(minutes=29))
    back = queue.return_to_queue(ticket="A-001", position="front", reason="came back from the toilet")
    assert (back.ticket.status, back.ticket.front, back.ahead) == ("waiting", True, 0)
    assert queue.call_next("interview-2").ticket.number == "A-001"


def test_no_show_past_tolerance_cannot_come_back(queue: QueueService, db: Database, clock: FixedClock) -> None:
    _checked_in(queue, 1)
    queue.call_next("interview-1")
    clock.advance(dt.timedelta(minutes=2))
    queue.no_show("interview-1")
    clock.advance(dt.timedelta(minutes=31))
    before = snapshot(db)
    with pytest.raises(InvalidTransition, match="marked no-show at 09:02, more than 30 minutes ago"):
        queue.return_to_queue(ticket="A-001")
    assert snapshot(db) == before


def test_return_to_front_beats_priority_and_end_goes_behind(queue: QueueService, clock: FixedClock) -> None:
    _checked_in(queue, 1, 2)
    queue.check_in(walk_in="elderly")
    assert queue.call_next("interview-1").ticket.number == "P-001"
    queue.return_to_queue(station="interview-1", position="front")
    assert queue.call_next("interview-2").ticket.number == "P-001"
    assert queue.call_next("interview-1").ticket.number == "A-001"
    clock.advance(dt.timedelta(minutes=1))
    end = queue.return_to_queue(station="interview-1", position="end")
    assert end.ahead == 1  # A-002 (earlier slot than now) stays ahead
    assert [w.ticket.number for w in queue.status(stage="interview").waiting] == ["A-002", "A-001"]
    with pytest.raises(InvalidInput, match="position must be 'front' or 'end'"):
        queue.return_to_queue(station="interview-2", position="middle")


def test_transfer_through_the_office_to_finish(queue: QueueService, db: Database) -> None:
    """The issue's done-when: check-in -> reception -> interview -> adjudication -> finish."""
    number = queue.check_in(booking_code(1), station="reception-1", user="penerimaan1").ticket.number
    queue.call_next("interview-2", user="wawancara1")
    queue.start("interview-2", user="wawancara1")
    moved = queue.transfer("adjudication", station="interview-2", user="wawancara1")
    assert (moved.ticket.stage, moved.ticket.status, moved.ticket.station) == ("adjudication", "waiting", None)
    assert queue.call_next("adjudicator", user="ajudikator").ticket.number == number
    done = queue.finish("adjudicator", outcome="approved", user="ajudikator")
    assert (done.ticket.status, done.ticket.outcome) == ("done", "approved")
    rows = events(db)
    assert [e["kind"] for e in rows] == ["checked_in", "called", "started", "transferred", "called", "finished"]
    assert [e["seq"] for e in rows] == list(range(1, 7))
    assert rows[3]["data"] == {"from_stage": "interview", "to_stage": "adjudication", "position": "end"}


def test_transfer_bad_input(queue: QueueService, db: Database) -> None:
    _checked_in(queue, 1)
    queue.call_next("interview-1")
    before = snapshot(db)
    with pytest.raises(InvalidInput, match="already at interview"):
        queue.transfer("interview", station="interview-1")
    with pytest.raises(NotFound, match="unknown stage 'cashier'"):
        queue.transfer("cashier", station="interview-1")
    with pytest.raises(InvalidInput, match="name the ticket"):
        queue.transfer("adjudication")
    with pytest.raises(InvalidInput, match="outcome must be"):
        queue.finish("interview-1", outcome="Approved!")
    assert snapshot(db) == before


def test_moving_a_waiting_ticket_needs_a_reason(queue: QueueService) -> None:
    _checked_in(queue, 1)
    with pytest.raises(InvalidInput, match="needs a reason"):
        queue.transfer("adjudication", ticket="A-001")
    moved = queue.transfer("adjudication", ticket="A-001", reason="interview done on paper")
    assert moved.ticket.stage == "adjudication"


def test_status_shows_waiting_times_and_targets(queue: QueueService, clock: FixedClock) -> None:
    _checked_in(queue, 1)
    clock.advance(dt.timedelta(minutes=10))
    _checked_in(queue, 2)
    queue.check_in(walk_in="elderly")
    clock.advance(dt.timedelta(minutes=6))
    queue.call_next("interview-3")
    status = queue.status(stage="interview")
    assert [(w.ticket.number, w.waited_seconds // 60, w.over_target) for w in status.waiting] == [
        ("A-001", 16, True),
        ("A-002", 6, False),
    ]
    holding = {s.code: s.ticket.number if s.ticket else None for s in status.stations}
    assert holding == {"interview-1": None, "interview-2": None, "interview-3": "P-001", "interview-4": None}
    mine = queue.status(station="interview-3")
    assert [s.code for s in mine.stations] == ["interview-3"]
    assert mine.to_json()["waiting_count"] == 2
    with pytest.raises(InvalidInput):
        queue.status()


def test_events_after(queue: QueueService) -> None:
    _checked_in(queue, 1, 2)
    queue.call_next("interview-1")
    feed = queue.events(after=1)
    assert [(e.seq, e.kind, e.number, e.station) for e in feed] == [
        (2, "checked_in", "A-002", None),
        (3, "called", "A-001", "interview-1"),
    ]
    assert queue.events(after=3) == []
    with pytest.raises(InvalidInput):
        queue.events(after=-1)


def test_event_log_is_append_only_in_the_database(queue: QueueService, db: Database) -> None:
    _checked_in(queue, 1)
    for statement in ("UPDATE events SET kind = 'finished'", "DELETE FROM events"):
        with pytest.raises(Exception, match="append-only"), db.write() as s:
            s.execute(text(statement))
    assert [e["kind"] for e in events(db)] == ["checked_in"]

"""Issue 14 at the booth, on both engines: the no-show minimum time, setting an applicant aside and resuming at the
same booth, a booth's pause counted by the estimate and the dashboard, reception's served count, the TV footer."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import booking_code
from helpers import events, snapshot
from sqlalchemy import text

from counter_desk.clock import FixedClock
from counter_desk.errors import Conflict, InvalidInput, InvalidTransition
from counter_desk.services import dashboard, display, rules
from counter_desk.services.masking import mask_name, mask_nik
from counter_desk.services.queue import QueueService
from counter_desk.services.queue_errors import NoShowTooEarly, StationPaused
from counter_desk.services.roles import NotAllowed
from counter_desk.services.stations import StationReader
from counter_desk.services.views import pause_reason_label
from counter_desk.store.engine import Database

MIN = dt.timedelta(minutes=1)


def test_no_show_waits_for_the_minimum_time_after_the_last_call(
    queue: QueueService, db: Database, clock: FixedClock
) -> None:
    queue.check_in(booking_code(6))
    called = queue.call_next("interview-1")
    snap = StationReader(queue, "interview-1").snapshot()
    assert snap.no_show_from == called.ticket.called_at + dt.timedelta(seconds=120)  # type: ignore[operator]
    clock.advance(dt.timedelta(seconds=20))
    before = snapshot(db)
    with pytest.raises(NoShowTooEarly, match=r"A-001 was called 0:20 ago: wait 1:40 more before marking no-show") as e:
        queue.no_show("interview-1")
    assert (e.value.code, e.value.wait_seconds) == ("no_show_too_early", 100)
    assert snapshot(db) == before
    clock.advance(dt.timedelta(seconds=90))
    queue.recall("interview-1")  # the last call counts: the time starts again
    clock.advance(dt.timedelta(seconds=119))
    with pytest.raises(NoShowTooEarly, match="wait 0:01 more"):
        queue.no_show("interview-1")
    clock.advance(dt.timedelta(seconds=1))
    assert queue.no_show("interview-1").ticket.status == "no_show"
    # The office may set another minimum, or none.
    rules.update(db, None, {"no_show_after_seconds": 0}, user="kasi", clock=clock)
    queue.check_in(booking_code(7))
    queue.call_next("interview-1")
    assert queue.no_show("interview-1").ticket.status == "no_show"


def test_a_parked_applicant_comes_back_to_the_same_booth_without_queueing_again(
    queue: QueueService, db: Database, clock: FixedClock
) -> None:
    for n in (6, 7, 8):
        queue.check_in(booking_code(n))
    queue.call_next("interview-1")
    queue.start("interview-1")
    clock.advance(5 * MIN)
    parked = queue.park("interview-1", "  fotokopi   KK ", user="wawancara1")
    assert (parked.ticket.number, parked.ticket.status, parked.ticket.station) == ("A-001", "parked", "interview-1")
    assert [t.number for t in queue.parked("interview-1")] == ["A-001"]
    # The booth is free meanwhile; the others are called in turn, the parked one is not in the queue.
    assert queue.call_next("interview-1").ticket.number == "A-002"
    assert [w.ticket.number for w in queue.status(stage="interview").waiting] == ["A-003"]
    snap = StationReader(queue, "interview-1").snapshot()
    assert [t.number for t in snap.parked] == ["A-001"] and snap.current is not None
    # Only the same booth takes it back, and only once it is free.
    with pytest.raises(InvalidTransition, match="A-001 was set aside at interview-1: it comes back there"):
        queue.resume("interview-2", ticket="A-001")
    with pytest.raises(Conflict, match="already holds A-002"):
        queue.resume("interview-1")
    queue.finish("interview-1")
    clock.advance(10 * MIN)
    back = queue.resume("interview-1", user="wawancara1")
    assert (back.ticket.number, back.ticket.status, back.ticket.station) == ("A-001", "called", "interview-1")
    assert queue.parked("interview-1") == []
    kinds = [(e["kind"], e["number"], e["reason"]) for e in events(db) if e["kind"] in ("parked", "resumed")]
    assert kinds == [("parked", "A-001", "fotokopi KK"), ("resumed", "A-001", None)]
    # Shown on the TV like a call, so the applicant hears where to go.
    state = display.load_state(queue)
    assert state.current is not None and (state.current.number, state.current.station) == ("A-001", "interview-1")
    queue.start("interview-1")
    clock.advance(4 * MIN)
    queue.finish("interview-1")
    # The dashboard's timeline: the service runs from the resumption (time set aside is not service).
    d = dashboard.snapshot(db, clock=clock)
    interview = next(s for s in d.stages if s.code == "interview")
    assert interview.served == 2


def test_park_needs_a_reason_and_a_held_ticket_and_a_supervisor_may_requeue_it(
    queue: QueueService, db: Database, clock: FixedClock
) -> None:
    queue.check_in(booking_code(6))
    queue.check_in(booking_code(7))
    with pytest.raises(InvalidTransition, match="holds no ticket"):
        queue.park("interview-1", "akta")
    queue.call_next("interview-1")
    before = snapshot(db)
    with pytest.raises(InvalidInput, match="a reason is required"):
        queue.park("interview-1", "  ")
    assert snapshot(db) == before
    queue.park("interview-1", "akta lahir")
    queue.call_next("interview-1")
    queue.park("interview-1", "KK")
    with pytest.raises(InvalidInput, match=r"has 2 tickets set aside \(A-001, A-002\): name the one"):
        queue.resume("interview-1")
    assert queue.resume("interview-1", ticket="A-002").ticket.number == "A-002"
    # The booth closes for the day: the supervisor puts the other one back at the front of the queue.
    back = queue.return_to_queue(ticket="A-001", position="front", reason="loket tutup", user="kasi")
    assert (back.ticket.status, back.ticket.station, back.ticket.front) == ("waiting", None, True)
    d = dashboard.snapshot(db, clock=clock)
    assert d.parked == []


def test_a_paused_booth_calls_nobody_and_is_not_counted_open(
    queue: QueueService, db: Database, clock: FixedClock
) -> None:
    for n in (6, 7, 8, 9):
        queue.check_in(booking_code(n))
    for booth in ("interview-1", "interview-2"):
        queue.call_next(booth)
        clock.advance(6 * MIN)
        queue.finish(booth)
    assert next(e for e in queue.estimates() if e.stage == "interview").open_stations == 2
    before = snapshot(db)
    with pytest.raises(InvalidInput, match="pause reason must be one of break, prayer, system, other"):
        queue.pause_station("interview-1", "nap")
    with pytest.raises(InvalidInput, match="a reason is required"):
        queue.pause_station("interview-1", "other")
    assert snapshot(db) == before
    pause = queue.pause_station("interview-1", "prayer", user="wawancara1")
    assert (pause.station, pause.reason, pause.until) == ("interview-1", "prayer", None)
    shown = StationReader(queue, "interview-1").snapshot().pause  # what the booth's window reads
    assert shown == pause.__class__("interview-1", "prayer", None, pause.since, None, None)
    with pytest.raises(Conflict, match="is paused"):
        queue.pause_station("interview-1", "break")
    with pytest.raises(StationPaused, match=r"station interview-1 is paused \(prayer\) since 09:12: end the pause"):
        queue.call_next("interview-1")
    with pytest.raises(StationPaused):
        queue.call("A-004", "interview-1", "lansia")
    estimate = next(e for e in queue.estimates() if e.stage == "interview")
    assert (estimate.open_stations, estimate.paused_stations) == (1, 1)
    d = dashboard.snapshot(db, clock=clock)
    booth = next(s for s in d.stations if s.code == "interview-1")
    assert (booth.state, booth.pause_reason, booth.since) == ("paused", "prayer", pause.since)
    assert dashboard.state_label(booth.state) == "paused" and pause_reason_label("prayer") == "prayer"
    clock.advance(15 * MIN)
    opened = queue.unpause_station("interview-1", user="wawancara1")
    assert opened.until == clock.now()
    with pytest.raises(InvalidTransition, match="is not paused"):
        queue.unpause_station("interview-1")
    assert queue.call_next("interview-1").ticket.number == "A-003"
    # A booth holding someone must finish or set them aside first.
    with pytest.raises(Conflict, match="holds A-003: finish it or set it aside before pausing"):
        queue.pause_station("interview-1", "break")
    paused, resumed = (e for e in events(db) if e["kind"].startswith("station_"))
    assert (paused["kind"], paused["station_id"], paused["ticket_id"], paused["data"]) == (
        "station_paused",
        resumed["station_id"],
        None,
        {"reason": "prayer"},
    )
    assert resumed["data"] == {"reason": "prayer", "paused_seconds": 900}


def test_reception_counts_the_tickets_it_issued_today(queue: QueueService) -> None:
    for n in range(1, 8):
        queue.check_in(booking_code(n), station="reception-1", user="penerimaan1")
    queue.check_in(walk_in="elderly", station="reception-2")
    assert StationReader(queue, "reception-1").snapshot().served_today == 7
    assert StationReader(queue, "reception-2").snapshot().served_today == 1
    queue.call_next("interview-1")
    queue.finish("interview-1")
    assert StationReader(queue, "interview-1").snapshot().served_today == 1


def test_the_tv_footer_lists_only_stages_applicants_queue_for(queue: QueueService) -> None:
    queue.check_in(walk_in="elderly")
    state = display.load_state(queue)
    assert [w.stage for w in state.footer_waits] == ["interview", "pickup"]  # no reception, no adjudication
    assert state.footer_waits == state.waits and state.config.stages["reception"].queues is False


def test_the_adjudicator_sees_who_the_file_is_before_deciding(queue: QueueService, db: Database) -> None:
    queue.check_in(booking_code(6))
    queue.call_next("interview-1")
    queue.transfer("adjudication", station="interview-1")
    queue.call_next("adjudicator")
    snap = StationReader(queue, "adjudicator").snapshot()
    with db.read() as s:
        number, name, nik = s.execute(
            text("SELECT application_number, applicant_name, nik FROM bookings WHERE code = :c"), {"c": booking_code(6)}
        ).one()
    assert snap.applicant is not None
    assert (snap.applicant.application_number, snap.applicant.name_masked, snap.applicant.nik_masked) == (
        number,
        mask_name(name),
        mask_nik(nik),
    )
    queue.finish("adjudicator", outcome="approved")
    queue.check_in(walk_in="elderly")
    queue.call_next("interview-1")
    assert StationReader(queue, "interview-1").snapshot().applicant is None  # a walk-in has no application yet


def test_dashboard_served_counts_applicants_like_the_report(
    queue: QueueService, db: Database, clock: FixedClock
) -> None:
    """An applicant served twice at the interview (sent back by the adjudicator) is one applicant served there."""
    queue.check_in(booking_code(6))
    queue.call_next("interview-1")
    clock.advance(5 * MIN)
    queue.transfer("adjudication", station="interview-1")
    queue.call_next("adjudicator")
    clock.advance(2 * MIN)
    queue.transfer("interview", station="adjudicator", reason="foto ulang")
    queue.call_next("interview-2")
    clock.advance(3 * MIN)
    queue.finish("interview-2")
    d = dashboard.snapshot(db, clock=clock)
    stages = {s.code: s for s in d.stages}
    assert (d.served_today, stages["interview"].served, stages["adjudication"].served) == (1, 1, 1)
    assert stages["interview"].average_service_seconds == 4 * 60  # both services, 5 and 3 minutes


def test_the_supervisor_ends_a_forgotten_pause_and_requeues_a_parked_ticket(
    queue: QueueService, db: Database, clock: FixedClock
) -> None:
    queue.check_in(booking_code(6))
    queue.call_next("interview-1")
    queue.park("interview-1", "fotokopi KK", user="wawancara1")
    queue.pause_station("interview-1", "break", user="wawancara1")
    officer = dashboard.Supervision(queue, "wawancara1")
    before = snapshot(db)
    with pytest.raises(NotAllowed):
        officer.end_pause("interview-1")
    with pytest.raises(NotAllowed):
        officer.requeue_parked("A-001", "loket tutup")
    assert snapshot(db) == before
    kasi = dashboard.Supervision(queue, "kasi")
    assert kasi.end_pause("interview-1").until == clock.now()
    back = kasi.requeue_parked("A-001", "loket tutup")
    assert (back.ticket.status, back.ticket.front, back.ticket.station) == ("waiting", True, None)
    last = events(db)[-2:]
    assert [(e["kind"], e["reason"]) for e in last] == [("station_resumed", None), ("returned", "loket tutup")]
    assert all(e["user_id"] is not None for e in last)

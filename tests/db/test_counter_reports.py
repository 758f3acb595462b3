"""Issue 14 in the report and on the pickup receipt, on both engines: every reordering is listed with who and why
(also a supervisor's two moves that bring a ticket to the front), applicants never called count against the
target, "served" agrees between header and stages, a booth's pauses are counted, and each category has its own
pickup delay, printed on the receipt."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from conftest import MONDAY, booking_code
from sqlalchemy import text

from counter_desk.clock import FixedClock
from counter_desk.services import reports, rules
from counter_desk.services.pickups import PickupService
from counter_desk.services.queue import QueueService
from counter_desk.services.receipts import TextLine, pickup_receipt
from counter_desk.store.engine import Database

WIB = ZoneInfo("Asia/Jakarta")
MIN = dt.timedelta(minutes=1)


def at(hour: int, minute: int = 0, day: dt.date = MONDAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=WIB).astimezone(dt.UTC)


def test_a_supervisor_moving_a_ticket_to_the_front_by_two_transfers_is_listed(
    queue: QueueService, db: Database, clock: FixedClock
) -> None:
    for n in (6, 7, 8):
        queue.check_in(booking_code(n))  # wait for the interview
    clock.advance(MIN)
    # The broker's trick: move A-003 away and straight back "to the front" -- no call out of order at all.
    queue.transfer("adjudication", ticket="A-003", reason="berkas dicek", user="kasi")
    queue.transfer("interview", ticket="A-003", position="front", reason="berkas lengkap", user="kasi")
    clock.advance(MIN)
    assert queue.call_next("interview-1").ticket.number == "A-003"
    r = reports.build(db, MONDAY, MONDAY, clock=clock)
    assert [(c.kind, c.number, c.stage, c.officer, c.reason) for c in r.out_of_order] == [
        ("transfer", "A-003", "interview", "kasi", "berkas lengkap")
    ]
    kasi = next(o for o in r.officers if o.username == "kasi")
    assert kasi.out_of_order_calls == 1
    [row] = [row for row in r.csv_rows() if row[0] == "out_of_order"]
    assert (row[6], row[4], row[3], row[8]) == ("transfer", "A-003", "kasi", "berkas lengkap")


def test_never_called_applicants_count_as_not_within_target_and_served_agrees(
    queue: QueueService, db: Database, clock: FixedClock
) -> None:
    clock.set(at(9))
    for n in (6, 7, 8, 9):
        queue.check_in(booking_code(n))
    clock.set(at(9, 5))
    queue.call_next("interview-1")  # A-001 waited 5 minutes: within the 15-minute target
    clock.set(at(9, 15))
    queue.transfer("adjudication", station="interview-1")  # served at the interview, passed on
    queue.call_next("adjudicator")
    clock.set(at(9, 25))
    queue.finish("adjudicator", outcome="approved")
    queue.call_next("interview-1")  # A-002 waited 25 minutes: over the target
    queue.finish("interview-1")
    clock.set(at(15, 59))  # waited all day and were never called
    r = reports.build(db, MONDAY, MONDAY, clock=clock)
    interview = next(s for s in r.stages if s.code == "interview")
    assert (interview.wait.count, interview.within_target, interview.never_called) == (2, 1, 2)
    assert interview.within_target_share == 0.25  # 1 of 4, not 1 of 2
    # Served: 2 applicants at the interview, 1 of them at adjudication as well; the header counts applicants.
    adjudication = next(s for s in r.stages if s.code == "adjudication")
    assert (r.served, interview.served, adjudication.served) == (2, 2, 1)


def test_pauses_are_counted_per_stage(queue: QueueService, db: Database, clock: FixedClock) -> None:
    queue.check_in(booking_code(6))
    clock.set(at(12))
    queue.pause_station("interview-2", "prayer")
    clock.set(at(12, 20))
    queue.unpause_station("interview-2")
    queue.pause_station("interview-3", "system", note="printer macet")
    clock.set(at(12, 30))  # still paused: counted until now
    r = reports.build(db, MONDAY, MONDAY, clock=clock)
    interview = next(s for s in r.stages if s.code == "interview")
    assert (interview.pauses, interview.paused_seconds) == (2, 30 * 60)
    assert [row[7] for row in r.csv_rows() if row[0] == "stage" and row[1] == "interview" and row[6] == "paused_s"] == [
        "1800"
    ]


def _category(db: Database, booking: int, category: str) -> None:
    with db.write() as s:
        s.execute(
            text("UPDATE bookings SET category_id = (SELECT id FROM categories WHERE code = :c) WHERE code = :b"),
            {"c": category, "b": booking_code(booking)},
        )


def _interviewed(queue: QueueService, n: int) -> str:
    number = queue.check_in(booking_code(n)).ticket.number
    queue.call_next("interview-1")
    queue.finish("interview-1")
    return number


def test_each_category_has_its_own_pickup_delay_printed_on_the_receipt(
    queue: QueueService, db: Database, clock: FixedClock
) -> None:
    pickups = PickupService(db, clock=clock)
    _category(db, 7, "express")
    _category(db, 8, "lost")
    regular = pickups.issue(_interviewed(queue, 6)).pickup
    express = pickups.issue(_interviewed(queue, 7)).pickup
    lost = pickups.issue(_interviewed(queue, 8)).pickup
    # Monday 23 November: the office-wide 4 working days, percepatan the same day, lost/damaged 7 (seeded rules).
    assert (regular.ready_on, regular.working_days) == (dt.date(2026, 11, 27), 4)
    assert (express.ready_on, express.working_days, express.category) == (
        dt.date(2026, 11, 23),
        0,
        "Percepatan (layanan selesai hari yang sama)",
    )
    assert (lost.ready_on, lost.working_days) == (dt.date(2026, 12, 2), 7)

    def lines(pickup: object) -> list[str]:
        receipt = pickup_receipt(pickup, printed_at=clock.now())  # type: ignore[arg-type]
        return [line.text for line in receipt.lines if isinstance(line, TextLine)]

    assert "Percepatan (layanan selesai hari yang sama): ready the same day" in lines(express)
    assert "Paspor hilang / rusak: ready 7 working days after the interview" in lines(lost)
    assert "Permohonan M-Paspor: ready 4 working days after the interview" in lines(regular)
    assert express.to_json()["working_days"] == 0
    # The supervisor changes a category's delay: the next receipt follows.
    rules.update(db, None, {"pickup_days_by_category": "express=1"}, user="kasi", clock=clock)
    _category(db, 9, "express")
    later = pickups.issue(_interviewed(queue, 9)).pickup
    assert (later.ready_on, later.working_days) == (dt.date(2026, 11, 24), 1)

"""The office's rules take effect in the queue: check-in window, late arrivals, quotas, priority ratio."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import MONDAY_9, booking_code
from helpers import events, snapshot

from counter_desk.clock import FixedClock
from counter_desk.errors import Conflict
from counter_desk.services import rules
from counter_desk.services.queue import QueueService
from counter_desk.store.engine import Database

# Sample bookings of Monday: 1-5 booked for 08:00, 6-9 for 09:00, 10-13 for 10:00, ..., 26-30 for 14:00.


def test_too_early_is_refused_with_the_opening_time(queue: QueueService, db: Database) -> None:
    rules.update(db, None, {"checkin_before_minutes": 60})
    before = snapshot(db)
    with pytest.raises(Conflict, match=r"is for 14:00: check-in opens at 13:00"):
        queue.check_in(booking_code(30))
    assert snapshot(db) == before
    queue.check_in(booking_code(10))  # 10:00: within the hour before


def test_late_arrival_refused_or_queued_by_arrival(queue: QueueService, db: Database, clock: FixedClock) -> None:
    rules.update(db, None, {"checkin_after_minutes": 60, "late_policy": "refuse"})
    clock.set(MONDAY_9 + dt.timedelta(minutes=40))  # 09:40
    before = snapshot(db)
    with pytest.raises(Conflict, match=r"was for 08:00; check-in closed at 09:00: the applicant must book again"):
        queue.check_in(booking_code(1))
    assert snapshot(db) == before

    rules.update(db, None, {"late_policy": "end_of_queue"})
    late = queue.check_in(booking_code(1)).ticket.number  # 08:00, late
    on_time = queue.check_in(booking_code(6)).ticket.number  # 09:00, within the hour after
    assert [queue.call_next(f"interview-{i}").ticket.number for i in (1, 2)] == [on_time, late]
    assert events(db)[-4]["data"]["late"] is True

    rules.update(db, None, {"late_policy": "accept"})
    accepted = queue.check_in(booking_code(2)).ticket.number  # 08:00 too: served in booked order
    queue.check_in(booking_code(7))
    assert queue.call_next("interview-3").ticket.number == accepted


def test_quotas_refuse_walk_ins_and_write_nothing(queue: QueueService, db: Database) -> None:
    rules.update_category(db, None, "lost", daily_quota=1)
    rules.update(db, None, {"walk_in_quota": 2})
    queue.check_in(walk_in="lost")
    before = snapshot(db)
    with pytest.raises(Conflict, match=r"today's quota for Paspor hilang / rusak \(1\) is used up"):
        queue.check_in(walk_in="lost")
    assert snapshot(db) == before
    queue.check_in(walk_in="elderly")  # the second priority walk-in (lost passports count)
    with pytest.raises(Conflict, match=r"quota of priority walk-ins \(2\) is used up"):
        queue.check_in(walk_in="pregnant")
    queue.check_in(booking_code(10))  # bookings never count against walk-in quotas


def test_priority_ratio_one_priority_per_two_regular(queue: QueueService, db: Database) -> None:
    for n in (10, 11, 12, 13):
        queue.check_in(booking_code(n))
    for group in ("elderly", "pregnant", "child"):
        queue.check_in(walk_in=group)
    calls = []
    for _round in range(7):
        result = queue.call_next("interview-1")
        calls.append(result.ticket.number[0])
        queue.finish("interview-1")
    assert "".join(calls) == "PPPAAAA"  # the default: priority always first

    for n in (14, 15, 16, 17):
        queue.check_in(booking_code(n))
    for group in ("elderly", "pregnant", "child"):
        queue.check_in(walk_in=group)
    rules.update(db, None, {"priority_ratio": 2})
    calls = []
    for _round in range(7):
        calls.append(queue.call_next("interview-1").ticket.number[0])
        queue.finish("interview-1")
    # The last calls before were regular: a priority applicant first, then two regular, and so on.
    assert "".join(calls) == "PAAPAAP"

"""The configuration cache of the fast claim and finish (services.config_cache), on both engines.

Each change is made through another ``Database`` (its own connections and its own cache, as another process
would): the service that cached the configuration hears of it only through its own next statement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from conftest import booking_code
from sqlalchemy import text

from counter_desk.clock import FixedClock
from counter_desk.errors import EmptyQueue, InvalidInput
from counter_desk.services import rules
from counter_desk.services.queue import QueueService
from counter_desk.store.engine import Database


@pytest.fixture
def supervisor_db(db_url: str) -> Iterator[Database]:
    other = Database.connect(db_url)
    yield other
    other.dispose()


def test_a_rule_change_is_obeyed_by_the_next_claim(
    queue: QueueService, supervisor_db: Database, clock: FixedClock
) -> None:
    regular = queue.check_in(booking_code(1)).ticket.number
    clock.advance(dt.timedelta(minutes=1))
    first, second = (queue.check_in(walk_in="elderly").ticket.number for _ in range(2))
    third = queue.check_in(walk_in="elderly").ticket.number
    # priority_ratio 0 (the reference office): priority first. This call fills the cache.
    assert queue.call_next("interview-1").ticket.number == first
    queue.finish("interview-1")

    # The supervisor (another process) asks for one regular applicant per priority one ...
    rules.update(supervisor_db, None, {"priority_ratio": 1}, clock=clock)
    # ... and the very next claim obeys: the last call was a priority applicant, so a regular one now.
    assert queue.call_next("interview-1").ticket.number == regular
    queue.finish("interview-1")
    assert queue.call_next("interview-1").ticket.number == second

    # Back to "priority always first", with a regular applicant waiting and a priority one called last:
    # the rule of 1 would call the regular one, the rule of 0 calls the priority one.
    queue.finish("interview-1")
    late = queue.check_in(booking_code(2)).ticket.number
    rules.update(supervisor_db, None, {"priority_ratio": 0}, clock=clock)
    assert queue.call_next("interview-1").ticket.number == third
    queue.finish("interview-1")
    assert queue.call_next("interview-1").ticket.number == late


def test_a_station_switched_off_or_moved_elsewhere_is_seen_by_the_next_call(
    queue: QueueService, supervisor_db: Database, clock: FixedClock
) -> None:
    for n in (1, 2, 3):
        queue.check_in(booking_code(n))
    queue.call_next("interview-1")  # fills the cache with interview-1 at the interview stage
    queue.finish("interview-1")

    with supervisor_db.write() as s:
        s.execute(text("UPDATE stations SET active = false WHERE code = 'interview-1'"))
    with pytest.raises(InvalidInput, match="switched off"):
        queue.call_next("interview-1")

    with supervisor_db.write() as s:
        s.execute(
            text(
                "UPDATE stations SET active = true, stage_id = (SELECT id FROM stages WHERE code = 'adjudication')"
                " WHERE code = 'interview-1'"
            )
        )
    # Two applicants still wait at the interview, nobody at adjudication: a stale cache would call one of them.
    with pytest.raises(EmptyQueue, match="nobody is waiting at adjudication"):
        queue.call_next("interview-1")
    assert queue.call_next("interview-2").ticket.stage == "interview"

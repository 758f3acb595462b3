"""Estimated waits, checked against simulated office hours whose answer is known."""

from __future__ import annotations

import datetime as dt

from conftest import booking_code

from counter_desk.clock import FixedClock
from counter_desk.services.queue import QueueService

MINUTE = dt.timedelta(minutes=1)


def _serve(queue: QueueService, clock: FixedClock, durations: list[int], stations: list[str]) -> None:
    """Each round, every station calls the next applicant and finishes after the round's duration (minutes)."""
    for minutes in durations:
        for st in stations:
            queue.call_next(st)
        clock.advance(minutes * MINUTE)
        for st in stations:
            queue.finish(st)


def test_two_booths_ten_minutes_each(queue: QueueService, clock: FixedClock) -> None:
    for n in range(1, 9):
        queue.check_in(booking_code(n))
    _serve(queue, clock, [10, 10, 10], ["interview-1", "interview-2"])
    interview = next(e for e in queue.estimates() if e.stage == "interview")
    assert (interview.waiting, interview.open_stations, interview.service_seconds, interview.samples) == (
        2,
        2,
        600.0,
        6,
    )
    # 2 waiting, 2 booths, 10 minutes each: (2 + 0.5) * 600 / 2
    assert interview.new_arrival_wait_seconds == 750
    arrival = queue.check_in(walk_in="lost")  # priority 5: nobody ahead
    assert (arrival.ahead, arrival.estimated_wait_seconds) == (0, 150)
    late = queue.check_in(booking_code(30))  # latest slot of the day: behind everyone
    assert (late.ahead, late.estimated_wait_seconds) == (3, 1050)


def test_the_median_resists_one_long_case(queue: QueueService, clock: FixedClock) -> None:
    for n in range(1, 6):
        queue.check_in(booking_code(n))
    _serve(queue, clock, [5, 6, 45], ["interview-1"])
    interview = next(e for e in queue.estimates() if e.stage == "interview")
    assert (interview.service_seconds, interview.open_stations, interview.waiting) == (360.0, 1, 2)


def test_unknown_without_service_or_open_stations(queue: QueueService, clock: FixedClock) -> None:
    queue.check_in(booking_code(1))
    first = queue.check_in(booking_code(2))
    assert first.estimated_wait_seconds is None  # nobody served yet: no made-up number
    _serve(queue, clock, [10], ["interview-1"])
    clock.advance(31 * MINUTE)  # the booth has not called anyone for half an hour: closed
    interview = next(e for e in queue.estimates() if e.stage == "interview")
    assert (interview.open_stations, interview.service_seconds) == (0, 600.0)
    assert interview.new_arrival_wait_seconds is None
    assert [e.stage for e in queue.estimates()] == ["reception", "interview", "adjudication", "pickup"]

"""A simulated office morning whose figures are worked out by hand (tests of the dashboard, reports, window).

Times are Jakarta time (WIB) on Monday 23 November 2026; targets: interview 15 min, adjudication 60 min.

=====  ===========================================================================================
08:00  reception-1 (penerimaan1) checks in booking 1 -> A-001 (interview queue)
08:10  booking 2 -> A-002
08:20  walk-in elderly -> P-001 (priority: called first)
08:30  interview-1 (wawancara1) calls next -> P-001        wait 10 min
08:32  interview-1 starts P-001
08:40  interview-1 transfers P-001 to adjudication          service 8 min; arrival at adjudication
08:45  interview-2 (no user) calls next -> A-001             wait 45 min
08:50  interview-2 marks A-001 no-show
08:55  booking 3 -> A-003
09:00  interview-1 (wawancara1) calls A-003 by number, "kursi roda", skipping A-002: out of order, wait 5 min
09:00  adjudicator (ajudikator) calls next -> P-001         wait 20 min
09:05  interview-1 starts A-003
09:10  supervisor (kasi) puts no-show A-001 back, front     "datang kembali"
09:15  interview-1 finishes A-003                            service 10 min
09:20  adjudicator finishes P-001, approved                  service 20 min (from the call: no start)
09:30  interview-2 calls next -> A-001                       wait 20 min; interview-2 holds it ("called")
09:40  now
=====  ===========================================================================================

Plus, on 2 January 2020 (history that must never be counted today): H-001 checked in at 10:00, called at
interview-3 by wawancara1 at 10:30, started 10:31, finished 10:41.

By hand, at 09:40:

- interview: 1 waiting (A-002 since 08:10: 90 min, red); arrivals 4; calls 4; waits 10, 45, 5, 20 min:
  mean 20 min = 1200 s (amber: over 15, within 22.5); served 2 (480 s and 600 s: mean 540 s); 1 no-show.
- adjudication: 0 waiting; arrivals 1; calls 1; wait 1200 s (green); served 1 (1200 s).
- served today (finished) 2; issued today 4; no-shows 1.
- stations: interview-1 idle, wawancara1; interview-2 called A-001 since 09:30, no officer; adjudicator idle,
  ajudikator; reception-1 idle, penerimaan1; interview-3 idle, nobody today.
- by hour: 08: 4 issued, interview waits 10 and 45 min (1650 s); 09: 0 issued, interview 5 and 20 min (750 s),
  adjudication 1200 s.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from conftest import LONG_AGO, MONDAY, booking_code

from counter_desk.clock import FixedClock
from counter_desk.services.queue import QueueService
from counter_desk.store.engine import Database

WIB = ZoneInfo("Asia/Jakarta")


def at(hour: int, minute: int, day: dt.date = MONDAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=WIB).astimezone(dt.UTC)


def simulate_day(db: Database, clock: FixedClock) -> QueueService:
    """Play the morning above (and the 2020 history); leave the clock at 09:40."""
    q = QueueService(db, clock=clock)
    clock.set(at(10, 0, LONG_AGO))
    q.check_in(walk_in="lost")
    clock.set(at(10, 30, LONG_AGO))
    q.call_next("interview-3", user="wawancara1")
    clock.set(at(10, 31, LONG_AGO))
    q.start("interview-3")
    clock.set(at(10, 41, LONG_AGO))
    q.finish("interview-3", user="wawancara1")

    steps = [
        ((8, 0), lambda: q.check_in(booking_code(1), station="reception-1", user="penerimaan1")),
        ((8, 10), lambda: q.check_in(booking_code(2), station="reception-1", user="penerimaan1")),
        ((8, 20), lambda: q.check_in(walk_in="elderly", station="reception-1", user="penerimaan1")),
        ((8, 30), lambda: q.call_next("interview-1", user="wawancara1")),
        ((8, 32), lambda: q.start("interview-1", user="wawancara1")),
        ((8, 40), lambda: q.transfer("adjudication", station="interview-1", user="wawancara1")),
        ((8, 45), lambda: q.call_next("interview-2")),
        ((8, 50), lambda: q.no_show("interview-2")),
        ((8, 55), lambda: q.check_in(booking_code(3), station="reception-1", user="penerimaan1")),
        ((9, 0), lambda: q.call("A-003", "interview-1", "kursi roda", user="wawancara1")),
        ((9, 0), lambda: q.call_next("adjudicator", user="ajudikator")),
        ((9, 5), lambda: q.start("interview-1", user="wawancara1")),
        ((9, 10), lambda: q.return_to_queue(ticket="A-001", position="front", reason="datang kembali", user="kasi")),
        ((9, 15), lambda: q.finish("interview-1", user="wawancara1")),
        ((9, 20), lambda: q.finish("adjudicator", outcome="approved", user="ajudikator")),
        ((9, 30), lambda: q.call_next("interview-2")),
    ]
    expected = [
        "A-001",
        "A-002",
        "P-001",
        "P-001",
        "P-001",
        "P-001",
        "A-001",
        "A-001",
        "A-003",
        "A-003",
        "P-001",
        "A-003",
    ]
    for n, ((hour, minute), step) in enumerate(steps):
        clock.set(at(hour, minute))
        result = step()
        if n < len(expected):
            assert result.ticket.number == expected[n], (n, result.ticket.number)
    clock.set(at(9, 40))
    return q

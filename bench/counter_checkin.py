"""Benchmark what issue 14 added to the desk's two busiest actions, one process, no contention.

``check-in``: a booked applicant's check-in now also reads the office's rules, checks the opening hours, working days
and holidays, judges the arrival against the slot and masks the name and NIK for the KTP check. ``call-next``: the
station's pause is checked before the claim. Each is timed per call with :func:`time.perf_counter` over N rounds
(check in a booking, call it, finish it) on a fresh reference office.

    .venv/bin/python bench/counter_checkin.py [--db URL] [--rounds N] [--save NAME]

Without ``--db`` a SQLite file in a temporary directory is used. The figures go to stdout and, with ``--save``, to
``bench/results/NAME-<engine>.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from counter_desk.clock import FixedClock
from counter_desk.services import seed
from counter_desk.services.queue import QueueService
from counter_desk.store import migrate
from counter_desk.store.engine import Database

RESULTS = Path(__file__).resolve().parent / "results"
#: A Monday morning in the office: open, a working day.
MONDAY_9 = dt.datetime(2026, 11, 23, 9, tzinfo=ZoneInfo("Asia/Jakarta")).astimezone(dt.UTC)


def _figures(samples: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in samples)
    return {
        "n": len(ms),
        "p50_ms": round(statistics.median(ms), 3),
        "p99_ms": round(ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))], 3),
        "max_ms": round(ms[-1], 3),
    }


def run(url: str, rounds: int) -> dict[str, object]:
    db = Database.connect(url)
    migrate.upgrade(db)
    clock = FixedClock(MONDAY_9)
    seed.load(db, clock=clock)
    seed.sample_bookings(db, rounds, clock=clock)
    queue = QueueService(db, clock=clock)
    check_in: list[float] = []
    call_next: list[float] = []
    try:
        for n in range(1, rounds + 1):
            code = f"MP{MONDAY_9.date():%y%m%d}{n:04d}"
            start = time.perf_counter()
            result = queue.check_in(code, station="reception-1")
            check_in.append(time.perf_counter() - start)
            assert result.check_in is not None
            start = time.perf_counter()
            queue.call_next("interview-1")
            call_next.append(time.perf_counter() - start)
            queue.finish("interview-1")
            clock.advance(dt.timedelta(seconds=1))
    finally:
        db.dispose()
    return {
        "engine": db.dialect,
        "rounds": rounds,
        "check_in": _figures(check_in),
        "call_next": _figures(call_next),
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", metavar="URL", help="an empty database (default: a temporary SQLite file)")
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--save", metavar="NAME")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{tmp}/bench.sqlite3"
        figures = run(url, args.rounds)
    print(json.dumps(figures, indent=2))
    if args.save:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"{args.save}-{figures['engine']}.json").write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()

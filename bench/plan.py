"""Benchmark the staffing planner: a 200-booking day, 1-6 interview booths, 50 simulated days each.

Run it as ``python bench/plan.py [--bookings N] [--replications N]`` (writes bench/results/plan.json).

It builds a throwaway SQLite office (the reference seed, N sample bookings on a Monday), then times

* reading the day's inputs (bookings, rules, 56 days of history) from the database;
* the six options: 1, 2, ... 6 booths open all day, ``--replications`` simulated days each (the issue's target:
  at most 10 s for all of them);
* the full recommendation (fewest booths per hour: the options until one meets the target, then hour by hour);
* the floor: a bare SimPy run of the same number of events as one simulated day (one process, one timeout per
  event), so the model's cost per event is shown against SimPy's own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script from a checkout: import the package next to bench/
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import simpy

from counter_desk.clock import FixedClock
from counter_desk.services import seed
from counter_desk.services.plan import inputs as plan_inputs
from counter_desk.services.plan.model import Staffing, _Day
from counter_desk.services.plan.predict import predict
from counter_desk.services.plan.search import recommend, schedule_text
from counter_desk.store import migrate
from counter_desk.store.engine import Database

RESULTS = Path(__file__).resolve().parent / "results"
TARGET_S = 10.0
MONDAY = dt.date(2026, 11, 23)


def _floor(events: int) -> float:
    """Seconds SimPy itself needs for ``events`` timeouts in one process."""
    env = simpy.Environment()

    def tick() -> Generator[simpy.Event, Any, None]:
        for _ in range(events):
            yield env.timeout(1.0)

    env.process(tick())
    began = time.perf_counter()
    env.run()
    return time.perf_counter() - began


def run(bookings: int, replications: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="counter-desk-bench-plan-") as folder:
        db = Database.connect(f"sqlite:///{folder}/bench.sqlite3")
        try:
            migrate.upgrade(db)
            clock = FixedClock(dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC))
            seed.load(db, clock=clock)
            seed.sample_bookings(db, bookings, day=MONDAY, clock=clock)
            began = time.perf_counter()
            inputs = plan_inputs.load(db, MONDAY)
            read_s = time.perf_counter() - began
        finally:
            db.dispose()
    hours = inputs.model.hours()
    options = []
    began = time.perf_counter()
    for booths in range(1, 7):
        t0 = time.perf_counter()
        p = predict(inputs.model, Staffing.uniform(hours, booths), inputs.targets, replications)
        options.append(
            {
                "booths": booths,
                "seconds": round(time.perf_counter() - t0, 3),
                "share_within_target": None if p.share is None else round(p.share, 4),
                "confidence": round(p.confidence, 3),
                "arrivals_mean": round(p.arrivals, 1),
            }
        )
    options_s = time.perf_counter() - began
    began = time.perf_counter()
    rec = recommend(inputs, replications=replications, max_booths=6)
    recommend_s = time.perf_counter() - began

    day = _Day(inputs.model, Staffing.uniform(hours, 4), seed=1)
    t0 = time.perf_counter()
    day.run(4)
    one_day_s = time.perf_counter() - t0
    events = next(day.env._eid)  # SimPy numbers the events it schedules: the next number is their count
    floor_s = _floor(events)
    return {
        "benchmark": "plan",
        "at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average_1m": round(os.getloadavg()[0], 2),
        },
        "bookings": bookings,
        "replications": replications,
        "read_inputs_s": round(read_s, 3),
        "options_1_to_6_s": round(options_s, 3),
        "options": options,
        "recommend_s": round(recommend_s, 3),
        "recommended": schedule_text(rec.prediction.staffing),
        "one_day": {
            "events": events,
            "model_ms": round(one_day_s * 1000, 3),
            "bare_simpy_ms": round(floor_s * 1000, 3),
            "ratio_to_floor": round(one_day_s / floor_s, 2) if floor_s else None,
        },
        "target_s": TARGET_S,
        "met": options_s <= TARGET_S,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=200)
    parser.add_argument("--replications", type=int, default=50)
    parser.add_argument("--no-save", action="store_true", help="print only; do not write bench/results/plan.json")
    args = parser.parse_args(argv)
    result = run(args.bookings, args.replications)
    day = result["one_day"]
    print(
        f"plan: {args.bookings} bookings, 1-6 booths x {args.replications} days: {result['options_1_to_6_s']:.2f} s "
        f"(target <= {TARGET_S:.0f} s: {'met' if result['met'] else 'MISSED'}); inputs read in "
        f"{result['read_inputs_s']:.2f} s; full recommendation {result['recommend_s']:.2f} s -> {result['recommended']}"
    )
    print(
        f"one day: {day['events']} events, model {day['model_ms']:.1f} ms vs bare SimPy {day['bare_simpy_ms']:.1f} ms "
        f"(x{day['ratio_to_floor']})"
    )
    for o in result["options"]:
        print(f"  {o['booths']} booths: {o['seconds']:.2f} s, share {o['share_within_target']}, met {o['confidence']}")
    if not args.no_save:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "plan.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

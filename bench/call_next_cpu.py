"""CPU time and statements per claim cycle (``call_next`` + ``finish``), one station, no contention.

The race of ``counter-desk bench call-next`` measures throughput on a shared machine, which is noisy; this
measures what one cycle costs the station's own process, which is not: CPU time (``time.process_time``) and the
statements sent (SQLAlchemy cursor events), for the service and for the floor (``--floor``'s FloorStation).
Run it on a database the call-next benchmark has prepared (office ``bench``)::

    python bench/call_next_cpu.py URL [--cycles 400] [--floor] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent))

import call_next as bench

from counter_desk.services.queue import QueueService
from counter_desk.store.engine import Database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--cycles", type=int, default=400)
    parser.add_argument("--floor", action="store_true", help="the floor instead of the service")
    parser.add_argument("--profile", action="store_true", help="also print cProfile's top functions")
    args = parser.parse_args()
    db = Database.connect(args.url)
    try:
        office = bench.prepare_office(db, 7)  # as the race prepares it: stations bench-1 .. bench-7
        if bench.waiting(db, office["stage_id"]) < args.cycles + 10:
            bench.add_tickets(db, office, args.cycles + 10, start=int(time.time()))
        sent: list[str] = []

        def count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
            sent.append(statement.split(None, 1)[0].upper())

        event.listen(db.engine, "before_cursor_execute", count)
        station = "bench-1"
        service: Any = bench.FloorStation(db, station) if args.floor else QueueService(db, office=bench.OFFICE)
        service.call_next(station)  # warm-up: connection, statement caches, configuration cache
        service.finish(station)
        sent.clear()
        profile = cProfile.Profile() if args.profile else None
        cpu, wall = time.process_time(), time.perf_counter()
        if profile is not None:
            profile.enable()
        for _ in range(args.cycles):
            service.call_next(station)
            service.finish(station)
        if profile is not None:
            profile.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        db.dispose()
    n = args.cycles
    kinds = ", ".join(f"{k} {v / n:g}" for k, v in sorted(Counter(sent).items()))
    print(
        f"{'floor' if args.floor else 'service'} on {db.dialect}: {1000 * cpu / n:.2f} ms CPU and"
        f" {1000 * wall / n:.2f} ms wall per cycle, {len(sent) / n:g} statements ({kinds})"
    )
    if profile is not None:
        pstats.Stats(profile).sort_stats("tottime").print_stats(20)


if __name__ == "__main__":
    main()

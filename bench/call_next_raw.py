"""The rawest floor of call-next on PostgreSQL: plain psycopg, no SQLAlchemy, the claim and the event append as
single statements, N processes calling and finishing as fast as they can.

Not the service and not a way to run an office: it shows what this machine and PostgreSQL (fsync on) allow at
all, so the figures of ``counter-desk bench call-next`` (and ``--floor``) can be read against it. Run it on a
database the call-next benchmark has prepared (office ``bench``, N stations); it puts the bench stage's tickets
back to ``waiting`` first (bench data only)::

    counter-desk --db URL bench call-next --stations 7 --seconds 2     # prepares the office
    python bench/call_next_raw.py URL --stations 7 --seconds 10 [--save NAME]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import time
from pathlib import Path
from typing import Any

import psycopg

RESULTS = Path(__file__).resolve().parent / "results"
CLAIM = """WITH head AS MATERIALIZED (SELECT id FROM tickets WHERE stage_id = %(stage)s AND status = 'waiting'
 ORDER BY front DESC, priority_level DESC, queue_key, id LIMIT 1 FOR UPDATE SKIP LOCKED)
 UPDATE tickets SET status = 'called', station_id = %(station)s, called_at = now(), updated_at = now(),
 call_count = call_count + 1 WHERE id = (SELECT id FROM head) RETURNING id, number"""
# The database numbers the event itself (migration 0006's trigger takes the counter), as for the program.
EVENT = """WITH ins AS (INSERT INTO events (office_id, kind, ticket_id, number, from_status, to_status, stage_id,
 station_id, data, created_at) VALUES (%(office)s, %(kind)s, %(ticket)s, %(number)s, %(before)s, %(after)s,
 %(stage)s, %(station)s, '{}', now()) RETURNING seq) SELECT seq, pg_notify('counter_desk_events', seq::text) FROM ins"""
FINISH = "UPDATE tickets SET status = 'done', station_id = NULL, finished_at = now(), updated_at = now() WHERE id = %s"


def station(url: str, ids: dict[str, int], seconds: float, barrier: Any, out: Any) -> None:
    latencies: list[float] = []
    with psycopg.connect(url) as conn:
        barrier.wait()
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            t0 = time.perf_counter()
            with conn.transaction():
                row = conn.execute(CLAIM, ids).fetchone()
                if row is None:
                    break
                event = {**ids, "ticket": row[0], "number": row[1]}
                conn.execute(EVENT, {**event, "kind": "called", "before": "waiting", "after": "called"}).fetchone()
            latencies.append((time.perf_counter() - t0) * 1000)
            with conn.transaction():
                conn.execute(FINISH, (row[0],))
                conn.execute(EVENT, {**event, "kind": "finished", "before": "called", "after": "done"}).fetchone()
    out.put(latencies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="postgresql://... of a database prepared by 'bench call-next'")
    parser.add_argument("--stations", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--save", metavar="NAME")
    args = parser.parse_args()
    url = args.url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as conn:
        office = conn.execute("SELECT id FROM offices WHERE code = 'bench'").fetchone()
        if office is None:
            parser.error("no bench office: run 'counter-desk --db URL bench call-next' once first")
        stage = conn.execute("SELECT id FROM stages WHERE office_id = %s AND code = 'bench'", office).fetchone()
        stations = conn.execute(
            "SELECT id FROM stations WHERE office_id = %s ORDER BY id LIMIT %s", (office[0], args.stations)
        ).fetchall()
        if len(stations) < args.stations:
            parser.error(f"the bench office has {len(stations)} stations: run 'bench call-next --stations N' first")
        assert stage is not None
        conn.execute("UPDATE tickets SET status = 'waiting', station_id = NULL WHERE stage_id = %s", stage)
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(args.stations), ctx.Queue()
    procs = [
        ctx.Process(
            target=station,
            args=(url, {"office": office[0], "stage": stage[0], "station": s[0]}, args.seconds, barrier, results),
        )
        for s in stations
    ]
    for p in procs:
        p.start()
    latencies = sorted(x for _ in procs for x in results.get(timeout=args.seconds + 60))
    for p in procs:
        p.join()
    n = len(latencies)
    result = {
        "benchmark": "call-next-raw-psycopg",
        "stations": args.stations,
        "seconds": args.seconds,
        "claims": n,
        "claims_per_s": round(n / args.seconds, 1),
        "p50_ms": round(latencies[n // 2], 2) if n else None,
        "p99_ms": round(latencies[min(n - 1, int(n * 0.99))], 2) if n else None,
        "max_ms": round(latencies[-1], 2) if n else None,
    }
    print(json.dumps(result))
    if args.save:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"{args.save}.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

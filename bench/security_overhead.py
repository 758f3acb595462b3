"""What officers signing in as themselves costs (issue 13): the same check-in, call and finish through the owner's
connection and through the officers' own logins (their grants, the ``cd_events_stamp`` / ``cd_audit_stamp`` /
``cd_tickets_guard`` triggers doing their checks), and the time a sign-in takes (SCRAM + ``cd_signin``).

Starts its own throwaway PostgreSQL server (password authentication on), so it needs nothing but the server
binaries::

    python bench/security_overhead.py [--rounds 300]

Prints the figures and writes ``bench/results/security_overhead.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from pgserver import PgServer, admin_connect  # noqa: E402 - found through tests/

from counter_desk.cli import main  # noqa: E402
from counter_desk.clock import FixedClock  # noqa: E402
from counter_desk.services import auth, seed  # noqa: E402
from counter_desk.services.queue import QueueService  # noqa: E402
from counter_desk.store import migrate  # noqa: E402
from counter_desk.store.engine import Database  # noqa: E402

RESULTS = ROOT / "bench" / "results"
MONDAY_9 = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)
PASSWORD = "bench-pass-123"  # noqa: S105 - a throwaway server


def _figures(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "mean_ms": round(statistics.fmean(ordered) * 1000, 3),
        "p50_ms": round(ordered[len(ordered) // 2] * 1000, 3),
        "p95_ms": round(ordered[int(len(ordered) * 0.95)] * 1000, 3),
    }


def _rounds(reception: Database, interview: Database, rounds: int, user: str | None) -> dict[str, list[float]]:
    clock = FixedClock(MONDAY_9)
    front, booth = QueueService(reception, clock=clock), QueueService(interview, clock=clock)
    times: dict[str, list[float]] = {"check_in": [], "call_next": [], "finish": []}
    for _ in range(rounds):
        start = time.perf_counter()
        front.check_in(walk_in="lost", station="reception-1", user=user and "penerimaan1")
        times["check_in"].append(time.perf_counter() - start)
        start = time.perf_counter()
        booth.call_next("interview-1", user=user and "wawancara1")
        times["call_next"].append(time.perf_counter() - start)
        start = time.perf_counter()
        booth.finish("interview-1", user=user and "wawancara1")
        times["finish"].append(time.perf_counter() - start)
    return times


def run(rounds: int) -> dict[str, object]:
    server = PgServer().start()
    try:
        (server.data / "pg_hba.conf").write_text(
            "local all all trust\nhost all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n"
        )
        with admin_connect(server.url()) as conn:
            conn.execute("SELECT pg_reload_conf()")
            conn.execute("CREATE DATABASE office")
        owner_url = server.url("office")
        owner = Database.connect(owner_url)
        migrate.upgrade(owner)
        seed.load(owner, clock=FixedClock(MONDAY_9))
        assert main(["db", "roles", "--db", owner_url, "--apply"]) == 0
        with admin_connect(owner_url) as conn:
            conn.execute(f"ALTER ROLE counter_desk_signin PASSWORD '{PASSWORD}'")
        for name in ("penerimaan1", "wawancara1"):
            auth.set_password(owner, name, PASSWORD)
        station_url = owner_url.replace("postgres@", f"counter_desk_signin:{PASSWORD}@")

        _rounds(owner, owner, 20, None)  # warm up
        as_owner = _rounds(owner, owner, rounds, None)
        reception = auth.connect_officer(station_url, "penerimaan1", PASSWORD)
        interview = auth.connect_officer(station_url, "wawancara1", PASSWORD)
        _rounds(reception, interview, 20, "officer")
        as_officers = _rounds(reception, interview, rounds, "officer")
        sign_ins = []
        for _ in range(20):
            start = time.perf_counter()
            _officer, db = auth.sign_in_postgres(station_url, "wawancara1", PASSWORD, "interview-1")
            db.dispose()
            sign_ins.append(time.perf_counter() - start)
        for db in (owner, reception, interview):
            db.dispose()
    finally:
        server.cleanup()
    return {
        "rounds": rounds,
        "owner": {k: _figures(v) for k, v in as_owner.items()},
        "officers": {k: _figures(v) for k, v in as_officers.items()},
        "sign_in": _figures(sign_ins),
        "note": "one client, loopback, fsync off (throwaway server); officers: their own logins, grants, triggers",
    }


def cli() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    result = run(args.rounds)
    print(json.dumps(result, indent=2))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "security_overhead.json").write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(cli())

"""SQLite: how long a read-only command takes while another connection holds the write lock (issue 13).

Run: ``python bench/sqlite_read_under_lock.py [--runs 5] [--save]``. A fresh SQLite file is migrated and seeded,
a second sqlite3 connection holds ``BEGIN IMMEDIATE`` (a writer mid-transaction) for the whole run, and
``counter-desk queue status --stage interview`` is run in-process ``--runs`` times, each timed whole (connect, the
start-up schema check, the read, the output). Before the fix the start-up check took the write lock and waited
SQLITE_BUSY_TIMEOUT_S (60 s) before failing with "database is locked". Then one write (``bookings add``) is run with
the wait lowered to 1 s to show it ends in the one-line "busy, try again" (exit 7) after that wait.

With ``--save`` the figures go to ``bench/results/sqlite-read-under-lock.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from counter_desk.cli import main
from counter_desk.services import seed
from counter_desk.store import engine, migrate
from counter_desk.store.engine import Database

RESULTS = Path(__file__).resolve().parent / "results"


def _run(argv: list[str]) -> tuple[int, float, str]:
    err = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, time.perf_counter() - start, err.getvalue().strip()


def measure(runs: int) -> dict[str, object]:
    path = Path(tempfile.mkdtemp()) / "bench.sqlite3"
    url = f"sqlite:///{path}"
    db = Database.connect(url)
    migrate.upgrade(db)
    seed.load(db)
    db.dispose()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        reads = [_run(["--db", url, "queue", "status", "--stage", "interview"]) for _n in range(runs)]
        assert all(code == 0 for code, _s, _e in reads), reads
        engine.SQLITE_BUSY_TIMEOUT_S, default_wait = 1.0, engine.SQLITE_BUSY_TIMEOUT_S
        code, seconds, message = _run(
            ["--db", url, "bookings", "add", "MPB0001", "--application", "3505000000000001", "--date", "2030-01-02"]
        )
        engine.SQLITE_BUSY_TIMEOUT_S = default_wait
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    read_seconds = [s for _c, s, _e in reads]
    return {
        "benchmark": "sqlite-read-under-lock",
        "runs": runs,
        "read_seconds": {
            "median": round(statistics.median(read_seconds), 3),
            "max": round(max(read_seconds), 3),
        },
        "write_behind_lock": {"exit_code": code, "seconds": round(seconds, 3), "message": message, "wait_s": 1.0},
        "default_write_wait_s": default_wait,
        "load_average_1min": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--save", action="store_true")
    args = parser.parse_args()
    result = measure(args.runs)
    print(json.dumps(result))
    if args.save:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "sqlite-read-under-lock.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    cli()

"""Benchmark the M-Paspor import: 5,000 bookings in one CSV file (target: <= 2 s).

Run: ``python bench/bookings_import.py [--db URL] [--rows 5000] [--save]``. Without ``--db`` it measures a fresh
SQLite file and a throwaway PostgreSQL server (tests/pgserver.py), each migrated and seeded with the reference
office. Three imports of the same size are timed with :func:`time.perf_counter`, each the whole service call
(parse, validate, look up, write, commit):

- ``new``: every row a new booking;
- ``unchanged``: the same file again (nothing written);
- ``updated``: every row's slot changed.

Results go to ``bench/results/bookings-import-<engine>.json`` with ``--save``.
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
from pathlib import Path
from typing import Any

from counter_desk.clock import FixedClock
from counter_desk.services import bookings, seed
from counter_desk.store import migrate
from counter_desk.store.engine import Database, safe_url

RESULTS = Path(__file__).resolve().parent / "results"
TARGET_S = 2.0
NOW = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)


def export(rows: int, day: dt.date, hour_shift: int = 0) -> bytes:
    """An M-Paspor-like export: semicolon-separated, BOM, CRLF, DD/MM/YYYY, every column."""
    lines = ["Kode Booking;Nomor Permohonan;Nama;NIK;Tanggal;Jam;Layanan"]
    for n in range(rows):
        start = 7 + (n * 8 // rows) + hour_shift
        lines.append(
            f"BX{n:08d};35052026{n:08d};Pemohon {n};3505{n:012d};{day:%d/%m/%Y};{start:02d}:00-{start + 1:02d}:00;"
            + ("Lansia" if n % 10 == 0 else "booked")
        )
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


def run(url: str, rows: int) -> dict[str, Any]:
    db = Database.connect(url)
    migrate.upgrade(db)
    clock = FixedClock(NOW)
    seed.load(db, clock=clock)
    day = NOW.date() + dt.timedelta(days=1)
    files = {"new": export(rows, day), "unchanged": export(rows, day), "updated": export(rows, day, hour_shift=1)}
    timings: dict[str, float] = {}
    counts: dict[str, dict[str, int]] = {}
    for name, data in files.items():
        started = time.perf_counter()
        report = bookings.import_bookings(db, data, clock=clock)
        timings[name] = round(time.perf_counter() - started, 3)
        counts[name] = {
            "imported": report.imported,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "rejected": len(report.rejected),
        }
    engine = db.dialect
    db.dispose()
    return {
        "benchmark": "bookings-import",
        "engine": engine,
        "db": safe_url(url),
        "rows": rows,
        "file_bytes": len(files["new"]),
        "seconds": timings,
        "counts": counts,
        "target_s": TARGET_S,
        "met": all(t <= TARGET_S for t in timings.values()),
        # Other work on the machine slows this CPU-bound import down: the load when it ran.
        "load_average_1min": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", metavar="URL", help="a database to use (default: fresh SQLite and PostgreSQL)")
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--save", action="store_true", help="write bench/results/bookings-import-<engine>.json")
    args = parser.parse_args(argv)
    results = []
    if args.db:
        results.append(run(args.db, args.rows))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            results.append(run(f"sqlite:///{tmp}/bench.sqlite3", args.rows))
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
        from pgserver import PgServer, admin_connect

        server = PgServer().start()
        try:
            with admin_connect(server.url("postgres")) as conn:
                conn.execute('CREATE DATABASE "bench_import"')
            results.append(run(server.url("bench_import"), args.rows))
        finally:
            server.cleanup()
    for result in results:
        print(json.dumps(result))
        if args.save:
            RESULTS.mkdir(exist_ok=True)
            path = RESULTS / f"bookings-import-{result['engine']}.json"
            path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0 if all(r["met"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())

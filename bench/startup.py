"""Start-up time of the ``counter-desk`` command: how long a command takes before it does anything (issue 15).

Run: ``python bench/startup.py [--runs 15] [--no-save]`` (writes bench/results/startup.json).

Each command is a fresh process of this interpreter running the checkout's ``main.py`` (what the
``counter-desk`` entry point runs), timed whole from ``fork`` to exit with ``time.perf_counter``:

* ``bare``: ``python -c pass``, the interpreter alone (the yardstick);
* ``version``: ``counter-desk --version``;
* ``help``: ``counter-desk --help``;
* ``queue_status``: ``counter-desk queue status --stage interview`` on a SQLite demo database (the reference
  office, 120 sample bookings and 20 tickets checked in, as ``counter-desk demo`` leaves it): connect, the schema
  check, the read and the output;
* ``core_floor``: ``python -c "import sqlite3, sqlalchemy"``, SQLAlchemy's Core and the driver: what any command
  that reads the database must import before it does anything; ``queue status`` is also reported over it;
* ``orm_floor``: ``python -c "import sqlite3, sqlalchemy.orm"``, the same with the ORM, which ``queue status`` does
  without since it reads plain rows (a command that changes tickets needs it).

The commands are run in turn (bare, version, help, queue status, bare, ...) ``--runs`` times after one untimed
warm-up round, so a noisy neighbour on the shared machine weighs on all of them alike; the median of each is
reported, with the ratios to ``bare``. One further run of each records which heavy packages it imported
(PySide6, SQLAlchemy, its ORM, the models, alembic, reportlab).

Targets (issue 15): ``--version`` at most 3x ``bare``; ``queue status`` at most 0.35 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):  # run as a script from a checkout: import the package next to bench/
    sys.path.insert(0, str(ROOT))

RESULTS = Path(__file__).resolve().parent / "results"
TARGETS = {"version_over_bare": 3.0, "queue_status_s": 0.35}
HEAVY = ("PySide6", "sqlalchemy", "sqlalchemy.orm", "counter_desk.store.models", "alembic", "reportlab")
#: Runs a command as main.py does, then writes the heavy modules it imported to the file named by argv[1].
_PROBE = (
    "import atexit, json, sys\n"
    "out = sys.argv.pop(1)\n"
    f"heavy = {HEAVY!r}\n"
    "atexit.register(lambda: open(out, 'w').write(json.dumps(sorted(h for h in heavy if h in sys.modules))))\n"
    "sys.argv[0] = 'counter-desk'\n"
    "from counter_desk.cli import main\n"
    "sys.exit(main())\n"
)


def _demo_database(folder: Path) -> str:
    """A SQLite file like the demo's: the reference office, sample bookings, some of them checked in."""
    from sqlalchemy import select

    from counter_desk.services import rules, seed
    from counter_desk.services.queue import QueueService
    from counter_desk.store import migrate
    from counter_desk.store.engine import Database
    from counter_desk.store.models import Booking

    url = f"sqlite:///{folder / 'demo.sqlite3'}"
    db = Database.connect(url)
    try:
        migrate.upgrade(db)
        report = seed.load(db)
        seed.sample_bookings(db, 120, office=report.office)
        rules.update(db, report.office, {"checkin_hours": "allow"})  # as the demo does: any hour, any day
        queue = QueueService(db)
        with db.read() as s:
            codes = list(s.scalars(select(Booking.code).order_by(Booking.id).limit(20)))
        for code in codes:
            queue.check_in(code, override_by="kasi")
    finally:
        db.dispose()
    return url


def _commands(url: str) -> dict[str, list[str]]:
    main = str(ROOT / "main.py")
    return {
        "bare": [sys.executable, "-c", "pass"],
        "version": [sys.executable, main, "--version"],
        "help": [sys.executable, main, "--help"],
        "queue_status": [sys.executable, main, "--db", url, "queue", "status", "--stage", "interview"],
        # The floor of any command that reads the database: the interpreter, SQLAlchemy (Core) and the driver.
        "core_floor": [sys.executable, "-c", "import sqlite3, sqlalchemy"],
        "orm_floor": [sys.executable, "-c", "import sqlite3, sqlalchemy.orm"],
    }


def _time(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def _imported(argv: list[str], env: dict[str, str], folder: Path) -> list[str] | None:
    """The heavy packages the command imported (None for ``bare``)."""
    if argv[1] == "-c":  # the yardsticks
        return None
    out = folder / "imported.json"
    probe = [sys.executable, "-c", _PROBE, str(out), *argv[2:]]
    subprocess.run(probe, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    result: list[str] = json.loads(out.read_text(encoding="utf-8"))
    return result


def measure(runs: int) -> dict[str, object]:
    folder = Path(tempfile.mkdtemp(prefix="startup-bench-"))
    # The checkout first on the path; settings, logs and the data folder in the throwaway folder. Bytecode is
    # written (the warm-up round compiles the checkout once), as an installed package has it: without it every run
    # would compile every module it imports from source.
    env = {
        **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
        "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
        "COUNTER_DESK_CONFIG": str(folder / "config.toml"),
        "COUNTER_DESK_DATA_DIR": str(folder / "data"),
    }
    (folder / "config.toml").write_text("", encoding="utf-8")  # no settings but --db
    commands = _commands(_demo_database(folder))
    for argv in commands.values():  # warm-up: the page cache, the .pyc files
        _time(argv, env)
    seconds: dict[str, list[float]] = {name: [] for name in commands}
    for _round in range(runs):
        for name, argv in commands.items():
            seconds[name].append(_time(argv, env))
    median = {name: statistics.median(s) for name, s in seconds.items()}
    ratios = {name: median[name] / median["bare"] for name in commands if name != "bare"}
    over_core = median["queue_status"] / median["core_floor"]
    over_orm = median["queue_status"] / median["orm_floor"]
    return {
        "benchmark": "startup",
        "runs": runs,
        "median_s": {name: round(s, 4) for name, s in median.items()},
        "min_s": {name: round(min(s), 4) for name, s in seconds.items()},
        "over_bare": {name: round(r, 2) for name, r in ratios.items()},
        "queue_status_over_core_floor": round(over_core, 2),
        "queue_status_over_orm_floor": round(over_orm, 2),
        "imported": {name: _imported(argv, env, folder) for name, argv in commands.items() if name != "bare"},
        "targets": TARGETS,
        "met": {
            "version_over_bare": ratios["version"] <= TARGETS["version_over_bare"],
            "queue_status_s": median["queue_status"] <= TARGETS["queue_status_s"],
        },
        "load_average_1min": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def _summary(result: dict[str, object]) -> str:
    median: dict[str, float] = result["median_s"]  # type: ignore[assignment]
    ratio: dict[str, float] = result["over_bare"]  # type: ignore[assignment]
    imported: dict[str, list[str] | None] = result["imported"]  # type: ignore[assignment]
    lines = [f"{'command':<14} {'median':>8} {'x bare':>7}  heavy imports"]
    for name, seconds in median.items():
        times = f"{ratio[name]:.2f}" if name in ratio else "1.00"
        lines.append(f"{name:<14} {seconds:>7.3f}s {times:>7}  {', '.join(imported.get(name) or []) or '-'}")
    lines.append(
        f"queue_status / core_floor: {result['queue_status_over_core_floor']:.2f}, "
        f"/ orm_floor: {result['queue_status_over_orm_floor']:.2f}"
    )
    lines.append(f"targets: {result['targets']} met: {result['met']} (load {result['load_average_1min']})")
    return "\n".join(lines)


def cli() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs of each command (the median is reported)")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/startup.json")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    result = measure(args.runs)
    print(json.dumps(result) if args.json else _summary(result))
    if not args.no_save:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "startup.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    cli()

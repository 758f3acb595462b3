"""Soak: a whole simulated office day with every window open, run fast.

    counter-desk --db URL bench soak [--hours 8.5] [--save soak-ENGINE] [--json]

This process opens the waiting-room display and seven station windows (two receptions, four interview booths,
the adjudicator), live and offscreen, and measures its resident memory once they have settled. A worker thread
then plays the reference office's day (``counter_desk.services.simulate``: about 300 arrivals following the hourly
profile, realistic service times, no-shows) through the real services on simulated time, while the windows
follow the change feed. At the end it reports:

- memory growth of the process over the day, and per window (growth / windows; target <= 10 MB each);
- errors: log records at ERROR or above and Qt warnings/criticals (target: none);
- every ticket accounted for: the tickets in the database equal the simulation's check-ins, every `called`
  event is a call the simulation made, and the display showed the day's last call.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import platform
import resource
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import text

from counter_desk.cli import common
from counter_desk.clock import FixedClock, office_day
from counter_desk.services import rules, seed, simulate
from counter_desk.services.desk import Desk
from counter_desk.services.queue import QueueService
from counter_desk.store.engine import Database, safe_url

RESULTS = Path(__file__).resolve().parent / "results"
STATIONS = ("reception-1", "reception-2", "interview-1", "interview-2", "interview-3", "interview-4", "adjudicator")
ARRIVALS = 280  # bookings; the profile's walk-ins come on top (about 300 arrivals in all)


def _rss_mb() -> float:
    """Resident memory now (Linux /proc), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(f"{record.name}: {record.getMessage()}")


def _accounts(db: Database, day: dt.date) -> tuple[set[str], int, str | None]:
    """The day's ticket numbers, its `called` events, and the last call of an announced stage."""
    with db.read() as s:
        tickets = set(s.execute(text("SELECT number FROM tickets WHERE day = :d"), {"d": day}).scalars())
        calls = s.execute(
            text(
                "SELECT count(*) FROM events e JOIN tickets t ON t.id = e.ticket_id "
                "WHERE e.kind = 'called' AND t.day = :d"
            ),
            {"d": day},
        ).scalar_one()
        last_call = s.execute(
            text(
                "SELECT e.number FROM events e JOIN stages st ON st.id = e.stage_id "
                "WHERE e.kind IN ('called', 'recalled') AND st.announce ORDER BY e.seq DESC LIMIT 1"
            )
        ).scalar_one_or_none()
    return tickets, int(calls), last_call


def run(db: Database, hours: float) -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    from counter_desk.views.app import application
    from counter_desk.views.display import DisplayWindow
    from counter_desk.views.station import StationWindow

    qt_problems: list[str] = []

    def on_qt_message(kind: QtMsgType, _context: object, message: str) -> None:
        harmless = ("propagateSizeHints", "audio", "pa_context", "pipewire", "va")
        if kind in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg) and not any(
            h in message for h in harmless
        ):
            qt_problems.append(message)

    qInstallMessageHandler(on_qt_message)
    errors = _Errors()
    logging.getLogger().addHandler(errors)
    app = application("id")

    queue = QueueService(db)
    tz = queue.timezone()
    day = office_day(dt.datetime.now(dt.UTC), tz)
    seed.sample_bookings(db, ARRIVALS, day=day)
    start = simulate.office_instant(day, dt.time(7, 45), tz)
    clock = FixedClock(start)
    sim_queue = QueueService(db, clock=clock)

    class _Silent:
        def play(self, wav: bytes, volume: float, done: Any) -> None:
            done()

        def stop(self) -> None:
            pass

    windows: list[Any] = [DisplayWindow(Desk(db), sink=_Silent())]
    windows += [StationWindow(Desk(db), code) for code in STATIONS]
    for window in windows:
        window.resize(1280, 720)
        window.show()

    def settle(seconds: float) -> None:
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            app.processEvents()
            time.sleep(0.01)

    settle(3)
    before = _rss_mb()
    day_sim = simulate.OfficeDay(
        sim_queue, simulate.SimulatedTime(clock), start=start, end=start + dt.timedelta(hours=hours), seed=2026
    )
    tally: dict[str, simulate.Tally] = {}
    began = time.monotonic()
    worker = threading.Thread(target=lambda: tally.setdefault("day", day_sim.run()), name="soak-day")
    worker.start()
    while worker.is_alive():
        app.processEvents()
        time.sleep(0.005)
    played_s = time.monotonic() - began
    settle(5)
    after = _rss_mb()
    result = tally["day"]

    tickets, calls, last_call = _accounts(db, day)
    shown = windows[0].state.current.number if windows[0].state and windows[0].state.current else None
    for window in windows:
        window.close()
    settle(1)
    growth = after - before
    return {
        "engine": db.dialect,
        "windows": len(windows),
        "simulated_hours": hours,
        "played_in_s": round(played_s, 1),
        "arrivals": result.arrivals,
        "checked_in": result.checked_in,
        "calls": result.calls,
        "no_shows": result.no_shows,
        "finished": result.finished,
        "refused": result.refused[:5],
        "rss_before_mb": round(before, 1),
        "rss_after_mb": round(after, 1),
        "growth_mb": round(growth, 1),
        "growth_per_window_mb": round(growth / len(windows), 2),
        "log_errors": errors.records[:10],
        "qt_warnings": qt_problems[:10],
        "tickets_accounted": tickets == result.tickets,
        "calls_accounted": calls == result.calls,
        "display_shows_last_call": shown == last_call,
        "targets": {
            "growth_per_window_le_10mb": growth / len(windows) <= 10,
            "no_errors": not errors.records and not qt_problems,
            "every_ticket_accounted": tickets == result.tickets and calls == result.calls,
        },
    }


def run_cli(args: argparse.Namespace) -> int:
    settings = common.settings(args)
    db = common.open_database(settings)
    try:
        seed.load(db)
        rules.update(db, None, {"checkin_hours": "allow", "no_show_after_seconds": 0})  # any hour
        out = run(db, args.hours)
    finally:
        db.dispose()
    out["database"] = safe_url(settings.db_url)
    out["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "date": dt.datetime.now(dt.UTC).date().isoformat(),
    }
    if args.save:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"{args.save}.json").write_text(json.dumps(out, indent=2, default=str) + "\n")
    if args.json:
        print(json.dumps(out, default=str))
    else:
        print(
            f"{out['engine']}: {out['arrivals']} arrivals, {out['calls']} calls, {out['finished']} finished in "
            f"{out['played_in_s']} s; memory {out['rss_before_mb']} -> {out['rss_after_mb']} MB "
            f"({out['growth_per_window_mb']} MB per window); "
            f"errors {len(out['log_errors']) + len(out['qt_warnings'])}; "
            f"tickets accounted {out['tickets_accounted']}, calls accounted {out['calls_accounted']}, "
            f"display shows the last call {out['display_shows_last_call']}"
        )
    return 0 if all(out["targets"].values()) else 1

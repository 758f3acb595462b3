"""Benchmark: the station window with a long history and a long queue.

    counter-desk --db URL bench station-window [--history 100000] [--waiting 500] [--save NAME] [--json]

Fills the database (once; it is reused when already filled) with ``--history`` finished tickets of past days,
each with its three events, and ``--waiting`` tickets waiting for the interview today. Then, in this process,
offscreen:

- ``usable_ms``: from creating the interview booth's window to its first snapshot on screen;
- ``refresh_ms``: a full refresh of the queue view after a change (another booth called the head, reception added
  one at the end): read on the worker + the model merging the rows + repaint, median and max over 20 refreshes
  with 500 waiting;
- ``stall_ms``: the longest gap between ticks of a 5 ms GUI-thread timer while the booth calls and finishes 50
  applicants (a database call on the GUI thread would show up here).

Targets (issue #3): usable <= 1.5 s with 100,000 past tickets; refresh <= 50 ms with 500 waiting; no GUI-thread
stall over 100 ms while calling.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text, update

from counter_desk.cli import common
from counter_desk.clock import SystemClock, office_day
from counter_desk.services import rules, seed
from counter_desk.services.queue import QueueService
from counter_desk.store.engine import Database
from counter_desk.store.models import Category, Counter, Event, Office, Stage, Station, Ticket, TicketCounter

RESULTS = Path(__file__).parent / "results"


def _fill_history(db: Database, history: int) -> int:
    """Past days' finished tickets with their events (checked_in, called, finished); returns how many added."""
    with db.write() as s:
        have = s.scalar(select(func.count()).select_from(Ticket)) or 0
        if have >= history:
            return 0
        office = s.scalars(select(Office)).one()
        booked = s.scalars(select(Category).where(Category.code == "booked")).one()
        stage = s.scalars(select(Stage).where(Stage.code == "interview")).one()
        station = s.scalars(select(Station).where(Station.code == "interview-1")).one()
        seq = s.scalar(select(Counter.value).where(Counter.name == "events")) or 0
        today = office_day(SystemClock().now(), office.timezone)
        per_day = 250
        tickets, events = [], []
        base_id = int(s.scalar(select(func.max(Ticket.id))) or 0)
        for i in range(history - have):
            day = today - dt.timedelta(days=1 + i // per_day)
            n = i % per_day + 1
            at = dt.datetime.combine(day, dt.time(1, 0), tzinfo=dt.UTC) + dt.timedelta(minutes=n)
            tid = base_id + i + 1
            tickets.append(
                {
                    "id": tid,
                    "office_id": office.id,
                    "day": day,
                    "prefix": "A",
                    "seq": n,
                    "number": f"A-{n:03d}",
                    "category_id": booked.id,
                    "booking_id": None,
                    "stage_id": stage.id,
                    "station_id": None,
                    "status": "done",
                    "priority_level": 0,
                    "front": False,
                    "queue_key": at,
                    "created_at": at,
                    "queued_at": at,
                    "called_at": at,
                    "started_at": at,
                    "finished_at": at,
                    "no_show_at": None,
                    "call_count": 1,
                    "outcome": None,
                    "updated_at": at,
                }
            )
            for kind, before, after in (
                ("checked_in", None, "waiting"),
                ("called", "waiting", "called"),
                ("finished", "called", "done"),
            ):
                seq += 1
                events.append(
                    {
                        "seq": seq,
                        "office_id": office.id,
                        "kind": kind,
                        "ticket_id": tid,
                        "number": f"A-{n:03d}",
                        "from_status": before,
                        "to_status": after,
                        "stage_id": stage.id,
                        "station_id": station.id if kind != "checked_in" else None,
                        "user_id": None,
                        "reason": None,
                        "data": {},
                        "created_at": at,
                    }
                )
        for start in range(0, len(tickets), 5000):
            s.execute(insert(Ticket), tickets[start : start + 5000])
        for start in range(0, len(events), 15000):
            s.execute(insert(Event), events[start : start + 15000])
        s.execute(update(Counter).values(value=seq))
        if db.dialect == "postgresql":  # explicit ids were inserted: move the id sequence past them
            s.execute(text("SELECT setval(pg_get_serial_sequence('tickets', 'id'), (SELECT max(id) FROM tickets))"))
        days = {t["day"] for t in tickets}
        for ticket_day in days:
            count = sum(1 for t in tickets if t["day"] == ticket_day)
            s.execute(insert(TicketCounter).values(office_id=office.id, day=ticket_day, prefix="A", value=count))
        return len(tickets)


def _fill_queue(db: Database, waiting: int) -> None:
    queue = QueueService(db)
    have = len(queue.status(stage="interview").waiting)
    for _ in range(waiting - have):
        queue.check_in(walk_in="lost")


def _analyze(db: Database) -> None:
    """Fresh planner statistics after the bulk fill, as autovacuum would gather them in an office running for days:
    stale ones (taken half-way through the fill) make PostgreSQL scan all 100,000 tickets for the waiting queue."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE")


def _gaps_while_calling(window: Any, wait_for: Callable[[Any], None]) -> list[float]:
    """The gaps (ms) between ticks of a 5 ms GUI-thread timer while the booth calls and finishes 50 applicants:
    a database call (or any long work) on the GUI thread shows up as a long gap."""
    from PySide6.QtCore import QElapsedTimer, QTimer

    gaps: list[float] = []
    clock = QElapsedTimer()
    clock.start()
    last = [clock.elapsed()]

    def beat() -> None:
        now = clock.elapsed()
        gaps.append(now - last[0])
        last[0] = now

    ticker = QTimer(interval=5)
    ticker.timeout.connect(beat)
    ticker.start()
    for _ in range(50):
        window.call_next()
        wait_for(window.acted)
        window.finish()
        wait_for(window.acted)
    ticker.stop()
    ticker.deleteLater()
    return gaps


def run(db: Database, history: int, waiting: int) -> dict[str, Any]:
    from PySide6.QtCore import QEventLoop, QTimer

    from counter_desk.services.desk import Desk
    from counter_desk.views.app import application
    from counter_desk.views.station import StationWindow

    added = _fill_history(db, history)
    _fill_queue(db, waiting)
    _analyze(db)
    app = application("id")

    def wait_for(signal: Any, timeout_ms: int = 30000) -> None:
        loop = QEventLoop()
        signal.connect(loop.quit)
        guard = QTimer(singleShot=True, interval=timeout_ms)
        guard.timeout.connect(loop.quit)
        guard.start()
        loop.exec()
        guard.stop()
        signal.disconnect(loop.quit)

    start = time.perf_counter()
    window = StationWindow(Desk(db), "interview-3", live=False)
    window.show()
    wait_for(window.refreshed)
    usable_ms = (time.perf_counter() - start) * 1000
    rows = window.model.rowCount()

    # Each timed refresh follows a real change, as a live refresh does: another booth takes the head of the queue
    # and reception adds one at the end (untimed; the queue stays at --waiting).
    queue = QueueService(db)
    refreshes = []
    for _ in range(20):
        queue.call_next("interview-1")
        queue.finish("interview-1")
        queue.check_in(walk_in="lost")
        t0 = time.perf_counter()
        window.refresh()
        wait_for(window.refreshed)
        window.queue_view.viewport().repaint()
        refreshes.append((time.perf_counter() - t0) * 1000)

    gaps = _gaps_while_calling(window, wait_for)
    window.close()
    window.deleteLater()
    app.processEvents()
    return {
        "benchmark": "station-window",
        "engine": db.dialect,
        "history_tickets_added": added,
        "history": history,
        "waiting": rows,
        "usable_ms": round(usable_ms, 1),
        "refresh_median_ms": round(statistics.median(refreshes), 1),
        "refresh_max_ms": round(max(refreshes), 1),
        "stall_max_ms": round(max(gaps), 1) if gaps else None,
        "targets": {
            "usable_le_1500_ms": usable_ms <= 1500,
            "refresh_le_50_ms": statistics.median(refreshes) <= 50,
            "stall_le_100_ms": bool(gaps) and max(gaps) <= 100,
        },
    }


def run_cli(args: argparse.Namespace) -> int:
    settings = common.settings(args)
    db = common.open_database(settings)
    with db.read() as s:
        if s.scalar(select(func.count()).select_from(Office)) == 0:
            seed.load(db)
            rules.update(db, None, {"checkin_hours": "allow", "no_show_after_seconds": 0})  # any hour
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    result = run(db, args.history, args.waiting)
    result["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    if args.save:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"{args.save}.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"{result['engine']}: usable {result['usable_ms']} ms with {history_text(result)}; "
            f"refresh median {result['refresh_median_ms']} ms (max {result['refresh_max_ms']}) with "
            f"{result['waiting']} waiting; longest GUI stall {result['stall_max_ms']} ms"
        )
    return 0


def history_text(result: dict[str, Any]) -> str:
    return f"{result['history']} past tickets"

"""Benchmark: the supervisor's dashboard and the 30-day report over a long history.

    python bench/dashboard.py --db URL [--days 30] [--tickets 100000] [--today 300] [--save NAME] [--json]

Fills the database (once; reused when already filled) with ``--tickets`` tickets spread over the ``--days`` days
before today, and ``--today`` tickets today, each with a full passage through the office written as bulk INSERTs:
``checked_in`` -> ``called`` -> ``recalled`` (one in three) -> ``started`` -> ``transferred`` to adjudication ->
``called`` -> ``finished`` at the adjudicator (6-7 events a ticket: 600,000+ events for 100,000 tickets). Then:

- ``dashboard_ms``: :func:`counter_desk.services.dashboard.snapshot` of today, median and max of 20 reads;
- ``report_ms``: :func:`counter_desk.services.reports.build` over the ``--days`` days, median of 3;
- ``pdf_ms`` / ``csv_ms``: rendering that report as the A4 PDF and as CSV.

Targets (issue #6): dashboard refresh <= 100 ms; a 30-day report over 100,000 tickets <= 5 s.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, update

from counter_desk.clock import SystemClock, office_day
from counter_desk.services import dashboard, reports, seed
from counter_desk.store import migrate
from counter_desk.store.engine import Database
from counter_desk.store.models import Category, Counter, Event, Office, Stage, Station, Ticket, TicketCounter, User

RESULTS = Path(__file__).parent / "results"
CHUNK = 20_000


def _fill(db: Database, days: int, history: int, today_count: int) -> dict[str, int]:
    """Insert the history and today's tickets unless the database already holds them."""
    with db.write() as s:
        have = int(s.scalar(select(func.count()).select_from(Ticket)) or 0)
        office = s.scalars(select(Office)).first()
    if office is None:
        seed.load(db)
    if have >= history + today_count:
        return {"tickets_added": 0, "events_added": 0}
    with db.write() as s:
        office = s.scalars(select(Office)).one()
        tz = ZoneInfo(office.timezone)
        booked = s.scalars(select(Category).where(Category.code == "booked")).one()
        stages = {st.code: st.id for st in s.scalars(select(Stage))}
        stations = {st.code: st.id for st in s.scalars(select(Station))}
        users = [u.id for u in s.scalars(select(User))]
        seq = int(s.scalar(select(Counter.value).where(Counter.name == "events")) or 0)
        next_id = int(s.scalar(select(func.max(Ticket.id))) or 0) + 1
    today = office_day(SystemClock().now(), office.timezone)
    plan = [(today - dt.timedelta(days=1 + i % days), i // days + 1) for i in range(history)]
    plan += [(today, n + 1) for n in range(today_count)]
    booths = [stations[f"interview-{k}"] for k in range(1, 5)]
    tickets: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    counters: dict[dt.date, int] = {}
    for i, (day, n) in enumerate(plan):
        tid = next_id + i
        start = dt.datetime.combine(day, dt.time(7, 30), tzinfo=tz) + dt.timedelta(seconds=(n * 7) % 30000)
        booth = booths[i % 4]
        user = users[i % len(users)]
        times = [start + dt.timedelta(seconds=x) for x in (0, 600 + i % 900, 660, 700, 1300, 2500, 3100)]
        number = f"A-{n:03d}" if n < 1000 else f"A-{n}"
        counters[day] = max(counters.get(day, 0), n)
        tickets.append(
            {
                "id": tid,
                "office_id": office.id,
                "day": day,
                "prefix": "A",
                "seq": n,
                "number": number,
                "category_id": booked.id,
                "booking_id": None,
                "stage_id": stages["adjudication"],
                "station_id": None,
                "status": "done",
                "priority_level": 0,
                "front": False,
                "queue_key": start,
                "created_at": start,
                "queued_at": times[4],
                "called_at": times[5],
                "started_at": None,
                "finished_at": times[6],
                "no_show_at": None,
                "call_count": 1,
                "outcome": "approved",
                "updated_at": times[6],
            }
        )
        steps = [
            ("checked_in", None, "waiting", "interview", None, times[0]),
            ("called", "waiting", "called", "interview", booth, times[1]),
        ]
        if i % 3 == 0:
            steps.append(("recalled", "called", "called", "interview", booth, times[2]))
        steps += [
            ("started", "called", "serving", "interview", booth, times[3]),
            ("transferred", "serving", "waiting", "adjudication", booth, times[4]),
            ("called", "waiting", "called", "adjudication", stations["adjudicator"], times[5]),
            ("finished", "called", "done", "adjudication", stations["adjudicator"], times[6]),
        ]
        for kind, before, after, stage, station, at in steps:
            seq += 1
            events.append(
                {
                    "seq": seq,
                    "office_id": office.id,
                    "kind": kind,
                    "ticket_id": tid,
                    "number": number,
                    "from_status": before,
                    "to_status": after,
                    "stage_id": stages[stage],
                    "station_id": station,
                    "user_id": user,
                    "reason": None,
                    "data": {},
                    "created_at": at,
                }
            )
    with db.write() as s:
        for k in range(0, len(tickets), CHUNK):
            s.execute(insert(Ticket), tickets[k : k + CHUNK])
        for k in range(0, len(events), CHUNK):
            s.execute(insert(Event), events[k : k + CHUNK])
        s.execute(update(Counter).where(Counter.name == "events").values(value=seq))
        for day, value in counters.items():
            s.execute(insert(TicketCounter).values(office_id=office.id, day=day, prefix="A", value=value))
    if db.dialect == "postgresql":
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    else:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    return {"tickets_added": len(tickets), "events_added": len(events)}


def run(db: Database, days: int, history: int, today_count: int) -> dict[str, Any]:
    filled = _fill(db, days, history, today_count)
    with db.read() as s:
        tickets = int(s.scalar(select(func.count()).select_from(Ticket)) or 0)
        n_events = int(s.scalar(select(func.count()).select_from(Event)) or 0)
    dashboard.snapshot(db)  # warm: connections, statement caches
    times = []
    for _ in range(20):
        t0 = time.perf_counter()
        d = dashboard.snapshot(db)
        times.append((time.perf_counter() - t0) * 1000)
    today = d.day
    first, last = today - dt.timedelta(days=days), today - dt.timedelta(days=1)
    report_times = []
    for _ in range(3):
        t0 = time.perf_counter()
        r = reports.build(db, first, last)
        report_times.append((time.perf_counter() - t0) * 1000)
    from counter_desk.services import report_pdf

    t0 = time.perf_counter()
    pdf = report_pdf.render(r)
    pdf_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    buffer = io.StringIO()
    csv.writer(buffer).writerows(r.csv_rows())
    csv_ms = (time.perf_counter() - t0) * 1000
    dashboard_median = round(statistics.median(times), 1)
    report_median = round(statistics.median(report_times), 1)
    result = {
        "engine": db.dialect,
        "tickets": tickets,
        "events": n_events,
        **filled,
        "today_tickets": d.issued_today,
        "report_days": days,
        "report_tickets": r.tickets,
        "dashboard_ms": {"median": dashboard_median, "max": round(max(times), 1)},
        "report_ms": {"median": report_median, "max": round(max(report_times), 1)},
        "pdf_ms": round(pdf_ms, 1),
        "pdf_bytes": len(pdf),
        "csv_ms": round(csv_ms, 1),
    }
    result["targets"] = {
        "dashboard_refresh_le_100ms": dashboard_median <= 100,
        "report_30_days_100k_tickets_le_5s": report_median <= 5000,
    }
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, metavar="URL")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--today", type=int, default=300)
    parser.add_argument("--save", metavar="NAME")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    db = Database.connect(args.db)
    migrate.upgrade(db)
    load_before = os.getloadavg()[0]
    result = run(db, args.days, args.tickets, args.today)
    # The machine is shared: the figures mean little without how busy it was.
    result["load_average_1m"] = {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)}
    db.dispose()
    if args.save:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=False).stdout
        result["machine"] = {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "commit": commit.strip(),
        }
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"{args.save}.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

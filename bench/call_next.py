"""Benchmark ``call_next``: N stations of one stage, each an OS process, call and finish as fast as they can.

Run it through the CLI (``counter-desk --db URL bench call-next --stations 7 --seconds 10 [--json] [--save NAME]``).
It prepares its own office (code ``bench``: one stage, N stations, loaded from a modified copy of the reference
seed file; loading is an upsert, so the benchmark can run again and again on the same database), keeps the
stage's queue between :data:`REFILL_BELOW` and :data:`DEPTH` waiting tickets (bulk INSERTs with their counters
and ``checked_in`` events, as reception would add them), releases the station processes together and lets each
loop ``call_next`` + ``finish`` for S seconds, timing every call with :func:`time.perf_counter`.

It reports claims/s, call latency (p50, p99, max), errors, "database is locked" errors, and double claims counted
with SQL in the event log (tickets of the bench office with more than one ``called`` event). See bench/README.md.

``--floor`` runs the same race with the least a call can cost instead of ``QueueService``: the engine's own claim
statement and event append (:data:`counter_desk.services.queue._CLAIM`, :func:`append_event`) in one write
transaction, with no lookups, checks, rules, idempotency or ORM objects. It is not a way to run an office; it
measures what the database and the machine allow, so the real figures can be read against it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import math
import multiprocessing
import os
import platform
import queue as stdlib_queue
import re
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter as Tally
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from counter_desk.cli import common
from counter_desk.clock import office_day
from counter_desk.errors import EmptyQueue, InvalidInput
from counter_desk.services import seed
from counter_desk.services.queue import _CLAIM, QueueService
from counter_desk.store.engine import Database, safe_url
from counter_desk.store.journal import EVENT_COUNTER, append_event
from counter_desk.store.models import Counter, Event, Office, Stage, Station, Ticket, TicketCounter

OFFICE = "bench"
STAGE = "bench"
#: (category code, number prefix, priority level, share of the tickets): a mix, so the call order matters.
CATEGORIES = [("bench-booked", "BA", 0, 0.7), ("bench-lost", "BH", 5, 0.2), ("bench-priority", "BP", 10, 0.1)]
#: Waiting tickets kept in the stage's queue: topped up to DEPTH whenever it falls below REFILL_BELOW.
DEPTH = 1000
REFILL_BELOW = 600
REFILL_POLL_S = 0.05
#: How many error messages the report quotes.
QUOTED_ERRORS = 5
RESULTS = Path(__file__).resolve().parent / "results"
TARGETS = {
    "postgresql": {"p99_ms": 10.0, "claims_per_s": 500.0},
    "sqlite": {"p99_ms": 50.0},
}


def station_code(i: int) -> str:
    return f"bench-{i}"


# -- the bench office -------------------------------------------------------------------------------------------


def bench_office(stations: int) -> dict[str, Any]:
    """The reference office, changed into the bench office: one stage, ``stations`` stations, no users."""
    data = seed.reference_data()
    data["office"] |= {"code": OFFICE, "name": "Benchmark office (counter-desk bench call-next)"}
    interview = next(s for s in data["stages"] if s["code"] == "interview")
    data["stages"] = [interview | {"code": STAGE, "name": "Bangku uji", "name_en": "Bench", "position": 1}]
    data["stations"] = [
        {"code": station_code(i), "stage": STAGE, "name": f"Bangku {i}", "name_en": f"Bench {i}"}
        for i in range(1, stations + 1)
    ]
    data["categories"] = [
        {
            "code": code,
            "name": code,
            "name_en": code,
            "prefix": prefix,
            "priority_level": level,
            "walk_in": True,
            "start_stage": STAGE,
        }
        for code, prefix, level, _ in CATEGORIES
    ]
    data.pop("users", None)  # usernames are unique across offices
    return data


def prepare_office(db: Database, stations: int) -> dict[str, Any]:
    """Create or update the bench office; free any station a previous, interrupted run left holding a ticket."""
    seed.load_data(db, bench_office(stations))
    with db.read() as s:
        office = s.scalars(select(Office).where(Office.code == OFFICE)).one()
        stage_id = s.scalars(select(Stage.id).where(Stage.office_id == office.id, Stage.code == STAGE)).one()
        categories = {
            row.prefix: (row.id, row.priority_level)
            for row in s.execute(
                text("SELECT id, prefix, priority_level FROM categories WHERE office_id = :o"), {"o": office.id}
            )
        }
        held = list(
            s.scalars(
                select(Station.code)
                .join(Ticket, Ticket.station_id == Station.id)
                .where(Station.office_id == office.id, Ticket.status.in_(["called", "serving"]))
            )
        )
    service = QueueService(db, office=OFFICE)
    for code in held:
        service.finish(code, reason="freed by the benchmark before a run")
    return {"office_id": office.id, "timezone": office.timezone, "stage_id": stage_id, "categories": categories}


def _insert_counter(db: Database) -> Any:
    return postgresql.insert if db.dialect == "postgresql" else sqlite.insert


def _prefix_of(k: int) -> str:
    """Deterministic mix: ticket ``k`` of a run gets the category whose share covers (k * golden ratio) mod 1."""
    u = (k * 0.6180339887) % 1.0
    acc = 0.0
    for _, prefix, _, share in CATEGORIES:
        acc += share
        if u < acc:
            return prefix
    return CATEGORIES[-1][1]


def add_tickets(db: Database, bench: dict[str, Any], count: int, start: int = 0) -> None:
    """Check ``count`` walk-ins into the bench stage in one transaction: numbers, tickets and their events.

    What check-in does one ticket at a time, in bulk: the day's number counter advanced by the batch (gap-free),
    the tickets inserted, then the event counter advanced and one ``checked_in`` event per ticket recorded
    (last, so the event counter's row lock is held briefly -- claims wait for it too).
    """
    now = dt.datetime.now(dt.UTC)
    day = office_day(now, bench["timezone"])
    plan = [_prefix_of(k) for k in range(start, start + count)]
    picks = Tally(plan)
    with db.write() as s:
        last: dict[str, int] = {}
        for prefix, n in picks.items():
            key = {"office_id": bench["office_id"], "day": day, "prefix": prefix}
            s.execute(_insert_counter(db)(TicketCounter).values(**key, value=0).on_conflict_do_nothing())
            last[prefix] = s.execute(
                update(TicketCounter)
                .where(
                    TicketCounter.office_id == key["office_id"],
                    TicketCounter.day == day,
                    TicketCounter.prefix == prefix,
                )
                .values(value=TicketCounter.value + n)
                .returning(TicketCounter.value)
            ).scalar_one()
        seqs = {prefix: last[prefix] - n for prefix, n in picks.items()}
        rows = []
        for i, prefix in enumerate(plan):
            seqs[prefix] += 1
            category_id, level = bench["categories"][prefix]
            rows.append(
                {
                    "office_id": bench["office_id"],
                    "day": day,
                    "prefix": prefix,
                    "seq": seqs[prefix],
                    "number": f"{prefix}-{seqs[prefix]:03d}",
                    "category_id": category_id,
                    "booking_id": None,
                    "stage_id": bench["stage_id"],
                    "station_id": None,
                    "status": "waiting",
                    "priority_level": level,
                    "front": False,
                    "queue_key": now + dt.timedelta(microseconds=i),
                    "created_at": now,
                    "queued_at": now,
                    "updated_at": now,
                    "call_count": 0,
                }
            )
        made = s.execute(insert(Ticket).returning(Ticket.id, Ticket.number, sort_by_parameter_order=True), rows).all()
        top = s.execute(
            update(Counter)
            .where(Counter.name == EVENT_COUNTER)
            .values(value=Counter.value + len(made))
            .returning(Counter.value)
        ).scalar_one()
        first = top - len(made) + 1
        s.execute(
            insert(Event),
            [
                {
                    "seq": first + i,
                    "office_id": bench["office_id"],
                    "kind": "checked_in",
                    "ticket_id": ticket_id,
                    "number": number,
                    "from_status": None,
                    "to_status": "waiting",
                    "stage_id": bench["stage_id"],
                    "station_id": None,
                    "user_id": None,
                    "reason": None,
                    "data": {"walk_in": "bench"},
                    "created_at": now,
                }
                for i, (ticket_id, number) in enumerate(made)
            ],
        )


def waiting(db: Database, stage_id: int) -> int:
    with db.read() as s:
        return int(
            s.scalar(
                select(func.count()).select_from(Ticket).where(Ticket.stage_id == stage_id, Ticket.status == "waiting")
            )
            or 0
        )


# -- one station per process ------------------------------------------------------------------------------------


class _Claimed:
    def __init__(self, ticket_id: int) -> None:
        self.ticket = self
        self.id = ticket_id


class FloorStation:
    """The floor: a station calling with nothing but the claim statement and the event append (see ``--floor``)."""

    def __init__(self, db: Database, station: str) -> None:
        self.db = db
        with db.read() as s:
            row = s.execute(
                select(Station.id, Station.stage_id, Station.office_id)
                .join(Office, Office.id == Station.office_id)
                .where(Office.code == OFFICE, Station.code == station)
            ).one()
        self.station_id, self.stage_id, self.office_id = row
        self.held: tuple[int, str] | None = None

    def call_next(self, _station: str) -> _Claimed:
        now = dt.datetime.now(dt.UTC)
        with self.db.write() as session:
            values = {"p_stage": self.stage_id, "p_station": self.station_id, "p_now": now}
            row = session.connection().execute(_CLAIM, values).one_or_none()
            if row is None:
                raise EmptyQueue("nobody is waiting")
            self._event(session, "called", (row.id, row.number), ("waiting", "called"), now)
        self.held = (row.id, row.number)
        return _Claimed(row.id)

    def finish(self, _station: str) -> None:
        assert self.held is not None
        ticket_id, number = self.held
        now = dt.datetime.now(dt.UTC)
        with self.db.write() as session:
            session.connection().execute(
                update(Ticket)
                .where(Ticket.id == ticket_id)
                .values(status="done", station_id=None, finished_at=now, updated_at=now)
            )
            self._event(session, "finished", (ticket_id, number), ("called", "done"), now)
        self.held = None

    def _event(self, session: Any, kind: str, ticket: tuple[int, str], change: tuple[str, str], now: Any) -> None:
        append_event(
            session,
            office_id=self.office_id,
            kind=kind,
            at=now,
            ticket_id=ticket[0],
            number=ticket[1],
            from_status=change[0],
            to_status=change[1],
            stage_id=self.stage_id,
            station_id=self.station_id,
        )


def station_process(url: str, station: str, seconds: float, barrier: Any, results: Any, *, floor: bool = False) -> None:
    """Loop call_next + finish for ``seconds`` after the start line; report latencies, claims and errors."""
    out: dict[str, Any] = {
        "station": station,
        "call_ms": [],
        "finish_ms": [],
        "claimed": [],
        "warmup": [],
        "empty": 0,
        "errors": [],
        "error_count": 0,
        "locked": 0,
        "elapsed": 0.0,
    }

    def error(where: str, exc: BaseException) -> None:
        message = f"{where}: {type(exc).__name__}: {exc}"
        out["error_count"] += 1
        out["locked"] += _is_locked(message)
        if len(out["errors"]) < QUOTED_ERRORS:
            out["errors"].append(message[:500])

    db = None
    try:
        db = Database.connect(url)
        service: Any = FloorStation(db, station) if floor else QueueService(db, office=OFFICE)
        # Untimed warm-up: connect, fill SQLAlchemy's statement caches, as a station does at the start of the day.
        try:
            out["warmup"].append(service.call_next(station).ticket.id)
            service.finish(station)
        except EmptyQueue:
            pass
        barrier.wait(timeout=120)
        clock = time.perf_counter
        started = clock()
        deadline = started + seconds
        while clock() < deadline:
            t0 = clock()
            try:
                claimed = service.call_next(station)
            except EmptyQueue:
                out["empty"] += 1
                time.sleep(0.001)
                continue
            except Exception as exc:  # noqa: BLE001 - counted and quoted in the report
                error("call_next", exc)
                continue
            t1 = clock()
            out["call_ms"].append((t1 - t0) * 1000)
            out["claimed"].append(claimed.ticket.id)
            for _ in range(2):
                try:
                    service.finish(station)
                    break
                except Exception as exc:  # noqa: BLE001
                    error("finish", exc)
            out["finish_ms"].append((clock() - t1) * 1000)
        out["elapsed"] = clock() - started
    except Exception as exc:  # noqa: BLE001 - the parent reports it
        error("process", exc)
    finally:
        if db is not None:
            db.dispose()
        results.put(out)


def _is_locked(message: str) -> bool:
    """SQLite's SQLITE_BUSY / SQLITE_LOCKED, as the driver words them, or the program's DatabaseBusy."""
    lowered = message.lower()
    return any(words in lowered for words in ("database is locked", "database table is locked", "database is busy"))


def _importable_self() -> Any:
    """This file as a module a spawned child can import by name (the CLI loads it under a private name)."""
    here = Path(__file__).resolve()
    if str(here.parent) not in sys.path:
        sys.path.insert(0, str(here.parent))  # spawn hands the parent's sys.path to its children
    module = importlib.import_module(here.stem)
    if Path(module.__file__ or "").resolve() != here:
        msg = f"another module named {here.stem!r} shadows {here}"
        raise RuntimeError(msg)
    return module


# -- the run ----------------------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100) of ``values``; None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _engine_info(db: Database) -> dict[str, Any]:
    with db.read() as s:
        if db.dialect == "postgresql":
            names = ("server_version", "fsync", "synchronous_commit", "max_connections", "shared_buffers")
            return {n: s.execute(text(f"SHOW {n}")).scalar_one() for n in names}
        return {
            "sqlite_version": sqlite3.sqlite_version,
            "journal_mode": s.execute(text("PRAGMA journal_mode")).scalar_one(),
            "synchronous": s.execute(text("PRAGMA synchronous")).scalar_one(),
            "busy_timeout_ms": s.execute(text("PRAGMA busy_timeout")).scalar_one(),
        }


def _double_claims(db: Database, office_id: int, after_seq: int) -> dict[str, int]:
    """Tickets of the bench office with more than one ``called`` event: ever, and among this run's calls."""
    query = (
        "SELECT count(*) FROM (SELECT ticket_id FROM events WHERE office_id = :o AND kind = 'called'"
        " AND seq > :after GROUP BY ticket_id HAVING count(*) > 1) AS doubles"
    )
    with db.read() as s:
        ever = s.execute(text(query), {"o": office_id, "after": 0}).scalar_one()
        run = s.execute(text(query), {"o": office_id, "after": after_seq}).scalar_one()
        calls = s.execute(
            text("SELECT count(*) FROM events WHERE office_id = :o AND kind = 'called' AND seq > :after"),
            {"o": office_id, "after": after_seq},
        ).scalar_one()
    return {"double_claims": int(ever), "double_claims_this_run": int(run), "db_called_events": int(calls)}


def _race(
    db: Database, url: str, bench: dict[str, Any], stations: int, seconds: float, *, floor: bool
) -> dict[str, Any]:
    """Start one process per station, release them together, keep the queue filled; collect their reports."""
    module = _importable_self()
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(stations + 1)
    results = ctx.Queue()
    procs = [
        ctx.Process(
            target=module.station_process,
            args=(url, code, seconds, barrier, results),
            kwargs={"floor": floor},
            name=code,
        )
        for code in (station_code(i) for i in range(1, stations + 1))
    ]
    for p in procs:
        p.start()
    race: dict[str, Any] = {"reports": [], "depths": [], "refills": 0, "added": 0}
    try:
        barrier.wait(timeout=120)
        # Reception keeps people coming while the stations call: top the queue up whenever it runs low.
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            depth = waiting(db, bench["stage_id"])
            race["depths"].append(depth)
            if depth < REFILL_BELOW:
                add_tickets(db, bench, DEPTH - depth, start=race["added"])
                race["added"] += DEPTH - depth
                race["refills"] += 1
            time.sleep(REFILL_POLL_S)
        for _ in procs:
            race["reports"].append(results.get(timeout=seconds + 120))
    except (stdlib_queue.Empty, threading.BrokenBarrierError) as exc:
        message = f"coordinator: {type(exc).__name__}: {exc}"
        race["reports"].append({"station": "?", "errors": [message], "error_count": 1, "locked": 0})
    finally:
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
                p.join()
    crashed = [f"{p.name}: exit code {p.exitcode}" for p in procs if p.exitcode != 0]
    if crashed:
        race["reports"].append({"station": "?", "errors": crashed, "error_count": len(crashed), "locked": 0})
    race["reports"].sort(key=lambda r: int(str(r["station"]).rpartition("-")[2]) if r["station"] != "?" else 0)
    return race


def run(db: Database, url: str, stations: int, seconds: float, *, floor: bool = False) -> dict[str, Any]:
    """Prepare, race ``stations`` processes for ``seconds``, and measure."""
    bench = prepare_office(db, stations)
    prefilled = max(0, DEPTH - waiting(db, bench["stage_id"]))
    if prefilled:
        add_tickets(db, bench, prefilled)
    with db.read() as s:
        seq_before = int(s.scalar(select(Counter.value).where(Counter.name == EVENT_COUNTER)) or 0)
    race = _race(db, url, bench, stations, seconds, floor=floor)

    reports: list[dict[str, Any]] = race["reports"]
    call_ms = [v for r in reports for v in r.get("call_ms", [])]
    finish_ms = [v for r in reports for v in r.get("finish_ms", [])]
    claimed = [i for r in reports for i in (*r.get("warmup", []), *r.get("claimed", []))]
    window = max((r.get("elapsed", 0.0) for r in reports), default=0.0) or seconds
    doubles = _double_claims(db, bench["office_id"], seq_before)
    station_p99 = [percentile(r.get("call_ms", []), 99) or 0.0 for r in reports]
    return {
        "benchmark": "call-next-floor" if floor else "call-next",
        "engine": db.dialect,
        "database": safe_url(url),
        "engine_info": _engine_info(db),
        "stations": stations,
        "seconds": seconds,
        "window_s": round(window, 3),
        "claims": len(call_ms),
        "claims_per_s": round(len(call_ms) / window, 1),
        "p50_ms": _ms(percentile(call_ms, 50)),
        "p99_ms": _ms(percentile(call_ms, 99)),
        "max_ms": _ms(max(call_ms, default=None)),
        "finish_p50_ms": _ms(percentile(finish_ms, 50)),
        "finish_p99_ms": _ms(percentile(finish_ms, 99)),
        "per_station": {
            r["station"]: {
                "claims": len(r.get("call_ms", [])),
                "p50_ms": _ms(percentile(r.get("call_ms", []), 50)),
                "p99_ms": _ms(percentile(r.get("call_ms", []), 99)),
                "max_ms": _ms(max(r.get("call_ms", []), default=None)),
            }
            for r in reports
        },
        # Percentiles over all claims weigh the stations that won most; a starved station has few samples.
        "worst_station_p99_ms": _ms(max(station_p99, default=None)),
        "errors": {
            "count": sum(r.get("error_count", 0) for r in reports),
            "first": [e for r in reports for e in r.get("errors", [])][:QUOTED_ERRORS],
        },
        "database_locked_errors": sum(r.get("locked", 0) for r in reports),
        "empty_queue": sum(r.get("empty", 0) for r in reports),
        **doubles,
        "client_double_claims": sum(1 for n in Tally(claimed).values() if n > 1),
        "claims_match_events": doubles["db_called_events"] == len(claimed),
        "queue_depth": {
            "target": DEPTH,
            "refill_below": REFILL_BELOW,
            "min": min(race["depths"], default=None),
            "max": max(race["depths"], default=None),
        },
        "tickets_added": prefilled + race["added"],
        "refills": race["refills"],
    }


def check_targets(result: dict[str, Any]) -> dict[str, bool]:
    """Which of the benchmark's targets this result meets (see bench/README.md)."""
    met = {
        "no double claims": result["double_claims"] == 0 and result["client_double_claims"] == 0,
        "no errors": result["errors"]["count"] == 0,
    }
    target = TARGETS.get(result["engine"], {})
    p99 = result["p99_ms"]
    if result["engine"] == "sqlite":
        met["no 'database is locked'"] = result["database_locked_errors"] == 0
    if "p99_ms" in target:
        met[f"p99 <= {target['p99_ms']:g} ms"] = p99 is not None and p99 <= target["p99_ms"]
    if "claims_per_s" in target:
        met[f">= {target['claims_per_s']:g} claims/s"] = result["claims_per_s"] >= target["claims_per_s"]
    return met


def code_version() -> dict[str, Any]:
    """The checkout's commit, and whether the code under test (counter_desk/, db/) had uncommitted changes."""
    repo = str(Path(__file__).resolve().parent.parent)

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", repo, *args], capture_output=True, text=True, check=False, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    status = git("status", "--porcelain", "--", "counter_desk", "db")
    return {"commit": git("rev-parse", "HEAD"), "uncommitted_changes": None if status is None else bool(status)}


def machine() -> dict[str, Any]:
    cpu = None
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(encoding="utf-8", errors="replace"), re.M)
        cpu = found.group(1).strip() if found else None
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def summary(result: dict[str, Any]) -> str:
    def ms(value: float | None) -> str:
        return "-" if value is None else f"{value:.2f} ms"

    lines = [
        (
            "FLOOR (claim statement + event append only, not the service): "
            if result["benchmark"].endswith("floor")
            else ""
        )
        + f"call-next on {result['engine']} ({result['database']}): {result['stations']} station(s), "
        f"{result['window_s']:.1f} s",
        f"  claims        {result['claims']}  ({result['claims_per_s']:.1f}/s)",
        f"  call latency  p50 {ms(result['p50_ms'])}, p99 {ms(result['p99_ms'])}, max {ms(result['max_ms'])}",
        f"  finish        p50 {ms(result['finish_p50_ms'])}, p99 {ms(result['finish_p99_ms'])}",
        "  per station   "
        + ", ".join(f"{k}: {v['claims']} (p99 {ms(v['p99_ms'])})" for k, v in result["per_station"].items()),
        f"  double claims {result['double_claims']} (SQL: tickets with more than one 'called' event)",
        f"  errors        {result['errors']['count']} ('database is locked': {result['database_locked_errors']})",
        *(f"    {e.splitlines()[0][:200]}" for e in result["errors"]["first"]),
        f"  empty queue   {result['empty_queue']} times (queue kept at {REFILL_BELOW}..{DEPTH} waiting)",
        "  targets       "
        + ", ".join(f"{name}: {'met' if ok else 'MISSED'}" for name, ok in result["targets"].items()),
    ]
    return "\n".join(lines)


def _save(name: str, result: dict[str, Any], command: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    saved = {**result, "machine": machine(), "code": code_version(), "command": command}
    (RESULTS / f"{name}.json").write_text(json.dumps(saved, indent=2) + "\n", encoding="utf-8")


def _load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def compare(db: Database, url: str, stations: int, seconds: float, rounds: int) -> dict[str, Any]:
    """The service and the floor in one run: ``rounds`` pairs, the order flipped every round (service first,
    then floor first) so a machine getting busier or quieter weighs on both alike. Medians, and the ratio."""
    runs: list[dict[str, Any]] = []
    for i in range(rounds):
        for floor in (False, True) if i % 2 == 0 else (True, False):
            load = _load_average()
            result = run(db, url, stations, seconds, floor=floor)
            runs.append({"round": i + 1, "load_before": load, **result})
    service = [r for r in runs if r["benchmark"] == "call-next"]
    floor_runs = [r for r in runs if r["benchmark"] == "call-next-floor"]
    ratios = [s["claims_per_s"] / f["claims_per_s"] for s, f in zip(service, floor_runs, strict=True)]
    return {
        "benchmark": "call-next-compare",
        "engine": db.dialect,
        "database": safe_url(url),
        "stations": stations,
        "seconds": seconds,
        "rounds": rounds,
        "service_claims_per_s": [r["claims_per_s"] for r in service],
        "floor_claims_per_s": [r["claims_per_s"] for r in floor_runs],
        "service_median": statistics.median(r["claims_per_s"] for r in service),
        "floor_median": statistics.median(r["claims_per_s"] for r in floor_runs),
        "ratio_per_round": [round(x, 3) for x in ratios],
        "ratio_of_medians": round(
            statistics.median(r["claims_per_s"] for r in service)
            / statistics.median(r["claims_per_s"] for r in floor_runs),
            3,
        ),
        "median_ratio": round(statistics.median(ratios), 3),
        "service_p50_ms": statistics.median(r["p50_ms"] for r in service),
        "floor_p50_ms": statistics.median(r["p50_ms"] for r in floor_runs),
        "double_claims": max(r["double_claims"] for r in runs),
        "client_double_claims": sum(r["client_double_claims"] for r in runs),
        "errors": sum(r["errors"]["count"] for r in runs),
        "runs": runs,
    }


def compare_summary(result: dict[str, Any]) -> str:
    lines = [
        f"call-next service vs --floor on {result['engine']} ({result['database']}): {result['stations']} stations,"
        f" {result['rounds']} rounds of {result['seconds']:g} s each",
        f"  service claims/s  {result['service_claims_per_s']}  median {result['service_median']:.1f}",
        f"  floor claims/s    {result['floor_claims_per_s']}  median {result['floor_median']:.1f}",
        f"  ratio per round   {result['ratio_per_round']}  median {result['median_ratio']:.2f},"
        f" of the medians {result['ratio_of_medians']:.2f}",
        f"  double claims {result['double_claims']} (client: {result['client_double_claims']}),"
        f" errors {result['errors']}",
    ]
    return "\n".join(lines)


def compare_cli(args: argparse.Namespace) -> int:
    if args.floor:
        msg = "--compare runs the floor itself: leave out --floor"
        raise InvalidInput(msg)
    settings = common.settings(args)
    db = common.open_database(settings)
    try:
        result = compare(db, settings.db_url, args.stations, args.seconds, args.compare)
    finally:
        db.dispose()
    if args.save is not None:
        command = (
            f"counter-desk --db {safe_url(settings.db_url)} bench call-next"
            f" --stations {args.stations} --seconds {args.seconds:g} --compare {args.compare} --save {args.save}"
        )
        _save(args.save, result, command)
    print(json.dumps(result) if args.json else compare_summary(result))
    return 1 if result["double_claims"] or result["client_double_claims"] or result["errors"] else 0


def run_cli(args: argparse.Namespace) -> int:
    if args.stations < 1:
        msg = "--stations must be at least 1"
        raise InvalidInput(msg)
    if not args.seconds > 0:
        msg = "--seconds must be more than 0"
        raise InvalidInput(msg)
    if args.save is not None and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}", args.save):
        msg = f"--save takes a plain file name (letters, digits, . _ -), not {args.save!r}"
        raise InvalidInput(msg)
    if args.compare:
        return compare_cli(args)
    settings = common.settings(args)
    db = common.open_database(settings)
    try:
        result = run(db, settings.db_url, args.stations, args.seconds, floor=args.floor)
    finally:
        db.dispose()
    result["targets"] = check_targets(result)
    if args.save is not None:
        command = (
            f"counter-desk --db {safe_url(settings.db_url)} bench call-next"
            f" --stations {args.stations} --seconds {args.seconds:g}"
            f"{' --floor' if args.floor else ''} --save {args.save}"
        )
        _save(args.save, result, command)
    print(json.dumps(result) if args.json else summary(result))
    broken = result["double_claims"] or result["client_double_claims"] or result["errors"]["count"]
    return 1 if broken else 0

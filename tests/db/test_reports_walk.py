"""The report's bulk read of the event log (services.reports._walk) against a plain walk written here, on both engines.

A seeded random office (four days of check-ins, calls in turn and by number, recalls, starts, finishes, transfers
from the queue and from the counter, returns, no-shows never put back, tickets set aside and resumed, booths
paused) is played through the real QueueService
at irregular times with microseconds, some of them exactly half a millisecond. The expected figures are then
worked out in this file from the ORM's events, ticket by ticket, with the definitions of
counter_desk.services.timeline (times in whole milliseconds as its epoch_ms reads them: the report reads them
with a cheaper expression on PostgreSQL, compared with it below), and the statistics module's mean, median and
inclusive 90th percentile. Every figure must be equal, not close.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import MONDAY
from sqlalchemy import BigInteger, func, literal, select, text
from sqlalchemy import cast as sql_cast

from counter_desk.clock import FixedClock
from counter_desk.errors import UserError
from counter_desk.services import reports
from counter_desk.services.queue import QueueService
from counter_desk.services.reports import Stats
from counter_desk.services.timeline import epoch_ms, specific_calls_query
from counter_desk.store.base import UTCDateTime
from counter_desk.store.engine import Database
from counter_desk.store.models import Event, Stage, Ticket, User

WIB = ZoneInfo("Asia/Jakarta")
DAYS = [MONDAY - dt.timedelta(days=5), MONDAY - dt.timedelta(days=4), MONDAY - dt.timedelta(days=3), MONDAY]
#: Service stations and who works there (None: nobody signed in).
DESKS = {
    "interview-1": "wawancara1",
    "interview-2": None,
    "interview-3": "wawancara1",
    "adjudicator": "ajudikator",
    "pickup": None,
}
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _play(db: Database, clock: FixedClock, seed: int, steps_per_day: int) -> None:
    """A random office: every action the services refuse (nobody waiting, wrong state, ...) is just skipped."""
    rng = random.Random(seed)
    q = QueueService(db, clock=clock)
    numbers: list[str] = []

    absent: list[str] = []

    def check_in(_desk: str, _user: str | None) -> None:
        numbers.append(q.check_in(walk_in=rng.choice(["lost", "elderly"]), station="reception-1").ticket.number)

    def no_show(desk: str, user: str | None) -> None:
        absent.append(q.no_show(desk, user=user).ticket.number)

    def comes_back(_desk: str, _user: str | None) -> None:
        q.return_to_queue(ticket=rng.choice(absent or numbers), reason="datang kembali", user="kasi")

    def pause(desk: str, user: str | None) -> None:
        if desk.startswith("interview"):  # one of several booths: the stage goes on
            q.pause_station(desk, rng.choice(["break", "prayer", "system"]), user=user)

    # (weight, action at a desk by its officer)
    actions: list[tuple[int, Callable[[str, str | None], object]]] = [
        (14, check_in),
        (30, lambda desk, user: q.call_next(desk, user=user)),
        (6, lambda desk, user: q.call(rng.choice(numbers), desk, rng.choice(["kursi roda", "lansia"]), user=user)),
        (3, lambda desk, user: q.recall(desk, user=user)),
        (12, lambda desk, user: q.start(desk, user=user)),
        (14, lambda desk, user: q.finish(desk, user=user)),
        (
            8,
            lambda desk, user: q.transfer(
                rng.choice(["adjudication", "adjudication", "pickup"]), station=desk, user=user
            ),
        ),
        (3, lambda _desk, _user: q.transfer(rng.choice(["adjudication", "interview"]), ticket=rng.choice(numbers))),
        (5, no_show),
        (4, lambda desk, user: q.return_to_queue(station=desk, position=rng.choice(["front", "end"]), user=user)),
        (3, comes_back),
        (3, lambda desk, user: q.park(desk, "fotokopi KK", user=user)),
        (3, lambda desk, user: q.resume(desk, user=user)),
        (1, pause),
        (4, lambda desk, user: q.unpause_station(desk, user=user)),
    ]
    weights = [w for w, _action in actions]
    for day in DAYS:
        now = dt.datetime.combine(day, dt.time(7, 30), tzinfo=WIB).astimezone(dt.UTC)
        numbers.clear()
        absent.clear()
        for _ in range(steps_per_day):
            micro = 500 if rng.random() < 0.15 else rng.randrange(1_000_000)
            now = now.replace(microsecond=0) + dt.timedelta(seconds=rng.randint(1, 400), microseconds=micro)
            clock.set(now)
            desk = rng.choice([*DESKS, "interview-1", "interview-2", "adjudicator"])
            _weight, action = rng.choices(actions, weights)[0] if numbers else actions[0]
            with contextlib.suppress(UserError):
                action(desk, DESKS[desk])


def _ms(when: dt.datetime) -> int:
    """Milliseconds since 1970, rounded half up, in integers only (SQLite's julianday may differ by one on a tie)."""
    micros = (when - EPOCH) // dt.timedelta(microseconds=1)
    return (micros + 500) // 1000


@dataclass
class _Expected:
    tickets: int = 0
    waits: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # stage -> (call ms, wait ms)
    services: list[tuple[int, int | None, str, int]] = field(default_factory=list)  # stage, user, kind, ms
    served: dict[int, set[int]] = field(default_factory=dict)  # stage -> tickets served there
    never_called: Counter[int] = field(default_factory=Counter)  # stage -> entries still waiting at the end
    arrivals: list[tuple[int, int]] = field(default_factory=list)  # stage, ms
    calls: Counter[tuple[int, int | None]] = field(default_factory=Counter)
    no_shows: list[tuple[int, int, int | None]] = field(default_factory=list)  # ticket, stage, user
    open_no_shows: set[int] = field(default_factory=set)
    out_of_order: list[tuple[int, int | None]] = field(default_factory=list)  # seq, user


def _expected(db: Database, first: dt.date, last: dt.date) -> _Expected:  # noqa: PLR0912 - a branch per kind
    """The definitions of counter_desk.services.timeline, one ticket at a time, from ORM objects."""
    out = _Expected()
    with db.read() as s:
        events = s.execute(
            select(Event, epoch_ms(Event.created_at, db.dialect))
            .join(Ticket, Ticket.id == Event.ticket_id)
            .where(Ticket.day >= first, Ticket.day <= last)
            .order_by(Event.ticket_id, Event.seq)
        ).all()
    by_ticket: dict[int, list[tuple[Event, int]]] = {}
    for e, at in events:
        assert e.ticket_id is not None and abs(at - _ms(e.created_at)) <= 1
        by_ticket.setdefault(e.ticket_id, []).append((e, at))
    for ticket_id, history in by_ticket.items():
        out.tickets += 1
        status = joined = held_since = started = held_stage = None
        for e, at in history:
            if e.kind == "called":
                if joined is not None:
                    out.waits.setdefault(e.stage_id, []).append((at, at - joined))  # type: ignore[arg-type]
                out.calls[e.stage_id, e.user_id] += 1  # type: ignore[index]
                if e.reason is not None and (e.data or {}).get("out_of_order", True):
                    out.out_of_order.append((e.seq, e.user_id))
                joined, held_since, started, held_stage, status = None, at, None, e.stage_id, "called"
            elif e.kind == "started":
                started, status = at, "serving"
            elif e.kind == "finished" or (e.kind == "transferred" and status in ("called", "serving")):
                begin = started if started is not None else held_since
                assert begin is not None and held_stage is not None
                out.services.append((held_stage, e.user_id, e.kind, at - begin))
                out.served.setdefault(held_stage, set()).add(ticket_id)
                status = "done"
            elif e.kind == "parked":
                status = "parked"
            elif e.kind == "resumed":
                held_since, started, held_stage, status = at, None, e.stage_id, "called"
            elif e.kind == "no_show":
                out.no_shows.append((ticket_id, e.stage_id, e.user_id))  # type: ignore[arg-type]
                status = "no_show"
            if e.kind in ("checked_in", "transferred", "returned"):
                if e.kind != "returned":
                    out.arrivals.append((e.stage_id, at))  # type: ignore[arg-type]
                if (e.data or {}).get("position") == "front":
                    out.out_of_order.append((e.seq, e.user_id))
                joined, status = at, "waiting"
        last_event = history[-1][0]
        if last_event.kind in ("checked_in", "transferred", "returned"):
            out.never_called[last_event.stage_id] += 1  # type: ignore[index]
        if status == "no_show":
            out.open_no_shows.add(ticket_id)
    return out


def _events_by_seq(db: Database, seqs: list[int]) -> list[Event]:
    with db.read() as s:
        return list(s.scalars(select(Event).where(Event.seq.in_(seqs)))) if seqs else []


def _stats(values: list[float]) -> Stats:
    if not values:
        return Stats(0, None, None, None)
    p90 = values[0] if len(values) == 1 else statistics.quantiles(values, n=10, method="inclusive")[8]
    return Stats(len(values), statistics.fmean(values), statistics.median(values), p90)


def _hour(ms: int) -> int:
    return dt.datetime.fromtimestamp(ms // 1000, WIB).hour


def _check(db: Database, clock: FixedClock, first: dt.date, last: dt.date) -> reports.Report:
    r = reports.build(db, first, last, clock=clock)
    x = _expected(db, first, last)
    with db.read() as session:
        stages = list(session.scalars(select(Stage).order_by(Stage.position)))
        names = {u.id: u.username for u in session.scalars(select(User))}

    assert r.tickets == x.tickets
    # Applicants served: tickets with a service anywhere; never below a stage's own figure.
    assert r.served == len(set().union(*x.served.values()))
    assert all(s.served <= r.served for s in r.stages)
    assert r.no_shows == len(x.no_shows)
    assert sorted((c.number, c.kind) for c in r.out_of_order) == sorted(
        (e.number, "call" if e.kind == "called" else "return" if e.kind == "returned" else "transfer")
        for e in _events_by_seq(db, [seq for seq, _user in x.out_of_order])
    )
    seen = {_hour(at) for _stage, at in x.arrivals} | {_hour(at) for w in x.waits.values() for at, _ms in w}
    assert r.hours == (list(range(min(seen), max(seen) + 1)) if seen else [])
    got = {s.code: s for s in r.stages}
    assert list(got) == [st.code for st in stages]
    for st in stages:
        s = got[st.code]
        waits = [ms / 1000 for _at, ms in x.waits.get(st.id, [])]
        services = [ms / 1000 for stage, _user, _kind, ms in x.services if stage == st.id]
        within = sum(1 for w in waits if w <= st.wait_target_minutes * 60)
        tickets_no_show = {t for t, stage, _user in x.no_shows if stage == st.id}
        assert (s.arrivals, s.calls, s.served) == (
            sum(1 for stage, _at in x.arrivals if stage == st.id),
            sum(n for (stage, _user), n in x.calls.items() if stage == st.id),
            len(x.served.get(st.id, ())),
        ), st.code
        assert (s.no_shows, s.no_shows_not_returned) == (
            sum(1 for _t, stage, _u in x.no_shows if stage == st.id),
            len(tickets_no_show & x.open_no_shows),
        ), st.code
        assert s.wait == _stats(waits), st.code
        assert s.service == _stats(services), st.code
        never = x.never_called.get(st.id, 0)
        entries = len(waits) + never
        assert (s.within_target, s.never_called, s.within_target_share) == (
            within,
            never,
            within / entries if entries else None,
        ), st.code
        assert s.arrivals_by_hour == {
            h: sum(1 for stage, at in x.arrivals if stage == st.id and _hour(at) == h) for h in r.hours
        }
        for h in r.hours:
            in_hour = [ms / 1000 for at, ms in x.waits.get(st.id, []) if _hour(at) == h]
            assert s.wait_by_hour[h] == (statistics.fmean(in_hour) if in_hour else None), (st.code, h)
    officers = {o.username: o for o in r.officers}
    users = {u for _s, u in x.calls} | {u for _s, u, _k, _ms in x.services} | {u for _t, _s, u in x.no_shows}
    users |= {u for _seq, u in x.out_of_order}
    assert set(officers) == {names[u] if u is not None else None for u in users}
    for uid in users:
        o = officers[names[uid] if uid is not None else None]
        mine = [ms / 1000 for _s, u, _k, ms in x.services if u == uid]
        assert o.calls == sum(n for (_stage, u), n in x.calls.items() if u == uid)
        assert (o.served, o.service) == (len(mine), _stats(mine))
        assert o.no_shows == sum(1 for _t, _s, u in x.no_shows if u == uid)
        assert o.out_of_order_calls == sum(1 for _seq, u in x.out_of_order if u == uid)
    return r


def test_report_equals_a_plain_walk_of_a_random_office(db: Database, clock: FixedClock) -> None:
    _play(db, clock, seed=6, steps_per_day=140)
    r = _check(db, clock, DAYS[0], DAYS[-1])
    # The random office did exercise what the report counts (else the comparison above proves little).
    print(
        "TUNE",
        r.tickets,
        [
            (s.code, s.arrivals, s.calls, s.wait.count, s.service.count, s.no_shows, s.no_shows_not_returned)
            for s in r.stages
        ],
        len(r.out_of_order),
        len(r.officers),
    )
    interview = next(s for s in r.stages if s.code == "interview")
    adjudication = next(s for s in r.stages if s.code == "adjudication")
    assert r.tickets > 60 and interview.wait.count > 40 and interview.service.count > 25
    assert adjudication.arrivals > 5 and adjudication.calls >= adjudication.arrivals and adjudication.service.count >= 5
    assert r.no_shows > 3 and 0 < sum(s.no_shows_not_returned for s in r.stages) < r.no_shows
    assert len(r.out_of_order) > 2 and len(r.officers) > 2
    assert {c.kind for c in r.out_of_order} == {"call", "return"}
    assert interview.never_called > 0 and interview.within_target_share is not None
    assert interview.pauses > 0 and interview.paused_seconds > 0
    with db.read() as s:
        kinds = set(s.scalars(select(Event.kind)))
    assert {"parked", "resumed", "station_paused", "station_resumed"} <= kinds
    # One day alone, and a range with nobody.
    _check(db, clock, DAYS[1], DAYS[1])
    empty = _check(db, clock, MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=3))
    assert (empty.tickets, empty.hours, empty.officers, empty.out_of_order) == (0, [], [], [])


@pytest.mark.parametrize(
    "when",
    [
        dt.datetime(2026, 11, 23, 1, 2, 3, 500, tzinfo=dt.UTC),  # exactly half a millisecond: rounds up
        dt.datetime(2026, 11, 23, 1, 2, 3, 499, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 23, 1, 2, 3, 999_500, tzinfo=dt.UTC),  # rounds into the next second
        dt.datetime(2026, 11, 23, 23, 59, 59, 999_999, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 23, 0, 0, 0, 0, tzinfo=dt.UTC),
        dt.datetime(2038, 1, 19, 3, 14, 7, 123_500, tzinfo=dt.UTC),
        dt.datetime(2099, 12, 31, 16, 59, 59, 987_500, tzinfo=dt.UTC),
    ],
)
def test_epoch_ms_is_exact(db: Database, when: dt.datetime) -> None:
    """The fast expression gives the exact milliseconds; on PostgreSQL also the same as exact numeric arithmetic."""
    value = literal(when, UTCDateTime())
    exact = (
        sql_cast(func.round(func.extract("epoch", value) * 1000), BigInteger)
        if db.dialect == "postgresql"
        else epoch_ms(value, db.dialect)
    )
    with db.read() as s:
        fast, numeric = s.execute(select(epoch_ms(value, db.dialect), exact)).one()
    assert fast == numeric == _ms(when)


def test_sqlite_reads_the_month_without_sorting_and_the_calls_by_number_by_index(sqlite_template: Path) -> None:
    db = Database.connect(f"sqlite:///{sqlite_template}")  # read only: EXPLAIN QUERY PLAN of the seeded template
    try:
        with db.read() as s:
            stream = reports._stream(1, MONDAY, MONDAY, "sqlite")
            calls = specific_calls_query(1, MONDAY, MONDAY)
            plans = []
            for statement in (stream, calls):
                sql = str(statement.compile(dialect=s.get_bind().dialect, compile_kwargs={"literal_binds": True}))
                plans.append(" | ".join(row[3] for row in s.execute(text("EXPLAIN QUERY PLAN " + sql))))
        assert "ix_events_ticket" in plans[0] and "TEMP B-TREE" not in plans[0], plans[0]
        assert "ix_events_reason" in plans[1], plans[1]
    finally:
        db.dispose()


def test_the_reason_index_is_partial_on_both_engines(db: Database) -> None:
    """Only events with a reason are in it: writing every other event costs nothing more."""
    with db.read() as s:
        if db.dialect == "sqlite":
            sql = s.execute(text("SELECT sql FROM sqlite_master WHERE name = 'ix_events_reason'")).scalar_one()
        else:
            sql = s.execute(text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_events_reason'")).scalar_one()
    assert "ticket_id" in sql and "reason IS NOT NULL" in sql, sql

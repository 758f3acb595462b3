"""The office's report over a range of days: what the head of section sends upward.

Everything is counted from the event log of the tickets *issued* on those days (office calendar days), with the
definitions of :mod:`counter_desk.services.timeline` (a wait, a service, an arrival); see :func:`_walk` for how a
month of events is read fast enough:

- **volume** per stage: arrivals (tickets joining its queue from outside), per stage and office-time hour;
- **waits** and **services** per stage: count, mean, median and 90th percentile in seconds. Percentiles
  interpolate linearly between the closest ranks (``statistics.quantiles(..., method="inclusive")``, NumPy's
  default): the 90th percentile of 10, 20, ..., 100 is 91;
- **served**: applicants served -- tickets with at least one completed service (finished, or passed on from a
  counter). A stage's ``served`` counts the tickets served there, the office's the tickets served anywhere, so
  the office figure is never below a stage's, and equals the interview's when everyone passes the interview;
- **no-shows**: tickets marked no-show at each stage, and how many were never put back;
- **never called**: queue entries at a stage that no call ever ended (still waiting when the report was made,
  or left waiting at the end of the day);
- **reorderings** (the out-of-order list): every change of the call order by anyone, with day, time, ticket,
  stage, station, officer and the reason recorded: calls by ticket number that skipped someone waiting before
  (``data.out_of_order``), and tickets put back or moved to the *front* of a queue (a supervisor's release or
  reopening, or a move "to the front" by transfer -- so moving a ticket away and back to the front shows);
- **per officer**: calls, services (finished or passed on), no-shows marked, reorderings, and the mean service
  time; actions without a signed-in user are counted under ``None``;
- **within target**: the share of a stage's queue entries called within its ``wait_target_minutes``; an entry
  never called counts as *not* within target (someone who waited all day and was never called must not improve
  the figure), so the share is ``within_target / (wait_count + never_called)``;
- **pauses**: how often a stage's booths were paused (break, prayer, system trouble) and for how long in all.

CSV (``Report.csv_rows``, written by ``counter-desk report --csv FILE``): UTF-8, comma-separated, one header
line, then one row per figure in "long" form, so any spreadsheet or script reads it without knowing the layout:

======== =====================================================================================================
column   meaning
======== =====================================================================================================
section  ``office`` (whole range), ``stage``, ``stage_hour``, ``officer`` or ``out_of_order``
stage    stage code (``stage``, ``stage_hour``, ``out_of_order``), else empty
hour     office-time hour 0-23 (``stage_hour``), else empty
officer  username (``officer``, ``out_of_order``; empty when no user was signed in)
ticket   ticket number (``out_of_order``)
time     ISO 8601 local time of the call or move with its offset (``out_of_order``)
metric   what the value is (see below)
value    a number (integer counts; seconds with one decimal; shares 0-1 with four decimals); empty: no data
note     the reason of a reordering; else empty
======== =====================================================================================================

Metrics: office ``tickets``, ``served``, ``no_shows``, ``out_of_order_calls``; stage ``arrivals``, ``calls``,
``served``, ``no_shows``, ``no_shows_not_returned``, ``never_called``, ``wait_count``, ``wait_mean_s``,
``wait_median_s``, ``wait_p90_s``, ``service_count``, ``service_mean_s``, ``service_median_s``,
``service_p90_s``, ``wait_target_min``, ``within_target``, ``within_target_share``, ``pauses``,
``paused_s``; stage_hour ``arrivals``, ``wait_mean_s``; officer ``calls``, ``served``, ``no_shows``,
``out_of_order_calls``, ``service_mean_s``; out_of_order ``call``, ``return`` or ``transfer`` (what reordered)
with value 1 (one row per reordering).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from itertools import compress, islice
from operator import itemgetter
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Select, case, select
from sqlalchemy.orm import Session

from counter_desk import i18n
from counter_desk.clock import Clock, SystemClock, office_local
from counter_desk.errors import InvalidInput
from counter_desk.i18n import _
from counter_desk.services import directory
from counter_desk.services.dates import format_day
from counter_desk.services.timeline import Reordering, epoch_ms, moves_to_front, pauses_by_stage, specific_calls
from counter_desk.states import Action
from counter_desk.store import schema
from counter_desk.store.engine import Database
from counter_desk.store.models import Stage, Station, User

#: The longest range one report may cover (a year and a day for a leap year).
MAX_DAYS = 366
CSV_COLUMNS = ("section", "stage", "hour", "officer", "ticket", "time", "metric", "value", "note")


@dataclass(frozen=True)
class Stats:
    """Seconds: how many, mean, median, 90th percentile (None when there is nothing to measure)."""

    count: int
    mean: float | None
    median: float | None
    p90: float | None

    @classmethod
    def of(cls, values: Iterable[float]) -> Stats:
        data = sorted(values)
        if not data:
            return cls(0, None, None, None)
        p90 = data[0] if len(data) == 1 else statistics.quantiles(data, n=10, method="inclusive")[8]
        return cls(len(data), statistics.fmean(data), statistics.median(data), p90)


@dataclass(frozen=True)
class StageReport:
    code: str
    name: str
    wait_target_minutes: int
    arrivals: int
    calls: int
    served: int
    no_shows: int
    no_shows_not_returned: int
    wait: Stats
    service: Stats
    within_target: int
    #: within_target / (wait.count + never_called) (None without any queue entry).
    within_target_share: float | None
    #: hour -> arrivals in that hour (hours of the report's range, see Report.hours).
    arrivals_by_hour: dict[int, int]
    #: hour -> mean wait of those called in that hour.
    wait_by_hour: dict[int, float | None]
    #: Queue entries no call ended (counted as not within target).
    never_called: int = 0
    #: Pauses of the stage's booths started in the range, and their total length (open ones until now).
    pauses: int = 0
    paused_seconds: float = 0.0


@dataclass(frozen=True)
class OfficerReport:
    username: str | None
    full_name: str | None
    calls: int
    served: int
    no_shows: int
    out_of_order_calls: int
    service: Stats


@dataclass(frozen=True)
class OutOfOrderCall:
    """A change of the call order: a call by number out of turn, or a ticket put back / moved to a queue's front."""

    at: dt.datetime
    number: str
    stage: str
    station: str | None
    officer: str | None
    #: Why, as recorded ("" when the act needed no reason, e.g. a booth putting its own applicant back first).
    reason: str
    #: ``call``, ``return`` (put back at the front) or ``transfer`` (moved to the front of another stage's queue).
    kind: str = "call"


@dataclass(frozen=True)
class Report:
    office: str
    office_name: str
    timezone: str
    first: dt.date
    last: dt.date
    generated_at: dt.datetime
    tickets: int
    served: int
    no_shows: int
    #: Office-time hours with any activity, first to last (empty without any).
    hours: list[int]
    stages: list[StageReport] = field(default_factory=list)
    officers: list[OfficerReport] = field(default_factory=list)
    out_of_order: list[OutOfOrderCall] = field(default_factory=list)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def title_range(self) -> str:
        """The range as people read it, in the active language."""
        if self.first == self.last:
            return format_day(self.first, weekday=True)
        return _("{first} to {last}", first=format_day(self.first), last=format_day(self.last))

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = _plain(asdict(self))
        data["days"] = self.days
        return data

    def csv_rows(self) -> Iterator[list[str]]:
        """The report as CSV rows (the header first); the format is in this module's docstring."""
        yield list(CSV_COLUMNS)

        def row(section: str, metric: str, value: float | None, **cols: Any) -> list[str]:
            out = dict.fromkeys(CSV_COLUMNS, "")
            out.update({k: "" if v is None else str(v) for k, v in cols.items()})
            out.update(section=section, metric=metric, value=_number(value))
            return [out[c] for c in CSV_COLUMNS]

        yield row("office", "tickets", self.tickets)
        yield row("office", "served", self.served)
        yield row("office", "no_shows", self.no_shows)
        yield row("office", "out_of_order_calls", len(self.out_of_order))
        for s in self.stages:
            figures: list[tuple[str, float | None]] = [
                ("arrivals", s.arrivals),
                ("calls", s.calls),
                ("served", s.served),
                ("no_shows", s.no_shows),
                ("no_shows_not_returned", s.no_shows_not_returned),
                ("never_called", s.never_called),
            ]
            for name, stats in (("wait", s.wait), ("service", s.service)):
                figures += [
                    (f"{name}_count", stats.count),
                    (f"{name}_mean_s", _seconds(stats.mean)),
                    (f"{name}_median_s", _seconds(stats.median)),
                    (f"{name}_p90_s", _seconds(stats.p90)),
                ]
            figures += [
                ("wait_target_min", s.wait_target_minutes),
                ("within_target", s.within_target),
                ("within_target_share", None if s.within_target_share is None else round(s.within_target_share, 4)),
                ("pauses", s.pauses),
                ("paused_s", _seconds(s.paused_seconds)),
            ]
            for metric, value in figures:
                yield row("stage", metric, value, stage=s.code)
            for hour in self.hours:
                yield row("stage_hour", "arrivals", s.arrivals_by_hour.get(hour, 0), stage=s.code, hour=hour)
                yield row("stage_hour", "wait_mean_s", _seconds(s.wait_by_hour.get(hour)), stage=s.code, hour=hour)
        for o in self.officers:
            for metric, value in (
                ("calls", o.calls),
                ("served", o.served),
                ("no_shows", o.no_shows),
                ("out_of_order_calls", o.out_of_order_calls),
                ("service_mean_s", _seconds(o.service.mean)),
            ):
                yield row("officer", metric, value, officer=o.username)
        for c in self.out_of_order:
            yield row(
                "out_of_order",
                c.kind,
                1,
                stage=c.stage,
                officer=c.officer,
                ticket=c.number,
                time=office_local(c.at, self.timezone).isoformat(timespec="seconds"),
                note=c.reason,
            )


def minutes(seconds: float | None) -> str:
    """Seconds as minutes with one decimal and the active language's decimal mark; "—" for nothing."""
    if seconds is None:
        return "—"
    text = f"{seconds / 60:.1f}"
    return text.replace(".", ",") if i18n.language() == "id" else text


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _number(value: float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, int) or value.is_integer():
        return str(int(value))
    return str(round(value, 4))


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def parse_day(text: str, option: str) -> dt.date:
    """A day given on the command line as YYYY-MM-DD; a clear error naming the option otherwise."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        msg = _("{option} {value!r} is not a date: write it as YYYY-MM-DD, e.g. 2026-11-23", option=option, value=text)
        raise InvalidInput(msg) from None


def check_range(first: dt.date, last: dt.date) -> None:
    if first > last:
        msg = _(
            "--from {first} is after --to {last}: the report's first day must come first",
            first=first.isoformat(),
            last=last.isoformat(),
        )
        raise InvalidInput(msg)
    if (last - first).days + 1 > MAX_DAYS:
        msg = _("a report covers at most {days} days: split the range", days=MAX_DAYS)
        raise InvalidInput(msg)


def build(
    db: Database, first: dt.date, last: dt.date, *, office: str | None = None, clock: Clock | None = None
) -> Report:
    """The report of the office's tickets issued from ``first`` to ``last`` (inclusive)."""
    check_range(first, last)
    now = (clock or SystemClock()).now()
    with db.read() as session:
        info = directory.office_info(session, office)
        stages = list(session.scalars(select(Stage).where(Stage.office_id == info.id).order_by(Stage.position)))
        station_codes: dict[int, str] = {
            row.id: row.code
            for row in session.execute(select(Station.id, Station.code).where(Station.office_id == info.id))
        }
        users = {
            row.id: (row.username, row.full_name)
            for row in session.execute(select(User.id, User.username, User.full_name).where(User.office_id == info.id))
        }
        walk = _walk(session, info.id, first, last)
        specific = specific_calls(session, info.id, first, last)
        moves = moves_to_front(session, info.id, first, last)
        pauses = pauses_by_stage(session, info.id, first, last, ZoneInfo(info.timezone), now)
    stage_reports, hours = _stages(stages, walk, ZoneInfo(info.timezone))
    stage_reports = [
        replace(r, pauses=pauses.get(stage.id, (0, 0.0))[0], paused_seconds=pauses.get(stage.id, (0, 0.0))[1])
        for r, stage in zip(stage_reports, stages, strict=True)
    ]
    stage_codes = {s.id: s.code for s in stages}
    out_of_order = sorted(
        [
            Reordering(c.seq, c.at, c.number, c.stage_id, c.station_id, c.user_id, c.reason, "call")
            for c in specific
            if c.out_of_order
        ]
        + moves,
        key=lambda c: c.seq,
    )
    return Report(
        office=info.code,
        office_name=info.name,
        timezone=info.timezone,
        first=first,
        last=last,
        generated_at=now,
        tickets=walk.tickets,
        served=len(set().union(*walk.served.values())),
        no_shows=len(walk.no_shows),
        hours=hours,
        stages=stage_reports,
        officers=_officers(walk, users, [c.user_id for c in out_of_order]),
        out_of_order=[
            OutOfOrderCall(
                at=c.at,
                number=c.number,
                stage=stage_codes.get(c.stage_id, "?"),
                station=station_codes.get(c.station_id) if c.station_id is not None else None,
                officer=users[c.user_id][0] if c.user_id in users else None,
                reason=c.reason or "",
                kind=c.kind,
            )
            for c in out_of_order
        ],
    )


# -- the event log of the days, read in bulk ----------------------------------------------------------------------

_e = schema.events
_t = schema.tickets

# Event kinds as small integers in _walk's rows (``recalled`` counts for nothing here).
_CHECK_IN, _CALL, _START, _FINISH, _TRANSFER, _RETURN, _NO_SHOW, _PARK, _RESUME = range(1, 10)
_KIND_CODES = {
    Action.CHECK_IN.value: _CHECK_IN,
    Action.CALL.value: _CALL,
    Action.START.value: _START,
    Action.FINISH.value: _FINISH,
    Action.TRANSFER.value: _TRANSFER,
    Action.RETURN.value: _RETURN,
    Action.NO_SHOW.value: _NO_SHOW,
    Action.PARK.value: _PARK,
    Action.RESUME.value: _RESUME,
}
_HOUR_MS = 3_600_000


def _is(*codes: int) -> bytes:
    """A ``bytes.translate`` table: 1 for those kinds, 0 for the others."""
    return bytes(int(k in codes) for k in range(256))


#: Joins a stage's queue; arrives at a stage from outside; holds the ticket at a counter; ends a service.
#: (A parked ticket's service is the part after it is resumed: the time set aside is neither wait nor service.)
_IS_ENTER, _IS_ARRIVAL = _is(_CHECK_IN, _TRANSFER, _RETURN), _is(_CHECK_IN, _TRANSFER)
_IS_HELD, _IS_END = _is(_CALL, _START, _RESUME), _is(_FINISH, _TRANSFER)
_IS_CALL, _IS_NO_SHOW = _is(_CALL), _is(_NO_SHOW)


@dataclass
class _Walk:
    """What the report counts in the days' event log. Times are epoch milliseconds, as in the timeline module."""

    tickets: int = 0
    #: (stage id, UTC hour since the epoch of the call) -> the waits (ms) completed by a call in that hour.
    waits: dict[tuple[int, int], list[int]] = field(default_factory=dict)
    #: (stage id, officer id, finished (else passed on)) -> the services (ms).
    services: dict[tuple[int, int | None, bool], list[int]] = field(default_factory=dict)
    #: (stage id, UTC hour since the epoch) -> arrivals.
    arrivals: Counter[tuple[int, int]] = field(default_factory=Counter)
    #: (stage id, officer id) -> calls.
    calls: Counter[tuple[int, int | None]] = field(default_factory=Counter)
    #: (ticket id, stage id, officer id) per no-show.
    no_shows: list[tuple[int, int, int | None]] = field(default_factory=list)
    #: Tickets whose last event leaves them marked no-show (never put back).
    open_no_shows: set[int] = field(default_factory=set)
    #: stage id -> the tickets with a completed service there.
    served: dict[int, set[int]] = field(default_factory=dict)
    #: stage id -> queue entries no call ended (the ticket's last event put it in that queue).
    never_called: Counter[int] = field(default_factory=Counter)


def _days_tickets(office_id: int, first: dt.date, last: dt.date) -> Select[tuple[int]]:
    return select(_t.c.id).where(_t.c.office_id == office_id, _t.c.day >= first, _t.c.day <= last)


def _plain_rows(session: Session, statement: Select[Any]) -> list[tuple[Any, ...]]:
    """The rows of ``statement`` as the driver's own tuples.

    For the hundreds of thousands of rows of a month: building a SQLAlchemy ``Row`` for each costs more than the
    query itself. The statement's few parameters (an office id, days) are rendered as literals by SQLAlchemy.
    psycopg reads the numbers in binary (no text to format and parse).
    """
    connection = session.connection()
    sql = str(statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    dbapi = connection.connection.dbapi_connection
    assert dbapi is not None
    cursor = dbapi.cursor(binary=True) if connection.dialect.name == "postgresql" else dbapi.cursor()
    try:
        cursor.execute(sql)
        return cast("list[tuple[Any, ...]]", cursor.fetchall())
    finally:
        cursor.close()


def _pairs(
    rows: list[tuple[Any, ...]], kinds: bytes, before: bytes, after: bytes
) -> Iterator[tuple[tuple[Any, ...], tuple[Any, ...]]]:
    """Neighbouring rows whose kinds are ``before`` then ``after`` (tables for ``bytes.translate``: 1 = wanted).

    Picked without a Python step per row: the two kinds' tables give a byte string each (one byte per row, the
    second shifted by one row), read as integers and ANDed.
    """
    if len(rows) < 2:
        return iter(())
    first = int.from_bytes(kinds[:-1].translate(before), "little")
    second = int.from_bytes(kinds[1:].translate(after), "little")
    return compress(zip(rows, islice(rows, 1, None), strict=False), (first & second).to_bytes(len(rows) - 1, "little"))


def _stream(office_id: int, first: dt.date, last: dt.date, dialect: str) -> Select[Any]:
    """The days' events but ``recalled``, in ticket and sequence order: ticket id, kind code, stage, user, time."""
    return (
        select(
            _e.c.ticket_id,
            case(_KIND_CODES, value=_e.c.kind, else_=0),
            _e.c.stage_id,
            _e.c.user_id,
            epoch_ms(_e.c.created_at, dialect),
        )
        .where(_e.c.ticket_id.in_(_days_tickets(office_id, first, last)), _e.c.kind != Action.RECALL.value)
        .order_by(_e.c.ticket_id, _e.c.seq)
    )


def _walk(session: Session, office_id: int, first: dt.date, last: dt.date) -> _Walk:
    """The waits, services, arrivals, calls and no-shows of the tickets issued on those days.

    The definitions are those of :mod:`counter_desk.services.timeline`, read the way the state machine
    (:data:`counter_desk.states.TRANSITIONS`, enforced by every action) lets a ticket's history run: ``recalled``
    events aside, a call always comes right after the event that put the ticket in the queue (check-in, return
    or transfer), and a service ends (``finished``, or ``transferred`` from ``called``/``serving``) right after
    the call or the start it runs from. So every wait and service is a pair of neighbouring events of a ticket.

    A month is over half a million events. One query reads them in ticket and sequence order (SQLite walks
    ``ix_events_ticket`` ticket by ticket: no sort), five plain numbers a row; the pairs and the rows of one kind
    are picked in C by ``compress`` over byte strings of the kinds (the old walk, a Python loop with a branch per
    event kind and a record per wait, took seconds).
    """
    rows = _plain_rows(session, _stream(office_id, first, last, session.get_bind().dialect.name))
    out = _Walk()
    kinds = bytes(map(itemgetter(1), rows))  # a byte per row, to pick rows by kind in C loops
    waits: defaultdict[tuple[int, int], list[int]] = defaultdict(list)
    for before, row in _pairs(rows, kinds, _IS_ENTER, _IS_CALL):
        if before[0] == row[0]:
            waits[row[2], row[4] // _HOUR_MS].append(row[4] - before[4])
    # The service is the called stage's (a transfer event names the stage the ticket moves to), the officer the
    # one who ended it.
    services: defaultdict[tuple[int, int | None, bool], list[int]] = defaultdict(list)
    served: defaultdict[int, set[int]] = defaultdict(set)
    for before, row in _pairs(rows, kinds, _IS_HELD, _IS_END):
        if before[0] == row[0]:
            services[before[2], row[3], row[1] == _FINISH].append(row[4] - before[4])
            served[before[2]].add(row[0])
    out.waits, out.services, out.served = waits, services, served
    for i in compress(range(len(rows)), kinds.translate(_IS_ENTER)):
        if i + 1 == len(rows) or rows[i + 1][0] != rows[i][0]:
            out.never_called[rows[i][2]] += 1
    out.arrivals = Counter([(row[2], row[4] // _HOUR_MS) for row in compress(rows, kinds.translate(_IS_ARRIVAL))])
    out.calls = Counter(map(itemgetter(2, 3), compress(rows, kinds.translate(_IS_CALL))))
    out.tickets = len(set(map(itemgetter(0), rows)))
    for i in compress(range(len(rows)), kinds.translate(_IS_NO_SHOW)):
        ticket_id, _kind, stage_id, user_id, _at = rows[i]
        out.no_shows.append((ticket_id, stage_id, user_id))
        if i + 1 == len(rows) or rows[i + 1][0] != ticket_id:
            out.open_no_shows.add(ticket_id)
    return out


def _hour_finder(tz: ZoneInfo) -> Callable[[int], int]:
    """UTC hour since the epoch -> office-time hour of day (offsets change on whole hours, if at all)."""
    cache: dict[int, int] = {}

    def hour(bucket: int) -> int:
        found = cache.get(bucket)
        if found is None:
            found = cache[bucket] = dt.datetime.fromtimestamp(bucket * 3600, tz).hour
        return found

    return hour


def _stages(stages: list[Stage], walk: _Walk, tz: ZoneInfo) -> tuple[list[StageReport], list[int]]:
    """The stages' figures, and the office-time hours with any arrival or call (first to last)."""
    hour_of = _hour_finder(tz)
    waits: dict[int, list[float]] = {}
    waits_by_hour: dict[tuple[int, int], list[float]] = {}
    for (stage_id, bucket), values in walk.waits.items():
        seconds = [ms / 1000 for ms in values]
        waits.setdefault(stage_id, []).extend(seconds)
        waits_by_hour.setdefault((stage_id, hour_of(bucket)), []).extend(seconds)
    services: dict[int, list[float]] = {}
    for (stage_id, _user, _finished), values in walk.services.items():
        services.setdefault(stage_id, []).extend(ms / 1000 for ms in values)
    arrivals: dict[tuple[int, int], int] = {}
    for (stage_id, bucket), count in walk.arrivals.items():
        key = (stage_id, hour_of(bucket))
        arrivals[key] = arrivals.get(key, 0) + count
    calls: dict[int, int] = {}
    for (stage_id, _user), count in walk.calls.items():
        calls[stage_id] = calls.get(stage_id, 0) + count
    no_shows: dict[int, list[int]] = {}
    for ticket_id, stage_id, _user in walk.no_shows:
        no_shows.setdefault(stage_id, []).append(ticket_id)
    seen = {hour for _stage, hour in arrivals} | {hour for _stage, hour in waits_by_hour}
    hours = list(range(min(seen), max(seen) + 1)) if seen else []
    reports = []
    for stage in stages:
        stage_waits = waits.get(stage.id, [])
        stage_no_shows = no_shows.get(stage.id, [])
        target = stage.wait_target_minutes * 60
        within = sum(1 for seconds in stage_waits if seconds <= target)
        never = walk.never_called.get(stage.id, 0)
        by_hour = {h: arrivals.get((stage.id, h), 0) for h in hours}
        reports.append(
            StageReport(
                code=stage.code,
                name=stage.name,
                wait_target_minutes=stage.wait_target_minutes,
                arrivals=sum(by_hour.values()),
                calls=calls.get(stage.id, 0),
                served=len(walk.served.get(stage.id, ())),
                no_shows=len(stage_no_shows),
                no_shows_not_returned=len(set(stage_no_shows) & walk.open_no_shows),
                wait=Stats.of(stage_waits),
                service=Stats.of(services.get(stage.id, [])),
                within_target=within,
                within_target_share=within / entries if (entries := len(stage_waits) + never) else None,
                never_called=never,
                arrivals_by_hour=by_hour,
                wait_by_hour={
                    h: statistics.fmean(v) if (v := waits_by_hour.get((stage.id, h))) else None for h in hours
                },
            )
        )
    return reports, hours


def _officers(
    walk: _Walk, users: dict[int, tuple[str, str]], out_of_order_users: list[int | None]
) -> list[OfficerReport]:
    calls: dict[int | None, int] = {}
    for (_stage, user_id), count in walk.calls.items():
        calls[user_id] = calls.get(user_id, 0) + count
    services: dict[int | None, list[float]] = {}
    for (_stage, user_id, _finished), values in walk.services.items():
        services.setdefault(user_id, []).extend(ms / 1000 for ms in values)
    no_shows: dict[int | None, int] = {}
    for _ticket, _stage, user_id in walk.no_shows:
        no_shows[user_id] = no_shows.get(user_id, 0) + 1
    reports = []
    for uid in set(calls) | set(services) | set(no_shows) | set(out_of_order_users):
        username, full_name = users.get(uid, (None, None)) if uid is not None else (None, None)
        reports.append(
            OfficerReport(
                username=username,
                full_name=full_name,
                calls=calls.get(uid, 0),
                served=len(services.get(uid, [])),
                no_shows=no_shows.get(uid, 0),
                out_of_order_calls=sum(1 for u in out_of_order_users if u == uid),
                service=Stats.of(services.get(uid, [])),
            )
        )
    # Named officers by name, the unsigned actions last.
    return sorted(reports, key=lambda o: (o.username is None, o.username or ""))

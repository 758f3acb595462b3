"""The office's report over a range of days: what the head of section sends upward.

Everything is counted from the event log of the tickets *issued* on those days (office calendar days), walked by
:mod:`counter_desk.services.timeline`, whose docstring defines a wait, a service and an arrival:

- **volume** per stage: arrivals (tickets joining its queue from outside), per stage and office-time hour;
- **waits** and **services** per stage: count, mean, median and 90th percentile in seconds. Percentiles
  interpolate linearly between the closest ranks (``statistics.quantiles(..., method="inclusive")``, NumPy's
  default): the 90th percentile of 10, 20, ..., 100 is 91;
- **no-shows**: tickets marked no-show at each stage, and how many were never put back;
- **out-of-order calls**: calls by ticket number that skipped someone waiting before (``data.out_of_order``),
  with day, time, ticket, stage, station, officer and the reason recorded;
- **per officer**: calls, services (finished or passed on), no-shows marked, out-of-order calls, and the mean
  service time; actions without a signed-in user are counted under ``None``;
- **within target**: the share of completed waits at a stage not longer than its ``wait_target_minutes``.

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
time     ISO 8601 local time of the call with its offset (``out_of_order``)
metric   what the value is (see below)
value    a number (integer counts; seconds with one decimal; shares 0-1 with four decimals); empty: no data
note     the reason of an out-of-order call; else empty
======== =====================================================================================================

Metrics: office ``tickets``, ``served``, ``no_shows``, ``out_of_order_calls``; stage ``arrivals``, ``calls``,
``served``, ``no_shows``, ``no_shows_not_returned``, ``wait_count``, ``wait_mean_s``, ``wait_median_s``,
``wait_p90_s``, ``service_count``, ``service_mean_s``, ``service_median_s``, ``service_p90_s``,
``wait_target_min``, ``within_target``, ``within_target_share``; stage_hour ``arrivals``, ``wait_mean_s``;
officer ``calls``, ``served``, ``no_shows``, ``out_of_order_calls``, ``service_mean_s``; out_of_order
``call`` with value 1 (one row per call).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from counter_desk import i18n
from counter_desk.clock import Clock, SystemClock, office_local
from counter_desk.errors import InvalidInput
from counter_desk.i18n import _
from counter_desk.services import directory
from counter_desk.services.dates import format_day
from counter_desk.services.timeline import Timeline, read_timeline, specific_calls
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
    #: within_target / wait.count (None without completed waits).
    within_target_share: float | None
    #: hour -> arrivals in that hour (hours of the report's range, see Report.hours).
    arrivals_by_hour: dict[int, int]
    #: hour -> mean wait of those called in that hour.
    wait_by_hour: dict[int, float | None]


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
    at: dt.datetime
    number: str
    stage: str
    station: str | None
    officer: str | None
    reason: str


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
                "call",
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
        timeline = read_timeline(session, info.id, first, last, stations=False)
        specific = specific_calls(session, info.id, first, last)
    stage_reports, hours = _stages(stages, timeline, ZoneInfo(info.timezone))
    stage_codes = {s.id: s.code for s in stages}
    out_of_order = [c for c in specific if c.out_of_order]
    return Report(
        office=info.code,
        office_name=info.name,
        timezone=info.timezone,
        first=first,
        last=last,
        generated_at=now,
        tickets=timeline.tickets,
        served=sum(1 for s in timeline.services if s.kind == "finished"),
        no_shows=len(timeline.no_shows),
        hours=hours,
        stages=stage_reports,
        officers=_officers(timeline, users, [c.user_id for c in out_of_order]),
        out_of_order=[
            OutOfOrderCall(
                at=c.at,
                number=c.number,
                stage=stage_codes.get(c.stage_id, "?"),
                station=station_codes.get(c.station_id) if c.station_id is not None else None,
                officer=users[c.user_id][0] if c.user_id in users else None,
                reason=c.reason,
            )
            for c in out_of_order
        ],
    )


def _stages(stages: list[Stage], timeline: Timeline, tz: ZoneInfo) -> tuple[list[StageReport], list[int]]:
    """The stages' figures, and the office-time hours with any arrival or call (first to last)."""
    # One pass over each list (a month holds hundreds of thousands of each), grouped by stage; the office-time
    # hour is looked up per UTC hour (offsets change on whole hours, if at all).
    hour_cache: dict[int, int] = {}

    def hour_of(epoch_ms: int) -> int:
        bucket = epoch_ms // 3_600_000
        hour = hour_cache.get(bucket)
        if hour is None:
            hour = hour_cache[bucket] = dt.datetime.fromtimestamp(bucket * 3600, tz).hour
        return hour

    waits: dict[int, list[float]] = {}
    waits_by_hour: dict[tuple[int, int], list[float]] = {}
    for w in timeline.waits:
        seconds = (w.called - w.joined) / 1000
        waits.setdefault(w.stage_id, []).append(seconds)
        waits_by_hour.setdefault((w.stage_id, hour_of(w.called)), []).append(seconds)
    services: dict[int, list[float]] = {}
    for sv in timeline.services:
        services.setdefault(sv.stage_id, []).append((sv.ended - sv.began) / 1000)
    arrivals: dict[tuple[int, int], int] = {}
    for a in timeline.arrivals:
        key = (a.stage_id, hour_of(a.at))
        arrivals[key] = arrivals.get(key, 0) + 1
    calls: dict[int, int] = {}
    for (stage_id, _user), count in timeline.calls.items():
        calls[stage_id] = calls.get(stage_id, 0) + count
    no_shows: dict[int, list[int]] = {}
    for n in timeline.no_shows:
        no_shows.setdefault(n.stage_id, []).append(n.ticket_id)
    seen = {hour for _stage, hour in arrivals} | {hour for _stage, hour in waits_by_hour}
    hours = list(range(min(seen), max(seen) + 1)) if seen else []
    reports = []
    for stage in stages:
        stage_waits = waits.get(stage.id, [])
        stage_no_shows = no_shows.get(stage.id, [])
        target = stage.wait_target_minutes * 60
        within = sum(1 for seconds in stage_waits if seconds <= target)
        by_hour = {h: arrivals.get((stage.id, h), 0) for h in hours}
        reports.append(
            StageReport(
                code=stage.code,
                name=stage.name,
                wait_target_minutes=stage.wait_target_minutes,
                arrivals=sum(by_hour.values()),
                calls=calls.get(stage.id, 0),
                served=len(services.get(stage.id, [])),
                no_shows=len(stage_no_shows),
                no_shows_not_returned=len(set(stage_no_shows) & timeline.open_no_shows),
                wait=Stats.of(stage_waits),
                service=Stats.of(services.get(stage.id, [])),
                within_target=within,
                within_target_share=within / len(stage_waits) if stage_waits else None,
                arrivals_by_hour=by_hour,
                wait_by_hour={
                    h: statistics.fmean(v) if (v := waits_by_hour.get((stage.id, h))) else None for h in hours
                },
            )
        )
    return reports, hours


def _officers(
    timeline: Timeline, users: dict[int, tuple[str, str]], out_of_order_users: list[int | None]
) -> list[OfficerReport]:
    calls: dict[int | None, int] = {}
    for (_stage, user_id), count in timeline.calls.items():
        calls[user_id] = calls.get(user_id, 0) + count
    services: dict[int | None, list[float]] = {}
    for sv in timeline.services:
        services.setdefault(sv.user_id, []).append((sv.ended - sv.began) / 1000)
    no_shows: dict[int | None, int] = {}
    for n in timeline.no_shows:
        no_shows[n.user_id] = no_shows.get(n.user_id, 0) + 1
    reports = []
    for uid in set(calls) | set(services) | set(no_shows):
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

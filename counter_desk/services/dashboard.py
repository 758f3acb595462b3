"""The office at a glance, for the supervisor's window: one consistent snapshot of today.

What it shows, and how each figure is counted (the walk of the event log is :mod:`counter_desk.services.timeline`):

- per **stage**: tickets waiting now and the longest current wait (from ``tickets.queued_at``, whatever day the
  ticket was issued: a ticket left over from yesterday is still in the queue); today's arrivals, calls,
  services and no-shows; the average completed wait and the average service time of today's tickets;
- per **station**: ``idle``, ``called`` or ``serving`` (what it holds now), its ticket and since when, and the
  officer: the user of the station's last event today (None when that event carried no user);
- **served today**: applicants served today -- tickets with a completed service (finished, or passed on from a
  counter), as in the report: a stage's ``served`` counts the tickets served there, so the office's figure is never
  below a stage's;
- **by hour** (office time): tickets issued (arrivals at the office) and, per stage, the average wait of the
  applicants *called* in that hour.

Traffic lights compare a wait with the stage's ``wait_target_minutes``: **green** up to the target, **amber**
up to :data:`AMBER_FACTOR` times the target, **red** beyond it, and ``none`` when there is nothing to measure.
The average wait and the longest current wait each get a level; service times have no target and none.

Cost: four small indexed queries and one walk of today's events (about 3,000 on a busy day); the history of
other days is never read (tickets are picked by ``day``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from counter_desk.clock import Clock, SystemClock, office_day, office_local
from counter_desk.errors import InvalidInput
from counter_desk.i18n import _
from counter_desk.services import directory, roles, rules
from counter_desk.services.queue import QueueService
from counter_desk.services.timeline import Timeline, read_timeline
from counter_desk.services.views import Result, StationPause
from counter_desk.states import HELD, Status
from counter_desk.store.call_order import call_order
from counter_desk.store.engine import Database
from counter_desk.store.journal import last_event_seq
from counter_desk.store.models import Category, Stage, Station, Ticket, User
from counter_desk.store.models import StationPause as PauseRow

#: A wait up to this many times the stage's target is amber; beyond it, red.
AMBER_FACTOR = 1.5
GREEN, AMBER, RED, NONE = "green", "amber", "red", "none"
IDLE = "idle"
#: A station whose officer paused it (break, prayer, system trouble): not open.
PAUSED = "paused"


def state_label(state: str) -> str:
    """A station's state (``idle``, ``called``, ``serving``, ``paused``) as a word for people."""
    labels = {
        IDLE: _("idle"),
        PAUSED: _("paused"),
        Status.CALLED.value: _("called"),
        Status.SERVING.value: _("serving"),
    }
    return labels.get(state, state)


def level(seconds: float | None, target_minutes: int) -> str:
    """The traffic-light level of a wait of ``seconds`` against a target of ``target_minutes``."""
    if seconds is None:
        return NONE
    target = target_minutes * 60
    if seconds <= target:
        return GREEN
    if seconds <= target * AMBER_FACTOR:
        return AMBER
    return RED


def level_label(value: str) -> str:
    """A traffic-light level as a word for people, in the active language."""
    return {GREEN: _("green"), AMBER: _("amber"), RED: _("red")}.get(value, "—")


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


@dataclass(frozen=True)
class StageFigures:
    code: str
    name: str
    wait_target_minutes: int
    waiting: int
    #: Seconds the longest-waiting ticket has waited so far (None: nobody waits).
    longest_wait_seconds: float | None
    longest_wait_level: str
    arrivals: int
    calls: int
    served: int
    no_shows: int
    #: Mean of today's completed waits at this stage.
    average_wait_seconds: float | None
    average_wait_level: str
    average_service_seconds: float | None


@dataclass(frozen=True)
class StationFigures:
    code: str
    name: str
    stage: str
    #: ``idle``, ``called``, ``serving`` or ``paused`` (:func:`state_label` for people).
    state: str
    #: Username of the last event's officer today.
    officer: str | None
    officer_name: str | None
    ticket: str | None
    #: When the ticket was called, or when serving started; for a paused station, when the pause began.
    since: dt.datetime | None
    #: Why a paused station is paused (``break``, ``prayer``, ``system``, ``other``), else None.
    pause_reason: str | None = None
    #: Tickets set aside at this station (applicants fetching a document).
    parked: int = 0


@dataclass(frozen=True)
class TicketRow:
    """A ticket the supervisor may act on: one waiting, held by a station, or marked no-show today."""

    number: str
    status: str
    stage: str
    station: str | None
    category: str
    priority_level: int
    #: Queued since (waiting), called since (held), marked at (no-show).
    since: dt.datetime
    #: For a no-show: until when it may be put back in the queue.
    reopen_until: dt.datetime | None = None


@dataclass(frozen=True)
class HourFigures:
    hour: int
    #: Tickets issued in this hour.
    arrivals: int
    #: Stage code -> mean wait of those called in this hour (None: nobody called there).
    average_wait_seconds: dict[str, float | None]


@dataclass(frozen=True)
class Dashboard:
    office: str
    office_name: str
    timezone: str
    day: dt.date
    at: dt.datetime
    #: The event log's last sequence number when this was read (the live feed follows from here).
    last_seq: int
    served_today: int
    issued_today: int
    no_shows_today: int
    stages: list[StageFigures] = field(default_factory=list)
    stations: list[StationFigures] = field(default_factory=list)
    hours: list[HourFigures] = field(default_factory=list)
    waiting: list[TicketRow] = field(default_factory=list)
    held: list[TicketRow] = field(default_factory=list)
    no_shows: list[TicketRow] = field(default_factory=list)
    #: Tickets set aside at a booth (``station`` is the booth they come back to); ``since``: when set aside.
    parked: list[TicketRow] = field(default_factory=list)
    #: Stage code -> name; category code -> name (what people read).
    stage_names: dict[str, str] = field(default_factory=dict)
    category_names: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = _plain(asdict(self))
        return data


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def snapshot(db: Database, *, office: str | None = None, clock: Clock | None = None) -> Dashboard:
    """Read the dashboard of today (the office's day at ``clock``'s now) in one read transaction."""
    now = (clock or SystemClock()).now()
    with db.read() as session:
        seq = last_event_seq(session)  # first: whatever happens after is news for the live feed
        info = directory.office_info(session, office)
        tz = ZoneInfo(info.timezone)
        today = office_day(now, info.timezone)
        stages = list(session.scalars(select(Stage).where(Stage.office_id == info.id).order_by(Stage.position)))
        stage_code = {s.id: s.code for s in stages}
        stations = list(
            session.scalars(
                select(Station)
                .where(Station.office_id == info.id, Station.active.is_(True))
                .join(Stage, Stage.id == Station.stage_id)
                .order_by(Stage.position, Station.code)
            )
        )
        station_code = {
            s.id: s.code for s in session.execute(select(Station.id, Station.code).where(Station.office_id == info.id))
        }
        categories = {
            c.id: (c.code, c.name) for c in session.scalars(select(Category).where(Category.office_id == info.id))
        }
        users = {
            u.id: (u.username, u.full_name)
            for u in session.execute(select(User.id, User.username, User.full_name).where(User.office_id == info.id))
        }

        waiting_rows = session.execute(
            select(
                Ticket.number,
                Ticket.stage_id,
                Ticket.category_id,
                Ticket.priority_level,
                Ticket.queued_at,
            )
            .where(Ticket.stage_id.in_(list(stage_code)), Ticket.status == Status.WAITING.value)
            .order_by(Ticket.stage_id, *call_order())
        ).all()
        held_rows = session.execute(
            select(
                Ticket.number,
                Ticket.status,
                Ticket.stage_id,
                Ticket.station_id,
                Ticket.category_id,
                Ticket.priority_level,
                Ticket.called_at,
                Ticket.started_at,
            )
            .where(Ticket.station_id.in_([s.id for s in stations]), Ticket.status.in_([s.value for s in HELD]))
            .order_by(Ticket.called_at, Ticket.id)
        ).all()
        no_show_rows = session.execute(
            select(
                Ticket.number,
                Ticket.stage_id,
                Ticket.category_id,
                Ticket.priority_level,
                Ticket.no_show_at,
                Ticket.updated_at,
            )
            .where(Ticket.office_id == info.id, Ticket.day == today, Ticket.status == Status.NO_SHOW.value)
            .order_by(Ticket.no_show_at)
        ).all()
        parked_rows = session.execute(
            select(
                Ticket.number,
                Ticket.stage_id,
                Ticket.station_id,
                Ticket.category_id,
                Ticket.priority_level,
                Ticket.updated_at,
            )
            .where(Ticket.stage_id.in_(list(stage_code)), Ticket.status == Status.PARKED.value)
            .order_by(Ticket.updated_at, Ticket.id)
        ).all()
        pauses = {
            row.station_id: row
            for row in session.execute(
                select(PauseRow.station_id, PauseRow.reason, PauseRow.started_at).where(
                    PauseRow.office_id == info.id, PauseRow.ended_at.is_(None)
                )
            )
        }
        issued = session.scalar(
            select(func.count()).select_from(Ticket).where(Ticket.office_id == info.id, Ticket.day == today)
        )
        timeline = read_timeline(session, info.id, today, today)

    def local_hour(epoch_ms: int) -> int:
        return dt.datetime.fromtimestamp(epoch_ms / 1000, tz).hour

    waits_by_stage: dict[int, list[float]] = {}
    for w in timeline.waits:
        waits_by_stage.setdefault(w.stage_id, []).append(w.seconds)
    services_by_stage: dict[int, list[float]] = {}
    served_by_stage: dict[int, set[int]] = {}
    for service in timeline.services:
        services_by_stage.setdefault(service.stage_id, []).append(service.seconds)
        served_by_stage.setdefault(service.stage_id, set()).add(service.ticket_id)

    def count(items: list[Any]) -> dict[int, int]:
        out: dict[int, int] = {}
        for item in items:
            out[item.stage_id] = out.get(item.stage_id, 0) + 1
        return out

    arrivals, no_shows = count(timeline.arrivals), count(timeline.no_shows)
    calls: dict[int, int] = {}
    for (stage_id, _user), n in timeline.calls.items():
        calls[stage_id] = calls.get(stage_id, 0) + n
    queue_count: dict[int, int] = {}
    oldest: dict[int, dt.datetime] = {}
    for row in waiting_rows:
        queue_count[row.stage_id] = queue_count.get(row.stage_id, 0) + 1
        if row.stage_id not in oldest or row.queued_at < oldest[row.stage_id]:
            oldest[row.stage_id] = row.queued_at

    stage_figures = []
    for s in stages:
        longest = max(0.0, (now - oldest[s.id]).total_seconds()) if s.id in oldest else None
        average = _mean(waits_by_stage.get(s.id, []))
        stage_figures.append(
            StageFigures(
                code=s.code,
                name=s.name,
                wait_target_minutes=s.wait_target_minutes,
                waiting=queue_count.get(s.id, 0),
                longest_wait_seconds=longest,
                longest_wait_level=level(longest, s.wait_target_minutes),
                arrivals=arrivals.get(s.id, 0),
                calls=calls.get(s.id, 0),
                served=len(served_by_stage.get(s.id, set())),
                no_shows=no_shows.get(s.id, 0),
                average_wait_seconds=average,
                average_wait_level=level(average, s.wait_target_minutes),
                average_service_seconds=_mean(services_by_stage.get(s.id, [])),
            )
        )

    station_figures = _station_figures(stations, held_rows, parked_rows, pauses, timeline, users, stage_code)
    hours = _hours(timeline, stage_code, local_hour, office_local(now, info.timezone).hour)
    tolerance = dt.timedelta(minutes=info.no_show_tolerance_minutes)
    return Dashboard(
        office=info.code,
        office_name=info.name,
        timezone=info.timezone,
        day=today,
        at=now,
        last_seq=seq,
        served_today=len({s.ticket_id for s in timeline.services}),
        issued_today=int(issued or 0),
        no_shows_today=len(timeline.no_shows),
        stages=stage_figures,
        stations=station_figures,
        hours=hours,
        waiting=[
            TicketRow(
                r.number,
                Status.WAITING.value,
                stage_code[r.stage_id],
                None,
                categories[r.category_id][0],
                r.priority_level,
                r.queued_at,
            )
            for r in waiting_rows
        ],
        held=[
            TicketRow(
                r.number,
                r.status,
                stage_code[r.stage_id],
                station_code.get(r.station_id),
                categories[r.category_id][0],
                r.priority_level,
                r.started_at or r.called_at,
            )
            for r in held_rows
        ],
        no_shows=[
            TicketRow(
                r.number,
                Status.NO_SHOW.value,
                stage_code[r.stage_id],
                None,
                categories[r.category_id][0],
                r.priority_level,
                r.no_show_at or r.updated_at,
                (r.no_show_at or r.updated_at) + tolerance,
            )
            for r in no_show_rows
        ],
        parked=[
            TicketRow(
                r.number,
                Status.PARKED.value,
                stage_code[r.stage_id],
                station_code.get(r.station_id),
                categories[r.category_id][0],
                r.priority_level,
                r.updated_at,
            )
            for r in parked_rows
        ],
        stage_names={s.code: s.name for s in stages},
        category_names=dict(categories.values()),
    )


def _station_figures(  # noqa: PLR0917 - the parts of one snapshot, read by its caller
    stations: list[Station],
    held_rows: Any,
    parked_rows: Any,
    pauses: dict[int, Any],
    timeline: Timeline,
    users: dict[int, tuple[str, str]],
    stage_code: dict[int, str],
) -> list[StationFigures]:
    held_by_station = {row.station_id: row for row in held_rows}
    parked_count: dict[int, int] = {}
    for row in parked_rows:
        parked_count[row.station_id] = parked_count.get(row.station_id, 0) + 1
    station_figures = []
    for st in stations:
        held = held_by_station.get(st.id)
        pause = pauses.get(st.id)
        last = timeline.last_at_station.get(st.id)
        officer = users.get(last[1]) if last is not None and last[1] is not None else None
        state = held.status if held is not None else PAUSED if pause is not None else IDLE
        since = (held.started_at or held.called_at) if held is not None else pause.started_at if pause else None
        station_figures.append(
            StationFigures(
                code=st.code,
                name=st.name,
                stage=stage_code[st.stage_id],
                state=state,
                officer=officer[0] if officer else None,
                officer_name=officer[1] if officer else None,
                ticket=held.number if held is not None else None,
                since=since,
                pause_reason=pause.reason if pause is not None else None,
                parked=parked_count.get(st.id, 0),
            )
        )

    return station_figures


def _hours(
    timeline: Timeline, stage_code: dict[int, str], local_hour: Callable[[int], int], now_hour: int
) -> list[HourFigures]:
    issued: dict[int, int] = {}
    for a in timeline.arrivals:
        if a.kind == "checked_in":
            h = local_hour(a.at)
            issued[h] = issued.get(h, 0) + 1
    waits: dict[tuple[int, str], list[float]] = {}
    for w in timeline.waits:
        code = stage_code.get(w.stage_id) if w.stage_id is not None else None
        if code is None:  # a call recorded without a stage (a forged or foreign row) has no place in the chart
            continue
        waits.setdefault((local_hour(w.called), code), []).append(w.seconds)
    seen = set(issued) | {h for h, _ in waits}
    if not seen:
        return []
    first, last = min(seen), max(*seen, now_hour)
    return [
        HourFigures(
            hour=h,
            arrivals=issued.get(h, 0),
            average_wait_seconds={code: _mean(waits.get((h, code), [])) for code in stage_code.values()},
        )
        for h in range(first, last + 1)
    ]


# -- what the supervisor may do ----------------------------------------------------------------------------------

#: Roles that may move tickets, release stations and reopen no-shows from the supervisor window.
SUPERVISOR_ROLES = ("supervisor",)


class Supervision:
    """The supervisor's actions on the queue: each checks the role, needs a reason, and is one queue action.

    The reason and the supervisor's user are recorded on the event (``reason``, ``user_id``), like every action.
    """

    def __init__(self, queue: QueueService, user: str | None) -> None:
        self.queue = queue
        self.user = user

    def _allowed(self, reason: str) -> str:
        if not reason.strip():
            msg = _("give a reason: it is recorded with your name")
            raise InvalidInput(msg)
        with self.queue.db.read() as session:
            roles.require_user_role(session, self.user, SUPERVISOR_ROLES)
        return reason

    def move(self, number: str, stage: str, reason: str, *, token: str | None = None) -> Result:
        """Move a waiting or held ticket to the end of another stage's queue."""
        why = self._allowed(reason)
        return self.queue.transfer(stage, ticket=number, reason=why, token=token, user=self.user)

    def release(self, station: str, reason: str, *, token: str | None = None) -> Result:
        """Free a station left holding a ticket: the ticket goes back to the front of its queue."""
        why = self._allowed(reason)
        return self.queue.return_to_queue(station=station, position="front", reason=why, token=token, user=self.user)

    def reopen(self, number: str, reason: str, *, token: str | None = None) -> Result:
        """Put a no-show back at the front of its queue (within the office's tolerance)."""
        why = self._allowed(reason)
        return self.queue.return_to_queue(ticket=number, position="front", reason=why, token=token, user=self.user)

    def end_pause(self, station: str) -> StationPause:
        """Open a booth left paused (its officer went home): the pause ends, recorded with the supervisor's name."""
        with self.queue.db.read() as session:
            roles.require_user_role(session, self.user, SUPERVISOR_ROLES)
        return self.queue.unpause_station(station, user=self.user)

    def requeue_parked(self, number: str, reason: str, *, token: str | None = None) -> Result:
        """Put a ticket set aside at a booth back at the front of its queue (the booth closed meanwhile)."""
        why = self._allowed(reason)
        return self.queue.return_to_queue(ticket=number, position="front", reason=why, token=token, user=self.user)

    def save_rules(self, changes: dict[str, Any], targets: dict[str, int]) -> dict[str, Any]:
        """Change office rules and stages' wait targets (minutes) in one transaction, all or none
        (:func:`counter_desk.services.rules.save`); audited with the supervisor's name. Returns every rule."""
        return rules.save(
            self.queue.db, self.queue.office_code, changes, targets, user=self.user, clock=self.queue.clock
        )

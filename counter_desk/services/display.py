"""What the waiting-room display shows, computed from the event log.

The display is a pure function of the office's configuration and the events it has read:
:meth:`DisplayState.apply` takes a batch of events and returns the next state, which carries the calls the batch
brought (``fresh``) and the one to announce (only the newest: after an outage the missed calls appear at once,
the latest as the current call, and only it is spoken -- no burst of stale audio).

Only ticket numbers, stations and stages are ever kept: everything is read from the display views
(:mod:`counter_desk.store.display_views`), which hold no name, NIK, user or booking. Events the display does not
understand (an unknown kind, a station or stage added after it loaded its configuration, a call without a number)
are logged and skipped; they never stop the display.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import func, null, select
from sqlalchemy.orm import Session

from counter_desk.clock import office_day
from counter_desk.errors import InvalidInput, NotFound
from counter_desk.i18n import _
from counter_desk.services import rules
from counter_desk.services.estimate import StageEstimate, office_estimates
from counter_desk.services.queue import QueueService
from counter_desk.services.views import EventView
from counter_desk.states import EVENT_KINDS, Action
from counter_desk.store import display_views as v

log = logging.getLogger(__name__)

#: How many calls the display keeps (the current one and the history under it).
RECENT_CALLS = 8
#: Office setting (see services/rules.py) holding the running text at the bottom of the screen.
RUNNING_TEXT_KEY = "display_text"
DEFAULT_RUNNING_TEXT: str = rules.RULES[RUNNING_TEXT_KEY].default

#: A parked ticket resumed at its booth is called there again: the board shows it like a call.
_CALL_KINDS = frozenset({Action.CALL.value, Action.RECALL.value, Action.RESUME.value})
_KNOWN_KINDS = EVENT_KINDS
#: Stages of these kinds issue tickets and never hold a queue of applicants: the board lists no wait for them.
_NO_QUEUE_KINDS = frozenset({"reception"})


@dataclass(frozen=True)
class StageLabel:
    code: str
    name: str
    announce: bool
    position: int
    #: What the stage's stations do (reception, service, adjudication, pickup).
    kind: str = "service"

    @property
    def queues(self) -> bool:
        """Applicants wait in the waiting room for this stage (its waiting count belongs on the board)."""
        return self.announce and self.kind not in _NO_QUEUE_KINDS


@dataclass(frozen=True)
class StationLabel:
    code: str
    #: What the screen shows and the voice says, e.g. "Wawancara 3".
    name: str
    stage: str


@dataclass(frozen=True)
class DisplayConfig:
    """The office as the display sees it: names of stages and stations, which stages are announced."""

    office_name: str
    timezone: str
    stages: dict[str, StageLabel]
    stations: dict[str, StationLabel]
    running_text: str = DEFAULT_RUNNING_TEXT


@dataclass(frozen=True)
class Call:
    """A call shown on the display. Deliberately only what is public in the waiting room."""

    seq: int
    number: str
    station: str
    station_name: str
    stage: str
    stage_name: str
    at: dt.datetime
    recall: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "number": self.number,
            "station": self.station,
            "station_name": self.station_name,
            "stage": self.stage,
            "stage_name": self.stage_name,
            "at": self.at.isoformat(),
            "recall": self.recall,
        }


@dataclass(frozen=True)
class StageWait:
    """Waiting count and estimated wait of one announced stage."""

    stage: str
    stage_name: str
    waiting: int
    #: Estimated wait of someone joining the queue now; None when unknown (no recent service).
    wait_seconds: int | None

    @classmethod
    def from_estimate(cls, est: StageEstimate) -> StageWait:
        return cls(est.stage, est.stage_name, est.waiting, est.new_arrival_wait_seconds)


@dataclass(frozen=True)
class DisplayState:
    """What the display shows. Immutable: :meth:`apply` returns the next state."""

    config: DisplayConfig
    #: Newest first; ``calls[0]`` is the current call. One entry per ticket number (its latest call).
    calls: tuple[Call, ...] = ()
    last_seq: int = 0
    #: The office day the calls belong to (calls of an earlier day are dropped when a new day's event arrives).
    day: dt.date | None = None
    #: The board's footer: waiting count and estimate of each stage applicants queue for (announced, not
    #: reception, which issues tickets and never holds a queue), in flow order.
    waits: tuple[StageWait, ...] = ()
    #: Calls the last :meth:`apply` brought, oldest first.
    fresh: tuple[Call, ...] = ()
    #: The last :meth:`apply` saw events that may change waiting counts: read the estimates again.
    queues_changed: bool = False
    skipped: int = field(default=0, compare=False)

    @property
    def footer_waits(self) -> tuple[StageWait, ...]:
        """What the footer lists: only stages with a queue (the same as :attr:`waits`)."""
        return self.waits

    @property
    def current(self) -> Call | None:
        return self.calls[0] if self.calls else None

    @property
    def history(self) -> tuple[Call, ...]:
        """The calls before the current one, newest first."""
        return self.calls[1:]

    @property
    def announcement(self) -> Call | None:
        """What to announce after the last :meth:`apply`: only the newest fresh call."""
        return self.fresh[-1] if self.fresh else None

    def apply(self, events: list[EventView], *, keep: int = RECENT_CALLS) -> DisplayState:
        """The state after ``events`` (in sequence order; events at or below ``last_seq`` are ignored)."""
        calls = list(self.calls)
        fresh: list[Call] = []
        day = self.day
        last_seq = self.last_seq
        changed = False
        skipped = self.skipped
        for event in events:
            if event.seq <= last_seq:
                continue
            last_seq = event.seq
            if event.kind not in _KNOWN_KINDS:
                log.warning("display: event %d has an unknown kind %r; skipped", event.seq, event.kind)
                skipped += 1
                continue
            changed = True
            event_day = office_day(event.at, self.config.timezone)
            if day is None or event_day > day:
                if day is not None:
                    calls.clear()  # a new office day starts with an empty board
                    fresh.clear()
                day = event_day
            if event.kind not in _CALL_KINDS:
                continue
            call = self._call_of(event)
            if call is None:
                skipped += 1
                continue
            if call is _NOT_ANNOUNCED:
                continue
            calls = [c for c in calls if c.number != call.number]
            calls.insert(0, call)
            fresh = [c for c in fresh if c.number != call.number]
            fresh.append(call)
        return replace(
            self,
            calls=tuple(calls[:keep]),
            last_seq=last_seq,
            day=day,
            fresh=tuple(fresh),
            queues_changed=changed,
            skipped=skipped,
        )

    def _call_of(self, event: EventView) -> Call | None:
        stations = self.config.stations
        station = stations.get(event.station or "")
        if station is None:
            log.warning("display: call %d at unknown station %r; skipped", event.seq, event.station)
            return None
        stage = self.config.stages.get(event.stage or station.stage)
        if stage is None:
            log.warning("display: call %d in unknown stage %r; skipped", event.seq, event.stage)
            return None
        if not stage.announce:
            return _NOT_ANNOUNCED
        if not event.number:
            log.warning("display: call %d has no ticket number; skipped", event.seq)
            return None
        return Call(
            seq=event.seq,
            number=event.number,
            station=station.code,
            station_name=station.name,
            stage=stage.code,
            stage_name=stage.name,
            at=event.at,
            recall=event.kind == Action.RECALL.value,
        )

    def with_waits(self, estimates: list[StageEstimate]) -> DisplayState:
        """The state with fresh waiting counts and estimates (stages applicants queue for, in flow order)."""
        stages = self.config.stages
        waits = [
            StageWait.from_estimate(e)
            for e in sorted(estimates, key=lambda e: stages[e.stage].position if e.stage in stages else 0)
            if e.stage in stages and stages[e.stage].queues
        ]
        return replace(self, waits=tuple(waits), queues_changed=False)

    def settled(self) -> DisplayState:
        """The same board with nothing left to announce (used after loading: start-up is silent)."""
        return replace(self, fresh=(), queues_changed=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "office": self.config.office_name,
            "last_seq": self.last_seq,
            "current": self.current.to_json() if self.current else None,
            "history": [c.to_json() for c in self.history],
            "waits": [
                {"stage": w.stage, "stage_name": w.stage_name, "waiting": w.waiting, "wait_seconds": w.wait_seconds}
                for w in self.waits
            ],
        }


#: Marker: a call of a stage that is not announced (configuration, not an error).
_NOT_ANNOUNCED = Call(0, "", "", "", "", "", dt.datetime.min.replace(tzinfo=dt.UTC))


# ---------------------------------------------------------------------- reading from the database
#
# Only the display views (counter_desk.store.display_views): on PostgreSQL the display role may read nothing else.

_o = v.offices
_OFFICE = select(_o.c.id, _o.c.name, _o.c.timezone, _o.c.running_text)
# The event log as the display reads it: who acted, why and the event's data are not in the view; NULL stands in
# for them, so these rows map to an EventView like the log's own (EventView.from_row).
_EVENTS = select(*v.events.c, null().label("user_id"), null().label("reason"), null().label("data")).order_by(
    v.events.c.seq
)


@dataclass(frozen=True)
class _Office:
    id: int
    name: str
    timezone: str
    #: The office setting ``display_text`` as stored (JSON), None when not set.
    running_text: Any


def _office(session: Session, code: str | None) -> _Office:
    """The office named by ``code``, or the only one; the same errors as :func:`directory.office_info`, read
    through the display view (the TV may read no table)."""
    conn = session.connection()
    if code is not None:
        row = conn.execute(_OFFICE.where(_o.c.code == code)).one_or_none()
        if row is None:
            known = ", ".join(conn.execute(select(_o.c.code).order_by(_o.c.code)).scalars()) or _("none")
            raise NotFound(_("unknown office {code!r} (known: {known})", code=code, known=known))
        return _Office(*row)
    rows = conn.execute(_OFFICE.order_by(_o.c.id).limit(2)).all()
    if not rows:
        raise NotFound(_("this database has no office yet: run 'counter-desk db seed' to load the reference office"))
    if len(rows) > 1:
        raise InvalidInput(_("this database holds several offices: choose one with --office CODE"))
    return _Office(*rows[0])


def _codes(session: Session, office_id: int) -> tuple[dict[int, str], dict[int, str]]:
    """id -> code of the office's stages and stations (read fresh: stations may have been added)."""
    stages = session.execute(select(v.stages.c.id, v.stages.c.code).where(v.stages.c.office_id == office_id))
    stations = session.execute(select(v.stations.c.id, v.stations.c.code).where(v.stations.c.office_id == office_id))
    return dict(stages.all()), dict(stations.all())


def load_config(queue: QueueService) -> DisplayConfig:
    """The office's stages, stations and running text, read fresh."""
    with queue.db.read() as session:
        office = _office(session, queue.office_code)
        stage_rows = session.execute(select(v.stages).where(v.stages.c.office_id == office.id)).all()
        station_rows = session.execute(select(v.stations).where(v.stations.c.office_id == office.id)).all()
    stages = {s.code: StageLabel(s.code, s.name, bool(s.announce), s.position, s.kind) for s in stage_rows}
    by_id = {s.id: s.code for s in stage_rows}
    stations = {s.code: StationLabel(s.code, s.name, by_id.get(s.stage_id, "")) for s in station_rows}
    text = office.running_text
    running = " ".join(text.split()) if isinstance(text, str) and text.strip() else DEFAULT_RUNNING_TEXT
    return DisplayConfig(office.name, office.timezone, stages, stations, running)


def read_events(queue: QueueService, after: int, limit: int) -> list[EventView]:
    """The office's events with a sequence number above ``after``, oldest first (the display's change feed)."""
    with queue.db.read() as session:
        office = _office(session, queue.office_code)
        stages, stations = _codes(session, office.id)
        rows = session.execute(
            _EVENTS.where(v.events.c.office_id == office.id, v.events.c.seq > after).limit(limit)
        ).all()
    return [EventView.from_row(row, stages, stations, {}) for row in rows]


def read_estimates(queue: QueueService) -> list[StageEstimate]:
    """Waiting count and estimated wait of every stage, in flow order."""
    with queue.db.read() as session:
        office = _office(session, queue.office_code)
        return office_estimates(session, office.id, queue.clock.now())


def load_state(queue: QueueService, *, keep: int = RECENT_CALLS) -> DisplayState:
    """The display at start-up: today's latest calls and the waiting queues, nothing to announce.

    The last event sequence is read first, so a follower starting from ``state.last_seq`` misses nothing.
    """
    with queue.db.read() as session:
        seq = session.execute(select(func.coalesce(func.max(v.events.c.seq), 0))).scalar_one()
    config = load_config(queue)
    now = queue.clock.now()
    today = office_day(now, config.timezone)
    recent = _recent_calls(queue, seq, keep * 4)
    state = DisplayState(config, day=today).apply([e for e in recent if office_day(e.at, config.timezone) == today])
    state = replace(state, last_seq=seq)
    return state.with_waits(read_estimates(queue)).settled()


def _recent_calls(queue: QueueService, up_to: int, limit: int) -> list[EventView]:
    """The latest call and recall events up to sequence ``up_to``, oldest first."""
    e = v.events
    with queue.db.read() as session:
        office = _office(session, queue.office_code)
        stages, stations = _codes(session, office.id)
        rows = session.execute(
            _EVENTS.where(e.c.office_id == office.id, e.c.seq <= up_to, e.c.kind.in_(sorted(_CALL_KINDS)))
            .order_by(None)
            .order_by(e.c.seq.desc())
            .limit(limit)
        ).all()
    return [EventView.from_row(row, stages, stations, {}) for row in reversed(rows)]

"""Plain, immutable values the services hand back (what windows show and the CLI prints as JSON), the words for
the codes they carry, and the shapes of rows they are made from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from counter_desk.i18n import N_, lookup
from counter_desk.receipt_layout import Receipt

#: Where a ticket sent back to a queue goes in it.
POSITIONS = ("front", "end")
#: Why a booth is paused (``StationPause.reason``); ``other`` needs a note.
PAUSE_REASONS = ("break", "prayer", "system", "other")
PAUSE_LABELS = {
    "break": N_("break"),
    "prayer": N_("prayer"),
    "system": N_("system trouble"),
    "other": N_("other"),
}


def _word(labels: Mapping[str, str], code: str) -> str:
    """A code as a word for people, in the active language (an unknown code as it is)."""
    return lookup(labels[code]) if code in labels else code


def pause_reason_label(reason: str) -> str:
    """A pause reason as a word for people, in the active language."""
    return _word(PAUSE_LABELS, reason)


#: How an arrival compares with its booked hour (``CheckInInfo.arrival``).
ARRIVAL_LABELS = {
    "early": N_("early"),
    "on_time": N_("on time"),
    "late": N_("late"),
    "walk_in": N_("walk-in"),
    "no_slot": N_("no booked hour"),
}


def arrival_label(arrival: str) -> str:
    """An arrival judgement (``CheckInInfo.arrival``) as a word for people, in the active language."""
    return _word(ARRIVAL_LABELS, arrival)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


class TicketLike(Protocol):
    """A ticket as an ORM object or as a row returned by a Core statement."""

    id: int
    number: str
    day: dt.date
    status: str
    stage_id: int
    station_id: int | None
    category_id: int
    booking_id: int | None
    priority_level: int
    front: bool
    created_at: dt.datetime
    queued_at: dt.datetime
    called_at: dt.datetime | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    call_count: int
    outcome: str | None


class Place(Protocol):
    """A stage or a station by id, code and name: a ``directory`` info, an ORM object or a display view's row."""

    @property
    def id(self) -> int: ...
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...


class NameMaps(Protocol):
    """id -> code maps of an office's stages, stations and categories (``services.directory.Names``)."""

    stages: dict[int, str]
    stations: dict[int, str]
    categories: dict[int, str]


@dataclass(frozen=True)
class TicketView:
    id: int
    number: str
    day: dt.date
    status: str
    stage: str
    station: str | None
    category: str
    priority_level: int
    front: bool
    booking_code: str | None
    created_at: dt.datetime
    queued_at: dt.datetime
    called_at: dt.datetime | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    call_count: int
    outcome: str | None
    #: The booked hour's start (M-Paspor slot), for booked tickets.
    slot: dt.time | None = None

    @classmethod
    def from_row(cls, row: Sequence[Any], names: NameMaps) -> TicketView:
        """The view of a row of ``services.queue_status.TICKET_VIEWS``, its ids looked up in ``names``. The row is
        unpacked as a tuple: a Row's attribute access costs a microsecond, and a window reads hundreds of rows."""
        (id_, number, day, status, stage_id, station_id, category_id, priority_level, front, booking_code) = row[:10]
        created_at, queued_at, called_at, started_at, finished_at, call_count, outcome, slot = row[10:]
        return cls(
            id_,
            number,
            day,
            status,
            names.stages[stage_id],
            names.stations[station_id] if station_id is not None else None,
            names.categories[category_id],
            priority_level,
            front,
            booking_code,
            created_at,
            queued_at,
            called_at,
            started_at,
            finished_at,
            call_count,
            outcome,
            slot,
        )

    @classmethod
    def of(cls, ticket: TicketLike, names: NameMaps, booking: tuple[str, dt.time | None] | None = None) -> TicketView:
        """The view of a ticket (an ORM object or a row with its columns); ``booking``: its (code, slot)."""
        code, slot = booking if booking else (None, None)
        t = ticket
        row = (t.id, t.number, t.day, t.status, t.stage_id, t.station_id, t.category_id, t.priority_level, t.front)
        times = (t.created_at, t.queued_at, t.called_at, t.started_at, t.finished_at, t.call_count, t.outcome)
        return cls.from_row((*row, code, *times, slot), names)

    def waited_seconds(self, now: dt.datetime) -> int:
        """Seconds in the current stage's queue (until called, if called)."""
        end = self.called_at if self.called_at and self.called_at >= self.queued_at else now
        return max(0, int((end - self.queued_at).total_seconds()))

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = _jsonable(asdict(self))
        return data


@dataclass(frozen=True)
class CheckInInfo:
    """What reception checks against the identity card after a check-in, and how the arrival was judged.

    Name and NIK are masked as on receipts; the clerk compares them with the KTP in front of them.
    """

    #: ``early`` (before the slot), ``on_time``, ``late`` (after the check-in window), ``walk_in``, ``no_slot``.
    arrival: str
    application_number: str | None = None
    name_masked: str | None = None
    nik_masked: str | None = None
    birth_date: dt.date | None = None
    slot_date: dt.date | None = None
    slot_start: dt.time | None = None
    slot_end: dt.time | None = None
    #: Minutes from the slot's start to the check-in (negative: early); None without a slot.
    minutes_from_slot: int | None = None
    #: For a late arrival, the office rule applied: ``accept`` or ``end_of_queue``.
    late_policy: str | None = None
    #: What a supervisor overrode (``closed_day``, ``holiday``, ``before_open``, ``after_close``,
    #: ``late_refused``), and who.
    override: str | None = None
    override_by: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = _jsonable(asdict(self))
        return data


@dataclass(frozen=True)
class ApplicantView:
    """Who the held ticket is, for the officer (interview, adjudicator) before acting: the application number and
    the name and NIK masked as on receipts. None of it for a walk-in without a booking."""

    application_number: str
    name_masked: str | None
    nik_masked: str | None
    birth_date: dt.date | None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = _jsonable(asdict(self))
        return data


@dataclass(frozen=True)
class StationPause:
    """A booth's pause (break, prayer, system trouble): while it lasts the booth is not open."""

    station: str
    #: ``break``, ``prayer``, ``system`` or ``other``.
    reason: str
    note: str | None
    since: dt.datetime
    #: None while the booth is still paused.
    until: dt.datetime | None
    #: The event that recorded this change (None when only read).
    event_seq: int | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = _jsonable(asdict(self))
        return data


@dataclass(frozen=True)
class Result:
    """What a ticket action did: the ticket as it now is, and the event that recorded it.

    ``replayed`` is true when the action's idempotency token had been seen: nothing new happened and
    ``event_seq`` is None.
    """

    ticket: TicketView
    event_seq: int | None
    replayed: bool = False
    #: For check-in, return and transfer: how many tickets will be called before this one.
    ahead: int | None = None
    #: For check-in: the estimated wait in seconds (None when there is no recent service to go by).
    estimated_wait_seconds: int | None = None
    #: For check-in: what reception checks against the ID card, and the arrival's judgement.
    check_in: CheckInInfo | None = None
    #: For check-in: the queue ticket's receipt, made from what the check-in's transaction read and counted
    #: (None for a replayed check-in). Not part of the JSON.
    receipt: Receipt | None = field(default=None, compare=False, repr=False)

    def to_json(self) -> dict[str, Any]:
        out = self.ticket.to_json()
        out.update(event_seq=self.event_seq, replayed=self.replayed)
        if self.ahead is not None:
            out["ahead"] = self.ahead
            out["estimated_wait_seconds"] = self.estimated_wait_seconds
        if self.check_in is not None:
            out["check_in"] = self.check_in.to_json()
        return out


@dataclass(frozen=True)
class WaitingTicket:
    ticket: TicketView
    waited_seconds: int
    over_target: bool


@dataclass(frozen=True)
class StationState:
    code: str
    name: str
    ticket: TicketView | None
    #: Why the station is paused (``break``, ``prayer``, ``system``, ``other``), None when it is open.
    pause_reason: str | None = None
    #: Numbers of the tickets set aside at this station.
    parked: tuple[str, ...] = ()


@dataclass(frozen=True)
class QueueStatus:
    """A stage's queue in call order, and what each of its stations holds."""

    stage: str
    stage_name: str
    wait_target_minutes: int
    at: dt.datetime
    waiting: list[WaitingTicket] = field(default_factory=list)
    stations: list[StationState] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "stage_name": self.stage_name,
            "wait_target_minutes": self.wait_target_minutes,
            "at": self.at.isoformat(),
            "waiting_count": len(self.waiting),
            "waiting": [
                {**w.ticket.to_json(), "waited_seconds": w.waited_seconds, "over_target": w.over_target}
                for w in self.waiting
            ],
            "stations": [
                {
                    "station": s.code,
                    "name": s.name,
                    "ticket": s.ticket.to_json() if s.ticket else None,
                    "pause_reason": s.pause_reason,
                    "parked": list(s.parked),
                }
                for s in self.stations
            ],
        }


class EventRow(Protocol):
    """A row of the event log: an :class:`~counter_desk.store.models.Event` or a row read from a view of it."""

    @property
    def seq(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def created_at(self) -> dt.datetime: ...
    @property
    def ticket_id(self) -> int | None: ...
    @property
    def number(self) -> str | None: ...
    @property
    def from_status(self) -> str | None: ...
    @property
    def to_status(self) -> str | None: ...
    @property
    def stage_id(self) -> int | None: ...
    @property
    def station_id(self) -> int | None: ...
    @property
    def user_id(self) -> int | None: ...
    @property
    def reason(self) -> str | None: ...
    @property
    def data(self) -> Mapping[str, Any] | None: ...


@dataclass(frozen=True)
class EventView:
    seq: int
    kind: str
    at: dt.datetime
    ticket_id: int | None
    number: str | None
    from_status: str | None
    to_status: str | None
    stage: str | None
    station: str | None
    user: str | None
    reason: str | None
    data: dict[str, Any]

    @classmethod
    def from_row(
        cls, row: EventRow, stages: Mapping[int, str], stations: Mapping[int, str], users: Mapping[int, str]
    ) -> EventView:
        """The event with stage, station and user codes in place of their ids (``*_id`` -> code maps)."""
        return cls(
            seq=row.seq,
            kind=row.kind,
            at=row.created_at,
            ticket_id=row.ticket_id,
            number=row.number,
            from_status=row.from_status,
            to_status=row.to_status,
            stage=stages.get(row.stage_id) if row.stage_id else None,
            station=stations.get(row.station_id) if row.station_id else None,
            user=users.get(row.user_id) if row.user_id else None,
            reason=row.reason,
            data=dict(row.data or {}),
        )

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = _jsonable(asdict(self))
        return data

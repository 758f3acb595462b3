"""The event log of some days, walked ticket by ticket: the waits, services, no-shows and calls it records.

The supervisor's dashboard walks today's events here; the reports (:mod:`counter_desk.services.reports`) count
the same things over a month with a leaner walk of their own, to these definitions (tests/db/test_reports_walk.py
checks them against a plain walk). The event log (not the tickets' current columns) is the truth
(ARCHITECTURE §3):

- a **wait** runs from the moment a ticket joins a stage's queue (``checked_in``, ``returned`` or
  ``transferred`` into it) to the ``called`` event that takes it out; a waiting ticket moved to another stage
  before being called leaves no wait behind (it was not served at that stage);
- a **service** runs from ``started`` (the applicant at the counter) -- or from the call when the station never
  pressed *Start*, as the adjudicator does not -- to the ``finished`` or ``transferred`` event of the station
  that held the ticket; a return to the queue or a no-show is not a service;
- an **arrival** at a stage is a ticket joining its queue from outside (``checked_in``, ``transferred``);
  returns are the same applicant again and are not counted;
- a ticket set aside (``parked``) is neither waiting nor served until ``resumed``: its service runs from the
  resumption (or a later ``started``);
- every **call** is kept with its station and officer; a call made by number (``QueueService.call``) carries a
  reason, and ``data.out_of_order`` tells whether it skipped someone.

One query reads the events of the days' tickets (``tickets.day`` through ``ix_tickets_office_day_number``,
then ``ix_events_ticket``) and sorted by ticket and sequence; times come back as milliseconds since the epoch,
so a month of events is walked without building a datetime per row.
"""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass, field
from typing import Any, NamedTuple, cast
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, Select, func, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from counter_desk.states import Action, StationEvent, Status
from counter_desk.store import schema
from counter_desk.store.models import Event

_e = schema.events
_t = schema.tickets

# Records are NamedTuples: a month holds a million of them, and a frozen dataclass costs five times as much to
# build. Plain strings: reading an enum member's .value in a loop of a million events costs seconds.
_CALL, _START, _FINISH, _NO_SHOW = Action.CALL.value, Action.START.value, Action.FINISH.value, Action.NO_SHOW.value
_TRANSFER, _RETURN = Action.TRANSFER.value, Action.RETURN.value
_PARK, _RESUME = Action.PARK.value, Action.RESUME.value
_ENTER = frozenset({Action.CHECK_IN.value, _RETURN, _TRANSFER})
_HELD_STATES = frozenset({Status.CALLED.value, Status.SERVING.value})
_WAITING, _CALLED, _SERVING, _DONE = Status.WAITING.value, Status.CALLED.value, Status.SERVING.value, Status.DONE.value
_PARKED = Status.PARKED.value
_BY_TICKET_AND_SEQ = operator.itemgetter(0, 1)  # (ticket_id, seq) of a row
#: The Unix epoch as a Julian day number (what SQLite's julianday() counts in).
_JULIAN_EPOCH_DAYS = 2440587.5


def epoch_ms(column: Any, dialect: str) -> ColumnElement[int]:
    """``column`` (a UTC timestamp) as whole milliseconds since 1970 on either engine (integers: exact sums).

    PostgreSQL: ``EXTRACT(EPOCH ...)`` is a numeric there, slow over half a million rows; ``date_part`` gives the
    seconds as a double: the exact microseconds divided by 1e6, rounded once, so within 0.12 µs (half a unit in the
    last place of seconds below 2**31; 0.24 µs up to 2106). Times 1e6 rounds once more, by at most 0.125 µs
    (0.25 µs). The sum stays under half a microsecond, so ``round`` gives back the exact microseconds, and the
    integer division rounds them to milliseconds half up. tests/db/test_reports_walk.py compares it with the exact
    numeric arithmetic on tricky times.
    """
    if dialect == "postgresql":
        micros = sql_cast(func.round(func.date_part("epoch", column) * 1_000_000), BigInteger)
        return (micros + 500) // 1000
    # SQLite keeps naive UTC text; julianday() reads it, fractions of a second included.
    return sql_cast(func.round((func.julianday(column) - _JULIAN_EPOCH_DAYS) * 86_400_000.0), BigInteger)


class Wait(NamedTuple):
    ticket_id: int
    stage_id: int
    #: When the ticket joined the queue and when it was called (epoch milliseconds, as every time here).
    joined: int
    called: int
    #: The station and officer that called it.
    station_id: int | None
    user_id: int | None

    @property
    def seconds(self) -> float:
        return (self.called - self.joined) / 1000


class Service(NamedTuple):
    ticket_id: int
    stage_id: int
    station_id: int | None
    #: The officer who finished (or passed on) the ticket.
    user_id: int | None
    began: int
    ended: int
    #: ``finished`` or ``transferred``.
    kind: str

    @property
    def seconds(self) -> float:
        return (self.ended - self.began) / 1000


class Arrival(NamedTuple):
    ticket_id: int
    stage_id: int
    at: int
    #: ``checked_in`` (a new ticket) or ``transferred`` (from another stage).
    kind: str


class NoShow(NamedTuple):
    seq: int
    ticket_id: int
    stage_id: int
    station_id: int | None
    user_id: int | None
    at: int


@dataclass(frozen=True, slots=True)
class SpecificCall:
    """A call by ticket number (``queue call``): who, where, when and why; ``out_of_order`` if someone was skipped."""

    seq: int
    number: str
    stage_id: int
    station_id: int | None
    user_id: int | None
    at: dt.datetime
    reason: str
    out_of_order: bool


@dataclass
class Timeline:
    waits: list[Wait] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    arrivals: list[Arrival] = field(default_factory=list)
    #: (stage id, user id) -> how many calls: only counted, so no record per call is built.
    calls: dict[tuple[int, int | None], int] = field(default_factory=dict)
    no_shows: list[NoShow] = field(default_factory=list)
    #: Tickets whose last event leaves them marked no-show (never put back).
    open_no_shows: set[int] = field(default_factory=set)
    #: station id -> (sequence, user id) of the station's last event.
    last_at_station: dict[int, tuple[int, int | None]] = field(default_factory=dict)
    tickets: int = 0
    events: int = 0


def _days_tickets(office_id: int, first: dt.date, last: dt.date) -> ColumnElement[bool]:
    return cast("ColumnElement[bool]", (_t.c.office_id == office_id) & (_t.c.day >= first) & (_t.c.day <= last))


def read_timeline(  # noqa: PLR0912, PLR0915 - a branch per event kind, kept in one loop for speed
    session: Session, office_id: int, first: dt.date, last: dt.date
) -> Timeline:
    """Walk the events of the office's tickets issued from ``first`` to ``last`` (inclusive)."""
    dialect = session.get_bind().dialect.name
    rows = sorted(
        session.execute(
            select(
                _e.c.ticket_id,
                _e.c.seq,
                _e.c.kind,
                _e.c.stage_id,
                _e.c.station_id,
                _e.c.user_id,
                epoch_ms(_e.c.created_at, dialect),
            )
            .select_from(_t.join(_e, _e.c.ticket_id == _t.c.id))
            .where(_days_tickets(office_id, first, last))
        ).all(),
        # Sorted here rather than by the database: SQLite's ORDER BY over a month of events costs more than this.
        key=_BY_TICKET_AND_SEQ,
    )
    out = Timeline()
    waits, services, arrivals, calls, no_shows = out.waits, out.services, out.arrivals, out.calls, out.no_shows
    last_at_station = out.last_at_station
    current = None
    joined: int | None = None
    held_since = started = 0
    held_stage = 0
    status: str | None = None
    for ticket_id, seq, kind, stage_id, station_id, user_id, at in rows:
        if ticket_id != current:
            if status == _NO_SHOW and current is not None:
                out.open_no_shows.add(current)
            current, joined, status = ticket_id, None, None
            out.tickets += 1
        if station_id is not None:
            previous = last_at_station.get(station_id)
            if previous is None or previous[0] < seq:
                last_at_station[station_id] = (seq, user_id)
        if kind == _CALL:
            if joined is not None:
                waits.append(Wait(ticket_id, stage_id, joined, at, station_id, user_id))
            key = (stage_id, user_id)
            calls[key] = calls.get(key, 0) + 1
            joined, held_since, started, held_stage = None, at, 0, stage_id
            status = _CALLED
        elif kind == _START:
            started = at
            status = _SERVING
        elif kind == _FINISH:
            services.append(Service(ticket_id, held_stage, station_id, user_id, started or held_since, at, kind))
            status = _DONE
        elif kind in _ENTER:
            # The walk knows the state the event left the ticket in: no need to read from_status.
            if kind == _TRANSFER and status in _HELD_STATES:
                services.append(Service(ticket_id, held_stage, station_id, user_id, started or held_since, at, kind))
            if kind != _RETURN:
                arrivals.append(Arrival(ticket_id, stage_id, at, kind))
            joined = at
            status = _WAITING
        elif kind == _NO_SHOW:
            no_shows.append(NoShow(seq, ticket_id, stage_id, station_id, user_id, at))
            status = _NO_SHOW
        elif kind == _PARK:
            status = _PARKED
        elif kind == _RESUME:  # the service starts again from here: the time set aside is not service
            held_since, started, held_stage = at, 0, stage_id
            status = _CALLED
    if status == _NO_SHOW and current is not None:
        out.open_no_shows.add(current)
    out.events = len(rows)
    return out


def specific_calls_query(office_id: int, first: dt.date, last: dt.date) -> Select[Any]:
    """The calls made by ticket number on those days. ``reason IS NOT NULL`` is written out so that the partial
    index ``ix_events_reason`` (migration 0005) is used: only calls by number carry a reason."""
    days_tickets = select(_t.c.id).where(_days_tickets(office_id, first, last))
    return (
        select(_e.c.seq, _e.c.number, _e.c.stage_id, _e.c.station_id, _e.c.user_id, Event.created_at, _e.c.reason)
        .add_columns(Event.data)
        .where(_e.c.ticket_id.in_(days_tickets), _e.c.reason.is_not(None), _e.c.kind == Action.CALL.value)
        .order_by(_e.c.seq)
    )


def specific_calls(session: Session, office_id: int, first: dt.date, last: dt.date) -> list[SpecificCall]:
    """Calls made by ticket number on those days, oldest first (the out-of-order ones are flagged)."""
    rows = session.execute(specific_calls_query(office_id, first, last))
    return [
        # Calls recorded before the flag existed carried a reason only when made by number, out of order.
        SpecificCall(
            seq, number, stage_id, station_id, user_id, at, reason, bool((data or {}).get("out_of_order", True))
        )
        for seq, number, stage_id, station_id, user_id, at, reason, data in rows
    ]


@dataclass(frozen=True)
class Reordering:
    """A change of the call order (see :mod:`counter_desk.services.reports`)."""

    seq: int
    at: dt.datetime
    number: str
    stage_id: int
    station_id: int | None
    user_id: int | None
    reason: str | None
    kind: str


def moves_to_front(session: Session, office_id: int, first: dt.date, last: dt.date) -> list[Reordering]:
    """Tickets of those days put back or moved to the front of a queue, by anyone (``data.position = front``).

    Few events (returns and transfers), read whole; the position is picked from the JSON in Python, alike on both
    engines. A transfer's stage is the queue it moved to."""
    rows = session.execute(
        select(
            _e.c.seq,
            Event.created_at,
            _e.c.number,
            _e.c.stage_id,
            _e.c.station_id,
            _e.c.user_id,
            _e.c.reason,
            _e.c.kind,
            Event.data,
        )
        .where(
            _e.c.ticket_id.in_(select(_t.c.id).where(_days_tickets(office_id, first, last))),
            _e.c.kind.in_([Action.RETURN.value, Action.TRANSFER.value]),
        )
        .order_by(_e.c.seq)
    )
    return [
        Reordering(
            seq,
            at,
            number,
            stage_id,
            station_id,
            user_id,
            reason,
            "return" if kind == Action.RETURN.value else "transfer",
        )
        for seq, at, number, stage_id, station_id, user_id, reason, kind, data in rows
        if (data or {}).get("position") == "front"
    ]


def pauses_by_stage(  # noqa: PLR0917 - a range of days in a time zone, up to now
    session: Session, office_id: int, first: dt.date, last: dt.date, tz: ZoneInfo, now: dt.datetime
) -> dict[int, tuple[int, float]]:
    """stage id -> (pauses started in the range, their total seconds); a pause still open counts until ``now`` or
    the range's end, whichever is first."""
    start = dt.datetime.combine(first, dt.time(), tzinfo=tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    rows = session.execute(
        select(_e.c.station_id, _e.c.stage_id, _e.c.kind, Event.created_at)
        .where(
            _e.c.office_id == office_id,
            _e.c.kind.in_([StationEvent.PAUSE.value, StationEvent.UNPAUSE.value]),
            Event.created_at >= start,
            Event.created_at < end,
        )
        .order_by(_e.c.seq)
    ).all()
    open_since: dict[int, tuple[int, dt.datetime]] = {}
    out: dict[int, tuple[int, float]] = {}

    def add(stage_id: int, seconds: float) -> None:
        count, total = out.get(stage_id, (0, 0.0))
        out[stage_id] = (count + 1, total + seconds)

    for station_id, stage_id, kind, at in rows:
        if kind == StationEvent.PAUSE.value:
            open_since[station_id] = (stage_id, at)
        elif station_id in open_since:
            paused_stage, since = open_since.pop(station_id)
            add(paused_stage, (at - since).total_seconds())
    for paused_stage, since in open_since.values():
        add(paused_stage, max(0.0, (min(now, end) - since).total_seconds()))
    return out

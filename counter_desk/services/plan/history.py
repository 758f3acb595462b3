"""What the office's own event log says about its days, for the planner's model.

Read through SQLAlchemy like the reports, to the definitions of :mod:`counter_desk.services.timeline`:

- **service time** per stage kind and category: from ``started`` (or the call, when the station never pressed
  *Start*) to the ``finished`` or ``transferred`` event of the station that held the ticket;
- **walk**: from the call to ``started`` (the applicant crossing the room);
- **pause**: from a booth's end of service to its next call, when the next applicant was already waiting
  (pauses over ten minutes are breaks, not the rhythm of work, and are left out);
- **arrival offset**: check-in time minus the booked slot's start, booked applicants only;
- **absent share**: bookings of the history's days never checked in; **no-show share**: calls at the interview
  ending as a no-show;
- **walk-ins** per weekday, office hour and category: tickets issued without a booking, per day of that weekday.

With fewer than :data:`MIN_DAYS` days or :data:`MIN_SERVICES` interview services the history is *too little*:
the planner says so and uses the reference office's figures instead (:mod:`counter_desk.services.plan.reference`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from counter_desk.services.timeline import epoch_ms
from counter_desk.states import Action
from counter_desk.store import schema
from counter_desk.store.models import Booking, Category, Stage, Ticket

#: How far back the planner looks by default.
HISTORY_DAYS = 56
MIN_DAYS = 5
MIN_SERVICES = 200
#: A pause longer than this is a break, not part of the rhythm of calls.
MAX_PAUSE_S = 600.0

_e = schema.events
_t = schema.tickets
_CALL, _START, _FINISH = Action.CALL.value, Action.START.value, Action.FINISH.value
_TRANSFER, _NO_SHOW, _CHECK_IN = Action.TRANSFER.value, Action.NO_SHOW.value, Action.CHECK_IN.value
_RETURN = Action.RETURN.value


@dataclass
class History:
    """The figures, in seconds; ``days`` are the days that had tickets."""

    first: dt.date
    last: dt.date
    days: list[dt.date] = field(default_factory=list)
    #: (stage kind, category code) -> service times.
    services: dict[tuple[str, str], list[float]] = field(default_factory=lambda: defaultdict(list))
    walks: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    pauses: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    offsets: list[float] = field(default_factory=list)
    bookings: int = 0
    absent: int = 0
    calls: int = 0
    no_shows: int = 0
    #: (weekday 0-6, hour, category code) -> walk-ins on all days of that weekday; days of each weekday.
    walk_ins: dict[tuple[int, int, str], int] = field(default_factory=lambda: defaultdict(int))
    weekdays: dict[int, int] = field(default_factory=lambda: defaultdict(int))

    def services_at(self, kind: str) -> int:
        return sum(len(v) for (k, _c), v in self.services.items() if k == kind)

    @property
    def enough(self) -> bool:
        return len(self.days) >= MIN_DAYS and self.services_at("service") >= MIN_SERVICES

    @property
    def absent_share(self) -> float | None:
        return self.absent / self.bookings if self.bookings else None

    @property
    def no_show_share(self) -> float | None:
        return self.no_shows / self.calls if self.calls else None

    def walk_in_rates(self, weekday: int) -> dict[str, dict[int, float]]:
        """Walk-ins per hour and category on an average day of ``weekday`` (all days, if none of it)."""
        days = self.weekdays.get(weekday, 0)
        rates: dict[str, dict[int, float]] = defaultdict(dict)
        for (wd, hour, category), count in self.walk_ins.items():
            if days and wd != weekday:
                continue
            per_day = count / (days or max(1, len(self.days)))
            rates[category][hour] = rates[category].get(hour, 0.0) + per_day
        return dict(rates)

    def summary(self) -> dict[str, Any]:
        return {
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            "days": len(self.days),
            "interview_services": self.services_at("service"),
            "enough": self.enough,
            "absent_share": None if self.absent_share is None else round(self.absent_share, 4),
            "no_show_share": None if self.no_show_share is None else round(self.no_show_share, 4),
        }


def read_history(  # noqa: PLR0912, PLR0915 - a branch per event kind, kept in one loop (as timeline.py does)
    session: Session, office_id: int, timezone: str, first: dt.date, last: dt.date
) -> History:
    """The figures of the office's tickets issued from ``first`` to ``last`` (inclusive)."""
    dialect = session.get_bind().dialect.name
    tz = ZoneInfo(timezone)
    out = History(first, last)
    stage_kind = dict(session.execute(select(Stage.id, Stage.kind).where(Stage.office_id == office_id)).all())
    category_code = dict(
        session.execute(select(Category.id, Category.code).where(Category.office_id == office_id)).all()
    )
    tickets = {
        row.id: row
        for row in session.execute(
            select(Ticket.id, Ticket.day, Ticket.category_id, Ticket.booking_id, Booking.slot_start)
            .outerjoin(Booking, Booking.id == Ticket.booking_id)
            .where(Ticket.office_id == office_id, Ticket.day >= first, Ticket.day <= last)
        )
    }
    days = sorted({row.day for row in tickets.values()})
    out.days = days
    for day in days:
        out.weekdays[day.weekday()] += 1
    booking_rows = session.execute(
        select(Booking.status).where(
            Booking.office_id == office_id,
            Booking.slot_date.in_(days),
            Booking.status != "cancelled",
        )
    ).all()
    out.bookings = len(booking_rows)
    out.absent = sum(1 for (status,) in booking_rows if status == "booked")
    # Commit order: the booths' rhythm needs every ticket's events interleaved.
    rows = sorted(
        session.execute(
            select(
                _e.c.seq, _e.c.ticket_id, _e.c.kind, _e.c.stage_id, _e.c.station_id, epoch_ms(_e.c.created_at, dialect)
            )
            .select_from(_t.join(_e, _e.c.ticket_id == _t.c.id))
            .where(_t.c.office_id == office_id, _t.c.day >= first, _t.c.day <= last)
        ).all(),
        key=lambda r: int(r[0]),
    )
    joined: dict[int, int] = {}
    # ticket -> (called at, started at or 0, station, stage kind of the call)
    held: dict[int, tuple[int, int, int | None, str]] = {}
    booth_free: dict[int, int] = {}  # station -> when its last service ended
    for _seq, ticket_id, kind, stage_id, station_id, at in rows:
        ticket = tickets.get(ticket_id)
        if ticket is None:
            continue
        skind = stage_kind.get(stage_id, "")
        category = category_code.get(ticket.category_id, "?")
        if kind == _CHECK_IN:
            joined[ticket_id] = at
            _arrival(out, ticket, at, tz, skind=skind, category=category)
        elif kind == _CALL:
            if station_id is not None and skind == "service":
                out.calls += 1
            free = booth_free.get(station_id) if station_id is not None else None
            was_waiting = joined.get(ticket_id)
            if free is not None and was_waiting is not None and was_waiting <= free:
                pause = (at - free) / 1000
                if 0 <= pause <= MAX_PAUSE_S:
                    out.pauses[skind].append(pause)
            held[ticket_id] = (at, 0, station_id, skind)
        elif kind == _START and ticket_id in held:
            called, _s, station, held_kind = held[ticket_id]
            held[ticket_id] = (called, at, station, held_kind)
            out.walks[held_kind].append((at - called) / 1000)
        elif kind in (_FINISH, _TRANSFER):
            if ticket_id in held:
                # A transfer's event names the stage it moves to: the service was at the stage of the call.
                called, started, station, held_kind = held.pop(ticket_id)
                out.services[(held_kind, category)].append((at - (started or called)) / 1000)
                if station is not None:
                    booth_free[station] = at
            joined[ticket_id] = at
        elif kind == _RETURN:
            held.pop(ticket_id, None)
            joined[ticket_id] = at
        elif kind == _NO_SHOW:
            if skind == "service":
                out.no_shows += 1
            called_info = held.pop(ticket_id, None)
            if called_info is not None and called_info[2] is not None:
                booth_free[called_info[2]] = at
    return out


def _arrival(out: History, ticket: Any, at: int, tz: ZoneInfo, *, skind: str, category: str) -> None:
    local = dt.datetime.fromtimestamp(at / 1000, tz)
    seconds = local.hour * 3600 + local.minute * 60 + local.second
    if ticket.booking_id is not None:
        if ticket.slot_start is not None:
            slot = ticket.slot_start
            out.offsets.append(seconds - (slot.hour * 3600 + slot.minute * 60 + slot.second))
    elif skind == "service":
        out.walk_ins[(ticket.day.weekday(), local.hour, category)] += 1

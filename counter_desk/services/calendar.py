"""The office's calendar: its holidays, and working days counted over them.

A holiday is set or removed by a supervisor (or an admin), audited like every configuration change. Setting one
on a day that receipts already promise is refused unless the promised pickups move to the next working day;
a day with bookings is always refused (M-Paspor owns them). Working days are Monday to Friday minus the office's
holidays (:func:`working_day_after`), which is how a pickup's ready day is counted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from counter_desk.clock import Clock, SystemClock
from counter_desk.errors import InvalidInput
from counter_desk.i18n import _
from counter_desk.services import audit, directory, roles
from counter_desk.store.engine import Database
from counter_desk.store.models import Booking, Holiday, Pickup


@dataclass(frozen=True)
class HolidayView:
    day: dt.date
    name: str


def holidays(db: Database, office: str | None = None, *, year: int | None = None) -> list[HolidayView]:
    """The office's holidays, by day (of ``year`` if given)."""
    with db.read() as session:
        return holidays_of(session, directory.office_info(session, office).id, year=year)


def holidays_of(session: Session, office_id: int, *, year: int | None = None) -> list[HolidayView]:
    query = select(Holiday.day, Holiday.name).where(Holiday.office_id == office_id).order_by(Holiday.day)
    if year is not None:
        query = query.where(Holiday.day >= dt.date(year, 1, 1), Holiday.day <= dt.date(year, 12, 31))
    return [HolidayView(day, name) for day, name in session.execute(query).all()]


@dataclass(frozen=True)
class MovedPickup:
    """A pickup whose promised day became a holiday, and the working day it now reads."""

    application_number: str
    code: str
    before: dt.date
    after: dt.date

    def to_json(self) -> dict[str, Any]:
        return {
            "application_number": self.application_number,
            "code": self.code,
            "from": self.before.isoformat(),
            "to": self.after.isoformat(),
        }


@dataclass(frozen=True)
class HolidaySet:
    day: dt.date
    name: str
    #: Pickups moved to the next working day (only with ``move_pickups``), by application number.
    moved: tuple[MovedPickup, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(), "name": self.name, "moved_pickups": [m.to_json() for m in self.moved]}


class HolidayClash(InvalidInput):
    """The day holds promises: pickups ready that day (movable) or bookings (which M-Paspor owns)."""

    def __init__(self, message: str, *, pickups: int, bookings: int) -> None:
        super().__init__(message)
        self.pickups = pickups
        self.bookings = bookings


#: Pickups still to be collected: their receipt promises a day.
OPEN_PICKUPS = ("pending", "approved")


def set_holiday(
    db: Database,
    office: str | None,
    day: dt.date,
    name: str,
    *,
    move_pickups: bool = False,
    user: str | None = None,
    clock: Clock | None = None,
) -> HolidaySet:
    """Add (or rename) a holiday.

    A new holiday on a day that pickup receipts already promise (``ready_on``, not yet collected) is refused,
    naming how many, unless ``move_pickups``: then those pickups are moved to the next working day and listed
    (the office informs the applicants). A day with bookings is always refused: M-Paspor owns them, reschedule
    them first."""
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInput(_("a holiday needs a name of at most 200 characters"))
    now = (clock or SystemClock()).now()
    with db.write() as session:
        info = directory.office_info(session, office)
        roles.require_user_role(session, user, roles.RULES_ROLES)
        row = session.get(Holiday, (info.id, day))
        moved: list[MovedPickup] = []
        if row is None:
            moved = _clear_day(session, info.id, day, move_pickups)
            session.add(Holiday(office_id=info.id, day=day, name=name))
        else:
            row.name = name
        detail: dict[str, Any] = {"day": day.isoformat(), "name": name}
        if moved:
            detail["moved_pickups"] = [m.to_json() for m in moved]
        audit.record(session, info.id, "holiday_set", user=user, now=now, detail=detail)
        return HolidaySet(day, name, tuple(moved))


def _clear_day(session: Session, office_id: int, day: dt.date, move_pickups: bool) -> list[MovedPickup]:
    """Refuse a day with bookings, or with pickups ready that day unless moving them; move them."""
    booked = list(
        session.scalars(
            select(Booking.code)
            .where(Booking.office_id == office_id, Booking.slot_date == day, Booking.status != "cancelled")
            .order_by(Booking.code)
        )
    )
    pickups = list(
        session.scalars(
            select(Pickup)
            .where(Pickup.office_id == office_id, Pickup.ready_on == day, Pickup.status.in_(OPEN_PICKUPS))
            .order_by(Pickup.application_number)
            .with_for_update()
        )
    )
    if booked:
        shown = ", ".join(booked[:5]) + (", …" if len(booked) > 5 else "")
        msg = _(
            "{day} has {count} booking(s) ({codes}): M-Paspor must reschedule them before the day can be a holiday",
            day=day.isoformat(),
            count=len(booked),
            codes=shown,
        )
        raise HolidayClash(msg, pickups=len(pickups), bookings=len(booked))
    if pickups and not move_pickups:
        msg = _(
            "{count} passport pickup(s) are promised for {day}: set the holiday with the option to move them "
            "to the next working day, and inform the applicants",
            count=len(pickups),
            day=day.isoformat(),
        )
        raise HolidayClash(msg, pickups=len(pickups), bookings=0)
    if not pickups:
        return []
    after = working_day_after(session, office_id, day, 1)
    for pickup in pickups:
        pickup.ready_on = after
    return [MovedPickup(p.application_number, p.code, day, after) for p in pickups]


def remove_holiday(
    db: Database, office: str | None, day: dt.date, *, user: str | None = None, clock: Clock | None = None
) -> None:
    """Remove a holiday; a day that is not one is an error (a typo should not pass silently)."""
    now = (clock or SystemClock()).now()
    with db.write() as session:
        info = directory.office_info(session, office)
        roles.require_user_role(session, user, roles.RULES_ROLES)
        row = session.get(Holiday, (info.id, day))
        if row is None:
            raise InvalidInput(_("{day} is not a holiday of this office", day=day.isoformat()))
        session.delete(row)
        audit.record(session, info.id, "holiday_removed", user=user, now=now, detail={"day": day.isoformat()})


def add_working_days(day: dt.date, count: int, closed: set[dt.date]) -> dt.date:
    """The ``count``-th working day after ``day``: Saturdays, Sundays and ``closed`` days do not count."""
    current_day = day
    left = count
    while left > 0:
        current_day += dt.timedelta(days=1)
        if current_day.weekday() < 5 and current_day not in closed:
            left -= 1
    return current_day


def working_day_after(session: Session, office_id: int, day: dt.date, count: int) -> dt.date:
    """:func:`add_working_days` with the office's holiday calendar (inside the caller's transaction)."""
    closed = {
        row
        for (row,) in session.execute(
            select(Holiday.day).where(Holiday.office_id == office_id, Holiday.day > day)
        ).all()
    }
    return add_working_days(day, count, closed)

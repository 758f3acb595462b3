"""Retention: applicants' personal data is erased after the office's ``retention_days``; statistics stay.

What is personal: a booking's applicant name and NIK, a pickup's recipient name. They are set to NULL once the
booked day (for a pickup: the handover, or the receipt's issue when never collected) is more than
``retention_days`` days back. Tickets and events keep no names, so the statistics (waits, volumes, officers'
throughput) stay complete. Purging again finds nothing more: it is idempotent. Each purge that erased something
is recorded in the audit log (counts and cut-off only: the audit log itself never holds applicants' data).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select, update

from counter_desk.clock import Clock, SystemClock, office_day
from counter_desk.services import audit, directory, roles, rules
from counter_desk.store.engine import Database
from counter_desk.store.models import Booking, Pickup


@dataclass(frozen=True)
class PurgeReport:
    #: Personal data of bookings dated before this day (and of pickups closed before it) is erased.
    before: dt.date
    retention_days: int
    bookings: int
    pickups: int
    dry_run: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "before": self.before.isoformat(),
            "retention_days": self.retention_days,
            "bookings": self.bookings,
            "pickups": self.pickups,
            "dry_run": self.dry_run,
        }


def purge(
    db: Database,
    office: str | None = None,
    *,
    dry_run: bool = False,
    user: str | None = None,
    clock: Clock | None = None,
) -> PurgeReport:
    """Erase the personal data older than the office's retention period (or, with ``dry_run``, count it)."""
    now = (clock or SystemClock()).now()
    with db.write() as session:
        info = directory.office_info(session, office)
        roles.require_user_role(session, user, roles.PURGE_ROLES)
        days = int(rules.rules_of(session, info.id)["retention_days"])
        before = office_day(now, info.timezone) - dt.timedelta(days=days)
        # The start of that day in the office's time zone: pickups are dated by instants, bookings by days.
        cutoff = dt.datetime.combine(before, dt.time(0), tzinfo=ZoneInfo(info.timezone))
        old_booking = (
            (Booking.office_id == info.id)
            & (Booking.slot_date < before)
            & or_(Booking.applicant_name.is_not(None), Booking.nik.is_not(None), Booking.birth_date.is_not(None))
        )
        old_pickup = (
            (Pickup.office_id == info.id)
            & (func.coalesce(Pickup.handed_over_at, Pickup.issued_at) < cutoff)
            & Pickup.recipient_name.is_not(None)
        )
        bookings = session.scalar(select(func.count()).select_from(Booking).where(old_booking)) or 0
        pickups = session.scalar(select(func.count()).select_from(Pickup).where(old_pickup)) or 0
        if not dry_run and (bookings or pickups):
            session.execute(
                update(Booking).where(old_booking).values(applicant_name=None, nik=None, birth_date=None),
                execution_options={"synchronize_session": False},
            )
            session.execute(
                update(Pickup).where(old_pickup).values(recipient_name=None),
                execution_options={"synchronize_session": False},
            )
            detail = {"before": before.isoformat(), "bookings": bookings, "pickups": pickups}
            audit.record(session, info.id, "personal_data_purged", user=user, now=now, detail=detail)
    return PurgeReport(before, days, bookings, pickups, dry_run)

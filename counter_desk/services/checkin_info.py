"""What reception sees of a check-in (:class:`~counter_desk.services.views.CheckInInfo`): built when the ticket is
issued, and again from the ticket's ``checked_in`` event when a retry is replayed by its token.

Apart from :mod:`counter_desk.services.checkin` because the queue actions replay a check-in, and check-in uses
the queue actions.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from counter_desk.services.masking import mask_name, mask_nik
from counter_desk.services.views import CheckInInfo
from counter_desk.store.models import Booking, Event, Ticket


@dataclass(frozen=True)
class Arrival:
    """How a booked applicant's arrival relates to the booked slot and the office's check-in window."""

    kind: str
    minutes_from_slot: int | None
    #: Join the end of the queue (late, ``late_policy = end_of_queue``).
    to_end: bool
    #: The late policy applied to a late arrival.
    late_policy: str | None


def info_of(
    booking: Booking | None,
    arrival: Arrival | None,
    *,
    override: str | None = None,
    override_by: str | None = None,
) -> CheckInInfo:
    """What the check-in result shows reception."""
    if booking is None or arrival is None:
        return CheckInInfo(arrival="walk_in", override=override, override_by=override_by)
    return CheckInInfo(
        arrival=arrival.kind,
        application_number=booking.application_number,
        name_masked=mask_name(booking.applicant_name) or None,
        nik_masked=mask_nik(booking.nik) or None,
        birth_date=booking.birth_date,
        slot_date=booking.slot_date,
        slot_start=booking.slot_start,
        slot_end=booking.slot_end,
        minutes_from_slot=arrival.minutes_from_slot,
        late_policy=arrival.late_policy,
        override=override,
        override_by=override_by,
    )


def info_of_ticket(session: Session, ticket_id: int) -> CheckInInfo:
    """The check-in result of an issued ticket again (a retry replayed by its token): from its booking and the
    ``checked_in`` event's record of the arrival and any override."""
    ticket = session.get_one(Ticket, ticket_id)
    data = (
        session.scalars(
            select(Event.data).where(Event.ticket_id == ticket_id, Event.kind == "checked_in").order_by(Event.seq)
        ).first()
        or {}
    )
    booking = session.get(Booking, ticket.booking_id) if ticket.booking_id is not None else None
    if booking is None:
        return CheckInInfo(arrival="walk_in", override=data.get("override"), override_by=data.get("override_by"))
    arrival = Arrival(
        str(data.get("arrival", "no_slot")),
        data.get("minutes_from_slot"),
        to_end=bool(data.get("late")),
        late_policy=data.get("late_policy"),
    )
    return info_of(booking, arrival, override=data.get("override"), override_by=data.get("override_by"))

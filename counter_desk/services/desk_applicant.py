"""Who the ticket in front of an officer belongs to, masked as on receipts (the adjudicator's check, issue 14).

The adjudicator approves or rejects a file; before that they must see which file: the application number and
the applicant's name (masked, like the receipts), never the full NIK.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from counter_desk.services.pickups import mask_name, mask_nik
from counter_desk.store.engine import Database
from counter_desk.store.models import Booking, Ticket


@dataclass(frozen=True)
class Applicant:
    application_number: str
    name_masked: str
    nik_masked: str
    birth_date: dt.date | None


def applicant(db: Database, ticket_id: int) -> Applicant | None:
    """The booking behind ticket ``ticket_id`` (None for a walk-in: no booking, nothing to show)."""
    with db.read() as session:
        row = session.execute(
            select(Booking.application_number, Booking.applicant_name, Booking.nik, Booking.birth_date)
            .join(Ticket, Ticket.booking_id == Booking.id)
            .where(Ticket.id == ticket_id)
        ).first()
    if row is None:
        return None
    number, name, nik, born = row
    return Applicant(str(number), mask_name(name), mask_nik(nik), born)

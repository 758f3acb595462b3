"""A stage's or a station's queue in call order with waiting times, and what its stations hold, read as rows.

It builds no ORM objects: ``counter-desk queue status`` starts without importing the ORM (issue 15), and
:meth:`QueueService.status <counter_desk.services.queue.QueueService.status>` is this read.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import Connection, select

from counter_desk.errors import InvalidInput
from counter_desk.i18n import _
from counter_desk.services import directory
from counter_desk.services.views import QueueStatus, StationState, TicketLike, TicketView, WaitingTicket
from counter_desk.states import HELD, Status
from counter_desk.store import schema
from counter_desk.store.call_order import call_order
from counter_desk.store.engine import Database

_t = schema.tickets
_bookings = schema.bookings
_pauses = schema.station_pauses

#: Tickets with their booking's code and slot, in one query: a queue of hundreds is read in milliseconds.
_TICKETS = select(
    *_t.c, _bookings.c.code.label("booking_code"), _bookings.c.slot_start.label("slot_start")
).select_from(_t.outerjoin(_bookings, _bookings.c.id == _t.c.booking_id))


def read(
    db: Database, office: str | None, now: dt.datetime, *, stage: str | None = None, station: str | None = None
) -> QueueStatus:
    """The queue of ``stage`` (its active stations) or of ``station``'s stage (that station only), at ``now``."""
    if (stage is None) == (station is None):
        msg = _("ask for the status of a stage or of a station")
        raise InvalidInput(msg)
    with db.read_rows() as conn:
        info = directory.office_info(conn, office)
        if station is not None:
            st = directory.station_info(conn, info.id, station)
            stg = directory.stage_of(conn, st)
            stations = [st]
        else:
            assert stage is not None
            stg = directory.stage_info(conn, info.id, stage)
            stations = directory.stations_of(conn, stg)
        return _status(conn, directory.Names(conn, info.id), stg, stations, now)


def _status(
    conn: Connection,
    names: directory.Names,
    stg: directory.StageInfo,
    stations: list[directory.StationInfo],
    now: dt.datetime,
) -> QueueStatus:
    def view(row: Any) -> TicketView:  # a row of _TICKETS
        booking = (row.booking_code, row.slot_start) if row.booking_code is not None else None
        return TicketView.of(cast("TicketLike", row), names, booking)

    target = stg.wait_target_minutes * 60
    waiting = []
    query = _TICKETS.where(_t.c.stage_id == stg.id, _t.c.status == Status.WAITING.value).order_by(*call_order())
    for row in conn.execute(query):
        ticket = view(row)
        waited = ticket.waited_seconds(now)
        waiting.append(WaitingTicket(ticket, waited, waited > target))
    ids = [s.id for s in stations]
    held_query = _TICKETS.where(_t.c.station_id.in_(ids), _t.c.status.in_([s.value for s in HELD]))
    held = {row.station_id: view(row) for row in conn.execute(held_query)}
    pauses: dict[int, str] = dict(
        conn.execute(
            select(_pauses.c.station_id, _pauses.c.reason).where(
                _pauses.c.station_id.in_(ids), _pauses.c.ended_at.is_(None)
            )
        ).all()
    )
    parked: dict[int, list[str]] = {}  # a parked ticket always has its booth
    for station_id, number in conn.execute(
        select(_t.c.station_id, _t.c.number)
        .where(_t.c.station_id.in_(ids), _t.c.status == Status.PARKED.value)
        .order_by(_t.c.updated_at, _t.c.id)
    ):
        parked.setdefault(station_id, []).append(number)
    return QueueStatus(
        stage=stg.code,
        stage_name=stg.name,
        wait_target_minutes=stg.wait_target_minutes,
        at=now,
        waiting=waiting,
        stations=[
            StationState(s.code, s.name, held.get(s.id), pauses.get(s.id), tuple(parked.get(s.id, ())))
            for s in stations
        ],
    )

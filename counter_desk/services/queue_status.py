"""A stage's queue in call order with waiting times, and what its stations hold, read as plain rows.

It builds no ORM objects: ``counter-desk queue status`` starts without importing the ORM (issue 15),
:meth:`QueueService.status <counter_desk.services.queue.QueueService.status>` is :func:`read`, and a station
window's snapshot (:mod:`counter_desk.services.stations`) reads its queue with :func:`queue_of` and the statements
below, in its own transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import Connection, bindparam, select

from counter_desk.errors import InvalidInput
from counter_desk.i18n import _
from counter_desk.services import directory
from counter_desk.services.views import Place, QueueStatus, StationState, TicketView, WaitingTicket
from counter_desk.states import HELD, Status
from counter_desk.store import schema
from counter_desk.store.call_order import call_order
from counter_desk.store.engine import Database

_t = schema.tickets
_b = schema.bookings
_pauses = schema.station_pauses
#: Exactly what a :class:`TicketView` carries, in its order (the booking's code and slot joined in):
#: :meth:`TicketView.from_row` reads these rows. A window reads its stage's whole queue on every change, so the
#: read is one lean query, not an ORM load.
TICKET_VIEWS = select(
    _t.c.id,
    _t.c.number,
    _t.c.day,
    _t.c.status,
    _t.c.stage_id,
    _t.c.station_id,
    _t.c.category_id,
    _t.c.priority_level,
    _t.c.front,
    _b.c.code.label("booking_code"),
    _t.c.created_at,
    _t.c.queued_at,
    _t.c.called_at,
    _t.c.started_at,
    _t.c.finished_at,
    _t.c.call_count,
    _t.c.outcome,
    _b.c.slot_start,
).select_from(_t.outerjoin(_b, _b.c.id == _t.c.booking_id))
#: A stage's waiting tickets in call order.
WAITING = TICKET_VIEWS.where(_t.c.stage_id == bindparam("stage_id"), _t.c.status == Status.WAITING.value).order_by(
    *call_order()
)
#: What the given stations hold (called or being served).
HELD_AT = TICKET_VIEWS.where(
    _t.c.station_id.in_(bindparam("station_ids", expanding=True)), _t.c.status.in_([s.value for s in HELD])
)
#: What the given stations have set aside (parked), oldest first.
PARKED_AT = TICKET_VIEWS.where(
    _t.c.station_id.in_(bindparam("station_ids", expanding=True)), _t.c.status == Status.PARKED.value
).order_by(_t.c.updated_at, _t.c.id)
_PAUSED = select(_pauses.c.station_id, _pauses.c.reason).where(
    _pauses.c.station_id.in_(bindparam("station_ids", expanding=True)), _pauses.c.ended_at.is_(None)
)


class StagePlace(Place, Protocol):
    @property
    def wait_target_minutes(self) -> int: ...


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
        return queue_of(conn, directory.Names(conn, info.id), stg, stations, now)


def queue_of(
    conn: Connection, names: directory.Names, stage: StagePlace, stations: Sequence[Place], now: dt.datetime
) -> QueueStatus:
    """``stage``'s waiting tickets in call order, and what each of ``stations`` holds, has set aside, and whether it
    is paused. A ticket whose stage, station or category ``names`` does not know raises KeyError (a window then
    reads its names again)."""
    target = stage.wait_target_minutes * 60
    waiting = []
    for row in conn.execute(WAITING, {"stage_id": stage.id}).all():  # fetchall: psycopg's fetchone costs 10 µs
        ticket = TicketView.from_row(row, names)
        waited = ticket.waited_seconds(now)
        waiting.append(WaitingTicket(ticket, waited, waited > target))
    ids = {"station_ids": [s.id for s in stations]}
    held = {t.station: t for t in (TicketView.from_row(row, names) for row in conn.execute(HELD_AT, ids))}
    paused: dict[int, str] = dict(conn.execute(_PAUSED, ids).all())
    parked: dict[str | None, list[str]] = {}  # a parked ticket always has its booth
    for row in conn.execute(PARKED_AT, ids):
        ticket = TicketView.from_row(row, names)
        parked.setdefault(ticket.station, []).append(ticket.number)
    return QueueStatus(
        stage=stage.code,
        stage_name=stage.name,
        wait_target_minutes=stage.wait_target_minutes,
        at=now,
        waiting=waiting,
        stations=[
            StationState(s.code, s.name, held.get(s.code), paused.get(s.id), tuple(parked.get(s.code, ())))
            for s in stations
        ],
    )

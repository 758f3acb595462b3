"""The append-only event log and the gap-free counters.

Both counters are single rows incremented with ``UPDATE ... RETURNING``: the row lock is held until the
transaction commits, so numbers are gap-free (a rolled-back transaction gives its number back) and event
sequence numbers follow commit order. Take them as late as possible in a transaction to keep the lock short.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, bindparam, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from counter_desk.store.base import UTCDateTime
from counter_desk.store.models import Counter, TicketCounter

#: PostgreSQL NOTIFY channel; the payload is only the event's sequence number (ARCHITECTURE.md §5).
NOTIFY_CHANNEL = "counter_desk_events"
EVENT_COUNTER = "events"


_TYPED = (bindparam("data", type_=JSON()), bindparam("created_at", type_=UTCDateTime()))

# PostgreSQL: insert the event and queue the notification in one round trip. The database assigns ``seq``
# (trigger cd_events_stamp, migration 0006: it bumps the counter row), and an officer's ``user_id``: no client
# chooses either. (The literal is NOTIFY_CHANNEL; tests/db/test_live.py proves the notification arrives.)
_APPEND_PG = text(
    "WITH ins AS (INSERT INTO events (office_id, kind, ticket_id, number, from_status, to_status, stage_id,"
    " station_id, user_id, reason, data, created_at)"
    " VALUES (:office_id, :kind, :ticket_id, :number, :from_status, :to_status, :stage_id, :station_id,"
    " :user_id, :reason, :data, :created_at) RETURNING seq) "
    "SELECT seq, pg_notify('counter_desk_events', seq::text) FROM ins"
).bindparams(*_TYPED)
# SQLite (writers already serialised by BEGIN IMMEDIATE): two statements.
_BUMP_SQLITE = text("UPDATE counters SET value = value + 1 WHERE name = 'events' RETURNING value")
_INSERT_SQLITE = text(
    "INSERT INTO events (seq, office_id, kind, ticket_id, number, from_status, to_status, stage_id, station_id,"
    " user_id, reason, data, created_at) VALUES (:seq, :office_id, :kind, :ticket_id, :number, :from_status,"
    " :to_status, :stage_id, :station_id, :user_id, :reason, :data, :created_at)"
).bindparams(*_TYPED)


def append_event(
    session: Session,
    *,
    office_id: int,
    kind: str,
    at: dt.datetime,
    ticket_id: int | None = None,
    number: str | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    stage_id: int | None = None,
    station_id: int | None = None,
    user_id: int | None = None,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
) -> int:
    """Record one event in the caller's transaction and return its sequence number.

    On PostgreSQL the NOTIFY is delivered to listeners only when (and if) the transaction commits.
    """
    params = {
        "office_id": office_id,
        "kind": kind,
        "ticket_id": ticket_id,
        "number": number,
        "from_status": from_status,
        "to_status": to_status,
        "stage_id": stage_id,
        "station_id": station_id,
        "user_id": user_id,
        "reason": reason,
        "data": data or {},
        "created_at": at,
    }
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        seq: int = conn.execute(_APPEND_PG, params).scalar_one()
        return seq
    seq = conn.execute(_BUMP_SQLITE).scalar_one()
    conn.execute(_INSERT_SQLITE, {"seq": seq, **params})
    return seq


def next_ticket_seq(session: Session, office_id: int, day: dt.date, prefix: str) -> int:
    """The next number for ``prefix`` on ``day``, gap-free, under the counter row's lock."""
    dialect = session.get_bind().dialect.name
    values = {"office_id": office_id, "day": day, "prefix": prefix, "value": 0}
    if dialect == "postgresql":
        session.execute(postgresql.insert(TicketCounter).values(values).on_conflict_do_nothing())
    else:
        session.execute(sqlite.insert(TicketCounter).values(values).on_conflict_do_nothing())
    value: int = session.execute(
        update(TicketCounter)
        .where(
            TicketCounter.office_id == office_id,
            TicketCounter.day == day,
            TicketCounter.prefix == prefix,
        )
        .values(value=TicketCounter.value + 1)
        .returning(TicketCounter.value)
    ).scalar_one()
    return value


def last_event_seq(session: Session) -> int:
    value: int = session.execute(select(Counter.value).where(Counter.name == EVENT_COUNTER)).scalar_one()
    return value

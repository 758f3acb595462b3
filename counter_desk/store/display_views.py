"""The views the waiting-room display reads (migration 0009), as SQLAlchemy Core tables.

On PostgreSQL the display role may read these views and nothing else (:mod:`counter_desk.store.roles`); SQLite
has the same views, so one code path serves both engines. They hold what the TV shows or needs to order calls and
estimate waits: ticket numbers, stations, stages, times, statuses, event sequence numbers. No names, NIKs, phone
numbers, user names or ids, hashes, reasons or booking data.

They are not on the schema's metadata: ``create_all`` and ``alembic check`` deal in tables; the migration writes the
views, and tests/db/test_display.py checks that these columns match what the database has.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Integer, String, column, table

from counter_desk.store.base import UTCDateTime

#: The office, its time zone and the running text (office setting ``display_text``; NULL when not set).
offices = table(
    "display_offices",
    column("id", Integer),
    column("code", String),
    column("name", String),
    column("timezone", String),
    column("running_text", JSON),
)
stages = table(
    "display_stages",
    column("id", Integer),
    column("office_id", Integer),
    column("code", String),
    column("name", String),
    column("kind", String),
    column("announce", Boolean),
    column("position", Integer),
)
#: ``paused``: the station has an open pause (a break, prayer, system trouble) and serves nobody now.
stations = table(
    "display_stations",
    column("id", Integer),
    column("office_id", Integer),
    column("code", String),
    column("name", String),
    column("stage_id", Integer),
    column("active", Boolean),
    column("paused", Boolean),
)
#: Each ticket's stage, station and status: the waiting counts and which stations hold someone.
tickets = table(
    "display_tickets",
    column("office_id", Integer),
    column("stage_id", Integer),
    column("station_id", Integer),
    column("status", String),
)
#: The event log without who acted, why, or the event's data.
events = table(
    "display_events",
    column("seq", BigInteger),
    column("office_id", Integer),
    column("kind", String),
    column("ticket_id", Integer),
    column("number", String),
    column("from_status", String),
    column("to_status", String),
    column("stage_id", Integer),
    column("station_id", Integer),
    column("created_at", UTCDateTime()),
)

#: Every display view, and their names (the display role's grants).
ALL = (offices, stages, stations, tickets, events)
VIEWS: tuple[str, ...] = tuple(t.name for t in ALL)

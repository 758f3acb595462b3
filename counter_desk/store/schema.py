"""The tables: office, stages, stations, categories, bookings, tickets, the event log, users, as SQLAlchemy Core.

This module is the schema's one definition. :mod:`counter_desk.store.models` maps the ORM classes the services
work with onto these tables, and a read that needs no ORM objects (``counter-desk queue status``) uses them
directly, without importing the ORM at all: on an old office PC that is a quarter of a second per command.

Every rule a person might change (names, prefixes, priority levels, targets, tolerances) is a column seeded
for the reference office, never a constant in code.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    text,
)

from counter_desk.clock import DEFAULT_TIMEZONE
from counter_desk.states import EVENT_KINDS, HELD, Status
from counter_desk.store import base
from counter_desk.store.base import UTCDateTime

#: The metadata every table below is registered on (alembic's target, the grants' list of tables).
metadata = base.metadata


def _in(values: object) -> str:
    return ", ".join(f"'{v}'" for v in sorted(str(v) for v in values))  # type: ignore[attr-defined]


_STATUSES = _in(Status)
_HELD = _in(HELD)
_KINDS = _in(EVENT_KINDS)


def _id() -> Column[int]:
    return Column("id", Integer, primary_key=True)


def _code(name: str = "code", *, unique: bool = False) -> Column[str]:
    return Column(name, String(32), nullable=False, unique=unique or None)


def _name(name: str = "name") -> Column[str]:
    return Column(name, String(200), nullable=False)


def _fk(name: str, target: str, *, nullable: bool = False, unique: bool = False) -> Column[int]:
    return Column(name, Integer, ForeignKey(target), nullable=nullable, unique=unique or None)


def _at(name: str, *, nullable: bool = False) -> Column[object]:
    """A UTC timestamp (see :class:`~counter_desk.store.base.UTCDateTime`)."""
    return Column(name, UTCDateTime(), nullable=nullable)


def _partial(where: str) -> dict[str, Any]:
    """A partial index's predicate, on both engines."""
    return {"postgresql_where": text(where), "sqlite_where": text(where)}


offices = Table(
    "offices",
    metadata,
    _id(),
    _code(unique=True),
    _name(),
    Column("timezone", String(64), nullable=False, default=DEFAULT_TIMEZONE),
    #: ``slot``: booked applicants are ordered by their booked slot; ``arrival``: by the time they checked in.
    Column("queue_order", String(16), nullable=False, default="slot"),
    #: A no-show may be put back into the queue within this many minutes of being marked.
    Column("no_show_tolerance_minutes", Integer, nullable=False, default=30),
    CheckConstraint("queue_order IN ('slot', 'arrival')", name="queue_order"),
)

#: A step of the office's flow with its own queue (reception, interview, adjudication, pickup).
stages = Table(
    "stages",
    metadata,
    _id(),
    _fk("office_id", "offices.id"),
    _code(),
    _name(),
    _name("name_en"),
    Column("position", Integer, nullable=False, default=0),
    #: Calls of this stage are shown and spoken on the waiting-room display.
    Column("announce", Boolean, nullable=False, default=True),
    Column("wait_target_minutes", Integer, nullable=False, default=15),
    #: What its stations do: ``reception`` issues tickets, ``service`` calls and serves, ``adjudication``
    #: approves or rejects files, ``pickup`` hands passports over.
    Column("kind", String(16), nullable=False, default="service", server_default="service"),
    UniqueConstraint("office_id", "code"),
    CheckConstraint("kind IN ('reception', 'service', 'adjudication', 'pickup')", name="kind"),
)

#: A counter PC: where an officer calls and serves tickets of one stage.
stations = Table(
    "stations",
    metadata,
    _id(),
    _fk("office_id", "offices.id"),
    _fk("stage_id", "stages.id"),
    _code(),
    #: What the display shows and the voice says, e.g. "Wawancara 3".
    _name(),
    _name("name_en"),
    Column("active", Boolean, nullable=False, default=True),
    UniqueConstraint("office_id", "code"),
)

#: A service: booked application, a priority group, a lost passport, a pickup. Gives a ticket its number prefix,
#: its priority level and the stage where it first waits.
categories = Table(
    "categories",
    metadata,
    _id(),
    _fk("office_id", "offices.id"),
    _code(),
    _name(),
    _name("name_en"),
    Column("prefix", String(4), nullable=False),
    #: Higher is called first.
    Column("priority_level", Integer, nullable=False, default=0),
    #: May be issued without a booking.
    Column("walk_in", Boolean, nullable=False, default=False),
    _fk("start_stage_id", "stages.id"),
    Column("active", Boolean, nullable=False, default=True),
    #: Tickets of this category a day may issue; NULL: no limit. Walk-ins count against it at check-in.
    Column("daily_quota", Integer),
    #: Age limits of a priority group (elderly: min 60; child: max 5); NULL: no limit. Shown to the clerk.
    Column("min_age", Integer),
    Column("max_age", Integer),
    UniqueConstraint("office_id", "code"),
)

#: An M-Paspor appointment: the applicant shows its code (QR) or says the application number.
bookings = Table(
    "bookings",
    metadata,
    _id(),
    _fk("office_id", "offices.id"),
    Column("code", String(64), nullable=False),
    Column("application_number", String(64), nullable=False),
    _fk("category_id", "categories.id"),
    # Personal data: purged after the office's retention period (issue: retention).
    Column("applicant_name", String(200)),
    Column("nik", String(32)),
    Column("slot_date", Date, nullable=False),
    Column("slot_start", Time),
    Column("slot_end", Time),
    #: Date of birth, when the booking file gives it: reception checks it against the KTP (personal data).
    Column("birth_date", Date),
    Column("status", String(16), nullable=False, default="booked"),
    _at("created_at"),
    UniqueConstraint("office_id", "code"),
    UniqueConstraint("office_id", "application_number"),
    CheckConstraint("status IN ('booked', 'checked_in', 'cancelled')", name="status"),
    Index("ix_bookings_office_day", "office_id", "slot_date"),
)

#: A queue ticket: one applicant's passage through the office on one day.
tickets = Table(
    "tickets",
    metadata,
    _id(),
    _fk("office_id", "offices.id"),
    #: The office's calendar day the number belongs to (numbers restart every day, per prefix).
    Column("day", Date, nullable=False),
    Column("prefix", String(4), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("number", String(16), nullable=False),
    _fk("category_id", "categories.id"),
    _fk("booking_id", "bookings.id", nullable=True, unique=True),
    _fk("stage_id", "stages.id"),
    _fk("station_id", "stations.id", nullable=True),
    Column("status", String(16), nullable=False),
    Column("priority_level", Integer, nullable=False),
    #: Put back at the front of the queue: called before everyone of any priority.
    Column("front", Boolean, nullable=False, default=False),
    #: Position within a priority level: booked slot or arrival in the stage.
    _at("queue_key"),
    _at("created_at"),
    #: When the ticket (last) entered the current stage's queue: waiting time counts from here.
    _at("queued_at"),
    _at("called_at", nullable=True),
    _at("started_at", nullable=True),
    _at("finished_at", nullable=True),
    _at("no_show_at", nullable=True),
    Column("call_count", Integer, nullable=False, default=0),
    Column("outcome", String(32)),
    _at("updated_at"),
    UniqueConstraint("office_id", "day", "prefix", "seq"),
    CheckConstraint(f"status IN ({_STATUSES})", name="status"),
    CheckConstraint(f"station_id IS NOT NULL OR status NOT IN ({_HELD})", name="held_has_station"),
    # At most one called-or-serving ticket per station: the database holds the rule, not Python.
    Index("uq_tickets_live_station", "station_id", unique=True, **_partial(f"status IN ({_HELD})")),
    Index("ix_tickets_queue", "stage_id", "status", "front", "priority_level", "queue_key", "id"),
    # What a station holds: SQLite cannot use the partial index above for a bound IN list.
    Index("ix_tickets_station_status", "station_id", "status"),
    Index("ix_tickets_office_day_number", "office_id", "day", "number"),
)

#: One state change of a ticket (or of the office). Append-only: triggers refuse UPDATE and DELETE.
#:
#: ``seq`` is gap-free and in commit order: it is taken from the ``counters`` row inside the same transaction,
#: whose row lock is held until commit.
events = Table(
    "events",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    _fk("office_id", "offices.id"),
    Column("kind", String(32), nullable=False),
    _fk("ticket_id", "tickets.id", nullable=True),
    #: Snapshot of the ticket number, so a feed reader needs no join.
    Column("number", String(16)),
    Column("from_status", String(16)),
    Column("to_status", String(16)),
    _fk("stage_id", "stages.id", nullable=True),
    _fk("station_id", "stations.id", nullable=True),
    _fk("user_id", "users.id", nullable=True),
    Column("reason", Text),
    Column("data", JSON, nullable=False, default=dict),
    _at("created_at"),
    #: The row's place in its office's hash chain and the chain's hash up to it (filled by the database's
    #: ``zz_chain_events`` trigger; see store.chain).
    Column("chain_seq", BigInteger),
    Column("hash", String(64)),
    Index("uq_events_office_chain", "office_id", "chain_seq", unique=True),
    CheckConstraint(f"kind IN ({_KINDS})", name="kind"),
    Index("ix_events_ticket", "ticket_id", "seq"),
    # A station's (and the reports') events of a day.
    Index("ix_events_station_time", "station_id", "created_at"),
    # The report's calls by ticket number (services.reports._specific_calls): partial, so only the few events
    # with a reason are indexed (SQLite uses it when the query repeats the predicate).
    Index("ix_events_reason", "ticket_id", **_partial("reason IS NOT NULL")),
)

#: A booth paused by its officer (break, prayer, system trouble): not open while it lasts (issue 14).
#:
#: The events ``station_paused`` / ``station_resumed`` record the same; this row answers "is it paused now" with
#: one indexed read. At most one open pause per station (a partial unique index).
station_pauses = Table(
    "station_pauses",
    metadata,
    _id(),
    _fk("office_id", "offices.id"),
    _fk("station_id", "stations.id"),
    #: ``break``, ``prayer``, ``system`` or ``other`` (services.views.PAUSE_REASONS).
    Column("reason", String(16), nullable=False),
    Column("note", Text),
    _at("started_at"),
    _at("ended_at", nullable=True),
    _fk("started_by", "users.id", nullable=True),
    _fk("ended_by", "users.id", nullable=True),
    Index("uq_station_pauses_open", "station_id", unique=True, **_partial("ended_at IS NULL")),
)

#: Named gap-free counters (the event sequence). Incremented under a row lock held until commit.
counters = Table(
    "counters",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", BigInteger, nullable=False, default=0),
)

#: The last number issued per office, day and prefix.
ticket_counters = Table(
    "ticket_counters",
    metadata,
    Column("office_id", Integer, ForeignKey("offices.id"), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("prefix", String(4), primary_key=True),
    Column("value", Integer, nullable=False, default=0),
)

#: A click's token and what it did, so a retry returns the same ticket instead of acting twice.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("token", String(64), primary_key=True),
    Column("action", String(32), nullable=False),
    _fk("ticket_id", "tickets.id"),
    _fk("station_id", "stations.id", nullable=True),
    _at("created_at"),
)

#: An officer (see docs/SECURITY.md for who checks what).
users = Table(
    "users",
    metadata,
    _id(),
    _fk("office_id", "offices.id"),
    _code("username", unique=True),
    _name("full_name"),
    #: argon2 hash; NULL until a password is set. Deferred by the ORM mapping: officers on PostgreSQL may not
    #: read it (column grants), so ``select(User)`` leaves it out and only the sign-in code of the owner or SQLite
    #: loads it.
    Column("password_hash", String(200)),
    #: Space-separated roles: reception interview adjudicator pickup supervisor admin.
    Column("roles", String(200), nullable=False, default=""),
    Column("active", Boolean, nullable=False, default=True),
    Column("failed_logins", Integer, nullable=False, default=0),
    _at("locked_until", nullable=True),
    _at("created_at"),
)

#: One rule of an office (check-in window, ordering, office hours, retention...), edited by the supervisor. The
#: value is JSON, validated by ``counter_desk.services.rules``, which also holds every default.
office_settings = Table(
    "office_settings",
    metadata,
    Column("office_id", Integer, ForeignKey("offices.id"), primary_key=True),
    Column("key", String(64), primary_key=True),
    Column("value", JSON, nullable=False),
    _at("updated_at"),
    _fk("updated_by", "users.id", nullable=True),
)

#: A day the office is closed (national holiday, cuti bersama): no pickup is dated on it.
holidays = Table(
    "holidays",
    metadata,
    Column("office_id", Integer, ForeignKey("offices.id"), primary_key=True),
    Column("day", Date, primary_key=True),
    _name(),
)

#: A passport to be collected: born with the pickup receipt at the interview, closed by the handover.
pickups = Table(
    "pickups",
    metadata,
    _id(),
    _fk("office_id", "offices.id"),
    #: What the receipt's barcode and QR code carry.
    Column("code", String(32), nullable=False, unique=True),
    Column("application_number", String(64), nullable=False),
    _fk("booking_id", "bookings.id", nullable=True),
    #: The interview ticket that issued the receipt.
    _fk("ticket_id", "tickets.id", unique=True),
    #: First working day the passport may be collected.
    Column("ready_on", Date, nullable=False),
    Column("status", String(16), nullable=False, default="pending"),
    _at("issued_at"),
    _at("decided_at", nullable=True),
    _at("handed_over_at", nullable=True),
    _fk("handed_over_by", "users.id", nullable=True),
    #: The pickup-counter ticket the applicant queued with.
    _fk("pickup_ticket_id", "tickets.id", nullable=True, unique=True),
    #: ``applicant`` or ``family`` (a family member on the same KK); personal data, purged with the booking.
    Column("recipient", String(16)),
    Column("recipient_name", String(200)),
    CheckConstraint("status IN ('pending', 'approved', 'rejected', 'handed_over')", name="status"),
    Index("ix_pickups_office_application", "office_id", "application_number"),
)

#: Who signed in (or failed to), and every configuration change. Append-only, like the event log.
audit_log = Table(
    "audit_log",
    metadata,
    _id(),
    _fk("office_id", "offices.id"),
    Column("kind", String(32), nullable=False),
    _fk("user_id", "users.id", nullable=True),
    #: Snapshot of the name typed at sign-in, also when no such user exists.
    Column("username", String(64)),
    _fk("station_id", "stations.id", nullable=True),
    Column("detail", JSON, nullable=False, default=dict),
    _at("created_at"),
    #: Hash chain, as on ``events`` (trigger ``zz_chain_audit_log``).
    Column("chain_seq", BigInteger),
    Column("hash", String(64)),
    Index("ix_audit_office_time", "office_id", "created_at"),
    Index("uq_audit_log_office_chain", "office_id", "chain_seq", unique=True),
)

#: The newest link of an office's hash chain per log (``events``, ``audit_log``): written only by the chain
#: triggers, under a row lock that chains concurrent inserts one after the other.
chain_heads = Table(
    "chain_heads",
    metadata,
    Column("table_name", String(32), primary_key=True),
    Column("office_id", Integer, ForeignKey("offices.id"), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

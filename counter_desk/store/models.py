"""The data model: office, stages, stations, categories, bookings, tickets, the event log, users.

Every rule a person might change (names, prefixes, priority levels, targets, tolerances) is a column seeded
for the reference office, never a constant in code.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from counter_desk.clock import DEFAULT_TIMEZONE
from counter_desk.states import EVENT_KINDS, HELD, Status
from counter_desk.store.base import Base, Code, IntPK, Name


def _in(values: object) -> str:
    return ", ".join(f"'{v}'" for v in sorted(str(v) for v in values))  # type: ignore[attr-defined]


_STATUSES = _in(Status)
_HELD = _in(HELD)
_KINDS = _in(EVENT_KINDS)


class Office(Base):
    __tablename__ = "offices"

    id: Mapped[IntPK]
    code: Mapped[Code] = mapped_column(unique=True)
    name: Mapped[Name]
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE)
    #: ``slot``: booked applicants are ordered by their booked slot; ``arrival``: by the time they checked in.
    queue_order: Mapped[str] = mapped_column(String(16), default="slot")
    #: A no-show may be put back into the queue within this many minutes of being marked.
    no_show_tolerance_minutes: Mapped[int] = mapped_column(default=30)

    __table_args__ = (CheckConstraint("queue_order IN ('slot', 'arrival')", name="queue_order"),)


class Stage(Base):
    """A step of the office's flow with its own queue (reception, interview, adjudication, pickup)."""

    __tablename__ = "stages"

    id: Mapped[IntPK]
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    code: Mapped[Code]
    name: Mapped[Name]
    name_en: Mapped[Name]
    position: Mapped[int] = mapped_column(default=0)
    #: Calls of this stage are shown and spoken on the waiting-room display.
    announce: Mapped[bool] = mapped_column(Boolean, default=True)
    wait_target_minutes: Mapped[int] = mapped_column(default=15)
    #: What its stations do: ``reception`` issues tickets, ``service`` calls and serves, ``adjudication``
    #: approves or rejects files, ``pickup`` hands passports over.
    kind: Mapped[str] = mapped_column(String(16), default="service", server_default="service")

    __table_args__ = (
        UniqueConstraint("office_id", "code"),
        CheckConstraint("kind IN ('reception', 'service', 'adjudication', 'pickup')", name="kind"),
    )


class Station(Base):
    """A counter PC: where an officer calls and serves tickets of one stage."""

    __tablename__ = "stations"

    id: Mapped[IntPK]
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id"))
    code: Mapped[Code]
    #: What the display shows and the voice says, e.g. "Wawancara 3".
    name: Mapped[Name]
    name_en: Mapped[Name]
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (UniqueConstraint("office_id", "code"),)


class Category(Base):
    """A service: booked application, a priority group, a lost passport, a pickup.

    Gives a ticket its number prefix, its priority level and the stage where it first waits.
    """

    __tablename__ = "categories"

    id: Mapped[IntPK]
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    code: Mapped[Code]
    name: Mapped[Name]
    name_en: Mapped[Name]
    prefix: Mapped[str] = mapped_column(String(4))
    #: Higher is called first.
    priority_level: Mapped[int] = mapped_column(default=0)
    #: May be issued without a booking.
    walk_in: Mapped[bool] = mapped_column(Boolean, default=False)
    start_stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Tickets of this category a day may issue; None: no limit. Walk-ins count against it at check-in.
    daily_quota: Mapped[int | None]
    #: Age limits of a priority group (elderly: min 60; child: max 5); None: no limit. Shown to the clerk.
    min_age: Mapped[int | None]
    max_age: Mapped[int | None]

    __table_args__ = (UniqueConstraint("office_id", "code"),)


class Booking(Base):
    """An M-Paspor appointment: the applicant shows its code (QR) or says the application number."""

    __tablename__ = "bookings"

    id: Mapped[IntPK]
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    code: Mapped[str] = mapped_column(String(64))
    application_number: Mapped[str] = mapped_column(String(64))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    # Personal data: purged after the office's retention period (issue: retention).
    applicant_name: Mapped[str | None] = mapped_column(String(200))
    nik: Mapped[str | None] = mapped_column(String(32))
    slot_date: Mapped[dt.date] = mapped_column(Date)
    slot_start: Mapped[dt.time | None] = mapped_column(Time)
    slot_end: Mapped[dt.time | None] = mapped_column(Time)
    #: Date of birth, when the booking file gives it: reception checks it against the KTP (personal data).
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="booked")
    created_at: Mapped[dt.datetime]

    __table_args__ = (
        UniqueConstraint("office_id", "code"),
        UniqueConstraint("office_id", "application_number"),
        CheckConstraint("status IN ('booked', 'checked_in', 'cancelled')", name="status"),
        Index("ix_bookings_office_day", "office_id", "slot_date"),
    )


class Ticket(Base):
    """A queue ticket: one applicant's passage through the office on one day."""

    __tablename__ = "tickets"

    id: Mapped[IntPK]
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    #: The office's calendar day the number belongs to (numbers restart every day, per prefix).
    day: Mapped[dt.date] = mapped_column(Date)
    prefix: Mapped[str] = mapped_column(String(4))
    seq: Mapped[int]
    number: Mapped[str] = mapped_column(String(16))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"), unique=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id"))
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"))
    status: Mapped[str] = mapped_column(String(16))
    priority_level: Mapped[int]
    #: Put back at the front of the queue: called before everyone of any priority.
    front: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Position within a priority level: booked slot or arrival in the stage.
    queue_key: Mapped[dt.datetime]
    created_at: Mapped[dt.datetime]
    #: When the ticket (last) entered the current stage's queue: waiting time counts from here.
    queued_at: Mapped[dt.datetime]
    called_at: Mapped[dt.datetime | None]
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    no_show_at: Mapped[dt.datetime | None]
    call_count: Mapped[int] = mapped_column(default=0)
    outcome: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[dt.datetime]

    __table_args__ = (
        UniqueConstraint("office_id", "day", "prefix", "seq"),
        CheckConstraint(f"status IN ({_STATUSES})", name="status"),
        CheckConstraint(f"station_id IS NOT NULL OR status NOT IN ({_HELD})", name="held_has_station"),
        # At most one called-or-serving ticket per station: the database holds the rule, not Python.
        Index(
            "uq_tickets_live_station",
            "station_id",
            unique=True,
            postgresql_where=text(f"status IN ({_HELD})"),
            sqlite_where=text(f"status IN ({_HELD})"),
        ),
        Index("ix_tickets_queue", "stage_id", "status", "front", "priority_level", "queue_key", "id"),
        # What a station holds: SQLite cannot use the partial index above for a bound IN list.
        Index("ix_tickets_station_status", "station_id", "status"),
        Index("ix_tickets_office_day_number", "office_id", "day", "number"),
    )


class Event(Base):
    """One state change of a ticket (or of the office). Append-only: triggers refuse UPDATE and DELETE.

    ``seq`` is gap-free and in commit order: it is taken from the ``counters`` row inside the same
    transaction, whose row lock is held until commit.
    """

    __tablename__ = "events"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    kind: Mapped[str] = mapped_column(String(32))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    #: Snapshot of the ticket number, so a feed reader needs no join.
    number: Mapped[str | None] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id"))
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime]
    #: The row's place in its office's hash chain and the chain's hash up to it (filled by the database's
    #: ``zz_chain_events`` trigger; see store.chain).
    chain_seq: Mapped[int | None] = mapped_column(BigInteger)
    hash: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        Index("uq_events_office_chain", "office_id", "chain_seq", unique=True),
        CheckConstraint(f"kind IN ({_KINDS})", name="kind"),
        Index("ix_events_ticket", "ticket_id", "seq"),
        # A station's (and the reports') events of a day.
        Index("ix_events_station_time", "station_id", "created_at"),
        # The report's calls by ticket number (services.reports._specific_calls): partial, so only the few events
        # with a reason are indexed (SQLite uses it when the query repeats the predicate).
        Index(
            "ix_events_reason",
            "ticket_id",
            postgresql_where=text("reason IS NOT NULL"),
            sqlite_where=text("reason IS NOT NULL"),
        ),
    )


class StationPause(Base):
    """A booth paused by its officer (break, prayer, system trouble): not open while it lasts (issue 14).

    The events ``station_paused`` / ``station_resumed`` record the same; this row answers "is it paused now"
    with one indexed read. At most one open pause per station (a partial unique index).
    """

    __tablename__ = "station_pauses"

    id: Mapped[IntPK]
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    #: ``break``, ``prayer``, ``system`` or ``other`` (services.queue.PAUSE_REASONS).
    reason: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[dt.datetime]
    ended_at: Mapped[dt.datetime | None]
    started_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ended_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    __table_args__ = (
        Index(
            "uq_station_pauses_open",
            "station_id",
            unique=True,
            postgresql_where=text("ended_at IS NULL"),
            sqlite_where=text("ended_at IS NULL"),
        ),
    )


class Counter(Base):
    """Named gap-free counters (the event sequence). Incremented under a row lock held until commit."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class TicketCounter(Base):
    """The last number issued per office, day and prefix."""

    __tablename__ = "ticket_counters"

    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(4), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class IdempotencyKey(Base):
    """A click's token and what it did, so a retry returns the same ticket instead of acting twice."""

    __tablename__ = "idempotency_keys"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    action: Mapped[str] = mapped_column(String(32))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"))
    created_at: Mapped[dt.datetime]


class User(Base):
    """An officer. Sign-in and roles are enforced by the services (see the users issue)."""

    __tablename__ = "users"

    id: Mapped[IntPK]
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    username: Mapped[Code] = mapped_column(unique=True)
    full_name: Mapped[Name]
    #: argon2 hash; None until a password is set. Deferred: officers on PostgreSQL may not read it (column grants),
    #: so ``select(User)`` leaves it out and only the sign-in code of the owner or SQLite loads it.
    password_hash: Mapped[str | None] = mapped_column(String(200), deferred=True)
    #: Space-separated roles: reception interview adjudicator pickup supervisor admin.
    roles: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]


class OfficeSetting(Base):
    """One rule of an office (check-in window, ordering, office hours, retention...), edited by the supervisor.

    The value is JSON, validated by ``counter_desk.services.rules``, which also holds every default.
    """

    __tablename__ = "office_settings"

    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime]
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Holiday(Base):
    """A day the office is closed (national holiday, cuti bersama): no pickup is dated on it."""

    __tablename__ = "holidays"

    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    name: Mapped[Name]


class Pickup(Base):
    """A passport to be collected: born with the pickup receipt at the interview, closed by the handover."""

    __tablename__ = "pickups"

    id: Mapped[IntPK]
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    #: What the receipt's barcode and QR code carry.
    code: Mapped[str] = mapped_column(String(32), unique=True)
    application_number: Mapped[str] = mapped_column(String(64))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))
    #: The interview ticket that issued the receipt.
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), unique=True)
    #: First working day the passport may be collected.
    ready_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    issued_at: Mapped[dt.datetime]
    decided_at: Mapped[dt.datetime | None]
    handed_over_at: Mapped[dt.datetime | None]
    handed_over_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The pickup-counter ticket the applicant queued with.
    pickup_ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), unique=True)
    #: ``applicant`` or ``family`` (a family member on the same KK); personal data, purged with the booking.
    recipient: Mapped[str | None] = mapped_column(String(16))
    recipient_name: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'rejected', 'handed_over')", name="status"),
        Index("ix_pickups_office_application", "office_id", "application_number"),
    )


class AuditEntry(Base):
    """Who signed in (or failed to), and every configuration change. Append-only, like the event log."""

    __tablename__ = "audit_log"

    id: Mapped[IntPK]
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    kind: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: Snapshot of the name typed at sign-in, also when no such user exists.
    username: Mapped[str | None] = mapped_column(String(64))
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime]
    #: Hash chain, as on :class:`Event` (trigger ``zz_chain_audit_log``).
    chain_seq: Mapped[int | None] = mapped_column(BigInteger)
    hash: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_audit_office_time", "office_id", "created_at"),
        Index("uq_audit_log_office_chain", "office_id", "chain_seq", unique=True),
    )


class ChainHead(Base):
    """The newest link of an office's hash chain per log (``events``, ``audit_log``): written only by the chain
    triggers, under a row lock that chains concurrent inserts one after the other."""

    __tablename__ = "chain_heads"

    table_name: Mapped[str] = mapped_column(String(32), primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))

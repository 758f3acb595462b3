"""The ORM classes the services work with, mapped onto the tables of :mod:`counter_desk.store.schema`.

The columns, their types, constraints and meaning are defined once, there; the annotations here give each
attribute its Python type for mypy. A read that needs no ORM objects uses the tables directly.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import DeclarativeBase, Mapped, deferred

from counter_desk.store import schema
from counter_desk.store.base import metadata


class Base(DeclarativeBase):
    metadata = metadata


class Office(Base):
    __table__ = schema.offices

    id: Mapped[int]
    code: Mapped[str]
    name: Mapped[str]
    timezone: Mapped[str]
    queue_order: Mapped[str]
    no_show_tolerance_minutes: Mapped[int]


class Stage(Base):
    """A step of the office's flow with its own queue (reception, interview, adjudication, pickup)."""

    __table__ = schema.stages

    id: Mapped[int]
    office_id: Mapped[int]
    code: Mapped[str]
    name: Mapped[str]
    name_en: Mapped[str]
    position: Mapped[int]
    announce: Mapped[bool]
    wait_target_minutes: Mapped[int]
    kind: Mapped[str]


class Station(Base):
    """A counter PC: where an officer calls and serves tickets of one stage."""

    __table__ = schema.stations

    id: Mapped[int]
    office_id: Mapped[int]
    stage_id: Mapped[int]
    code: Mapped[str]
    name: Mapped[str]
    name_en: Mapped[str]
    active: Mapped[bool]


class Category(Base):
    """A service: booked application, a priority group, a lost passport, a pickup."""

    __table__ = schema.categories

    id: Mapped[int]
    office_id: Mapped[int]
    code: Mapped[str]
    name: Mapped[str]
    name_en: Mapped[str]
    prefix: Mapped[str]
    priority_level: Mapped[int]
    walk_in: Mapped[bool]
    start_stage_id: Mapped[int]
    active: Mapped[bool]
    daily_quota: Mapped[int | None]
    min_age: Mapped[int | None]
    max_age: Mapped[int | None]


class Booking(Base):
    """An M-Paspor appointment: the applicant shows its code (QR) or says the application number."""

    __table__ = schema.bookings

    id: Mapped[int]
    office_id: Mapped[int]
    code: Mapped[str]
    application_number: Mapped[str]
    category_id: Mapped[int]
    applicant_name: Mapped[str | None]
    nik: Mapped[str | None]
    slot_date: Mapped[dt.date]
    slot_start: Mapped[dt.time | None]
    slot_end: Mapped[dt.time | None]
    birth_date: Mapped[dt.date | None]
    status: Mapped[str]
    created_at: Mapped[dt.datetime]


class Ticket(Base):
    """A queue ticket: one applicant's passage through the office on one day."""

    __table__ = schema.tickets

    id: Mapped[int]
    office_id: Mapped[int]
    day: Mapped[dt.date]
    prefix: Mapped[str]
    seq: Mapped[int]
    number: Mapped[str]
    category_id: Mapped[int]
    booking_id: Mapped[int | None]
    stage_id: Mapped[int]
    station_id: Mapped[int | None]
    status: Mapped[str]
    priority_level: Mapped[int]
    front: Mapped[bool]
    queue_key: Mapped[dt.datetime]
    created_at: Mapped[dt.datetime]
    queued_at: Mapped[dt.datetime]
    called_at: Mapped[dt.datetime | None]
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    no_show_at: Mapped[dt.datetime | None]
    call_count: Mapped[int]
    outcome: Mapped[str | None]
    updated_at: Mapped[dt.datetime]


class Event(Base):
    """One state change of a ticket (or of the office). Append-only: triggers refuse UPDATE and DELETE."""

    __table__ = schema.events

    seq: Mapped[int]
    office_id: Mapped[int]
    kind: Mapped[str]
    ticket_id: Mapped[int | None]
    number: Mapped[str | None]
    from_status: Mapped[str | None]
    to_status: Mapped[str | None]
    stage_id: Mapped[int | None]
    station_id: Mapped[int | None]
    user_id: Mapped[int | None]
    reason: Mapped[str | None]
    data: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime]
    chain_seq: Mapped[int | None]
    hash: Mapped[str | None]


class StationPause(Base):
    """A booth paused by its officer (break, prayer, system trouble): not open while it lasts (issue 14)."""

    __table__ = schema.station_pauses

    id: Mapped[int]
    office_id: Mapped[int]
    station_id: Mapped[int]
    reason: Mapped[str]
    note: Mapped[str | None]
    started_at: Mapped[dt.datetime]
    ended_at: Mapped[dt.datetime | None]
    started_by: Mapped[int | None]
    ended_by: Mapped[int | None]


class Counter(Base):
    """Named gap-free counters (the event sequence). Incremented under a row lock held until commit."""

    __table__ = schema.counters

    name: Mapped[str]
    value: Mapped[int]


class TicketCounter(Base):
    """The last number issued per office, day and prefix."""

    __table__ = schema.ticket_counters

    office_id: Mapped[int]
    day: Mapped[dt.date]
    prefix: Mapped[str]
    value: Mapped[int]


class IdempotencyKey(Base):
    """A click's token and what it did, so a retry returns the same ticket instead of acting twice."""

    __table__ = schema.idempotency_keys

    token: Mapped[str]
    action: Mapped[str]
    ticket_id: Mapped[int]
    station_id: Mapped[int | None]
    created_at: Mapped[dt.datetime]


class User(Base):
    """An officer. Sign-in and roles are enforced by the services and by PostgreSQL (docs/SECURITY.md)."""

    __table__ = schema.users

    id: Mapped[int]
    office_id: Mapped[int]
    username: Mapped[str]
    full_name: Mapped[str]
    #: Deferred: officers on PostgreSQL may not read it (column grants), so ``select(User)`` leaves it out and
    #: only the sign-in code of the owner or SQLite loads it.
    password_hash: Mapped[str | None] = deferred(schema.users.c.password_hash)
    roles: Mapped[str]
    active: Mapped[bool]
    failed_logins: Mapped[int]
    locked_until: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]


class OfficeSetting(Base):
    """One rule of an office (check-in window, ordering, office hours, retention...), edited by the supervisor."""

    __table__ = schema.office_settings

    office_id: Mapped[int]
    key: Mapped[str]
    value: Mapped[Any]
    updated_at: Mapped[dt.datetime]
    updated_by: Mapped[int | None]


class Holiday(Base):
    """A day the office is closed (national holiday, cuti bersama): no pickup is dated on it."""

    __table__ = schema.holidays

    office_id: Mapped[int]
    day: Mapped[dt.date]
    name: Mapped[str]


class Pickup(Base):
    """A passport to be collected: born with the pickup receipt at the interview, closed by the handover."""

    __table__ = schema.pickups

    id: Mapped[int]
    office_id: Mapped[int]
    code: Mapped[str]
    application_number: Mapped[str]
    booking_id: Mapped[int | None]
    ticket_id: Mapped[int]
    ready_on: Mapped[dt.date]
    status: Mapped[str]
    issued_at: Mapped[dt.datetime]
    decided_at: Mapped[dt.datetime | None]
    handed_over_at: Mapped[dt.datetime | None]
    handed_over_by: Mapped[int | None]
    pickup_ticket_id: Mapped[int | None]
    recipient: Mapped[str | None]
    recipient_name: Mapped[str | None]


class AuditEntry(Base):
    """Who signed in (or failed to), and every configuration change. Append-only, like the event log."""

    __table__ = schema.audit_log

    id: Mapped[int]
    office_id: Mapped[int]
    kind: Mapped[str]
    user_id: Mapped[int | None]
    username: Mapped[str | None]
    station_id: Mapped[int | None]
    detail: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime]
    chain_seq: Mapped[int | None]
    hash: Mapped[str | None]


class ChainHead(Base):
    """The newest link of an office's hash chain per log (``events``, ``audit_log``)."""

    __table__ = schema.chain_heads

    table_name: Mapped[str]
    office_id: Mapped[int]
    position: Mapped[int]
    hash: Mapped[str]

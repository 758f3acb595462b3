"""The office's rules at the reception desk (issue 14): opening hours and working days, the check-in window around
the booked slot, and what reception checks against the identity card.

Used inside :meth:`counter_desk.services.queue.QueueService.check_in`'s transaction. A refusal a supervisor may lift
(:class:`OfficeClosed`, :class:`LateRefused`) is lifted by naming the supervisor (``override_by``); the override is
written to the audit log with the ticket it let through.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from counter_desk.clock import office_local
from counter_desk.errors import Conflict
from counter_desk.i18n import N_, _, lookup
from counter_desk.services import rules
from counter_desk.services.dates import format_day
from counter_desk.services.pickups import mask_name, mask_nik
from counter_desk.services.queue_errors import LateRefused, OfficeClosed
from counter_desk.services.views import CheckInInfo
from counter_desk.store.models import Booking, Event, Holiday, Ticket

#: How far ahead :func:`next_opening` looks for a working day (a long holiday run still ends within it).
_LOOKAHEAD_DAYS = 60

ARRIVAL_LABELS = {
    "early": N_("early"),
    "on_time": N_("on time"),
    "late": N_("late"),
    "walk_in": N_("walk-in"),
    "no_slot": N_("no booked hour"),
}


def arrival_label(arrival: str) -> str:
    """An arrival judgement (``CheckInInfo.arrival``) as a word for people, in the active language."""
    return lookup(ARRIVAL_LABELS[arrival]) if arrival in ARRIVAL_LABELS else arrival


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _closed_days(session: Session, office_id: int, first: dt.date) -> dict[dt.date, str]:
    rows = session.execute(
        select(Holiday.day, Holiday.name).where(
            Holiday.office_id == office_id,
            Holiday.day >= first,
            Holiday.day <= first + dt.timedelta(days=_LOOKAHEAD_DAYS),
        )
    ).all()
    return dict(rows)


def next_opening(session: Session, office_id: int, after: dt.date, office_rules: Mapping[str, Any]) -> dt.date | None:
    """The first working day after ``after`` that is not a holiday (None if none within two months)."""
    working = rules.working_weekdays(str(office_rules["working_days"]))
    holidays = _closed_days(session, office_id, after)
    for offset in range(1, _LOOKAHEAD_DAYS + 1):
        day = after + dt.timedelta(days=offset)
        if day.weekday() in working and day not in holidays:
            return day
    return None


def refuse_if_closed(
    session: Session, office_id: int, timezone: str, now: dt.datetime, office_rules: Mapping[str, Any]
) -> str | None:
    """Raise :class:`OfficeClosed` when the office is closed at ``now`` and the rule enforces it.

    Returns None when open or not enforced. (The override path calls :func:`closed_reason` instead.)"""
    reason = closed_reason(session, office_id, timezone, now, office_rules)
    if reason is None or office_rules["checkin_hours"] != "enforce":
        return None
    raise OfficeClosed(_closed_message(session, office_id, timezone, now, office_rules, reason=reason), reason=reason)


def closed_reason(
    session: Session, office_id: int, timezone: str, now: dt.datetime, office_rules: Mapping[str, Any]
) -> str | None:
    """Why the office is closed at ``now`` (``closed_day``, ``holiday``, ``before_open``, ``after_close``), or None."""
    local = office_local(now, timezone)
    today = local.date()
    if today.weekday() not in rules.working_weekdays(str(office_rules["working_days"])):
        return "closed_day"
    if session.get(Holiday, (office_id, today)) is not None:
        return "holiday"
    minute = local.hour * 60 + local.minute
    if minute < _minutes(str(office_rules["office_open"])):
        return "before_open"
    if minute >= _minutes(str(office_rules["office_close"])):
        return "after_close"
    return None


def _closed_message(
    session: Session,
    office_id: int,
    timezone: str,
    now: dt.datetime,
    office_rules: Mapping[str, Any],
    *,
    reason: str,
) -> str:
    today = office_local(now, timezone).date()
    opens = str(office_rules["office_open"])
    if reason == "before_open":
        return _(
            "the office opens at {time}: check-in is not open yet (a supervisor may override)",
            time=opens,
        )
    following = next_opening(session, office_id, today, office_rules)
    when = format_day(following, weekday=True) if following else "?"
    if reason == "after_close":
        return _(
            "the office closed at {time}: check-in opens {day} at {opens} (a supervisor may override)",
            time=office_rules["office_close"],
            day=when,
            opens=opens,
        )
    if reason == "holiday":
        holiday = session.get_one(Holiday, (office_id, today))
        return _(
            "the office is closed today ({holiday}): check-in opens {day} at {opens} (a supervisor may override)",
            holiday=holiday.name,
            day=when,
            opens=opens,
        )
    return _(
        "the office does not work on {today}: check-in opens {day} at {opens} (a supervisor may override)",
        today=format_day(today, weekday=True),
        day=when,
        opens=opens,
    )


@dataclass(frozen=True)
class Arrival:
    """How a booked applicant's arrival relates to the booked slot and the office's check-in window."""

    kind: str
    minutes_from_slot: int | None
    #: Join the end of the queue (late, ``late_policy = end_of_queue``).
    to_end: bool
    #: The late policy applied to a late arrival.
    late_policy: str | None


def judge_arrival(
    booking: Booking,
    today: dt.date,
    now: dt.datetime,
    timezone: str,
    office_rules: Mapping[str, Any],
    *,
    override: bool,
) -> Arrival:
    """Apply the check-in window around the booked slot.

    Too early (before ``checkin_before_minutes``): a :class:`~counter_desk.errors.Conflict` saying when it opens
    (no override: the applicant simply waits). Late with ``late_policy = refuse``: :class:`LateRefused` unless
    ``override`` (then served as ``end_of_queue``)."""
    if booking.slot_start is None:
        return Arrival("no_slot", None, to_end=False, late_policy=None)
    tz = ZoneInfo(timezone)
    slot = dt.datetime.combine(today, booking.slot_start, tzinfo=tz)
    minutes = int((now - slot).total_seconds() // 60)
    opens = slot - dt.timedelta(minutes=int(office_rules["checkin_before_minutes"]))
    on_time_until = slot + dt.timedelta(minutes=int(office_rules["checkin_after_minutes"]))
    if now < opens:
        msg = _(
            "booking {code} is for {slot}: check-in opens at {time}; please wait",
            code=booking.code,
            slot=booking.slot_start.strftime("%H:%M"),
            time=opens.astimezone(tz).strftime("%H:%M"),
        )
        raise Conflict(msg)
    if now < slot:
        return Arrival("early", minutes, to_end=False, late_policy=None)
    if now <= on_time_until:
        return Arrival("on_time", minutes, to_end=False, late_policy=None)
    policy = str(office_rules["late_policy"])
    if policy == "refuse" and not override:
        refusal = _(
            "booking {code} was for {slot}; check-in closed at {time}: the applicant must book again",
            code=booking.code,
            slot=booking.slot_start.strftime("%H:%M"),
            time=on_time_until.astimezone(tz).strftime("%H:%M"),
        )
        msg = _("{message} (a supervisor may override)", message=refusal)
        raise LateRefused(msg)
    applied = "end_of_queue" if policy == "refuse" else policy
    return Arrival("late", minutes, to_end=applied == "end_of_queue", late_policy=applied)


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


def event_data(
    booking: Booking | None,
    category: Any,
    arrival: Arrival | None,
    override: str | None,
    override_by: str | None,
) -> dict[str, object]:
    """What the ``checked_in`` event records about the arrival (the event log stays the truth)."""
    data: dict[str, object] = {"walk_in": category.code}
    if booking is not None and arrival is not None:
        data = {"booking": booking.code, "arrival": arrival.kind}
        if arrival.minutes_from_slot is not None:
            data["minutes_from_slot"] = arrival.minutes_from_slot
        if arrival.late_policy is not None:
            data["late_policy"] = arrival.late_policy
        if arrival.to_end:
            data["late"] = True
    if override is not None:
        data |= {"override": override, "override_by": override_by}
    return data

"""The office's rules at the reception desk (issue 14): opening hours and working days, the check-in window around
the booked slot, and what reception checks against the identity card.

Used inside :meth:`counter_desk.services.queue.QueueService.check_in`'s transaction. A refusal a supervisor may lift
(:class:`OfficeClosed`, :class:`LateRefused`) is lifted by naming the supervisor (``override_by``); the override is
written to the audit log with the ticket it let through.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from counter_desk.clock import office_local
from counter_desk.errors import Conflict, InvalidInput, NotFound, WrongDay, WrongOffice
from counter_desk.i18n import _
from counter_desk.services import directory, receipts, rules
from counter_desk.services.actions import ActionContext
from counter_desk.services.checkin_info import Arrival
from counter_desk.services.dates import format_day
from counter_desk.services.queue_errors import LateRefused, OfficeClosed
from counter_desk.services.receipts import TicketPlace
from counter_desk.services.views import Result
from counter_desk.store.models import Booking, Category, Holiday, Office, Stage, Ticket

#: How far ahead :func:`next_opening` looks for a working day (a long holiday run still ends within it).
_LOOKAHEAD_DAYS = 60


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


def place_of(ctx: ActionContext, ticket: Ticket) -> TicketPlace:
    """Where a ticket is issued, as its receipt names it: read in the check-in's own transaction."""
    stage = ctx.session.get_one(Stage, ticket.stage_id)
    return TicketPlace(ctx.office.code, ctx.office.name, ctx.office.timezone, stage.name)


def with_receipt(result: Result, place: TicketPlace | None) -> Result:
    """A check-in's result with its ticket's receipt, as :class:`~counter_desk.services.views.Result` hands it
    back (after Anki's ``OpChanges``): the people ahead and the wait printed are those the check-in counted and
    the screen shows, never a later read. A replayed check-in (another attempt's ticket) gets none."""
    if place is None or result.replayed:
        return result
    receipt = receipts.queue_ticket_receipt(
        result.ticket, place, ahead=result.ahead, wait=result.estimated_wait_seconds
    )
    return replace(result, receipt=receipt)


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


# -- what is checked in: the booking, the category, the quotas (inside the check-in's transaction) ----------


def issued_category(ctx: ActionContext, booking: Booking | None, walk_in: str | None) -> Category:
    """The booking's category, or the walk-in category (which must allow walk-ins)."""
    if booking is not None:
        return ctx.session.get_one(Category, booking.category_id)
    assert walk_in is not None
    category = directory.category(ctx.session, ctx.office.id, walk_in)
    if not category.walk_in:
        allowed = ", ".join(directory.walk_in_codes(ctx.session, ctx.office.id))
        msg = _(
            "category {category!r} needs a booking; walk-in categories are: {allowed}",
            category=walk_in,
            allowed=allowed,
        )
        raise InvalidInput(msg)
    return category


def check_quotas(ctx: ActionContext, category: Category, today: dt.date, office_rules: dict[str, object]) -> None:
    """A walk-in counts against its category's daily quota and, for priority groups, the walk-in quota."""
    if category.daily_quota is not None:
        issued = ctx.session.scalar(
            select(func.count())
            .select_from(Ticket)
            .where(Ticket.office_id == ctx.office.id, Ticket.day == today, Ticket.category_id == category.id)
        )
        if (issued or 0) >= category.daily_quota:
            msg = _(
                "today's quota for {category} ({quota}) is used up: offer a booking on another day",
                category=category.name,
                quota=category.daily_quota,
            )
            raise Conflict(msg)
    quota = office_rules["walk_in_quota"]
    if quota is not None and category.priority_level > 0:
        walk_ins = ctx.session.scalar(
            select(func.count())
            .select_from(Ticket)
            .where(
                Ticket.office_id == ctx.office.id,
                Ticket.day == today,
                Ticket.booking_id.is_(None),
                Ticket.priority_level > 0,
            )
        )
        if (walk_ins or 0) >= int(str(quota)):
            msg = _(
                "today's quota of priority walk-ins ({quota}) is used up: offer a booking on another day",
                quota=quota,
            )
            raise Conflict(msg)


def bookable(ctx: ActionContext, code: str, today: dt.date) -> Booking:
    wanted = code.strip()
    if not wanted or len(wanted) > 64 or not wanted.isprintable():
        msg = _("empty or unreadable booking code: scan again or type the application number")
        raise InvalidInput(msg)
    matches = or_(
        func.upper(Booking.code) == wanted.upper(),
        func.upper(Booking.application_number) == wanted.upper(),
    )
    booking = ctx.session.scalars(
        select(Booking).where(Booking.office_id == ctx.office.id, matches).with_for_update()
    ).first()
    if booking is None:
        elsewhere = ctx.session.scalars(
            select(Office.name).join(Booking, Booking.office_id == Office.id).where(matches)
        ).first()
        if elsewhere is not None:
            msg = _(
                "booking {code} is for {office}, not {here}: send the applicant there",
                code=wanted,
                office=elsewhere,
                here=ctx.office.name,
            )
            raise WrongOffice(msg)
        msg = _("no booking with code or application number {code}: check it, or issue a walk-in ticket", code=wanted)
        raise NotFound(msg)
    if booking.status == "cancelled":
        msg = _("booking {code} was cancelled", code=booking.code)
        raise Conflict(msg)
    if booking.status == "checked_in":
        ticket = ctx.session.scalars(select(Ticket).where(Ticket.booking_id == booking.id)).first()
        when = office_local(ticket.created_at, ctx.office.timezone).strftime("%H:%M") if ticket else "?"
        number = ticket.number if ticket else "?"
        msg = _(
            "booking {code} is already checked in: ticket {number}, issued at {time}",
            code=booking.code,
            number=number,
            time=when,
        )
        raise Conflict(msg)
    if booking.slot_date != today:
        msg = _(
            "booking {code} is for {day}, not today ({today}): the applicant must come on the booked day or reschedule",
            code=booking.code,
            day=format_day(booking.slot_date, weekday=True),
            today=format_day(today),
        )
        raise WrongDay(msg)
    return booking

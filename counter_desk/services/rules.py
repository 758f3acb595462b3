"""The office's rules: what a head of section may change without a programmer, stored in the database.

Each rule has a key, a kind, a default and limits (:data:`RULES`); a rule nobody has set reads as its default.
:func:`update` validates every change before writing any (all or nothing) and records the change -- old and
new value, who -- in the audit log. Per-category rules (daily quota, age limits) live on the category, per-stage
rules (wait target, announce) on the stage, the holiday calendar in its own table; they are changed here too, so
that every configuration change is audited the same way.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from counter_desk.clock import Clock, SystemClock, office_day
from counter_desk.errors import InvalidInput
from counter_desk.i18n import N_, _
from counter_desk.services import directory
from counter_desk.store.engine import Database
from counter_desk.store.models import AuditEntry, Booking, Holiday, OfficeSetting, Stage, User


@dataclass(frozen=True)
class Rule:
    key: str
    kind: str  # "int", "time", "choice", "text", "optional_int"
    default: Any
    #: What the supervisor window shows: marked with ``N_``, shown translated with ``i18n.lookup``.
    label: str
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()


_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")

RULES: dict[str, Rule] = {
    rule.key: rule
    for rule in (
        Rule("office_open", "time", "07:30", N_("Office opens")),
        Rule("office_close", "time", "16:00", N_("Office closes")),
        Rule("checkin_before_minutes", "int", 480, N_("Check-in opens, minutes before the booked slot"), 0, 480),
        Rule("checkin_after_minutes", "int", 30, N_("Check-in on time until, minutes after the slot"), 0, 480),
        Rule(
            "late_policy",
            "choice",
            "end_of_queue",
            N_("A late arrival"),
            choices=("accept", "end_of_queue", "refuse"),
        ),
        Rule(
            "priority_ratio",
            "int",
            0,
            N_("Regular applicants called per priority one (0: priority always first)"),
            0,
            10,
        ),
        Rule("walk_in_quota", "optional_int", None, N_("Priority walk-ins a day (empty: no limit)"), 0, 10_000),
        Rule("pickup_working_days", "int", 4, N_("Working days from interview to pickup"), 0, 60),
        Rule("pickup_within_days", "int", 30, N_("Days to collect a passport"), 1, 365),
        Rule("retention_days", "int", 90, N_("Days applicants' personal data is kept"), 1, 3650),
        Rule("lockout_attempts", "int", 5, N_("Failed sign-ins before a lockout"), 1, 100),
        Rule("lockout_minutes", "int", 15, N_("Lockout length, minutes"), 1, 1440),
        Rule(
            "display_text",
            "text",
            "Selamat datang. Siapkan dokumen asli Anda: KTP, Kartu Keluarga, akta lahir atau ijazah.",
            N_("Running text on the waiting-room display"),
        ),
    )
}

#: What each choice means, for the supervisor window (translated with ``i18n.lookup``).
CHOICE_LABELS = {
    "accept": N_("served in booked order"),
    "end_of_queue": N_("joins the end of the queue"),
    "refuse": N_("refused: book again"),
}


def check(rule: Rule, value: Any) -> Any:
    """``value`` as the rule's kind, or :class:`InvalidInput` saying what is allowed."""
    bad = _("{rule}: {value!r} is not allowed", rule=rule.key, value=value)
    if rule.kind in ("int", "optional_int"):
        if value is None or value == "":
            if rule.kind == "optional_int":
                return None
            raise InvalidInput(bad)
        try:
            number = int(value) if not isinstance(value, bool) else None
        except (TypeError, ValueError):
            number = None
        if number is None or (isinstance(value, float) and value != number):
            raise InvalidInput(_("{rule}: {value!r} is not a whole number", rule=rule.key, value=value))
        if (rule.minimum is not None and number < rule.minimum) or (rule.maximum is not None and number > rule.maximum):
            raise InvalidInput(
                _("{rule}: must be between {low} and {high}", rule=rule.key, low=rule.minimum, high=rule.maximum)
            )
        return number
    if rule.kind == "time":
        if not isinstance(value, str) or not _TIME.match(value.strip()):
            raise InvalidInput(_("{rule}: {value!r} is not a time like 07:30", rule=rule.key, value=value))
        return value.strip()
    if rule.kind == "choice":
        if value not in rule.choices:
            raise InvalidInput(_("{rule}: choose one of {choices}", rule=rule.key, choices=", ".join(rule.choices)))
        return value
    if not isinstance(value, str) or len(value) > 500:
        raise InvalidInput(_("{rule}: text of at most 500 characters", rule=rule.key))
    return value.strip()


def _stored(session: Session, office_id: int) -> dict[str, Any]:
    rows = session.execute(
        select(OfficeSetting.key, OfficeSetting.value).where(OfficeSetting.office_id == office_id)
    ).all()
    return {key: value for key, value in rows if key in RULES}


def rules_of(session: Session, office_id: int) -> dict[str, Any]:
    """Every rule of the office, defaults filled in (inside the caller's transaction)."""
    return {key: rule.default for key, rule in RULES.items()} | _stored(session, office_id)


def current(db: Database, office: str | None = None) -> dict[str, Any]:
    """Every rule of ``office``, defaults filled in."""
    with db.read() as session:
        return rules_of(session, directory.office_info(session, office).id)


def audit(
    session: Session,
    office_id: int,
    kind: str,
    *,
    user: str | None,
    now: dt.datetime,
    detail: Mapping[str, Any],
    station_id: int | None = None,
) -> None:
    """Append one entry to the audit log (in the caller's transaction, so it commits with the change).

    ``user`` is recorded as typed; its id too when such a user exists (an unknown name is no reason to lose
    the entry)."""
    session.add(
        AuditEntry(
            office_id=office_id,
            kind=kind,
            user_id=_user_id(session, user),
            username=user,
            station_id=station_id,
            detail=dict(detail),
            created_at=now,
        )
    )


def update(
    db: Database,
    office: str | None,
    changes: Mapping[str, Any],
    *,
    user: str | None = None,
    clock: Clock | None = None,
) -> dict[str, Any]:
    """Validate and store ``changes`` (all or none), audit them, and return every rule as it now is."""
    unknown = sorted(set(changes) - set(RULES))
    if unknown:
        raise InvalidInput(
            _("unknown rule {rules}; known rules: {known}", rules=", ".join(unknown), known=", ".join(RULES))
        )
    values = {key: check(RULES[key], value) for key, value in changes.items()}
    now = (clock or SystemClock()).now()
    with db.write() as session:
        info = directory.office_info(session, office)
        _may_change_rules(session, user)
        before = rules_of(session, info.id)
        if _time_minutes(values.get("office_open", before["office_open"])) >= _time_minutes(
            values.get("office_close", before["office_close"])
        ):
            raise InvalidInput(_("the office must open before it closes"))
        changed = {key: value for key, value in values.items() if before[key] != value}
        if not changed:
            return before
        user_id = _user_id(session, user)
        for key, value in changed.items():
            row = session.get(OfficeSetting, (info.id, key))
            if row is None:
                session.add(OfficeSetting(office_id=info.id, key=key, value=value, updated_at=now, updated_by=user_id))
            else:
                row.value, row.updated_at, row.updated_by = value, now, user_id
        audit(
            session,
            info.id,
            "rules_changed",
            user=user,
            now=now,
            detail={key: [before[key], value] for key, value in changed.items()},
        )
        return before | changed


def _user_id(session: Session, user: str | None) -> int | None:
    if not user:
        return None
    found = session.scalars(select(User.id).where(User.username == user)).one_or_none()
    return int(found) if found is not None else None


def _may_change_rules(session: Session, user: str | None) -> None:
    """Roles are enforced here, not only in the windows: only a supervisor or an admin changes the rules."""
    from counter_desk.services import auth  # auth imports this module

    auth.require_user_role(session, user, auth.RULES_ROLES)


def _time_minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _optional_count(field: str, value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip().lstrip("-").isdigit():
        raise InvalidInput(_("{rule}: {value!r} is not a whole number", rule=field, value=value))
    number = int(value)
    if not 0 <= number <= 10_000:
        raise InvalidInput(_("{rule}: must be between {low} and {high}", rule=field, low=0, high=10_000))
    return number


def update_category(
    db: Database,
    office: str | None,
    category: str,
    *,
    user: str | None = None,
    clock: Clock | None = None,
    **changes: Any,
) -> None:
    """Change a category's ``daily_quota``, ``min_age`` or ``max_age`` (None: no limit), audited."""
    allowed = ("daily_quota", "min_age", "max_age")
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise InvalidInput(
            _("unknown rule {rules}; known rules: {known}", rules=", ".join(unknown), known=", ".join(allowed))
        )
    values = {key: _optional_count(key, value) for key, value in changes.items()}
    now = (clock or SystemClock()).now()
    with db.write() as session:
        info = directory.office_info(session, office)
        _may_change_rules(session, user)
        row = directory.category(session, info.id, category)
        low = values.get("min_age", row.min_age)
        high = values.get("max_age", row.max_age)
        if low is not None and high is not None and low > high:
            raise InvalidInput(_("the lowest age must not be above the highest"))
        quota = values.get("daily_quota")
        if quota is not None:
            _quota_holds(session, info, row.id, quota, now)
        changed = {key: [getattr(row, key), value] for key, value in values.items() if getattr(row, key) != value}
        if not changed:
            return
        for key, (_old, value) in changed.items():
            setattr(row, key, value)
        audit(session, info.id, "category_changed", user=user, now=now, detail={"category": category} | changed)


def _quota_holds(
    session: Session, office: directory.OfficeInfo, category_id: int, quota: int, now: dt.datetime
) -> None:
    """A daily quota below the bookings already made for a coming day contradicts them: refuse, naming the day."""
    busiest = session.execute(
        select(Booking.slot_date, func.count())
        .where(
            Booking.office_id == office.id,
            Booking.category_id == category_id,
            Booking.slot_date >= office_day(now, office.timezone),
            Booking.status != "cancelled",
        )
        .group_by(Booking.slot_date)
        .having(func.count() > quota)
        .order_by(func.count().desc(), Booking.slot_date)
        .limit(1)
    ).first()
    if busiest is not None:
        day, booked = busiest
        msg = _(
            "a daily quota of {quota} is below the {booked} bookings already made for {day}: raise it or "
            "reschedule bookings first",
            quota=quota,
            booked=booked,
            day=day.isoformat(),
        )
        raise InvalidInput(msg)


def update_stage(
    db: Database,
    office: str | None,
    stage: str,
    *,
    wait_target_minutes: int | None = None,
    announce: bool | None = None,
    user: str | None = None,
    clock: Clock | None = None,
) -> None:
    """Change a stage's wait target (minutes, 1 to 600) or whether its calls are announced, audited."""
    if wait_target_minutes is not None and (
        isinstance(wait_target_minutes, bool)
        or not isinstance(wait_target_minutes, int)
        or not 1 <= wait_target_minutes <= 600
    ):
        raise InvalidInput(_("{rule}: must be between {low} and {high}", rule="wait_target_minutes", low=1, high=600))
    now = (clock or SystemClock()).now()
    with db.write() as session:
        info = directory.office_info(session, office)
        _may_change_rules(session, user)
        row: Stage = directory.stage(session, info.id, stage)
        detail: dict[str, Any] = {"stage": stage}
        if wait_target_minutes is not None and wait_target_minutes != row.wait_target_minutes:
            detail["wait_target_minutes"] = [row.wait_target_minutes, wait_target_minutes]
            row.wait_target_minutes = wait_target_minutes
        if announce is not None and announce != row.announce:
            detail["announce"] = [row.announce, announce]
            row.announce = announce
        if len(detail) > 1:
            audit(session, info.id, "stage_changed", user=user, now=now, detail=detail)


@dataclass(frozen=True)
class HolidayView:
    day: dt.date
    name: str


def holidays(db: Database, office: str | None = None, *, year: int | None = None) -> list[HolidayView]:
    """The office's holidays, by day (of ``year`` if given)."""
    with db.read() as session:
        return holidays_of(session, directory.office_info(session, office).id, year=year)


def holidays_of(session: Session, office_id: int, *, year: int | None = None) -> list[HolidayView]:
    query = select(Holiday.day, Holiday.name).where(Holiday.office_id == office_id).order_by(Holiday.day)
    if year is not None:
        query = query.where(Holiday.day >= dt.date(year, 1, 1), Holiday.day <= dt.date(year, 12, 31))
    return [HolidayView(day, name) for day, name in session.execute(query).all()]


def set_holiday(
    db: Database,
    office: str | None,
    day: dt.date,
    name: str,
    *,
    user: str | None = None,
    clock: Clock | None = None,
) -> None:
    """Add (or rename) a holiday."""
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInput(_("a holiday needs a name of at most 200 characters"))
    now = (clock or SystemClock()).now()
    with db.write() as session:
        info = directory.office_info(session, office)
        _may_change_rules(session, user)
        row = session.get(Holiday, (info.id, day))
        if row is None:
            session.add(Holiday(office_id=info.id, day=day, name=name))
        else:
            row.name = name
        audit(session, info.id, "holiday_set", user=user, now=now, detail={"day": day.isoformat(), "name": name})


def remove_holiday(
    db: Database, office: str | None, day: dt.date, *, user: str | None = None, clock: Clock | None = None
) -> None:
    """Remove a holiday; a day that is not one is an error (a typo should not pass silently)."""
    now = (clock or SystemClock()).now()
    with db.write() as session:
        info = directory.office_info(session, office)
        _may_change_rules(session, user)
        row = session.get(Holiday, (info.id, day))
        if row is None:
            raise InvalidInput(_("{day} is not a holiday of this office", day=day.isoformat()))
        session.delete(row)
        audit(session, info.id, "holiday_removed", user=user, now=now, detail={"day": day.isoformat()})


def add_working_days(day: dt.date, count: int, closed: set[dt.date]) -> dt.date:
    """The ``count``-th working day after ``day``: Saturdays, Sundays and ``closed`` days do not count."""
    current_day = day
    left = count
    while left > 0:
        current_day += dt.timedelta(days=1)
        if current_day.weekday() < 5 and current_day not in closed:
            left -= 1
    return current_day


def working_day_after(session: Session, office_id: int, day: dt.date, count: int) -> dt.date:
    """:func:`add_working_days` with the office's holiday calendar (inside the caller's transaction)."""
    closed = {
        row
        for (row,) in session.execute(
            select(Holiday.day).where(Holiday.office_id == office_id, Holiday.day > day)
        ).all()
    }
    return add_working_days(day, count, closed)

"""The office's rules: what a head of section may change without a programmer, stored in the database.

Each rule has a key, a kind, a default and limits (:data:`RULES`); a rule nobody has set reads as its default.
:func:`update` validates every change before writing any (all or nothing) and records the change -- old and
new value, who -- in the audit log (:mod:`counter_desk.services.audit`). Per-category rules (daily quota, age
limits) live on the category, per-stage rules (wait target, announce) on the stage; they are changed here too, so
that every configuration change is audited the same way. The holiday calendar is
:mod:`counter_desk.services.calendar`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from counter_desk.clock import Clock, SystemClock, office_day
from counter_desk.errors import InvalidInput
from counter_desk.i18n import N_, _
from counter_desk.services import audit, directory, roles
from counter_desk.store.engine import Database
from counter_desk.store.models import Booking, Category, OfficeSetting, Stage


@dataclass(frozen=True)
class Rule:
    key: str
    #: "int", "time", "choice", "text", "optional_int", "weekdays" (ISO day numbers, 1 = Monday: "1 2 3 4 5"),
    #: "category_days"
    #: (e.g. "express=0 lost=7": category code = working days). The last two are stored as normalised text.
    kind: str
    default: Any
    #: What the supervisor window shows: marked with ``N_``, shown translated with ``i18n.lookup``.
    label: str
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()


_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
#: The longest wait target of a stage, minutes.
MAX_TARGET_MINUTES = 600

RULES: dict[str, Rule] = {
    rule.key: rule
    for rule in (
        Rule("office_open", "time", "07:30", N_("Office opens")),
        Rule("office_close", "time", "16:00", N_("Office closes")),
        Rule("working_days", "weekdays", "1 2 3 4 5", N_("Working days (1 = Monday ... 7 = Sunday)")),
        Rule(
            "checkin_hours",
            "choice",
            "enforce",
            N_("Check-in outside office hours and working days"),
            choices=("enforce", "allow"),
        ),
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
        Rule(
            "no_show_after_seconds",
            "int",
            120,
            N_("No-show possible, seconds after the last call"),
            0,
            1800,
        ),
        Rule("pickup_working_days", "int", 4, N_("Working days from interview to pickup"), 0, 60),
        Rule(
            "pickup_days_by_category",
            "category_days",
            "",
            N_("Working days to pickup by category (e.g. express=0 lost=7; others: the rule above)"),
            0,
            60,
        ),
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
    "enforce": N_("refused while the office is closed (a supervisor may override)"),
    "allow": N_("allowed at any time"),
}

#: What a ``weekdays`` rule accepts for a day, by ``date.weekday()``: its ISO number (1 = Monday; stored so, the same
#: in every language), or its English or Indonesian abbreviation.
_WEEKDAY_ALIASES = (
    {str(i + 1): i for i in range(7)}
    | {name: i for i, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))}
    | {name: i for i, name in enumerate(("sen", "sel", "rab", "kam", "jum", "sab", "min"))}
)
_CATEGORY_DAYS = re.compile(r"^([a-z0-9_-]{1,32})=(\d{1,3})$")
#: Unicode categories refused in any text a rule holds: controls (ESC, NUL ...), format characters (bidi
#: overrides, zero-width), surrogates, private use, unassigned, line and paragraph separators.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def refuse_control_characters(key: str, text: str) -> str:
    """``text`` unchanged, or :class:`InvalidInput` naming the first control character (as ``U+001B``).

    Checked on the decoded text, so an escape written as ``\\u001b`` in JSON is refused like a raw ESC."""
    for ch in text:
        if unicodedata.category(ch) in _REFUSED_CATEGORIES:
            msg = _(
                "{rule}: control character U+{code:04X} is not allowed; type plain text",
                rule=key,
                code=ord(ch),
            )
            raise InvalidInput(msg)
    return text


def working_weekdays(value: str) -> frozenset[int]:
    """The ``date.weekday()`` numbers of a stored ``weekdays`` rule."""
    return frozenset(_WEEKDAY_ALIASES[w] for w in value.split())


def category_days(value: str) -> dict[str, int]:
    """A stored ``category_days`` rule as category code -> working days."""
    out: dict[str, int] = {}
    for item in value.split():
        code, days = item.split("=")
        out[code] = int(days)
    return out


def _check_weekdays(rule: Rule, value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidInput(_("{rule}: {value!r} is not allowed", rule=rule.key, value=value))
    words = value.replace(",", " ").lower().split()
    unknown = [w for w in words if w not in _WEEKDAY_ALIASES]
    if unknown or not words:
        msg = _(
            "{rule}: give working days as numbers, 1 (Monday) to 7 (Sunday), like 1 2 3 4 5, not {value!r}",
            rule=rule.key,
            value=value,
        )
        raise InvalidInput(msg)
    return " ".join(str(i + 1) for i in sorted({_WEEKDAY_ALIASES[w] for w in words}))


def _check_category_days(rule: Rule, value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(_("{rule}: {value!r} is not allowed", rule=rule.key, value=value))
    refuse_control_characters(rule.key, value)
    pairs: dict[str, int] = {}
    for item in value.replace(",", " ").lower().split():
        match = _CATEGORY_DAYS.match(item)
        if match is None:
            msg = _("{rule}: write category=days pairs like express=0 lost=7, not {item!r}", rule=rule.key, item=item)
            raise InvalidInput(msg)
        code, days = match.group(1), int(match.group(2))
        if code in pairs:
            raise InvalidInput(_("{rule}: category {category} is given twice", rule=rule.key, category=code))
        if rule.maximum is not None and days > rule.maximum:
            raise InvalidInput(_("{rule}: must be between {low} and {high}", rule=rule.key, low=0, high=rule.maximum))
        pairs[code] = days
    return " ".join(f"{code}={days}" for code, days in sorted(pairs.items()))


def check(rule: Rule, value: Any) -> Any:
    """``value`` as the rule's kind, or :class:`InvalidInput` saying what is allowed."""
    if rule.kind in ("int", "optional_int"):
        return _check_number(rule, value)
    if rule.kind == "time":
        if not isinstance(value, str) or not _TIME.match(value.strip()):
            raise InvalidInput(_("{rule}: {value!r} is not a time like 07:30", rule=rule.key, value=value))
        return value.strip()
    if rule.kind == "choice":
        if value not in rule.choices:
            raise InvalidInput(_("{rule}: choose one of {choices}", rule=rule.key, choices=", ".join(rule.choices)))
        return value
    if rule.kind == "weekdays":
        return _check_weekdays(rule, value)
    if rule.kind == "category_days":
        return _check_category_days(rule, value)
    if not isinstance(value, str) or len(value) > 500:
        raise InvalidInput(_("{rule}: text of at most 500 characters", rule=rule.key))
    return refuse_control_characters(rule.key, value.strip())


def _check_number(rule: Rule, value: Any) -> int | None:
    bad = _("{rule}: {value!r} is not allowed", rule=rule.key, value=value)
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


def _checked(changes: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(changes) - set(RULES))
    if unknown:
        raise InvalidInput(
            _("unknown rule {rules}; known rules: {known}", rules=", ".join(unknown), known=", ".join(RULES))
        )
    return {key: check(RULES[key], value) for key, value in changes.items()}


def update(
    db: Database,
    office: str | None,
    changes: Mapping[str, Any],
    *,
    user: str | None = None,
    clock: Clock | None = None,
) -> dict[str, Any]:
    """Validate and store ``changes`` (all or none), audit them, and return every rule as it now is."""
    return save(db, office, changes, {}, user=user, clock=clock)


def save(
    db: Database,
    office: str | None,
    changes: Mapping[str, Any],
    targets: Mapping[str, Any],
    *,
    user: str | None = None,
    clock: Clock | None = None,
) -> dict[str, Any]:
    """One *Save* of the supervisor window: rule ``changes`` and stages' wait ``targets`` (stage code: minutes)
    in one transaction -- all or nothing: a bad value anywhere writes nothing. Each change is audited.
    Returns every rule as it now is."""
    values = _checked(changes)
    bad = sorted(code for code, value in targets.items() if not _valid_target(value))
    if bad:
        msg = _(
            "wait target of {stages}: must be between 1 and {high} minutes",
            stages=", ".join(bad),
            high=MAX_TARGET_MINUTES,
        )
        raise InvalidInput(msg)
    now = (clock or SystemClock()).now()
    with db.write() as session:
        info = directory.office_info(session, office)
        _may_change_rules(session, user)
        result = _apply_rules(session, info.id, values, user=user, now=now)
        for code, value in targets.items():
            _apply_stage(session, info.id, code, wait_target_minutes=int(value), user=user, now=now)
        return result


def _apply_rules(
    session: Session, office_id: int, values: Mapping[str, Any], *, user: str | None, now: dt.datetime
) -> dict[str, Any]:
    """Store checked rule values in the caller's transaction; every rule as it then is."""
    before = rules_of(session, office_id)
    if _time_minutes(values.get("office_open", before["office_open"])) >= _time_minutes(
        values.get("office_close", before["office_close"])
    ):
        raise InvalidInput(_("the office must open before it closes"))
    changed = {key: value for key, value in values.items() if before[key] != value}
    if not changed:
        return before
    if "pickup_days_by_category" in changed:
        _known_categories(session, office_id, category_days(changed["pickup_days_by_category"]))
    user_id = audit.find_user_id(session, user)
    for key, value in changed.items():
        row = session.get(OfficeSetting, (office_id, key))
        if row is None:
            session.add(OfficeSetting(office_id=office_id, key=key, value=value, updated_at=now, updated_by=user_id))
        else:
            row.value, row.updated_at, row.updated_by = value, now, user_id
    audit.record(
        session,
        office_id,
        "rules_changed",
        user=user,
        now=now,
        detail={key: [before[key], value] for key, value in changed.items()},
    )
    return before | changed


def _known_categories(session: Session, office_id: int, days: Mapping[str, int]) -> None:
    known = set(session.scalars(select(Category.code).where(Category.office_id == office_id)))
    unknown = sorted(set(days) - known)
    if unknown:
        msg = _(
            "pickup_days_by_category: unknown category {categories}; categories are: {known}",
            categories=", ".join(unknown),
            known=", ".join(sorted(known)),
        )
        raise InvalidInput(msg)


def _may_change_rules(session: Session, user: str | None) -> None:
    """Roles are enforced here, not only in the windows: only a supervisor or an admin changes the rules."""
    roles.require_user_role(session, user, roles.RULES_ROLES)


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
        audit.record(session, info.id, "category_changed", user=user, now=now, detail={"category": category} | changed)


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


def _valid_target(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, int) and 1 <= value <= MAX_TARGET_MINUTES


def _target(value: Any) -> int:
    if not _valid_target(value):
        raise InvalidInput(
            _("{rule}: must be between {low} and {high}", rule="wait_target_minutes", low=1, high=MAX_TARGET_MINUTES)
        )
    return int(value)


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
    target = _target(wait_target_minutes) if wait_target_minutes is not None else None
    now = (clock or SystemClock()).now()
    with db.write() as session:
        info = directory.office_info(session, office)
        _may_change_rules(session, user)
        _apply_stage(session, info.id, stage, wait_target_minutes=target, announce=announce, user=user, now=now)


def _apply_stage(
    session: Session,
    office_id: int,
    stage: str,
    *,
    wait_target_minutes: int | None = None,
    announce: bool | None = None,
    user: str | None,
    now: dt.datetime,
) -> None:
    row: Stage = directory.stage(session, office_id, stage)
    detail: dict[str, Any] = {"stage": stage}
    if wait_target_minutes is not None and wait_target_minutes != row.wait_target_minutes:
        detail["wait_target_minutes"] = [row.wait_target_minutes, wait_target_minutes]
        row.wait_target_minutes = wait_target_minutes
    if announce is not None and announce != row.announce:
        detail["announce"] = [row.announce, announce]
        row.announce = announce
    if len(detail) > 1:
        audit.record(session, office_id, "stage_changed", user=user, now=now, detail=detail)

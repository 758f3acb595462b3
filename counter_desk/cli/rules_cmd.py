"""``counter-desk rules VERB``: the office's rules, per-category and per-stage limits, the holiday calendar.

Every change goes through :mod:`counter_desk.services.rules`, which validates it (all or nothing) and records it
in the audit log. ``--user`` names the officer acting: it must hold the supervisor or admin role.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any

from sqlalchemy import select

from counter_desk.cli import common, emit
from counter_desk.errors import InvalidInput
from counter_desk.i18n import _, lookup
from counter_desk.services import calendar, directory, roles, rules
from counter_desk.services.bookings_file import RowError, parse_date
from counter_desk.store.engine import Database
from counter_desk.store.models import Category, Stage

#: What clears an optional limit on the command line.
NONE_WORDS = ("none", "-", "")


def register(sub: Any) -> None:
    r = sub.add_parser("rules", help="show and change the office's rules, quotas, wait targets and holidays")
    verbs = r.add_subparsers(dest="verb", required=True, metavar="VERB")

    p = verbs.add_parser("show", help="every rule, category limit, stage target and holiday")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=_show)

    p = verbs.add_parser("set", help="change rules: KEY VALUE [KEY VALUE ...] (all or none)")
    p.add_argument("pairs", nargs="+", metavar="KEY VALUE")
    _common(p)
    p.set_defaults(handler=_set)

    p = verbs.add_parser("category", help="a category's daily quota and age limits ('none': no limit)")
    p.add_argument("code", metavar="CODE")
    p.add_argument("--quota", metavar="N")
    p.add_argument("--min-age", metavar="N")
    p.add_argument("--max-age", metavar="N")
    _common(p)
    p.set_defaults(handler=_category)

    p = verbs.add_parser("stage", help="a stage's wait-time target and whether its calls are announced")
    p.add_argument("code", metavar="CODE")
    p.add_argument("--wait-target", type=int, metavar="MINUTES")
    p.add_argument("--announce", choices=("yes", "no"))
    _common(p)
    p.set_defaults(handler=_stage)

    h = verbs.add_parser("holiday", aliases=["holidays"], help="the holiday calendar: list, add, remove")
    hverbs = h.add_subparsers(dest="holiday_verb", required=True, metavar="VERB")
    p = hverbs.add_parser("list", help="the office's holidays")
    p.add_argument("--year", type=int)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=_holiday_list)
    p = hverbs.add_parser("add", help="add (or rename) a holiday")
    p.add_argument("day", metavar="DATE")
    p.add_argument("name", metavar="NAME")
    p.add_argument(
        "--move-pickups",
        action="store_true",
        help="passports promised for that day: move them to the next working day (listed, to inform the applicants)",
    )
    _common(p)
    p.set_defaults(handler=_holiday_add)
    p = hverbs.add_parser("remove", help="remove a holiday")
    p.add_argument("day", metavar="DATE")
    _common(p)
    p.set_defaults(handler=_holiday_remove)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--user", metavar="USERNAME", help="the officer acting (supervisor or admin; in the audit log)")


def _open(args: argparse.Namespace) -> tuple[Database, str | None]:
    settings = common.settings(args)
    db = common.open_database(settings)
    if getattr(args, "user", None) is not None:
        with db.read() as session:
            roles.require_user_role(session, args.user, roles.RULES_ROLES)
    return db, settings.office


def _day(text: str) -> dt.date:
    try:
        return parse_date(text)
    except RowError as exc:
        raise InvalidInput(exc.reason) from None


def _value_text(value: Any) -> str:
    if value is None:
        return _("no limit")
    return value if isinstance(value, str) else json.dumps(value)


def _overview(db: Database, office: str | None) -> dict[str, Any]:
    with db.read() as session:
        info = directory.office_info(session, office)
        values = rules.rules_of(session, info.id)
        categories = session.scalars(
            select(Category).where(Category.office_id == info.id, Category.active.is_(True)).order_by(Category.id)
        )
        cats = [
            {"code": c.code, "name": c.name, "daily_quota": c.daily_quota, "min_age": c.min_age, "max_age": c.max_age}
            for c in categories
        ]
        stages = session.scalars(select(Stage).where(Stage.office_id == info.id).order_by(Stage.position))
        stage_rows = [
            {"code": s.code, "name": s.name, "wait_target_minutes": s.wait_target_minutes, "announce": s.announce}
            for s in stages
        ]
        holidays = calendar.holidays_of(session, info.id)
    return {
        "office": info.code,
        "rules": {
            key: {"value": values[key], "default": rule.default, "label": lookup(rule.label)}
            for key, rule in rules.RULES.items()
        },
        "categories": cats,
        "stages": stage_rows,
        "holidays": [{"day": h.day.isoformat(), "name": h.name} for h in holidays],
    }


def _show(args: argparse.Namespace) -> int:
    settings = common.settings(args)
    data = _overview(common.open_database(settings), settings.office)
    lines = [_("Rules of {office}:", office=data["office"])]
    for key, rule in data["rules"].items():
        lines.append(f"  {key:<24} {_value_text(rule['value']):<12} {rule['label']}")
    lines.append(_("Categories (daily quota, ages):"))
    for c in data["categories"]:
        ages = f"{c['min_age'] if c['min_age'] is not None else ''}-{c['max_age'] if c['max_age'] is not None else ''}"
        lines.append(f"  {c['code']:<12} {_value_text(c['daily_quota']):<12} {ages:<8} {c['name']}")
    lines.append(_("Stages (wait target, minutes):"))
    for s in data["stages"]:
        announce = _("announced") if s["announce"] else _("silent")
        lines.append(f"  {s['code']:<12} {s['wait_target_minutes']:<12} {announce:<8} {s['name']}")
    lines.append(_("Holidays:"))
    lines.extend(f"  {h['day']} {h['name']}" for h in data["holidays"])
    emit(args, data, "\n".join(lines))
    return 0


def _set(args: argparse.Namespace) -> int:
    if len(args.pairs) % 2:
        raise InvalidInput(_("give each rule as KEY VALUE; {key!r} has no value", key=args.pairs[-1]))
    changes: dict[str, Any] = {}
    for key, value in zip(args.pairs[::2], args.pairs[1::2], strict=True):
        if key in changes:
            raise InvalidInput(_("rule {key} is given twice", key=key))
        rule = rules.RULES.get(key)
        optional = rule is not None and rule.kind == "optional_int"
        changes[key] = "" if optional and value.strip().lower() in NONE_WORDS else value
    db, office = _open(args)
    now = rules.update(db, office, changes, user=args.user)
    emit(
        args,
        {"rules": {key: now[key] for key in changes}},
        "\n".join(f"{key} = {_value_text(now[key])}" for key in changes),
    )
    return 0


def _limit(value: str | None) -> str | None:
    return "" if value is not None and value.strip().lower() in NONE_WORDS else value


def _category(args: argparse.Namespace) -> int:
    changes: dict[str, Any] = {
        key: _limit(value)
        for key, value in (("daily_quota", args.quota), ("min_age", args.min_age), ("max_age", args.max_age))
        if value is not None
    }
    if not changes:
        raise InvalidInput(_("nothing to change: give --quota, --min-age or --max-age"))
    db, office = _open(args)
    rules.update_category(db, office, args.code, user=args.user, **changes)
    row = next(c for c in _overview(db, office)["categories"] if c["code"] == args.code)
    emit(
        args,
        row,
        _(
            "{code}: daily quota {quota}, ages {low} to {high}",
            code=args.code,
            quota=_value_text(row["daily_quota"]),
            low=_value_text(row["min_age"]),
            high=_value_text(row["max_age"]),
        ),
    )
    return 0


def _stage(args: argparse.Namespace) -> int:
    if args.wait_target is None and args.announce is None:
        raise InvalidInput(_("nothing to change: give --wait-target or --announce"))
    db, office = _open(args)
    announce = None if args.announce is None else args.announce == "yes"
    rules.update_stage(db, office, args.code, wait_target_minutes=args.wait_target, announce=announce, user=args.user)
    row = next(s for s in _overview(db, office)["stages"] if s["code"] == args.code)
    emit(
        args,
        row,
        _("{code}: wait target {minutes} min", code=args.code, minutes=row["wait_target_minutes"]),
    )
    return 0


def _holiday_list(args: argparse.Namespace) -> int:
    settings = common.settings(args)
    days = calendar.holidays(common.open_database(settings), settings.office, year=args.year)
    emit(
        args,
        {"holidays": [{"day": h.day.isoformat(), "name": h.name} for h in days]},
        "\n".join(f"{h.day.isoformat()} {h.name}" for h in days) or _("no holidays"),
    )
    return 0


def _holiday_add(args: argparse.Namespace) -> int:
    day = _day(args.day)
    db, office = _open(args)
    result = calendar.set_holiday(db, office, day, args.name, move_pickups=args.move_pickups, user=args.user)
    lines = [_("holiday {day}: {name}", day=day.isoformat(), name=result.name)]
    if result.moved:
        lines.append(
            _(
                "{count} pickup(s) moved to {day}; inform the applicants:",
                count=len(result.moved),
                day=result.moved[0].after.isoformat(),
            )
        )
        lines.extend(f"  {m.application_number}  {m.code}" for m in result.moved)
    emit(args, result.to_json(), "\n".join(lines))
    return 0


def _holiday_remove(args: argparse.Namespace) -> int:
    day = _day(args.day)
    db, office = _open(args)
    calendar.remove_holiday(db, office, day, user=args.user)
    emit(args, {"day": day.isoformat(), "removed": True}, _("holiday {day} removed", day=day.isoformat()))
    return 0

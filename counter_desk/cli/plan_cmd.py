"""``counter-desk plan``: how many interview booths to open, hour by hour, to meet the wait targets.

- ``plan [--date D] [--replications N] [--scenario FILE] [--break 12:00-13:00[xN]] [--json]``: the recommended
  booths for a coming day (default: the next working day), with the predicted waits;
- ``plan --quota N``: the largest bookings count the day can take with N booths open all day;
- ``plan --backtest --from D1 --to D2``: for past days, the predicted waits beside the recorded ones.

Format of the scenario file, the model's assumptions and how it was validated: docs/PLANNING.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from counter_desk.cli import common, emit
from counter_desk.clock import SystemClock, office_day
from counter_desk.errors import InvalidInput
from counter_desk.i18n import _
from counter_desk.services import plan, reports
from counter_desk.services.dates import format_day
from counter_desk.services.plan import backtest, scenario, text

MAX_REPLICATIONS = 1000


def register(p: argparse.ArgumentParser) -> None:
    """The command's arguments and handler (its name and help: ``COMMANDS`` in ``counter_desk.cli``)."""
    p.add_argument("--date", metavar="YYYY-MM-DD", help="the day to plan (default: the next working day)")
    p.add_argument("--replications", type=int, default=50, metavar="N", help="simulated days per option (50)")
    p.add_argument("--scenario", type=Path, metavar="FILE", help="what-if scenario (TOML; see docs/PLANNING.md)")
    p.add_argument(
        "--break",
        dest="breaks",
        action="append",
        default=[],
        metavar="HH:MM-HH:MM[xN]",
        help="officers' break: N booths (default 1) closed then; repeatable",
    )
    p.add_argument("--quota", type=int, metavar="BOOTHS", help="the largest bookings count with BOOTHS booths")
    p.add_argument("--backtest", action="store_true", help="compare predictions with past days (--from, --to)")
    p.add_argument("--from", dest="first", metavar="YYYY-MM-DD", help="backtest: first day")
    p.add_argument("--to", dest="last", metavar="YYYY-MM-DD", help="backtest: last day (default: --from)")
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    p.set_defaults(handler=_plan)


def _checked(args: argparse.Namespace) -> tuple[tuple[plan.Closure, ...], scenario.Scenario | None]:
    """Everything the command line says, checked before the database is opened."""
    if not 1 <= args.replications <= MAX_REPLICATIONS:
        msg = _("--replications must be between 1 and {high}", high=MAX_REPLICATIONS)
        raise InvalidInput(msg)
    if args.quota is not None and not 1 <= args.quota <= 50:
        raise InvalidInput(_("--quota needs a number of booths between 1 and 50"))
    if args.backtest and (args.first is None or args.date is not None):
        raise InvalidInput(_("--backtest needs --from (and --to) instead of --date"))
    if not args.backtest and (args.first or args.last):
        raise InvalidInput(_("--from and --to are for --backtest"))
    breaks = tuple(plan.parse_closure(b) for b in args.breaks)
    return breaks, scenario.read(args.scenario) if args.scenario else None


def _plan(args: argparse.Namespace) -> int:
    breaks, what_if = _checked(args)
    day = reports.parse_day(args.date, "--date") if args.date else None
    settings = common.settings(args)
    db = common.open_database(settings)
    try:
        from counter_desk.services.queue import QueueService

        today = office_day(SystemClock().now(), QueueService(db, office=settings.office).timezone())
        if args.backtest:
            first = reports.parse_day(args.first, "--from")
            last = reports.parse_day(args.last, "--to") if args.last else first
            if last >= today:
                msg = _("a backtest compares finished days: --to must be before today ({today})", today=today)
                raise InvalidInput(msg)
            days = backtest.backtest(db, first, last, office=settings.office, replications=args.replications)
            emit(args, {"backtest": [d.to_json() for d in days]}, "\n".join(text.describe_backtest(days)))
            return 0
        if day is None:
            day = plan.next_working_day(db, today, settings.office)
        if day < today:
            msg = _(
                "{day} is in the past: plan today or a coming day, or compare past days with --backtest --from D1 "
                "--to D2",
                day=day.isoformat(),
            )
            raise InvalidInput(msg)
        if args.quota is not None:
            answer = plan.quota(
                db,
                day,
                args.quota,
                office=settings.office,
                replications=args.replications,
                scenario=what_if,
                breaks=breaks,
            )
            emit(args, {"day": day.isoformat(), **answer.to_json()}, text.describe_quota(answer, _day(day)))
            return 0
        rec = plan.plan_day(
            db, day, office=settings.office, replications=args.replications, scenario=what_if, breaks=breaks
        )
    finally:
        db.dispose()
    emit(args, rec.to_json(), "\n".join(text.describe(rec)))
    return 0


def _day(day: dt.date) -> str:
    return format_day(day, weekday=True)

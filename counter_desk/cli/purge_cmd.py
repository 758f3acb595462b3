"""``counter-desk purge``: erase applicants' personal data older than the office's retention period."""

from __future__ import annotations

import argparse

from counter_desk.cli import common, emit
from counter_desk.i18n import _
from counter_desk.services import retention


def register(p: argparse.ArgumentParser) -> None:
    """The command's arguments and handler (its name and help: ``COMMANDS`` in ``counter_desk.cli``)."""
    p.add_argument("--dry-run", action="store_true", help="count what would be erased, erase nothing")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--user", metavar="USERNAME", help=common.USER_HELP)
    p.set_defaults(handler=_purge)


def _purge(args: argparse.Namespace) -> int:
    settings = common.settings(args)
    report = retention.purge(common.open_database(settings), settings.office, dry_run=args.dry_run, user=args.user)
    values = {
        "bookings": report.bookings,
        "pickups": report.pickups,
        "before": report.before.isoformat(),
        "days": report.retention_days,
    }
    if report.dry_run:
        human = _(
            "dry run: would erase the personal data of {bookings} booking(s) and {pickups} pickup(s) "
            "from before {before} (kept {days} days)",
            **values,
        )
    else:
        human = _(
            "erased the personal data of {bookings} booking(s) and {pickups} pickup(s) from before {before} "
            "(kept {days} days)",
            **values,
        )
    emit(args, report.to_json(), human)
    return 0

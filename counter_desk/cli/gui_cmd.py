"""``counter-desk station --station CODE``: open a counter station's window.

This is the one CLI module that reaches into the Qt windows (counter_desk.views), and only when the command
runs; the import-linter contract allows exactly this import.
"""

from __future__ import annotations

import argparse
import logging
from typing import Any

from counter_desk.cli import common
from counter_desk.errors import InvalidInput
from counter_desk.i18n import _

log = logging.getLogger(__name__)


def register(sub: Any) -> None:
    p = sub.add_parser("station", help="open a counter station's window")
    p.add_argument("--station", metavar="CODE", help="the station this PC runs (default: from the config)")
    p.add_argument("--user", metavar="USERNAME", help="the officer signed in (recorded with every action)")
    p.set_defaults(handler=_station)


def _station(args: argparse.Namespace) -> int:
    settings = common.settings(args)
    station = args.station or settings.station
    if not station:
        msg = _("which station is this PC? Give --station CODE or set [station] code in the config")
        raise InvalidInput(msg)
    db = common.open_database(settings)
    from counter_desk.services.queue import QueueService

    QueueService(db, office=settings.office).status(station=station)  # an unknown station fails here, not in a window
    from counter_desk.views.app import application
    from counter_desk.views.station import StationWindow

    app = application(settings.language)
    window = StationWindow(
        db,
        station,
        office=settings.office,
        user=args.user,
        serial_port=settings.scanner_port,
        serial_baud=settings.scanner_baud,
        receipts_dir=settings.data_dir / "receipts",
        printer=settings.printer,
        paper=settings.paper,
    )
    window.resize(1100, 700)
    window.show()
    code = app.exec()
    db.dispose()
    return int(code)

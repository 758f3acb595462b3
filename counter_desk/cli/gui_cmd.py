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
    p.add_argument("--user", metavar="USERNAME", help="the officer's username, filled into the sign-in dialog")
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
    user = args.user
    officer = None
    if settings.sign_in:
        officer = _sign_in(db, station, settings.office, args.user)
        if officer is None:
            db.dispose()
            return 1
        user = officer.username
    window = StationWindow(
        db,
        station,
        office=settings.office,
        user=user,
        serial_port=settings.scanner_port,
        serial_baud=settings.scanner_baud,
        receipts_dir=settings.data_dir / "receipts",
        printer=settings.printer,
        paper=settings.paper,
        error_sound=settings.error_sound,
    )
    window.resize(1100, 700)
    window.show()
    code = app.exec()
    if officer is not None:
        from counter_desk.services import auth

        auth.sign_out(db, officer, station)
    db.dispose()
    return int(code)


def _sign_in(db: Any, station: str, office: str | None, username: str | None) -> Any:
    """The signed-in officer who may work at ``station`` (its stage's role, or a supervisor standing in), or None
    when the dialog was cancelled. A refusal is shown in the dialog, which stays open for another try."""
    from counter_desk.services import auth
    from counter_desk.views.signin import SignInDialog

    roles = (auth.station_role(db, station, office), "supervisor")
    return SignInDialog(db, station=station, office=office, roles=roles, username=username or "").exec()

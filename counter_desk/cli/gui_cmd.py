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
    gate = common.open_database(settings, as_user=False)
    from counter_desk.services import directory
    from counter_desk.services.queue import QueueService

    station_name = station  # what the dialog says it opens (the code, until the name can be read)
    own_login = common.signs_in_to_postgres(gate)
    if own_login:
        # PostgreSQL, officers signing in as themselves: the configured role reads no queue; the officer's login
        # does, after the dialog. Without sign-in there is nothing this PC could do.
        if not settings.sign_in:
            gate.dispose()
            raise InvalidInput(_("this database lets officers in with their own login: turn sign_in on"))
    else:
        # An unknown station fails here, not in a window.
        QueueService(gate, office=settings.office).status(station=station)
        with gate.read() as session:
            office_id = directory.office_info(session, settings.office).id
            station_name = directory.station_info(session, office_id, station).name
    from counter_desk.views.app import application
    from counter_desk.views.station import StationWindow

    app = application(settings.language)
    user = args.user
    officer = None
    db = gate
    if settings.sign_in:
        url = settings.db_url if own_login else None
        signed = _sign_in(gate, station, station_name, settings.office, args.user, url)
        if signed is None:
            gate.dispose()
            return 1
        officer, db = signed
        if db is not gate:
            gate.dispose()
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


def _sign_in(  # noqa: PLR0917 - the station, its name, the office, the name typed and the login URL
    db: Any, station: str, station_name: str, office: str | None, username: str | None, url: str | None
) -> Any:
    """The signed-in officer who may work at ``station`` (its stage's role, or a supervisor standing in) and the
    connection to work through (on PostgreSQL with officers' own logins: the officer's), or None when the dialog
    was cancelled. A refusal is shown in the dialog, which stays open for another try."""
    from counter_desk.services import auth
    from counter_desk.views.signin import SignInDialog

    roles = None if url is not None else (auth.station_role(db, station, office), "supervisor")
    dialog = SignInDialog(
        db, station=station, office=office, roles=roles, username=username or "", url=url, station_name=station_name
    )
    officer = dialog.exec()
    return None if officer is None else (officer, dialog.database)

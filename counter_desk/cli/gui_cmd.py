"""``counter-desk station --station CODE``: open a counter station's window.

This is the one CLI module that reaches into the Qt windows (counter_desk.views), and only when the command
runs; the import-linter contract allows exactly this import.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from counter_desk.cli import common
from counter_desk.errors import InvalidInput
from counter_desk.i18n import _

if TYPE_CHECKING:
    from counter_desk.config import Settings
    from counter_desk.services.auth import Officer
    from counter_desk.store.engine import Database


def register(p: argparse.ArgumentParser) -> None:
    """The command's arguments and handler (its name and help: ``COMMANDS`` in ``counter_desk.cli``)."""
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
    try:
        return _open(gate, settings, station, args.user)
    finally:
        gate.dispose()


def _open(gate: Database, settings: Settings, station: str, username: str | None) -> int:
    from counter_desk.services import auth
    from counter_desk.services.desk import Desk
    from counter_desk.services.queue import QueueService

    station_name = station  # what the dialog says it opens (the code, until the name can be read)
    own_login = common.signs_in_to_postgres(gate)
    roles = None
    if own_login:
        # PostgreSQL, officers signing in as themselves: the configured role reads no queue; the officer's login
        # does, after the dialog. Without sign-in there is nothing this PC could do.
        if not settings.sign_in:
            raise InvalidInput(_("this database lets officers in with their own login: turn sign_in on"))
    else:
        # An unknown station fails here, not in a window.
        state = QueueService(gate, office=settings.office).status(station=station)
        station_name = next(s.name for s in state.stations if s.code == station)
        if settings.sign_in:
            # Its stage's role, or a supervisor standing in (with their own login, the dialog asks the database).
            roles = (auth.station_role(gate, station, settings.office), "supervisor")
    from counter_desk.views.launch import SignIn, run_window
    from counter_desk.views.station import StationWindow

    def window(desk: Desk, officer: Officer | None) -> StationWindow:
        made = StationWindow(
            desk,
            station,
            office=settings.office,
            user=officer.username if officer is not None else username,
            serial_port=settings.scanner_port,
            serial_baud=settings.scanner_baud,
            receipts_dir=settings.data_dir / "receipts",
            printer=settings.printer,
            paper=settings.paper,
            error_sound=settings.error_sound,
        )
        made.resize(1100, 700)
        return made

    ask = SignIn(
        station=station,
        station_name=station_name,
        office=settings.office,
        roles=roles,
        username=username or "",
        url=settings.db_url if own_login else None,
    )
    return run_window(Desk(gate), window, language=settings.language, sign_in=ask if settings.sign_in else None)

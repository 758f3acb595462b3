"""``counter-desk supervisor``: open the supervisor's window (the office at a glance, live; rules; actions).

Like ``station``, this CLI module reaches into the Qt windows (counter_desk.views) only when the command runs;
the import-linter contract allows exactly this import.
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
    p.add_argument(
        "--user",
        metavar="USERNAME",
        help="the supervisor (needs the supervisor role; filled into the sign-in dialog, recorded with actions)",
    )
    p.set_defaults(handler=_supervisor)


def _supervisor(args: argparse.Namespace) -> int:
    settings = common.settings(args)
    gate = common.open_database(settings, as_user=False)
    try:
        return _open(gate, settings, args.user)
    finally:
        gate.dispose()


def _open(gate: Database, settings: Settings, username: str | None) -> int:
    from counter_desk.services import dashboard, roles
    from counter_desk.services.desk import Desk

    own_login = common.signs_in_to_postgres(gate)
    if own_login and not settings.sign_in:
        raise InvalidInput(_("this database lets officers in with their own login: turn sign_in on"))
    if not own_login:
        # An unknown office, or a user without the role, fails here with one line, not in a window.
        dashboard.snapshot(gate, office=settings.office)
        roles.check_user_role(gate, username, dashboard.SUPERVISOR_ROLES)
    from counter_desk.views.launch import SignIn, run_window
    from counter_desk.views.supervisor import SupervisorWindow

    def window(desk: Desk, officer: Officer | None) -> SupervisorWindow:
        made = SupervisorWindow(
            desk, office=settings.office, user=officer.username if officer is not None else username
        )
        made.resize(1280, 860)
        return made

    ask = SignIn(
        office=settings.office,
        roles=tuple(dashboard.SUPERVISOR_ROLES),
        heading=_("Counter Desk: sign in to open the supervisor's window"),
        username=username or "",
        url=settings.db_url if own_login else None,
    )
    return run_window(Desk(gate), window, language=settings.language, sign_in=ask if settings.sign_in else None)

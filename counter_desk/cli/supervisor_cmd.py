"""``counter-desk supervisor``: open the supervisor's window (the office at a glance, live; rules; actions).

Like ``station``, this CLI module reaches into the Qt windows (counter_desk.views) only when the command runs;
the import-linter contract allows exactly this import.
"""

from __future__ import annotations

import argparse
from typing import Any

from counter_desk.cli import common
from counter_desk.errors import InvalidInput
from counter_desk.i18n import _


def register(sub: Any) -> None:
    p = sub.add_parser("supervisor", help="open the supervisor's window: queues, stations, charts, actions, rules")
    p.add_argument(
        "--user",
        metavar="USERNAME",
        help="the supervisor (needs the supervisor role; filled into the sign-in dialog, recorded with actions)",
    )
    p.set_defaults(handler=_supervisor)


def _supervisor(args: argparse.Namespace) -> int:
    settings = common.settings(args)
    gate = common.open_database(settings, as_user=False)
    from counter_desk.services import dashboard, directory, roles

    own_login = common.signs_in_to_postgres(gate)
    if own_login and not settings.sign_in:
        gate.dispose()
        raise InvalidInput(_("this database lets officers in with their own login: turn sign_in on"))
    if not own_login:
        # An unknown office, or a user without the role, fails here with one line, not in a window.
        dashboard.snapshot(gate, office=settings.office)
        with gate.read() as session:
            directory.office_info(session, settings.office)
            if args.user is not None:
                roles.require_user_role(session, args.user, dashboard.SUPERVISOR_ROLES)
    from counter_desk.views.app import application
    from counter_desk.views.supervisor import SupervisorWindow

    app = application(settings.language)
    user = args.user
    db = gate
    if settings.sign_in:
        from counter_desk.views.signin import SignInDialog

        dialog = SignInDialog(
            gate,
            office=settings.office,
            roles=dashboard.SUPERVISOR_ROLES,
            heading=_("Counter Desk: sign in to open the supervisor's window"),
            username=args.user or "",
            url=settings.db_url if own_login else None,
        )
        officer = dialog.exec()
        if officer is None:
            gate.dispose()
            return 1
        user = officer.username
        db = dialog.database  # on PostgreSQL with officers' own logins: the supervisor's connection
        if db is not gate:
            gate.dispose()
    window = SupervisorWindow(db, office=settings.office, user=user)
    window.resize(1280, 860)
    window.show()
    code = app.exec()
    db.dispose()
    return int(code)

"""``counter-desk supervisor``: open the supervisor's window (the office at a glance, live; rules; actions).

Like ``station``, this CLI module reaches into the Qt windows (counter_desk.views) only when the command runs;
the import-linter contract allows exactly this import.
"""

from __future__ import annotations

import argparse
from typing import Any

from counter_desk.cli import common
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
    db = common.open_database(settings)
    from counter_desk.services import auth, dashboard, directory

    # An unknown office, or a user without the role, fails here with one line, not in a window.
    dashboard.snapshot(db, office=settings.office)
    with db.read() as session:
        directory.office_info(session, settings.office)
        if args.user is not None:
            auth.require_user_role(session, args.user, dashboard.SUPERVISOR_ROLES)
    from counter_desk.views.app import application
    from counter_desk.views.supervisor import SupervisorWindow

    app = application(settings.language)
    user = args.user
    if settings.sign_in:
        from counter_desk.views.signin import SignInDialog

        officer = SignInDialog(
            db,
            office=settings.office,
            roles=dashboard.SUPERVISOR_ROLES,
            heading=_("Counter Desk: sign in to open the supervisor's window"),
            username=args.user or "",
        ).exec()
        if officer is None:
            db.dispose()
            return 1
        user = officer.username
    window = SupervisorWindow(db, office=settings.office, user=user)
    window.resize(1280, 860)
    window.show()
    code = app.exec()
    db.dispose()
    return int(code)

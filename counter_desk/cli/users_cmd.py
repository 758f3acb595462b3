"""``counter-desk users VERB``: officers, their roles and passwords.

A password is never a command-line argument (it would sit in the shell history and the process list): it is
asked twice at the terminal, or read as one line from standard input with ``--password-stdin``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys
from typing import Any

from counter_desk.cli import common, emit
from counter_desk.errors import InvalidInput
from counter_desk.i18n import _
from counter_desk.services import auth, roles


def register(sub: Any) -> None:
    u = sub.add_parser("users", help="officers: add, set passwords and roles, unlock, disable, list")
    verbs = u.add_subparsers(dest="verb", required=True, metavar="VERB")

    p = verbs.add_parser("add", help="add an officer")
    p.add_argument("username", metavar="USERNAME")
    p.add_argument("--name", required=True, help="full name")
    p.add_argument("--roles", required=True, metavar="R1,R2", help=f"roles: {', '.join(roles.ROLES)}")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    group.add_argument("--no-password", action="store_true", help="no password yet: set it later with passwd")
    _common(p)
    p.set_defaults(handler=_add)

    p = verbs.add_parser("passwd", help="set an officer's password (also lifts a lockout)")
    p.add_argument("username", metavar="USERNAME")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    _common(p)
    p.set_defaults(handler=_passwd)

    p = verbs.add_parser("roles", help="show or change an officer's roles")
    p.add_argument("username", metavar="USERNAME")
    p.add_argument("--set", metavar="R1,R2", help="replace the roles")
    p.add_argument("--add", metavar="R1,R2", default="", help="add roles")
    p.add_argument("--remove", metavar="R1,R2", default="", help="remove roles")
    _common(p)
    p.set_defaults(handler=_roles)

    for verb, text in (
        ("unlock", "lift a lockout after failed sign-ins"),
        ("disable", "nobody can sign in as this officer any more (its history stays)"),
        ("enable", "allow a disabled officer to sign in again"),
    ):
        p = verbs.add_parser(verb, help=text)
        p.add_argument("username", metavar="USERNAME")
        _common(p)
        p.set_defaults(handler=_simple(verb))

    p = verbs.add_parser("list", help="every officer of the office")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=_list)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--user", metavar="USERNAME", help=common.USER_HELP)


def read_password(from_stdin: bool) -> str:
    """The new password: one line of standard input, or typed twice at the terminal."""
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise InvalidInput(_("no password on standard input"))
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise InvalidInput(_("no terminal to ask the password at: use --password-stdin"))
    first = getpass.getpass(_("New password: "))
    if getpass.getpass(_("Repeat it: ")) != first:
        raise InvalidInput(_("the two passwords differ; nothing changed"))
    return first


def _describe(view: auth.UserView) -> str:
    roles = ", ".join(view.roles) or "-"
    flags = []
    if not view.active:
        flags.append(_("disabled"))
    if not view.has_password:
        flags.append(_("no password"))
    if view.locked_until is not None and view.locked_until > dt.datetime.now(dt.UTC):
        flags.append(_("locked until {time}", time=view.locked_until_local()))
    extra = f" [{'; '.join(flags)}]" if flags else ""
    return f"{view.username:<16} {view.full_name:<40} {roles}{extra}"


def _add(args: argparse.Namespace) -> int:
    settings = common.settings(args)
    password = None if args.no_password else read_password(args.password_stdin)
    db = common.open_database(settings)
    view = auth.add_user(
        db, args.username, args.name, [args.roles], password=password, office=settings.office, actor=args.user
    )
    emit(args, view.to_json(), _("officer added: {line}", line=_describe(view)))
    return 0


def _passwd(args: argparse.Namespace) -> int:
    settings = common.settings(args)
    password = read_password(args.password_stdin)
    view = auth.set_password(common.open_database(settings), args.username, password, actor=args.user)
    emit(args, view.to_json(), _("password set for {username}", username=view.username))
    return 0


def _roles(args: argparse.Namespace) -> int:
    db = common.open_database(common.settings(args))
    if args.set is None and not args.add and not args.remove:
        views = {v.username: v for v in auth.list_users(db, args.office)}
        view = views.get(args.username.strip().lower())
        if view is None:
            raise InvalidInput(
                _("unknown user {username!r} (known: {known})", username=args.username, known=", ".join(views))
            )
    else:
        view = auth.set_roles(
            db,
            args.username,
            roles=[args.set] if args.set is not None else None,
            add=[args.add],
            remove=[args.remove],
            actor=args.user,
        )
    emit(args, view.to_json(), _describe(view))
    return 0


def _simple(verb: str) -> Any:
    def handler(args: argparse.Namespace) -> int:
        db = common.open_database(common.settings(args))
        if verb == "unlock":
            view = auth.unlock(db, args.username, actor=args.user)
        else:
            view = auth.set_active(db, args.username, verb == "enable", actor=args.user)
        emit(args, view.to_json(), _describe(view))
        return 0

    return handler


def _list(args: argparse.Namespace) -> int:
    settings = common.settings(args)
    views = auth.list_users(common.open_database(settings), settings.office)
    emit(args, {"users": [v.to_json() for v in views]}, "\n".join(_describe(v) for v in views) or _("no officers"))
    return 0

"""What the subcommands share: opening the configured database, as the officer who runs the command.

On PostgreSQL, ``--user NAME`` signs the command in as that officer: the connection uses the officer's own database
login (the password from PGPASSWORD or PGPASSFILE, else asked at the terminal), so the database -- not this
program -- decides what the command may do and records who did it. The configured URL is then only the station's
sign-in role, through which a refused password is reported (five in a row lock the officer). Whoever runs the
command with the owner's URL (a database administrator) is trusted already: ``--user`` only names the acting
officer in the logs, as it does on SQLite (one PC: see docs/SECURITY.md).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from counter_desk.config import Settings, load_settings
from counter_desk.errors import InvalidInput
from counter_desk.i18n import _
from counter_desk.store import migrate
from counter_desk.store.engine import Database

#: Help of ``--user`` (argparse's help stays English).
USER_HELP = (
    "the officer acting; on PostgreSQL the command signs in as that officer (password from PGPASSWORD or "
    "PGPASSFILE, else asked) and the database decides what it may do"
)
#: The officer named by the running command's ``--user`` (one command per process: set by :func:`settings`).
_acting: dict[str, str | None] = {"user": None}

# Is the connected role the owner of the schema (or a superuser)? Readable by every role, before any grant.
_IS_OWNER = text(
    "SELECT r.rolsuper OR c.relowner IS NULL OR pg_has_role(current_user, c.relowner, 'MEMBER') "
    "FROM pg_roles r LEFT JOIN pg_class c ON c.oid = to_regclass('public.users') WHERE r.rolname = current_user"
)


def warn_password_in_url(db: str | None) -> None:
    """``--db`` with a password: anyone on the PC can read it in the process list (``ps``). Say so."""
    if not db:
        return
    try:
        password = make_url(db).password
    except ArgumentError:  # a malformed URL: load_settings reports it, with its own message
        return
    if password:
        print(
            _(
                "warning: the password in --db is visible to every user of this PC (ps); put the URL in the config "
                "file or COUNTER_DESK_DB_URL, or the password in PGPASSFILE"
            ),
            file=sys.stderr,
        )


def warn_once() -> None:
    """:func:`warn_password_in_url` for the running command's ``--db``, once (when it connects: a command that
    cannot reach the database prints its error as the first line)."""
    flag, _acting["db_flag"] = _acting.get("db_flag"), None
    warn_password_in_url(flag)


def connect(url: str) -> Database:
    """``Database.connect``, and the ``--db`` password warning once the first connection is made."""
    db = Database.connect(url)
    event.listen(db.engine, "connect", lambda *_args: warn_once())
    return db


def settings(args: argparse.Namespace) -> Settings:
    _acting["user"] = getattr(args, "user", None)
    _acting["db_flag"] = getattr(args, "db", None)
    return load_settings(db=args.db, office=args.office, config=args.config)


def open_database(settings: Settings, *, migrate_sqlite: bool = True, as_user: bool = True) -> Database:
    """Connect; a SQLite file (one PC) is created and migrated on first use, PostgreSQL must be migrated.

    On PostgreSQL with ``--user`` and a configured role that is not the owner: the officer's own login (unless
    ``as_user`` is false: a window signs the officer in with its own dialog).
    """
    if settings.db_url.startswith("sqlite:///"):
        file = settings.db_url.removeprefix("sqlite:///")
        if file and file != ":memory:":
            Path(file).parent.mkdir(parents=True, exist_ok=True)
    db = connect(settings.db_url)
    user = _acting["user"]
    if as_user and db.dialect == "postgresql" and user and not is_owner(db):
        db.dispose()
        db = connect_officer(settings.db_url, user, settings.station)
    migrate.ensure_schema(db, auto_upgrade=migrate_sqlite and db.dialect == "sqlite")
    return db


def signs_in_to_postgres(db: Database) -> bool:
    """Whether officers must sign in to this database as themselves: PostgreSQL, reached through a role that is
    not the owner (a station's sign-in role)."""
    return db.dialect == "postgresql" and not is_owner(db)


def is_owner(db: Database) -> bool:
    """Whether ``db`` is connected as the schema's owner or a superuser (who can do anything anyway)."""
    with db.read_rows() as conn:
        return bool(conn.execute(_IS_OWNER).scalar())


def ask_password(username: str) -> str:
    if not sys.stdin.isatty():
        raise InvalidInput(
            _("no password for {user}: run the command at a terminal, or put the password in PGPASSFILE", user=username)
        )
    return getpass.getpass(_("Password of {user}: ", user=username))


def connect_officer(url: str, username: str, station: str | None = None) -> Database:
    """The officer's own connection: PGPASSWORD/PGPASSFILE first, else the password typed at the terminal."""
    from counter_desk.services import auth  # sign-in (argon2, the ORM) only for a command run as an officer

    try:
        return auth.connect_officer(url, username, None, station)
    except auth.PasswordNeeded:
        password = ask_password(username)
    return auth.connect_officer(url, username, password, station)

"""``counter-desk db`` verbs for reliability: standby, backup and restore, the event log's hash chain.

Registered under ``db`` by :func:`counter_desk.cli.db_cmd.register`:

- ``db verify``: recompute the hash chains of the event log and the audit log; name the first row that differs.
- ``db backup FILE`` / ``db restore FILE``: a consistent copy; restore into an empty database only.
- ``db status``: this server's role and its standby's health (warnings as the supervisor sees them).
- ``db standby setup|sync|async|watch``: make a standby (pg_basebackup), make commits wait for it, or not,
  and the watchdog that keeps the primary serving when the standby is gone.
- ``db promote``: make the standby the primary.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from counter_desk.cli import common, emit
from counter_desk.errors import InvalidInput, NotFound
from counter_desk.i18n import _
from counter_desk.services import replication
from counter_desk.store import backup as backups
from counter_desk.store import chain
from counter_desk.store.engine import Database, libpq_params

#: Exit code of ``db verify`` when a chain does not match.
TAMPERED = 9


def register(verbs: Any) -> None:
    """Add this module's verbs to the ``db`` command's sub-parsers."""
    p = verbs.add_parser("verify", help="recompute the hash chain of the event log and the audit log")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_verify)

    p = verbs.add_parser("backup", help="write a backup of the database (pg_dump custom format, or SQLite copy)")
    p.add_argument("file", type=Path)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_backup)

    p = verbs.add_parser("restore", help="restore a backup into the empty database given by --db")
    p.add_argument("file", type=Path)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_restore)

    p = verbs.add_parser("status", help="this server's role and its standby's health (PostgreSQL)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_status)

    p = verbs.add_parser("promote", help="make the standby given by --db the primary (PostgreSQL)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_promote)

    p = verbs.add_parser("standby", help="set up and look after a synchronous hot standby (PostgreSQL)")
    steps = p.add_subparsers(dest="step", required=True, metavar="STEP")
    s = steps.add_parser("setup", help="on the standby PC: copy the primary (--db) into an empty data folder")
    s.add_argument("--data", required=True, type=Path, metavar="DIR", help="the standby's new data folder")
    s.add_argument("--name", default=replication.DEFAULT_NAME, help="standby name (slot, application_name)")
    s.set_defaults(handler=_standby_setup)
    s = steps.add_parser("sync", help="on the primary: every commit waits until the standby has it")
    s.add_argument("--name", default=replication.DEFAULT_NAME)
    s.set_defaults(handler=_standby_sync)
    s = steps.add_parser("async", help="on the primary: commits no longer wait for the standby")
    s.set_defaults(handler=_standby_async)
    s = steps.add_parser("watch", help="watchdog: keep the primary serving when the standby is gone")
    s.add_argument("--name", default=replication.DEFAULT_NAME)
    s.add_argument("--after", type=float, default=5.0, metavar="S", help="seconds without the standby (5)")
    s.add_argument("--interval", type=float, default=1.0, metavar="S", help="seconds between checks (1)")
    s.add_argument(
        "--promote-after",
        type=float,
        metavar="S",
        help="run on the standby (--db its own address): promote it after S seconds without the primary",
    )
    s.add_argument("--once", action="store_true", help="check once and exit")
    s.set_defaults(handler=_standby_watch)
    for step in steps.choices.values():
        step.add_argument("--json", action="store_true")


def _connect(args: argparse.Namespace) -> Database:
    return Database.connect(common.settings(args).db_url)


def _office_id(db: Database, code: str | None) -> int | None:
    if code is None:
        return None
    with db.read() as session:
        found = session.execute(text("SELECT id FROM offices WHERE code = :c"), {"c": code}).scalar()
    if found is None:
        raise NotFound(_("unknown office {code!r}", code=code))
    return int(found)


def _problem(problem: str) -> str:
    return {
        "altered": _("its contents or hash were changed"),
        "missing": _("rows before it were deleted"),
        "unchained": _("it was written with the chain's trigger switched off"),
        "head": _("rows at the end were deleted (the recorded head is further on)"),
    }[problem]


def _verify(args: argparse.Namespace) -> int:
    db = _connect(args)
    try:
        office = _office_id(db, args.office)
        with db.read() as session:
            verdicts = chain.verify(session.connection(), office)
    finally:
        db.dispose()
    lines = []
    for v in verdicts:
        if v.broken is None:
            lines.append(
                _(
                    "{table} of office {office}: {rows} rows, chain intact, head {head}",
                    table=v.table,
                    office=v.office_id,
                    rows=v.rows,
                    head=v.head,
                )
            )
            continue
        b = v.broken
        row = _("row {row}", row=b.row) if b.row is not None else _("after the last row")
        lines.append(
            _(
                "{table} of office {office}: chain broken at position {position} ({row}): {problem}",
                table=v.table,
                office=v.office_id,
                position=b.position,
                row=row,
                problem=_problem(b.problem),
            )
        )
    payload = {
        "ok": all(v.ok for v in verdicts),
        "chains": [
            {
                "table": v.table,
                "office_id": v.office_id,
                "rows": v.rows,
                "head": v.head,
                "broken": None if v.broken is None else v.broken.__dict__,
            }
            for v in verdicts
        ],
    }
    emit(args, payload, "\n".join(lines))
    return 0 if payload["ok"] else TAMPERED


def _backup(args: argparse.Namespace) -> int:
    db = _connect(args)
    try:
        done = backups.backup(db, args.file)
    finally:
        db.dispose()
    emit(
        args,
        {"file": str(done.file), "bytes": done.bytes, "dialect": done.dialect},
        _("backup written: {file} ({size} bytes)", file=done.file, size=done.bytes),
    )
    return 0


def _restore(args: argparse.Namespace) -> int:
    url = common.settings(args).db_url
    backups.restore(url, args.file)
    db = Database.connect(url)
    try:
        with db.read() as session:
            verdicts = chain.verify(session.connection())
    finally:
        db.dispose()
    ok = all(v.ok for v in verdicts)
    emit(
        args,
        {"restored": str(args.file), "chain_ok": ok},
        _("restored {file}; hash chain {state}", file=args.file, state=_("intact") if ok else _("BROKEN")),
    )
    return 0 if ok else TAMPERED


def _status(args: argparse.Namespace) -> int:
    db = _connect(args)
    try:
        state = replication.status(db)
    finally:
        db.dispose()
    if state.role == replication.STANDBY:
        human = _("this server is a standby (read-only); promote it with 'counter-desk db promote'")
    else:
        links = ", ".join(f"{s.name} ({s.state}, {s.sync_state})" for s in state.standbys) or _("none")
        human = _(
            "this server is the primary; standbys: {links}; commits wait for: {sync}",
            links=links,
            sync=state.synchronous or _("no standby"),
        )
        human = "\n".join([human, *state.warnings])
    emit(args, state.to_json(), human)
    return 0 if state.ok else 1


def _promote(args: argparse.Namespace) -> int:
    db = _connect(args)
    started = time.monotonic()
    try:
        replication.promote(db)
    finally:
        db.dispose()
    took = time.monotonic() - started
    emit(
        args,
        {"promoted": True, "seconds": round(took, 2)},
        _("promoted: this server is now the primary ({s:.1f} s)", s=took),
    )
    return 0


def _standby_setup(args: argparse.Namespace) -> int:
    settings = common.settings(args)
    if not settings.db_url.startswith("postgres"):
        raise InvalidInput(_("a standby needs a PostgreSQL server; the embedded SQLite file has none"))
    if args.data.exists() and any(args.data.iterdir()):
        raise InvalidInput(_("{dir} is not empty: give a new folder for the standby's data", dir=args.data))
    params = libpq_params(settings.db_url)
    env = dict(os.environ)
    if "password" in params:
        env["PGPASSWORD"] = params.pop("password")
    cmd = replication.basebackup_command(backups.server_tool("pg_basebackup"), params, str(args.data), args.name)
    proc = subprocess.run(cmd, check=False, env=env)  # progress goes to the terminal
    if proc.returncode != 0:
        raise InvalidInput(_("pg_basebackup failed (exit {code}); nothing usable was written", code=proc.returncode))
    human = _(
        "standby data ready in {dir}: start it with pg_ctl -D {dir} start, then run "
        "'counter-desk db standby sync' on the primary",
        dir=args.data,
    )
    emit(args, {"data": str(args.data), "name": args.name}, human)
    return 0


def _standby_sync(args: argparse.Namespace) -> int:
    db = _connect(args)
    try:
        replication.enable_sync(db, args.name)
    finally:
        db.dispose()
    emit(args, {"synchronous": args.name}, _("commits now wait for the standby {name}", name=args.name))
    return 0


def _standby_async(args: argparse.Namespace) -> int:
    db = _connect(args)
    try:
        replication.disable_sync(db)
    finally:
        db.dispose()
    emit(args, {"synchronous": None}, _("commits no longer wait for a standby"))
    return 0


def _standby_watch(args: argparse.Namespace) -> int:
    if args.after < 0 or args.interval <= 0 or (args.promote_after is not None and args.promote_after <= 0):
        raise InvalidInput(_("--after must be >= 0, --interval and --promote-after > 0"))
    db = _connect(args)
    dog = replication.Watchdog(
        db, after_s=args.after, name=replication.check_name(args.name), promote_after_s=args.promote_after
    )
    try:
        while True:
            try:
                did = dog.step()
            except DBAPIError as exc:
                # The primary is out of reach (failing over?): keep watching; a multi-host URL follows it.
                print(_("cannot reach the primary: {error}", error=str(exc.orig).splitlines()[0]), flush=True)
                did = None
            said = {
                "degraded": _("the standby is gone: commits no longer wait for it"),
                "restored": _("the standby is back: commits wait for it again"),
                "promoted": _("the primary was silent: this standby is now the primary"),
            }
            if did is not None:
                emit(args, {"did": did}, said[did])
                sys.stdout.flush()
            if args.once:
                return 0
            time.sleep(args.interval)
    finally:
        db.dispose()

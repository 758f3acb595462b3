"""Backups of an office's database and their restore into an empty one.

- PostgreSQL: ``pg_dump --format=custom`` (compressed, restorable table by table) and ``pg_restore`` in one
  transaction into an empty database. Grants are left out (``--no-privileges``, ``--no-owner``): the restoring
  role owns everything; run ``counter-desk db roles --apply`` afterwards for the stations' roles.
- SQLite: the online backup API (a consistent copy while stations keep working); restore copies it to a new file.

Passwords never appear on a command line (``ps`` shows those): they go to the tools through ``PGPASSWORD``.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from psycopg.conninfo import make_conninfo
from sqlalchemy import inspect
from sqlalchemy.engine import URL

from counter_desk.errors import InvalidInput, UserError
from counter_desk.i18n import _
from counter_desk.store.engine import Database, libpq_params, normalise_url


class ToolMissing(UserError):
    """A PostgreSQL client program (pg_dump, pg_restore, pg_basebackup) is not installed."""

    exit_code = 8
    code = "tool_missing"


def server_tool(name: str) -> str:
    """The path of a PostgreSQL client program: on PATH, else the newest under /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    if candidates:
        return str(candidates[0])
    msg = _("{tool} is not installed: install the PostgreSQL client programs (postgresql-client)", tool=name)
    raise ToolMissing(msg)


def tool_env(url: str | URL) -> tuple[str, dict[str, str]]:
    """A conninfo string without the password, and an environment carrying it."""
    params = libpq_params(url)
    env = dict(os.environ)
    password = params.pop("password", None)
    if password:
        env["PGPASSWORD"] = password
    return make_conninfo(**params), env


def run_tool(cmd: list[str], env: dict[str, str] | None = None) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        msg = _("{tool} failed: {detail}", tool=Path(cmd[0]).name, detail=detail[-1] if detail else proc.returncode)
        raise UserError(msg)


@dataclass(frozen=True)
class BackupDone:
    file: Path
    bytes: int
    dialect: str


def backup(db: Database, file: Path) -> BackupDone:
    """Write a consistent copy of the whole database to ``file`` (refuses to overwrite one)."""
    if file.exists():
        raise InvalidInput(_("{file} already exists: choose a new file name", file=file))
    file.parent.mkdir(parents=True, exist_ok=True)
    if db.dialect == "postgresql":
        conninfo, env = tool_env(db.engine.url)
        partial = file.with_name(file.name + ".partial")
        run_tool(
            [server_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}", conninfo],
            env,
        )
        partial.rename(file)
    else:
        source = db.engine.url.database
        if not source:
            raise InvalidInput(_("the SQLite database has no file to back up"))
        src = sqlite3.connect(source)
        dst = sqlite3.connect(file)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
    return BackupDone(file, file.stat().st_size, db.dialect)


def _is_empty(db: Database) -> bool:
    with db.read_connection() as conn:  # on SQLite: without the write lock
        return not inspect(conn).get_table_names()


def restore(url: str | URL, file: Path) -> None:
    """Restore ``file`` (made by :func:`backup`) into the empty database ``url``; writes nothing on error."""
    if not file.is_file():
        raise InvalidInput(_("no backup file {file}", file=file))
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "postgresql":
        target = Database.connect(parsed)
        try:
            if not _is_empty(target):
                raise InvalidInput(_("the target database is not empty: restore into a new, empty database"))
        finally:
            target.dispose()
        conninfo, env = tool_env(parsed)
        run_tool(
            [
                server_tool("pg_restore"),
                "--single-transaction",
                "--exit-on-error",
                "--no-owner",
                "--no-privileges",
                f"--dbname={conninfo}",
                str(file),
            ],
            env,
        )
        return
    path = parsed.database
    if not path:
        raise InvalidInput(_("restore needs a SQLite file: --db sqlite:///FILE"))
    if Path(path).exists() and Path(path).stat().st_size > 0:
        raise InvalidInput(_("{file} already exists: restore into a new file", file=path))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
    try:
        try:
            intact = src.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        except sqlite3.DatabaseError:
            intact = False
        if not intact:
            raise InvalidInput(_("{file} is not an intact SQLite backup", file=file))
        dst = sqlite3.connect(path)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()

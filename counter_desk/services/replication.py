"""A hot standby on a second PC: set-up, health, the synchronous-commit watchdog, promotion, retries.

How the pieces fit (docs/RELIABILITY.md tells the office):

- The standby is a copy made by ``pg_basebackup -R`` with a replication slot named like the standby
  (:func:`basebackup_command`); it streams the primary's WAL. The slot is also how the primary knows a standby is
  *expected*: a slot whose standby is not streaming is a warning (:func:`status`).
- ``synchronous_standby_names`` names the standby (:func:`enable_sync`), so a commit -- an action acknowledged
  to a station -- is on both servers' disks before the station hears "done".
- A synchronous primary whose standby is gone waits on every commit forever: the office would stop. The watchdog
  (:class:`Watchdog`, ``counter-desk db standby watch``) drops ``synchronous_standby_names`` after
  ``after_s`` seconds without the standby, and sets it again once the standby streams and has caught up. The
  trade-off: between those moments commits are on the primary only; a second failure in that window (the primary
  dies before the standby is back) loses them. The warning says so while it lasts.
- Promotion (:func:`promote`) makes the standby the primary and clears its copy of ``synchronous_standby_names``
  (copied from the old primary by the base backup: left set, the new primary would wait for a standby that does
  not exist). Clients with a multi-host URL (``target_session_attrs=read-write``) reconnect to it by themselves.

The watchdog and promotion need a role allowed to do so: a superuser, or one granted ``pg_monitor``,
``ALTER SYSTEM ON PARAMETER synchronous_standby_names``, EXECUTE on ``pg_reload_conf()`` and ``pg_promote()``.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, text

from counter_desk.errors import DatabaseUnavailable, InvalidInput
from counter_desk.i18n import _
from counter_desk.store.engine import Database

log = logging.getLogger(__name__)

DEFAULT_NAME = "counter_desk_standby"
#: A standby further behind than this many bytes of WAL is reported as behind.
BEHIND_BYTES = 16 * 1024 * 1024
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

PRIMARY = "primary"
STANDBY = "standby"


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise InvalidInput(_("{name!r} is not a plain standby name (lower-case letters, digits, _)", name=name))
    return name


def basebackup_command(
    pg_basebackup: str, primary: dict[str, str], data_dir: str, name: str = DEFAULT_NAME
) -> list[str]:
    """``pg_basebackup`` that makes ``data_dir`` a streaming standby of ``primary`` (libpq keywords, no password:
    give it through PGPASSWORD or ~/.pgpass), with a replication slot and application_name ``name``."""
    check_name(name)
    keys = ("host", "port", "user", "sslmode")
    conninfo = " ".join(f"{k}={primary[k]}" for k in keys if primary.get(k)) + f" application_name={name}"
    return [
        pg_basebackup,
        f"--pgdata={data_dir}",
        f"--dbname={conninfo}",
        "--write-recovery-conf",
        "--wal-method=stream",
        "--checkpoint=fast",
        "--create-slot",
        f"--slot={name}",
        "--progress",
    ]


@dataclass(frozen=True)
class StandbyLink:
    name: str
    state: str
    sync_state: str
    #: Bytes of WAL the standby has not yet flushed.
    behind_bytes: int


@dataclass(frozen=True)
class ReplicationStatus:
    role: str
    #: ``synchronous_standby_names`` as in force now ('' when commits wait for no standby).
    synchronous: str
    standbys: list[StandbyLink] = field(default_factory=list)
    #: Standbys the primary keeps WAL for (replication slots): the ones it expects.
    expected: list[str] = field(default_factory=list)
    #: One line each for the supervisor; empty when all is well.
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.warnings

    def to_json(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "synchronous": self.synchronous,
            "standbys": [s.__dict__ for s in self.standbys],
            "expected": self.expected,
            "warnings": self.warnings,
        }


_SEES_REPLICATION = (
    "SELECT pg_has_role(current_user, 'pg_read_all_stats', 'USAGE')"
    " OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)"
)


def _read_status(conn: Connection) -> ReplicationStatus:
    if conn.execute(text("SELECT pg_is_in_recovery()")).scalar_one():
        return ReplicationStatus(STANDBY, "")
    sync = str(conn.execute(text("SELECT current_setting('synchronous_standby_names')")).scalar_one())
    rows = conn.execute(
        text(
            "SELECT application_name, state, sync_state,"
            " coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), flush_lsn), 0)::bigint"
            " FROM pg_stat_replication ORDER BY application_name"
        )
    ).all()
    links = [StandbyLink(str(r[0]), str(r[1]), str(r[2]), int(r[3])) for r in rows]
    expected = [
        str(v)
        for v in conn.execute(
            text("SELECT slot_name FROM pg_replication_slots WHERE slot_type = 'physical' ORDER BY slot_name")
        ).scalars()
    ]
    warnings: list[str] = []
    if expected and not conn.execute(text(_SEES_REPLICATION)).scalar_one():
        # Without pg_read_all_stats, pg_stat_replication hides every standby's state: say that, not "gone".
        warnings.append(_("The standby's state is hidden from this role: grant it pg_monitor to see it."))
        return ReplicationStatus(PRIMARY, sync, links, expected, warnings)
    streaming = {s.name for s in links if s.state == "streaming"}
    for name in expected:
        if name not in streaming:
            warnings.append(
                _(
                    "The standby {name} is not connected: if this server fails, the office stops until it is back.",
                    name=name,
                )
            )
    if expected and not sync:
        warnings.append(
            _("Actions are saved on this server only (not on the standby) until the standby is back and caught up.")
        )
    for link in links:
        if link.behind_bytes > BEHIND_BYTES:
            warnings.append(
                _("The standby {name} is {mb} MB behind.", name=link.name, mb=link.behind_bytes // (1024 * 1024))
            )
    return ReplicationStatus(PRIMARY, sync, links, expected, warnings)


def status(db: Database) -> ReplicationStatus:
    """The server's role and its standby's health, with warnings for the supervisor (PostgreSQL only)."""
    if db.dialect != "postgresql":
        raise InvalidInput(_("a standby needs a PostgreSQL server; the embedded SQLite file has none"))
    with db.read() as session:
        return _read_status(session.connection())


def supervisor_warnings(db: Database) -> list[str]:
    """What the supervisor window shows about the standby: one line per problem, none when all is well or the
    office has no standby (SQLite: none). Call it on the window's worker every ~10 s."""
    if db.dialect != "postgresql":
        return []
    return status(db).warnings


def _set_sync(db: Database, names: str) -> None:
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if names:
            conn.execute(text(f"ALTER SYSTEM SET synchronous_standby_names = '{names}'"))
        else:
            conn.execute(text("ALTER SYSTEM SET synchronous_standby_names = ''"))
        conn.execute(text("SELECT pg_reload_conf()"))
    # The reload is asynchronous: wait until this backend's setting says it took effect.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with db.engine.connect() as conn:
            if conn.execute(text("SELECT current_setting('synchronous_standby_names')")).scalar_one() == names:
                return
        time.sleep(0.05)


def enable_sync(db: Database, name: str = DEFAULT_NAME) -> None:
    """Make commits wait for the standby ``name`` (on the primary)."""
    _set_sync(db, f'"{check_name(name)}"')


def disable_sync(db: Database) -> None:
    _set_sync(db, "")


@dataclass
class Watchdog:
    """Keeps a synchronous primary serving when its standby is gone (see the module's docstring).

    Run against the standby instead (its own address, not the office's multi-host URL) with ``promote_after_s``,
    it promotes the standby once it has heard nothing from the primary for that long: automatic failover, for an
    office that chooses it. The risk it takes: a broken link between the two PCs with the primary still serving
    makes two primaries, each taking actions (split brain); with two PCs nothing can tell the cases apart.

    Call :meth:`step` every second or so; it returns what it did (``degraded``, ``restored``, ``promoted``) or
    None.
    """

    db: Database
    after_s: float = 5.0
    name: str = DEFAULT_NAME
    promote_after_s: float | None = None
    now: Callable[[], float] = time.monotonic
    _missing_since: float | None = None

    def step(self) -> str | None:
        with self.db.engine.connect() as conn:
            state = _read_status(conn)
            streaming = state.role == STANDBY and bool(
                conn.execute(text("SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming'")).scalar()
            )
            conn.rollback()
        if state.role != PRIMARY:
            if self.promote_after_s is None or streaming:
                self._missing_since = None
                return None
            if self._missing_since is None:
                self._missing_since = self.now()
            if self.now() - self._missing_since < self.promote_after_s:
                return None
            log.warning("nothing from the primary for %.0f s: promoting this standby", self.promote_after_s)
            promote(self.db)
            self._missing_since = None
            return "promoted"
        caught_up = any(s.name == self.name and s.state == "streaming" for s in state.standbys) and all(
            s.behind_bytes <= BEHIND_BYTES for s in state.standbys if s.name == self.name
        )
        if state.synchronous:
            if any(s.state == "streaming" and s.sync_state in ("sync", "quorum") for s in state.standbys):
                self._missing_since = None
                return None
            if self._missing_since is None:
                self._missing_since = self.now()
            if self.now() - self._missing_since >= self.after_s:
                disable_sync(self.db)
                self._missing_since = None
                log.warning("no synchronous standby for %.0f s: commits no longer wait for one", self.after_s)
                return "degraded"
            return None
        if self.name in state.expected and caught_up:
            enable_sync(self.db, self.name)
            log.warning("standby %s is back and caught up: commits wait for it again", self.name)
            return "restored"
        return None


def promote(db: Database, wait_s: int = 60) -> None:
    """Make the standby ``db`` the primary (``pg_promote``) and stop it waiting for a standby of its own."""
    if db.dialect != "postgresql":
        raise InvalidInput(_("a standby needs a PostgreSQL server; the embedded SQLite file has none"))
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if not conn.execute(text("SELECT pg_is_in_recovery()")).scalar_one():
            raise InvalidInput(_("this server is already the primary: give --db the standby's address"))
        done = conn.execute(text("SELECT pg_promote(true, :wait)"), {"wait": wait_s}).scalar_one()
        if not done:
            raise DatabaseUnavailable(_("the standby did not finish its promotion within {s} s", s=wait_s))
    disable_sync(db)


# -- the ambiguous moment: a click whose commit may or may not have reached the old primary ------------------

T = TypeVar("T")


@dataclass(frozen=True)
class Retried(Generic[T]):
    result: T
    #: Attempts that failed because the database was out of reach before one answered.
    failed_attempts: int
    #: The answering attempt found the click already done (its token) and did not act again.
    replayed: bool


def outcome_message(retried: Retried[Any], done: str) -> str:
    """What the officer reads after a click that met a failover; ``done`` says what the action did."""
    if not retried.failed_attempts:
        return done
    if retried.replayed:
        return _("Saved once, before the connection broke (not repeated): {done}", done=done)
    return _("Not saved before the connection broke; saved now: {done}", done=done)

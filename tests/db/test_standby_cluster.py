"""Two real PostgreSQL servers on this machine -- a primary and its synchronous hot standby -- and an office
working against them through a multi-host URL. Shared by tests/db/test_standby.py and bench/failover.py
(no tests here).

The servers reuse the suite's throwaway server (tests/pgserver.py): as root they run as ``postgres``. The standby
is made by the program's own ``pg_basebackup`` command line (services.replication.basebackup_command).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conftest import MONDAY_9
from pgserver import PgServer, admin_connect, find_bin
from sqlalchemy import text
from waiting import press_again

from counter_desk.cli import main
from counter_desk.clock import FixedClock
from counter_desk.errors import Conflict, EmptyQueue
from counter_desk.live.follower import Follower
from counter_desk.live.wakeup import wakeup_for
from counter_desk.services import replication
from counter_desk.services.queue import QueueService
from counter_desk.store import chain
from counter_desk.store.engine import Database, libpq_params

REPO = Path(__file__).resolve().parents[2]
DBNAME = "office"


class Server(PgServer):
    """A throwaway server whose commits wait for a synchronous standby when one is named.

    fsync stays off (speed; ``-m immediate`` kills processes, not the machine, so written data survives), but
    ``synchronous_commit`` is on: an acknowledged commit is flushed on the synchronous standby too.
    """

    def _pg_ctl_start(self) -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.base} "
            f"-c max_connections={self.max_connections} -c fsync=off -c full_page_writes=off "
            "-c synchronous_commit=on -c wal_sender_timeout=5s -c wal_receiver_status_interval=1s"
        )
        self._run(
            find_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.base / "server.log"), "-o", options,
            "-w", "-t", "60", "start",
        )  # fmt: skip
        self.running = True

    def clone_as_standby(self, name: str = replication.DEFAULT_NAME) -> Server:
        """A new server made from this one by the program's pg_basebackup command, started as its standby."""
        standby = Server()
        if self._as_root:
            import shutil

            shutil.chown(standby.base, "postgres", "postgres")
        cmd = replication.basebackup_command(
            find_bin("pg_basebackup"), libpq_params(self.url()), str(standby.data), name
        )
        standby._run(*cmd)
        standby._pg_ctl_start()
        return standby


def office_url(*servers: Server) -> str:
    """The multi-host URL every client of the office uses (``target_session_attrs=read-write`` is implied).

    SQLAlchemy's ``?host=a:p&host=b:q`` form: the configuration check (config.py) does not accept libpq's
    ``a:p,b:q`` form yet, which store.engine does (tests/db/test_standby_urls.py)."""
    hosts = "&".join(f"host=127.0.0.1:{s.port}" for s in servers)
    return f"postgresql://postgres@/{DBNAME}?{hosts}"


def start_pair() -> tuple[Server, Server]:
    """A migrated, seeded primary and its streaming, synchronous standby."""
    primary = Server(max_connections=100).start()
    try:
        with admin_connect(primary.url()) as conn:
            conn.execute(f'CREATE DATABASE "{DBNAME}"')
        url = primary.url(DBNAME)
        assert main(["--db", url, "db", "upgrade"]) == 0
        assert main(["--db", url, "db", "seed"]) == 0
        standby = primary.clone_as_standby()
    except BaseException:
        primary.cleanup()
        raise
    try:
        assert main(["--db", url, "db", "standby", "sync"]) == 0
        db = Database.connect(url)
        try:
            wait_for(lambda: any(s.sync_state == "sync" for s in replication.status(db).standbys), 20)
        finally:
            db.dispose()
    except BaseException:
        standby.cleanup()
        primary.cleanup()
        raise
    return primary, standby


def wait_for(condition: Callable[[], bool], timeout: float, step: float = 0.1) -> float:
    """Seconds until ``condition`` held; AssertionError after ``timeout``."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            msg = f"not within {timeout} s"
            raise AssertionError(msg)
        time.sleep(step)
    return time.monotonic() - started


@dataclass(frozen=True)
class Ack:
    """An action a station was told succeeded."""

    what: str  # check_in, call, finish
    station: str
    number: str
    ticket_id: int | None
    event_seq: int | None
    replayed: bool
    failed_attempts: int
    at: float


@dataclass
class Office:
    """Stations acting at once through the multi-host URL: reception and booths through the services, one
    reception desk through the command line (a process per action), and a live follower (a window's feed).

    Every action carries an idempotency token and is retried with it while the database is out of reach, as the
    officer does after "not saved: press again" (tests/waiting.press_again).
    """

    url: str
    booths: tuple[str, ...] = ("interview-1", "interview-2", "interview-3")
    #: Monday 23 November 2026, 09:00 in Jakarta for the services (the office is open whatever day the test runs);
    #: the command-line desk runs on the real clock and is let through by the supervisor when the office is closed.
    clock: FixedClock = field(default_factory=lambda: FixedClock(MONDAY_9))
    acks: list[Ack] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seen: list[int] = field(default_factory=list)
    seen_at: list[float] = field(default_factory=list)
    follower: Follower | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    #: Each command-line process: when it started and its exit code (7: the database could not be reached).
    cli_runs: list[tuple[float, int]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _dbs: list[Database] = field(default_factory=list)

    def _ack(self, ack: Ack) -> None:
        with self._lock:
            self.acks.append(ack)

    def _queue(self) -> QueueService:
        db = Database.connect(self.url)
        self._dbs.append(db)
        return QueueService(db, clock=self.clock)

    def _guard(self, name: str, body: Callable[[], None]) -> None:
        def run() -> None:
            try:
                body()
            except Exception as exc:  # noqa: BLE001 - the test reads self.errors and fails
                self.errors.append(f"{name}: {type(exc).__name__}: {exc}")

        thread = threading.Thread(target=run, name=f"office-{name}", daemon=True)
        self._threads.append(thread)
        thread.start()

    def _reception(self, station: str) -> None:
        queue = self._queue()
        while not self._stop.is_set():
            token = uuid.uuid4().hex
            done = press_again(lambda t=token: queue.check_in(walk_in="elderly", station=station, token=t), within_s=60)
            r = done.result
            self._ack(
                Ack("check_in", station, r.ticket.number, r.ticket.id, r.event_seq, done.replayed,
                    done.failed_attempts, time.monotonic())
            )  # fmt: skip
            time.sleep(0.03)

    def _booth(self, station: str) -> None:
        queue = self._queue()
        while not self._stop.is_set():
            token = uuid.uuid4().hex
            try:
                done = press_again(lambda t=token: queue.call_next(station, token=t), within_s=60)
            except (EmptyQueue, Conflict):
                # Nobody waiting, or another booth was claiming the same applicant ("try again"): nothing
                # happened, the officer clicks again.
                time.sleep(0.05)
                continue
            r = done.result
            self._ack(
                Ack("call", station, r.ticket.number, r.ticket.id, r.event_seq, done.replayed,
                    done.failed_attempts, time.monotonic())
            )  # fmt: skip
            token = uuid.uuid4().hex
            done = press_again(lambda t=token: queue.finish(station, token=t), within_s=60)
            r = done.result
            self._ack(
                Ack("finish", station, r.ticket.number, r.ticket.id, r.event_seq, done.replayed,
                    done.failed_attempts, time.monotonic())
            )  # fmt: skip

    def _cli_reception(self, station: str) -> None:
        env = dict(os.environ, COUNTER_DESK_LANG="en")
        while not self._stop.is_set():
            token = uuid.uuid4().hex
            failed = 0
            while True:
                started = time.monotonic()
                proc = subprocess.run(
                    [sys.executable, str(REPO / "main.py"), "--db", self.url, "queue", "check-in", "--walk-in",
                     "--category", "elderly", "--station", station, "--override-by", "kasi", "--token", token,
                     "--json"],
                    capture_output=True, text=True, check=False, env=env, timeout=60,
                )  # fmt: skip
                with self._lock:
                    self.cli_runs.append((started, proc.returncode))
                if proc.returncode != 7:  # 7: the database cannot be reached; the same token again
                    break
                failed += 1
                time.sleep(0.25)
            if proc.returncode != 0:
                self.errors.append(f"cli {station}: exit {proc.returncode}: {proc.stdout}{proc.stderr}")
                return
            out = json.loads(proc.stdout.strip().splitlines()[-1])
            self._ack(Ack("check_in", station, out["number"], None, None, False, failed, time.monotonic()))

    def _follow(self) -> None:
        queue = self._queue()
        self.follower = Follower(
            lambda after, limit: queue.events(after=after, limit=limit), lambda: wakeup_for(self.url), retry_s=0.2
        )
        try:
            while not self._stop.is_set():
                batch = self.follower.step(timeout=0.2)
                now = time.monotonic()
                for event in batch:
                    self.seen.append(event.seq)
                    self.seen_at.append(now)
        finally:
            self.follower.close()

    def start(self, *, cli: bool = True) -> None:
        self._guard("follower", self._follow)
        self._guard("reception-1", lambda: self._reception("reception-1"))
        if cli:
            self._guard("reception-2", lambda: self._cli_reception("reception-2"))
        for booth in self.booths:
            self._guard(booth, lambda b=booth: self._booth(b))  # type: ignore[misc]

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=90)
        for db in self._dbs:
            db.dispose()

    def cli_after(self, moment: float) -> list[tuple[float, int]]:
        """Command-line processes started after ``moment``: (seconds after it, exit code)."""
        with self._lock:
            return [(start - moment, code) for start, code in self.cli_runs if start > moment]

    def first_ack_after(self, moment: float) -> float | None:
        with self._lock:
            times = [a.at for a in self.acks if a.at > moment]
        return min(times) - moment if times else None

    def acks_between(self, start: float, end: float) -> list[Ack]:
        with self._lock:
            return [a for a in self.acks if start < a.at <= end]


def audit(url: str, acks: list[Ack]) -> dict[str, Any]:
    """What the database holds against what the stations were told: lost actions, number gaps, event gaps."""
    db = Database.connect(url)
    try:
        with db.read() as s:
            numbers = {r.number for r in s.execute(text("SELECT number FROM tickets"))}
            called = {
                (r.ticket_id, r.station)
                for r in s.execute(
                    text("SELECT e.ticket_id, st.code AS station FROM events e JOIN stations st ON st.id = e.station_id"
                         " WHERE e.kind = 'called'")
                )
            }  # fmt: skip
            finished = {int(r[0]) for r in s.execute(text("SELECT ticket_id FROM events WHERE kind = 'finished'"))}
            seqs = [int(v) for v in s.execute(text("SELECT seq FROM events ORDER BY seq")).scalars()]
            counter = int(s.execute(text("SELECT value FROM counters WHERE name = 'events'")).scalar_one())
            gaps = []
            for day, prefix in s.execute(text("SELECT DISTINCT day, prefix FROM tickets")):
                got = sorted(
                    int(v)
                    for v in s.execute(
                        text("SELECT seq FROM tickets WHERE day = :d AND prefix = :p"), {"d": day, "p": prefix}
                    ).scalars()
                )
                if got != list(range(1, len(got) + 1)):
                    gaps.append(f"{day} {prefix}")
            verdicts = chain.verify(s.connection())
    finally:
        db.dispose()
    present = {
        "check_in": lambda a: a.number in numbers,
        "call": lambda a: (a.ticket_id, a.station) in called,
        "finish": lambda a: a.ticket_id in finished,
    }
    lost = [ack for ack in acks if not present[ack.what](ack)]
    return {
        "acknowledged": len(acks),
        "lost": [a.__dict__ for a in lost],
        "number_gaps": gaps,
        "events": len(seqs),
        "events_contiguous": seqs == list(range(1, len(seqs) + 1)) and counter == len(seqs),
        "chain_ok": all(v.ok for v in verdicts),
        "replayed": sum(a.replayed for a in acks),
        "retried": sum(a.failed_attempts > 0 for a in acks),
    }

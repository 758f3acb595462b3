"""A throwaway PostgreSQL server for the test suite and the benchmarks.

``initdb`` + ``pg_ctl`` in a temporary folder, listening on 127.0.0.1 at a free port with trust
authentication. PostgreSQL refuses to run as root, so as root the server runs as the ``postgres`` system user
(created by Debian's postgresql package, which ``make test`` installs when missing).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg


class PgServerError(RuntimeError):
    pass


def find_bin(name: str) -> str:
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    found = shutil.which(name) or (str(candidates[0]) if candidates else None)
    if found is None:
        msg = f"PostgreSQL server binary {name!r} not found: install postgresql (make test does)"
        raise PgServerError(msg)
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgServer:
    def __init__(self, *, fsync: bool = False, max_connections: int = 200) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="counter-desk-pg-"))
        self.data = self.base / "data"
        self.port = _free_port()
        self.fsync = fsync
        self.max_connections = max_connections
        self._as_root = os.geteuid() == 0
        self.running = False

    def _run(self, *args: str) -> None:
        cmd = list(args)
        if self._as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            msg = f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
            raise PgServerError(msg)

    def _pg_ctl_start(self) -> None:
        durable = "on" if self.fsync else "off"
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.base} "
            f"-c max_connections={self.max_connections} -c fsync={durable} "
            f"-c synchronous_commit={durable} -c full_page_writes={durable}"
        )
        self._run(
            find_bin("pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.base / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )
        self.running = True

    def start(self) -> PgServer:
        if self._as_root:
            shutil.chown(self.base, "postgres", "postgres")
        self._run(
            find_bin("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale"
        )
        self._pg_ctl_start()
        return self

    def stop(self, mode: str = "fast") -> None:
        if self.running:
            with contextlib.suppress(PgServerError):
                self._run(find_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")
            self.running = False

    def restart(self) -> None:
        """Start again on the same port and data (used by outage tests)."""
        self._pg_ctl_start()

    def cleanup(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.base, ignore_errors=True)

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"


def admin_connect(url: str) -> psycopg.Connection:
    """An autocommit connection for CREATE/DROP DATABASE."""
    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)

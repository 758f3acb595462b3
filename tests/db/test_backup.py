"""``counter-desk db backup`` and ``db restore`` on both engines: a backup restored into an empty database (a new
PostgreSQL database on another server, or a new SQLite file) serves on -- a call works, the chain verifies."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import MONDAY_9
from pgserver import PgServer, admin_connect
from sqlalchemy import text

from counter_desk.cli import main
from counter_desk.clock import FixedClock
from counter_desk.services.queue import QueueService
from counter_desk.store import chain
from counter_desk.store.engine import Database


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    code = main(list(args))
    out = capsys.readouterr().out.strip().splitlines()
    return code, json.loads(out[-1])


@pytest.fixture
def other_server() -> Iterator[PgServer]:
    """An empty second PostgreSQL server: where an office restores after losing its own."""
    server = PgServer().start()
    yield server
    server.cleanup()


def test_backup_restore_serves_on(
    db_url: str, queue: QueueService, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    request: pytest.FixtureRequest,
) -> None:  # fmt: skip
    for _ in range(3):
        queue.check_in(walk_in="elderly", station="reception-1")
    queue.call_next("interview-1")
    file = tmp_path / "office.backup"
    code, done = _json(capsys, "--db", db_url, "db", "backup", str(file), "--json")
    assert code == 0 and done["bytes"] == file.stat().st_size > 0
    # A second backup never overwrites the first.
    code, refused = _json(capsys, "--db", db_url, "db", "backup", str(file), "--json")
    assert code == 2 and "already exists" in refused["error"]

    if queue.db.dialect == "postgresql":
        server: PgServer = request.getfixturevalue("other_server")
        with admin_connect(server.url()) as conn:
            conn.execute('CREATE DATABASE "restored"')
        target = server.url("restored")
    else:
        target = f"sqlite:///{tmp_path / 'restored' / 'office.sqlite3'}"
    code, restored = _json(capsys, "--db", target, "db", "restore", str(file), "--json")
    assert code == 0 and restored["chain_ok"] is True

    db = Database.connect(target)
    try:
        moved = QueueService(db, clock=FixedClock(MONDAY_9))
        # The restored office serves on: the queue continues where it was, and the chain grows from its head.
        called = moved.call_next("interview-2")
        assert called.ticket.number == "P-002"
        assert moved.check_in(walk_in="elderly", station="reception-1").ticket.number == "P-004"
        with db.read() as s:
            assert all(v.ok for v in chain.verify(s.connection()))
            assert s.execute(text("SELECT count(*) FROM events")).scalar_one() == 6
    finally:
        db.dispose()
    # Restoring over a database that holds data is refused, and writes nothing.
    code, refused = _json(capsys, "--db", target, "db", "restore", str(file), "--json")
    assert code == 2 and ("not empty" in refused["error"] or "already exists" in refused["error"])


def test_restore_refuses_what_is_not_a_backup(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.backup"
    junk.write_text("not a database")
    code, refused = _json(capsys, "--db", f"sqlite:///{tmp_path / 'new.sqlite3'}", "db", "restore", str(junk), "--json")
    assert code == 2 and "not an intact SQLite backup" in refused["error"]
    assert not (tmp_path / "new.sqlite3").exists()


def test_postgres_restore_needs_an_empty_database(
    pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "office.backup"
    assert main(["--db", pg_url, "db", "backup", str(file)]) == 0
    capsys.readouterr()
    code, refused = _json(capsys, "--db", pg_url, "db", "restore", str(file), "--json")
    assert code == 2 and "not empty" in refused["error"]

"""SQLite with another connection holding the write lock (a second program in ``BEGIN IMMEDIATE``).

Reads -- every command's start-up check included -- never wait for the write lock; a write that cannot get it
in time is one clear "busy, try again" line (DatabaseBusy), never a raw OperationalError, and writes nothing.
The wait is shortened for the tests by lowering SQLITE_BUSY_TIMEOUT_S: a read that waited for the lock would then
fail with "busy" instead of passing, so the tests fail if reads take the lock, without timing anything.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import MONDAY
from helpers import snapshot

from counter_desk.cli import main
from counter_desk.clock import FixedClock
from counter_desk.errors import DatabaseBusy
from counter_desk.services import bookings
from counter_desk.store import engine, migrate
from counter_desk.store.engine import Database

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture
def short_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "SQLITE_BUSY_TIMEOUT_S", 0.3)


@pytest.fixture
def holder(db_url: str) -> Iterator[sqlite3.Connection]:
    """A second, real connection to the same file, holding the write lock until the test ends."""
    conn = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE counters SET value = value")  # a writer mid-transaction
    yield conn
    conn.execute("ROLLBACK")
    conn.close()


def test_the_start_up_check_and_reads_do_not_take_the_write_lock(
    db_url: str, short_wait: None, holder: sqlite3.Connection
) -> None:
    db = Database.connect(db_url)
    try:
        migrate.ensure_schema(db, auto_upgrade=True)  # every command runs this first
        assert migrate.current_revision(db) == migrate.head_revision()
        assert len(bookings.list_bookings(db, MONDAY)) == 30
    finally:
        db.dispose()


def test_queue_status_answers_while_a_writer_holds_the_lock(
    db_url: str, short_wait: None, holder: sqlite3.Connection, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", db_url, "queue", "status", "--stage", "interview"]) == 0
    out, err = capsys.readouterr()
    assert out and err == ""


def test_a_write_behind_the_lock_is_database_busy_and_writes_nothing(
    db_url: str, db: Database, short_wait: None, clock: FixedClock, holder: sqlite3.Connection
) -> None:
    before = snapshot(db)

    with pytest.raises(DatabaseBusy) as exc:
        bookings.add_booking(db, "MPL0001", "3505202611300001", MONDAY, clock=clock)

    assert exc.value.message == (
        "the database is busy (another program holds it); nothing was saved: try again in a moment"
    )
    assert exc.value.exit_code == 7 and exc.value.code == "database_busy"
    holder.execute("ROLLBACK")
    holder.execute("BEGIN IMMEDIATE")  # the fixture rolls back again at the end
    assert snapshot(db) == before


@pytest.mark.parametrize("json_output", [False, True])
@pytest.mark.usefixtures("short_wait")
def test_the_command_says_busy_in_one_line(
    db_url: str,
    db: Database,
    holder: sqlite3.Connection,
    capsys: pytest.CaptureFixture[str],
    json_output: bool,
) -> None:
    before = snapshot(db)
    argv = ["--db", db_url, "bookings", "add", "MPL0002", "--application", "3505202611300002", "--date", "2030-01-02"]

    code = main(argv + (["--json"] if json_output else []))

    out, err = capsys.readouterr()
    assert code == 7
    if json_output:
        payload: dict[str, Any] = json.loads(out)
        assert payload["code"] == "database_busy" and "busy" in payload["error"] and err == ""
    else:
        assert out == "" and err.startswith("error: the database is busy") and len(err.splitlines()) == 1
    holder.execute("ROLLBACK")
    holder.execute("BEGIN IMMEDIATE")
    assert snapshot(db) == before


def test_the_write_goes_through_once_the_lock_is_released(
    db_url: str, db: Database, clock: FixedClock, holder: sqlite3.Connection
) -> None:
    holder.execute("ROLLBACK")
    view = bookings.add_booking(db, "MPL0003", "3505202611300003", MONDAY, clock=clock)
    assert view.code == "MPL0003"
    holder.execute("BEGIN IMMEDIATE")

"""The hash chain over the event log and the audit log, on both engines.

A clean log verifies; a row edited by the owner with the append-only triggers switched off is named by
``db verify``; so are a deleted row, a row written with the chain's trigger off, and rows cut off the end.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator

import pytest
from conftest import MONDAY_9
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from counter_desk.cli import main
from counter_desk.clock import FixedClock
from counter_desk.services import audit
from counter_desk.services.queue import QueueService
from counter_desk.store import chain, migrate
from counter_desk.store.engine import Database


def _activity(queue: QueueService, n: int = 4) -> None:
    for _ in range(n):
        queue.check_in(walk_in="elderly", station="reception-1")
    queue.call_next("interview-1")
    queue.finish("interview-1")
    with queue.db.write() as session:
        office = session.execute(text("SELECT id FROM offices")).scalar_one()
        audit.record(session, office, "holiday_set", user=None, now=MONDAY_9, detail={"day": "2026-12-25"})


def _verify(db: Database) -> list[chain.Verdict]:
    with db.read() as session:
        return chain.verify(session.connection())


def _owner_sql(db_url: str, db: Database) -> Callable[[str], None]:
    """Run statements as the owner with every trigger of the logs off (what a dishonest owner could do)."""

    def run(statement: str) -> None:
        if db.dialect == "postgresql":
            with db.engine.begin() as conn:
                for table in ("events", "audit_log"):
                    conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER ALL"))
                conn.execute(text(statement))
                for table in ("events", "audit_log"):
                    conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER ALL"))
            return
        raw = sqlite3.connect(make_url(db_url).database or "")
        try:
            triggers = raw.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('events', 'audit_log')"
            ).fetchall()
            for name, _sql in triggers:
                raw.execute(f"DROP TRIGGER {name}")
            raw.execute(statement)
            for _name, sql in triggers:
                raw.execute(sql)
            raw.commit()
        finally:
            raw.close()

    return run


def test_a_clean_log_verifies_and_its_head_is_the_last_row(db: Database, queue: QueueService) -> None:
    _activity(queue)
    verdicts = _verify(db)
    assert verdicts and all(v.ok for v in verdicts), verdicts
    events = next(v for v in verdicts if v.table == "events")
    assert events.rows == 6
    with db.read() as session:
        last = session.execute(text("SELECT chain_seq, hash FROM events ORDER BY seq DESC LIMIT 1")).one()
        heads = chain.heads(session.connection(), events.office_id)
    assert (last.chain_seq, last.hash) == (6, events.head)
    assert heads[0] == chain.Head("events", events.office_id, 6, events.head)
    assert heads[1].table == "audit_log" and heads[1].position >= 1
    line = chain.head_hash(db, "kanim-blitar")
    assert line == f"events #6 {events.head}, audit_log #{heads[1].position} {heads[1].hash}"
    assert chain.head_hash(db, events.office_id) == line
    assert chain.head_hash(db) == line  # the database's only office


def test_verify_names_the_row_the_owner_edited(db_url: str, db: Database, queue: QueueService) -> None:
    _activity(queue)
    _owner_sql(db_url, db)("UPDATE events SET reason = 'rewritten' WHERE seq = 3")
    verdicts = _verify(db)
    broken = [v.broken for v in verdicts if v.broken is not None]
    assert broken == [chain.Break("events", broken[0].office_id, 3, 3, "altered")]
    # The same through the command line: exit code 9, the row named.
    out = _cli(db_url, "db", "verify", "--json")
    assert out["ok"] is False
    assert [c["broken"]["row"] for c in out["chains"] if c["broken"]] == [3]


def test_verify_names_an_edited_audit_entry(db_url: str, db: Database, queue: QueueService) -> None:
    _activity(queue)
    with db.read() as session:
        first = session.execute(text("SELECT min(id) FROM audit_log")).scalar_one()
    _owner_sql(db_url, db)(f"UPDATE audit_log SET username = 'someone' WHERE id = {first}")
    (broken,) = [v.broken for v in _verify(db) if v.broken is not None]
    assert (broken.table, broken.row, broken.problem) == ("audit_log", first, "altered")


def test_a_row_rehashed_after_its_edit_breaks_the_next_link(db_url: str, db: Database, queue: QueueService) -> None:
    """An owner who edits a row and recomputes that row's own hash still breaks the link after it."""
    _activity(queue)
    with db.read() as session:
        prev = session.execute(text("SELECT hash FROM events WHERE seq = 2")).scalar_one()
        row = session.execute(
            text(
                "SELECT seq, office_id, kind, ticket_id, number, from_status, to_status, stage_id, station_id,"
                " user_id, reason, CAST(data AS TEXT), created_at FROM events WHERE seq = 3"
            )
        ).one()
    values = list(row)
    values[10] = "rewritten"
    forged = chain.link(prev, 3, values)
    _owner_sql(db_url, db)(f"UPDATE events SET reason = 'rewritten', hash = '{forged}' WHERE seq = 3")
    (broken,) = [v.broken for v in _verify(db) if v.broken is not None]
    assert (broken.position, broken.row, broken.problem) == (4, 4, "altered")


def test_deleted_unchained_and_truncated_rows_are_named(db_url: str, db: Database, queue: QueueService) -> None:
    _activity(queue)
    run = _owner_sql(db_url, db)
    run("DELETE FROM events WHERE seq = 2")
    (broken,) = [v.broken for v in _verify(db) if v.broken is not None]
    assert (broken.position, broken.row, broken.problem) == (2, 3, "missing")


def test_rows_cut_off_the_end_and_rows_written_without_the_chain(
    db_url: str, db: Database, queue: QueueService
) -> None:
    _activity(queue)
    run = _owner_sql(db_url, db)
    run("DELETE FROM events WHERE seq = 6")
    (broken,) = [v.broken for v in _verify(db) if v.broken is not None]
    assert (broken.table, broken.position, broken.row, broken.problem) == ("events", 6, None, "head")
    run(
        "INSERT INTO events (seq, office_id, kind, data, created_at) "
        "SELECT 99, id, 'checked_in', '{}', '2026-11-23 02:00:00' FROM offices"
    )
    (broken,) = [v.broken for v in _verify(db) if v.broken is not None]
    assert (broken.row, broken.problem) == (99, "unchained")


def test_concurrent_writers_chain_one_after_the_other(db_url: str, clock: FixedClock) -> None:
    """Four stations checking in at once: one chain, no fork, every link verifies."""
    errors: list[BaseException] = []

    def station(n: int) -> None:
        db = Database.connect(db_url)
        queue = QueueService(db, clock=clock)
        try:
            for _ in range(10):
                queue.check_in(walk_in="elderly", station="reception-1", token=None)
        except Exception as exc:  # noqa: BLE001 - handed to the main thread, which fails the test
            errors.append(exc)
        finally:
            db.dispose()

    threads = [threading.Thread(target=station, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    db = Database.connect(db_url)
    try:
        verdicts = _verify(db)
    finally:
        db.dispose()
    assert all(v.ok for v in verdicts)
    assert next(v for v in verdicts if v.table == "events").rows == 40


def test_sqlite_link_matches_the_postgresql_trigger(pg_url: str, clock: FixedClock) -> None:
    """The trigger's hash equals the Python recomputation for awkward values (quotes, non-ASCII, NULLs, JSON)."""
    db = Database.connect(pg_url)
    try:
        with db.write() as session:
            office = session.execute(text("SELECT id FROM offices")).scalar_one()
            audit.record(
                session, office, "holiday_set", user="o'neil ñ 漢", now=MONDAY_9, detail={"b": [1, 2], "a": "|-:"}
            )
        assert all(v.ok for v in _verify(db))
    finally:
        db.dispose()


def _cli(db_url: str, *args: str) -> dict:  # type: ignore[type-arg]
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        main(["--db", db_url, *args])
    return json.loads(buffer.getvalue())  # type: ignore[no-any-return]


def test_the_sqlite_function_hashes_like_the_python_link() -> None:
    conn = sqlite3.connect(":memory:")
    chain.register_sqlite(conn)
    digest = conn.execute(f"SELECT {chain.SQLITE_FUNCTION}(?, 1, 'x', NULL, '2026-11-23 02:00:00')", (chain.GENESIS,))
    assert digest.fetchone()[0] == chain.link(chain.GENESIS, 1, ["x", None, "2026-11-23 02:00:00"])
    conn.close()


def test_a_role_without_rights_on_the_chain_still_chains_its_rows(pg_url: str) -> None:
    """The chain's trigger runs as the owner: a role that may only INSERT into the audit log (no rights on
    chain_heads, no EXECUTE on the function) writes chained rows, and cannot touch the heads itself."""
    role = f"chain_{uuid.uuid4().hex[:8]}"
    db = Database.connect(pg_url)
    try:
        with db.engine.begin() as conn:
            conn.execute(text(f"CREATE ROLE {role}"))
            conn.execute(text(f"GRANT SELECT, INSERT ON audit_log TO {role}"))
            conn.execute(text(f"GRANT SELECT ON offices TO {role}"))
            conn.execute(text(f"GRANT USAGE ON SEQUENCE audit_log_id_seq TO {role}"))
        with db.engine.begin() as conn:
            conn.execute(text(f"SET ROLE {role}"))
            conn.execute(
                text(
                    "INSERT INTO audit_log (office_id, kind, detail, created_at)"
                    " SELECT id, 'holiday_set', '{}', now() FROM offices"
                )
            )
            with pytest.raises(DBAPIError, match="permission denied"):
                conn.execute(text("UPDATE chain_heads SET hash = 'x'"))
        with db.read() as session:
            assert session.execute(text("SELECT count(*) FROM audit_log WHERE hash IS NULL")).scalar_one() == 0
        assert all(v.ok for v in _verify(db))
    finally:
        with db.engine.begin() as conn:
            conn.execute(text(f"DROP OWNED BY {role}"))
            conn.execute(text(f"DROP ROLE {role}"))
        db.dispose()


def test_migration_chains_the_rows_written_before_it(db: Database, queue: QueueService) -> None:
    """Rows from before migration 0008 are chained by it, oldest first; new rows continue the chain."""
    _activity(queue)
    migrate.downgrade(db, "0007")
    with db.read() as session:
        columns = {c["name"] for c in sa_inspect(session.connection()).get_columns("events")}
    assert "hash" not in columns
    migrate.upgrade(db)
    queue.check_in(walk_in="elderly", station="reception-1")
    verdicts = _verify(db)
    assert all(v.ok for v in verdicts), verdicts
    assert next(v for v in verdicts if v.table == "events").rows == 7


def test_db_roles_apply_keeps_the_chain(pg_url: str, queue_pg: QueueService) -> None:
    """Granting the office's roles again (after every migration) leaves the chain's triggers in place and working."""
    assert main(["--db", pg_url, "db", "roles", "--apply"]) == 0
    db = queue_pg.db
    with db.read() as session:
        triggers = set(session.execute(text("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'zz_chain_%'")).scalars())
    assert triggers == {"zz_chain_events", "zz_chain_audit_log"}
    _activity(queue_pg, 1)
    assert all(v.ok for v in _verify(db))
    with db.read() as session:
        assert session.execute(text("SELECT count(*) FROM events WHERE hash IS NULL")).scalar_one() == 0


@pytest.fixture
def queue_pg(pg_url: str, clock: FixedClock) -> Iterator[QueueService]:
    db = Database.connect(pg_url)
    yield QueueService(db, clock=clock)
    db.dispose()

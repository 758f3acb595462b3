"""The audit log is append-only on both engines: the database itself refuses UPDATE and DELETE (raw SQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from counter_desk.clock import FixedClock
from counter_desk.services import rules
from counter_desk.store.engine import Database
from counter_desk.store.security import DatabaseRefused


@pytest.fixture
def entry(db: Database, clock: FixedClock) -> int:
    rules.update(db, None, {"retention_days": 60}, user="kasi", clock=clock)
    with db.read() as s:
        return int(s.execute(text("SELECT max(id) FROM audit_log")).scalar_one())


def _rows(db: Database) -> list[object]:
    with db.read() as s:
        return list(s.execute(text("SELECT * FROM audit_log ORDER BY id")).all())


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET username = 'someone-else' WHERE id = :id",
        "UPDATE audit_log SET kind = 'nothing' WHERE id = :id",
        "DELETE FROM audit_log WHERE id = :id",
        "DELETE FROM audit_log",
    ],
)
def test_the_database_refuses_to_rewrite_the_audit_log(db: Database, entry: int, statement: str) -> None:
    before = _rows(db)
    assert before

    # PostgreSQL's refusal (insufficient_privilege) reaches the user as DatabaseRefused; SQLite's stays a DBAPIError.
    with pytest.raises((DBAPIError, DatabaseRefused), match="append-only"), db.write() as s:
        s.execute(text(statement), {"id": entry} if ":id" in statement else {})

    assert _rows(db) == before


def test_appending_still_works(db: Database, entry: int, clock: FixedClock) -> None:
    rules.update(db, None, {"retention_days": 61}, user="kasi", clock=clock)
    assert len(_rows(db)) == 2

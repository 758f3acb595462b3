"""Migrations: identical schema on both engines, no drift from the models, a clean round trip."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from counter_desk.errors import DatabaseUnavailable
from counter_desk.store import migrate, schema
from counter_desk.store.engine import Database


def test_upgrade_check_downgrade_upgrade(empty_db_url: str) -> None:
    db = Database.connect(empty_db_url)
    try:
        assert migrate.current_revision(db) is None
        migrate.upgrade(db)
        assert migrate.current_revision(db) == migrate.head_revision()
        migrate.check(db)  # alembic check: raises when models and migrations drift
        tables = set(inspect(db.engine).get_table_names())
        assert set(schema.metadata.tables) <= tables
        with db.read() as s:
            assert s.execute(text("SELECT name, value FROM counters")).all() == [("events", 0)]
        migrate.downgrade(db, "base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        migrate.upgrade(db)
        migrate.check(db)
    finally:
        db.dispose()


def test_partial_unique_index_exists_on_both_engines(empty_db_url: str) -> None:
    db = Database.connect(empty_db_url)
    try:
        migrate.upgrade(db)
        indexes = {ix["name"]: ix for ix in inspect(db.engine).get_indexes("tickets")}
        live = indexes["uq_tickets_live_station"]
        assert live["unique"] and live["column_names"] == ["station_id"]
    finally:
        db.dispose()


def test_ensure_schema(empty_db_url: str) -> None:
    """One PC's SQLite file is migrated on the spot; a shared PostgreSQL database only on purpose."""
    db = Database.connect(empty_db_url)
    try:
        if db.dialect == "sqlite":
            migrate.ensure_schema(db, auto_upgrade=True)
        else:
            with pytest.raises(DatabaseUnavailable, match="is empty; run 'counter-desk db upgrade' once"):
                migrate.ensure_schema(db, auto_upgrade=False)
            assert migrate.current_revision(db) is None
            migrate.upgrade(db)
        migrate.ensure_schema(db, auto_upgrade=False)  # at head: nothing to do, nothing raised
        assert migrate.current_revision(db) == migrate.head_revision()
    finally:
        db.dispose()


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(tmp_path: object) -> None:
    db = Database.connect(f"sqlite:///{tmp_path}/fk.sqlite3")
    try:
        migrate.upgrade(db)
        with db.read() as s:
            assert s.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
            assert s.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        with pytest.raises(Exception, match="FOREIGN KEY"), db.write() as s:
            s.execute(
                text(
                    "INSERT INTO stages (office_id, code, name, name_en, position, announce,"
                    " wait_target_minutes) VALUES (999, 'x', 'x', 'x', 1, 1, 1)"
                )
            )
    finally:
        db.dispose()

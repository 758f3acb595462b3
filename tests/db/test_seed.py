"""Loading an office's configuration: idempotent, and a malformed file refused whole with the entry named."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import text

from counter_desk import resources
from counter_desk.errors import InvalidInput
from counter_desk.services import calendar, rules, seed
from counter_desk.store import migrate
from counter_desk.store.engine import Database

REFERENCE = resources.seed_file("reference_office.toml").read_text(encoding="utf-8")


@pytest.fixture
def empty_db(empty_db_url: str) -> Database:
    db = Database.connect(empty_db_url)
    migrate.upgrade(db)
    return db


def _counts(db: Database) -> tuple[int, ...]:
    with db.read() as s:
        return tuple(
            s.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("offices", "stages", "stations", "categories", "users")
        )


def test_reference_office_loads_once(empty_db: Database) -> None:
    first = seed.load(empty_db)
    # 1 office, 4 stages, 8 stations, 8 categories, 5 users, 13 rules, 3 holidays
    assert (first.created, first.updated) == (42, 0)
    assert _counts(empty_db) == (1, 4, 8, 8, 5)
    again = seed.load(empty_db)
    assert (again.created, again.updated) == (0, 0)
    with empty_db.read() as s:
        kinds = {row.code: row.kind for row in s.execute(text("SELECT code, kind FROM stages"))}
    assert kinds == {
        "reception": "reception",
        "interview": "service",
        "adjudication": "adjudication",
        "pickup": "pickup",
    }
    empty_db.dispose()


def test_seeded_rules_and_holidays_and_a_supervisor_change_survives_reseeding(empty_db: Database) -> None:
    seed.load(empty_db)
    assert rules.current(empty_db)["pickup_working_days"] == 4
    assert rules.current(empty_db)["walk_in_quota"] is None
    assert rules.current(empty_db)["lockout_attempts"] == rules.RULES["lockout_attempts"].default
    assert [h.day for h in calendar.holidays(empty_db, year=2026)] == [dt.date(2026, 12, 24), dt.date(2026, 12, 25)]
    rules.update(empty_db, None, {"pickup_working_days": 5})
    seed.load(empty_db)
    assert rules.current(empty_db)["pickup_working_days"] == 5
    with empty_db.read() as s:
        ages = dict(s.execute(text("SELECT code, min_age FROM categories WHERE min_age IS NOT NULL")).all())
    assert ages == {"elderly": 60}
    empty_db.dispose()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('kind = "service"', 'kind = "cashier"'), r"\[\[stages\]\] #2: kind must be one of"),
        (('prefix = "A"', 'prefix = "a1"'), r"\[\[categories\]\] #1: prefix must be 1-4 capital letters"),
        (('stage = "interview"', 'stage = "mars"'), r"\[\[stations\]\] #3: unknown stage 'mars'"),
        (('timezone = "Asia/Jakarta"', 'timezone = "Mars/Olympus"'), r"unknown time zone 'Mars/Olympus'"),
        (('name = "Wawancara 1"', 'name = ""'), r"\[\[stations\]\] #3: field 'name' is empty"),
        (("priority_level = 10", 'priority_level = "high"'), r"field 'priority_level' must be int"),
        (("[office]", "[offize]"), r"missing \[office\]"),
        (('late_policy = "end_of_queue"', 'late_policy = "never"'), r"late_policy: choose one of accept"),
        (("pickup_working_days = 4", "pickup_working_days = -1"), r"pickup_working_days: must be between 0 and 60"),
        (("retention_days = 90", "retention_dayz = 90"), r"unknown rule retention_dayz"),
        (("# walk_in_quota = 30", "walk_in_quota = true"), r"walk_in_quota: True is not a whole number"),
        (("day = 2026-12-25", 'day = "natal"'), r"\[\[holidays\]\] #2: field 'day' must be date"),
        (("min_age = 60 ", 'min_age = "60" '), r"\[\[categories\]\] #2: field 'min_age' must be int"),
    ],
)
def test_a_malformed_file_is_refused_whole(
    empty_db: Database, tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    path = tmp_path / "office.toml"
    path.write_text(REFERENCE.replace(*change, 1), encoding="utf-8")
    with pytest.raises(InvalidInput, match=message):
        seed.load(empty_db, path)
    assert _counts(empty_db) == (0, 0, 0, 0, 0)  # nothing half-loaded
    empty_db.dispose()


def test_not_toml(empty_db: Database, tmp_path: Path) -> None:
    path = tmp_path / "office.toml"
    path.write_text("[office\ncode=", encoding="utf-8")
    with pytest.raises(InvalidInput, match="is not valid TOML"):
        seed.load(empty_db, path)
    with pytest.raises(InvalidInput, match="does not exist"):
        seed.load(empty_db, tmp_path / "missing.toml")
    empty_db.dispose()


def test_seed_data_without_a_table_is_refused(empty_db: Database) -> None:
    data = seed.reference_data()
    del data["stations"]
    with pytest.raises(InvalidInput, match=r"missing \[stations\]"):
        seed.load_data(empty_db, data)
    assert _counts(empty_db) == (0, 0, 0, 0, 0)
    empty_db.dispose()

"""The office's day, UTC storage, URLs that hide passwords, the data folders."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from counter_desk import resources
from counter_desk.clock import FixedClock, office_day
from counter_desk.store.base import UTCDateTime
from counter_desk.store.engine import normalise_url, safe_url


@pytest.mark.parametrize(
    ("utc", "day"),
    [
        (dt.datetime(2026, 11, 23, 16, 59, tzinfo=dt.UTC), dt.date(2026, 11, 23)),  # 23:59 WIB
        (dt.datetime(2026, 11, 23, 17, 0, tzinfo=dt.UTC), dt.date(2026, 11, 24)),  # 00:00 WIB
        (dt.datetime(2026, 11, 22, 23, 0, tzinfo=dt.UTC), dt.date(2026, 11, 23)),  # 06:00 WIB
    ],
)
def test_office_day_is_the_office_calendar_day(utc: dt.datetime, day: dt.date) -> None:
    assert office_day(utc, "Asia/Jakarta") == day


def test_office_day_in_eastern_indonesia() -> None:
    assert office_day(dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC), "Asia/Jayapura") == dt.date(2026, 11, 24)


def test_fixed_clock_needs_a_zone_and_moves_only_when_told() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        FixedClock(dt.datetime(2026, 1, 1))  # noqa: DTZ001 - the point of the test
    clock = FixedClock(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    clock.advance(dt.timedelta(minutes=5))
    assert clock.now() == dt.datetime(2026, 1, 1, 0, 5, tzinfo=dt.UTC)


def test_utc_column_round_trip() -> None:
    col = UTCDateTime()
    wib = dt.timezone(dt.timedelta(hours=7))
    local = dt.datetime(2026, 11, 23, 9, 0, tzinfo=wib)
    stored = col.process_bind_param(local, sqlite.dialect())
    assert stored == dt.datetime(2026, 11, 23, 2, 0)  # naive UTC in SQLite  # noqa: DTZ001
    back = col.process_result_value(stored, sqlite.dialect())
    assert back == local and back.tzinfo is dt.UTC
    assert col.process_bind_param(local, postgresql.dialect()) == local
    assert col.process_result_value("2026-11-23 02:00:00", sqlite.dialect()) == local
    with pytest.raises(ValueError, match="naive datetime"):
        col.process_bind_param(dt.datetime(2026, 1, 1), sqlite.dialect())  # noqa: DTZ001


def test_urls() -> None:
    assert normalise_url("postgresql://cd:pw@db/cd").drivername == "postgresql+psycopg"
    assert "pw" not in safe_url("postgresql://cd:pw@db/cd")
    assert safe_url("postgresql://cd:pw@db/cd") == "postgresql://cd:***@db/cd"


def test_data_folders_are_found() -> None:
    assert (resources.db_dir() / "env.py").is_file()
    assert resources.seed_file("reference_office.toml").is_file()
    assert list((resources.db_dir() / "versions").glob("0001_*.py"))

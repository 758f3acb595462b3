"""Dates in messages: English as strftime always wrote them, Indonesian day and month names otherwise."""

from __future__ import annotations

import datetime as dt

import pytest

from counter_desk import i18n
from counter_desk.services.dates import format_day

THURSDAY = dt.date(2020, 1, 2)
MONDAY = dt.date(2026, 11, 23)


def test_english_is_what_strftime_wrote() -> None:
    assert format_day(THURSDAY, language="en") == "02 January 2020"
    assert format_day(THURSDAY, weekday=True, language="en") == "Thursday 02 January 2020"
    assert format_day(MONDAY, weekday=True, language="en") == f"{MONDAY:%A %d %B %Y}"


def test_indonesian_day_and_month_names() -> None:
    assert format_day(THURSDAY, language="id") == "2 Januari 2020"
    assert format_day(THURSDAY, weekday=True, language="id") == "Kamis, 2 Januari 2020"
    assert format_day(MONDAY, weekday=True, language="id") == "Senin, 23 November 2026"
    assert format_day(dt.date(2026, 8, 16), weekday=True, language="id") == "Minggu, 16 Agustus 2026"
    assert format_day(dt.date(2027, 2, 5), weekday=True, language="id") == "Jumat, 5 Februari 2027"


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "Thursday 02 January 2020"), ("id", "Kamis, 2 Januari 2020")]
)
def test_the_active_language_is_the_default(language: str, expected: str) -> None:
    i18n.set_language(language)
    assert format_day(THURSDAY, weekday=True) == expected


def test_every_day_and_month_has_an_indonesian_name() -> None:
    week = [format_day(MONDAY + dt.timedelta(days=n), weekday=True, language="id").split(",")[0] for n in range(7)]
    assert week == ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
    months = [format_day(dt.date(2026, m, 1), language="id").split()[1] for m in range(1, 13)]
    assert months == [
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ]

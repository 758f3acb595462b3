"""Dates as people read them, in the active language.

``strftime``'s ``%A`` and ``%B`` always give English names (the program never changes the C locale), so a
message that names a day passes a string made here: ``Thursday 02 January 2020`` in English,
``Kamis, 2 Januari 2020`` in Bahasa Indonesia.
"""

from __future__ import annotations

import datetime as dt

from counter_desk import i18n

DAYS_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS_ID = (
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
)


def format_day(day: dt.date, *, weekday: bool = False, language: str | None = None) -> str:
    """``day`` as ``02 January 2020`` (``Thursday 02 January 2020`` with ``weekday``), in ``language``.

    ``language`` defaults to the active one (:func:`counter_desk.i18n.language`).
    """
    if (language or i18n.language()) == "id":
        text = f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}"
        return f"{DAYS_ID[day.weekday()]}, {text}" if weekday else text
    return day.strftime("%A %d %B %Y" if weekday else "%d %B %Y")

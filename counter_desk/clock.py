"""Time as the office sees it.

Services never call ``datetime.now()`` themselves: they ask a :class:`Clock`, so a test can simulate a day
(or midnight) and get an answer it knows. Every stored timestamp is UTC; the office's *day* (which resets
ticket numbers) is computed in the office's time zone, never the machine's.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol
from zoneinfo import ZoneInfo

#: The office's time zone where none is given or known yet: a new office's default (seed file, database) and what
#: a window shows before its first read. Western Indonesian Time (WIB), where the reference offices are.
DEFAULT_TIMEZONE = "Asia/Jakarta"


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current instant, timezone-aware."""
        ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class FixedClock:
    """A clock that only moves when told to (tests, simulations, benchmarks)."""

    def __init__(self, start: dt.datetime) -> None:
        if start.tzinfo is None:
            msg = "FixedClock needs a timezone-aware start"
            raise ValueError(msg)
        self._now = start

    def now(self) -> dt.datetime:
        return self._now

    def advance(self, delta: dt.timedelta) -> None:
        self._now += delta

    def set(self, when: dt.datetime) -> None:
        self._now = when


def office_day(instant: dt.datetime, timezone: str) -> dt.date:
    """The office's calendar day at ``instant`` (ticket numbers restart on this day)."""
    return instant.astimezone(ZoneInfo(timezone)).date()


def office_local(instant: dt.datetime, timezone: str) -> dt.datetime:
    return instant.astimezone(ZoneInfo(timezone))

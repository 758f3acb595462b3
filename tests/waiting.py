"""Waiting for a condition instead of sleeping: poll it until it holds or the time is up."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import pytest

T = TypeVar("T")

#: How often a condition is asked again: often enough that a test waits no longer than it must.
INTERVAL_S = 0.05


def poll(predicate: Callable[[], T], timeout: float) -> T | None:
    """``predicate()``'s first true value within ``timeout`` seconds (asked at least once), else None."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            return None
        time.sleep(INTERVAL_S)


def wait_until(predicate: Callable[[], T], timeout: float = 15, what: str = "the condition") -> T:
    """``predicate()``'s first true value; the test fails when there is none within ``timeout`` seconds.

    ``predicate`` may itself fail the test (e.g. when the program it waits for has exited)."""
    value = poll(predicate, timeout)
    if not value:
        pytest.fail(f"{what}: not within {timeout} s")
    return value

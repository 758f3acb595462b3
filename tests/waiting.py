"""Waiting for a condition instead of sleeping: poll it until it holds or the time is up."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import pytest

from counter_desk.errors import DatabaseUnavailable
from counter_desk.services.replication import Retried

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


def press_again(
    act: Callable[[], T], *, within_s: float = 15.0, pause_s: float = 0.25, sleep: Callable[[float], None] = time.sleep
) -> Retried[T]:
    """What an officer does after "not saved: press again" (the window keeps the action's idempotency token):
    ``act`` again and again until the database answers, for up to ``within_s``.

    Safe only because of the token: an attempt whose commit reached the old primary (and so, with synchronous
    replication, the standby) is found there and replayed instead of acting twice.
    """
    deadline = time.monotonic() + within_s
    failed = 0
    while True:
        try:
            result = act()
        except DatabaseUnavailable:
            failed += 1
            if time.monotonic() >= deadline:
                raise
            sleep(pause_s)
            continue
        return Retried(result, failed, bool(getattr(result, "replayed", False)))

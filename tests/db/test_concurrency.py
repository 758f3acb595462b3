"""Concurrent clicks from several threads on both engines: same token, same booking, a locked head of queue."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from conftest import booking_code
from helpers import events
from sqlalchemy import text

from counter_desk.clock import FixedClock
from counter_desk.errors import Conflict, EmptyQueue, UserError
from counter_desk.services.queue import QueueService
from counter_desk.store.engine import Database


def _together(n: int, fn: Callable[[int], Any]) -> list[Any]:
    """Run ``fn(i)`` in ``n`` threads released at the same instant; return results or raised exceptions."""
    barrier = threading.Barrier(n)

    def run(i: int) -> Any:
        barrier.wait()
        try:
            return fn(i)
        except UserError as exc:
            return exc

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


def test_the_same_click_retried_concurrently_claims_once(queue: QueueService, db: Database) -> None:
    for n in (1, 2, 3):
        queue.check_in(booking_code(n))
    results = _together(4, lambda _: queue.call_next("interview-1", token="booth-1:click-77"))
    tickets = {r.ticket.id for r in results if not isinstance(r, Exception)}
    assert len(tickets) == 1, results
    assert len(events(db, kind="called")) == 1


def test_the_same_booking_scanned_at_two_desks(queue: QueueService, db: Database) -> None:
    results = _together(2, lambda i: queue.check_in(booking_code(1), station=f"reception-{i + 1}"))
    issued = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(issued) == 1 and len(refused) == 1
    assert isinstance(refused[0], Conflict)
    assert len(events(db, kind="checked_in")) == 1


def test_four_booths_two_applicants(queue: QueueService, db: Database) -> None:
    queue.check_in(booking_code(1))
    queue.check_in(booking_code(2))
    results = _together(4, lambda i: queue.call_next(f"interview-{i + 1}"))
    called = sorted(r.ticket.number for r in results if not isinstance(r, Exception))
    assert called == ["A-001", "A-002"]
    assert all(isinstance(r, EmptyQueue) for r in results if isinstance(r, Exception))
    with db.read() as s:
        assert s.execute(text("SELECT count(DISTINCT station_id) FROM tickets WHERE status = 'called'")).scalar() == 2


def test_a_head_locked_by_another_call_is_not_reported_as_an_empty_queue(pg_url: str, clock: FixedClock) -> None:
    """FQM #10 ("no tickets left" while tickets wait): on PostgreSQL the head may be row-locked by a call in
    flight; call-next must not claim it twice nor say nobody is waiting. (SQLite serialises writers.)"""
    db = Database.connect(pg_url)
    other = Database.connect(pg_url)
    queue = QueueService(db, clock=clock)
    try:
        queue.check_in(booking_code(1))
        with other.engine.connect() as conn:
            conn.execute(text("SELECT id FROM tickets WHERE number = 'A-001' FOR UPDATE"))
            with pytest.raises(Conflict, match="being called by another station: try again"):
                queue.call_next("interview-1")
            conn.rollback()
        assert queue.call_next("interview-1").ticket.number == "A-001"
    finally:
        db.dispose()
        other.dispose()

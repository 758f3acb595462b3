"""Roles are enforced by the queue services themselves: a button hidden in a window is not the only guard."""

from __future__ import annotations

import pytest
from helpers import snapshot

from counter_desk.errors import NotFound
from counter_desk.services.queue import QueueService
from counter_desk.services.roles import NotAllowed
from counter_desk.store.engine import Database


def test_each_officer_acts_only_where_their_role_allows(queue: QueueService, db: Database) -> None:
    number = queue.check_in(walk_in="elderly", station="reception-1", user="penerimaan1").ticket.number
    before = snapshot(db)
    refusals = [
        lambda: queue.check_in(walk_in="elderly", station="reception-1", user="wawancara1"),
        lambda: queue.check_in(walk_in="elderly", user="ajudikator"),
        lambda: queue.call_next("interview-1", user="penerimaan1"),
        lambda: queue.call_next("pickup", user="wawancara1"),
        lambda: queue.call_next("adjudicator", user="pengambilan"),
        lambda: queue.transfer("adjudication", ticket=number, user="wawancara1"),
        lambda: queue.call(number, "interview-2", reason="elderly first", user="ajudikator"),
    ]
    for refused in refusals:
        with pytest.raises(NotAllowed, match="needs the role"):
            refused()
    with pytest.raises(NotFound, match="unknown or inactive user 'tamu'"):
        queue.call_next("interview-1", user="tamu")
    assert snapshot(db) == before

    called = queue.call_next("interview-1", user="wawancara1")
    assert called.ticket.number == number
    # A supervisor stands in anywhere and moves tickets by number.
    queue.return_to_queue(station="interview-1", position="front", user="kasi")
    moved = queue.transfer("adjudication", ticket=number, reason="documents already checked", user="kasi")
    assert moved.ticket.stage == "adjudication"
    assert queue.call_next("adjudicator", user="ajudikator").ticket.number == number
    assert queue.finish("adjudicator", outcome="approved", user="kasi").ticket.status == "done"


def test_calls_are_recorded_with_the_officer(queue: QueueService) -> None:
    queue.check_in(walk_in="lost", station="reception-2", user="penerimaan1")
    queue.call_next("interview-3", user="wawancara1")
    users = [(e.kind, e.user) for e in queue.events()][-2:]
    assert users == [("checked_in", "penerimaan1"), ("called", "wawancara1")]

"""The simulated office day acts through the real services: every arrival gets a ticket, every call is logged."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from conftest import MONDAY_9
from sqlalchemy import text

from counter_desk.clock import FixedClock
from counter_desk.services import simulate
from counter_desk.services.queue import QueueService
from counter_desk.store.engine import Database


def test_a_simulated_morning_accounts_for_every_ticket_and_call(db: Database, clock: FixedClock) -> None:
    clock.set(MONDAY_9 - dt.timedelta(hours=1))  # 08:00 in Jakarta
    queue = QueueService(db, clock=clock)
    day = simulate.OfficeDay(
        queue,
        simulate.SimulatedTime(clock),
        start=clock.now(),
        end=clock.now() + dt.timedelta(hours=3),
        profile=simulate.Profile(walk_ins_by_hour={8: 3, 9: 3, 10: 2}),
        seed=3,
    )
    tally = day.run()
    assert tally.refused == []
    assert tally.arrivals == tally.checked_in > 20
    with db.read() as s:
        numbers = set(s.execute(text("SELECT number FROM tickets")).scalars())
        kinds = Counter(dict(s.execute(text("SELECT kind, count(*) FROM events GROUP BY kind")).all()))
        statuses = Counter(dict(s.execute(text("SELECT status, count(*) FROM tickets GROUP BY status")).all()))
    assert numbers == tally.tickets
    assert kinds["checked_in"] == tally.checked_in
    assert kinds["called"] == tally.calls
    assert kinds["no_show"] == tally.no_shows == statuses["no_show"]
    assert kinds["finished"] == tally.finished == statuses["done"]
    assert sum(statuses.values()) == tally.checked_in
    # Seven stations at most hold one ticket each; everything else waits or is done.
    assert statuses["called"] + statuses["serving"] <= 5
    assert tally.finished > 10


def test_the_same_seed_plays_the_same_day(db: Database, clock: FixedClock) -> None:
    start = MONDAY_9 - dt.timedelta(hours=1)
    plans = []
    for _run in range(2):
        clock.set(start)
        day = simulate.OfficeDay(
            QueueService(db, clock=clock), simulate.SimulatedTime(clock), start=start, end=start, seed=11
        )
        day.plan()
        plans.append(sorted(entry[0] for entry in day._agenda))
    assert plans[0] == plans[1] and len(plans[0]) > 20

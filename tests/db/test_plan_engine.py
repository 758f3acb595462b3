"""The planner against the real engine, on both engines.

The same day is run through the real queue services (the simulated office day of
:mod:`counter_desk.services.simulate`: every check-in, call, transfer and finish a real action on the database)
and through the planner's model, with the reference rules and with a priority ratio of 2 and late arrivals
served in booked order; both must give the same share of interview waits within the 15-minute target, within
:data:`SHARE_TOLERANCE`, and of priority waits within 5 minutes, within :data:`PRIORITY_TOLERANCE`. The history
reader must count what that day's event log holds.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import replace

import pytest
from sqlalchemy import text

from counter_desk.clock import FixedClock
from counter_desk.services import rules, seed, simulate
from counter_desk.services.plan import inputs as plan_inputs
from counter_desk.services.plan.history import read_history
from counter_desk.services.plan.model import INTERVIEW, Staffing
from counter_desk.services.plan.predict import predict
from counter_desk.services.queue import QueueService
from counter_desk.services.timeline import read_timeline
from counter_desk.store.engine import Database

WEDNESDAY = dt.date(2026, 11, 25)
#: 08:00 in Jakarta (UTC+7).
START = dt.datetime(2026, 11, 25, 1, 0, tzinfo=dt.UTC)
BOOKINGS = 100
BOOTHS = 3
#: The model's mean share within target may differ from the real day's by this much: one real day is one draw,
#: and the model's days spread with a standard deviation of about 0.07 at this load (3 booths, ~125 arrivals).
SHARE_TOLERANCE = 0.10
#: The same for the priority applicants' share within 5 minutes: about 30 of them a day, so one day's share
#: alone spreads by about 0.07.
PRIORITY_TOLERANCE = 0.15
#: The same for the mean interview wait, relative.
MEAN_WAIT_TOLERANCE = 0.35


def _real_day(db: Database, clock: FixedClock, office_rules: dict[str, object]) -> simulate.Tally:
    seed.sample_bookings(db, BOOKINGS, day=WEDNESDAY, clock=clock)
    if office_rules:
        rules.update(db, None, office_rules, clock=clock)
    clock.set(START)
    queue = QueueService(db, clock=clock)
    day = simulate.OfficeDay(
        queue,
        simulate.SimulatedTime(clock),
        start=START,
        end=START + dt.timedelta(hours=8.5),
        # No unanswered calls: the no-show path is not what is compared here (and its recall timing is the
        # station's business, not the queue's order).
        profile=simulate.Profile(no_show_share=0.0),
        seed=5,
        leave=tuple(f"interview-{n}" for n in range(BOOTHS + 1, 5)),
    )
    return day.run()


@pytest.mark.slow
@pytest.mark.parametrize(
    "office_rules",
    [{}, {"priority_ratio": 2, "late_policy": "accept"}],
    ids=["reference-rules", "ratio-2-accept-late"],
)
def test_the_real_day_and_the_model_agree_and_history_reads_the_day(
    db: Database, clock: FixedClock, office_rules: dict[str, object]
) -> None:
    tally = _real_day(db, clock, office_rules)
    assert tally.checked_in > BOOKINGS
    with db.read() as session:
        office_id, stage_id = session.execute(text("SELECT office_id, id FROM stages WHERE code = 'interview'")).one()
        timeline = read_timeline(session, office_id, WEDNESDAY, WEDNESDAY)
        history = read_history(session, office_id, "Asia/Jakarta", WEDNESDAY, WEDNESDAY)
        counts = dict(
            session.execute(
                text(
                    "SELECT CASE WHEN booking_id IS NULL THEN 'walk_in' ELSE 'booked' END, count(*) FROM tickets "
                    "GROUP BY booking_id IS NULL"
                )
            ).all()
        )
        interviews = session.scalar(
            text(
                "SELECT count(*) FROM events e JOIN stages s ON s.id = e.stage_id "
                "WHERE (e.kind = 'transferred' AND s.code = 'adjudication') "
                "OR (e.kind = 'finished' AND s.code = 'interview')"
            )
        )
        priority_tickets = set(session.execute(text("SELECT id FROM tickets WHERE priority_level > 0")).scalars())
        never_came = session.scalar(
            text("SELECT count(*) FROM bookings WHERE slot_date = :d AND status = 'booked'"), {"d": WEDNESDAY}
        )
    # The history reader counts what the log holds.
    assert history.days == [WEDNESDAY]
    assert history.services_at("service") == interviews > 100
    assert len(history.offsets) == counts["booked"]
    assert sum(history.walk_ins.values()) == counts["walk_in"]
    assert (history.bookings, history.absent) == (BOOKINGS, never_came)
    assert history.no_shows == 0 and history.calls >= interviews
    # The simulated day's walk from call to start is 20-70 s, its pause after a service 5-30 s (+ the looks).
    assert min(history.walks["service"]) >= 20 and max(history.walks["service"]) <= 70
    assert history.pauses["service"] and min(history.pauses["service"]) >= 5

    waits = [w.seconds for w in timeline.waits if w.stage_id == stage_id]
    real_share = sum(1 for w in waits if w <= 15 * 60) / len(waits)
    inputs = plan_inputs.load(db, WEDNESDAY, history_until=WEDNESDAY - dt.timedelta(days=1))
    assert inputs.figures == "reference"  # no history before it: the reference office's, the simulated day's own
    model = replace(inputs.model, open_s=8 * 3600.0, interview=replace(inputs.model.interview, no_show_share=0.0))
    assert model.adjudication is not None
    model = replace(model, adjudication=replace(model.adjudication, no_show_share=0.0))
    prediction = predict(model, Staffing.uniform(model.hours(), BOOTHS), inputs.targets, 40)
    assert prediction.share is not None
    assert inputs.model.rules.priority_ratio == office_rules.get("priority_ratio", 0)
    priority = [w.seconds for w in timeline.waits if w.stage_id == stage_id and w.ticket_id in priority_tickets]
    real_priority = sum(1 for w in priority if w <= 5 * 60) / len(priority)
    assert prediction.priority_share is not None
    assert abs(prediction.priority_share - real_priority) <= PRIORITY_TOLERANCE, (
        prediction.priority_share,
        real_priority,
    )
    assert abs(prediction.share - real_share) <= SHARE_TOLERANCE, (prediction.share, real_share)
    predicted_mean = prediction.stages[INTERVIEW].mean
    assert predicted_mean is not None
    assert abs(predicted_mean - statistics.fmean(waits)) <= MEAN_WAIT_TOLERANCE * statistics.fmean(waits)
    # The load is where the answer matters: neither everyone nor hardly anyone within target.
    assert 0.5 < real_share < 0.98

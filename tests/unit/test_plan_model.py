"""The planner's model follows the product's rules (order, priority ratio, check-in window), its staffing
timetable and the search for the fewest booths; scenario files are checked key by key."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace

import pytest
import simpy

from counter_desk.errors import InvalidInput
from counter_desk.services.plan import parse_closure, reference
from counter_desk.services.plan.inputs import DayInputs
from counter_desk.services.plan.model import (
    HOUR,
    Arrivals,
    Booking,
    Closure,
    DayModel,
    Rules,
    Staffing,
    Uniform,
    _Day,
    _Queue,
    _Ticket,
)
from counter_desk.services.plan.predict import Targets, predict
from counter_desk.services.plan.scenario import apply, parse
from counter_desk.services.plan.search import acceptable, blocks, largest_quota, recommend, schedule_text


def _ticket(seq: int, level: int) -> _Ticket:
    return _Ticket(seq, "x", level, float(seq), float(seq), random.Random(seq))


@pytest.mark.parametrize(("ratio", "order"), [(0, "PPPRRR"), (1, "PRPRPR"), (2, "PRRPRP")])
def test_the_priority_ratio_as_the_queue_service_applies_it(ratio: int, order: str) -> None:
    queue = _Queue(simpy.Environment(), ratio)
    for seq in range(6):
        ticket = _ticket(seq, 10 if seq < 3 or seq >= 6 else 0)
        queue.put(ticket, ticket.key)
    if ratio == 2:
        extra = _ticket(6, 10)
        queue.put(extra, extra.key)
    taken = "".join("P" if queue.take().level > 0 else "R" for _ in range(len(order)))
    assert taken == order


def _model(**changes: object) -> DayModel:
    base = DayModel(
        open_s=8 * HOUR,
        close_s=12 * HOUR,
        bookings=tuple(Booking(float((8 + i % 3) * HOUR), "booked") for i in range(60)),
        walk_ins=reference.walk_ins(["elderly", "lost"]),
        priority={"booked": 0, "elderly": 10, "lost": 5},
        arrivals=reference.arrivals(),
        interview=reference.interview(),
        adjudication=reference.adjudication(),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_the_check_in_window_and_the_late_policy() -> None:
    late = Arrivals(early=Uniform(0, 0), late_share=1.0, late_by=40 * 60.0, absent_share=0.0)
    model = _model(bookings=(Booking(9 * HOUR, "booked"),), walk_ins={}, arrivals=late)
    ((at, key, _t),) = _Day(model, Staffing.uniform(model.hours(), 1), 1).tickets()
    assert at == 9 * HOUR + 40 * 60 and key == at  # end_of_queue: keyed by arrival
    accept = replace(model, rules=Rules(late_policy="accept"))
    ((_at, key, _t),) = _Day(accept, Staffing.uniform(model.hours(), 1), 1).tickets()
    assert key == 9 * HOUR  # served in booked order
    refuse = _Day(replace(model, rules=Rules(late_policy="refuse")), Staffing.uniform(model.hours(), 1), 1)
    assert refuse.tickets() == [] and refuse.out.refused == 1
    early = replace(model, arrivals=replace(late, late_share=0.0, early=Uniform(-60 * 60.0, -60 * 60.0)))
    opened = replace(early, rules=Rules(checkin_before=30 * 60.0))
    ((at, _key, _t),) = _Day(opened, Staffing.uniform(model.hours(), 1), 1).tickets()
    assert at == 9 * HOUR - 30 * 60  # waited outside until check-in opened


def test_the_timetable_with_a_break() -> None:
    staffing = Staffing({8: 3, 9: 3, 10: 2}, (Closure(9 * HOUR, 9.5 * HOUR, 2),))
    times, counts = staffing.timetable(11 * HOUR)
    step = dict(zip(times, counts, strict=True))
    assert step[8 * HOUR] == 3 and step[9 * HOUR] == 1 and step[9.5 * HOUR] == 3
    assert step[10 * HOUR] == 2 and step[11 * HOUR] == 2
    assert blocks(Staffing({8: 4, 9: 4, 10: 3, 11: 3, 12: 2})) == [(8, 10, 4), (10, 12, 3), (12, 13, 2)]
    assert schedule_text(Staffing({8: 4, 9: 4, 10: 3})) == "08-10: 4, 10-11: 3"
    assert parse_closure("12:00-13:00x2") == Closure(12 * HOUR, 13 * HOUR, 2)
    with pytest.raises(InvalidInput, match="break '13:00-12:00'"):
        parse_closure("13:00-12:00")


def _inputs(model: DayModel) -> DayInputs:
    return DayInputs(
        day=dt.date(2026, 11, 24),
        model=model,
        targets=Targets(),
        max_booths=6,
        figures="reference",
        history={},
    )


def test_the_fewest_booths_per_hour() -> None:
    inputs = _inputs(_model())
    rec = recommend(inputs, replications=20)
    assert rec.reachable and acceptable(rec.prediction, inputs.targets)
    staffing = rec.prediction.staffing
    # No uniform staffing with fewer booths than the busiest hour's was acceptable.
    assert all(not acceptable(o, inputs.targets) for o in rec.options[:-1])
    # Closing one more booth in any hour with more than one breaks the targets (the search's local minimum).
    for hour, booths in staffing.booths.items():
        if booths > 1:
            trial = predict(inputs.model, staffing.with_hour(hour, booths - 1), inputs.targets, 20, 1)
            assert not acceptable(trial, inputs.targets), hour


def test_the_quota_grows_with_the_booths() -> None:
    inputs = _inputs(_model())
    two, three = (largest_quota(inputs, n, replications=10) for n in (2, 3))
    assert 0 < two.bookings < three.bookings
    assert two.prediction is not None and acceptable(two.prediction, inputs.targets)


def test_a_scenario_changes_the_day() -> None:
    inputs = _inputs(_model())
    scenario = parse(
        '[walk_ins]\nfactor = 2\n[bookings]\ncount = 90\n[[breaks]]\nfrom = "12:00"\nto = "12:30"\n'
        '[service.interview]\ndistribution = "fixed"\nminutes = 4\n[targets]\nshare = 0.9\npriority_minutes = 3\n'
        "[staff]\nbooths = 8\nadjudicators = 2\n"
    )
    changed = apply(inputs, scenario)
    assert len(changed.model.bookings) == 90
    assert changed.model.walk_ins["elderly"][8] == 2 * inputs.model.walk_ins["elderly"][8]
    assert changed.model.interview.default.sample(random.Random(1)) == 240
    assert changed.targets.share == 0.9 and changed.targets.priority_seconds == 180
    assert (changed.max_booths, changed.model.adjudicators) == (8, 2)
    assert scenario.closures == (Closure(12 * HOUR, 12.5 * HOUR, 1),)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[walk_ins]\nfactr = 2\n", "scenario [walk_ins]: unknown key factr; known keys: factor, rates"),
        ('[arrivals]\nrates = { "08" = -1 }\n', "-1 must be at least 0"),
        ('[walk_ins]\nrates = { "25" = 3 }\n', "an hour is 00 to 23"),
        ("[bookings]\ncount = 1.5\n", "must be a whole number"),
        ('[service.interview]\ndistribution = "gamma"\nminutes = 3\n', "choose lognormal, exponential or fixed"),
        ("[service.interview]\nsigma = 0.2\n", "give minutes"),
        ("[service.reception]\nminutes = 2\n", "unknown key reception"),
        ('[[closed]]\nfrom = "9"\nto = "10:00"\n', "is not a time like 12:00"),
        ("[targets]\nshare = 1.5\n", "1.5 must be between 0.01 and 1.0"),
        ("rush = true\n", "unknown key rush"),
        ("[walk_ins\n", "is not valid TOML"),
    ],
)
def test_bad_scenarios_are_refused_naming_the_key(toml: str, message: str) -> None:
    with pytest.raises(InvalidInput) as error:
        parse(toml)
    assert message in error.value.message
    assert "\n" not in error.value.message


def test_enough_history_gives_the_offices_own_figures() -> None:
    from counter_desk.services.plan.history import History
    from counter_desk.services.plan.inputs import _from_history

    tuesday = dt.date(2026, 11, 24)
    history = History(tuesday - dt.timedelta(days=56), tuesday)
    history.days = [tuesday - dt.timedelta(days=7 * w + d) for w in (1, 2, 3) for d in (0, 6)]
    history.services[("service", "booked")] = [400.0] * 250
    history.services[("service", "elderly")] = [200.0] * 40
    history.services[("adjudication", "booked")] = [90.0] * 10  # too few: the reference adjudication stays
    history.walks["service"] = [30.0] * 50
    history.pauses["service"] = [12.0] * 50
    history.offsets = [-600.0] * 60
    history.bookings, history.absent, history.calls, history.no_shows = 100, 10, 300, 6
    history.walk_ins[(1, 9, "elderly")] = 12
    history.walk_ins[(0, 9, "elderly")] = 99
    history.weekdays.update({1: 3, 0: 3})
    assert history.enough
    interview, adjudication, arrivals, walk_ins = _from_history(history, tuesday, ["elderly"])
    rng = random.Random(3)
    assert interview.service_of("elderly").sample(rng) == 200
    assert interview.service_of("child").sample(rng) in (200, 400)  # the stage's pooled figure
    assert interview.walk.sample(rng) == 30 and interview.gap.sample(rng) == 12
    assert interview.no_show_share == 0.02
    assert adjudication.default == reference.adjudication().default
    assert arrivals.offset(rng) == -600 and arrivals.absent_share == 0.1
    assert walk_ins == {"elderly": {9: 4.0}}  # Tuesdays only: 12 over 3 Tuesdays
    history.days = history.days[:4]
    assert not history.enough

"""The planner's model against queueing theory: a stationary M/M/c queue (Poisson arrivals, exponential service,
c booths, first come first served) has Erlang C waits. The simulated mean wait and P(wait <= t) must agree with
the formula within the 99 % confidence interval of the replications, for light, medium and heavy load."""

from __future__ import annotations

import math
import statistics

import pytest

from counter_desk.services.plan.model import (
    HOUR,
    INTERVIEW,
    Arrivals,
    Counter,
    DayModel,
    Dist,
    Staffing,
    Uniform,
    run_day,
)

Z99 = 2.576
SERVICE_S = 300.0  # mean service: 5 minutes, mu = 12 an hour
WARM_UP_H = 10
REPLICATIONS = 16


def erlang_c(lam: float, mu: float, c: int) -> float:
    """Probability that an arrival waits (Erlang C)."""
    a = lam / mu
    rho = a / c
    top = a**c / math.factorial(c) / (1 - rho)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


def mm_c(lam_per_hour: float, c: int, hours: int) -> DayModel:
    fixed0 = Uniform(0.0, 0.0)
    counter = Counter({}, Dist("exponential", SERVICE_S), walk=fixed0, gap=fixed0, idle_look=0.0, no_show_share=0.0)
    return DayModel(
        open_s=0.0,
        close_s=hours * HOUR,
        bookings=(),
        walk_ins={"x": dict.fromkeys(range(hours), lam_per_hour)},
        priority={"x": 0},
        arrivals=Arrivals(absent_share=0.0),
        interview=counter,
        adjudication=None,
    )


def ci99(values: list[float]) -> tuple[float, float]:
    mean = statistics.fmean(values)
    half = Z99 * statistics.stdev(values) / math.sqrt(len(values))
    return mean - half, mean + half


@pytest.mark.parametrize(
    ("c", "rho", "hours"),
    [(1, 0.5, 60), (2, 0.7, 60), (3, 0.8, 80), (2, 0.9, 160), (4, 0.9, 120)],
)
def test_simulated_waits_agree_with_erlang_c(c: int, rho: float, hours: int) -> None:
    mu = 1 / SERVICE_S
    lam = rho * c * mu
    model = mm_c(lam * HOUR, c, hours)
    staffing = Staffing.uniform(range(hours), c)
    t = SERVICE_S  # P(wait <= 5 min)
    means, within = [], []
    for seed in range(REPLICATIONS):
        day = run_day(model, staffing, seed=1000 + seed)
        waits = [w.wait for w in day.waits if w.stage == INTERVIEW and w.joined >= WARM_UP_H * HOUR]
        assert len(waits) > 0.8 * lam * (hours - WARM_UP_H) * HOUR
        means.append(statistics.fmean(waits))
        within.append(sum(1 for w in waits if w <= t) / len(waits))
    prob_wait = erlang_c(lam, mu, c)
    theory_mean = prob_wait / (c * mu - lam)
    theory_within = 1 - prob_wait * math.exp(-(c * mu - lam) * t)
    low, high = ci99(means)
    assert low <= theory_mean <= high, (theory_mean, low, high)
    low, high = ci99(within)
    assert low <= theory_within <= high, (theory_within, low, high)


def test_erlang_c_itself() -> None:
    """The formula against a textbook value: 2 servers, offered load 1 Erlang: C = 1/3."""
    assert erlang_c(1.0, 1.0, 2) == pytest.approx(1 / 3)


def test_more_booths_never_lengthen_the_same_days_waits() -> None:
    """Common random numbers: the same seed, one booth more, waits no longer on average."""
    model = mm_c(20.0, 2, 10)
    two = run_day(model, Staffing.uniform(range(10), 2), seed=5)
    three = run_day(model, Staffing.uniform(range(10), 3), seed=5)
    assert len(two.waits) == len(three.waits)
    assert statistics.fmean(w.wait for w in three.waits) < statistics.fmean(w.wait for w in two.waits)

"""The fewest interview booths per hour that meet the targets, and the quota question.

The search first finds the fewest booths that, open all day, meet the targets on at least ``confidence`` of the
simulated days with no hour's mean interview wait over the target (:func:`acceptable`); then, hour by hour
from the last, it closes one booth more while that still holds.
Every staffing is judged on the same simulated days (the same seeds: common random numbers), so a change of one
booth in one hour shows its own effect, not the noise of other days.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from counter_desk.services.plan.inputs import DayInputs
from counter_desk.services.plan.model import INTERVIEW, Booking, Closure, DayModel, Staffing, run_day
from counter_desk.services.plan.predict import Prediction, Targets, day_shares, predict, summarize

#: The largest daily quota the quota question tries.
MAX_QUOTA = 2000
#: Slots when the day has no bookings to copy: M-Paspor's hourly slots 08-09 ... 14-15.
DEFAULT_SLOTS = tuple(float(h * 3600) for h in range(8, 15))


@dataclass(frozen=True)
class Recommendation:
    inputs: DayInputs
    prediction: Prediction
    #: False: even the most booths all day miss the targets (the prediction is of that staffing).
    reachable: bool
    #: The same day with 1, 2, ... booths open all day.
    options: tuple[Prediction, ...]
    replications: int

    def blocks(self) -> list[tuple[int, int, int]]:
        return blocks(self.prediction.staffing)

    def to_json(self) -> dict[str, Any]:
        return {
            **self.inputs.to_json(),
            "reachable": self.reachable,
            "schedule": [{"from": f"{a:02d}:00", "to": f"{b:02d}:00", "booths": n} for a, b, n in self.blocks()],
            "prediction": self.prediction.to_json(),
            "options": [
                {
                    "booths": max(o.staffing.booths.values()),
                    "share_within_target": None if o.share is None else round(o.share, 4),
                    "confidence": round(o.confidence, 4),
                    "interview_p90_s": _p90(o),
                }
                for o in self.options
            ],
        }


def _p90(p: Prediction) -> float | None:
    spread = p.stages.get("interview")
    return None if spread is None or spread.p90 is None else round(spread.p90, 1)


def blocks(staffing: Staffing) -> list[tuple[int, int, int]]:
    """Consecutive hours with the same booths as (from hour, to hour, booths): ``08-10: 4, 10-12: 3``."""
    out: list[tuple[int, int, int]] = []
    for hour, booths in sorted(staffing.booths.items()):
        if out and out[-1][2] == booths and out[-1][1] == hour:
            out[-1] = (out[-1][0], hour + 1, booths)
        else:
            out.append((hour, hour + 1, booths))
    return out


def schedule_text(staffing: Staffing) -> str:
    return ", ".join(f"{a:02d}-{b:02d}: {n}" for a, b, n in blocks(staffing))


def acceptable(p: Prediction, targets: Targets) -> bool:
    """The day meets the targets with the confidence asked, and no hour's mean interview wait is over the target
    (a good morning must not hide a bad afternoon)."""
    limit = targets.stage_seconds.get(INTERVIEW)
    hours_ok = limit is None or all(s.mean is None or s.mean <= limit for s in p.by_hour.values())
    return p.meets(targets) and hours_ok


class _Judge:
    def __init__(self, model: DayModel, targets: Targets, replications: int, seed: int) -> None:
        self.model, self.targets, self.replications, self.seed = model, targets, replications, seed
        self.seen: dict[Any, Prediction] = {}

    def __call__(self, staffing: Staffing) -> Prediction:
        key = (staffing.key(), staffing.closures)
        if key not in self.seen:
            self.seen[key] = predict(self.model, staffing, self.targets, self.replications, self.seed)
        return self.seen[key]

    def passes(self, staffing: Staffing) -> Prediction | None:
        """The prediction if ``staffing`` is :func:`acceptable`; None as soon as too many days missed the target
        for the confidence to be reached (the rest of the days are not simulated)."""
        allowed = self.replications - math.ceil(self.targets.confidence * self.replications - 1e-9)
        days, missed = [], 0
        for i in range(self.replications):
            day = run_day(self.model, staffing, self.seed + i)
            days.append(day)
            missed += not day_shares(day, self.targets).meets(self.targets.share)
            if missed > allowed:
                return None
        prediction = summarize(days, staffing, self.targets)
        return prediction if acceptable(prediction, self.targets) else None


def recommend(
    inputs: DayInputs,
    *,
    replications: int = 50,
    closures: tuple[Closure, ...] = (),
    max_booths: int | None = None,
    seed: int = 1,
) -> Recommendation:
    """The fewest booths per hour meeting ``inputs.targets`` (see the module's docstring)."""
    top = max_booths or inputs.max_booths
    judge = _Judge(inputs.model, inputs.targets, replications, seed)
    hours = inputs.model.hours()
    options = []
    chosen: Prediction | None = None
    for booths in range(1, top + 1):
        option = judge(Staffing.uniform(hours, booths, closures))
        options.append(option)
        if chosen is None and acceptable(option, inputs.targets):
            chosen = option
            break
    if chosen is None:
        return Recommendation(inputs, options[-1], False, tuple(options), replications)
    staffing = chosen.staffing
    for hour in reversed(hours):
        while staffing.booths[hour] > 1:
            trial = judge.passes(staffing.with_hour(hour, staffing.booths[hour] - 1))
            if trial is None:
                break
            staffing, chosen = trial.staffing, trial
    return Recommendation(inputs, chosen, True, tuple(options), replications)


def with_bookings(model: DayModel, count: int) -> DayModel:
    """``model`` with ``count`` bookings spread like its own (evenly over M-Paspor's slots when it has none)."""
    base = sorted(model.bookings, key=lambda b: (b.slot is None, b.slot or 0.0)) or [
        Booking(slot, "booked") for slot in DEFAULT_SLOTS
    ]
    picked = tuple(base[i * len(base) // count] for i in range(count)) if count else ()
    return replace(model, bookings=picked)


@dataclass(frozen=True)
class QuotaAnswer:
    booths: int
    #: The largest bookings count meeting the targets; 0 when even a day without bookings misses them.
    bookings: int
    prediction: Prediction | None
    replications: int

    def to_json(self) -> dict[str, Any]:
        return {
            "booths": self.booths,
            "largest_bookings": self.bookings,
            "replications": self.replications,
            "prediction": None if self.prediction is None else self.prediction.to_json(),
        }


def largest_quota(
    inputs: DayInputs,
    booths: int,
    *,
    replications: int = 50,
    closures: tuple[Closure, ...] = (),
    seed: int = 1,
) -> QuotaAnswer:
    """The largest number of bookings a day can take with ``booths`` open all day and still meet the targets."""
    staffing = Staffing.uniform(inputs.model.hours(), booths, closures)

    def judge(count: int) -> Prediction:
        return predict(with_bookings(inputs.model, count), staffing, inputs.targets, replications, seed)

    good: tuple[int, Prediction | None] = (0, None)
    first = judge(0)
    if not acceptable(first, inputs.targets):
        return QuotaAnswer(booths, 0, None, replications)
    good = (0, first)
    low, high = 0, 50
    while high <= MAX_QUOTA:
        trial = judge(high)
        if not acceptable(trial, inputs.targets):
            break
        good, low, high = (high, trial), high, high * 2
    high = min(high, MAX_QUOTA + 1)
    while high - low > 1:
        middle = (low + high) // 2
        trial = judge(middle)
        if acceptable(trial, inputs.targets):
            good, low = (middle, trial), middle
        else:
            high = middle
    return QuotaAnswer(booths, good[0], good[1], replications)

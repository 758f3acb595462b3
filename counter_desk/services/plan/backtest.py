"""Backtest: for past days, the plan's predicted waits beside the waits the event log recorded.

For each day with tickets in the range, the model gets that day's bookings, the history *before* the range (so a
day is never predicted from itself), and the booths that actually worked: the interview stations that called
someone in each office hour (an hour without calls keeps the hour before's count: the booths were open, idle).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from counter_desk.errors import InvalidInput
from counter_desk.i18n import _
from counter_desk.services import directory
from counter_desk.services.plan import inputs as plan_inputs
from counter_desk.services.plan.model import INTERVIEW, Staffing
from counter_desk.services.plan.predict import Prediction, Spread, predict
from counter_desk.services.timeline import read_timeline
from counter_desk.store.engine import Database
from counter_desk.store.models import Stage

MAX_DAYS = 62


@dataclass(frozen=True)
class BacktestDay:
    day: dt.date
    booths: dict[int, int]
    prediction: Prediction
    actual: Spread
    actual_share: float | None
    target_s: float

    def to_json(self) -> dict[str, Any]:
        p = self.prediction
        spread = p.stages.get(INTERVIEW)
        return {
            "day": self.day.isoformat(),
            "booths": {f"{h:02d}": n for h, n in sorted(self.booths.items())},
            "predicted_share_within_target": None if p.share is None else round(p.share, 4),
            "predicted_share_ci95": [
                None if p.share_low is None else round(p.share_low, 4),
                None if p.share_high is None else round(p.share_high, 4),
            ],
            "actual_share_within_target": None if self.actual_share is None else round(self.actual_share, 4),
            "predicted": None if spread is None else spread.to_json(),
            "actual": self.actual.to_json(),
            "target_min": self.target_s / 60,
        }


def _observed(db: Database, office: str | None, day: dt.date) -> tuple[dict[int, int], list[float]]:
    """Interview stations calling per office hour, and the interview's completed waits (seconds)."""
    with db.read() as session:
        info = directory.office_info(session, office)
        stage_id = session.scalar(
            select(Stage.id).where(Stage.office_id == info.id, Stage.kind == "service").order_by(Stage.position)
        )
        timeline = read_timeline(session, info.id, day, day)
    tz = ZoneInfo(info.timezone)
    stations: dict[int, set[int]] = {}
    waits = []
    for w in timeline.waits:
        if w.stage_id != stage_id:
            continue
        waits.append(w.seconds)
        hour = dt.datetime.fromtimestamp(w.called / 1000, tz).hour
        if w.station_id is not None:
            stations.setdefault(hour, set()).add(w.station_id)
    return {h: len(s) for h, s in stations.items()}, waits


def backtest(
    db: Database, first: dt.date, last: dt.date, *, office: str | None = None, replications: int = 30
) -> list[BacktestDay]:
    """Predicted against recorded, day by day from ``first`` to ``last``."""
    if first > last:
        raise InvalidInput(_("--from {first} is after --to {last}", first=first.isoformat(), last=last.isoformat()))
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidInput(_("a backtest covers at most {days} days: split the range", days=MAX_DAYS))
    out = []
    day = first
    while day <= last:
        calls, waits = _observed(db, office, day)
        if calls:
            inputs = plan_inputs.load(
                db, day, office=office, history_until=first - dt.timedelta(days=1), need_bookings=False
            )
            booths: dict[int, int] = {}
            previous = 0
            for hour in inputs.model.hours():
                previous = calls.get(hour, previous)
                booths[hour] = previous
            prediction = predict(inputs.model, Staffing(booths), inputs.targets, replications)
            target = inputs.targets.stage_seconds[INTERVIEW]
            share = sum(1 for w in waits if w <= target) / len(waits) if waits else None
            out.append(BacktestDay(day, booths, prediction, Spread.of(waits), share, target))
        day += dt.timedelta(days=1)
    if not out:
        msg = _("no interview calls recorded from {first} to {last}: nothing to compare", first=first, last=last)
        raise InvalidInput(msg)
    return out

"""Many simulated days of one staffing, summed up: the share within target with its confidence interval, how often
the targets were met, the waits' median and 90th percentile per stage and category, the waits by hour."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from counter_desk.services.plan.model import ADJUDICATION, HOUR, INTERVIEW, DayModel, DayOutcome, Staffing, run_day

#: Two-sided 95 % normal quantile (the replications' means are close to normal from about 20 replications on).
Z95 = 1.96


@dataclass(frozen=True)
class Targets:
    """What "meets the target" means: ``share`` of waits at each stage within its target (seconds), priority
    applicants' waits at the interview within ``priority_seconds``; a staffing meets them with ``confidence``
    when at least that share of simulated days meets all of them."""

    stage_seconds: dict[str, float] = field(default_factory=lambda: {INTERVIEW: 900.0, ADJUDICATION: 3600.0})
    priority_seconds: float = 300.0
    share: float = 0.85
    confidence: float = 0.8

    def to_json(self) -> dict[str, Any]:
        return {
            "stage_minutes": {k: v / 60 for k, v in self.stage_seconds.items()},
            "priority_minutes": self.priority_seconds / 60,
            "share": self.share,
            "confidence": self.confidence,
        }


@dataclass(frozen=True)
class Spread:
    """Seconds: how many waits, their mean, median and 90th percentile (pooled over the replications)."""

    count: int
    mean: float | None
    p50: float | None
    p90: float | None

    @classmethod
    def of(cls, values: list[float]) -> Spread:
        if not values:
            return cls(0, None, None, None)
        ordered = sorted(values)
        return cls(len(ordered), sum(ordered) / len(ordered), quantile(ordered, 0.5), quantile(ordered, 0.9))

    def to_json(self) -> dict[str, Any]:
        def r(v: float | None) -> float | None:
            return None if v is None else round(v, 1)

        return {"count": self.count, "mean_s": r(self.mean), "p50_s": r(self.p50), "p90_s": r(self.p90)}


def quantile(ordered: list[float], q: float) -> float:
    """Linear interpolation between the closest ranks (as the reports do: NumPy's default)."""
    pos = (len(ordered) - 1) * q
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


@dataclass(frozen=True)
class DayShares:
    """One simulated day against the targets."""

    interview: float | None
    priority: float | None
    adjudication: float | None

    def meets(self, share: float) -> bool:
        """The interview's targets (the booths the plan opens); adjudication is reported, not staffed here."""
        return all(v is None or v >= share for v in (self.interview, self.priority))


def day_shares(day: DayOutcome, targets: Targets) -> DayShares:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for w in day.waits:
        limit = targets.stage_seconds.get(w.stage)
        if limit is not None:
            c = counts[w.stage]
            c[0] += 1
            c[1] += w.wait <= limit
        if w.priority and w.stage == INTERVIEW:
            c = counts["priority"]
            c[0] += 1
            c[1] += w.wait <= targets.priority_seconds

    def share(key: str) -> float | None:
        total, within = counts.get(key, (0, 0))
        return within / total if total else None

    return DayShares(share(INTERVIEW), share("priority"), share(ADJUDICATION))


@dataclass(frozen=True)
class Prediction:
    staffing: Staffing
    replications: int
    #: Mean over the days of the interview's share within target, and its 95 % confidence interval.
    share: float | None
    share_low: float | None
    share_high: float | None
    priority_share: float | None
    adjudication_share: float | None
    #: Simulated days that met every target.
    met: int
    #: (stage, category) -> the waits; stage -> all its waits.
    waits: dict[tuple[str, str], Spread]
    stages: dict[str, Spread]
    #: Interview waits by the hour the applicant joined the queue.
    by_hour: dict[int, Spread]
    #: When the day's last interview ended (seconds after midnight): median and 90th percentile over the days.
    last_service_p50: float
    last_service_p90: float
    #: When adjudication finished the day's last file (median over the days); None without adjudication.
    last_adjudication_p50: float | None
    arrivals: float

    def waits_in_order(self) -> list[tuple[tuple[str, str], Spread]]:
        """The waits per (stage, category): the interview first (the booths planned), then by category."""
        return sorted(self.waits.items(), key=lambda item: (item[0][0] != INTERVIEW, item[0]))

    @property
    def confidence(self) -> float:
        return self.met / self.replications if self.replications else 0.0

    def meets(self, targets: Targets) -> bool:
        return self.confidence >= targets.confidence

    def to_json(self) -> dict[str, Any]:
        def r(v: float | None, digits: int = 4) -> float | None:
            return None if v is None else round(v, digits)

        return {
            "booths": {f"{h:02d}": n for h, n in sorted(self.staffing.booths.items())},
            "closures": [
                {"from": clock_text(c.start), "to": clock_text(c.end), "booths": c.booths}
                for c in self.staffing.closures
            ],
            "replications": self.replications,
            "share_within_target": r(self.share),
            "share_ci95": [r(self.share_low), r(self.share_high)],
            "priority_share_within_target": r(self.priority_share),
            "adjudication_share_within_target": r(self.adjudication_share),
            "days_meeting_targets": self.met,
            "confidence": r(self.confidence),
            "stages": {stage: spread.to_json() for stage, spread in sorted(self.stages.items())},
            "waits": [
                {"stage": stage, "category": category, **spread.to_json()}
                for (stage, category), spread in sorted(self.waits.items())
            ],
            "by_hour": [{"hour": h, **s.to_json()} for h, s in sorted(self.by_hour.items())],
            "last_service_p50": clock_text(self.last_service_p50),
            "last_service_p90": clock_text(self.last_service_p90),
            "last_adjudication_p50": None
            if self.last_adjudication_p50 is None
            else clock_text(self.last_adjudication_p50),
            "arrivals_mean": round(self.arrivals, 1),
        }


def clock_text(seconds: float) -> str:
    """Seconds after midnight as ``HH:MM`` (rounded to the minute; past midnight reads 24:00 and on)."""
    minutes = round(seconds / 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def mean_ci(values: list[float]) -> tuple[float, float, float]:
    """Mean and its 95 % confidence interval (normal approximation; a single value has none)."""
    mean = sum(values) / len(values)
    if len(values) < 2:
        return mean, mean, mean
    half = Z95 * statistics.stdev(values) / math.sqrt(len(values))
    return mean, mean - half, mean + half


def predict(model: DayModel, staffing: Staffing, targets: Targets, replications: int, seed: int = 1) -> Prediction:
    """Simulate ``replications`` days (seeds ``seed``, ``seed + 1``, ...) and sum them up."""
    days = [run_day(model, staffing, seed + i) for i in range(replications)]
    return summarize(days, staffing, targets)


def summarize(days: list[DayOutcome], staffing: Staffing, targets: Targets) -> Prediction:
    shares = [day_shares(d, targets) for d in days]
    pooled: dict[tuple[str, str], list[float]] = defaultdict(list)
    per_stage: dict[str, list[float]] = defaultdict(list)
    hourly: dict[int, list[float]] = defaultdict(list)
    for d in days:
        for w in d.waits:
            pooled[(w.stage, w.category)].append(w.wait)
            per_stage[w.stage].append(w.wait)
            if w.stage == INTERVIEW:
                hourly[int(w.joined // HOUR)].append(w.wait)
    interview = [s.interview for s in shares if s.interview is not None]
    mean, low, high = mean_ci(interview) if interview else (None, None, None)

    def avg(values: list[float | None]) -> float | None:
        present = [v for v in values if v is not None]
        return sum(present) / len(present) if present else None

    ends = sorted(d.last_service_end for d in days)
    files = sorted(d.last_adjudication_end for d in days if d.last_adjudication_end is not None)
    return Prediction(
        staffing=staffing,
        replications=len(days),
        share=mean,
        share_low=low,
        share_high=high,
        priority_share=avg([s.priority for s in shares]),
        adjudication_share=avg([s.adjudication for s in shares]),
        met=sum(s.meets(targets.share) for s in shares),
        waits={key: Spread.of(values) for key, values in pooled.items()},
        stages={key: Spread.of(values) for key, values in per_stage.items()},
        by_hour={h: Spread.of(values) for h, values in hourly.items()},
        last_service_p50=quantile(ends, 0.5) if ends else 0.0,
        last_service_p90=quantile(ends, 0.9) if ends else 0.0,
        last_adjudication_p50=quantile(files, 0.5) if files else None,
        arrivals=sum(d.arrived for d in days) / len(days) if days else 0.0,
    )

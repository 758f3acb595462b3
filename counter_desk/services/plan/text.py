"""The plan in words, in the active language: the lines the CLI prints and the PDF report and the window show."""

from __future__ import annotations

from counter_desk import i18n
from counter_desk.i18n import _
from counter_desk.services.dates import format_day
from counter_desk.services.plan import reference
from counter_desk.services.plan.backtest import BacktestDay
from counter_desk.services.plan.model import ADJUDICATION, INTERVIEW
from counter_desk.services.plan.predict import Prediction, clock_text
from counter_desk.services.plan.search import QuotaAnswer, Recommendation, schedule_text


def minutes(seconds: float | None) -> str:
    """Seconds as minutes with one decimal, a decimal comma in Bahasa Indonesia; "—" for nothing."""
    if seconds is None:
        return "—"
    text = f"{seconds / 60:.1f}"
    return text.replace(".", ",") if i18n.language() == "id" else text


def percent(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.0f} %"


def figures_line(rec: Recommendation) -> str:
    inputs = rec.inputs
    if inputs.figures == "reference":
        return _(
            "figures: the reference office's ({office}); this office's history is too little", office=reference.NAME
        )
    return _(
        "figures: this office's history, {days} days from {first} to {last}",
        days=inputs.history["days"],
        first=inputs.history["from"],
        last=inputs.history["to"],
    )


def prediction_line(p: Prediction, rec: Recommendation) -> str:
    t = rec.inputs.targets
    return _(
        "predicted: {share} within {target} min (95 % CI {low}–{high}), priority {priority} within {ptarget} min; "
        "targets met on {met} of {days} simulated days",
        share=percent(p.share),
        target=minutes(t.stage_seconds[INTERVIEW]),
        low=percent(p.share_low),
        high=percent(p.share_high),
        priority=percent(p.priority_share),
        ptarget=minutes(t.priority_seconds),
        met=p.met,
        days=p.replications,
    )


def describe(rec: Recommendation) -> list[str]:
    """The recommendation as lines for people."""
    inputs, p, t = rec.inputs, rec.prediction, rec.inputs.targets
    lines = [
        _(
            "Plan for {day}: {bookings} bookings; {figures}",
            day=format_day(inputs.day, weekday=True),
            bookings=len(inputs.model.bookings),
            figures=figures_line(rec),
        ),
        *inputs.notes[1 if inputs.figures == "reference" else 0 :],
    ]
    if rec.reachable:
        lines.append(
            _(
                "recommended interview booths: {schedule} "
                "(target: {share} within {target} min on {confidence} of days)",
                schedule=schedule_text(p.staffing),
                share=percent(t.share),
                target=minutes(t.stage_seconds[INTERVIEW]),
                confidence=percent(t.confidence),
            )
        )
    else:
        lines.append(
            _(
                "the target cannot be met even with {booths} booths all day: open them all and expect longer waits",
                booths=max(p.staffing.booths.values()),
            )
        )
    lines.append(prediction_line(p, rec))
    for (stage, category), spread in p.waits_in_order():
        lines.append(
            _(
                "  {stage} / {category}: {count} waits a day, median {p50} min, P90 {p90} min",
                stage=inputs.stage_name(stage),
                category=inputs.category_name(category),
                count=round(spread.count / p.replications),
                p50=minutes(spread.p50),
                p90=minutes(spread.p90),
            )
        )
    lines.append(
        _(
            "last interview ends about {p50} (P90 {p90})",
            p50=clock_text(p.last_service_p50),
            p90=clock_text(p.last_service_p90),
        )
    )
    if p.last_adjudication_p50 is not None and ADJUDICATION in t.stage_seconds:
        lines.append(
            _(
                "adjudication: {share} of files within {target} min, last file done about {time}",
                share=percent(p.adjudication_share),
                target=minutes(t.stage_seconds[ADJUDICATION]),
                time=clock_text(p.last_adjudication_p50),
            )
        )
    options = ", ".join(
        _("{booths}: {share}", booths=max(o.staffing.booths.values()), share=percent(o.share)) for o in rec.options
    )
    lines.append(_("booths all day and the share within target: {options}", options=options))
    return lines


def describe_quota(answer: QuotaAnswer, rec_day: str) -> str:
    if answer.prediction is None:
        return _(
            "with {booths} booths the target is missed even without bookings (walk-ins alone): open more booths",
            booths=answer.booths,
        )
    return _(
        "{day}: with {booths} booths all day, at most {count} bookings meet the target ({share} within target, "
        "met on {met} of {days} simulated days)",
        day=rec_day,
        booths=answer.booths,
        count=answer.bookings,
        share=percent(answer.prediction.share),
        met=answer.prediction.met,
        days=answer.prediction.replications,
    )


def describe_backtest(days: list[BacktestDay]) -> list[str]:
    lines = [_("day         booths      predicted (95 % CI)     recorded   median pred/rec   P90 pred/rec")]
    for d in days:
        p = d.prediction
        spread = p.stages.get(INTERVIEW)
        lines.append(
            _(
                "{day}  {booths}  {share} ({low}–{high})  {actual}  {p50} / {a50} min  {p90} / {a90} min",
                day=d.day.isoformat(),
                booths="/".join(str(n) for _h, n in sorted(d.booths.items())),
                share=percent(p.share),
                low=percent(p.share_low),
                high=percent(p.share_high),
                actual=percent(d.actual_share),
                p50=minutes(spread.p50 if spread else None),
                a50=minutes(d.actual.p50),
                p90=minutes(spread.p90 if spread else None),
                a90=minutes(d.actual.p90),
            )
        )
    return lines

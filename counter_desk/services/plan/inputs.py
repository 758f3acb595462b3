"""A day's inputs for the planner, read from the database: the bookings, the rules, the stages' targets, the
booths the office has, and the figures of its history (or the reference office's, when history is too little)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import func, select

from counter_desk import i18n
from counter_desk.errors import InvalidInput
from counter_desk.i18n import _
from counter_desk.services import directory, rules
from counter_desk.services.dates import format_day
from counter_desk.services.plan import reference
from counter_desk.services.plan.history import HISTORY_DAYS, History, read_history
from counter_desk.services.plan.model import (
    ADJUDICATION,
    INTERVIEW,
    Arrivals,
    Booking,
    Counter,
    DayModel,
    Dist,
    Rules,
)
from counter_desk.services.plan.predict import Targets
from counter_desk.store.engine import Database
from counter_desk.store.models import Booking as BookingRow
from counter_desk.store.models import Category, Stage, Station

#: Fewest measurements before a figure of the office's own is used (else its whole-stage or reference figure).
MIN_SAMPLES = 30
#: The issue's targets: 85 % within the stage's target, priority applicants within 5 minutes, met on 80 % of days.
DEFAULT_SHARE = 0.85
DEFAULT_PRIORITY_MINUTES = 5.0
DEFAULT_CONFIDENCE = 0.8


@dataclass(frozen=True)
class DayInputs:
    day: dt.date
    model: DayModel
    targets: Targets
    #: The most interview booths the plan may open (the office's active interview stations).
    max_booths: int
    #: "history" or "reference": whose figures the model uses.
    figures: str
    history: dict[str, Any]
    notes: tuple[str, ...] = ()
    #: stage -> (name in Bahasa Indonesia, name in English).
    stage_names: dict[str, tuple[str, str]] = field(default_factory=dict)

    #: category code -> (name in Bahasa Indonesia, name in English).
    category_names: dict[str, tuple[str, str]] = field(default_factory=dict)

    def category_name(self, code: str) -> str:
        names = self.category_names.get(code)
        if names is None:
            return code
        return names[0] if i18n.language() == "id" else names[1]

    def stage_name(self, stage: str) -> str:
        names = self.stage_names.get(stage)
        if names is None:
            return stage
        return names[0] if i18n.language() == "id" else names[1]

    def to_json(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "bookings": len(self.model.bookings),
            "figures": self.figures,
            "reference_office": reference.NAME if self.figures == "reference" else None,
            "history": self.history,
            "targets": self.targets.to_json(),
            "max_booths": self.max_booths,
            "adjudicators": self.model.adjudicators if self.model.adjudication else 0,
            "notes": list(self.notes),
        }


def _seconds(value: str) -> float:
    hours, minutes = value.split(":")
    return int(hours) * 3600.0 + int(minutes) * 60.0


def load(
    db: Database,
    day: dt.date,
    *,
    office: str | None = None,
    history_until: dt.date | None = None,
    need_bookings: bool = True,
) -> DayInputs:
    """The inputs for planning ``day``; history is read from the :data:`HISTORY_DAYS` days before
    ``history_until`` (default: ``day``). A day without bookings is refused when ``need_bookings``."""
    until = history_until or day
    with db.read() as session:
        info = directory.office_info(session, office)
        office_rules = rules.rules_of(session, info.id)
        stages = list(session.scalars(select(Stage).where(Stage.office_id == info.id).order_by(Stage.position)))
        service = next((s for s in stages if s.kind == "service"), None)
        if service is None:
            raise InvalidInput(_("the office has no interview stage (kind service): nothing to plan"))
        adjudication = next((s for s in stages if s.kind == "adjudication"), None)
        stations = dict(
            session.execute(
                select(Station.stage_id, func.count())
                .where(Station.office_id == info.id, Station.active.is_(True))
                .group_by(Station.stage_id)
            ).all()
        )
        categories = list(
            session.scalars(
                select(Category).where(
                    Category.office_id == info.id, Category.active.is_(True), Category.start_stage_id == service.id
                )
            )
        )
        codes = {c.id: c.code for c in categories}
        booked = session.execute(
            select(BookingRow.slot_start, BookingRow.category_id)
            .where(BookingRow.office_id == info.id, BookingRow.slot_date == day, BookingRow.status != "cancelled")
            .order_by(BookingRow.slot_start, BookingRow.id)
        ).all()
        history = read_history(session, info.id, info.timezone, until - dt.timedelta(days=HISTORY_DAYS), until)
    if need_bookings and not booked:
        msg = _(
            "no bookings imported for {day}: import the M-Paspor export first (counter-desk bookings import FILE)",
            day=format_day(day, weekday=True),
        )
        raise InvalidInput(msg)
    # Bookings of a category that starts elsewhere than the interview (none in the reference office) are not
    # the interview's load.
    bookings = tuple(
        Booking(None if slot is None else slot.hour * 3600.0 + slot.minute * 60.0, codes[category_id])
        for slot, category_id in booked
        if category_id in codes
    )
    walk_in_categories = [c.code for c in categories if c.walk_in]
    notes: list[str] = []
    if history.enough:
        figures = "history"
        interview, adjudicate, arrivals, walk_ins = _from_history(history, day, walk_in_categories)
    else:
        figures = "reference"
        notes.append(
            _(
                "too little history ({days} days, {services} interviews from {first} to {last}): using the "
                "reference office's figures ({office})",
                days=len(history.days),
                services=history.services_at("service"),
                first=history.first.isoformat(),
                last=history.last.isoformat(),
                office=reference.NAME,
            )
        )
        interview, adjudicate, arrivals, walk_ins = (
            reference.interview(),
            reference.adjudication(),
            reference.arrivals(),
            reference.walk_ins(walk_in_categories),
        )
    adjudicators = stations.get(adjudication.id, 0) if adjudication is not None else 0
    model = DayModel(
        open_s=_seconds(str(office_rules["office_open"])),
        close_s=_seconds(str(office_rules["office_close"])),
        bookings=bookings,
        walk_ins=walk_ins,
        priority={c.code: c.priority_level for c in categories},
        arrivals=arrivals,
        interview=interview,
        adjudication=adjudicate if adjudicators else None,
        adjudicators=adjudicators,
        rules=Rules(
            priority_ratio=int(office_rules["priority_ratio"]),
            checkin_before=int(office_rules["checkin_before_minutes"]) * 60.0,
            checkin_after=int(office_rules["checkin_after_minutes"]) * 60.0,
            late_policy=str(office_rules["late_policy"]),
            queue_order=info.queue_order,
        ),
    )
    stage_seconds = {INTERVIEW: service.wait_target_minutes * 60.0}
    if adjudication is not None:
        stage_seconds[ADJUDICATION] = adjudication.wait_target_minutes * 60.0
    targets = Targets(stage_seconds, DEFAULT_PRIORITY_MINUTES * 60, DEFAULT_SHARE, DEFAULT_CONFIDENCE)
    names = {INTERVIEW: (service.name, service.name_en)}
    if adjudication is not None:
        names[ADJUDICATION] = (adjudication.name, adjudication.name_en)
    return DayInputs(
        day=day,
        model=model,
        targets=targets,
        max_booths=max(1, stations.get(service.id, 0)),
        figures=figures,
        history=history.summary(),
        notes=tuple(notes),
        stage_names=names,
        category_names={c.code: (c.name, c.name_en) for c in categories},
    )


def _empirical(values: list[float], fallback: Any) -> Any:
    return Dist("empirical", 0.0, samples=tuple(values)) if len(values) >= MIN_SAMPLES else fallback


def _from_history(
    history: History, day: dt.date, walk_in_categories: list[str]
) -> tuple[Counter, Counter, Arrivals, dict[str, dict[int, float]]]:
    ref_interview, ref_adjudication = reference.interview(), reference.adjudication()
    ref_arrivals = reference.arrivals()

    def counter(kind: str, ref: Counter) -> Counter:
        pooled = [v for (k, _c), values in history.services.items() if k == kind for v in values]
        default = _empirical(pooled, ref.default)
        per_category = {
            c: Dist("empirical", 0.0, samples=tuple(values))
            for (k, c), values in history.services.items()
            if k == kind and len(values) >= MIN_SAMPLES
        }
        return replace(
            ref,
            service=per_category,
            default=default,
            walk=_empirical(history.walks.get(kind, []), ref.walk),
            gap=_empirical(history.pauses.get(kind, []), ref.gap),
            no_show_share=history.no_show_share if history.no_show_share is not None else ref.no_show_share,
        )

    arrivals = replace(
        ref_arrivals,
        offsets=tuple(history.offsets) if len(history.offsets) >= MIN_SAMPLES else (),
        absent_share=history.absent_share if history.absent_share is not None else ref_arrivals.absent_share,
    )
    walk_ins = history.walk_in_rates(day.weekday())
    if not walk_ins:
        walk_ins = reference.walk_ins(walk_in_categories)
    return counter("service", ref_interview), counter("adjudication", ref_adjudication), arrivals, walk_ins

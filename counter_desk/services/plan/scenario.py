"""What-if scenarios for the planner: a TOML file (format: docs/PLANNING.md) applied to a day's inputs.

Every table and key is checked: an unknown key, a negative rate, a time that is not ``HH:MM`` is refused with a
one-line message naming it, and nothing is planned.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from counter_desk.errors import InvalidInput
from counter_desk.i18n import _
from counter_desk.services.plan.inputs import DayInputs
from counter_desk.services.plan.model import ADJUDICATION, INTERVIEW, Closure, Dist
from counter_desk.services.plan.predict import Targets
from counter_desk.services.plan.search import with_bookings

_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_HOUR = re.compile(r"^([01]?\d|2[0-3])$")

KEYS: dict[str, set[str]] = {
    "": {"walk_ins", "bookings", "arrivals", "service", "closed", "breaks", "targets", "staff"},
    "walk_ins": {"factor", "rates"},
    "bookings": {"count"},
    "arrivals": {"category", "rates"},
    "service": {INTERVIEW, ADJUDICATION},
    "service.*": {"distribution", "minutes", "sigma"},
    "closed": {"from", "to", "booths"},
    "targets": {"share", "confidence", "priority_minutes", "interview_minutes", "adjudication_minutes"},
    "staff": {"booths", "adjudicators"},
}


@dataclass(frozen=True)
class Scenario:
    walk_in_factor: float = 1.0
    walk_in_rates: dict[int, float] | None = None
    bookings: int | None = None
    arrival_category: str = "booked"
    arrival_rates: dict[int, float] | None = None
    service: dict[str, Dist] = field(default_factory=dict)
    closures: tuple[Closure, ...] = ()
    targets: dict[str, float] = field(default_factory=dict)
    max_booths: int | None = None
    adjudicators: int | None = None

    @property
    def replaces_bookings(self) -> bool:
        """The scenario brings its own arrivals: the day needs no imported bookings."""
        return self.arrival_rates is not None or self.bookings is not None


def _bad(where: str, what: str) -> InvalidInput:
    return InvalidInput(_("scenario {where}: {what}", where=where, what=what))


def _check_keys(table: Any, allowed: set[str], where: str) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise _bad(where, _("must be a table"))
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise _bad(
            where or "file",
            _("unknown key {keys}; known keys: {known}", keys=", ".join(unknown), known=", ".join(sorted(allowed))),
        )
    return table


def _number(value: Any, where: str, *, low: float = 0.0, high: float | None = None, whole: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or (whole and not isinstance(value, int)):
        raise _bad(where, _("{value!r} is not a number", value=value) if not whole else _("must be a whole number"))
    if value < low or (high is not None and value > high):
        bound = _("at least {low}", low=low) if high is None else _("between {low} and {high}", low=low, high=high)
        raise _bad(where, _("{value} must be {bound}", value=value, bound=bound))
    return float(value)


def _rates(table: Any, where: str) -> dict[int, float]:
    if not isinstance(table, dict) or not table:
        raise _bad(where, _('give arrivals per hour, e.g. rates = {{ "08" = 20, "09" = 25 }}'))
    out: dict[int, float] = {}
    for hour, rate in table.items():
        if not _HOUR.match(str(hour)):
            raise _bad(f"{where}.{hour}", _("an hour is 00 to 23"))
        out[int(hour)] = _number(rate, f"{where}.{hour}")
    return out


def _seconds(value: Any, where: str) -> float:
    if not isinstance(value, str) or not _TIME.match(value):
        raise _bad(where, _("{value!r} is not a time like 12:00", value=value))
    return int(value[:2]) * 3600.0 + int(value[3:]) * 60.0


def _service(table: Any, where: str) -> Dist:
    t = _check_keys(table, KEYS["service.*"], where)
    kind = t.get("distribution", "lognormal")
    if kind not in ("lognormal", "exponential", "fixed"):
        raise _bad(f"{where}.distribution", _("choose lognormal, exponential or fixed"))
    if "minutes" not in t:
        raise _bad(where, _("give minutes (lognormal: the median; exponential: the mean; fixed: the time)"))
    minutes = _number(t["minutes"], f"{where}.minutes", low=0.1, high=600)
    sigma = _number(t.get("sigma", 0.35), f"{where}.sigma", high=3)
    return Dist(kind, minutes * 60, sigma=sigma, low=0.0 if kind != "lognormal" else min(30.0, minutes * 30))


def _closures(data: dict[str, Any]) -> tuple[Closure, ...]:
    closures = []
    for name in ("closed", "breaks"):
        entries = data.get(name, [])
        if not isinstance(entries, list):
            raise _bad(f"[[{name}]]", _("write each as [[{name}]] with from, to and booths", name=name))
        for i, entry in enumerate(entries):
            where = f"[[{name}]] #{i + 1}"
            e = _check_keys(entry, KEYS["closed"], where)
            start, end = _seconds(e.get("from"), f"{where} from"), _seconds(e.get("to"), f"{where} to")
            if end <= start:
                raise _bad(where, _("'to' must come after 'from'"))
            booths = int(_number(e.get("booths", 1), f"{where} booths", low=1, high=50, whole=True))
            closures.append(Closure(start, end, booths))
    return tuple(closures)


def _targets_and_staff(data: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if "targets" in data:
        t = _check_keys(data["targets"], KEYS["targets"], "[targets]")
        targets = {}
        for key, value in t.items():
            limits = (0.01, 1.0) if key in ("share", "confidence") else (0.5, 600.0)
            targets[key] = _number(value, f"[targets] {key}", low=limits[0], high=limits[1])
        values["targets"] = targets
    if "staff" in data:
        st = _check_keys(data["staff"], KEYS["staff"], "[staff]")
        if "booths" in st:
            values["max_booths"] = int(_number(st["booths"], "[staff] booths", low=1, high=50, whole=True))
        if "adjudicators" in st:
            values["adjudicators"] = int(_number(st["adjudicators"], "[staff] adjudicators", high=50, whole=True))
    return values


def parse(text: str, source: str = "scenario") -> Scenario:
    """The scenario in ``text`` (TOML), checked."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(_("{file} is not valid TOML: {error}", file=source, error=exc)) from None
    _check_keys(data, KEYS[""], "")
    values: dict[str, Any] = {}
    if "walk_ins" in data:
        w = _check_keys(data["walk_ins"], KEYS["walk_ins"], "[walk_ins]")
        if "factor" in w:
            values["walk_in_factor"] = _number(w["factor"], "[walk_ins] factor", high=100)
        if "rates" in w:
            values["walk_in_rates"] = _rates(w["rates"], "[walk_ins] rates")
    if "bookings" in data:
        b = _check_keys(data["bookings"], KEYS["bookings"], "[bookings]")
        if "count" in b:
            values["bookings"] = int(_number(b["count"], "[bookings] count", high=5000, whole=True))
    if "arrivals" in data:
        a = _check_keys(data["arrivals"], KEYS["arrivals"], "[arrivals]")
        values["arrival_rates"] = _rates(a.get("rates"), "[arrivals] rates")
        if "category" in a:
            if not isinstance(a["category"], str):
                raise _bad("[arrivals] category", _("must be a category code"))
            values["arrival_category"] = a["category"]
    if "service" in data:
        s = _check_keys(data["service"], KEYS["service"], "[service]")
        values["service"] = {stage: _service(t, f"[service.{stage}]") for stage, t in s.items()}
    values["closures"] = _closures(data)
    values.update(_targets_and_staff(data))
    return Scenario(**values)


def read(path: Path) -> Scenario:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(_("cannot read {file}: {error}", file=path, error=exc.strerror or exc)) from None
    except UnicodeDecodeError:
        raise InvalidInput(_("{file} is not UTF-8 text", file=path)) from None
    return parse(text, str(path))


def apply(inputs: DayInputs, scenario: Scenario) -> DayInputs:
    """``inputs`` changed as the scenario says."""
    model = inputs.model
    if scenario.arrival_rates is not None:
        if scenario.arrival_category not in model.priority:
            msg = _(
                "scenario [arrivals] category: unknown category {category!r}; known: {known}",
                category=scenario.arrival_category,
                known=", ".join(sorted(model.priority)),
            )
            raise InvalidInput(msg)
        model = replace(model, bookings=())
    elif scenario.bookings is not None:
        model = with_bookings(model, scenario.bookings)
    walk_ins = {c: dict(rates) for c, rates in model.walk_ins.items()}
    if scenario.walk_in_rates is not None:
        categories = sorted(walk_ins) or [c for c, level in model.priority.items() if level > 0]
        walk_ins = {c: {h: r / len(categories) for h, r in scenario.walk_in_rates.items()} for c in categories}
    walk_ins = {c: {h: r * scenario.walk_in_factor for h, r in rates.items()} for c, rates in walk_ins.items()}
    if scenario.arrival_rates is not None:
        extra = walk_ins.setdefault(scenario.arrival_category, {})
        for hour, rate in scenario.arrival_rates.items():
            extra[hour] = extra.get(hour, 0.0) + rate
    model = replace(model, walk_ins=walk_ins)
    if INTERVIEW in scenario.service:
        model = replace(model, interview=replace(model.interview, service={}, default=scenario.service[INTERVIEW]))
    if ADJUDICATION in scenario.service and model.adjudication is not None:
        adjudication = replace(model.adjudication, service={}, default=scenario.service[ADJUDICATION])
        model = replace(model, adjudication=adjudication)
    if scenario.adjudicators is not None:
        model = replace(model, adjudicators=scenario.adjudicators)
        if scenario.adjudicators == 0:
            model = replace(model, adjudication=None)
    t = scenario.targets
    stage_seconds = dict(inputs.targets.stage_seconds)
    for stage in (INTERVIEW, ADJUDICATION):
        if f"{stage}_minutes" in t and stage in stage_seconds:
            stage_seconds[stage] = t[f"{stage}_minutes"] * 60
    targets = Targets(
        stage_seconds,
        t.get("priority_minutes", inputs.targets.priority_seconds / 60) * 60,
        t.get("share", inputs.targets.share),
        t.get("confidence", inputs.targets.confidence),
    )
    return replace(inputs, model=model, targets=targets, max_booths=scenario.max_booths or inputs.max_booths)

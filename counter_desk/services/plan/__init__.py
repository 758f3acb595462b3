"""The staffing plan (issue #16): how many interview booths to open, hour by hour, to meet the wait targets.

- :mod:`.model` -- one office day as a SimPy discrete-event model (no database);
- :mod:`.predict` -- many simulated days of one staffing, summed up;
- :mod:`.history` and :mod:`.inputs` -- what the office's event log, bookings and rules say (read through
  SQLAlchemy), or the reference office's figures (:mod:`.reference`) when history is too little;
- :mod:`.search` -- the fewest booths per hour meeting the targets, and the quota question;
- :mod:`.scenario` -- what-ifs from a TOML file; :mod:`.backtest` -- predicted beside recorded.

Why SimPy: it is a small, pure-Python, long-maintained library (MIT, since 2002, version 4 stable for years) whose
processes are plain generators: the booths' rules (priority order, the ratio rule, booths opening and closing by
the hour, transfers) are ordinary Python around a custom queue. ciw models networks of queues from distributions
well, but its schedules and priority classes do not express "one priority per N regular calls" or a key that is
the booked slot rather than the arrival; salabim is capable too, but larger (animation, monitors, its own
component framework) than a planner that only needs events and timeouts. The whole day (about 700 events) runs in
about 5 ms, so 300 days are planned in under two seconds.
"""

from __future__ import annotations

import datetime as dt

from counter_desk.errors import InvalidInput
from counter_desk.i18n import _
from counter_desk.services import calendar, directory
from counter_desk.services.plan.inputs import DayInputs, load
from counter_desk.services.plan.model import Closure
from counter_desk.services.plan.scenario import Scenario, apply
from counter_desk.services.plan.search import QuotaAnswer, Recommendation, largest_quota, recommend
from counter_desk.store.engine import Database

__all__ = [
    "Closure",
    "DayInputs",
    "QuotaAnswer",
    "Recommendation",
    "next_working_day",
    "parse_closure",
    "plan_day",
    "quota",
]


def next_working_day(db: Database, today: dt.date, office: str | None = None) -> dt.date:
    """The office's next working day after ``today`` (weekends and the holiday calendar skipped)."""
    with db.read() as session:
        info = directory.office_info(session, office)
        return calendar.working_day_after(session, info.id, today, 1)


def parse_closure(text: str) -> Closure:
    """A break given as ``12:00-13:00`` (one booth) or ``12:00-13:00x2`` (two booths)."""
    body, _sep, count = text.strip().partition("x")
    start, _dash, end = body.partition("-")
    try:
        a = [int(p) for p in start.split(":")]
        b = [int(p) for p in end.split(":")]
        booths = int(count) if count else 1
        if len(a) != 2 or len(b) != 2 or not (0 <= a[0] < 24 and 0 <= b[0] <= 24) or booths < 1:
            raise ValueError
    except ValueError:
        msg = _("break {value!r}: write it as 12:00-13:00, or 12:00-13:00x2 for two booths", value=text)
        raise InvalidInput(msg) from None
    closure = Closure(a[0] * 3600.0 + a[1] * 60, b[0] * 3600.0 + b[1] * 60, booths)
    if closure.end <= closure.start:
        raise InvalidInput(_("break {value!r}: the end must come after the start", value=text))
    return closure


def _inputs(db: Database, day: dt.date, office: str | None, scenario: Scenario | None) -> DayInputs:
    need = scenario is None or not scenario.replaces_bookings
    inputs = load(db, day, office=office, need_bookings=need)
    return apply(inputs, scenario) if scenario is not None else inputs


def plan_day(
    db: Database,
    day: dt.date,
    *,
    office: str | None = None,
    replications: int = 50,
    scenario: Scenario | None = None,
    breaks: tuple[Closure, ...] = (),
) -> Recommendation:
    """The recommended booths per hour for ``day`` (reads the database, then simulates)."""
    inputs = _inputs(db, day, office, scenario)
    closures = breaks + (scenario.closures if scenario else ())
    return recommend(inputs, replications=replications, closures=closures)


def quota(
    db: Database,
    day: dt.date,
    booths: int,
    *,
    office: str | None = None,
    replications: int = 50,
    scenario: Scenario | None = None,
    breaks: tuple[Closure, ...] = (),
) -> QuotaAnswer:
    """The largest bookings count ``day`` can take with ``booths`` interview booths open all day."""
    inputs = load(db, day, office=office, need_bookings=False)
    if scenario is not None:
        inputs = apply(inputs, scenario)
    closures = breaks + (scenario.closures if scenario else ())
    return largest_quota(inputs, booths, replications=replications, closures=closures)

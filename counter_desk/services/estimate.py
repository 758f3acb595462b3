"""Estimated waiting time per stage, from recent service times and the stations actually open.

The model is deliberately simple and explainable to an office (it is printed on tickets and shown on the TV):

- *service time* ``s``: the median time a station of the stage held a ticket (from its call to the finish,
  transfer, return or no-show that freed the station), over the tickets of the last ``LOOKBACK`` (at most
  ``MAX_SAMPLES`` of the most recent);
- *open stations* ``c``: stations of the stage that called or let go of someone in the last ``OPEN_WINDOW``,
  or hold a ticket now -- and are not paused (a booth on a break, at prayer or with system trouble is not open);
- an applicant with ``k`` people ahead waits about ``(k + 0.5) * s / c``: the ``k`` before them share the
  ``c`` stations, and whoever is at a counter is on average half done.

With no recent service, or no open station, the estimate is unknown (``None``), never a made-up number.

Everything is read from the display views (:mod:`counter_desk.store.display_views`): the waiting-room display,
which may read nothing else, and the stations compute the same numbers from the same rows.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from counter_desk.services.views import Place
from counter_desk.states import HELD, Action, Status
from counter_desk.store import display_views as v

LOOKBACK = dt.timedelta(hours=2)
OPEN_WINDOW = dt.timedelta(minutes=30)
MAX_SAMPLES = 50
#: Events that free a station from the ticket it called.
_RELEASES = {
    Action.FINISH.value,
    Action.TRANSFER.value,
    Action.RETURN.value,
    Action.NO_SHOW.value,
    Action.PARK.value,
}
#: Events that give a station a ticket (a parked ticket resumed is called again).
_CALLS = {Action.CALL.value, Action.RESUME.value}


@dataclass(frozen=True)
class StageEstimate:
    stage: str
    stage_name: str
    waiting: int
    open_stations: int
    #: Median seconds a station spends on one applicant, or None without recent service.
    service_seconds: float | None
    samples: int
    #: Stations of the stage paused now (not counted as open).
    paused_stations: int = 0

    def wait_seconds(self, ahead: int) -> int | None:
        """Estimated wait for someone with ``ahead`` people before them."""
        if self.service_seconds is None or self.open_stations == 0:
            return None
        return round((ahead + 0.5) * self.service_seconds / self.open_stations)

    @property
    def new_arrival_wait_seconds(self) -> int | None:
        """What a person joining the end of the queue now can expect."""
        return self.wait_seconds(self.waiting)

    def to_json(self) -> dict[str, object]:
        return {
            "stage": self.stage,
            "stage_name": self.stage_name,
            "waiting": self.waiting,
            "open_stations": self.open_stations,
            "service_seconds": self.service_seconds,
            "samples": self.samples,
            "paused_stations": self.paused_stations,
            "estimated_wait_seconds": self.new_arrival_wait_seconds,
        }


def estimate_stage(session: Session, stage: Place, now: dt.datetime) -> StageEstimate:
    """The estimate of one stage, read from the display views (the waiting-room display may read nothing else)."""
    e, t, st = v.events, v.tickets, v.stations
    events = session.execute(
        select(e.c.ticket_id, e.c.kind, e.c.station_id, e.c.created_at)
        .where(
            e.c.stage_id == stage.id,
            e.c.created_at >= now - LOOKBACK,
            e.c.kind.in_([*_CALLS, *_RELEASES]),
        )
        .order_by(e.c.seq)
    ).all()
    called: dict[int, tuple[int | None, dt.datetime]] = {}
    durations: list[float] = []
    recent_callers: set[int] = set()
    for ticket_id, kind, station_id, at in events:
        if station_id is not None and at >= now - OPEN_WINDOW:
            recent_callers.add(station_id)
        if ticket_id is None:
            continue
        if kind in _CALLS:
            called[ticket_id] = (station_id, at)
        elif ticket_id in called:
            _, since = called.pop(ticket_id)
            durations.append((at - since).total_seconds())
    durations = durations[-MAX_SAMPLES:]
    holding = set(
        session.scalars(select(t.c.station_id).where(t.c.stage_id == stage.id, t.c.status.in_([s.value for s in HELD])))
    )
    stations = session.execute(
        select(st.c.id, st.c.paused).where(st.c.stage_id == stage.id, st.c.active.is_(True))
    ).all()
    active = {row.id for row in stations}
    paused = {row.id for row in stations if row.paused}
    waiting = session.scalar(
        select(func.count()).select_from(t).where(t.c.stage_id == stage.id, t.c.status == Status.WAITING.value)
    )
    return StageEstimate(
        stage=stage.code,
        stage_name=stage.name,
        waiting=int(waiting or 0),
        open_stations=len(((recent_callers | {s for s in holding if s is not None}) & active) - paused),
        service_seconds=statistics.median(durations) if durations else None,
        samples=len(durations),
        paused_stations=len(paused),
    )


def office_estimates(session: Session, office_id: int, now: dt.datetime) -> list[StageEstimate]:
    """Every stage's estimate, in flow order, from the display views only."""
    stages = session.execute(select(v.stages).where(v.stages.c.office_id == office_id).order_by(v.stages.c.position))
    return [estimate_stage(session, stage, now) for stage in stages.all()]

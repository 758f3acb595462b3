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
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from sqlalchemy import false, func, select
from sqlalchemy.orm import Session

from counter_desk.states import HELD, Action, Status
from counter_desk.store.models import Event, Stage, Station, StationPause, Ticket

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


def estimate_stage(session: Session, stage: Stage, now: dt.datetime) -> StageEstimate:
    events = session.execute(
        select(Event.ticket_id, Event.kind, Event.station_id, Event.created_at)
        .where(
            Event.stage_id == stage.id,
            Event.created_at >= now - LOOKBACK,
            Event.kind.in_([*_CALLS, *_RELEASES]),
        )
        .order_by(Event.seq)
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
        session.scalars(
            select(Ticket.station_id).where(Ticket.stage_id == stage.id, Ticket.status.in_([s.value for s in HELD]))
        )
    )
    active = set(session.scalars(select(Station.id).where(Station.stage_id == stage.id, Station.active.is_(True))))
    paused = set(
        session.scalars(
            select(StationPause.station_id).where(
                StationPause.station_id.in_(active) if active else false(), StationPause.ended_at.is_(None)
            )
        )
    )
    waiting = session.scalar(
        select(func.count())
        .select_from(Ticket)
        .where(Ticket.stage_id == stage.id, Ticket.status == Status.WAITING.value)
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

"""What a station window shows, read in one go: the station, its stage's queue, what it holds, today's count."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from counter_desk.clock import office_day
from counter_desk.services import directory
from counter_desk.services.pickups import PickupService, PickupView
from counter_desk.services.queue import QueueService
from counter_desk.services.views import QueueStatus, TicketView
from counter_desk.states import Action
from counter_desk.store.journal import last_event_seq
from counter_desk.store.models import Category, Event, Stage

#: What a station does: the kind of its stage (configuration, see db/seed/reference_office.toml).
RECEPTION = "reception"
SERVICE = "service"
ADJUDICATION = "adjudication"
PICKUP = "pickup"


@dataclass(frozen=True)
class Choice:
    code: str
    name: str


@dataclass(frozen=True)
class StationSnapshot:
    office_name: str
    timezone: str
    station: str
    station_name: str
    stage: str
    stage_name: str
    #: reception (issues tickets), adjudication (approve/reject), pickup, or service (call and serve).
    kind: str
    queue: QueueStatus
    current: TicketView | None
    served_today: int
    last_seq: int
    walk_in_categories: list[Choice]
    stages: list[Choice]
    #: Category code -> name, to show people names rather than codes.
    category_names: dict[str, str]
    #: At a pickup counter: the pickup whose ticket the station holds.
    pickup: PickupView | None = None


def station_snapshot(queue: QueueService, station: str) -> StationSnapshot:
    """Everything a station window needs, read consistently (the event sequence first, so no news is lost)."""
    with queue.db.read() as session:
        seq = last_event_seq(session)
        office = directory.office_info(session, queue.office_code)
        st = directory.station_info(session, office.id, station)
        stage = session.get_one(Stage, st.stage_id)
        start_of_day = dt.datetime.combine(
            office_day(queue.clock.now(), office.timezone), dt.time(), tzinfo=ZoneInfo(office.timezone)
        )
        served = session.scalar(
            select(func.count())
            .select_from(Event)
            .where(
                Event.station_id == st.id,
                Event.kind.in_([Action.FINISH.value, Action.TRANSFER.value]),
                Event.created_at >= start_of_day,
            )
        )
        categories = list(
            session.scalars(
                select(Category)
                .where(Category.office_id == office.id, Category.active.is_(True))
                .order_by(Category.priority_level.desc(), Category.code)
            )
        )
        walk_ins = [Choice(c.code, c.name) for c in categories if c.walk_in]
        # Reception issues tickets into the queue where booked applicants start: that is the queue it shows.
        booked = next((c for c in categories if not c.walk_in), None)
        shown_stage = stage
        if stage.kind == RECEPTION and booked is not None:
            shown_stage = session.get_one(Stage, booked.start_stage_id)
        stages = [
            Choice(s.code, s.name)
            for s in session.scalars(select(Stage).where(Stage.office_id == office.id).order_by(Stage.position))
        ]
    held = queue.status(station=station)
    current = held.stations[0].ticket if held.stations else None
    status = held if shown_stage.id == stage.id else queue.status(stage=shown_stage.code)
    pickup = None
    if stage.kind == PICKUP and current is not None:
        pickup = PickupService(queue.db, clock=queue.clock, office=queue.office_code).held(station)
    return StationSnapshot(
        office_name=office.name,
        timezone=office.timezone,
        station=st.code,
        station_name=st.name,
        stage=stage.code,
        stage_name=stage.name,
        kind=stage.kind,
        queue=status,
        current=current,
        served_today=int(served or 0),
        last_seq=seq,
        walk_in_categories=walk_ins,
        stages=stages,
        category_names={c.code: c.name for c in categories},
        pickup=pickup,
    )

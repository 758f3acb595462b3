"""What a station window shows, read in one go: the station, its stage's queue, what it holds, today's count."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from counter_desk.clock import office_day
from counter_desk.services import directory, queue_status, rules
from counter_desk.services.masking import mask_name, mask_nik
from counter_desk.services.pickups import PickupService, PickupView
from counter_desk.services.queue import QueueService
from counter_desk.services.views import (
    ApplicantView,
    QueueStatus,
    StationPause,
    TicketView,
)
from counter_desk.states import Action, Status
from counter_desk.store.journal import last_event_seq
from counter_desk.store.models import Booking, Category, Event, Stage, Station
from counter_desk.store.models import StationPause as PauseRow

#: Events that count as an applicant served at a (non-reception) station today.
SERVED_KINDS = [Action.FINISH.value, Action.TRANSFER.value]

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
    #: Tickets set aside at this booth (applicants fetching a document), oldest first: each comes back here.
    parked: list[TicketView] = field(default_factory=list)
    #: The booth's pause while it is paused (break, prayer, system trouble), else None.
    pause: StationPause | None = None
    #: From when the held ticket may be marked no-show (the office's minimum time after the last call).
    no_show_from: dt.datetime | None = None
    #: Who the held ticket is (application number, masked name and NIK), when it has a booking.
    applicant: ApplicantView | None = None


class StationReader:
    """Reads a station's snapshot again and again (a window's every refresh).

    It keeps the office's id -> code maps between reads: ids never change meaning, and a stage, station or
    category added since is noticed (an unknown id) and the maps are read again.
    """

    def __init__(self, queue: QueueService, station: str) -> None:
        self.queue = queue
        self.station = station
        self._names: directory.Names | None = None
        self._names_office: int | None = None

    def snapshot(self) -> StationSnapshot:
        """Everything the window shows, read consistently in one session (the event sequence first, so no news is
        lost). The queue is the one ``queue.status`` gives, read leaner: 500 waiting in a few milliseconds."""
        queue = self.queue
        with queue.db.read() as session:
            seq = last_event_seq(session)
            now = queue.clock.now()
            office = directory.office_info(session, queue.office_code)
            st = directory.station_info(session, office.id, self.station)
            all_stages = list(
                session.scalars(select(Stage).where(Stage.office_id == office.id).order_by(Stage.position))
            )
            by_id = {s.id: s for s in all_stages}
            stage = by_id[st.stage_id]
            start_of_day = dt.datetime.combine(
                office_day(now, office.timezone), dt.time(), tzinfo=ZoneInfo(office.timezone)
            )
            # What "served" means at this station: reception issues tickets (check-ins it recorded), the others
            # finish or pass applicants on.
            served_kinds = [Action.CHECK_IN.value] if stage.kind == RECEPTION else SERVED_KINDS
            served = session.scalar(
                select(func.count())
                .select_from(Event)
                .where(
                    Event.station_id == st.id,
                    Event.kind.in_(served_kinds),
                    Event.created_at >= start_of_day,
                )
            )
            pause_row = session.scalars(
                select(PauseRow).where(PauseRow.station_id == st.id, PauseRow.ended_at.is_(None))
            ).first()
            pause = (
                StationPause(st.code, pause_row.reason, pause_row.note, pause_row.started_at, None)
                if pause_row is not None
                else None
            )
            grace = int(rules.rules_of(session, office.id)["no_show_after_seconds"])
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
                shown_stage = by_id[booked.start_stage_id]
            stations = list(
                session.scalars(
                    select(Station)
                    .where(Station.stage_id == shown_stage.id, Station.active.is_(True))
                    .order_by(Station.code)
                )
            )

            def read(names: directory.Names) -> tuple[QueueStatus, TicketView | None]:
                status = queue_status.queue_of(session.connection(), names, shown_stage, stations, now)
                if shown_stage is stage:
                    return status, next((s.ticket for s in status.stations if s.code == st.code), None)
                rows = session.connection().execute(queue_status.HELD_AT, {"station_ids": [st.id]})
                return status, next((TicketView.from_row(row, names) for row in rows), None)

            try:
                if self._names is None or self._names_office != office.id:
                    raise KeyError(office.id)
                status, current = read(self._names)
                parked = [
                    TicketView.from_row(row, self._names)
                    for row in session.connection().execute(queue_status.PARKED_AT, {"station_ids": [st.id]})
                ]
            except KeyError:  # first read, or an id the maps do not know yet: read them (again)
                self._names = directory.Names(session, office.id)
                self._names_office = office.id
                status, current = read(self._names)
                parked = [
                    TicketView.from_row(row, self._names)
                    for row in session.connection().execute(queue_status.PARKED_AT, {"station_ids": [st.id]})
                ]
            applicant = _applicant(session, office.id, current)
        pickup = None
        if stage.kind == PICKUP and current is not None:
            pickup = PickupService(queue.db, clock=queue.clock, office=queue.office_code).held(self.station)
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
            stages=[Choice(s.code, s.name) for s in all_stages],
            category_names={c.code: c.name for c in categories},
            pickup=pickup,
            applicant=applicant,
            parked=parked,
            pause=pause,
            no_show_from=(
                current.called_at + dt.timedelta(seconds=grace)
                if current is not None and current.called_at is not None and current.status == Status.CALLED.value
                else None
            ),
        )


def _applicant(session: Session, office_id: int, current: TicketView | None) -> ApplicantView | None:
    if current is None or current.booking_code is None:
        return None
    booking = session.scalars(
        select(Booking).where(Booking.office_id == office_id, Booking.code == current.booking_code)
    ).first()
    if booking is None:
        return None
    return ApplicantView(
        booking.application_number,
        mask_name(booking.applicant_name) or None,
        mask_nik(booking.nik) or None,
        booking.birth_date,
    )

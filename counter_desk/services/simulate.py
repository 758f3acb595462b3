"""A simulated office day: arrivals following an hourly profile, booths calling with realistic service times.

The simulation is a discrete-event loop over the real queue services -- every check-in, call and finish is a
real action on the real database, so the windows, the display and the reports see an office at work. Time is
given by a *driver*:

- :class:`SimulatedTime` moves a :class:`~counter_desk.clock.FixedClock` from event to event: a whole day runs
  in seconds (tests, soak runs, benchmarks, screenshots);
- :class:`RealTime` sleeps between events, ``speed`` times faster than life, on the system clock (the demo).

Booked applicants arrive up to 45 minutes before their slot (a few are late, a few never come); walk-ins of the
priority groups arrive all day. Interview booths serve and pass files on to adjudication; the adjudicator
approves them. A call that nobody answers becomes a no-show after two recalls.
"""

from __future__ import annotations

import datetime as dt
import heapq
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import select

from counter_desk.clock import FixedClock, office_day
from counter_desk.errors import Conflict, EmptyQueue, UserError
from counter_desk.services import directory
from counter_desk.services.queue import QueueService
from counter_desk.services.queue_errors import NoShowTooEarly
from counter_desk.store.models import Booking, Stage, Station

log = logging.getLogger(__name__)

#: Arrivals per hour of the reference office's busy day (walk-ins on top of the bookings' own arrivals).
WALK_INS_BY_HOUR = {8: 6, 9: 6, 10: 5, 11: 4, 12: 2, 13: 3, 14: 3, 15: 1}
WALK_IN_CATEGORIES = ("elderly", "disability", "pregnant", "child", "lost")


@dataclass(frozen=True)
class Profile:
    """What the simulated day looks like; the defaults are the reference office's (issue: field study)."""

    walk_ins_by_hour: dict[int, int] = field(default_factory=lambda: dict(WALK_INS_BY_HOUR))
    #: Mean minutes at each station kind (log-normal around it).
    service_minutes: dict[str, float] = field(default_factory=lambda: {"service": 5.5, "adjudication": 2.0})
    #: Booked applicants who never come; of those who come, who miss their call.
    absent_share: float = 0.05
    no_show_share: float = 0.03
    late_share: float = 0.05


@dataclass
class Tally:
    """What happened, for the caller (and the soak test's "every ticket accounted for")."""

    arrivals: int = 0
    checked_in: int = 0
    calls: int = 0
    no_shows: int = 0
    finished: int = 0
    refused: list[str] = field(default_factory=list)
    tickets: set[str] = field(default_factory=set)


class SimulatedTime:
    """Jumps a FixedClock to each event's time: no waiting."""

    def __init__(self, clock: FixedClock) -> None:
        self.clock = clock

    def wait_until(self, when: dt.datetime) -> bool:
        if when > self.clock.now():
            self.clock.set(when)
        return True


class RealTime:
    """Waits ``speed`` times faster than life; :meth:`stop` (from any thread) ends the wait and the run."""

    def __init__(self, start: dt.datetime, speed: float) -> None:
        self.start = start
        self.speed = speed
        self.began = time.monotonic()
        self._stop = threading.Event()

    def wait_until(self, when: dt.datetime) -> bool:
        due = self.began + (when - self.start).total_seconds() / self.speed
        return not self._stop.wait(max(0.0, due - time.monotonic()))

    def stop(self) -> None:
        self._stop.set()


Action = Callable[[dt.datetime], None]


class OfficeDay:
    """One simulated day of an office on ``queue``'s database, from ``start`` until ``end``."""

    def __init__(
        self,
        queue: QueueService,
        driver: SimulatedTime | RealTime,
        *,
        start: dt.datetime,
        end: dt.datetime,
        profile: Profile | None = None,
        seed: int = 7,
        leave: tuple[str, ...] = (),
        reserve: int = 0,
    ) -> None:
        """``leave``: stations the simulation does not work (a person does, in the demo). ``reserve``: in a stage
        where a person works a station, the simulated stations call only while more than ``reserve`` wait, so
        the person always has someone to call."""
        self.queue = queue
        self.driver = driver
        self.start = start
        self.end = end
        self.profile = profile or Profile()
        self.rng = random.Random(seed)  # noqa: S311 - a simulation, not secrets
        self.tally = Tally()
        self._agenda: list[tuple[dt.datetime, int, Action, str | None]] = []
        self._leave = set(leave)
        self._order = 0
        self._stations: dict[str, str] = {}  # station code -> stage kind
        self._reserve = reserve
        self._stage_of: dict[str, str] = {}  # station code -> stage code
        self._shared: set[str] = set()  # stages where a person works a station too

    # ------------------------------------------------------------------ plan

    def _at(self, when: dt.datetime, action: Action, station: str | None = None) -> None:
        self._order += 1
        heapq.heappush(self._agenda, (when, self._order, action, station))

    def plan(self) -> None:
        """Put the day's arrivals and the stations' first calls on the agenda."""
        tz = self.queue.timezone()
        day = office_day(self.start, tz)
        with self.queue.db.read() as session:
            office = directory.office_info(session, self.queue.office_code)
            bookings = session.execute(
                select(Booking.code, Booking.slot_start)
                .where(Booking.office_id == office.id, Booking.slot_date == day, Booking.status == "booked")
                .order_by(Booking.slot_start, Booking.code)
            ).all()
            stations = session.execute(
                select(Station.code, Stage.kind, Stage.code)
                .join(Stage, Stage.id == Station.stage_id)
                .where(Station.office_id == office.id, Station.active.is_(True))
                .order_by(Station.code)
            ).all()
        self._stations = {str(code): str(kind) for code, kind, _stage in stations}
        self._stage_of = {str(code): str(stage) for code, _kind, stage in stations}
        self._shared = {self._stage_of[code] for code in self._leave if code in self._stage_of}
        reception: list[str | None] = [
            code for code, kind in self._stations.items() if kind == "reception" and code not in self._leave
        ] or [None]
        for i, (code, slot) in enumerate(bookings):
            if self.rng.random() < self.profile.absent_share:
                continue
            if slot is None:
                when = self.start + dt.timedelta(minutes=self.rng.uniform(0, 300))
            else:
                slot_at = office_instant(day, slot, tz)
                early = self.rng.uniform(-45, 0) if self.rng.random() > self.profile.late_share else 40
                when = slot_at + dt.timedelta(minutes=early)
            when = max(when, self.start)
            self._at(when, self._check_in(code, None, reception[i % len(reception)]))
        for hour, count in self.profile.walk_ins_by_hour.items():
            for _n in range(count):
                when = office_instant(day, dt.time(hour), tz) + dt.timedelta(minutes=self.rng.uniform(0, 60))
                if self.start <= when < self.end:
                    category = self.rng.choice(WALK_IN_CATEGORIES)
                    self._at(when, self._check_in(None, category, reception[self.rng.randrange(len(reception))]))
        for code, kind in self._stations.items():
            if kind in self.profile.service_minutes and code not in self._leave:
                self._at(self.start + dt.timedelta(seconds=self.rng.uniform(0, 60)), self._free(code), code)

    # ------------------------------------------------------------------ actions

    def _check_in(self, code: str | None, walk_in: str | None, station: str | None) -> Action:
        def act(_now: dt.datetime) -> None:
            self.tally.arrivals += 1
            try:
                result = self.queue.check_in(code, walk_in=walk_in, station=station)
            except UserError as exc:
                self.tally.refused.append(f"{code or walk_in}: {exc.message}")
                return
            self.tally.checked_in += 1
            self.tally.tickets.add(result.ticket.number)

        return act

    def _service_time(self, kind: str) -> dt.timedelta:
        mean = self.profile.service_minutes[kind]
        minutes = self.rng.lognormvariate(0, 0.35) * mean
        return dt.timedelta(minutes=min(max(minutes, 0.5), mean * 4))

    def _free(self, station: str) -> Action:
        """The station is free: call the next applicant (or look again in a while)."""

        def act(now: dt.datetime) -> None:
            stage = self._stage_of.get(station)
            if self._reserve and stage in self._shared and len(self.queue.status(stage=stage).waiting) <= self._reserve:
                self._at(now + dt.timedelta(seconds=45), self._free(station), station)  # leave them to the person
                return
            try:
                result = self.queue.call_next(station)
            except (EmptyQueue, Conflict):
                self._at(now + dt.timedelta(seconds=45), self._free(station), station)
                return
            self.tally.calls += 1
            number = result.ticket.number
            if self.rng.random() < self.profile.no_show_share:
                self._at(now + dt.timedelta(minutes=1), self._recall(station, number, 1), station)
            else:
                self._at(now + dt.timedelta(seconds=self.rng.uniform(20, 70)), self._serve(station, number), station)

        return act

    def _recall(self, station: str, number: str, count: int) -> Action:
        def act(now: dt.datetime) -> None:
            if count <= 2:
                self.queue.recall(station, ticket=number)
                self._at(now + dt.timedelta(minutes=1), self._recall(station, number, count + 1), station)
                return
            try:
                self.queue.no_show(station, ticket=number)
            except NoShowTooEarly as exc:  # the office's minimum time after the last call has not passed yet
                self._at(now + dt.timedelta(seconds=exc.wait_seconds), self._recall(station, number, count), station)
                return
            self.tally.no_shows += 1
            self._at(now + dt.timedelta(seconds=10), self._free(station), station)

        return act

    def _serve(self, station: str, number: str) -> Action:
        kind = self._stations[station]

        def act(now: dt.datetime) -> None:
            self.queue.start(station, ticket=number)
            self._at(now + self._service_time(kind), self._done(station, number), station)

        return act

    def _done(self, station: str, number: str) -> Action:
        kind = self._stations[station]

        def act(now: dt.datetime) -> None:
            if kind == "service" and "adjudication" in self._stations.values():
                self.queue.transfer("adjudication", station=station, ticket=number)
            else:
                self.queue.finish(station, ticket=number, outcome="approved" if kind == "adjudication" else None)
                self.tally.finished += 1
            self._at(now + dt.timedelta(seconds=self.rng.uniform(5, 30)), self._free(station), station)

        return act

    # ------------------------------------------------------------------ run

    def run(self) -> Tally:
        """Play the agenda until ``end`` (or until a RealTime driver is stopped)."""
        if not self._agenda:
            self.plan()
        while self._agenda:
            when, _order, action, station = heapq.heappop(self._agenda)
            if when >= self.end or not self.driver.wait_until(when):
                break
            try:
                action(when)
            except UserError as exc:
                # Someone else acted on the same ticket (a supervisor, a person at a window): carry on.
                log.info("simulation: %s at %s refused: %s", station or "reception", when, exc.message)
                self.tally.refused.append(exc.message)
                if station is not None:
                    self._at(when + dt.timedelta(seconds=30), self._free(station), station)
        return self.tally


def office_instant(day: dt.date, at: dt.time, timezone: str) -> dt.datetime:
    """``at`` o'clock on ``day`` in the office's time zone, as a UTC instant."""
    return dt.datetime.combine(day, at, tzinfo=ZoneInfo(timezone)).astimezone(dt.UTC)

"""The planner's model of one office day: a discrete-event simulation on SimPy, no database.

What it models is what the queue services do (:mod:`counter_desk.services.queue`) and what the simulated office
day (:mod:`counter_desk.services.simulate`) does with them:

- booked applicants arrive around their slot (an offset drawn from the office's history, or the reference
  office's figures), some never come; walk-ins of the priority groups arrive as a Poisson process per hour;
- the check-in window: an applicant earlier than ``checkin_before`` waits outside until it opens; one later than
  ``checkin_after`` joins the end of the queue (``late_policy = end_of_queue``), is served in booked order
  (``accept``) or is refused (``refuse``);
- the order inside a stage is the product's: priority level, then the queue key (the booked slot when the office
  orders by slot and the applicant is on time, else the check-in time), then arrival order; with
  ``priority_ratio = N`` a priority applicant is called only if none of the last N calls at the stage was one;
- a booth calls, the applicant walks over, is served, and the file is transferred to adjudication (when the
  office has an adjudicator); a call nobody answers holds the booth for the recalls and ends as a no-show;
- interview booths open per hour as the staffing says (officers' breaks close some for a while); a booth busy
  when its hour ends finishes its applicant first; after closing time the last hour's booths serve whoever
  checked in.

Times are seconds after midnight of the office day (office time). Each applicant's random draws (arrival offset,
service times, whether they answer the call) come from the applicant's own stream, so two staffings compared with
the same seed see the same applicants (common random numbers: a smaller difference is visible with fewer
replications).
"""

from __future__ import annotations

import bisect
import heapq
import math
import random
from collections.abc import Generator, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import simpy

HOUR = 3600.0


@dataclass(frozen=True)
class Dist:
    """A duration in seconds.

    ``lognormal``: ``scale`` times a log-normal factor of median 1 and shape ``sigma``, kept between ``low`` and
    ``high`` times the scale (the simulated day's service times); ``exponential``: mean ``scale``; ``fixed``:
    ``scale``; ``empirical``: one of ``samples`` (measured durations) at random.
    """

    kind: str
    scale: float
    sigma: float = 0.35
    samples: tuple[float, ...] = ()
    low: float = 30.0
    high: float = 4.0

    def sample(self, rng: random.Random) -> float:
        if self.kind == "exponential":
            return rng.expovariate(1.0 / self.scale) if self.scale > 0 else 0.0
        if self.kind == "fixed":
            return self.scale
        if self.kind == "empirical":
            return self.samples[int(rng.random() * len(self.samples))]
        return min(max(rng.lognormvariate(0.0, self.sigma) * self.scale, self.low), self.scale * self.high)

    def mean(self) -> float:
        """The expected duration (a quick figure for people; the lognormal's clipping is ignored)."""
        if self.kind == "empirical":
            return sum(self.samples) / len(self.samples)
        if self.kind == "lognormal":
            return self.scale * math.exp(self.sigma**2 / 2)
        return self.scale


@dataclass(frozen=True)
class Uniform:
    """A duration drawn uniformly between ``low`` and ``high`` seconds."""

    low: float
    high: float

    def sample(self, rng: random.Random) -> float:
        return self.low + (self.high - self.low) * rng.random() if self.high > self.low else self.low


@dataclass(frozen=True)
class Arrivals:
    """When booked applicants come, relative to their slot's start (seconds; negative is early)."""

    #: Measured offsets; empty: the reference pattern below.
    offsets: tuple[float, ...] = ()
    #: The reference office: up to 45 minutes early, or (``late_share``) 40 minutes late.
    early: Uniform = field(default_factory=lambda: Uniform(-45 * 60.0, 0.0))
    late_share: float = 0.05
    late_by: float = 40 * 60.0
    #: Applicants without a slot come within this many seconds after opening.
    unslotted_within: float = 300 * 60.0
    #: Booked applicants who never come.
    absent_share: float = 0.05

    def offset(self, rng: random.Random) -> float:
        if self.offsets:
            return self.offsets[int(rng.random() * len(self.offsets))]
        return self.early.sample(rng) if rng.random() > self.late_share else self.late_by


class Sampler(Protocol):
    def sample(self, rng: random.Random) -> float: ...


@dataclass(frozen=True)
class Counter:
    """How a stage's booths work: the walk from call to start, the pause after a service, the no-shows."""

    service: Mapping[str, Dist]
    #: Used for a category without its own entry in ``service``.
    default: Dist
    walk: Sampler = field(default_factory=lambda: Uniform(20.0, 70.0))
    gap: Sampler = field(default_factory=lambda: Uniform(5.0, 30.0))
    #: An idle booth notices a new arrival after up to this many seconds (it looks every so often).
    idle_look: float = 45.0
    no_show_share: float = 0.03
    #: How long a call nobody answers holds the booth: the call, two recalls a minute apart, then "no-show".
    no_show_hold: float = 190.0

    def service_of(self, category: str) -> Dist:
        return self.service.get(category, self.default)


@dataclass(frozen=True)
class Rules:
    """The office's rules the model follows (see :mod:`counter_desk.services.rules`)."""

    priority_ratio: int = 0
    checkin_before: float = 480 * 60.0
    checkin_after: float = 30 * 60.0
    late_policy: str = "end_of_queue"
    queue_order: str = "slot"


@dataclass(frozen=True)
class Booking:
    #: Slot start in seconds after midnight, None without a slot.
    slot: float | None
    category: str


@dataclass(frozen=True)
class DayModel:
    """Everything one simulated day needs. Nothing here touches the database."""

    open_s: float
    close_s: float
    bookings: tuple[Booking, ...]
    #: category -> {hour: arrivals per hour} (a Poisson process within each hour).
    walk_ins: Mapping[str, Mapping[int, float]]
    #: category -> priority level (higher is called first).
    priority: Mapping[str, int]
    arrivals: Arrivals
    interview: Counter
    #: The adjudication stage's counter and how many adjudicators; None: no adjudication stage.
    adjudication: Counter | None
    adjudicators: int = 1
    rules: Rules = field(default_factory=Rules)

    def hours(self) -> list[int]:
        """The office hours a staffing gives booths for (the hour the office opens to the one it closes in)."""
        first = int(self.open_s // HOUR)
        last = math.ceil(self.close_s / HOUR)
        return list(range(first, max(last, first + 1)))


@dataclass(frozen=True)
class Closure:
    """``booths`` interview booths closed from ``start`` to ``end`` (seconds): a break, a booth out of use."""

    start: float
    end: float
    booths: int = 1


@dataclass(frozen=True)
class Staffing:
    """Interview booths open per office hour, less the closures."""

    booths: Mapping[int, int]
    closures: tuple[Closure, ...] = ()

    @classmethod
    def uniform(cls, hours: Iterable[int], booths: int, closures: tuple[Closure, ...] = ()) -> Staffing:
        return cls(dict.fromkeys(hours, booths), closures)

    def with_hour(self, hour: int, booths: int) -> Staffing:
        return Staffing({**self.booths, hour: booths}, self.closures)

    def key(self) -> tuple[tuple[int, int], ...]:
        return tuple(sorted(self.booths.items()))

    def timetable(self, close_s: float) -> tuple[list[float], list[int]]:
        """Change times and the number of open booths from each: a step function over the day."""
        hours = sorted(self.booths)
        last_hour_booths = max(1, self.booths[hours[-1]]) if hours else 1
        points = {h * HOUR for h in hours} | {c.start for c in self.closures} | {c.end for c in self.closures}
        points.add(close_s)
        times = sorted(points)

        def at(t: float) -> int:
            base = last_hour_booths if t >= close_s else self.booths.get(int(t // HOUR), 0)
            closed = sum(c.booths for c in self.closures if c.start <= t < c.end)
            return max(0, base - closed)

        return times, [at(t) for t in times]


@dataclass(frozen=True, slots=True)
class WaitRecord:
    stage: str
    category: str
    priority: bool
    joined: float
    wait: float


@dataclass
class DayOutcome:
    """One simulated day: every completed wait, who was refused, when the last service ended."""

    waits: list[WaitRecord] = field(default_factory=list)
    arrived: int = 0
    refused: int = 0
    no_shows: int = 0
    #: When the last interview ended, and the last adjudication (None: no adjudication that day).
    last_service_end: float = 0.0
    last_adjudication_end: float | None = None


INTERVIEW = "interview"
ADJUDICATION = "adjudication"


@dataclass
class _Ticket:
    seq: int
    category: str
    level: int
    key: float
    joined: float
    rng: random.Random


class _Queue:
    """A stage's waiting line in the product's order, with the priority ratio rule."""

    def __init__(self, env: simpy.Environment, ratio: int) -> None:
        self.env = env
        self.ratio = ratio
        self.regular: list[tuple[int, float, int, _Ticket]] = []
        self.priority: list[tuple[int, float, int, _Ticket]] = []
        self.recent: list[bool] = []
        self.wake = env.event()

    def __len__(self) -> int:
        return len(self.regular) + len(self.priority)

    def put(self, ticket: _Ticket, key: float) -> None:
        entry = (-ticket.level, key, ticket.seq, ticket)
        heapq.heappush(self.priority if ticket.level > 0 else self.regular, entry)
        if not self.wake.triggered:
            self.wake.succeed()

    def take(self) -> _Ticket:
        regular_turn = self.ratio > 0 and any(self.recent[-self.ratio :])
        if self.regular and (regular_turn or not self.priority or self.regular[0] < self.priority[0]):
            ticket = heapq.heappop(self.regular)[3]
        else:
            ticket = heapq.heappop(self.priority)[3]
        if self.ratio > 0:
            self.recent.append(ticket.level > 0)
            del self.recent[: -self.ratio]
        return ticket

    def waiting(self) -> simpy.Event:
        if self.wake.triggered:
            self.wake = self.env.event()
        return self.wake


class _Day:
    def __init__(self, model: DayModel, staffing: Staffing, seed: int) -> None:
        self.model = model
        self.env = simpy.Environment(initial_time=0.0)
        self.out = DayOutcome()
        self.seed = seed
        # The booths' idle looks: a stream of their own, apart from the applicants' draws.
        self.looks = random.Random(seed ^ 0x5EED)  # noqa: S311 - a simulation, not secrets
        self.interview = _Queue(self.env, model.rules.priority_ratio)
        self.adjudication = _Queue(self.env, model.rules.priority_ratio) if model.adjudication else None
        self.times, self.open_counts = staffing.timetable(model.close_s)

    def open_booths(self, t: float) -> int:
        i = bisect.bisect_right(self.times, t) - 1
        return self.open_counts[i] if i >= 0 else 0

    def next_opening(self, booth: int, t: float) -> float | None:
        i = bisect.bisect_right(self.times, t)
        for j in range(max(i, 0), len(self.times)):
            if self.open_counts[j] > booth:
                return self.times[j]
        return None

    # ------------------------------------------------------------------ arrivals

    def tickets(self) -> list[tuple[float, float, _Ticket]]:
        """The day's applicants: (check-in time, queue key, ticket), drawn from the seed."""
        m = self.model
        rng = random.Random(self.seed)  # noqa: S311 - a simulation, not secrets
        rules = m.rules
        out: list[tuple[float, float, _Ticket]] = []
        for booking in m.bookings:
            own = random.Random(rng.getrandbits(64))  # noqa: S311
            if own.random() < m.arrivals.absent_share:
                continue
            if booking.slot is None:
                at = m.open_s + own.random() * m.arrivals.unslotted_within
                key = at
            else:
                at = max(booking.slot + m.arrivals.offset(own), m.open_s)
                at = max(at, booking.slot - rules.checkin_before)
                late = at > booking.slot + rules.checkin_after
                if late and rules.late_policy == "refuse":
                    self.out.refused += 1
                    continue
                on_slot = rules.queue_order == "slot" and (not late or rules.late_policy == "accept")
                key = booking.slot if on_slot else at
            out.append((at, key, _Ticket(0, booking.category, m.priority.get(booking.category, 0), key, at, own)))
        for category in sorted(m.walk_ins):
            for hour, rate in sorted(m.walk_ins[category].items()):
                if rate <= 0:
                    continue
                t = hour * HOUR
                while True:
                    t += rng.expovariate(rate / HOUR)
                    if t >= (hour + 1) * HOUR:
                        break
                    if m.open_s <= t < m.close_s:
                        own = random.Random(rng.getrandbits(64))  # noqa: S311
                        out.append((t, t, _Ticket(0, category, m.priority.get(category, 0), t, t, own)))
        out.sort(key=lambda entry: (entry[0], entry[1]))
        for seq, (_at, _key, ticket) in enumerate(out):
            ticket.seq = seq
        return out

    def arrive(self, tickets: list[tuple[float, float, _Ticket]]) -> Generator[simpy.Event, Any, None]:
        env = self.env
        for at, key, ticket in tickets:
            if at > env.now:
                yield env.timeout(at - env.now)
            ticket.joined = env.now
            self.out.arrived += 1
            self.interview.put(ticket, key)

    # ------------------------------------------------------------------ booths

    def booth(
        self, stage: str, index: int, queue: _Queue, counter: Counter, scheduled: bool
    ) -> Generator[simpy.Event, Any, None]:
        env = self.env
        start = self.model.open_s
        if env.now < start:
            yield env.timeout(start - env.now)
        while True:
            if scheduled and self.open_booths(env.now) <= index:
                nxt = self.next_opening(index, env.now)
                if nxt is None:
                    return
                yield env.timeout(nxt - env.now)
                continue
            if not queue:
                yield queue.waiting()
                if counter.idle_look > 0:
                    yield env.timeout(counter.idle_look * self.looks.random())
                continue
            ticket = queue.take()
            self.out.waits.append(
                WaitRecord(stage, ticket.category, ticket.level > 0, ticket.joined, env.now - ticket.joined)
            )
            rng = ticket.rng
            if rng.random() < counter.no_show_share:
                self.out.no_shows += 1
                yield env.timeout(counter.no_show_hold)
                continue
            yield env.timeout(counter.walk.sample(rng) + counter.service_of(ticket.category).sample(rng))
            if stage == INTERVIEW:
                self.out.last_service_end = max(self.out.last_service_end, env.now)
                if self.adjudication is not None:
                    ticket.joined = env.now
                    self.adjudication.put(ticket, env.now)
            else:
                self.out.last_adjudication_end = max(self.out.last_adjudication_end or 0.0, env.now)
            yield env.timeout(counter.gap.sample(rng))

    def run(self, booths_max: int) -> DayOutcome:
        m = self.model
        self.env.process(self.arrive(self.tickets()))
        for i in range(booths_max):
            self.env.process(self.booth(INTERVIEW, i, self.interview, m.interview, scheduled=True))
        if self.adjudication is not None and m.adjudication is not None:
            for i in range(m.adjudicators):
                self.env.process(self.booth(ADJUDICATION, i, self.adjudication, m.adjudication, scheduled=False))
        # Everyone checked in is served, but a day that cannot end (no booth at all) stops a day later.
        self.env.run(until=m.close_s + 24 * HOUR)
        return self.out


def run_day(model: DayModel, staffing: Staffing, seed: int) -> DayOutcome:
    """Simulate one day of ``model`` with ``staffing``; the same seed gives the same day."""
    booths_max = max([0, *staffing.booths.values()])
    return _Day(model, staffing, seed).run(booths_max)

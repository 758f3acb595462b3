"""The ticket lifecycle as a Hypothesis state machine, on both engines, against a plain Python model.

Rules drive the real :class:`QueueService` (check-in, calling, serving, putting back, passing on, finishing,
setting aside and resuming at the same booth, no-show only after the office's minimum time since the last call,
the clock moving across midnight), also in states where the action is forbidden: then a :class:`UserError`
must be raised and nothing written. After every step the database is checked with its own SQL:

1. no station holds two tickets and no ticket is held by two stations (now, and replayed over the event log);
2. every state change has exactly one event: per ticket, the event kinds are the model's successful actions,
   and from_status/to_status chain up to the ticket's current status;
3. ticket numbers are gap-free per (day, prefix): the seq values are exactly 1..n;
4. event sequence numbers are exactly 1..N, no gaps, and the counter row agrees;
5. called, serving and parked tickets have a station (a parked one: the booth it comes back to), all others
   have none.

The model also predicts which ticket call-next takes, how many are ahead after check-in / return / transfer,
and what ``status()`` shows; a retried call-next with the same idempotency token must act once.

Creating a database per example is slow on PostgreSQL, so each example gets a fresh *office* (the reference
office under a unique code, without its users) in the one database the test receives; invariants are scoped
to that office, except the event sequence, which is global.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import MONDAY, MONDAY_9, booking_code
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import Date, text

from counter_desk.clock import FixedClock, office_day
from counter_desk.errors import (
    Conflict,
    EmptyQueue,
    InvalidInput,
    InvalidTransition,
    NotFound,
    UserError,
    WrongDay,
    WrongOffice,
)
from counter_desk.services import seed
from counter_desk.services.queue import QueueService
from counter_desk.services.queue_errors import NoShowTooEarly
from counter_desk.services.views import Result, TicketView
from counter_desk.states import HELD, TRANSITIONS, Action, Status
from counter_desk.store.base import UTCDateTime
from counter_desk.store.engine import Database

TZ = ZoneInfo("Asia/Jakarta")
#: Check-in opens this many hours before the booked slot (office rule checkin_before_minutes).
CHECK_IN_OPENS_H = 8
TOLERANCE = dt.timedelta(minutes=30)
#: No-show only this long after the last call (office rule no_show_after_seconds, as seeded).
NO_SHOW_AFTER = dt.timedelta(seconds=120)
#: Where a ticket has a station: held, or set aside at its booth.
WITH_STATION = HELD | {Status.PARKED}
TUESDAY = MONDAY + dt.timedelta(days=1)
#: Sample bookings made for each example's office, per day.
BOOKINGS = {MONDAY: 8, TUESDAY: 4}
STAGES = ("reception", "interview", "adjudication", "pickup")
STATIONS = {
    "reception-1": "reception",
    "interview-1": "interview",
    "interview-2": "interview",
    "interview-3": "interview",
    "interview-4": "interview",
    "adjudicator": "adjudication",
    "pickup": "pickup",
}
#: category -> (prefix, priority level, start stage), as in the reference office.
CATEGORIES = {
    "booked": ("A", 0, "interview"),
    "elderly": ("P", 10, "interview"),
    "disability": ("P", 10, "interview"),
    "pregnant": ("P", 10, "interview"),
    "child": ("P", 10, "interview"),
    "lost": ("H", 5, "interview"),
    "pickup": ("C", 0, "pickup"),
}
WALK_INS = sorted(c for c in CATEGORIES if c != "booked")
#: Ticket numbers that name no ticket: well-formed but unknown, and malformed.
BOGUS_NUMBERS = ("A-999", "C-500", "not a ticket")
TICKET_NUMBER = re.compile(r"^[A-Z]{1,4}-\d{1,5}$")
#: A user of the reference office (seeded by conftest), never of the example's office.
FOREIGN_USER = "kasi"

#: How time passes between steps: seconds, or a jump (see ``time_passes``).
CLOCK_MOVES: tuple[int | str, ...] = (
    1,
    40,
    5 * 60,
    29 * 60,
    30 * 60,
    31 * 60,
    3 * 3600,
    "just before midnight",
    "midnight",
    "next morning",
)

SETTINGS = settings(
    max_examples=50,
    stateful_step_count=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

Expected = type[UserError] | tuple[type[UserError], ...]


@dataclass
class Model:
    """What the model believes one ticket is."""

    id: int
    number: str
    day: dt.date
    prefix: str
    seq: int
    stage: str
    priority: int
    queue_key: dt.datetime
    status: Status = Status.WAITING
    station: str | None = None
    front: bool = False
    call_count: int = 0
    no_show_at: dt.datetime | None = None
    #: The last call (or recall, or resumption): a no-show only ``NO_SHOW_AFTER`` later.
    called_at: dt.datetime | None = None
    #: The successful actions on this ticket, in order: one event each.
    actions: list[Action] = field(default_factory=lambda: [Action.CHECK_IN])

    def order(self) -> tuple[bool, int, dt.datetime, int]:
        """CALL_ORDER: put back at the front first, then priority, then slot or arrival, then id."""
        return (not self.front, -self.priority, self.queue_key, self.id)


def _office(code: str) -> dict[str, Any]:
    """The reference office under another code, without [[users]] (usernames are unique across offices)."""
    data = seed.reference_data()
    data["office"] |= {"code": code}
    data.pop("users", None)
    # The office's check-in window is part of the model below; late arrivals keep their booked place. Check-in at
    # any hour: the clock crosses midnight here (office hours have their own tests: test_counter_checkin.py).
    data["rules"] = data.get("rules", {}) | {
        "checkin_before_minutes": CHECK_IN_OPENS_H * 60,
        "late_policy": "accept",
        "checkin_hours": "allow",
        "no_show_after_seconds": NO_SHOW_AFTER.seconds,
    }
    return data


class TicketLifecycle(RuleBasedStateMachine):
    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
        self.code = f"lc-{uuid.uuid4().hex[:12]}"
        self.clock = FixedClock(MONDAY_9)
        seed.load_data(db, _office(self.code), clock=self.clock)
        for day, count in BOOKINGS.items():
            seed.sample_bookings(db, count, day=day, office=self.code, clock=self.clock)
        self.queue = QueueService(db, clock=self.clock, office=self.code)
        with db.read() as s:
            self.office_id = s.execute(text("SELECT id FROM offices WHERE code = :c"), {"c": self.code}).scalar_one()
        self.tickets: dict[int, Model] = {}
        #: booking code -> (day, slot hour) for the bookings that exist in this office.
        self.bookings = {
            booking_code(n, day): (day, 8 + (n - 1) * len(seed.SLOTS) // count)
            for day, count in BOOKINGS.items()
            for n in range(1, count + 1)
        }
        self.checked_in: set[str] = set()
        self.tokens = 0

    # ------------------------------------------------------------------ the model's view of the office

    def today(self) -> dt.date:
        return office_day(self.clock.now(), "Asia/Jakarta")

    def waiting(self, stage: str) -> list[Model]:
        found = [t for t in self.tickets.values() if t.status == Status.WAITING and t.stage == stage]
        return sorted(found, key=Model.order)

    def ahead(self, ticket: Model) -> int:
        return [t.id for t in self.waiting(ticket.stage)].index(ticket.id)

    def holder(self, station: str) -> Model | None:
        held = [t for t in self.tickets.values() if t.station == station and t.status in HELD]
        assert len(held) <= 1, f"model: {station} holds {[t.number for t in held]}"
        return held[0] if held else None

    def lookup(self, number: str) -> Model | type[UserError]:
        """Like the service: the most recent day's ticket with that number (numbers restart daily)."""
        wanted = number.strip().upper()
        if not TICKET_NUMBER.match(wanted):
            return InvalidInput
        found = [t for t in self.tickets.values() if t.number == wanted]
        return max(found, key=lambda t: t.day) if found else NotFound

    def held_by(self, station: str, number: str | None) -> Model | type[UserError]:
        """Like the service: the ticket ``station`` holds, which must be ``number`` if given."""
        held = self.holder(station)
        if held is None:
            if number is not None:
                other = self.lookup(number)
                return other if not isinstance(other, Model) else InvalidTransition
            return InvalidTransition
        if number is not None and held.number != number.strip().upper():
            return InvalidTransition
        return held

    def target(self, station: str | None, number: str | None) -> Model | type[UserError]:
        if station is not None:
            return self.held_by(station, number)
        if number is None:
            return InvalidInput
        return self.lookup(number)

    def too_late(self, t: Model) -> bool:
        """A no-show may come back within the office's tolerance (30 minutes, inclusive)."""
        return t.status == Status.NO_SHOW and self.clock.now() - (t.no_show_at or MONDAY_9) > TOLERANCE

    def token(self) -> str:
        self.tokens += 1
        return f"{self.code}-{self.tokens}"

    # ------------------------------------------------------------------ drawing arguments
    # Each draw mixes "useful" values (where the action may succeed) with arbitrary ones (where it must be refused).

    def pick(self, data: st.DataObject, useful: list[str], anything: list[str], label: str) -> str:
        """Mostly (3 in 4) one of ``useful``, if any; else anything."""
        if useful and data.draw(st.integers(0, 3), label=f"useful {label}") > 0:
            return data.draw(st.sampled_from(useful), label=label)
        return data.draw(st.sampled_from(anything), label=label)

    def draw_number(self, data: st.DataObject, *, useful: list[Model] | None = None) -> str:
        numbers = sorted({t.number for t in self.tickets.values()})
        number = self.pick(data, sorted({t.number for t in useful or []}), [*numbers, *BOGUS_NUMBERS], "number")
        return number.lower() if data.draw(st.booleans(), label="lower-case") else number

    def draw_station(
        self, data: st.DataObject, statuses: frozenset[Status | None] = HELD, *, to_call: bool = False
    ) -> str:
        """Any station, or more often one that can act: free with a queue (``to_call``), or holding a ticket in
        ``statuses``."""
        if to_call:
            useful = [s for s in STATIONS if self.holder(s) is None and self.waiting(STATIONS[s])]
        else:
            useful = [s for s in STATIONS if (held := self.holder(s)) is not None and held.status in statuses]
        return self.pick(data, useful, sorted(STATIONS), "station")

    def draw_station_and_number(
        self, data: st.DataObject, statuses: frozenset[Status | None] = HELD
    ) -> tuple[str, str | None]:
        """A station and, sometimes, the number the officer says it holds (right, or 1 in 4 wrong)."""
        station = self.draw_station(data, statuses)
        held = self.holder(station)
        how = data.draw(st.sampled_from(["none", "held", "other", "none"]), label="naming")
        if how == "other" or (how == "held" and held is None):
            return station, self.draw_number(data)
        return station, held.number if how == "held" and held else None

    def draw_target(self, data: st.DataObject, statuses: frozenset[Status | None]) -> tuple[str | None, str | None]:
        """What return and transfer act on: a station's ticket, or a ticket by number (or neither)."""
        if data.draw(st.booleans(), label="by station"):
            return self.draw_station_and_number(data, statuses)
        if data.draw(st.integers(0, 9), label="no ticket named") == 0:
            return None, None
        return None, self.draw_number(data, useful=[t for t in self.tickets.values() if t.status in statuses])

    # ------------------------------------------------------------------ acting

    def snapshot(self) -> tuple[Any, ...]:
        """Everything an action could write: this office's rows, all columns, and counts over all offices.

        (Like ``helpers.snapshot``, but scoped to the example's office so it stays cheap as offices pile up.)
        """
        o = {"o": self.office_id}
        with self.db.read() as s:
            return (
                s.execute(text("SELECT * FROM tickets WHERE office_id = :o ORDER BY id"), o).all(),
                s.execute(text("SELECT * FROM bookings WHERE office_id = :o ORDER BY id"), o).all(),
                s.execute(text("SELECT * FROM ticket_counters WHERE office_id = :o ORDER BY day, prefix"), o).all(),
                s.execute(
                    text(
                        "SELECT (SELECT count(*) FROM events), (SELECT max(seq) FROM events),"
                        " (SELECT value FROM counters WHERE name = 'events'), (SELECT count(*) FROM tickets),"
                        " (SELECT count(*) FROM bookings WHERE status <> 'booked'),"
                        " (SELECT count(*) FROM ticket_counters), (SELECT count(*) FROM idempotency_keys)"
                    )
                ).one(),
            )

    def refused(self, expected: Expected, act: Callable[[], Result]) -> None:
        """The action must fail with ``expected`` (a :class:`UserError`) and write nothing."""
        before = self.snapshot()
        with pytest.raises(expected):
            act()
        assert self.snapshot() == before

    def matches(self, view: TicketView, t: Model) -> None:
        seen = (view.id, view.number, view.day, view.status, view.stage, view.station, view.front, view.call_count)
        assert seen == (t.id, t.number, t.day, t.status, t.stage, t.station, t.front, t.call_count)

    def applied(self, result: Result, t: Model, action: Action, **changes: Any) -> None:
        """Move the model's ticket as ``action`` does and check the service's answer agrees."""
        sources, target = TRANSITIONS[action]
        assert t.status in sources, f"model: {action} from {t.status}"
        assert not result.replayed and result.event_seq is not None
        t.status = target
        for name, value in changes.items():
            setattr(t, name, value)
        if target not in WITH_STATION:
            t.station = None
        t.actions.append(action)
        self.matches(result.ticket, t)

    def issued(self, result: Result, category: str, queue_key: dt.datetime) -> None:
        prefix, priority, stage = CATEGORIES[category]
        today = self.today()
        seq = 1 + sum(1 for t in self.tickets.values() if t.day == today and t.prefix == prefix)
        view = result.ticket
        t = Model(view.id, f"{prefix}-{seq:03d}", today, prefix, seq, stage, priority, queue_key)
        assert view.id not in self.tickets
        self.tickets[view.id] = t
        self.matches(view, t)
        assert result.ahead == self.ahead(t)

    # ------------------------------------------------------------------ rules: check-in

    @initialize(
        bookings=st.lists(st.integers(1, BOOKINGS[MONDAY]), unique=True, max_size=4),
        walk_ins=st.lists(st.sampled_from(WALK_INS), max_size=4),
    )
    def first_arrivals(self, bookings: list[int], walk_ins: list[str]) -> None:
        """The morning's first applicants, so that every example has people to call."""
        for n in bookings:
            self.check_in_code(booking_code(n), None)
        for category in walk_ins:
            self.issued(self.queue.check_in(walk_in=category), category, self.clock.now())

    @rule(data=st.data(), at=st.sampled_from([None, "reception-1"]))
    def check_in_booking(self, data: st.DataObject, at: str | None) -> None:
        bookable = [c for c, (day, _) in self.bookings.items() if day == self.today() and c not in self.checked_in]
        codes = [booking_code(n, day) for day in BOOKINGS for n in range(1, 11)]  # also codes of no booking
        self.check_in_code(self.pick(data, bookable, codes, "booking"), at)

    def check_in_code(self, code: str, at: str | None) -> None:
        today = self.today()
        expected: Expected | None = None
        if code not in self.bookings:
            expected = (NotFound, WrongOffice)  # WrongOffice when another office has a booking with that code
        elif code in self.checked_in:
            expected = Conflict
        elif self.bookings[code][0] != today:
            expected = WrongDay
        elif self.clock.now().astimezone(TZ).hour < self.bookings[code][1] - CHECK_IN_OPENS_H:
            expected = Conflict  # too early: check-in has not opened yet
        if expected is not None:
            self.refused(expected, lambda: self.queue.check_in(code, station=at))
            return
        result = self.queue.check_in(code, station=at)
        self.checked_in.add(code)
        self.issued(result, "booked", dt.datetime.combine(today, dt.time(self.bookings[code][1]), tzinfo=TZ))

    @rule(category=st.sampled_from([*sorted(CATEGORIES), "cashier"]))
    def check_in_walk_in(self, category: str) -> None:
        if category == "cashier":
            self.refused(NotFound, lambda: self.queue.check_in(walk_in=category))
        elif category == "booked":  # needs a booking
            self.refused(InvalidInput, lambda: self.queue.check_in(walk_in=category))
        else:
            self.issued(self.queue.check_in(walk_in=category), category, self.clock.now())

    # ------------------------------------------------------------------ rules: calling

    @rule(data=st.data(), with_token=st.booleans(), foreign_user=st.integers(0, 9))
    def call_next(self, data: st.DataObject, with_token: bool, foreign_user: int) -> None:
        station = self.draw_station(data, to_call=True)
        token = self.token() if with_token else None
        user = FOREIGN_USER if foreign_user == 9 else None
        queue = self.waiting(STATIONS[station])
        expected: Expected | None = None
        if user is not None:
            expected = WrongOffice
        elif self.holder(station) is not None:
            expected = Conflict
        elif not queue:
            expected = EmptyQueue
        if expected is not None:
            self.refused(expected, lambda: self.queue.call_next(station, token=token, user=user))
            return
        result = self.queue.call_next(station, token=token)
        head = queue[0]
        assert result.ticket.id == head.id, f"called {result.ticket.number}, the model's head is {head.number}"
        changes = {"station": station, "call_count": head.call_count + 1, "front": False, "called_at": self.clock.now()}
        self.applied(result, head, Action.CALL, **changes)
        if token is not None:  # a retried click acts once
            before = self.snapshot()
            again = self.queue.call_next(station, token=token)
            assert again.replayed and again.event_seq is None and again.ticket.id == head.id
            assert self.snapshot() == before

    @rule(data=st.data(), reason=st.sampled_from(["elderly companion", "  \n "]))
    def call_specific(self, data: st.DataObject, reason: str) -> None:
        station = self.draw_station(data, to_call=True)
        number = self.draw_number(data, useful=self.waiting(STATIONS[station]))
        t = self.lookup(number)
        expected: Expected | None = None
        if not reason.strip():
            expected = InvalidInput
        elif self.holder(station) is not None:
            expected = Conflict
        elif not isinstance(t, Model):
            expected = t
        elif t.stage != STATIONS[station]:
            expected = InvalidInput
        elif t.status != Status.WAITING:
            expected = InvalidTransition
        if expected is not None:
            self.refused(expected, lambda: self.queue.call(number, station, reason))
            return
        assert isinstance(t, Model)
        result = self.queue.call(number, station, reason)
        changes = {"station": station, "call_count": t.call_count + 1, "front": False, "called_at": self.clock.now()}
        self.applied(result, t, Action.CALL, **changes)

    def at_station(
        self,
        data: st.DataObject,
        action: Action,
        act: Callable[[str, str | None], Result],
        changes: Callable[[Model], dict[str, Any]] = lambda t: {},
        *,
        bad_input: bool = False,
        too_soon: Callable[[Model], bool] = lambda t: False,
    ) -> None:
        """A station acts on the ticket it holds (naming it or not): allowed only from ``action``'s sources."""
        sources = TRANSITIONS[action][0]
        station, number = self.draw_station_and_number(data, sources)
        t = self.held_by(station, number)
        expected: Expected | None = None
        if bad_input:
            expected = InvalidInput
        elif not isinstance(t, Model):
            expected = t
        elif t.status not in sources or too_soon(t):
            expected = InvalidTransition
        if expected is not None:
            self.refused(expected, lambda: act(station, number))
            return
        assert isinstance(t, Model)
        self.applied(act(station, number), t, action, **changes(t))

    @rule(data=st.data())
    def recall(self, data: st.DataObject) -> None:
        self.at_station(
            data,
            Action.RECALL,
            lambda station, number: self.queue.recall(station, ticket=number),
            lambda t: {"call_count": t.call_count + 1, "called_at": self.clock.now()},
        )

    @rule(data=st.data())
    def start(self, data: st.DataObject) -> None:
        self.at_station(data, Action.START, lambda station, number: self.queue.start(station, ticket=number))

    @rule(data=st.data())
    def no_show(self, data: st.DataObject) -> None:
        self.at_station(
            data,
            Action.NO_SHOW,
            lambda station, number: self.queue.no_show(station, ticket=number),
            lambda t: {"no_show_at": self.clock.now()},
            # NoShowTooEarly (an InvalidTransition) until the minimum time after the last call.
            too_soon=lambda t: t.called_at is not None and self.clock.now() < t.called_at + NO_SHOW_AFTER,
        )

    @precondition(lambda self: any(t.status == Status.CALLED for t in self.tickets.values()))
    @rule(data=st.data(), seconds=st.sampled_from([-1, 0, 30]))
    def no_show_after_the_minimum(self, data: st.DataObject, seconds: int) -> None:
        """The officer waits out the minimum time after the last call (give or take a second), then marks no-show."""
        called = sorted((t for t in self.tickets.values() if t.status == Status.CALLED), key=lambda t: t.id)
        t = data.draw(st.sampled_from(called), label="called")
        assert t.called_at is not None and t.station is not None
        self.clock.set(max(self.clock.now(), t.called_at + NO_SHOW_AFTER + dt.timedelta(seconds=seconds)))
        station = t.station
        if self.clock.now() < t.called_at + NO_SHOW_AFTER:
            self.refused(NoShowTooEarly, lambda: self.queue.no_show(station))
            return
        self.applied(self.queue.no_show(station), t, Action.NO_SHOW, no_show_at=self.clock.now())

    @rule(data=st.data(), reason=st.sampled_from(["fotokopi KK", " "]))
    def park(self, data: st.DataObject, reason: str) -> None:
        """Set the applicant aside at the booth (fetching a document); the booth keeps the ticket."""
        self.at_station(
            data,
            Action.PARK,
            lambda station, number: self.queue.park(station, reason, ticket=number),
            bad_input=not reason.strip(),
        )

    @precondition(lambda self: any(t.status == Status.PARKED for t in self.tickets.values()))
    @rule(data=st.data(), naming=st.sampled_from(["none", "parked", "none", "any"]))
    def resume(self, data: st.DataObject, naming: str) -> None:
        """Call a parked ticket back to its own booth, which must be free."""
        parked = sorted((t for t in self.tickets.values() if t.status == Status.PARKED), key=lambda t: t.id)
        station = self.pick(data, sorted({t.station for t in parked if t.station}), sorted(STATIONS), "station")
        number = None
        if naming == "parked" and parked:
            number = data.draw(st.sampled_from([t.number for t in parked]), label="parked number")
        elif naming == "any":
            number = self.draw_number(data)
        here = [t for t in parked if t.station == station]
        found: Model | type[UserError]
        if number is None:
            found = here[0] if len(here) == 1 else InvalidTransition if not here else InvalidInput
        else:
            found = self.lookup(number)
            if isinstance(found, Model) and (found.status != Status.PARKED or found.station != station):
                found = InvalidTransition
        expected: Expected | None = None
        if not isinstance(found, Model):
            expected = found
        elif self.holder(station) is not None:
            expected = Conflict
        if expected is not None:
            self.refused(expected, lambda: self.queue.resume(station, ticket=number))
            return
        assert isinstance(found, Model)
        result = self.queue.resume(station, ticket=number)
        self.applied(result, found, Action.RESUME, call_count=found.call_count + 1, called_at=self.clock.now())

    @rule(data=st.data(), outcome=st.sampled_from([None, "approved", "rejected", "Approved!"]))
    def finish(self, data: st.DataObject, outcome: str | None) -> None:
        self.at_station(
            data,
            Action.FINISH,
            lambda station, number: self.queue.finish(station, ticket=number, outcome=outcome),
            bad_input=outcome == "Approved!",  # an outcome is a short lower-case word
        )

    # ------------------------------------------------------------------ rules: putting back, passing on

    def _return(self, station: str | None, number: str | None, position: str) -> None:
        t = self.target(station, number)
        expected: Expected | None = None
        if position not in ("front", "end"):
            expected = InvalidInput
        elif not isinstance(t, Model):
            expected = t
        elif t.status not in TRANSITIONS[Action.RETURN][0] or self.too_late(t):
            expected = InvalidTransition
        if expected is not None:
            self.refused(
                expected, lambda: self.queue.return_to_queue(station=station, ticket=number, position=position)
            )
            return
        assert isinstance(t, Model)
        result = self.queue.return_to_queue(station=station, ticket=number, position=position, reason="back")
        self.applied(result, t, Action.RETURN, front=position == "front", queue_key=self.clock.now())
        assert result.ahead == self.ahead(t)

    @rule(data=st.data(), position=st.sampled_from(["end", "front", "end", "middle"]))
    def return_to_queue(self, data: st.DataObject, position: str) -> None:
        station, number = self.draw_target(data, TRANSITIONS[Action.RETURN][0])
        self._return(station, number, position)

    @precondition(lambda self: any(t.status == Status.NO_SHOW for t in self.tickets.values()))
    @rule(data=st.data(), position=st.sampled_from(["front", "end"]), minutes=st.sampled_from([0, 10, 29, 30, 31, 45]))
    def no_show_comes_back(self, data: st.DataObject, position: str, minutes: int) -> None:
        """A no-show comes back ``minutes`` after being marked (or now, if later): put back within the
        tolerance (30 minutes, inclusive), refused after it."""
        gone = sorted((t for t in self.tickets.values() if t.status == Status.NO_SHOW), key=lambda t: t.id)
        t = data.draw(st.sampled_from(gone), label="no-show")
        assert t.no_show_at is not None
        self.clock.set(max(self.clock.now(), t.no_show_at + dt.timedelta(minutes=minutes)))
        self._return(None, t.number, position)

    @rule(
        data=st.data(),
        position=st.sampled_from(["end", "front", "end", "middle"]),
        reason=st.sampled_from([None, "interview done on paper"]),
    )
    def transfer(self, data: st.DataObject, position: str, reason: str | None) -> None:
        station, number = self.draw_target(data, TRANSITIONS[Action.TRANSFER][0])
        t = self.target(station, number)
        elsewhere = [stage for stage in STAGES if not isinstance(t, Model) or stage != t.stage]
        to_stage = self.pick(data, elsewhere, [*STAGES, "cashier"], "to stage")
        expected: Expected | None = None
        if position not in ("front", "end"):
            expected = InvalidInput
        elif not isinstance(t, Model):
            expected = t
        elif to_stage not in STAGES:
            expected = NotFound
        elif to_stage == t.stage or (t.status == Status.WAITING and station is None and reason is None):
            expected = InvalidInput  # already there, or moving a waiting ticket without saying why
        elif t.status not in TRANSITIONS[Action.TRANSFER][0]:
            expected = InvalidTransition
        kwargs: dict[str, Any] = {"station": station, "ticket": number, "position": position, "reason": reason}
        if expected is not None:
            self.refused(expected, lambda: self.queue.transfer(to_stage, **kwargs))
            return
        assert isinstance(t, Model)
        result = self.queue.transfer(to_stage, **kwargs)
        changes = {"stage": to_stage, "front": position == "front", "queue_key": self.clock.now(), "call_count": 0}
        self.applied(result, t, Action.TRANSFER, **changes)
        assert result.ahead == self.ahead(t)

    # ------------------------------------------------------------------ rules: reading

    @rule(stage=st.sampled_from(STAGES))
    def status_shows_the_model(self, stage: str) -> None:
        status = self.queue.status(stage=stage)
        assert [w.ticket.id for w in status.waiting] == [t.id for t in self.waiting(stage)]
        for s in status.stations:
            held = self.holder(s.code)
            assert (s.ticket.id if s.ticket else None) == (held.id if held else None)

    # ------------------------------------------------------------------ rules: time

    @rule(move=st.sampled_from(CLOCK_MOVES))
    def time_passes(self, move: int | str) -> None:
        """Seconds to hours pass (the no-show tolerance is 30 minutes), or the clock jumps to just before
        midnight in Jakarta (the next small step starts a new day: numbers restart), to midnight, or to the
        next morning."""
        midnight = dt.datetime.combine(self.today() + dt.timedelta(days=1), dt.time(), tzinfo=TZ)
        if isinstance(move, int):
            self.clock.advance(dt.timedelta(seconds=move))
        elif move == "just before midnight":
            self.clock.set(max(self.clock.now(), (midnight - dt.timedelta(seconds=1)).astimezone(dt.UTC)))
        elif move == "midnight":
            self.clock.set(midnight.astimezone(dt.UTC))
        else:
            self.clock.set((midnight + dt.timedelta(hours=8)).astimezone(dt.UTC))

    # ------------------------------------------------------------------ invariants, in the database's own SQL

    @invariant()
    def database_keeps_the_rules(self) -> None:
        o = {"o": self.office_id}
        held = ", ".join(f"'{s.value}'" for s in HELD)
        with_station = ", ".join(f"'{s.value}'" for s in WITH_STATION)
        with self.db.read() as s:
            tickets = s.execute(
                text(
                    "SELECT t.id, t.number, t.day, t.prefix, t.seq, t.status, t.station_id, t.front,"
                    " t.call_count, t.queue_key, sg.code AS stage, sn.code AS station"
                    " FROM tickets t JOIN stages sg ON sg.id = t.stage_id"
                    " LEFT JOIN stations sn ON sn.id = t.station_id"
                    " WHERE t.office_id = :o ORDER BY t.id"
                ).columns(day=Date, queue_key=UTCDateTime()),
                o,
            ).all()
            events = s.execute(
                text(
                    "SELECT seq, ticket_id, kind, number, from_status, to_status, station_id"
                    " FROM events WHERE office_id = :o ORDER BY seq"
                ),
                o,
            ).all()
            numbering = s.execute(
                text(
                    "SELECT c.day, c.prefix, c.value, count(t.id) AS n, min(t.seq) AS low, max(t.seq) AS high,"
                    " count(DISTINCT t.seq) AS distinct_seqs"
                    " FROM ticket_counters c LEFT JOIN tickets t"
                    " ON t.office_id = c.office_id AND t.day = c.day AND t.prefix = c.prefix"
                    " WHERE c.office_id = :o GROUP BY c.day, c.prefix, c.value"
                ).columns(day=Date),
                o,
            ).all()
            summary = s.execute(
                text(
                    "SELECT"
                    " (SELECT count(*) FROM (SELECT station_id FROM tickets"
                    f"   WHERE office_id = :o AND status IN ({held}) GROUP BY station_id HAVING count(*) > 1) x)"
                    "   AS double_held,"
                    " (SELECT count(*) FROM tickets WHERE office_id = :o AND ("
                    f"   (status IN ({with_station}) AND station_id IS NULL)"
                    f"   OR (status NOT IN ({with_station}) AND station_id IS NOT NULL))) AS misplaced,"
                    " (SELECT count(*) FROM events) AS events,"
                    " (SELECT min(seq) FROM events) AS first_seq,"
                    " (SELECT max(seq) FROM events) AS last_seq,"
                    " (SELECT value FROM counters WHERE name = 'events') AS counter"
                ),
                o,
            ).one()

        # (1) No station holds two tickets; replaying the log, no ticket was ever held by two stations.
        assert summary.double_held == 0, "a station holds several tickets"
        holding: dict[int, int] = {}  # station id -> ticket id
        held_by: dict[int, int] = {}  # ticket id -> station id
        for e in events:
            if e.to_status in HELD and e.from_status not in HELD:
                assert e.station_id is not None, f"event {e.seq}: called without a station"
                assert e.station_id not in holding, f"event {e.seq}: station already holds {holding[e.station_id]}"
                holding[e.station_id], held_by[e.ticket_id] = e.ticket_id, e.station_id
            elif e.from_status in HELD:
                holder = held_by.get(e.ticket_id)
                assert holder is not None, f"event {e.seq}: {e.number} was {e.from_status} but held by no station"
                assert e.station_id in (holder, None), f"event {e.seq}: {e.number} acted on by another station"
                if e.to_status not in HELD:
                    del holding[held_by.pop(e.ticket_id)]
        assert held_by == {r.id: r.station_id for r in tickets if r.status in HELD}

        # (2) One event per state change, chained per ticket up to the current status.
        by_ticket: dict[int, list[Any]] = defaultdict(list)
        for e in events:
            assert e.ticket_id is not None, f"event {e.seq} names no ticket"
            by_ticket[e.ticket_id].append(e)
        assert set(by_ticket) == set(self.tickets)
        for r in tickets:
            chain = by_ticket[r.id]
            kinds, done = [e.kind for e in chain], [a.value for a in self.tickets[r.id].actions]
            assert kinds == done, f"{r.number}: events {kinds}, actions {done}"
            before = None
            for e in chain:
                sources, target = TRANSITIONS[Action(e.kind)]
                assert e.from_status == before, f"{r.number}: event {e.seq} starts from {e.from_status}, not {before}"
                assert (Status(e.from_status) if e.from_status else None) in sources
                assert e.to_status == target.value and e.number == r.number
                before = e.to_status
            assert r.status == before, f"{r.number} is {r.status}, its last event says {before}"

        # (3) Ticket numbers are gap-free per (day, prefix): seq is exactly 1..n, and the counter says n.
        for r in numbering:
            assert (r.low or 1, r.high or 0, r.distinct_seqs) == (1, r.n, r.n), f"{r.day} {r.prefix}: {r}"
            assert r.value == r.n, f"{r.day} {r.prefix}: counter at {r.value} for {r.n} tickets"
        assert sum(r.n for r in numbering) == len(tickets), "tickets without a counter"
        for r in tickets:
            assert r.number == f"{r.prefix}-{r.seq:03d}"

        # (4) Event sequence numbers are exactly 1..N (all offices), and the counter says N.
        n, low, high, counter = summary.events, summary.first_seq, summary.last_seq, summary.counter
        assert (low or 1, high or 0, counter) == (1, n, n), f"{n} events, seq {low}..{high}, counter {counter}"

        # (5) Called, serving and parked tickets have a station; all others have none.
        assert summary.misplaced == 0, "a ticket's station does not match its status"

        # And the database agrees with the model, ticket by ticket.
        seen = {
            r.id: (r.number, r.day, r.status, r.stage, r.station, bool(r.front), r.call_count, r.queue_key)
            for r in tickets
        }
        wanted = {
            t.id: (t.number, t.day, t.status.value, t.stage, t.station, t.front, t.call_count, t.queue_key)
            for t in self.tickets.values()
        }
        assert seen == wanted


def test_ticket_lifecycle_follows_the_model(db_url: str) -> None:
    db = Database.connect(db_url)
    assert db.dialect == db_url.partition(":")[0].partition("+")[0]
    offices: list[str] = []

    class OnThisDatabase(TicketLifecycle):
        def __init__(self) -> None:
            super().__init__(db)
            offices.append(self.code)

    try:
        run_state_machine_as_test(OnThisDatabase, settings=SETTINGS)
        with db.read() as s:
            made = s.execute(text("SELECT count(*) FROM offices WHERE code LIKE 'lc-%'")).scalar_one()
            tickets = s.execute(text("SELECT count(*) FROM tickets")).scalar_one()
            kinds = set(s.scalars(text("SELECT DISTINCT kind FROM events")))
    finally:
        db.dispose()
    # It really ran, here: one office per example, tickets were issued, and some were set aside.
    assert len(offices) >= 10 and made == len(offices) and tickets > 0
    assert {"parked", "no_show"} <= kinds

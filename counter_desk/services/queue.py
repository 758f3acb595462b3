"""The queue engine: check in, call, serve, pass on, finish -- on PostgreSQL and SQLite through one code path.

Every method is one user action: one transaction that changes a ticket and appends the event recording it,
or raises a :class:`~counter_desk.errors.UserError` and writes nothing. Each action may carry an idempotency
token; repeating a token returns the ticket the first attempt acted on instead of acting again.

Claiming is race-free on both engines: PostgreSQL takes the head of the queue with ``FOR UPDATE SKIP LOCKED``
in a materialized CTE and ``UPDATE ... RETURNING``; SQLite serialises writers with ``BEGIN IMMEDIATE``
(see :mod:`counter_desk.store.engine`). A station holds at most one called-or-serving ticket: a partial
unique index enforces it, the check here only makes the message friendlier.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import CTE, ColumnElement, String, bindparam, exists, literal_column, or_, select, update
from sqlalchemy.sql.dml import ReturningUpdate

from counter_desk.clock import office_local
from counter_desk.errors import Conflict, EmptyQueue, InvalidInput, InvalidTransition, WrongOffice
from counter_desk.i18n import _
from counter_desk.services import (
    audit,
    checkin,
    checkin_info,
    config_cache,
    directory,
    pickups,
    queue_status,
    receipts,
    roles,
    rules,
)
from counter_desk.services.actions import (
    ActionContext,
    PendingEvent,
    check_position,
    clean_reason,
)
from counter_desk.services.counter_use import CounterUse
from counter_desk.services.estimate import StageEstimate, estimate_stage
from counter_desk.services.queue_errors import LateRefused, NoShowTooEarly
from counter_desk.services.views import (
    EventView,
    QueueStatus,
    Result,
    TicketLike,
    TicketView,
)
from counter_desk.states import HELD, Action, Status
from counter_desk.store import schema
from counter_desk.store.base import UTCDateTime
from counter_desk.store.call_order import call_order
from counter_desk.store.models import Event, Stage, Ticket

__all__ = ["QueueService"]

#: The largest event sequence number (a 64-bit integer column), and the most events one read returns.
MAX_EVENT_SEQ = 2**63 - 1
MAX_EVENTS = 100_000
#: Who may let a check-in through while the office is closed or a late arrival is refused.
OVERRIDE_ROLES = ("supervisor",)

#: How often call-next re-reads a queue whose waiting tickets are all locked by other stations' calls.
CLAIM_ATTEMPTS = 3
CLAIM_BACKOFF_S = 0.02


_t = schema.tickets
_stations = schema.stations
_pauses = schema.station_pauses
_holder = _t.alias("holder")
# Written into the SQL, not bound: no list to expand per call, and SQLite then uses the partial index
# uq_tickets_live_station, whose predicate is this very list (bench/README.md).
_HELD_VALUES: list[ColumnElement[str]] = [literal_column(f"'{s}'") for s in sorted(s.value for s in HELD)]


def _head(*conditions: ColumnElement[bool]) -> CTE:
    """The head of a stage's queue, locked with SKIP LOCKED (PostgreSQL; SQLite ignores it and relies on BEGIN
    IMMEDIATE) in a materialized CTE, for UPDATE ... RETURNING to take in the same statement."""
    return (
        select(_t.c.id)
        .where(_t.c.stage_id == bindparam("p_stage"), _t.c.status == Status.WAITING.value, *conditions)
        .order_by(*call_order())
        .limit(1)
        .with_for_update(skip_locked=True)
        .cte("head")
        .prefix_with("MATERIALIZED")
    )


#: The station named ``p_code`` is still ``p_station`` of office ``p_office``, switched on (and, for a claim, at
#: stage ``p_stage``): what the fast paths took from the configuration cache, checked in their own statement.
_STATION_AS_CACHED = (
    _stations.c.id == bindparam("p_station"),
    _stations.c.office_id == bindparam("p_office"),
    _stations.c.code == bindparam("p_code"),
    _stations.c.active.is_(True),
)
_HEAD = _head()
# The same for "one priority per N regular" (office rule priority_ratio): regular applicants (and anyone put
# back at the front) first, while the last priority call is fewer than N calls ago.
_HEAD_REGULAR = _head(or_(_t.c.front.is_(True), _t.c.priority_level <= 0))
# The fast claim (configuration from the cache, priority_ratio 0): the head is taken only if the cache still
# holds and the station may call -- it holds nothing and is not paused. Otherwise it takes nothing, locks
# nothing (the conditions are one-time filters) and the careful path finds out why.
_HEAD_CHECKED = _head(
    exists().where(*_STATION_AS_CACHED, _stations.c.stage_id == bindparam("p_stage")),
    ~exists().where(_holder.c.station_id == bindparam("p_station"), _holder.c.status.in_(_HELD_VALUES)),
    ~exists().where(_pauses.c.station_id == bindparam("p_station"), _pauses.c.ended_at.is_(None)),
    config_cache.RULE_TEXT.is_not_distinct_from(bindparam("p_rule_text", type_=String())),
)
#: What a station holds, row-locked, if the cached station still holds (the fast finish).
_HELD_CHECKED = (
    select(*_t.c)
    .where(
        _t.c.station_id == bindparam("p_station"),
        _t.c.status.in_(_HELD_VALUES),
        exists().where(*_STATION_AS_CACHED),
    )
    .with_for_update()
)


def clock_text(seconds: int) -> str:
    """A short duration as ``m:ss`` (``1:05``), the way a booth's timer shows it."""
    return f"{seconds // 60}:{seconds % 60:02d}"


def _claim_statement(head: CTE) -> ReturningUpdate[Any]:
    """Take ``head`` for the station: the one statement a call runs."""
    return (
        update(_t)
        .where(_t.c.id == select(head.c.id).scalar_subquery())
        .values(
            status=Status.CALLED.value,
            station_id=bindparam("p_station"),
            called_at=bindparam("p_now", type_=UTCDateTime()),
            call_count=_t.c.call_count + 1,
            front=False,
            updated_at=bindparam("p_now", type_=UTCDateTime()),
        )
        .returning(*_t.c)
    )


_CLAIM_REGULAR = _claim_statement(_HEAD_REGULAR)
_CLAIM = _claim_statement(_HEAD)
_CLAIM_CHECKED = _claim_statement(_HEAD_CHECKED)


class QueueService(CounterUse):
    """The queue's use cases for one office. Thread-safe: each call opens its own session."""

    # ------------------------------------------------------------------ check-in

    def check_in(
        self,
        code: str | None = None,
        *,
        walk_in: str | None = None,
        station: str | None = None,
        token: str | None = None,
        user: str | None = None,
        override_by: str | None = None,
    ) -> Result:
        """Issue a ticket for a booking (its code or application number) or a walk-in of a category.

        The office's rules apply: opening hours and working days (``checkin_hours``), the check-in window around the
        booked slot (``late_policy``), quotas. ``override_by`` names a supervisor who lets a closed-office or
        late-refused check-in through: the role is checked and the override is written to the audit log.
        The result's ``check_in`` holds what reception checks against the ID card."""
        if (code is None) == (walk_in is None):
            msg = _("check in either a booking code / application number or a walk-in category, not both")
            raise InvalidInput(msg)

        places: list[receipts.TicketPlace] = []  # what the receipt names, read in the check-in's transaction

        def act(ctx: ActionContext) -> tuple[TicketLike, PendingEvent, int | None]:
            at = self._station(ctx, station) if station else None
            today = self._today(ctx)
            if override_by is not None:
                roles.require_user_role(ctx.session, override_by, OVERRIDE_ROLES)
                supervisor = directory.user(ctx.session, override_by)
                if supervisor is not None and supervisor.office_id != ctx.office.id:
                    msg = _("user {user!r} belongs to another office", user=override_by)
                    raise WrongOffice(msg)
            booking = checkin.bookable(ctx, code, today) if code is not None else None
            category = checkin.issued_category(ctx, booking, walk_in)
            office_rules = rules.rules_of(ctx.session, ctx.office.id)
            override: str | None = None
            if override_by is None:
                checkin.refuse_if_closed(ctx.session, ctx.office.id, ctx.office.timezone, ctx.now, office_rules)
            elif office_rules["checkin_hours"] == "enforce":
                override = checkin.closed_reason(ctx.session, ctx.office.id, ctx.office.timezone, ctx.now, office_rules)
            arrival = None
            if booking is not None:
                arrival = checkin.judge_arrival(
                    booking, today, ctx.now, ctx.office.timezone, office_rules, override=override_by is not None
                )
                if arrival.kind == "late" and office_rules["late_policy"] == "refuse":
                    override = override or LateRefused.reason
            else:
                checkin.check_quotas(ctx, category, today, office_rules)
            queue_key = ctx.now
            if (
                booking is not None
                and booking.slot_start is not None
                and ctx.office.queue_order == "slot"
                and not (arrival and arrival.to_end)
            ):
                queue_key = dt.datetime.combine(today, booking.slot_start, tzinfo=ZoneInfo(ctx.office.timezone))
            if booking is not None:
                booking.status = "checked_in"
            ticket = self._new_ticket(ctx, category, booking, queue_key)
            places.append(checkin.place_of(ctx, ticket))
            data = checkin.event_data(booking, category, arrival, override, override_by)
            if override is not None:
                audit.record(
                    ctx.session,
                    ctx.office.id,
                    "checkin_override",
                    user=override_by,
                    now=ctx.now,
                    station_id=at.id if at else None,
                    detail={"ticket": ticket.number, "override": override, "clerk": user}
                    | ({"booking": booking.code} if booking else {"walk_in": category.code}),
                )
            ctx.check_in = checkin_info.info_of(
                booking, arrival, override=override, override_by=override_by if override else None
            )
            event = self._record(ctx, ticket, Action.CHECK_IN, None, station_id=at.id if at else None, data=data)
            return ticket, event, self._ahead(ctx.session, ticket)

        return checkin.with_receipt(
            self._mutate(Action.CHECK_IN, token, user, act, station=station), places[-1] if places else None
        )

    # ------------------------------------------------------------------ calling

    def call_next(self, station: str, *, token: str | None = None, user: str | None = None) -> Result:
        """Claim the head of the station's stage queue for the station.

        The usual click is one statement and the event: :data:`_CLAIM_CHECKED` with the office and station from
        the configuration cache, which it re-checks itself. When it takes nothing (the cache is out of date, the
        station holds a ticket or is paused, nobody waits, ``priority_ratio`` is on) the careful path reads
        everything fresh and says why."""

        def act(ctx: ActionContext) -> tuple[TicketLike, PendingEvent, int | None]:
            claimed = self._claim_fast(ctx, station)
            if claimed is not None:
                return (
                    claimed,
                    self._record(ctx, claimed, Action.CALL, Status.WAITING.value, station_id=claimed.station_id),
                    None,
                )
            self._careful(ctx)
            st = self._station(ctx, station)
            self._refuse_if_busy(ctx, st)
            self._refuse_if_paused(ctx, st)
            for attempt in range(CLAIM_ATTEMPTS):
                claimed = self._claim_head(ctx, st)
                if claimed is not None or not self._anyone_waiting(ctx, st.stage_id):
                    break
                # Everyone waiting is row-locked by another station's call that has not committed yet; read
                # again (READ COMMITTED sees its outcome) rather than say "nobody is waiting" while people wait.
                time.sleep(CLAIM_BACKOFF_S * (attempt + 1))
            if claimed is None:
                stage_code = ctx.name_maps().stages[st.stage_id]
                if self._anyone_waiting(ctx, st.stage_id):
                    msg = _(
                        "the next applicant at {stage} is being called by another station: try again", stage=stage_code
                    )
                    raise Conflict(msg)
                msg = _("nobody is waiting at {stage}", stage=stage_code)
                raise EmptyQueue(msg)
            seq = self._record(ctx, claimed, Action.CALL, Status.WAITING.value, station_id=st.id)
            return claimed, seq, None

        return self._mutate(Action.CALL, token, user, act, station=station, fast=True)

    def _claim_fast(self, ctx: ActionContext, station: str) -> TicketLike | None:
        """The fast claim (:data:`_CLAIM_CHECKED`), or None when it does not apply or took nothing."""
        cache = ctx.cache
        if cache is None or cache.ratio != 0:
            return None
        st = config_cache.station(ctx.session, cache, station)
        values = {
            "p_stage": st.stage_id,
            "p_station": st.id,
            "p_office": cache.office.id,
            "p_code": st.code,
            "p_now": ctx.now,
            **config_cache.rule_guard_params(cache),
        }
        return cast("TicketLike | None", ctx.session.connection().execute(_CLAIM_CHECKED, values).one_or_none())

    def _claim_head(self, ctx: ActionContext, st: directory.StationInfo) -> TicketLike | None:
        """Take the head of the stage's queue for ``st`` in one statement, skipping rows other calls hold."""
        values = {"p_stage": st.stage_id, "p_station": st.id, "p_now": ctx.now}
        if self._regular_turn(ctx, st.stage_id):
            row = ctx.session.connection().execute(_CLAIM_REGULAR, values).one_or_none()
            if row is not None:
                return cast("TicketLike", row)
        row = ctx.session.connection().execute(_CLAIM, values).one_or_none()
        return cast("TicketLike | None", row)

    def _regular_turn(self, ctx: ActionContext, stage_id: int) -> bool:
        """Whether the office's ``priority_ratio`` (N > 0) gives this call to a regular applicant: a priority
        applicant was called at the stage fewer than N calls ago (today)."""
        ratio = int(rules.rules_of(ctx.session, ctx.office.id)["priority_ratio"])
        if ratio <= 0:
            return False
        start = dt.datetime.combine(self._today(ctx), dt.time(), tzinfo=ZoneInfo(ctx.office.timezone))
        levels = ctx.session.scalars(
            select(Ticket.priority_level)
            .join(Event, Event.ticket_id == Ticket.id)
            .where(Event.stage_id == stage_id, Event.kind == Action.CALL.value, Event.created_at >= start)
            .order_by(Event.seq.desc())
            .limit(ratio)
        ).all()
        return any(level > 0 for level in levels)

    def _anyone_waiting(self, ctx: ActionContext, stage_id: int) -> bool:
        found = ctx.session.scalar(
            select(Ticket.id).where(Ticket.stage_id == stage_id, Ticket.status == Status.WAITING.value).limit(1)
        )
        return found is not None

    def call(
        self,
        ticket: str,
        station: str,
        reason: str,
        *,
        token: str | None = None,
        user: str | None = None,
    ) -> Result:
        """Call a specific waiting ticket, out of order: the reason and who called are recorded."""
        why = clean_reason(reason, required=True)

        def act(ctx: ActionContext) -> tuple[TicketLike, PendingEvent, int | None]:
            st = self._station(ctx, station)
            self._refuse_if_busy(ctx, st)
            self._refuse_if_paused(ctx, st)
            t = self._find_ticket(ctx, ticket)
            if t.stage_id != st.stage_id:
                names = ctx.name_maps()
                msg = _(
                    "{number} waits at {stage}, not at {station_stage} where {station} calls",
                    number=t.number,
                    stage=names.stages[t.stage_id],
                    station_stage=names.stages[st.stage_id],
                    station=st.code,
                )
                raise InvalidInput(msg)
            head = ctx.session.scalar(
                select(Ticket.id)
                .where(Ticket.stage_id == st.stage_id, Ticket.status == Status.WAITING.value)
                .order_by(*call_order())
                .limit(1)
            )
            seq = self._call_specific(ctx, t, st, why, out_of_order=head != t.id)
            return t, seq, None

        return self._mutate(Action.CALL, token, user, act, station=station)

    def _call_specific(
        self, ctx: ActionContext, t: Ticket, st: directory.StationInfo, why: str | None, *, out_of_order: bool
    ) -> PendingEvent:
        return self._transition(
            ctx,
            t,
            Action.CALL,
            station_id=st.id,
            reason=why,
            data={"out_of_order": out_of_order},
            called_at=ctx.now,
            call_count=t.call_count + 1,
            front=False,
        )

    def recall(
        self, station: str, *, ticket: str | None = None, token: str | None = None, user: str | None = None
    ) -> Result:
        """Call the station's ticket again (display and voice repeat it)."""

        def act(ctx: ActionContext) -> tuple[TicketLike, PendingEvent, int | None]:
            st = self._station(ctx, station)
            t = self._held(ctx, st, ticket)
            seq = self._transition(
                ctx, t, Action.RECALL, station_id=st.id, called_at=ctx.now, call_count=t.call_count + 1
            )
            return t, seq, None

        return self._mutate(Action.RECALL, token, user, act, station=station)

    def start(
        self, station: str, *, ticket: str | None = None, token: str | None = None, user: str | None = None
    ) -> Result:
        """The applicant arrived at the counter: serving starts."""

        def act(ctx: ActionContext) -> tuple[TicketLike, PendingEvent, int | None]:
            st = self._station(ctx, station)
            t = self._held(ctx, st, ticket)
            return t, self._transition(ctx, t, Action.START, station_id=st.id, started_at=ctx.now), None

        return self._mutate(Action.START, token, user, act, station=station)

    def no_show(
        self, station: str, *, ticket: str | None = None, token: str | None = None, user: str | None = None
    ) -> Result:
        """The called applicant did not come; the station is free. Recoverable within a tolerance.

        Not before the office's ``no_show_after_seconds`` since the last call (:class:`NoShowTooEarly` says how
        long to wait): the applicant needs time to hear the call and walk to the booth."""

        def act(ctx: ActionContext) -> tuple[TicketLike, PendingEvent, int | None]:
            st = self._station(ctx, station)
            t = self._held(ctx, st, ticket)
            self._no_show_grace(ctx, t)
            return t, self._transition(ctx, t, Action.NO_SHOW, station_id=st.id, no_show_at=ctx.now), None

        return self._mutate(Action.NO_SHOW, token, user, act, station=station)

    def _no_show_grace(self, ctx: ActionContext, t: Ticket) -> None:
        grace = int(rules.rules_of(ctx.session, ctx.office.id)["no_show_after_seconds"])
        if t.called_at is None or grace <= 0:
            return
        left = int((t.called_at + dt.timedelta(seconds=grace) - ctx.now).total_seconds())
        if left > 0:
            since = max(0, int((ctx.now - t.called_at).total_seconds()))
            msg = _(
                "{number} was called {since} ago: wait {left} more before marking no-show (the applicant may "
                "still be on the way)",
                number=t.number,
                since=clock_text(since),
                left=clock_text(left),
            )
            raise NoShowTooEarly(msg, wait_seconds=left)

    def finish(
        self,
        station: str,
        *,
        ticket: str | None = None,
        outcome: str | None = None,
        reason: str | None = None,
        token: str | None = None,
        user: str | None = None,
    ) -> Result:
        """Done with the applicant at this station (optionally with an outcome, e.g. approved/rejected)."""
        why = clean_reason(reason, required=False)
        if outcome is not None and not re.fullmatch(r"[a-z_]{1,32}", outcome):
            msg = _("outcome must be a short lower-case word like 'approved', not {outcome!r}", outcome=outcome)
            raise InvalidInput(msg)

        def act(ctx: ActionContext) -> tuple[TicketLike, PendingEvent, int | None]:
            data: dict[str, object] | None = {"outcome": outcome} if outcome else None
            changes = {"finished_at": ctx.now, "outcome": outcome}
            t: TicketLike | None = self._held_fast(ctx, station, ticket)
            if t is not None:
                t, seq = self._transition_row(
                    ctx, t, Action.FINISH, station_id=t.station_id, reason=why, data=data, **changes
                )
            else:
                self._careful(ctx)
                st = self._station(ctx, station)
                held = self._held(ctx, st, ticket)
                seq = self._transition(ctx, held, Action.FINISH, station_id=st.id, reason=why, data=data, **changes)
                t = held
            if outcome in pickups.DECISIONS:
                pickups.record_decision(ctx.session, t.id, outcome, ctx.now)
            return t, seq, None

        return self._mutate(Action.FINISH, token, user, act, station=station, fast=True)

    def _held_fast(self, ctx: ActionContext, station: str, number: str | None) -> TicketLike | None:
        """The ticket the cached station holds, row-locked (:data:`_HELD_CHECKED`); None: take the careful path."""
        cache = ctx.cache
        if cache is None:
            return None
        st = config_cache.station(ctx.session, cache, station)
        values = {"p_station": st.id, "p_office": cache.office.id, "p_code": st.code}
        row = ctx.session.connection().execute(_HELD_CHECKED, values).one_or_none()
        if row is None or (number is not None and row.number != number.strip().upper()):
            return None
        return cast("TicketLike", row)

    # ------------------------------------------------------------------ putting back, passing on

    def _target(
        self, ctx: ActionContext, station: str | None, ticket: str | None
    ) -> tuple[Ticket, directory.StationInfo | None]:
        if station is not None:
            st = self._station(ctx, station)
            return self._held(ctx, st, ticket), st
        if ticket is None:
            msg = _("name the ticket (--ticket) or the station holding it (--station)")
            raise InvalidInput(msg)
        return self._find_ticket(ctx, ticket), None

    def return_to_queue(
        self,
        *,
        station: str | None = None,
        ticket: str | None = None,
        position: str = "end",
        reason: str | None = None,
        token: str | None = None,
        user: str | None = None,
    ) -> Result:
        """Put a called, serving or no-show ticket back into its stage's queue, at the front or the end."""
        front = check_position(position)
        why = clean_reason(reason, required=False)

        def act(ctx: ActionContext) -> tuple[TicketLike, PendingEvent, int | None]:
            t, st = self._target(ctx, station, ticket)
            if t.status == Status.NO_SHOW.value:
                self._within_tolerance(ctx, t)
            seq = self._transition(
                ctx,
                t,
                Action.RETURN,
                station_id=st.id if st else None,
                reason=why,
                data={"position": position},
                front=front,
                queue_key=ctx.now,
                queued_at=ctx.now,
                called_at=None,
                started_at=None,
            )
            return t, seq, self._ahead(ctx.session, t)

        return self._mutate(Action.RETURN, token, user, act, station=station)

    def _within_tolerance(self, ctx: ActionContext, t: Ticket) -> None:
        tolerance = dt.timedelta(minutes=ctx.office.no_show_tolerance_minutes)
        marked = t.no_show_at or t.updated_at
        if ctx.now - marked > tolerance:
            when = office_local(marked, ctx.office.timezone).strftime("%H:%M")
            msg = _(
                "{number} was marked no-show at {time}, more than {minutes} minutes ago: issue a new ticket",
                number=t.number,
                time=when,
                minutes=ctx.office.no_show_tolerance_minutes,
            )
            raise InvalidTransition(msg)

    def transfer(
        self,
        to_stage: str,
        *,
        station: str | None = None,
        ticket: str | None = None,
        position: str = "end",
        reason: str | None = None,
        token: str | None = None,
        user: str | None = None,
    ) -> Result:
        """Pass the ticket on to another stage's queue (interview -> adjudication, ...)."""
        front = check_position(position)
        why = clean_reason(reason, required=False)

        def act(ctx: ActionContext) -> tuple[TicketLike, PendingEvent, int | None]:
            t, st = self._target(ctx, station, ticket)
            target = directory.stage_info(ctx.session, ctx.office.id, to_stage)
            if target.id == t.stage_id:
                msg = _(
                    "{number} is already at {stage}: use 'return' to put it back in that queue",
                    number=t.number,
                    stage=target.code,
                )
                raise InvalidInput(msg)
            from_stage = ctx.name_maps().stages[t.stage_id]
            if t.status == Status.WAITING.value and st is None and why is None:
                msg = _("moving a waiting ticket to another stage needs a reason (it is recorded)")
                raise InvalidInput(msg)
            seq = self._transition(
                ctx,
                t,
                Action.TRANSFER,
                station_id=st.id if st else None,
                reason=why,
                data={"from_stage": from_stage, "to_stage": target.code, "position": position},
                stage_id=target.id,
                front=front,
                queue_key=ctx.now,
                queued_at=ctx.now,
                called_at=None,
                started_at=None,
                call_count=0,
            )
            return t, seq, self._ahead(ctx.session, t)

        return self._mutate(Action.TRANSFER, token, user, act, station=station)

    # ------------------------------------------------------------------ reading

    def timezone(self) -> str:
        """The office's time zone (for showing stored UTC times as the office's local time)."""
        with self.db.read() as session:
            return directory.office_info(session, self.office_code).timezone

    def ticket(self, number: str) -> TicketView:
        with self.db.read() as session:
            ctx = self._ctx(session, None)
            return self._view(ctx, self._find_ticket(ctx, number, lock=False))

    def status(self, *, stage: str | None = None, station: str | None = None) -> QueueStatus:
        """A stage's queue in call order with waiting times, and what its stations hold (read as plain rows)."""
        return queue_status.read(self.db, self.office_code, self.clock.now(), stage=stage, station=station)

    def estimates(self) -> list[StageEstimate]:
        """Waiting count, open stations, service time and estimated wait for every stage, in flow order."""
        with self.db.read() as session:
            ctx = self._ctx(session, None)
            stages = session.scalars(select(Stage).where(Stage.office_id == ctx.office.id).order_by(Stage.position))
            return [estimate_stage(session, stage, ctx.now) for stage in stages]

    def events(self, after: int = 0, limit: int = 1000) -> list[EventView]:
        """Events with a sequence number above ``after``, oldest first (the change feed)."""
        if after < 0 or limit < 1:
            msg = _("--after must be >= 0 and --limit >= 1")
            raise InvalidInput(msg)
        if after > MAX_EVENT_SEQ or limit > MAX_EVENTS:
            msg = _(
                "--after must be at most {after} and --limit at most {limit}",
                after=MAX_EVENT_SEQ,
                limit=MAX_EVENTS,
            )
            raise InvalidInput(msg)
        with self.db.read() as session:
            ctx = self._ctx(session, None)
            names = directory.Names(session, ctx.office.id)  # fresh: users and stations may have been added
            rows = session.scalars(
                select(Event)
                .where(Event.office_id == ctx.office.id, Event.seq > after)
                .order_by(Event.seq)
                .limit(limit)
            )
            return [EventView.from_row(e, names.stages, names.stations, names.users) for e in rows]

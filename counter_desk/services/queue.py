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
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, false, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from counter_desk.clock import Clock, SystemClock, office_day, office_local
from counter_desk.errors import (
    Conflict,
    EmptyQueue,
    InvalidInput,
    InvalidTransition,
    NotFound,
    WrongDay,
    WrongOffice,
)
from counter_desk.services import directory
from counter_desk.services.views import (
    EventView,
    QueueStatus,
    Result,
    StationState,
    TicketView,
    WaitingTicket,
)
from counter_desk.states import HELD, Action, Status, check
from counter_desk.store.engine import Database
from counter_desk.store.journal import append_event, next_ticket_seq
from counter_desk.store.models import Booking, Category, Event, IdempotencyKey, Office, Stage, Station, Ticket

TICKET_NUMBER = re.compile(r"^[A-Z]{1,4}-\d{1,5}$")
MAX_TOKEN = 64
MAX_REASON = 500
POSITIONS = ("front", "end")

#: Call order inside a stage: returned-to-front first, then priority level, then slot or arrival, then id.
CALL_ORDER = (Ticket.front.desc(), Ticket.priority_level.desc(), Ticket.queue_key, Ticket.id)


@dataclass
class _Ctx:
    """What one action knows about where it runs."""

    session: Session
    office: Office
    now: dt.datetime
    user_id: int | None
    names: directory.Names | None = None

    def name_maps(self) -> directory.Names:
        if self.names is None:
            self.names = directory.Names(self.session, self.office.id)
        return self.names


def _format_number(prefix: str, seq: int) -> str:
    return f"{prefix}-{seq:03d}"


def _clean_reason(reason: str | None, *, required: bool) -> str | None:
    cleaned = " ".join((reason or "").split())
    if not cleaned:
        if required:
            msg = "a reason is required for this action (it is recorded with your name)"
            raise InvalidInput(msg)
        return None
    if len(cleaned) > MAX_REASON:
        msg = f"the reason is too long ({len(cleaned)} characters, at most {MAX_REASON})"
        raise InvalidInput(msg)
    return cleaned


def _check_token(token: str | None) -> str | None:
    if token is None:
        return None
    if not token or len(token) > MAX_TOKEN or not token.isprintable():
        msg = f"an idempotency token is 1 to {MAX_TOKEN} printable characters"
        raise InvalidInput(msg)
    return token


def _check_position(position: str) -> bool:
    if position not in POSITIONS:
        msg = f"position must be 'front' or 'end', not {position!r}"
        raise InvalidInput(msg)
    return position == "front"


class QueueService:
    """The queue's use cases for one office. Thread-safe: each call opens its own session."""

    def __init__(self, db: Database, *, clock: Clock | None = None, office: str | None = None) -> None:
        self.db = db
        self.clock: Clock = clock or SystemClock()
        self.office_code = office

    # ------------------------------------------------------------------ plumbing

    def _ctx(self, session: Session, user: str | None) -> _Ctx:
        office = directory.office(session, self.office_code)
        found = directory.user(session, user)
        if found is not None and found.office_id != office.id:
            msg = f"user {user!r} belongs to another office"
            raise WrongOffice(msg)
        return _Ctx(session, office, self.clock.now(), found.id if found else None)

    def _view(self, ctx: _Ctx, ticket: Ticket) -> TicketView:
        names = ctx.name_maps()
        booking_code = None
        if ticket.booking_id is not None:
            booking_code = ctx.session.scalar(select(Booking.code).where(Booking.id == ticket.booking_id))
        return TicketView(
            id=ticket.id,
            number=ticket.number,
            day=ticket.day,
            status=ticket.status,
            stage=names.stages[ticket.stage_id],
            station=names.stations[ticket.station_id] if ticket.station_id is not None else None,
            category=names.categories[ticket.category_id],
            priority_level=ticket.priority_level,
            front=ticket.front,
            booking_code=booking_code,
            created_at=ticket.created_at,
            queued_at=ticket.queued_at,
            called_at=ticket.called_at,
            started_at=ticket.started_at,
            finished_at=ticket.finished_at,
            call_count=ticket.call_count,
            outcome=ticket.outcome,
        )

    def _mutate(
        self,
        action: Action,
        token: str | None,
        user: str | None,
        act: Callable[[_Ctx], tuple[Ticket, int, int | None]],
        station: str | None = None,
    ) -> Result:
        """Run one action in one transaction, with idempotency and constraint errors made readable."""
        token = _check_token(token)
        try:
            with self.db.write() as session:
                ctx = self._ctx(session, user)
                if token is not None:
                    replay = self._replay(ctx, token, action)
                    if replay is not None:
                        return replay
                ticket, seq, ahead = act(ctx)
                if token is not None:
                    station_id = ticket.station_id
                    if station is not None:
                        station_id = directory.station(session, ctx.office.id, station).id
                    session.add(
                        IdempotencyKey(
                            token=token,
                            action=action.value,
                            ticket_id=ticket.id,
                            station_id=station_id,
                            created_at=ctx.now,
                        )
                    )
                    session.flush()
                return Result(self._view(ctx, ticket), seq, ahead=ahead)
        except IntegrityError as exc:
            return self._after_integrity_error(exc, action, token)

    def _replay(self, ctx: _Ctx, token: str, action: Action) -> Result | None:
        prior = ctx.session.get(IdempotencyKey, token)
        if prior is None:
            return None
        if prior.action != action.value:
            msg = f"this request's token was already used for another action ({prior.action})"
            raise InvalidInput(msg)
        ticket = ctx.session.get(Ticket, prior.ticket_id)
        assert ticket is not None  # foreign key
        return Result(self._view(ctx, ticket), None, replayed=True)

    def _after_integrity_error(self, exc: IntegrityError, action: Action, token: str | None) -> Result:
        text = str(exc.orig)
        if token is not None and ("idempotency_keys" in text or "pk_idempotency_keys" in text):
            # A concurrent attempt with the same token won the race: hand back what it did.
            with self.db.read() as session:
                replay = self._replay(self._ctx(session, None), token, action)
            if replay is not None:
                return replay
        if "uq_tickets_live_station" in text or "tickets.station_id" in text:
            msg = "this station already holds a ticket (another window was faster): finish or return it first"
            raise Conflict(msg) from exc
        if "booking_id" in text:
            msg = "this booking was checked in a moment ago at another counter"
            raise Conflict(msg) from exc
        raise exc

    def _record(
        self,
        ctx: _Ctx,
        ticket: Ticket,
        action: Action,
        before: str | None,
        *,
        station_id: int | None,
        reason: str | None = None,
        data: dict[str, object] | None = None,
    ) -> int:
        return append_event(
            ctx.session,
            office_id=ctx.office.id,
            kind=action.value,
            at=ctx.now,
            ticket_id=ticket.id,
            number=ticket.number,
            from_status=before,
            to_status=ticket.status,
            stage_id=ticket.stage_id,
            station_id=station_id,
            user_id=ctx.user_id,
            reason=reason,
            data=data,
        )

    def _transition(
        self,
        ctx: _Ctx,
        ticket: Ticket,
        action: Action,
        *,
        station_id: int | None,
        reason: str | None = None,
        data: dict[str, object] | None = None,
        **changes: object,
    ) -> int:
        """Apply ``action`` to a locked ticket and record it: the one place a ticket's state changes."""
        before = ticket.status
        target = check(action, Status(before), ticket.number)
        ticket.status = target.value
        for column, value in changes.items():
            setattr(ticket, column, value)
        # A held ticket belongs to the acting station; any other state frees the station.
        ticket.station_id = station_id if target in HELD else None
        ticket.updated_at = ctx.now
        ctx.session.flush()
        return self._record(ctx, ticket, action, before, station_id=station_id, reason=reason, data=data)

    def _station(self, ctx: _Ctx, code: str) -> Station:
        return directory.station(ctx.session, ctx.office.id, code)

    def _lock_ticket(self, ctx: _Ctx, number: str) -> Ticket:
        """The ticket with ``number`` (the most recent day's: numbers restart daily), row-locked."""
        wanted = number.strip().upper()
        if not TICKET_NUMBER.match(wanted):
            msg = f"{number!r} is not a ticket number (like A-012)"
            raise InvalidInput(msg)
        ticket = ctx.session.scalars(
            select(Ticket)
            .where(Ticket.office_id == ctx.office.id, Ticket.number == wanted)
            .order_by(Ticket.day.desc())
            .limit(1)
            .with_for_update()
        ).one_or_none()
        if ticket is None:
            msg = f"no ticket {wanted} in this office"
            raise NotFound(msg)
        return ticket

    def _held(self, ctx: _Ctx, station: Station, number: str | None) -> Ticket:
        """The ticket ``station`` holds, row-locked; ``number``, if given, must be that ticket."""
        ticket = ctx.session.scalars(
            select(Ticket)
            .where(Ticket.station_id == station.id, Ticket.status.in_([s.value for s in HELD]))
            .with_for_update()
        ).one_or_none()
        if ticket is None:
            if number is not None:
                other = self._lock_ticket(ctx, number)
                msg = f"station {station.code} does not hold {other.number} (it is {other.status})"
                raise InvalidTransition(msg)
            msg = f"station {station.code} holds no ticket: call one first"
            raise InvalidTransition(msg)
        if number is not None and ticket.number != number.strip().upper():
            msg = f"station {station.code} holds {ticket.number}, not {number.strip().upper()}"
            raise InvalidTransition(msg)
        return ticket

    def _refuse_if_busy(self, ctx: _Ctx, station: Station) -> None:
        held = ctx.session.scalars(
            select(Ticket.number).where(Ticket.station_id == station.id, Ticket.status.in_([s.value for s in HELD]))
        ).first()
        if held is not None:
            msg = f"station {station.code} already holds {held}: finish, return or mark it no-show first"
            raise Conflict(msg)

    def _ahead(self, session: Session, ticket: Ticket) -> int:
        """How many waiting tickets of the same stage will be called before ``ticket``."""
        t = ticket
        before: ColumnElement[bool] = or_(
            Ticket.front.is_(True) if not t.front else false(),
            and_(Ticket.front == t.front, Ticket.priority_level > t.priority_level),
            and_(
                Ticket.front == t.front,
                Ticket.priority_level == t.priority_level,
                or_(Ticket.queue_key < t.queue_key, and_(Ticket.queue_key == t.queue_key, Ticket.id < t.id)),
            ),
        )
        count = session.scalar(
            select(func.count())
            .select_from(Ticket)
            .where(
                Ticket.stage_id == t.stage_id,
                Ticket.status == Status.WAITING.value,
                Ticket.id != t.id,
                before,
            )
        )
        return int(count or 0)

    def _today(self, ctx: _Ctx) -> dt.date:
        return office_day(ctx.now, ctx.office.timezone)

    # ------------------------------------------------------------------ check-in

    def check_in(
        self,
        code: str | None = None,
        *,
        walk_in: str | None = None,
        station: str | None = None,
        token: str | None = None,
        user: str | None = None,
    ) -> Result:
        """Issue a ticket for a booking (its code or application number) or a walk-in of a category."""
        if (code is None) == (walk_in is None):
            msg = "check in either a booking code / application number or a walk-in category, not both"
            raise InvalidInput(msg)

        def act(ctx: _Ctx) -> tuple[Ticket, int, int | None]:
            at = self._station(ctx, station) if station else None
            today = self._today(ctx)
            booking = None
            if code is not None:
                booking = self._bookable(ctx, code, today)
                category = ctx.session.get_one(Category, booking.category_id)
            else:
                assert walk_in is not None
                category = directory.category(ctx.session, ctx.office.id, walk_in)
                if not category.walk_in:
                    allowed = ", ".join(directory.walk_in_codes(ctx.session, ctx.office.id))
                    msg = f"category {walk_in!r} needs a booking; walk-in categories are: {allowed}"
                    raise InvalidInput(msg)
            queue_key = ctx.now
            if booking is not None and booking.slot_start is not None and ctx.office.queue_order == "slot":
                queue_key = dt.datetime.combine(today, booking.slot_start, tzinfo=ZoneInfo(ctx.office.timezone))
            seq = next_ticket_seq(ctx.session, ctx.office.id, today, category.prefix)
            ticket = Ticket(
                office_id=ctx.office.id,
                day=today,
                prefix=category.prefix,
                seq=seq,
                number=_format_number(category.prefix, seq),
                category_id=category.id,
                booking_id=booking.id if booking else None,
                stage_id=category.start_stage_id,
                station_id=None,
                status=Status.WAITING.value,
                priority_level=category.priority_level,
                front=False,
                queue_key=queue_key,
                created_at=ctx.now,
                queued_at=ctx.now,
                updated_at=ctx.now,
                call_count=0,
            )
            check(Action.CHECK_IN, None)
            ctx.session.add(ticket)
            if booking is not None:
                booking.status = "checked_in"
            ctx.session.flush()
            event = self._record(
                ctx,
                ticket,
                Action.CHECK_IN,
                None,
                station_id=at.id if at else None,
                data={"booking": booking.code} if booking else {"walk_in": category.code},
            )
            return ticket, event, self._ahead(ctx.session, ticket)

        return self._mutate(Action.CHECK_IN, token, user, act, station=station)

    def _bookable(self, ctx: _Ctx, code: str, today: dt.date) -> Booking:
        wanted = code.strip()
        if not wanted or len(wanted) > 64 or not wanted.isprintable():
            msg = "empty or unreadable booking code: scan again or type the application number"
            raise InvalidInput(msg)
        matches = or_(
            func.upper(Booking.code) == wanted.upper(),
            func.upper(Booking.application_number) == wanted.upper(),
        )
        booking = ctx.session.scalars(
            select(Booking).where(Booking.office_id == ctx.office.id, matches).with_for_update()
        ).first()
        if booking is None:
            elsewhere = ctx.session.scalars(
                select(Office.name).join(Booking, Booking.office_id == Office.id).where(matches)
            ).first()
            if elsewhere is not None:
                msg = f"booking {wanted} is for {elsewhere}, not {ctx.office.name}: send the applicant there"
                raise WrongOffice(msg)
            msg = f"no booking with code or application number {wanted}: check it, or issue a walk-in ticket"
            raise NotFound(msg)
        if booking.status == "cancelled":
            msg = f"booking {booking.code} was cancelled"
            raise Conflict(msg)
        if booking.status == "checked_in":
            ticket = ctx.session.scalars(select(Ticket).where(Ticket.booking_id == booking.id)).first()
            when = office_local(ticket.created_at, ctx.office.timezone).strftime("%H:%M") if ticket else "?"
            number = ticket.number if ticket else "?"
            msg = f"booking {booking.code} is already checked in: ticket {number}, issued at {when}"
            raise Conflict(msg)
        if booking.slot_date != today:
            msg = (
                f"booking {booking.code} is for {booking.slot_date:%A %d %B %Y}, not today "
                f"({today:%d %B %Y}): the applicant must come on the booked day or reschedule"
            )
            raise WrongDay(msg)
        return booking

    # ------------------------------------------------------------------ calling

    def call_next(self, station: str, *, token: str | None = None, user: str | None = None) -> Result:
        """Claim the head of the station's stage queue for the station."""

        def act(ctx: _Ctx) -> tuple[Ticket, int, int | None]:
            st = self._station(ctx, station)
            self._refuse_if_busy(ctx, st)
            head = (
                select(Ticket.id)
                .where(Ticket.stage_id == st.stage_id, Ticket.status == Status.WAITING.value)
                .order_by(*CALL_ORDER)
                .limit(1)
                .with_for_update(skip_locked=True)
                .cte("head")
                .prefix_with("MATERIALIZED")
            )
            claimed = ctx.session.scalars(
                update(Ticket)
                .where(Ticket.id == select(head.c.id).scalar_subquery())
                .values(
                    status=Status.CALLED.value,
                    station_id=st.id,
                    called_at=ctx.now,
                    call_count=Ticket.call_count + 1,
                    front=False,
                    updated_at=ctx.now,
                )
                .returning(Ticket)
                .execution_options(synchronize_session=False)
            ).one_or_none()
            if claimed is None:
                stage_code = ctx.name_maps().stages[st.stage_id]
                msg = f"nobody is waiting at {stage_code}"
                raise EmptyQueue(msg)
            seq = self._record(ctx, claimed, Action.CALL, Status.WAITING.value, station_id=st.id)
            return claimed, seq, None

        return self._mutate(Action.CALL, token, user, act, station=station)

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
        why = _clean_reason(reason, required=True)

        def act(ctx: _Ctx) -> tuple[Ticket, int, int | None]:
            st = self._station(ctx, station)
            self._refuse_if_busy(ctx, st)
            t = self._lock_ticket(ctx, ticket)
            if t.stage_id != st.stage_id:
                names = ctx.name_maps()
                msg = (
                    f"{t.number} waits at {names.stages[t.stage_id]}, "
                    f"not at {names.stages[st.stage_id]} where {st.code} calls"
                )
                raise InvalidInput(msg)
            head = ctx.session.scalar(
                select(Ticket.id)
                .where(Ticket.stage_id == st.stage_id, Ticket.status == Status.WAITING.value)
                .order_by(*CALL_ORDER)
                .limit(1)
            )
            seq = self._call_specific(ctx, t, st, why, out_of_order=head != t.id)
            return t, seq, None

        return self._mutate(Action.CALL, token, user, act, station=station)

    def _call_specific(self, ctx: _Ctx, t: Ticket, st: Station, why: str | None, *, out_of_order: bool) -> int:
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

        def act(ctx: _Ctx) -> tuple[Ticket, int, int | None]:
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

        def act(ctx: _Ctx) -> tuple[Ticket, int, int | None]:
            st = self._station(ctx, station)
            t = self._held(ctx, st, ticket)
            return t, self._transition(ctx, t, Action.START, station_id=st.id, started_at=ctx.now), None

        return self._mutate(Action.START, token, user, act, station=station)

    def no_show(
        self, station: str, *, ticket: str | None = None, token: str | None = None, user: str | None = None
    ) -> Result:
        """The called applicant did not come; the station is free. Recoverable within a tolerance."""

        def act(ctx: _Ctx) -> tuple[Ticket, int, int | None]:
            st = self._station(ctx, station)
            t = self._held(ctx, st, ticket)
            return t, self._transition(ctx, t, Action.NO_SHOW, station_id=st.id, no_show_at=ctx.now), None

        return self._mutate(Action.NO_SHOW, token, user, act, station=station)

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
        why = _clean_reason(reason, required=False)
        if outcome is not None and not re.fullmatch(r"[a-z_]{1,32}", outcome):
            msg = f"outcome must be a short lower-case word like 'approved', not {outcome!r}"
            raise InvalidInput(msg)

        def act(ctx: _Ctx) -> tuple[Ticket, int, int | None]:
            st = self._station(ctx, station)
            t = self._held(ctx, st, ticket)
            seq = self._transition(
                ctx,
                t,
                Action.FINISH,
                station_id=st.id,
                reason=why,
                data={"outcome": outcome} if outcome else None,
                finished_at=ctx.now,
                outcome=outcome,
            )
            return t, seq, None

        return self._mutate(Action.FINISH, token, user, act, station=station)

    # ------------------------------------------------------------------ putting back, passing on

    def _target(self, ctx: _Ctx, station: str | None, ticket: str | None) -> tuple[Ticket, Station | None]:
        if station is not None:
            st = self._station(ctx, station)
            return self._held(ctx, st, ticket), st
        if ticket is None:
            msg = "name the ticket (--ticket) or the station holding it (--station)"
            raise InvalidInput(msg)
        return self._lock_ticket(ctx, ticket), None

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
        front = _check_position(position)
        why = _clean_reason(reason, required=False)

        def act(ctx: _Ctx) -> tuple[Ticket, int, int | None]:
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

    def _within_tolerance(self, ctx: _Ctx, t: Ticket) -> None:
        tolerance = dt.timedelta(minutes=ctx.office.no_show_tolerance_minutes)
        marked = t.no_show_at or t.updated_at
        if ctx.now - marked > tolerance:
            when = office_local(marked, ctx.office.timezone).strftime("%H:%M")
            msg = (
                f"{t.number} was marked no-show at {when}, more than "
                f"{ctx.office.no_show_tolerance_minutes} minutes ago: issue a new ticket"
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
        front = _check_position(position)
        why = _clean_reason(reason, required=False)

        def act(ctx: _Ctx) -> tuple[Ticket, int, int | None]:
            t, st = self._target(ctx, station, ticket)
            target: Stage = directory.stage(ctx.session, ctx.office.id, to_stage)
            if target.id == t.stage_id:
                msg = f"{t.number} is already at {target.code}: use 'return' to put it back in that queue"
                raise InvalidInput(msg)
            from_stage = ctx.name_maps().stages[t.stage_id]
            if t.status == Status.WAITING.value and st is None and why is None:
                msg = "moving a waiting ticket to another stage needs a reason (it is recorded)"
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
            return directory.office(session, self.office_code).timezone

    def ticket(self, number: str) -> TicketView:
        with self.db.read() as session:
            ctx = self._ctx(session, None)
            return self._view(ctx, self._lock_ticket_readonly(ctx, number))

    def _lock_ticket_readonly(self, ctx: _Ctx, number: str) -> Ticket:
        wanted = number.strip().upper()
        if not TICKET_NUMBER.match(wanted):
            msg = f"{number!r} is not a ticket number (like A-012)"
            raise InvalidInput(msg)
        found = ctx.session.scalars(
            select(Ticket)
            .where(Ticket.office_id == ctx.office.id, Ticket.number == wanted)
            .order_by(Ticket.day.desc())
            .limit(1)
        ).one_or_none()
        if found is None:
            msg = f"no ticket {wanted} in this office"
            raise NotFound(msg)
        return found

    def status(self, *, stage: str | None = None, station: str | None = None) -> QueueStatus:
        """A stage's queue in call order with waiting times, and what its stations hold."""
        if (stage is None) == (station is None):
            msg = "ask for the status of a stage or of a station"
            raise InvalidInput(msg)
        with self.db.read() as session:
            ctx = self._ctx(session, None)
            if station is not None:
                st = self._station(ctx, station)
                stg = session.get_one(Stage, st.stage_id)
                stations = [st]
            else:
                assert stage is not None
                stg = directory.stage(session, ctx.office.id, stage)
                stations = list(
                    session.scalars(
                        select(Station)
                        .where(Station.stage_id == stg.id, Station.active.is_(True))
                        .order_by(Station.code)
                    )
                )
            waiting = session.scalars(
                select(Ticket)
                .where(Ticket.stage_id == stg.id, Ticket.status == Status.WAITING.value)
                .order_by(*CALL_ORDER)
            )
            target = stg.wait_target_minutes * 60
            rows = []
            for t in waiting:
                view = self._view(ctx, t)
                waited = view.waited_seconds(ctx.now)
                rows.append(WaitingTicket(view, waited, waited > target))
            held = {
                t.station_id: self._view(ctx, t)
                for t in session.scalars(
                    select(Ticket).where(
                        Ticket.station_id.in_([s.id for s in stations]),
                        Ticket.status.in_([s.value for s in HELD]),
                    )
                )
            }
            return QueueStatus(
                stage=stg.code,
                stage_name=stg.name,
                wait_target_minutes=stg.wait_target_minutes,
                at=ctx.now,
                waiting=rows,
                stations=[StationState(s.code, s.name, held.get(s.id)) for s in stations],
            )

    def events(self, after: int = 0, limit: int = 1000) -> list[EventView]:
        """Events with a sequence number above ``after``, oldest first (the change feed)."""
        if after < 0 or limit < 1:
            msg = "--after must be >= 0 and --limit >= 1"
            raise InvalidInput(msg)
        with self.db.read() as session:
            ctx = self._ctx(session, None)
            names = ctx.name_maps()
            rows = session.scalars(
                select(Event)
                .where(Event.office_id == ctx.office.id, Event.seq > after)
                .order_by(Event.seq)
                .limit(limit)
            )
            return [
                EventView(
                    seq=e.seq,
                    kind=e.kind,
                    at=e.created_at,
                    ticket_id=e.ticket_id,
                    number=e.number,
                    from_status=e.from_status,
                    to_status=e.to_status,
                    stage=names.stages.get(e.stage_id) if e.stage_id else None,
                    station=names.stations.get(e.station_id) if e.station_id else None,
                    user=names.users.get(e.user_id) if e.user_id else None,
                    reason=e.reason,
                    data=dict(e.data or {}),
                )
                for e in rows
            ]

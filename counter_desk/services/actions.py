"""What every ticket action shares: one transaction, idempotency, the state change and its event, lookups.

:class:`QueueCore` is the base of :class:`counter_desk.services.queue.QueueService`, which holds the actions.
Every action runs through :meth:`QueueCore._mutate` (one transaction, idempotency token, readable constraint
errors) and changes a ticket only through :meth:`QueueCore._transition` (state machine check + event).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningUpdate

from counter_desk.clock import Clock, SystemClock, office_day
from counter_desk.errors import (
    Conflict,
    InvalidInput,
    InvalidTransition,
    NotFound,
    WrongOffice,
)
from counter_desk.i18n import _
from counter_desk.services import checkin_info, config_cache, directory, roles
from counter_desk.services.estimate import estimate_stage
from counter_desk.services.views import (
    POSITIONS,
    CheckInInfo,
    Result,
    TicketLike,
    TicketView,
)
from counter_desk.states import HELD, Action, Status, check, status_label
from counter_desk.store import schema
from counter_desk.store.call_order import called_before
from counter_desk.store.engine import Database
from counter_desk.store.journal import append_event, next_ticket_seq
from counter_desk.store.models import Booking, Category, IdempotencyKey, Stage, Ticket

_tickets = schema.tickets

#: Prebuilt UPDATE ... RETURNING statements of :meth:`QueueCore._transition_row`, by the columns they set.
_UPDATES: dict[frozenset[str], ReturningUpdate[Any]] = {}


def _update_returning(columns: frozenset[str]) -> ReturningUpdate[Any]:
    """``UPDATE tickets SET <columns> WHERE id = :p_id RETURNING *``, built once per set of columns."""
    found = _UPDATES.get(columns)
    if found is None:
        values = {name: bindparam(name, type_=_tickets.c[name].type) for name in columns}
        found = update(_tickets).where(_tickets.c.id == bindparam("p_id")).values(values).returning(*_tickets.c)
        _UPDATES[columns] = found
    return found


TICKET_NUMBER = re.compile(r"^[A-Z]{1,4}-\d{1,5}$")
MAX_TOKEN = 64
MAX_REASON = 500


@dataclass
class ActionContext:
    """What one action knows about where it runs."""

    session: Session
    office: directory.OfficeInfo
    now: dt.datetime
    user_id: int | None
    names: directory.Names | None = None
    #: Set by a check-in: what reception checks against the ID card (goes on the Result).
    check_in: CheckInInfo | None = None
    #: The configuration cache, for an action with a fast path (``office`` then came from it): see
    #: :mod:`counter_desk.services.config_cache`. None once the action read the office fresh.
    cache: config_cache.OfficeCache | None = None

    def name_maps(self) -> directory.Names:
        if self.names is None:
            self.names = directory.Names(self.session, self.office.id)
        return self.names


#: An event to append when the action is otherwise complete (see QueueCore._mutate).
PendingEvent = Callable[[], int]


def format_number(prefix: str, seq: int) -> str:
    return f"{prefix}-{seq:03d}"


def clean_reason(reason: str | None, *, required: bool) -> str | None:
    cleaned = " ".join((reason or "").split())
    if not cleaned:
        if required:
            msg = _("a reason is required for this action (it is recorded with your name)")
            raise InvalidInput(msg)
        return None
    if len(cleaned) > MAX_REASON:
        msg = _("the reason is too long ({length} characters, at most {limit})", length=len(cleaned), limit=MAX_REASON)
        raise InvalidInput(msg)
    return cleaned


def check_token(token: str | None) -> str | None:
    if token is None:
        return None
    if not token or len(token) > MAX_TOKEN or not token.isprintable():
        msg = _("an idempotency token is 1 to {limit} printable characters", limit=MAX_TOKEN)
        raise InvalidInput(msg)
    return token


def check_position(position: str) -> bool:
    if position not in POSITIONS:
        msg = _("position must be 'front' or 'end', not {position!r}", position=position)
        raise InvalidInput(msg)
    return position == "front"


def _holder(target: Status, station_id: int | None) -> int | None:
    """The station a ticket in state ``target`` belongs to: a held ticket to the acting station, a parked one to
    the booth it comes back to; any other state frees the station."""
    return station_id if target in HELD or target is Status.PARKED else None


class QueueCore:
    """Plumbing for the queue's use cases for one office. Thread-safe: each call opens its own session."""

    def __init__(self, db: Database, *, clock: Clock | None = None, office: str | None = None) -> None:
        self.db = db
        self.clock: Clock = clock or SystemClock()
        self.office_code = office
        self._names: dict[int, directory.Names] = {}

    # ------------------------------------------------------------------ plumbing

    def _ctx(self, session: Session, user: str | None, *, fast: bool = False) -> ActionContext:
        """Where an action runs. ``fast``: the office from the configuration cache, which the action's fast
        statement re-checks (an action that has none must not ask for it); otherwise read fresh."""
        cache = config_cache.cached(self.db, self.office_code) if fast else None
        if fast and cache is None:
            cache = config_cache.refresh(session, self.db, self.office_code, self._office(session))
        office = cache.office if cache is not None else self._office(session)
        found = directory.user(session, user)
        if found is not None and found.office_id != office.id:
            msg = _("user {user!r} belongs to another office", user=user)
            raise WrongOffice(msg)
        return ActionContext(
            session,
            office,
            self.clock.now(),
            found.id if found else None,
            names=self._names.get(office.id),
            cache=cache,
        )

    def _office(self, session: Session) -> directory.OfficeInfo:
        return directory.office_info(session, self.office_code)

    def _careful(self, ctx: ActionContext) -> None:
        """Leave the fast path: read the office fresh and refresh the configuration cache from the database."""
        if ctx.cache is None:
            return
        ctx.office = self._office(ctx.session)
        ctx.cache = None
        config_cache.refresh(ctx.session, self.db, self.office_code, ctx.office)

    def _authorise(self, ctx: ActionContext, action: Action, station: str | None, user: str) -> None:
        """Roles, enforced here and not only by the windows' buttons.

        At a station: the role of its stage's kind (reception, interview, adjudicator, pickup), or supervisor,
        who may stand in anywhere. Without a station: a check-in needs reception; moving or returning a ticket
        by its number is a supervisor's act. No user at all (a script run by whoever holds the database's
        credentials) is not checked: the database's own roles guard that door (``counter-desk db roles``).
        """
        if station is not None:
            info = directory.station_info(ctx.session, ctx.office.id, station)
            kind = ctx.session.execute(select(Stage.kind).where(Stage.id == info.stage_id)).scalar_one()
            wanted = [roles.ROLE_FOR_STAGE_KIND[kind], "supervisor"]
        elif action is Action.CHECK_IN:
            wanted = ["reception", "supervisor"]
        else:
            wanted = ["supervisor"]
        roles.require_user_role(ctx.session, user, wanted)

    def _view(
        self, ctx: ActionContext, ticket: TicketLike, booking: tuple[str, dt.time | None] | None = None
    ) -> TicketView:
        """The plain view of a ticket; ``booking`` (code, slot), when the caller already read it, saves a query."""
        names = ctx.name_maps()
        station_id = ticket.station_id
        if ticket.stage_id not in names.stages or (station_id is not None and station_id not in names.stations):
            # A stage or station added since the names were cached (ids never change meaning): read them again.
            ctx.names = None
            names = ctx.name_maps()
            self._names[ctx.office.id] = names
        if booking is None and ticket.booking_id is not None:
            row = ctx.session.execute(
                select(Booking.code, Booking.slot_start).where(Booking.id == ticket.booking_id)
            ).one()
            booking = (row.code, row.slot_start)
        return TicketView.of(ticket, names, booking)

    def _mutate(
        self,
        action: Action,
        token: str | None,
        user: str | None,
        act: Callable[[ActionContext], tuple[TicketLike, PendingEvent, int | None]],
        station: str | None = None,
        *,
        fast: bool = False,
    ) -> Result:
        """Run one action in one transaction, with idempotency and constraint errors made readable.

        The event is appended last, just before the commit: taking the event counter's row lock serialises all
        writers of the office, so nothing else may happen while it is held.
        """
        token = check_token(token)
        try:
            with self.db.write() as session:
                ctx = self._ctx(session, user, fast=fast)
                if user is not None:
                    self._authorise(ctx, action, station, user)
                if token is not None:
                    replay = self._replay(ctx, token, action)
                    if replay is not None:
                        return replay
                ticket, pending_event, ahead = act(ctx)
                if token is not None:
                    station_id = ticket.station_id
                    if station is not None:
                        station_id = self._station(ctx, station).id
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
                wait = None
                if ahead is not None:
                    stage = session.get_one(Stage, ticket.stage_id)
                    wait = estimate_stage(session, stage, ctx.now).wait_seconds(ahead)
                view = self._view(ctx, ticket)
                if ctx.names is not None:
                    self._names[ctx.office.id] = ctx.names
                seq = pending_event()
                return Result(view, seq, ahead=ahead, estimated_wait_seconds=wait, check_in=ctx.check_in)
        except IntegrityError as exc:
            return self._after_integrity_error(exc, action, token)

    def _replay(self, ctx: ActionContext, token: str, action: Action) -> Result | None:
        prior = ctx.session.get(IdempotencyKey, token)
        if prior is None:
            return None
        if prior.action != action.value:
            msg = _("this request's token was already used for another action ({action})", action=prior.action)
            raise InvalidInput(msg)
        ticket = ctx.session.get(Ticket, prior.ticket_id)
        assert ticket is not None  # foreign key
        info = None
        if action is Action.CHECK_IN:
            info = checkin_info.info_of_ticket(ctx.session, ticket.id)
        return Result(self._view(ctx, ticket), None, replayed=True, check_in=info)

    def _after_integrity_error(self, exc: IntegrityError, action: Action, token: str | None) -> Result:
        text = str(exc.orig)
        if token is not None and ("idempotency_keys" in text or "pk_idempotency_keys" in text):
            # A concurrent attempt with the same token won the race: hand back what it did.
            with self.db.read() as session:
                replay = self._replay(self._ctx(session, None), token, action)
            if replay is not None:
                return replay
        if "uq_tickets_live_station" in text or "tickets.station_id" in text:
            msg = _("this station already holds a ticket (another window was faster): finish or return it first")
            raise Conflict(msg) from exc
        if "booking_id" in text:
            msg = _("this booking was checked in a moment ago at another counter")
            raise Conflict(msg) from exc
        raise exc

    def _record(
        self,
        ctx: ActionContext,
        ticket: TicketLike,
        action: Action,
        before: str | None,
        *,
        station_id: int | None,
        reason: str | None = None,
        data: dict[str, object] | None = None,
    ) -> PendingEvent:
        return functools.partial(
            append_event,
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
        ctx: ActionContext,
        ticket: Ticket,
        action: Action,
        *,
        station_id: int | None,
        reason: str | None = None,
        data: dict[str, object] | None = None,
        **changes: object,
    ) -> PendingEvent:
        """Apply ``action`` to a locked ticket and say how to record it. A ticket's state changes here, in
        :meth:`_transition_row` (the same for a row) and in the claim of *call next* (waiting -> called), nowhere
        else."""
        before = ticket.status
        target = check(action, Status(before), ticket.number)
        ticket.status = target.value
        for column, value in changes.items():
            setattr(ticket, column, value)
        ticket.station_id = _holder(target, station_id)
        ticket.updated_at = ctx.now
        ctx.session.flush()
        return self._record(ctx, ticket, action, before, station_id=station_id, reason=reason, data=data)

    def _transition_row(
        self,
        ctx: ActionContext,
        ticket: TicketLike,
        action: Action,
        *,
        station_id: int | None,
        reason: str | None = None,
        data: dict[str, object] | None = None,
        **changes: object,
    ) -> tuple[TicketLike, PendingEvent]:
        """:meth:`_transition` for a locked ticket read as a row: one UPDATE ... RETURNING, no ORM object."""
        before = ticket.status
        target = check(action, Status(before), ticket.number)
        values = {
            **changes,
            "status": target.value,
            "station_id": _holder(target, station_id),
            "updated_at": ctx.now,
        }
        changed = (
            ctx.session.connection().execute(_update_returning(frozenset(values)), {"p_id": ticket.id, **values}).one()
        )
        after = cast("TicketLike", changed)
        return after, self._record(ctx, after, action, before, station_id=station_id, reason=reason, data=data)

    def _station(self, ctx: ActionContext, code: str) -> directory.StationInfo:
        return directory.station_info(ctx.session, ctx.office.id, code)

    def _find_ticket(self, ctx: ActionContext, number: str, *, lock: bool = True) -> Ticket:
        """The ticket with ``number`` (the most recent day's: numbers restart daily), row-locked if ``lock``."""
        wanted = number.strip().upper()
        if not TICKET_NUMBER.match(wanted):
            msg = _("{number!r} is not a ticket number (like A-012)", number=number)
            raise InvalidInput(msg)
        query = (
            select(Ticket)
            .where(Ticket.office_id == ctx.office.id, Ticket.number == wanted)
            .order_by(Ticket.day.desc())
            .limit(1)
        )
        ticket = ctx.session.scalars(query.with_for_update() if lock else query).one_or_none()
        if ticket is None:
            msg = _("no ticket {number} in this office", number=wanted)
            raise NotFound(msg)
        return ticket

    def _held(self, ctx: ActionContext, station: directory.StationInfo, number: str | None) -> Ticket:
        """The ticket ``station`` holds, row-locked; ``number``, if given, must be that ticket."""
        ticket = ctx.session.scalars(
            select(Ticket)
            .where(Ticket.station_id == station.id, Ticket.status.in_([s.value for s in HELD]))
            .with_for_update()
        ).one_or_none()
        if ticket is None:
            if number is not None:
                other = self._find_ticket(ctx, number)
                msg = _(
                    "station {station} does not hold {number} (it is {status})",
                    station=station.code,
                    number=other.number,
                    status=status_label(other.status),
                )
                raise InvalidTransition(msg)
            msg = _("station {station} holds no ticket: call one first", station=station.code)
            raise InvalidTransition(msg)
        if number is not None and ticket.number != number.strip().upper():
            msg = _(
                "station {station} holds {held}, not {number}",
                station=station.code,
                held=ticket.number,
                number=number.strip().upper(),
            )
            raise InvalidTransition(msg)
        return ticket

    def _refuse_if_busy(self, ctx: ActionContext, station: directory.StationInfo) -> None:
        held = ctx.session.scalars(
            select(Ticket.number).where(Ticket.station_id == station.id, Ticket.status.in_([s.value for s in HELD]))
        ).first()
        if held is not None:
            msg = _(
                "station {station} already holds {number}: finish, return or mark it no-show first",
                station=station.code,
                number=held,
            )
            raise Conflict(msg)

    def _ahead(self, session: Session, ticket: Ticket) -> int:
        """How many waiting tickets of the same stage will be called before ``ticket``."""
        count = session.scalar(
            select(func.count())
            .select_from(Ticket)
            .where(
                Ticket.stage_id == ticket.stage_id,
                Ticket.status == Status.WAITING.value,
                Ticket.id != ticket.id,
                called_before(ticket),
            )
        )
        return int(count or 0)

    def _new_ticket(
        self, ctx: ActionContext, category: Category, booking: Booking | None, queue_key: dt.datetime
    ) -> Ticket:
        """A waiting ticket of ``category`` numbered for today, added and flushed (its event is the caller's)."""
        today = self._today(ctx)
        seq = next_ticket_seq(ctx.session, ctx.office.id, today, category.prefix)
        ticket = Ticket(
            office_id=ctx.office.id,
            day=today,
            prefix=category.prefix,
            seq=seq,
            number=format_number(category.prefix, seq),
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
        ctx.session.flush()
        return ticket

    def _today(self, ctx: ActionContext) -> dt.date:
        return office_day(ctx.now, ctx.office.timezone)

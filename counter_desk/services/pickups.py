"""Passport pickups: the receipt the interview booth hands out, the adjudicator's decision, the handover.

A pickup is born when the interview booth prints the pickup receipt for a ticket it passed on to adjudication
(or finished): one row per interview ticket, so printing again is a reprint of the same pickup. The
adjudicator's approve/reject (:meth:`QueueService.finish` with that outcome) decides it. At the pickup counter
the receipt's code is scanned: a pickup that may be collected today gets a ticket of the pickup category,
called at once at the scanning counter; *confirm handover* records who collected the passport and finishes
that ticket.

The pickup code
---------------
What the receipt's Code128 barcode and QR code carry, and what the pickup counter scans or types::

    P <the application number's letters and digits, upper case> <check character>

e.g. ``P2026112300000005`` followed by its check character. The check character is ISO/IEC 7064 MOD 37,36 over
everything before it (alphabet ``0-9A-Z``): every mistyped or misread single character and every swap of two
neighbouring characters is refused before the database is asked. Application numbers are national (M-Paspor),
so a code is unique per office and across offices: a receipt of another office is recognised as such.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from counter_desk.clock import office_local
from counter_desk.errors import Conflict, InvalidInput, InvalidTransition, NotFound, WrongDay, WrongOffice
from counter_desk.i18n import _
from counter_desk.services import calendar, rules
from counter_desk.services.actions import TICKET_NUMBER, ActionContext, PendingEvent, QueueCore
from counter_desk.services.dates import format_day
from counter_desk.services.masking import mask_name, mask_nik
from counter_desk.services.views import Result, TicketLike
from counter_desk.states import HELD, Action, Status
from counter_desk.store.models import Booking, Category, Office, Pickup, Stage, Ticket, User

#: The outcomes of :meth:`QueueService.finish` that decide a pickup.
DECISIONS = ("approved", "rejected")
#: Who may collect a passport: the applicant, or a family member on the same Kartu Keluarga (KK).
RECIPIENTS = ("applicant", "family")
#: The outcome of a pickup-counter ticket whose passport was handed over.
HANDED_OVER = "handed_over"

CODE_PREFIX = "P"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#: The ``code`` column's width.
MAX_CODE = 32
_CODE = re.compile(rf"^{CODE_PREFIX}[0-9A-Z]{{2,{MAX_CODE - 1}}}$")
_NOISE = re.compile(r"[\x00-\x20\x7f]")
#: Stage kinds an interview ticket reaches once the interview passed it on.
_PASSED_ON = ("adjudication", "pickup")
_OPEN = (Status.WAITING.value, *(s.value for s in HELD))


def status_text(status: str) -> str:
    """A pickup's status in words, in the active language."""
    labels = {
        "pending": _("waiting for the adjudicator's decision"),
        "approved": _("approved"),
        "rejected": _("rejected"),
        HANDED_OVER: _("handed over"),
    }
    return labels.get(status, status)


def check_character(body: str) -> str:
    """The ISO/IEC 7064 MOD 37,36 check character of ``body`` (letters and digits, upper case)."""
    modulus = len(ALPHABET)
    product = modulus
    for ch in body:
        total = (product + ALPHABET.index(ch)) % modulus or modulus
        product = (total * 2) % (modulus + 1)
    return ALPHABET[(modulus + 1 - product) % modulus]


def pickup_code(application_number: str) -> str:
    """The pickup code of an application (see the module's documentation)."""
    body = CODE_PREFIX + "".join(ch for ch in application_number.upper() if ch in ALPHABET)
    if len(body) < 3 or len(body) >= MAX_CODE:
        msg = _(
            "application number {number!r} cannot make a pickup code (4 to 30 letters and digits)",
            number=application_number,
        )
        raise InvalidInput(msg)
    return body + check_character(body)


def parse_pickup_code(raw: str) -> str:
    """The pickup code in a scan or a typed text, check character verified, or :class:`InvalidInput`."""
    text = _NOISE.sub("", raw).upper()
    shown = text if len(text) <= 40 else text[:37] + "..."
    if not _CODE.match(text):
        msg = _("{code!r} is not a pickup code (P, the application number, a check character): scan again", code=shown)
        raise InvalidInput(msg)
    if check_character(text[:-1]) != text[-1]:
        msg = _("{code!r} is misread or mistyped (its check character is wrong): scan again", code=shown)
        raise InvalidInput(msg)
    return text


@dataclass(frozen=True)
class PickupView:
    """A pickup as windows, receipts and the command line see it.

    ``applicant_name`` and ``nik`` are in full for the officer checking the identity card; receipts and
    ``to_json`` show them masked.
    """

    id: int
    code: str
    office_code: str
    office_name: str
    timezone: str
    application_number: str
    applicant_name: str | None
    nik: str | None
    interview_ticket: str
    interview_day: dt.date
    ready_on: dt.date
    collect_by: dt.date
    within_days: int
    office_open: str
    office_close: str
    status: str
    issued_at: dt.datetime
    decided_at: dt.datetime | None
    handed_over_at: dt.datetime | None
    handed_over_by: str | None
    pickup_ticket: str | None
    recipient: str | None
    recipient_name: str | None
    #: The service (category) of the application, as people read it, and its delay in working days from the
    #: interview to the pickup (rule ``pickup_days_by_category``, else ``pickup_working_days``).
    category: str = ""
    working_days: int = 0

    def to_json(self) -> dict[str, Any]:
        def iso(value: dt.date | dt.datetime | None) -> str | None:
            return value.isoformat() if value is not None else None

        return {
            "code": self.code,
            "office": self.office_code,
            "application_number": self.application_number,
            "name": mask_name(self.applicant_name),
            "nik": mask_nik(self.nik),
            "interview_ticket": self.interview_ticket,
            "interview_day": iso(self.interview_day),
            "ready_on": iso(self.ready_on),
            "collect_by": iso(self.collect_by),
            "status": self.status,
            "issued_at": iso(self.issued_at),
            "decided_at": iso(self.decided_at),
            "handed_over_at": iso(self.handed_over_at),
            "handed_over_by": self.handed_over_by,
            "pickup_ticket": self.pickup_ticket,
            "recipient": self.recipient,
            "recipient_name": mask_name(self.recipient_name) if self.recipient_name else None,
            "category": self.category,
            "working_days": self.working_days,
        }


@dataclass(frozen=True)
class Issued:
    """The pickup receipt's pickup; ``reprint`` when the ticket already had one (nothing was written)."""

    pickup: PickupView
    reprint: bool


@dataclass(frozen=True)
class PickupCall:
    """A pickup-counter action: the pickup as it now is, and what happened to its ticket."""

    pickup: PickupView
    result: Result


def record_decision(session: Session, ticket_id: int, outcome: str, now: dt.datetime) -> None:
    """The adjudicator decided ticket ``ticket_id``'s file: its pickup (if the receipt is out) follows.

    Called inside :meth:`QueueService.finish`'s transaction. A pickup issued later takes the decision from
    the ticket's outcome instead.
    """
    pickup = session.scalars(select(Pickup).where(Pickup.ticket_id == ticket_id).with_for_update()).one_or_none()
    if pickup is not None and pickup.status != HANDED_OVER:
        pickup.status = outcome
        pickup.decided_at = now


def collect_by(session: Session, office_id: int, ready_on: dt.date, within: int) -> dt.date:
    """The last day a passport ready on ``ready_on`` may be collected: ``within`` days later, moved on to the
    next working day when that is a weekend or a holiday (the office is closed; the applicant loses nothing)."""
    return calendar.working_day_after(session, office_id, ready_on + dt.timedelta(days=within - 1), 1)


def pickup_days(session: Session, office_id: int, category_id: int) -> int:
    """Working days from the interview to the pickup for a category: its own (rule ``pickup_days_by_category``,
    e.g. percepatan the same day) or the office's ``pickup_working_days``."""
    office_rules = rules.rules_of(session, office_id)
    code = session.get_one(Category, category_id).code
    own = rules.category_days(str(office_rules["pickup_days_by_category"] or ""))
    return own.get(code, int(office_rules["pickup_working_days"]))


def _view(session: Session, pickup: Pickup) -> PickupView:
    office = session.get_one(Office, pickup.office_id)
    office_rules = rules.rules_of(session, office.id)
    booking = session.get(Booking, pickup.booking_id) if pickup.booking_id is not None else None
    interview = session.get_one(Ticket, pickup.ticket_id)
    counter_ticket = session.get(Ticket, pickup.pickup_ticket_id) if pickup.pickup_ticket_id is not None else None
    officer = session.get(User, pickup.handed_over_by) if pickup.handed_over_by is not None else None
    within = int(office_rules["pickup_within_days"])
    return PickupView(
        id=pickup.id,
        code=pickup.code,
        office_code=office.code,
        office_name=office.name,
        timezone=office.timezone,
        application_number=pickup.application_number,
        applicant_name=booking.applicant_name if booking else None,
        nik=booking.nik if booking else None,
        interview_ticket=interview.number,
        interview_day=interview.day,
        ready_on=pickup.ready_on,
        collect_by=collect_by(session, office.id, pickup.ready_on, within),
        within_days=within,
        office_open=str(office_rules["office_open"]),
        office_close=str(office_rules["office_close"]),
        status=pickup.status,
        issued_at=pickup.issued_at,
        decided_at=pickup.decided_at,
        handed_over_at=pickup.handed_over_at,
        handed_over_by=officer.full_name if officer else None,
        pickup_ticket=counter_ticket.number if counter_ticket else None,
        recipient=pickup.recipient,
        recipient_name=pickup.recipient_name,
        category=session.get_one(Category, interview.category_id).name,
        working_days=pickup_days(session, office.id, interview.category_id),
    )


class PickupService(QueueCore):
    """The pickup's use cases for one office. Thread-safe: each call opens its own session."""

    # ------------------------------------------------------------------ the interview booth

    def issue(self, ticket: str, *, user: str | None = None) -> Issued:
        """The pickup of interview ticket ``ticket``: made on the first call, the same one on every later call."""
        try:
            with self.db.write() as session:
                ctx = self._ctx(session, user)
                t = self._find_ticket(ctx, ticket)
                existing = session.scalars(select(Pickup).where(Pickup.ticket_id == t.id)).one_or_none()
                if existing is not None:
                    return Issued(_view(session, existing), reprint=True)
                return Issued(_view(session, self._new_pickup(ctx, t)), reprint=False)
        except IntegrityError as exc:
            msg = _("the pickup receipt of {ticket} was made a moment ago elsewhere: print it again", ticket=ticket)
            raise Conflict(msg) from exc

    def _new_pickup(self, ctx: ActionContext, t: Ticket) -> Pickup:
        session = ctx.session
        if t.booking_id is None:
            msg = _("{number} has no booking, so no application number: it gets no pickup receipt", number=t.number)
            raise InvalidInput(msg)
        stage = session.get_one(Stage, t.stage_id)
        if t.status != Status.DONE.value and stage.kind not in _PASSED_ON:
            msg = _(
                "{number} is still at {stage}: pass it on to adjudication or finish it first",
                number=t.number,
                stage=stage.name,
            )
            raise InvalidTransition(msg)
        booking = session.get_one(Booking, t.booking_id)
        code = pickup_code(booking.application_number)
        taken = session.scalars(select(Pickup).where(Pickup.code == code)).one_or_none()
        if taken is not None:
            msg = _(
                "application {application} already has pickup receipt {code} (from another ticket)",
                application=booking.application_number,
                code=code,
            )
            raise Conflict(msg)
        days = pickup_days(session, ctx.office.id, t.category_id)
        decided = t.status == Status.DONE.value and t.outcome in DECISIONS
        pickup = Pickup(
            office_id=ctx.office.id,
            code=code,
            application_number=booking.application_number,
            booking_id=booking.id,
            ticket_id=t.id,
            ready_on=calendar.working_day_after(session, ctx.office.id, t.day, days),
            status=t.outcome if decided and t.outcome else "pending",
            issued_at=ctx.now,
            decided_at=t.finished_at if decided else None,
        )
        session.add(pickup)
        session.flush()
        return pickup

    # ------------------------------------------------------------------ reading

    def find(self, ref: str) -> PickupView:
        """A pickup by its code, its application number, or its interview or pickup-counter ticket number."""
        wanted = ref.strip().upper()
        with self.db.read() as session:
            ctx = self._ctx(session, None)
            query = select(Pickup).where(Pickup.office_id == ctx.office.id)
            if TICKET_NUMBER.match(wanted):
                t = self._find_ticket(ctx, wanted, lock=False)
                query = query.where((Pickup.ticket_id == t.id) | (Pickup.pickup_ticket_id == t.id))
            elif _CODE.match(wanted) and check_character(wanted[:-1]) == wanted[-1]:
                query = query.where(Pickup.code == wanted)
            else:
                query = query.where(Pickup.application_number == ref.strip())
            found = session.scalars(query).first()
            if found is None:
                msg = _("no pickup receipt for {ref} in this office", ref=ref.strip())
                raise NotFound(msg)
            return _view(session, found)

    def held(self, station: str) -> PickupView | None:
        """The pickup whose ticket ``station`` holds, if any."""
        with self.db.read() as session:
            ctx = self._ctx(session, None)
            st = self._station(ctx, station)
            found = session.scalars(
                select(Pickup)
                .join(Ticket, Ticket.id == Pickup.pickup_ticket_id)
                .where(Ticket.station_id == st.id, Ticket.status.in_([s.value for s in HELD]))
            ).first()
            return _view(session, found) if found is not None else None

    # ------------------------------------------------------------------ the pickup counter

    def scan(self, payload: str, station: str, *, token: str | None = None, user: str | None = None) -> PickupCall:
        """The pickup counter scanned a receipt: check it may be collected, issue a ticket, call it here.

        When the counter already holds a pickup ticket that no receipt is linked to (reception issued it as a
        walk-in of the pickup category, the counter called it), the receipt is linked to that ticket instead.
        """
        code = parse_pickup_code(payload)
        linked = self._link_held(code, station, user)
        if linked is not None:
            return linked

        def act(ctx: ActionContext) -> tuple[TicketLike, PendingEvent, int | None]:
            st = self._station(ctx, station)
            stage = ctx.session.get_one(Stage, st.stage_id)
            if stage.kind != "pickup":
                msg = _("{station} is not a pickup counter: scan pickup receipts there", station=st.name)
                raise InvalidInput(msg)
            pickup = self._scanned(ctx, code)
            self._refuse_if_busy(ctx, st)
            category = self._category(ctx, stage)
            ticket = self._new_ticket(ctx, category, None, ctx.now)
            checked_in = self._record(
                ctx, ticket, Action.CHECK_IN, None, station_id=st.id, data={"pickup": pickup.code}
            )
            called = self._transition(
                ctx,
                ticket,
                Action.CALL,
                station_id=st.id,
                data={"pickup": pickup.code},
                called_at=ctx.now,
                call_count=1,
            )
            pickup.pickup_ticket_id = ticket.id
            ctx.session.flush()

            def record() -> int:
                checked_in()
                return called()

            return ticket, record, None

        result = self._mutate(Action.CHECK_IN, token, user, act, station=station)
        return PickupCall(self._of_ticket(result.ticket.id), result)

    def _link_held(self, code: str, station: str, user: str | None) -> PickupCall | None:
        """Link the pickup of ``code`` to the unlinked pickup ticket ``station`` holds; None if it holds none.

        Nothing happens to the ticket (it is already called here), so no event is written: the link is the
        pickup's ``pickup_ticket_id``.
        """
        with self.db.write() as session:
            ctx = self._ctx(session, user)
            st = self._station(ctx, station)
            held = session.scalars(
                select(Ticket)
                .where(Ticket.station_id == st.id, Ticket.status.in_([s.value for s in HELD]))
                .with_for_update()
            ).one_or_none()
            if held is None or held.stage_id != st.stage_id:
                return None
            stage = session.get_one(Stage, st.stage_id)
            taken = session.scalars(select(Pickup.id).where(Pickup.pickup_ticket_id == held.id)).first()
            if stage.kind != "pickup" or taken is not None:
                return None
            pickup = self._scanned(ctx, code)
            pickup.pickup_ticket_id = held.id
            session.flush()
            return PickupCall(_view(session, pickup), Result(self._view(ctx, held), None))

    def _scanned(self, ctx: ActionContext, code: str) -> Pickup:
        """The pickup of ``code``, locked, if it may be collected today; else a refusal naming why."""
        pickup = ctx.session.scalars(select(Pickup).where(Pickup.code == code).with_for_update()).one_or_none()
        if pickup is None:
            msg = _("no pickup receipt {code}: check the receipt, or look the application up", code=code)
            raise NotFound(msg)
        if pickup.office_id != ctx.office.id:
            elsewhere = ctx.session.get_one(Office, pickup.office_id)
            msg = _(
                "pickup receipt {code} is from {office}: the passport is collected there",
                code=code,
                office=elsewhere.name,
            )
            raise WrongOffice(msg)
        self._collectable(ctx, pickup)
        if pickup.pickup_ticket_id is not None:
            prior = ctx.session.get_one(Ticket, pickup.pickup_ticket_id)
            if prior.status in _OPEN:
                msg = _(
                    "pickup receipt {code} already has ticket {number} ({status}): serve that one",
                    code=code,
                    number=prior.number,
                    status=prior.status,
                )
                raise Conflict(msg)
        return pickup

    def _collectable(self, ctx: ActionContext, pickup: Pickup) -> None:
        application = pickup.application_number
        if pickup.status == HANDED_OVER:
            when = office_local(pickup.handed_over_at or ctx.now, ctx.office.timezone)
            msg = _(
                "the passport of application {application} was already handed over on {day} at {time}",
                application=application,
                day=format_day(when.date()),
                time=when.strftime("%H:%M"),
            )
            raise Conflict(msg)
        if pickup.status == "rejected":
            msg = _(
                "application {application} was rejected: there is no passport to collect; refer the applicant to "
                "the supervisor",
                application=application,
            )
            raise Conflict(msg)
        today = self._today(ctx)
        if today < pickup.ready_on:
            msg = _(
                "the passport of application {application} is not ready yet: it can be collected from {day}",
                application=application,
                day=format_day(pickup.ready_on, weekday=True),
            )
            raise WrongDay(msg)
        if pickup.status != "approved":
            msg = _(
                "application {application} is not approved yet: ask adjudication before handing anything over",
                application=application,
            )
            raise Conflict(msg)
        within = int(rules.rules_of(ctx.session, ctx.office.id)["pickup_within_days"])
        last = collect_by(ctx.session, ctx.office.id, pickup.ready_on, within)
        if today > last:
            msg = _(
                "the passport of application {application} had to be collected by {day}: refer the applicant to "
                "the supervisor",
                application=application,
                day=format_day(last),
            )
            raise WrongDay(msg)

    def _category(self, ctx: ActionContext, stage: Stage) -> Category:
        """The category of pickup-counter tickets: an active one starting at ``stage`` (``pickup`` preferred)."""
        found = list(
            ctx.session.scalars(
                select(Category).where(
                    Category.office_id == ctx.office.id,
                    Category.start_stage_id == stage.id,
                    Category.active.is_(True),
                )
            )
        )
        if not found:
            msg = _(
                "no active category starts at {stage}: add one (e.g. 'pickup') to the office's setup", stage=stage.code
            )
            raise NotFound(msg)
        return next((c for c in found if c.code == "pickup"), found[0])

    def handover(
        self,
        station: str,
        recipient: str,
        recipient_name: str | None = None,
        *,
        same_kk: bool = False,
        token: str | None = None,
        user: str | None = None,
    ) -> PickupCall:
        """The passport of the station's pickup ticket was handed over: record to whom, finish the ticket.

        ``recipient`` is ``applicant`` or ``family``; a family member needs a name and ``same_kk`` (the officer
        saw the applicant on the family member's Kartu Keluarga).
        """
        kind = recipient.strip().lower()
        if kind not in RECIPIENTS:
            msg = _("the passport goes to the applicant or a family member, not {recipient!r}", recipient=recipient)
            raise InvalidInput(msg)
        name = " ".join((recipient_name or "").split()) or None
        if name is not None and len(name) > 200:
            msg = _("the recipient's name is too long (at most 200 characters)")
            raise InvalidInput(msg)
        if kind == "family" and name is None:
            msg = _("write the name of the family member collecting the passport")
            raise InvalidInput(msg)
        if kind == "family" and not same_kk:
            msg = _("a family member may collect only when their Kartu Keluarga (KK) shows the applicant: check it")
            raise InvalidInput(msg)

        def act(ctx: ActionContext) -> tuple[TicketLike, PendingEvent, int | None]:
            st = self._station(ctx, station)
            t = self._held(ctx, st, None)
            pickup = ctx.session.scalars(
                select(Pickup).where(Pickup.pickup_ticket_id == t.id).with_for_update()
            ).one_or_none()
            if pickup is None:
                msg = _("{number} is not the ticket of a pickup receipt: scan the receipt first", number=t.number)
                raise InvalidInput(msg)
            self._collectable(ctx, pickup)
            booking = ctx.session.get(Booking, pickup.booking_id) if pickup.booking_id is not None else None
            who = name if kind == "family" or name else (booking.applicant_name if booking else None)
            if who is None:
                msg = _("write the name of the person collecting the passport")
                raise InvalidInput(msg)
            pickup.status = HANDED_OVER
            pickup.handed_over_at = ctx.now
            pickup.handed_over_by = ctx.user_id
            pickup.recipient = kind
            pickup.recipient_name = who
            seq = self._transition(
                ctx,
                t,
                Action.FINISH,
                station_id=st.id,
                data={"outcome": HANDED_OVER, "pickup": pickup.code, "recipient": kind},
                finished_at=ctx.now,
                outcome=HANDED_OVER,
            )
            return t, seq, None

        result = self._mutate(Action.FINISH, token, user, act, station=station)
        return PickupCall(self._of_ticket(result.ticket.id), result)

    def _of_ticket(self, ticket_id: int) -> PickupView:
        with self.db.read() as session:
            found = session.scalars(select(Pickup).where(Pickup.pickup_ticket_id == ticket_id)).one()
            return _view(session, found)

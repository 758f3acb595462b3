"""What a printed receipt says, as a plain layout that every renderer (PDF, ESC/POS) draws the same way.

A :class:`Receipt` is a list of simple typed lines -- text with a size, weight and alignment, a QR code, a
Code128 barcode, a separator -- built here in the active language from what the queue knows. The renderers in
:mod:`counter_desk.devices` only decide how big a "size 4" text or a QR code is on their paper.

The queue ticket's QR code carries ``CDT1|<office code>|<day ISO>|<number>``: enough for a scanner at a counter
to find the ticket again (numbers restart every day, offices share numbering schemes). The pickup receipt's
barcode and QR code carry the pickup code (see :mod:`counter_desk.services.pickups`), the handover receipt's
barcode too (for filing). Names and NIKs are printed masked: a lost receipt gives little away.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from counter_desk.clock import office_local
from counter_desk.errors import InvalidTransition
from counter_desk.i18n import _
from counter_desk.services import directory
from counter_desk.services.dates import format_day
from counter_desk.services.masking import mask_name, mask_nik
from counter_desk.services.pickups import PickupView
from counter_desk.services.queue import QueueService
from counter_desk.states import Status

Align = Literal["left", "center", "right"]

#: The first field of a ticket's QR payload: the format and its version.
TICKET_PAYLOAD_TAG = "CDT1"
#: The size of the ticket number (a multiple of the normal text size; ESC/POS allows 1 to 8).
NUMBER_SIZE = 4


@dataclass(frozen=True)
class TextLine:
    text: str
    #: A multiple of the paper's normal text size, 1 to 8.
    size: int = 1
    bold: bool = False
    align: Align = "center"


@dataclass(frozen=True)
class QrLine:
    payload: str


@dataclass(frozen=True)
class BarcodeLine:
    """A Code128 barcode of ``payload`` (printable ASCII), without its text: add a :class:`TextLine` for that."""

    payload: str


@dataclass(frozen=True)
class Separator:
    pass


ReceiptLine = TextLine | QrLine | BarcodeLine | Separator


@dataclass(frozen=True)
class Receipt:
    """A receipt's layout (``lines``) and the facts it was made from (for ``--json`` and tests)."""

    kind: str
    office_code: str
    office_name: str
    number: str
    stage: str
    stage_name: str
    issued_at: dt.datetime
    ahead: int | None
    estimated_wait_seconds: int | None
    payload: str
    lines: tuple[ReceiptLine, ...] = field(default_factory=tuple)
    #: More facts for ``--json`` (a pickup's, for the pickup and handover receipts).
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def file_stem(self) -> str:
        """A file name for the kept PDF: the day, the kind and the number."""
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in self.number)
        return f"{self.issued_at:%Y%m%d}-{self.kind}-{safe}"

    def codes(self) -> list[tuple[str, str]]:
        """Every code printed on the receipt, as (``qr`` or ``code128``, payload), top to bottom."""
        out = []
        for line in self.lines:
            if isinstance(line, QrLine):
                out.append(("qr", line.payload))
            elif isinstance(line, BarcodeLine):
                out.append(("code128", line.payload))
        return out

    def to_json(self) -> dict[str, Any]:
        return self.extra | {
            "kind": self.kind,
            "office": self.office_code,
            "office_name": self.office_name,
            "number": self.number,
            "stage": self.stage,
            "stage_name": self.stage_name,
            "issued_at": self.issued_at.isoformat(),
            "ahead": self.ahead,
            "estimated_wait_seconds": self.estimated_wait_seconds,
            "payload": self.payload,
        }


def ticket_payload(office_code: str, day: dt.date, number: str) -> str:
    """What a queue ticket's QR code carries."""
    return f"{TICKET_PAYLOAD_TAG}|{office_code}|{day.isoformat()}|{number}"


def wait_text(seconds: int) -> str:
    """An estimated wait as people read it: ``about 25 min``."""
    minutes = max(1, round(seconds / 60))
    return _("Estimated wait: about {minutes} min", minutes=minutes)


def ticket_receipt(queue: QueueService, number: str) -> Receipt:
    """The receipt of queue ticket ``number`` of today: where to go, how many are ahead, how long to wait.

    Raises :class:`~counter_desk.errors.NotFound` for an unknown ticket, like :meth:`QueueService.ticket`.
    """
    ticket = queue.ticket(number)
    with queue.db.read() as session:
        office = directory.office_info(session, queue.office_code)
    stage_name = ticket.stage
    estimate = None
    for e in queue.estimates():
        if e.stage == ticket.stage:
            stage_name, estimate = e.stage_name, e
    ahead: int | None = None
    wait: int | None = None
    if ticket.status == Status.WAITING.value:
        waiting = queue.status(stage=ticket.stage).waiting
        ahead = next((i for i, w in enumerate(waiting) if w.ticket.id == ticket.id), len(waiting))
        wait = estimate.wait_seconds(ahead) if estimate is not None else None
    issued = office_local(ticket.created_at, office.timezone)
    payload = ticket_payload(office.code, ticket.day, ticket.number)

    lines: list[ReceiptLine] = [
        TextLine(office.name, size=1, bold=True),
        Separator(),
        TextLine(_("Queue number"), size=1),
        TextLine(ticket.number, size=NUMBER_SIZE, bold=True),
        TextLine(_("Please go to: {stage}", stage=stage_name), size=2, bold=True),
        TextLine(
            _(
                "Issued {day} at {time} {zone}",
                day=format_day(issued.date()),
                time=issued.strftime("%H:%M"),
                zone=issued.tzname() or "",
            ).strip()
        ),
    ]
    if ahead is not None:
        lines.append(TextLine(_("People ahead of you: {ahead}", ahead=ahead)))
    if wait is not None:
        lines.append(TextLine(wait_text(wait)))
    lines += [
        Separator(),
        QrLine(payload),
        Separator(),
        TextLine(_("Wait for your number to be called on the screen."), align="left"),
        TextLine(_("Keep this ticket and your documents ready."), align="left"),
        TextLine(_("This ticket is valid today only."), align="left"),
    ]
    return Receipt(
        kind="ticket",
        office_code=office.code,
        office_name=office.name,
        number=ticket.number,
        stage=ticket.stage,
        stage_name=stage_name,
        issued_at=issued,
        ahead=ahead,
        estimated_wait_seconds=wait,
        payload=payload,
        lines=tuple(lines),
    )


def _issued_line(when: dt.datetime) -> TextLine:
    return TextLine(
        _(
            "Issued {day} at {time} {zone}",
            day=format_day(when.date()),
            time=when.strftime("%H:%M"),
            zone=when.tzname() or "",
        ).strip()
    )


def _delay_text(pickup: PickupView) -> str:
    """The service and its pickup delay (each category its own: percepatan the same day)."""
    if pickup.working_days == 0:
        return _("{service}: ready the same day", service=pickup.category)
    return _(
        "{service}: ready {days} working days after the interview", service=pickup.category, days=pickup.working_days
    )


def _person_lines(pickup: PickupView) -> list[ReceiptLine]:
    lines: list[ReceiptLine] = [
        TextLine(_("Application number"), size=1),
        TextLine(pickup.application_number, size=2, bold=True),
    ]
    if pickup.applicant_name:
        lines.append(TextLine(_("Name: {name}", name=mask_name(pickup.applicant_name)), align="left"))
    if pickup.nik:
        lines.append(TextLine(_("NIK: {nik}", nik=mask_nik(pickup.nik)), align="left"))
    return lines


def _pickup_receipt(kind: str, pickup: PickupView, issued_at: dt.datetime, lines: list[ReceiptLine]) -> Receipt:
    """A receipt about a pickup (its receipt, its handover): the pickup code is what its codes carry."""
    return Receipt(
        kind=kind,
        office_code=pickup.office_code,
        office_name=pickup.office_name,
        number=pickup.application_number,
        stage="pickup",
        stage_name="",
        issued_at=issued_at,
        ahead=None,
        estimated_wait_seconds=None,
        payload=pickup.code,
        lines=tuple(lines),
        extra=pickup.to_json(),
    )


def pickup_receipt(pickup: PickupView, *, printed_at: dt.datetime) -> Receipt:
    """The receipt the interview booth hands out: when and how the passport is collected, and its codes."""
    local = office_local(printed_at, pickup.timezone)
    lines: list[ReceiptLine] = [
        TextLine(pickup.office_name, bold=True),
        Separator(),
        TextLine(_("PASSPORT PICKUP RECEIPT"), size=2, bold=True),
        *_person_lines(pickup),
        TextLine(
            _(
                "Interview: {day} (ticket {number})",
                day=format_day(pickup.interview_day),
                number=pickup.interview_ticket,
            ),
            align="left",
        ),
        TextLine(_delay_text(pickup), align="left"),
        Separator(),
        TextLine(_("Collect your passport from")),
        TextLine(format_day(pickup.ready_on, weekday=True), size=2, bold=True),
        TextLine(_("at the latest on {day}", day=format_day(pickup.collect_by, weekday=True))),
        TextLine(
            _("Monday to Friday, {open}-{close}, except holidays", open=pickup.office_open, close=pickup.office_close)
        ),
        Separator(),
        BarcodeLine(pickup.code),
        TextLine(pickup.code, bold=True),
        QrLine(pickup.code),
        Separator(),
        TextLine(
            _(
                "Collect the passport within {days} days of the date above; after that, ask the supervisor.",
                days=pickup.within_days,
            ),
            align="left",
        ),
        TextLine(_("Bring this receipt and your KTP."), align="left"),
        TextLine(
            _(
                "A family member on the same Kartu Keluarga (KK) may collect it, with this receipt, their KTP and "
                "the KK."
            ),
            align="left",
        ),
        _issued_line(local),
    ]
    return _pickup_receipt("pickup", pickup, local, lines)


def handover_receipt(pickup: PickupView) -> Receipt:
    """The receipt of a handed-over passport: who collected it, when, from whom; a line to sign."""
    if pickup.handed_over_at is None:
        msg = _(
            "the passport of application {application} has not been handed over yet",
            application=pickup.application_number,
        )
        raise InvalidTransition(msg)
    local = office_local(pickup.handed_over_at, pickup.timezone)
    name = mask_name(pickup.recipient_name)
    collected = (
        _("Collected by: a family member on the same KK ({name})", name=name)
        if pickup.recipient == "family"
        else _("Collected by: the applicant ({name})", name=name)
    )
    lines: list[ReceiptLine] = [
        TextLine(pickup.office_name, bold=True),
        Separator(),
        TextLine(_("PASSPORT HANDOVER RECEIPT"), size=2, bold=True),
        *_person_lines(pickup),
        Separator(),
        TextLine(
            _(
                "Handed over {day} at {time} {zone}",
                day=format_day(local.date()),
                time=local.strftime("%H:%M"),
                zone=local.tzname() or "",
            ).strip(),
            bold=True,
        ),
        TextLine(collected, align="left"),
    ]
    if pickup.handed_over_by:
        lines.append(TextLine(_("Officer: {name}", name=pickup.handed_over_by), align="left"))
    if pickup.pickup_ticket:
        lines.append(TextLine(_("Pickup ticket: {number}", number=pickup.pickup_ticket), align="left"))
    lines += [
        Separator(),
        BarcodeLine(pickup.code),
        TextLine(pickup.code),
        Separator(),
        TextLine(_("Check the data in your passport before you leave the counter."), align="left"),
        TextLine(_("Recipient's signature:"), align="left"),
        TextLine(" "),
        TextLine(" "),
        TextLine("_" * 24),
    ]
    return _pickup_receipt("handover", pickup, local, lines)


#: What the test page's codes carry.
TEST_BARCODE = "TEST-0123456789"
TEST_QR = "CDT1|test|Counter Desk printer test"


def printer_test_page(office_name: str, office_code: str, at: dt.datetime, paper: str) -> Receipt:
    """A printer test page: text sizes, accented letters, a QR code and a Code128 barcode."""
    lines: list[ReceiptLine] = [
        TextLine(office_name, bold=True),
        Separator(),
        TextLine(_("PRINTER TEST PAGE"), size=2, bold=True),
        TextLine(_("Paper: {paper}", paper=paper)),
        _issued_line(at),
        Separator(),
        TextLine(_("Normal text"), align="left"),
        TextLine(_("Bold text"), bold=True, align="left"),
        TextLine("A-123", size=4, bold=True),
        TextLine("Nguyễn Thị Ánh · Ñoño Šimić · Müller", align="left"),
        TextLine("0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ", align="left"),
        Separator(),
        BarcodeLine(TEST_BARCODE),
        TextLine(TEST_BARCODE),
        QrLine(TEST_QR),
        Separator(),
        TextLine(_("If both codes scan and the text is sharp, the printer is ready."), align="left"),
    ]
    return Receipt(
        kind="test",
        office_code=office_code,
        office_name=office_name,
        number="test",
        stage="",
        stage_name="",
        issued_at=at,
        ahead=None,
        estimated_wait_seconds=None,
        payload=TEST_QR,
        lines=tuple(lines),
    )

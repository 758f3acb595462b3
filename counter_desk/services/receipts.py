"""What a printed receipt says, as a plain layout that every renderer (PDF, ESC/POS) draws the same way.

A :class:`Receipt` is a list of simple typed lines -- text with a size, weight and alignment, a QR code, a
separator -- built here in the active language from what the queue knows. The renderers in
:mod:`counter_desk.devices` only decide how big a "size 4" text or a QR code is on their paper.

The queue ticket's QR code carries ``CDT1|<office code>|<day ISO>|<number>``: enough for a scanner at a counter
to find the ticket again (numbers restart every day, offices share numbering schemes).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from counter_desk.clock import office_local
from counter_desk.i18n import _
from counter_desk.services import directory
from counter_desk.services.dates import format_day
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
class Separator:
    pass


ReceiptLine = TextLine | QrLine | Separator


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

    def to_json(self) -> dict[str, Any]:
        return {
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

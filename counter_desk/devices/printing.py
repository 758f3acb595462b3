"""Print a receipt without ever blocking the queue: the PDF is always kept, the printer is best effort.

The ticket is issued (committed) before anything is printed; a printer that is off, out of paper or unplugged
only produces a message naming the kept PDF, and nothing is printed twice by surprise (one write per click).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from counter_desk.devices.receipt_escpos import write_escpos
from counter_desk.devices.receipt_pdf import write_pdf
from counter_desk.services.queue import QueueService
from counter_desk.services.receipts import ticket_receipt


@dataclass(frozen=True)
class Printed:
    number: str
    #: The kept PDF (for a reprint, or to print on any printer).
    pdf: Path
    #: Whether the ESC/POS printer took the receipt; None when no printer is configured.
    printer_ok: bool | None
    printer_error: str | None = None


def print_ticket(
    queue: QueueService, number: str, *, pdf_dir: Path, printer: Path | None, paper: str = "80mm"
) -> Printed:
    receipt = ticket_receipt(queue, number)
    pdf_dir.mkdir(parents=True, exist_ok=True)
    pdf = pdf_dir / f"{receipt.issued_at:%Y%m%d}-{receipt.number}.pdf"
    write_pdf(receipt, pdf, "80mm" if paper == "a6" else paper)
    if printer is None:
        return Printed(receipt.number, pdf, None)
    try:
        write_escpos(receipt, printer, paper)
    except OSError as exc:
        return Printed(receipt.number, pdf, False, exc.strerror or str(exc))
    return Printed(receipt.number, pdf, True)

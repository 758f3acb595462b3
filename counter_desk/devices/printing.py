"""Print a receipt without ever blocking the queue: the PDF is always kept, the printer is best effort.

The ticket (or pickup) is committed before anything is printed; a printer that is off, out of paper or
unplugged only produces a message naming the kept PDF. Nothing is printed twice by surprise: one write per
click, no automatic retry; a reprint is its own click (:func:`reprint`) and sends the same receipt again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from escpos.exceptions import Error as EscposError
from escpos.printer import File

from counter_desk.devices.receipt_escpos import write_escpos
from counter_desk.devices.receipt_pdf import write_pdf
from counter_desk.i18n import _
from counter_desk.services.queue import QueueService
from counter_desk.services.receipts import Receipt, ticket_receipt

#: Where receipts go: a device or file path taking raw ESC/POS.
PrinterTarget = Path


@dataclass(frozen=True)
class Printed:
    number: str
    #: The kept PDF (for a reprint, or to print on any printer).
    pdf: Path
    #: Whether the ESC/POS printer took the receipt; None when no printer is configured.
    printer_ok: bool | None
    printer_error: str | None = None
    #: ``ticket``, ``pickup``, ``handover`` or ``test``.
    kind: str = "ticket"
    #: What was printed, for a reprint.
    receipt: Receipt | None = None


def print_receipt(receipt: Receipt, *, pdf_dir: Path, printer: Path | None, paper: str = "80mm") -> Printed:
    """Keep the receipt as a PDF in ``pdf_dir``, then send it once to ``printer`` (if any)."""
    pdf_dir.mkdir(parents=True, exist_ok=True)
    pdf = pdf_dir / f"{receipt.file_stem}.pdf"
    write_pdf(receipt, pdf, "80mm" if paper == "a6" else paper)
    return _send(receipt, pdf, printer, paper)


def _send(receipt: Receipt, pdf: Path, printer: Path | None, paper: str) -> Printed:
    if printer is None:
        return Printed(receipt.number, pdf, None, kind=receipt.kind, receipt=receipt)
    try:
        write_escpos(receipt, printer, paper)
    except OSError as exc:
        return Printed(receipt.number, pdf, False, exc.strerror or str(exc), kind=receipt.kind, receipt=receipt)
    return Printed(receipt.number, pdf, True, kind=receipt.kind, receipt=receipt)


def reprint(last: Printed, *, printer: Path | None, paper: str = "80mm") -> Printed:
    """Send the last receipt to the printer again (an explicit click); its PDF is kept as it was."""
    if last.receipt is None:
        return last
    if not last.pdf.is_file():  # removed meanwhile: keep it again
        write_pdf(last.receipt, last.pdf, "80mm" if paper == "a6" else paper)
    return _send(last.receipt, last.pdf, printer, paper)


def print_ticket(
    queue: QueueService, number: str, *, pdf_dir: Path, printer: Path | None, paper: str = "80mm"
) -> Printed:
    return print_receipt(ticket_receipt(queue, number), pdf_dir=pdf_dir, printer=printer, paper=paper)


# ---------------------------------------------------------------------- the printer's reported state

ONLINE = "online"
OFFLINE = "offline"
UNKNOWN = "unknown"
PAPER_OK = "ok"
PAPER_LOW = "low"
PAPER_OUT = "out"


@dataclass(frozen=True)
class PrinterState:
    """What the printer reports: ``online``/``offline``/``unknown``, paper ``ok``/``low``/``out``/``unknown``."""

    printer: str | None
    online: str
    paper: str
    detail: str = ""

    def text(self) -> str:
        if self.printer is None:
            return _("No receipt printer configured: receipts are kept as PDF files.")
        return _(
            "Printer {printer}: {online}, paper {paper} {detail}",
            printer=self.printer,
            detail=f"({self.detail})" if self.detail else "",
            online={ONLINE: _("online"), OFFLINE: _("offline"), UNKNOWN: _("state unknown")}[self.online],
            paper={PAPER_OK: _("ok"), PAPER_LOW: _("running low"), PAPER_OUT: _("out"), UNKNOWN: _("unknown")}[
                self.paper
            ],
        ).strip()


def printer_state(printer: Path | None) -> PrinterState:
    """Ask the printer how it is, where python-escpos can.

    A printer that is a plain file, or a raw device python-escpos writes through its ``File`` backend, cannot
    answer (that backend reads nothing back: ``is_online()`` raises ``NotImplementedError``), so its state is
    ``unknown`` -- unless the device is missing or cannot be opened, which is ``offline``. A plain file is never
    opened here: opening truncates it.
    """
    if printer is None:
        return PrinterState(None, UNKNOWN, UNKNOWN)
    if not printer.exists():
        return PrinterState(str(printer), OFFLINE, UNKNOWN, _("not found"))
    if printer.is_file():
        return PrinterState(str(printer), UNKNOWN, UNKNOWN, _("a file, not a printer"))
    device = File(str(printer), auto_flush=True)
    try:
        device.open(raise_not_found=True)
    except (OSError, EscposError) as exc:
        return PrinterState(str(printer), OFFLINE, UNKNOWN, str(exc).splitlines()[-1])
    try:
        online = ONLINE if device.is_online() else OFFLINE
        paper = {2: PAPER_OK, 1: PAPER_LOW, 0: PAPER_OUT}.get(device.paper_status(), UNKNOWN)
    except (NotImplementedError, OSError, EscposError):
        return PrinterState(str(printer), UNKNOWN, UNKNOWN)
    finally:
        device.close()
    return PrinterState(str(printer), online, paper)

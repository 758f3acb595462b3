"""Print a receipt without ever blocking the queue: the PDF is always kept, the printer is best effort.

It prints the :class:`~counter_desk.receipt_layout.Receipt` it is handed (a check-in's comes with its result) and
reads nothing. The ticket (or pickup) is committed before anything is printed; a printer that is off, out of
paper or unplugged only produces a message naming the kept PDF. Nothing is printed twice by surprise: one write per
click, no automatic retry; a reprint is its own click (:func:`reprint`) and sends the same receipt again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from counter_desk.config import PrinterSpec
from counter_desk.devices import printer as connection
from counter_desk.devices.printer import OFFLINE, ONLINE, PAPER_LOW, PAPER_OK, PAPER_OUT, UNKNOWN, PrinterFailure
from counter_desk.devices.receipt_escpos import render_escpos
from counter_desk.devices.receipt_pdf import write_pdf
from counter_desk.i18n import _
from counter_desk.receipt_layout import Receipt

log = logging.getLogger(__name__)

#: Where receipts go: what ``[printer] escpos`` names -- a device or file path taking raw ESC/POS
#: (:class:`~pathlib.Path`), a USB printer by vendor and product id, a network printer, a serial printer.
PrinterTarget = PrinterSpec


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


def print_receipt(receipt: Receipt, *, pdf_dir: Path, printer: PrinterTarget | None, paper: str = "80mm") -> Printed:
    """Keep the receipt as a PDF in ``pdf_dir``, then send it once to ``printer`` (if any)."""
    pdf_dir.mkdir(parents=True, exist_ok=True)
    pdf = pdf_dir / f"{receipt.file_stem}.pdf"
    write_pdf(receipt, pdf, "80mm" if paper == "a6" else paper)
    return _send(receipt, pdf, printer, paper)


def _send(receipt: Receipt, pdf: Path, printer: PrinterTarget | None, paper: str) -> Printed:
    if printer is None:
        return Printed(receipt.number, pdf, None, kind=receipt.kind, receipt=receipt)
    data = render_escpos(receipt, "80mm" if paper == "a6" else paper)  # rendered once, sent once
    try:
        connection.send(printer, data)
    except PrinterFailure as exc:
        log.warning("printer %s failed on %s %s: %s", printer, receipt.kind, receipt.number, exc.reason)
        return Printed(receipt.number, pdf, False, exc.reason, kind=receipt.kind, receipt=receipt)
    return Printed(receipt.number, pdf, True, kind=receipt.kind, receipt=receipt)


def reprint(last: Printed, *, printer: PrinterTarget | None, paper: str = "80mm") -> Printed:
    """Send the last receipt to the printer again (an explicit click); its PDF is kept as it was."""
    if last.receipt is None:
        return last
    if not last.pdf.is_file():  # removed meanwhile: keep it again
        write_pdf(last.receipt, last.pdf, "80mm" if paper == "a6" else paper)
    return _send(last.receipt, last.pdf, printer, paper)


# ---------------------------------------------------------------------- the printer's reported state


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


def printer_state(printer: PrinterTarget | None) -> PrinterState:
    """Ask the printer how it is (``DLE EOT`` status requests where the connection can be read), within two
    seconds; see :func:`counter_desk.devices.printer.query`."""
    if printer is None:
        return PrinterState(None, UNKNOWN, UNKNOWN)
    online, paper, detail = connection.query(printer)
    return PrinterState(str(printer), online, paper, detail)

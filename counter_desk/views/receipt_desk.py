"""The station's receipt desk: prints after an action committed, on a worker of its own.

A dead printer never stops the queue: the PDF is always kept, a printer that fails only turns the banner
orange, and the last receipt can be reprinted with one key. Printing has its own worker: a silent network
printer may take seconds, and the next scan must not wait.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel

from counter_desk.devices.printing import (
    Printed,
    PrinterState,
    PrinterTarget,
    print_receipt,
    printer_state,
    reprint,
)
from counter_desk.i18n import _
from counter_desk.qt.tasks import TaskRunner, error_text
from counter_desk.receipt_layout import Receipt

log = logging.getLogger(__name__)


class ReceiptDesk(QObject):
    """Receipts of one station: made and sent on the printer's worker, the printer's state in ``label``.

    Args:
        label: where the printer's reported state shows.
        folder: where PDFs are kept; None: the station prints nothing (``enabled`` is false).
        warn: shows an orange banner (a printer that failed).
        info: shows a green banner.
        changed: something the buttons depend on changed (a receipt to reprint).
        busy: the station is acting (no reprint meanwhile).

    Signals:
        printed(object): a receipt was made; carries :class:`~counter_desk.devices.printing.Printed`.
        printer_checked(object): the printer's reported state; carries
            :class:`~counter_desk.devices.printing.PrinterState`.
    """

    printed = Signal(object)
    printer_checked = Signal(object)

    def __init__(
        self,
        label: QLabel,
        *,
        folder: Path | None,
        printer: PrinterTarget | None,
        paper: str,
        warn: Callable[[str], None],
        info: Callable[[str], None],
        changed: Callable[[], None],
        busy: Callable[[], bool],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.label = label
        self._folder = folder
        self._printer = printer
        self._paper = paper
        self._warn = warn
        self._info = info
        self._changed = changed
        self._busy = busy
        self._tasks = TaskRunner(self, name="printer")
        #: The last receipt made here: what the reprint key sends again.
        self.last_printed: Printed | None = None

    @property
    def enabled(self) -> bool:
        """The station keeps receipts (a folder is configured)."""
        return self._folder is not None

    def print_ticket(self, number: str, make: Callable[[], Receipt]) -> None:
        """Print a queue ticket's receipt after the ticket is issued: a dead printer never stops the queue, the PDF
        is always kept."""

        def failed_text(outcome: Printed) -> str:
            return _(
                "Ticket {number} issued, but the printer failed ({error}). The receipt is kept at {pdf}",
                number=outcome.number,
                error=outcome.printer_error,
                pdf=outcome.pdf,
            )

        self._print(
            make,
            failed_text,
            lambda exc: _(
                "Ticket {number} issued, but its receipt could not be made: {error}",
                number=number,
                error=error_text(exc),
            ),
        )

    def print_receipt(self, make: Callable[[], Receipt], done_text: str) -> None:
        """Make a receipt on the worker (reading what it needs), keep its PDF, send it to the printer once."""

        def failed_text(outcome: Printed) -> str:
            return _(
                "{done} The printer failed ({error}); the receipt is kept at {pdf}",
                done=done_text,
                error=outcome.printer_error,
                pdf=outcome.pdf,
            )

        self._print(
            make,
            failed_text,
            lambda exc: _("{done} The receipt could not be made: {error}", done=done_text, error=error_text(exc)),
        )

    def _print(
        self, make: Callable[[], Receipt], failed_text: Callable[[Printed], str], broken: Callable[[Exception], str]
    ) -> None:
        folder, printer, paper = self._folder, self._printer, self._paper
        if folder is not None:
            self._print_job(
                lambda: print_receipt(make(), pdf_dir=folder, printer=printer, paper=paper), failed_text, broken
            )

    def _print_job(
        self, job: Callable[[], Printed], failed_text: Callable[[Printed], str], broken: Callable[[Exception], str]
    ) -> None:
        def done(outcome: Printed) -> None:
            self.last_printed = outcome
            self._changed()
            if outcome.printer_ok is False:
                self._warn(failed_text(outcome))
            self.printed.emit(outcome)
            self.check_printer()

        def failed(exc: Exception) -> None:
            log.error("printing a receipt failed", exc_info=exc)
            self._warn(broken(exc))

        self._tasks.run(job, done, failed)

    def reprint_last(self) -> None:
        """Send the last receipt to the printer again (its PDF is kept as it was)."""
        last = self.last_printed
        if last is None or self._busy():
            return
        printer, paper = self._printer, self._paper

        def failed_text(outcome: Printed) -> str:
            return _(
                "Reprint failed: the printer failed ({error}); the receipt is kept at {pdf}",
                error=outcome.printer_error,
                pdf=outcome.pdf,
            )

        self._print_job(
            lambda: reprint(last, printer=printer, paper=paper),
            failed_text,
            lambda exc: _("Reprint failed: {error}", error=error_text(exc)),
        )
        self._info(_("Reprinting the last receipt ({pdf})", pdf=last.pdf.name))

    def check_printer(self) -> None:
        """Ask the printer how it is (on the worker) and show it under the served count."""
        if self._folder is None:
            return
        printer = self._printer

        def show(state: PrinterState) -> None:
            self.label.setText(state.text())
            colour = "#c62828" if state.online == "offline" or state.paper == "out" else "#555"
            self.label.setStyleSheet(f"color:{colour};")
            self.printer_checked.emit(state)

        def failed(exc: Exception) -> None:
            log.warning("asking the printer for its state failed", exc_info=exc)

        self._tasks.run(lambda: printer_state(printer), show, failed)

    def close(self) -> None:
        """Finish what is being printed; take no more."""
        self._tasks.close()

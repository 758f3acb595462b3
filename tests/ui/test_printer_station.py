"""The real reception window printing on a network receipt printer (a stand-in on 127.0.0.1 answering ESC/POS
status requests), on both engines: the station keeps working unchanged with the new printer settings."""

from __future__ import annotations

import threading
from pathlib import Path

from conftest import booking_code
from printer_standins import DLE_EOT_1, DLE_EOT_4, OFFLINE, PAPER_OUT_AND_NEAR_END, TcpPrinter
from pytestqt.qtbot import QtBot

from counter_desk.clock import FixedClock
from counter_desk.config import parse_printer
from counter_desk.services.desk import Desk
from counter_desk.services.queue import QueueService
from counter_desk.store.engine import Database
from counter_desk.views.app import application
from counter_desk.views.station import StationWindow

WAIT_MS = 10_000


def _reception(qtbot: QtBot, db: Database, clock: FixedClock, printer: TcpPrinter, folder: Path) -> StationWindow:
    application("en")
    spec = parse_printer(str(printer.spec), "test")  # as [printer] escpos gives it
    window = StationWindow(Desk(db), "reception-1", clock=clock, live=False, receipts_dir=folder, printer=spec)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window._snapshot is not None, timeout=WAIT_MS)
    return window


def test_reception_prints_on_a_network_printer(qtbot: QtBot, db: Database, clock: FixedClock, tmp_path: Path) -> None:
    printer = TcpPrinter()
    try:
        window = _reception(qtbot, db, clock, printer, tmp_path)
        with qtbot.waitSignal(window.printed, timeout=WAIT_MS) as blocker:
            window.scan(booking_code(10))
        printed = blocker.args[0]
        assert (printed.printer_ok, printed.number) == (True, "A-001") and printed.pdf.is_file()
        # The window asks for the printer's state after each receipt: wait for that check to have been made.
        printer.wait_for(lambda: any(b"\x1dV" in job for job in printer.jobs[:-1]))
        label = f"Printer {printer.spec}: online, paper ok"
        qtbot.waitUntil(lambda: window.printer_label.text() == label, timeout=WAIT_MS)
    finally:
        printer.stop()
    receipts = [job for job in printer.jobs if b"\x1dV" in job]
    assert len(receipts) == 1
    job = receipts[0]
    assert job.endswith(DLE_EOT_1) and job.count(b"A-001") >= 1 and job.count(b"\x1dV") == 1 and b"\x1d(k" in job
    # Everything else the window sent were state checks (after the receipt, and at start-up): nothing printed.
    assert all(other == DLE_EOT_1 + DLE_EOT_4 for other in printer.jobs if other is not job)


def test_out_of_paper_keeps_the_pdf_and_says_so(qtbot: QtBot, db: Database, clock: FixedClock, tmp_path: Path) -> None:
    printer = TcpPrinter(OFFLINE, PAPER_OUT_AND_NEAR_END)
    try:
        window = _reception(qtbot, db, clock, printer, tmp_path)
        with qtbot.waitSignal(window.printed, timeout=WAIT_MS) as blocker:
            window.scan(booking_code(11))
        printed = blocker.args[0]
        printer.wait_for(lambda: any(b"\x1dV" in job for job in printer.jobs[:-1]))
        label = f"Printer {printer.spec}: offline, paper out"
        qtbot.waitUntil(lambda: window.printer_label.text() == label, timeout=WAIT_MS)
    finally:
        printer.stop()
    assert printed.printer_ok is False and printed.pdf.read_bytes().startswith(b"%PDF")
    assert window.result_number.text() == "A-001"  # issued anyway
    banner = window.banner.text()
    assert "printer failed (out of paper: load paper and the printer prints the receipt it holds)" in banner
    assert str(printed.pdf) in banner
    assert sum(job.count(b"\x1dV") for job in printer.jobs) == 1  # the one copy the printer holds, no other


def test_the_printed_ticket_says_the_ahead_the_check_in_counted(
    qtbot: QtBot, db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    """The receipt comes with the check-in's result: a queue that moves before the printer's worker gets to it
    does not change the "ahead" printed (it used to be read again there, and could differ from the screen)."""
    application("en")
    window = StationWindow(Desk(db), "reception-1", clock=clock, live=False, receipts_dir=tmp_path)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window._snapshot is not None, timeout=WAIT_MS)
    with qtbot.waitSignal(window.printed, timeout=WAIT_MS):
        window.scan(booking_code(12))
    hold = threading.Event()
    window.receipts._tasks.run(lambda: hold.wait(WAIT_MS / 1000))  # the printer's worker, busy for a while
    with qtbot.waitSignal(window.acted, timeout=WAIT_MS) as acted:
        window.scan(booking_code(13))
    result = acted.args[0]
    assert result.ahead == 1 and "1 ahead" in window.result_detail.text()
    other = QueueService(db, clock=clock)  # a booth calls the first applicant meanwhile
    other.call_next(other.status(stage=result.ticket.stage).stations[0].code)
    with qtbot.waitSignal(window.printed, timeout=WAIT_MS) as blocker:
        hold.set()
    printed = blocker.args[0]
    assert printed.number == result.ticket.number and printed.receipt.ahead == result.ahead == 1

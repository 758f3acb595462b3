"""Serial and picture scanners feeding the real reception window, on both engines."""

from __future__ import annotations

import os
from pathlib import Path

import qrcode
from conftest import booking_code
from pytestqt.qtbot import QtBot

from counter_desk.clock import FixedClock
from counter_desk.qt.serialscan import SerialScanner
from counter_desk.store.engine import Database
from counter_desk.views.app import application
from counter_desk.views.station import StationWindow

WAIT_MS = 5000


def _reception(qtbot: QtBot, db: Database, clock: FixedClock, **kwargs: object) -> StationWindow:
    application("en")
    window = StationWindow(db, "reception-1", clock=clock, live=False, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window._snapshot is not None, timeout=WAIT_MS)
    return window


def test_serial_scanner_line_checks_in(qtbot: QtBot, db: Database, clock: FixedClock) -> None:
    master, slave = os.openpty()
    try:
        window = _reception(qtbot, db, clock, serial_port=os.ttyname(slave))
        with qtbot.waitSignal(window.acted, timeout=WAIT_MS) as blocker:
            os.write(master, f"{booking_code(8)}\r\n".encode())
        assert blocker.args[0].ticket.booking_code == booking_code(8)
        assert window.result_number.text() == "A-001"
    finally:
        os.close(master)
        os.close(slave)


def test_serial_scanner_splits_lines_and_reports_a_missing_port(qtbot: QtBot) -> None:
    master, slave = os.openpty()
    scanner = SerialScanner(os.ttyname(slave))
    try:
        assert scanner.open()
        lines: list[str] = []
        scanner.scanned.connect(lines.append)
        os.write(master, b"MP2611230001\nMP26112")
        qtbot.waitUntil(lambda: lines == ["MP2611230001"], timeout=WAIT_MS)
        os.write(master, b"30002\r")
        qtbot.waitUntil(lambda: lines == ["MP2611230001", "MP2611230002"], timeout=WAIT_MS)
    finally:
        scanner.close()
        os.close(master)
        os.close(slave)
    missing = SerialScanner("/dev/does-not-exist")
    with qtbot.waitSignal(missing.failed, timeout=WAIT_MS) as blocker:
        assert not missing.open()
    assert "/dev/does-not-exist" in blocker.args[0]


def test_picture_of_a_booking_qr_checks_in(qtbot: QtBot, db: Database, clock: FixedClock, tmp_path: Path) -> None:
    qrcode.make(f"https://m-paspor.example/b/{booking_code(9)}").save(tmp_path / "phone.png")
    window = _reception(qtbot, db, clock)
    with qtbot.waitSignal(window.acted, timeout=WAIT_MS) as blocker:
        window.scan_image(tmp_path / "phone.png")
    assert blocker.args[0].ticket.booking_code == booking_code(9)
    with qtbot.waitSignal(window.failed, timeout=WAIT_MS) as failed:
        window.scan_image(tmp_path / "nothing.png")
    assert "does not exist" in failed.args[0]


def test_reception_prints_the_ticket_and_keeps_the_pdf(
    qtbot: QtBot, db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    printer = tmp_path / "lp0"
    window = _reception(qtbot, db, clock, receipts_dir=tmp_path / "receipts", printer=printer)
    with qtbot.waitSignal(window.printed, timeout=WAIT_MS) as blocker:
        window.scan(booking_code(10))
    printed = blocker.args[0]
    assert printed.printer_ok is True and printed.pdf.is_file()
    assert printed.pdf.read_bytes().startswith(b"%PDF")
    data = printer.read_bytes()
    assert b"A-001" in data and b"\x1d(k" in data and b"\x1dV" in data  # text, QR, cut


def test_a_dead_printer_never_blocks_the_ticket(qtbot: QtBot, db: Database, clock: FixedClock, tmp_path: Path) -> None:
    window = _reception(qtbot, db, clock, receipts_dir=tmp_path / "receipts", printer=tmp_path / "gone" / "lp0")
    with qtbot.waitSignal(window.printed, timeout=WAIT_MS) as blocker:
        window.scan(booking_code(11))
    printed = blocker.args[0]
    assert printed.printer_ok is False and printed.pdf.is_file()
    assert window.result_number.text() == "A-001"  # issued anyway
    assert "printer failed" in window.banner.text() and str(printed.pdf) in window.banner.text()

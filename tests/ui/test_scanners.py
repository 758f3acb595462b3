"""Serial, picture and camera scanners feeding the real reception window, on both engines."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path

import pytest
import qrcode
from conftest import booking_code
from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtMultimedia import QVideoFrame, QVideoSink
from pytestqt.qtbot import QtBot

from counter_desk.clock import FixedClock
from counter_desk.qt.camera import CameraScanner, camera_devices
from counter_desk.qt.serialscan import SerialScanner
from counter_desk.services.desk import Desk
from counter_desk.store.engine import Database
from counter_desk.views.app import application
from counter_desk.views.station import StationWindow

WAIT_MS = 5000


def _reception(qtbot: QtBot, db: Database, clock: FixedClock, **kwargs: object) -> StationWindow:
    application("en")
    window = StationWindow(Desk(db), "reception-1", clock=clock, live=False, **kwargs)  # type: ignore[arg-type]
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


# ---------------------------------------------------------------------- camera


class RecordingSink:
    """Stands in for the sound card: records each WAV handed to it."""

    def __init__(self) -> None:
        self.played: list[bytes] = []

    def play(self, wav: bytes, volume: float, done: Callable[[], None]) -> None:
        self.played.append(wav)
        done()

    def stop(self) -> None:
        pass


#: Offscreen there is no GPU: QVideoFrame.toImage() says once that it converts on the CPU (as it does on a PC
#: without one). Nothing else may warn.
NO_GPU = pytest.mark.qt_log_ignore("No RHI backend")


def _frame(text: str | None) -> QImage:
    """What the camera sees (640x480): the QR code of ``text`` on a grey desk, or nothing."""
    desk = QImage(640, 480, QImage.Format.Format_RGB32)
    desk.fill(QColor("#9e9e9e"))
    if text is not None:
        buffer = io.BytesIO()
        qrcode.make(text, box_size=6).save(buffer, format="PNG")
        code = QImage.fromData(buffer.getvalue())
        painter = QPainter(desk)
        painter.drawImage((640 - code.width()) // 2, (480 - code.height()) // 2, code)
        painter.end()
    return desk


def _show(qtbot: QtBot, sink: QVideoSink, camera: CameraScanner, view: QImage) -> list[str]:
    """Hold ``view`` in front of the camera (a new frame every 40 ms, as a camera delivers them) until one frame
    of it has been decoded (the frames in between are throttled away)."""
    feeder = QTimer(interval=40)
    feeder.timeout.connect(lambda: sink.setVideoFrame(QVideoFrame(view)))
    with qtbot.waitSignal(camera.decoded, timeout=WAIT_MS) as blocker:
        sink.setVideoFrame(QVideoFrame(view))
        feeder.start()
    feeder.stop()
    codes: list[str] = blocker.args[0]
    return codes


@NO_GPU
def test_camera_frames_check_in_once_per_appearance(qtbot: QtBot, db: Database, clock: FixedClock) -> None:
    """Real QVideoFrames through a real QVideoSink (the signal the camera's session drives) -> one check-in."""
    beeps = RecordingSink()
    window = _reception(qtbot, db, clock, sound=beeps)
    sink = QVideoSink()
    window.camera.attach(sink)
    issued: list[object] = []
    refused: list[str] = []
    window.acted.connect(issued.append)
    window.failed.connect(refused.append)

    phone = _frame(f"https://m-paspor.example/b/{booking_code(12)}")
    with qtbot.waitSignal(window.acted, timeout=WAIT_MS) as blocker:
        assert _show(qtbot, sink, window.camera, phone) == [f"https://m-paspor.example/b/{booking_code(12)}"]
    assert blocker.args[0].ticket.booking_code == booking_code(12)
    assert window.result_number.text() == "A-001"
    # The phone stays in view: more decodes of the same code, no second check-in, no refusal, no tone.
    for _ in range(3):
        _show(qtbot, sink, window.camera, phone)
    qtbot.wait(100)  # let anything wrongly queued reach the window
    assert len(issued) == 1 and refused == [] and beeps.played == []

    # A frame without a code: nothing happens.
    assert _show(qtbot, sink, window.camera, _frame(None)) == []
    assert len(issued) == 1 and refused == []

    # Garbage in a QR code: red banner and the error tone, once; then the next code works at once.
    with qtbot.waitSignal(window.failed, timeout=WAIT_MS) as failed:
        _show(qtbot, sink, window.camera, _frame("%%garbage%%"))
    assert "not a booking code" in failed.args[0] and "c62828" in window.banner.styleSheet()
    assert beeps.played == [window.error_tone.wav]
    with qtbot.waitSignal(window.acted, timeout=WAIT_MS) as blocker:
        _show(qtbot, sink, window.camera, _frame(booking_code(13)))
    assert blocker.args[0].ticket.booking_code == booking_code(13)


def test_the_camera_control_shows_only_with_a_camera(qtbot: QtBot, db: Database, clock: FixedClock) -> None:
    window = _reception(qtbot, db, clock, sound=RecordingSink())
    window.show()
    qtbot.waitUntil(lambda: window.scanners.cameras is not None, timeout=WAIT_MS)  # looked for after the first snapshot
    assert window.camera_button.isVisible() == bool(camera_devices())
    if not camera_devices():  # this machine, CI: asking for the camera anyway says why nothing happens
        with qtbot.waitSignal(window.failed, timeout=WAIT_MS) as blocker:
            window.camera_button.setChecked(True)
        assert "No camera" in blocker.args[0]
        assert not window.camera_button.isChecked() and not window.camera.active


@NO_GPU
def test_camera_scanner_throttles_and_debounces(qtbot: QtBot) -> None:
    """Frames arriving during a decode or within the interval are dropped; a code counts once per appearance."""
    now = [100.0]
    camera = CameraScanner(interval_ms=200, gone_after_s=1.0, clock=lambda: now[0])
    sink = QVideoSink()
    camera.attach(sink)
    scanned: list[str] = []
    decodes: list[list[str]] = []
    camera.scanned.connect(scanned.append)
    camera.decoded.connect(decodes.append)
    view = _frame("MP-2611230001")
    try:
        with qtbot.waitSignal(camera.decoded, timeout=WAIT_MS):
            sink.setVideoFrame(QVideoFrame(view))
            sink.setVideoFrame(QVideoFrame(view))  # arrives while the first is decoded: dropped
        assert scanned == ["MP-2611230001"] and len(decodes) == 1
        now[0] += 0.1
        sink.setVideoFrame(QVideoFrame(view))  # within the interval: dropped without a decode
        qtbot.wait(50)
        assert len(decodes) == 1
        for _ in range(3):  # still in view, decoded again: not scanned again
            now[0] += 0.5
            with qtbot.waitSignal(camera.decoded, timeout=WAIT_MS):
                sink.setVideoFrame(QVideoFrame(view))
        assert scanned == ["MP-2611230001"] and len(decodes) == 4
        now[0] += 1.5  # taken away and shown again: a new appearance
        with qtbot.waitSignal(camera.decoded, timeout=WAIT_MS):
            sink.setVideoFrame(QVideoFrame(view))
        assert scanned == ["MP-2611230001", "MP-2611230001"]
    finally:
        camera.close()

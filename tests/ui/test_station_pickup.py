"""The passport pickup through the real station windows, offscreen, on both engines: the interview booth prints
the pickup receipt, the adjudicator approves, the pickup counter scans, calls, hands over and prints."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from conftest import booking_code
from helpers import snapshot
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from counter_desk.clock import FixedClock
from counter_desk.devices import receipt_escpos
from counter_desk.services.desk import Desk
from counter_desk.services.pickups import pickup_code
from counter_desk.services.queue import QueueService
from counter_desk.store.engine import Database
from counter_desk.views.app import application
from counter_desk.views.dialogs import HandoverDialog
from counter_desk.views.station import StationWindow

WAIT_MS = 5000


class Beeps:
    """Stands in for the sound card (the only stand-in): counts what the window plays through it."""

    def __init__(self) -> None:
        self.played: list[bytes] = []

    @property
    def count(self) -> int:
        return len(self.played)

    def play(self, wav: bytes, volume: float, done: Callable[[], None]) -> None:
        self.played.append(wav)
        done()

    def stop(self) -> None:
        pass


def _window(qtbot: QtBot, db: Database, clock: FixedClock, station: str, **kwargs: object) -> StationWindow:
    application("en")
    window = StationWindow(Desk(db), station, clock=clock, live=False, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window._snapshot is not None, timeout=WAIT_MS)
    return window


def _pickup_rows(db: Database) -> list[object]:
    with db.read() as s:
        return list(s.execute(text("SELECT id, code, status, pickup_ticket_id FROM pickups ORDER BY id")).all())


def test_full_pickup_flow_through_the_windows(
    qtbot: QtBot, db: Database, clock: FixedClock, queue: QueueService, tmp_path: Path
) -> None:
    printer = tmp_path / "printer.bin"
    printing = {"receipts_dir": tmp_path / "receipts", "printer": printer}
    queue.check_in(booking_code(1))

    # The interview booth: call, pass on, print the pickup receipt (F11); F11 again reprints the same pickup.
    booth = _window(qtbot, db, clock, "interview-1", user="wawancara1", **printing)
    assert booth.buttons["pickup_receipt"].isVisible() and not booth.buttons["pickup_receipt"].isEnabled()
    assert not booth.buttons["handover"].isVisible()
    with qtbot.waitSignal(booth.refreshed, timeout=WAIT_MS):
        booth.call_next()
    with qtbot.waitSignal(booth.acted, timeout=WAIT_MS):
        booth.transfer("adjudication")
    assert booth.buttons["pickup_receipt"].isEnabled()
    with qtbot.waitSignal(booth.printed, timeout=WAIT_MS) as blocker:
        qtbot.keyClick(booth, Qt.Key.Key_F11)
    receipt = blocker.args[0]
    assert (receipt.kind, receipt.printer_ok) == ("pickup", True) and receipt.pdf.is_file()
    assert "passport ready from Friday 27 November 2026" in booth.banner.text()
    code = _pickup_rows(db)[0].code  # type: ignore[attr-defined]
    assert receipt.receipt.payload == code
    one_copy = printer.read_bytes()
    assert b"\x1dkI" in one_copy and code.encode() in one_copy
    with qtbot.waitSignal(booth.printed, timeout=WAIT_MS):
        qtbot.keyClick(booth, Qt.Key.Key_F11)
    assert "(reprint)" in booth.banner.text() and len(_pickup_rows(db)) == 1
    assert "state unknown" in booth.printer_label.text()  # a file cannot say whether it has paper

    # The adjudicator approves.
    adjudicator = _window(qtbot, db, clock, "adjudicator")
    with qtbot.waitSignal(adjudicator.acted, timeout=WAIT_MS):
        adjudicator.call_next()
    with qtbot.waitSignal(adjudicator.acted, timeout=WAIT_MS):
        adjudicator.finish(outcome="approved")
    assert _pickup_rows(db)[0].status == "approved"  # type: ignore[attr-defined]

    # Friday: the pickup counter. A wrong code first: red banner, error tone, nothing written.
    clock.set(dt.datetime(2026, 11, 27, 3, 0, tzinfo=dt.UTC))
    beeps = Beeps()
    counter = _window(qtbot, db, clock, "pickup", user="pengambilan", sound=beeps, **printing)
    assert counter.check_in_box.isVisible() and not counter.walk_in_button.isVisible()
    assert counter.buttons["handover"].isVisible() and not counter.buttons["handover"].isEnabled()
    assert not counter.buttons["pickup_receipt"].isVisible()
    before = snapshot(db)
    with qtbot.waitSignal(counter.failed, timeout=WAIT_MS) as failed:
        counter.scan(pickup_code("2026112300000029"))
    assert "no pickup receipt" in failed.args[0] and "c62828" in counter.banner.styleSheet()
    assert beeps.count == 1 and snapshot(db) == before

    # The scanner types the code (a keyboard wedge: no field focused) -> ticket C-001 called here.
    counter.queue_view.setFocus()
    with qtbot.waitSignal(counter.acted, timeout=WAIT_MS) as blocker:
        qtbot.keyClicks(counter.queue_view, code)
        qtbot.keyClick(counter.queue_view, Qt.Key.Key_Return)
    assert (blocker.args[0].ticket.number, blocker.args[0].ticket.status) == ("C-001", "called")
    qtbot.waitUntil(lambda: counter.pickup_panel.current_pickup is not None, timeout=WAIT_MS)
    assert counter.current_number.text() == "C-001" and counter.result_number.text() == "C-001"
    assert "2026112300000001" in counter.result_detail.text()
    assert counter.buttons["handover"].isEnabled()

    # Confirm the handover (the dialog's answer) -> finished, handover receipt printed.
    with qtbot.waitSignal(counter.printed, timeout=WAIT_MS) as blocker:
        counter.handover("applicant")
    handed = blocker.args[0]
    assert handed.kind == "handover" and handed.pdf.is_file() and handed.printer_ok is True
    assert counter.current_number.text() == "—" and not counter.buttons["handover"].isEnabled()
    assert _pickup_rows(db)[0].status == "handed_over"  # type: ignore[attr-defined]
    assert "handed over to" in counter.banner.text()

    # Reprint the last receipt (Ctrl+P): the same receipt once more, the same PDF.
    size = printer.stat().st_size
    with qtbot.waitSignal(counter.printed, timeout=WAIT_MS) as blocker:
        qtbot.keyClick(counter, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert blocker.args[0].pdf == handed.pdf
    assert printer.stat().st_size == size  # the file printer holds the last job only: rewritten, not appended
    assert printer.read_bytes() == receipt_escpos.render_escpos(handed.receipt)

    # Scanning the same receipt again is refused.
    with qtbot.waitSignal(counter.failed, timeout=WAIT_MS) as failed:
        counter.scan(code)
    assert "already handed over" in failed.args[0] and beeps.count == 2


def test_a_dead_printer_keeps_the_pickup_receipt_pdf(
    qtbot: QtBot, db: Database, clock: FixedClock, queue: QueueService, tmp_path: Path
) -> None:
    queue.check_in(booking_code(2))
    queue.call_next("interview-2")
    beeps = Beeps()
    booth = _window(
        qtbot, db, clock, "interview-2", receipts_dir=tmp_path, printer=tmp_path / "gone" / "lp0", sound=beeps
    )
    assert "offline" in booth.printer_label.text() or booth.printer_label.text() == ""
    with qtbot.waitSignal(booth.acted, timeout=WAIT_MS):
        booth.finish()
    with qtbot.waitSignal(booth.printed, timeout=WAIT_MS) as blocker:
        booth.print_pickup_receipt()
    outcome = blocker.args[0]
    assert outcome.printer_ok is False and outcome.pdf.is_file()
    assert "printer failed" in booth.banner.text() and str(outcome.pdf) in booth.banner.text()
    assert len(_pickup_rows(db)) == 1  # the pickup is issued anyway
    assert beeps.count == 0  # an orange warning, no error tone: nothing was refused
    qtbot.waitUntil(lambda: "offline" in booth.printer_label.text(), timeout=WAIT_MS)


def test_pickup_receipt_refused_for_a_walk_in(qtbot: QtBot, db: Database, clock: FixedClock) -> None:
    queue = QueueService(db, clock=clock)
    queue.check_in(walk_in="lost")
    beeps = Beeps()
    booth = _window(qtbot, db, clock, "interview-3", sound=beeps)
    with qtbot.waitSignal(booth.acted, timeout=WAIT_MS):
        booth.call_next()
    with qtbot.waitSignal(booth.acted, timeout=WAIT_MS):
        booth.finish()
    before = snapshot(db)
    with qtbot.waitSignal(booth.failed, timeout=WAIT_MS) as failed:
        qtbot.keyClick(booth, Qt.Key.Key_F11)
    assert "has no booking" in failed.args[0] and _pickup_rows(db) == [] and snapshot(db) == before
    assert beeps.count == 0  # a refused key or click shows the banner; the tone is for scans


def test_handover_dialog(qtbot: QtBot, db: Database, clock: FixedClock) -> None:
    window = _window(qtbot, db, clock, "pickup")
    dialog = HandoverDialog(window, "Hand over?", "Budi Santoso")
    assert dialog.answer() == ("applicant", "Budi Santoso", False)
    assert not dialog.name.isEnabled() and not dialog.same_kk.isEnabled()
    dialog.family.setChecked(True)
    assert dialog.name.isEnabled() and dialog.name.text() == ""
    dialog.name.setText("Siti Aminah")
    dialog.same_kk.setChecked(True)
    assert dialog.answer() == ("family", "Siti Aminah", True)

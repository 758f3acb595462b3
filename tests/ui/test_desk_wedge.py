"""Issue #14: a scanner burst while a dialog is open at reception never answers the dialog; real windows
offscreen, real keys ~5 ms apart as a USB scanner types them, on both engines."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from conftest import booking_code
from helpers import events
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QListWidget, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot
from ui_helpers import open_station

from counter_desk.clock import FixedClock
from counter_desk.qt.wedge import WedgeDetector
from counter_desk.store.engine import Database
from counter_desk.views.app import application
from counter_desk.views.station import StationWindow

WAIT_MS = 5000


@pytest.fixture
def reception(qtbot: QtBot, db: Database, clock: FixedClock) -> StationWindow:
    application("en")
    return open_station(qtbot, db, clock, "reception-1")


def _burst(qtbot: QtBot, target: QWidget, text: str) -> None:
    """What a keyboard-wedge scanner sends: the characters ~5 ms apart, then Enter."""
    qtbot.keyClicks(target, text, delay=5)
    qtbot.keyClick(target, Qt.Key.Key_Return, delay=5)


def _when_dialog_opens(qtbot: QtBot, act: Callable[[QDialog], None], seen: list[str]) -> None:
    def look() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QDialog):
            QTimer.singleShot(10, look)
            return
        seen.append(dialog.windowTitle())
        try:
            act(dialog)
        finally:
            if dialog.isVisible():
                seen.append("still open")
                dialog.reject()  # the test fails instead of hanging

    QTimer.singleShot(0, look)


def test_a_scan_while_the_walk_in_dialog_is_open_checks_in_the_booking(
    reception: StationWindow, db: Database, qtbot: QtBot
) -> None:
    """The issue's reproduction: the walk-in dialog open, the scanner types into its category list and presses
    Enter. No priority ticket; the dialog closes unanswered; the booking gets its ticket, with a note why."""
    seen: list[str] = []
    typed_into: list[str] = []

    def scan(dialog: QDialog) -> None:
        focused = dialog.focusWidget()
        assert focused is not None
        typed_into.append(type(focused).__name__)
        _burst(qtbot, focused, booking_code(3))

    _when_dialog_opens(qtbot, scan, seen)
    with qtbot.waitSignal(reception.acted, timeout=WAIT_MS) as blocker:
        reception.reception_panel.ask_walk_in()
    assert seen == ["Walk-in"] and typed_into == ["QListWidget"]
    ticket = blocker.args[0].ticket
    assert (ticket.number, ticket.booking_code, ticket.category) == ("A-001", booking_code(3), "booked")
    assert reception.result_number.text() == "A-001"
    assert "dialog was closed" in reception.banner.text()
    issued = [e for e in events(db) if e["kind"] == "checked_in"]
    assert len(issued) == 1  # the booking's ticket, and no P- ticket


def test_the_walk_in_dialog_has_no_default_category(reception: StationWindow, db: Database, qtbot: QtBot) -> None:
    """A bare Enter (or OK, which stays disabled) issues nothing; the officer must choose a category."""
    seen: list[str] = []
    state: dict[str, object] = {}

    def bare_enter(dialog: QDialog) -> None:
        choices = dialog.findChild(QListWidget, "choices")
        assert choices is not None
        state["selected"] = [i.text() for i in choices.selectedItems()]
        ok = [b for b in dialog.findChildren(QPushButton) if b.text() == "OK"]
        state["ok_enabled"] = [b.isEnabled() for b in ok]
        focused = dialog.focusWidget()
        assert focused is not None
        qtbot.keyClick(focused, Qt.Key.Key_Return)
        state["open_after_enter"] = dialog.isVisible()
        dialog.reject()

    _when_dialog_opens(qtbot, bare_enter, seen)
    reception.reception_panel.ask_walk_in()
    assert state == {"selected": [], "ok_enabled": [False], "open_after_enter": True}
    assert not [e for e in events(db) if e["kind"] == "checked_in"]

    # Down chooses the first category (not the second), Enter confirms it.
    def choose_first(dialog: QDialog) -> None:
        focused = dialog.focusWidget()
        assert focused is not None
        qtbot.keyClick(focused, Qt.Key.Key_Down)
        qtbot.keyClick(focused, Qt.Key.Key_Return)

    _when_dialog_opens(qtbot, choose_first, seen)
    with qtbot.waitSignal(reception.acted, timeout=WAIT_MS) as blocker:
        reception.reception_panel.ask_walk_in()
    first = reception._snapshot.walk_in_categories[0].code  # type: ignore[union-attr]
    assert blocker.args[0].ticket.category == first
    assert blocker.args[0].ticket.number == "P-001"


def test_a_scan_into_a_list_of_the_reception_window_is_not_typed_into_it(
    reception: StationWindow, qtbot: QtBot
) -> None:
    reception.queue_view.setFocus()
    with qtbot.waitSignal(reception.acted, timeout=WAIT_MS) as blocker:
        _burst(qtbot, reception.queue_view, booking_code(4))
    assert blocker.args[0].ticket.booking_code == booking_code(4)


def test_a_refused_scan_clears_the_last_ticket_shown(reception: StationWindow, qtbot: QtBot) -> None:
    """The issue: after a refused scan, the previous applicant's big number stayed under the red banner."""
    with qtbot.waitSignal(reception.acted, timeout=WAIT_MS):
        reception.scan(booking_code(5))
    assert reception.result_number.text() == "A-001"
    for payload in ("%%garbage%%", booking_code(5), "NOPE-12345"):  # a parse error, a duplicate, unknown code
        with qtbot.waitSignal(reception.acted, timeout=WAIT_MS):
            reception.scan(booking_code(6 + len(payload) % 3))  # a fresh ticket shown first
        assert reception.result_number.text() != ""
        with qtbot.waitSignal(reception.failed, timeout=WAIT_MS):
            reception.scan(payload)
        assert reception.result_number.text() == ""
        assert reception.result_detail.text() == ""


def test_a_burst_into_a_dialogs_text_field_leaves_the_field_as_it_was(qtbot: QtBot) -> None:
    """In a dialog (``fields_keep=False``) the burst's characters show while typed, then the field gets its text
    back and the Enter is taken, so it cannot press the dialog's default button."""
    dialog = QDialog()
    edit = QLineEdit("needs a KK")
    layout = QVBoxLayout(dialog)
    layout.addWidget(edit)
    qtbot.addWidget(dialog)
    wedge = WedgeDetector(dialog)

    class Filter(QWidget):
        def eventFilter(self, watched: object, event: object) -> bool:  # type: ignore[override]
            return wedge.filter_key(watched, event, fields_keep=False)  # type: ignore[arg-type]

    keeper = Filter()
    edit.installEventFilter(keeper)
    accepted: list[bool] = []
    dialog.accepted.connect(lambda: accepted.append(True))
    dialog.show()
    edit.setFocus()
    edit.end(False)
    with qtbot.waitSignal(wedge.scanned, timeout=WAIT_MS) as blocker:
        _burst(qtbot, edit, "2026112300000007")
    assert blocker.args == ["2026112300000007"]
    assert edit.text() == "needs a KK"
    assert not accepted
    # A person typing slowly keeps what they type.
    qtbot.keyClicks(edit, " ok", delay=80)
    assert edit.text() == "needs a KK ok"

"""Every station window works from the keyboard alone (issue #8): each action by its key, each dialog answered by
typing, arrows, Tab and Enter; real windows offscreen on both engines, no mouse and no method called directly."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable

import pytest
from conftest import booking_code
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from ui_helpers import open_station

from counter_desk.clock import FixedClock
from counter_desk.services.queue import QueueService
from counter_desk.store.engine import Database
from counter_desk.views.app import application
from counter_desk.views.station import SHORTCUTS, StationWindow

WAIT_MS = 5000
Key = Qt.Key


@pytest.fixture
def open_window(qtbot: QtBot, db: Database, clock: FixedClock) -> Callable[..., StationWindow]:
    application("en")
    return functools.partial(open_station, qtbot, db, clock)


def _focus(dialog: QWidget) -> QWidget:
    """The dialog's widget with the keyboard focus (offscreen no window is "active", so ask the dialog)."""
    focused = dialog.focusWidget()
    assert focused is not None, f"{dialog.windowTitle()}: nothing has the keyboard focus"
    return focused


def _answer(qtbot: QtBot, typing: Callable[[QWidget], None]) -> None:
    """Answer the modal dialog about to open with the keyboard: ``typing`` gets the dialog, and types into
    whatever has its focus."""

    def act() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(10, act)
            return
        try:
            typing(dialog)
        finally:
            if dialog.isVisible():  # the keys did not close it: close it, so the test fails instead of hanging
                dialog.reject()

    QTimer.singleShot(0, act)


def _press(qtbot: QtBot, window: StationWindow, name: str) -> None:
    """The action's shortcut, as the officer types it."""
    sequence = SHORTCUTS[name]
    modifiers = Qt.KeyboardModifier.NoModifier
    if sequence.startswith("Ctrl+"):
        modifiers = Qt.KeyboardModifier.ControlModifier
        sequence = sequence.removeprefix("Ctrl+")
    key = {"Return": Key.Key_Return}.get(sequence) or getattr(Key, f"Key_{sequence}")
    qtbot.keyClick(window, key, modifiers)


def _act(qtbot: QtBot, window: StationWindow, name: str) -> object:
    with qtbot.waitSignal(window.acted, timeout=WAIT_MS) as blocker:
        _press(qtbot, window, name)
    return blocker.args[0]


def test_interview_booth_by_keyboard_alone(
    open_window: Callable[..., StationWindow], queue: QueueService, qtbot: QtBot, clock: FixedClock
) -> None:
    for n in (1, 2, 3):
        queue.check_in(booking_code(n))
    booth = open_window("interview-2", user="wawancara1")

    assert _act(qtbot, booth, "call_next").ticket.number == "A-001"  # type: ignore[attr-defined]
    assert _act(qtbot, booth, "recall").ticket.call_count == 2  # type: ignore[attr-defined]
    assert _act(qtbot, booth, "start").ticket.status == "serving"  # type: ignore[attr-defined]

    # F8: the stages listed; Down to the adjudication, Tab to the reason, Enter.
    def transfer(dialog: QWidget) -> None:
        qtbot.keyClick(_focus(dialog), Key.Key_Down)
        qtbot.keyClick(_focus(dialog), Key.Key_Tab)
        qtbot.keyClicks(_focus(dialog), "needs the adjudicator")
        qtbot.keyClick(_focus(dialog), Key.Key_Return)

    _answer(qtbot, transfer)
    result = _act(qtbot, booth, "transfer")
    assert result.ticket.stage == "adjudication"  # type: ignore[attr-defined]

    assert _act(qtbot, booth, "call_next").ticket.number == "A-002"  # type: ignore[attr-defined]
    assert _act(qtbot, booth, "return").ticket.status == "waiting"  # type: ignore[attr-defined]

    # F10 with nothing selected: the number is typed, Tab, the reason, Enter.
    def call_a_specific_ticket(dialog: QWidget) -> None:
        qtbot.keyClicks(_focus(dialog), "A-003")
        qtbot.keyClick(_focus(dialog), Key.Key_Tab)
        qtbot.keyClicks(_focus(dialog), "their interpreter is here")
        qtbot.keyClick(_focus(dialog), Key.Key_Return)

    _answer(qtbot, call_a_specific_ticket)
    assert _act(qtbot, booth, "call_ticket").ticket.number == "A-003"  # type: ignore[attr-defined]
    # F6 before the office's minimum time after the call: refused, saying how long to wait; nothing asked.
    qtbot.waitUntil(lambda: booth._snapshot.no_show_from is not None, timeout=WAIT_MS)  # type: ignore[union-attr]
    with qtbot.waitSignal(booth.failed, timeout=WAIT_MS) as refused:
        _press(qtbot, booth, "no_show")
    assert "wait" in refused.args[0]
    clock.advance(dt.timedelta(minutes=3))
    qtbot.waitUntil(lambda: "(F6)" in booth.buttons["no_show"].text() and " in " not in booth.buttons["no_show"].text())

    # F6 later: a confirmation (No is the default); Y confirms.
    def confirm(dialog: QWidget) -> None:
        qtbot.keyClick(_focus(dialog), Key.Key_Y)
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)  # Y "animates" a click: 0.1 s later

    _answer(qtbot, confirm)
    assert _act(qtbot, booth, "no_show").ticket.status == "no_show"  # type: ignore[attr-defined]

    assert _act(qtbot, booth, "call_next").ticket.number == "A-002"  # type: ignore[attr-defined]
    assert _act(qtbot, booth, "finish").ticket.status == "done"  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: booth.served_label.text() == "Served today: 2", timeout=WAIT_MS)  # transfer, finish


def test_adjudicator_and_reception_by_keyboard_alone(
    open_window: Callable[..., StationWindow], queue: QueueService, qtbot: QtBot
) -> None:
    for n in (4, 5):
        queue.check_in(booking_code(n))
        queue.call_next("interview-1")
        queue.transfer("adjudication", station="interview-1")
    adjudicator = open_window("adjudicator")
    _act(qtbot, adjudicator, "call_next")
    result = _act(qtbot, adjudicator, "approve")
    assert (result.ticket.status, result.ticket.outcome) == ("done", "approved")  # type: ignore[attr-defined]
    _act(qtbot, adjudicator, "call_next")

    def reject(dialog: QWidget) -> None:  # the reason has the focus (the number is given)
        qtbot.keyClicks(_focus(dialog), "photo does not match")
        qtbot.keyClick(_focus(dialog), Key.Key_Return)

    _answer(qtbot, reject)
    result = _act(qtbot, adjudicator, "reject")
    assert (result.ticket.status, result.ticket.outcome) == ("done", "rejected")  # type: ignore[attr-defined]

    reception = open_window("reception-1")
    _press(qtbot, reception, "code")  # Ctrl+L: the code field, typed by hand (slowly: not a scanner burst)
    assert reception.focusWidget() is reception.code_edit
    with qtbot.waitSignal(reception.acted, timeout=WAIT_MS) as blocker:
        qtbot.keyClicks(reception.code_edit, booking_code(6))
        qtbot.keyClick(reception.code_edit, Key.Key_Return)
    assert blocker.args[0].ticket.booking_code == booking_code(6)

    def walk_in(dialog: QWidget) -> None:  # the categories listed, none chosen; Down, Down to the second, Enter
        qtbot.keyClick(_focus(dialog), Key.Key_Down)
        qtbot.keyClick(_focus(dialog), Key.Key_Down)
        qtbot.keyClick(_focus(dialog), Key.Key_Return)

    _answer(qtbot, walk_in)
    issued = _act(qtbot, reception, "walk_in")
    second = reception._snapshot.walk_in_categories[1].code  # type: ignore[union-attr]
    assert issued.ticket.category == second  # type: ignore[attr-defined]
    for name, button in (("walk_in", reception.walk_in_button), ("image", reception.image_button)):
        assert SHORTCUTS[name] in button.toolTip()  # the keys are shown where the mouse would go

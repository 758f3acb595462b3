"""The Qt adapters on their own: the wedge detector and the task runner."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from counter_desk.qt.tasks import TaskRunner
from counter_desk.qt.wedge import WedgeDetector


class _Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def form(qtbot: QtBot) -> tuple[QWidget, QPushButton, QLineEdit, WedgeDetector, _Clock]:
    widget = QWidget()
    layout = QVBoxLayout(widget)
    button = QPushButton("x")
    edit = QLineEdit()
    layout.addWidget(button)
    layout.addWidget(edit)
    qtbot.addWidget(widget)
    clock = _Clock()
    wedge = WedgeDetector(widget, clock=clock)
    button.installEventFilter(wedge)
    edit.installEventFilter(wedge)
    return widget, button, edit, wedge, clock


def _type(qtbot: QtBot, target: QWidget, text: str, clock: _Clock, gap_s: float) -> None:
    for ch in text:
        clock.t += gap_s
        qtbot.keyClick(target, ch)
    clock.t += gap_s
    qtbot.keyClick(target, Qt.Key.Key_Return)


def test_a_fast_burst_is_a_scan(qtbot: QtBot, form: tuple) -> None:  # type: ignore[type-arg]
    _, button, _, wedge, clock = form
    with qtbot.waitSignal(wedge.scanned) as blocker:
        _type(qtbot, button, "MP2611230001", clock, 0.005)
    assert blocker.args == ["MP2611230001"]


def test_slow_typing_is_not_a_scan(qtbot: QtBot, form: tuple) -> None:  # type: ignore[type-arg]
    _, button, _, wedge, clock = form
    with qtbot.assertNotEmitted(wedge.scanned):
        _type(qtbot, button, "MP2611230001", clock, 0.2)


def test_text_fields_keep_their_keys(qtbot: QtBot, form: tuple) -> None:  # type: ignore[type-arg]
    _, _, edit, wedge, clock = form
    with qtbot.assertNotEmitted(wedge.scanned):
        _type(qtbot, edit, "MP2611230001", clock, 0.005)
    assert edit.text() == "MP2611230001"


def test_space_still_presses_a_focused_button(qtbot: QtBot, form: tuple) -> None:  # type: ignore[type-arg]
    widget, button, _, _, _ = form
    widget.show()
    button.setFocus()
    with qtbot.waitSignal(button.clicked):
        qtbot.keyClick(button, Qt.Key.Key_Space)


def test_task_runner_delivers_on_the_gui_thread(qtbot: QtBot) -> None:
    runner = TaskRunner()
    gui = threading.current_thread()
    seen: list[tuple[str, object, threading.Thread]] = []
    worker_threads: list[threading.Thread] = []

    def work() -> int:
        worker_threads.append(threading.current_thread())
        return 42

    def boom() -> int:
        raise ValueError("no")

    runner.run(work, lambda r: seen.append(("done", r, threading.current_thread())))
    runner.run(boom, None, lambda e: seen.append(("error", e, threading.current_thread())))
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=5000)
    assert seen[0][:2] == ("done", 42) and seen[0][2] is gui
    assert seen[1][0] == "error" and isinstance(seen[1][1], ValueError) and seen[1][2] is gui
    assert worker_threads[0] is not gui
    assert runner.pending == 0
    runner.close()
    assert runner.run(work) is None  # closed: refuses work

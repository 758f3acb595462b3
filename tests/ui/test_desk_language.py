"""Issue #14: no English on the Indonesian screens. Every window (the four stations, the TV, each supervisor tab)
and the station dialogs are opened in Bahasa Indonesia on a morning's data, everything they show is read (labels,
buttons, titles, tabs, table headers and cells, placeholders, chart titles), and no word of the English catalog
(the source strings: what the program would say in English) may appear."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from catalogs import flat_catalog
from conftest import booking_code
from PySide6.QtCharts import QChartView
from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QTabWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot
from ui_helpers import Silent

from counter_desk.clock import FixedClock
from counter_desk.services.desk import Desk
from counter_desk.services.queue import QueueService
from counter_desk.store.engine import Database
from counter_desk.views.app import application
from counter_desk.views.display import DisplayWindow
from counter_desk.views.station import StationWindow
from counter_desk.views.supervisor import SupervisorWindow

WAIT_MS = 5000
WORD = re.compile(r"[A-Za-z]{4,}")


def english_words() -> set[str]:
    """Words of the English source strings that no Indonesian translation uses (so not a shared name or loan
    word such as "Paspor" or "Counter Desk"), lower-cased; placeholders left out."""
    catalog = flat_catalog("id")
    indonesian = {w.lower() for text in catalog.values() for w in WORD.findall(re.sub(r"\{[^}]*\}", " ", text))}
    english = {w.lower() for text in catalog for w in WORD.findall(re.sub(r"\{[^}]*\}", " ", text))}
    return english - indonesian


def _model_texts(model: QAbstractItemModel | None, rows: int = 30) -> Iterator[str]:
    if model is None:
        return
    root = QModelIndex()
    for column in range(model.columnCount(root)):
        yield str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        for row in range(min(rows, model.rowCount(root))):
            value = model.data(model.index(row, column))
            if isinstance(value, str):
                yield value


def shown_texts(window: QWidget) -> list[str]:
    """Everything a person can read in ``window`` (visible widgets only)."""
    texts = [window.windowTitle()]
    for widget in [window, *window.findChildren(QWidget)]:
        if not widget.isVisibleTo(window) and widget is not window:
            continue
        if isinstance(widget, QLabel | QAbstractButton):
            texts.append(widget.text())
            texts.append(widget.toolTip())
        elif isinstance(widget, QGroupBox):
            texts.append(widget.title())
        elif isinstance(widget, QLineEdit):
            texts += [widget.text(), widget.placeholderText()]
        elif isinstance(widget, QComboBox):
            texts += [widget.itemText(i) for i in range(widget.count())]
        elif isinstance(widget, QTabWidget):
            texts += [widget.tabText(i) for i in range(widget.count())]
        elif isinstance(widget, QChartView):
            texts.append(widget.chart().title())
            texts += [s.name() for s in widget.chart().series()]
        if isinstance(widget, QListWidget):
            texts += [widget.item(i).text() for i in range(widget.count())]
        elif isinstance(widget, QAbstractItemView):
            texts += list(_model_texts(widget.model()))
    return texts


def leaks(window: QWidget, english: set[str]) -> list[str]:
    found = []
    for text in shown_texts(window):
        words = {w.lower() for w in WORD.findall(text.replace("&", ""))}
        if words & english:
            found.append(f"{text!r}: {sorted(words & english)}")
    return sorted(set(found))


@pytest.fixture
def indonesian(qtbot: QtBot) -> Iterator[set[str]]:
    application("id")
    try:
        yield english_words()
    finally:
        application("en")


def test_the_english_word_list_catches_english(indonesian: set[str]) -> None:
    assert {"call", "next", "cancel", "waiting", "booked", "serving", "idle"} <= indonesian
    assert "paspor" not in indonesian  # a name both languages use


def _settled(qtbot: QtBot, window: QWidget) -> None:
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.wait(300)


def test_no_english_on_the_indonesian_station_windows_and_dialogs(
    indonesian: set[str], db: Database, clock: FixedClock, queue: QueueService, qtbot: QtBot
) -> None:
    for n in (1, 2, 3, 4):
        queue.check_in(booking_code(n))
    queue.call_next("interview-1")
    queue.transfer("adjudication", station="interview-1")
    queue.call_next("interview-2")
    clock.advance(dt.timedelta(minutes=5))  # past the minimum time before a no-show: F6 asks
    found: dict[str, list[str]] = {}
    officers = {"reception-1": "penerimaan1", "interview-2": "wawancara1", "adjudicator": "ajudikator"}
    for station in ("reception-1", "interview-2", "adjudicator", "pickup"):
        window = StationWindow(Desk(db), station, clock=clock, live=False, sound=Silent(), user=officers.get(station))
        _settled(qtbot, window)
        qtbot.waitUntil(lambda w=window: w._snapshot is not None, timeout=WAIT_MS)  # type: ignore[misc]
        if station == "reception-1":
            with qtbot.waitSignal(window.acted, timeout=WAIT_MS):
                window.scan(booking_code(5))
        if station == "adjudicator":
            with qtbot.waitSignal(window.acted, timeout=WAIT_MS):
                window.call_next()
            qtbot.waitUntil(lambda w=window: w.applicant_label.text() != "", timeout=WAIT_MS)  # type: ignore[misc]
        found[station] = leaks(window, indonesian)
        # Its dialogs too, Qt's own buttons included.
        asks = {
            "reception-1": [window.reception_panel.ask_walk_in],
            "interview-2": [
                window.counter_panel.ask_no_show,
                window.booth_panel.ask_park,
                window.counter_panel.ask_transfer,
            ],
            "adjudicator": [window.adjudicator_panel.ask_reject],
            "pickup": [],
        }[station]
        for ask in asks:
            seen: list[list[str]] = []

            def look(seen: list[list[str]] = seen, tries: list[int] = [0]) -> None:  # noqa: B006 - a counter
                dialog = QApplication.activeModalWidget()
                if not isinstance(dialog, QDialog):
                    tries[0] += 1
                    if tries[0] < 300:
                        QTimer.singleShot(10, look)
                    return
                try:
                    seen.append([dialog.windowTitle(), *leaks(dialog, indonesian)])
                finally:
                    dialog.reject()

            QTimer.singleShot(0, look)
            ask()
            assert seen, f"{station}: {ask.__name__} opened no dialog"
            title, *dialog_leaks = seen[0]
            found[f"{station} / {title}"] = dialog_leaks
    assert not {k: v for k, v in found.items() if v}, found


def test_no_english_on_the_indonesian_tv_and_supervisor_tabs(
    indonesian: set[str], db: Database, clock: FixedClock, queue: QueueService, qtbot: QtBot
) -> None:
    for n in (1, 2, 3):
        queue.check_in(booking_code(n))
    queue.call_next("interview-1")
    found: dict[str, list[str]] = {}
    display = DisplayWindow(Desk(db), clock=clock, sink=Silent())
    _settled(qtbot, display)
    found["display"] = leaks(display, indonesian)
    supervisor = SupervisorWindow(Desk(db), clock=clock, user="kasi")
    _settled(qtbot, supervisor)
    for index in range(supervisor.tabs.count()):
        supervisor.tabs.setCurrentIndex(index)
        qtbot.wait(300)
        found[f"supervisor / {supervisor.tabs.tabText(index)}"] = leaks(supervisor, indonesian)
    assert not {k: v for k, v in found.items() if v}, found

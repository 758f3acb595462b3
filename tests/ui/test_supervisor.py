"""The supervisor's window, for real, offscreen, on both engines, over the hand-worked morning.

See tests/dashboard_day.py for the morning and its figures.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from dashboard_day import at, simulate_day
from helpers import events, snapshot
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QComboBox, QDialogButtonBox, QLineEdit, QSpinBox
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from counter_desk.clock import FixedClock
from counter_desk.qt.dashboard_models import StageModel, StationModel, TicketModel
from counter_desk.services import rules
from counter_desk.services.desk import Desk
from counter_desk.services.queue import QueueService
from counter_desk.store.engine import Database
from counter_desk.views.app import application
from counter_desk.views.supervisor import SupervisorWindow
from counter_desk.views.supervisor_tickets import ReasonDialog

WAIT_MS = 5000


@pytest.fixture
def morning(db: Database, clock: FixedClock) -> QueueService:
    return simulate_day(db, clock)


@pytest.fixture
def open_window(qtbot: QtBot, db: Database, clock: FixedClock) -> Callable[..., SupervisorWindow]:
    application("en")

    def make(**kwargs: object) -> SupervisorWindow:
        kwargs.setdefault("user", "kasi")
        kwargs.setdefault("live", False)
        window = SupervisorWindow(Desk(db), clock=clock, **kwargs)  # type: ignore[arg-type]
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window._dashboard is not None and window.rules_tab.rules is not None, timeout=WAIT_MS)
        return window

    return make


def _answer(reason: str | None, choice: str | None = None) -> list[str]:
    """Answer the next ReasonDialog (a real modal dialog) once it is open; ``reason=None`` cancels it."""
    seen: list[str] = []

    def fill(tries: int = 0) -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ReasonDialog):
            if tries < 100:
                QTimer.singleShot(20, lambda: fill(tries + 1))
            return
        seen.append(dialog.windowTitle())
        if reason is None:
            dialog.reject()
            return
        if choice is not None:
            dialog.choice.setCurrentIndex(dialog.choice.findData(choice))
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        seen.append("ok enabled before a reason" if ok.isEnabled() else "ok disabled before a reason")
        dialog.reason.setText(reason)
        ok.click()

    QTimer.singleShot(0, fill)
    return seen


def _select(view: object, model: object, key: str) -> None:
    for row in range(model.rowCount()):  # type: ignore[attr-defined]
        if model.index(row, 0).data(Qt.ItemDataRole.UserRole) == key:  # type: ignore[attr-defined]
            view.selectRow(row)  # type: ignore[attr-defined]
            return
    raise AssertionError(f"{key} not shown")


def test_models_pass_the_model_tester(
    morning: QueueService, open_window: Callable[..., SupervisorWindow], qtmodeltester: object
) -> None:
    w = open_window()
    for model in (w.overview_tab.stage_model, w.overview_tab.station_model, w.tickets_tab.ticket_model):
        qtmodeltester.check(model)  # type: ignore[attr-defined]
    assert isinstance(w.overview_tab.stage_model, StageModel) and isinstance(w.overview_tab.station_model, StationModel)
    assert isinstance(w.tickets_tab.ticket_model, TicketModel)


def test_the_morning_at_a_glance(morning: QueueService, open_window: Callable[..., SupervisorWindow]) -> None:
    w = open_window()
    assert (
        "Served today: 2" in w.overview_tab.summary_label.text()
        and "waiting now: 1" in w.overview_tab.summary_label.text()
    )
    rows = {
        w.overview_tab.stage_model.index(r, 0).data(Qt.ItemDataRole.UserRole): r
        for r in range(w.overview_tab.stage_model.rowCount())
    }
    interview = rows["interview"]
    cell = lambda row, col: w.overview_tab.stage_model.index(row, col).data()  # noqa: E731
    assert cell(interview, StageModel.WAITING) == "1"
    assert cell(interview, StageModel.LONGEST) == "90 min"
    assert cell(interview, StageModel.AVERAGE) == "20 min"
    assert cell(interview, StageModel.SERVICE) == "9 min"  # 540 s
    assert w.overview_tab.stage_model.level_at(interview, StageModel.LONGEST) == "red"
    assert w.overview_tab.stage_model.level_at(interview, StageModel.AVERAGE) == "amber"
    assert w.overview_tab.stage_model.level_at(rows["adjudication"], StageModel.AVERAGE) == "green"
    red = w.overview_tab.stage_model.index(interview, StageModel.LONGEST).data(Qt.ItemDataRole.BackgroundRole)
    assert red.color().name() == "#ffcdd2"

    stations = {
        w.overview_tab.station_model.index(r, 0).data(Qt.ItemDataRole.UserRole): [
            w.overview_tab.station_model.index(r, c).data() for c in range(w.overview_tab.station_model.columnCount())
        ]
        for r in range(w.overview_tab.station_model.rowCount())
    }
    assert stations["interview-2"][StationModel.STATE : StationModel.SINCE + 1] == ["called", "A-001", "09:30"]
    assert stations["interview-1"][StationModel.STATE] == "idle"
    assert stations["interview-1"][StationModel.OFFICER] == "Petugas Wawancara 1"
    tickets = [w.tickets_tab.ticket_model.index(r, 0).data() for r in range(w.tickets_tab.ticket_model.rowCount())]
    assert tickets == ["A-001", "A-002"]  # held first, then waiting

    arrivals = w.overview_tab.arrivals_chart.series()[0]
    assert [arrivals.barSets()[0].at(i) for i in range(2)] == [4, 0]
    waits = {s.label(): [s.at(i) for i in range(s.count())] for s in w.overview_tab.waits_chart.series()[0].barSets()}
    assert waits == {"Wawancara": [27.5, 12.5], "Ajudikasi": [0.0, 20.0]}


def test_move_a_waiting_ticket_through_the_dialog(
    morning: QueueService, open_window: Callable[..., SupervisorWindow], db: Database, qtbot: QtBot
) -> None:
    w = open_window()
    w.tabs.setCurrentIndex(1)
    _select(w.tickets_tab.ticket_view, w.tickets_tab.ticket_model, "A-002")
    assert w.tickets_tab.move_button.isEnabled() and not w.tickets_tab.reopen_button.isEnabled()
    seen = _answer("berkas lengkap, langsung ajudikasi", choice="adjudication")
    with qtbot.waitSignal(w.acted, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(w.tickets_tab.move_button, Qt.MouseButton.LeftButton)
    assert seen == ["Move to another stage", "ok disabled before a reason"]
    assert (blocker.args[0].ticket.number, blocker.args[0].ticket.stage) == ("A-002", "adjudication")
    last = events(db)[-1]
    assert (last["kind"], last["reason"], last["data"]["to_stage"]) == (
        "transferred",
        "berkas lengkap, langsung ajudikasi",
        "adjudication",
    )
    with db.read() as s:
        kasi = s.execute(text("SELECT id FROM users WHERE username = 'kasi'")).scalar_one()
    assert last["user_id"] == kasi
    assert "A-002 moved to Ajudikasi" in w.banner.text()
    qtbot.waitUntil(
        lambda: any(s.code == "adjudication" and s.waiting == 1 for s in w._dashboard.stages), timeout=WAIT_MS
    )  # type: ignore[union-attr]


def test_release_a_station_left_holding_a_ticket(
    morning: QueueService, open_window: Callable[..., SupervisorWindow], db: Database, qtbot: QtBot
) -> None:
    w = open_window()
    _select(w.overview_tab.station_view, w.overview_tab.station_model, "interview-1")
    assert not w.overview_tab.release_button.isEnabled()  # idle
    _select(w.overview_tab.station_view, w.overview_tab.station_model, "interview-2")
    assert w.overview_tab.release_button.isEnabled()
    seen = _answer("petugas istirahat")
    with qtbot.waitSignal(w.acted, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(w.overview_tab.release_button, Qt.MouseButton.LeftButton)
    assert seen[0] == "Release station"
    result = blocker.args[0]
    assert (result.ticket.number, result.ticket.status, result.ticket.front) == ("A-001", "waiting", True)
    last = events(db)[-1]
    assert (last["kind"], last["reason"], last["data"]["position"]) == ("returned", "petugas istirahat", "front")
    qtbot.waitUntil(lambda: w.overview_tab.station_model.index(3, StationModel.STATE).data() == "idle", timeout=WAIT_MS)


def test_reopen_a_no_show(
    morning: QueueService, open_window: Callable[..., SupervisorWindow], db: Database, clock: FixedClock, qtbot: QtBot
) -> None:
    clock.set(at(9, 45))
    morning.no_show("interview-2")
    w = open_window()
    w.tabs.setCurrentIndex(1)
    _select(w.tickets_tab.ticket_view, w.tickets_tab.ticket_model, "A-001")
    assert w.tickets_tab.reopen_button.isEnabled() and not w.tickets_tab.move_button.isEnabled()
    tip = w.tickets_tab.ticket_model.index(w.tickets_tab.ticket_view.currentIndex().row(), 0).data(
        Qt.ItemDataRole.ToolTipRole
    )
    assert tip == "may be put back until 10:15"
    _answer("pemohon kembali dari toilet")
    with qtbot.waitSignal(w.acted, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(w.tickets_tab.reopen_button, Qt.MouseButton.LeftButton)
    assert (blocker.args[0].ticket.status, blocker.args[0].ticket.front) == ("waiting", True)
    assert events(db)[-1]["reason"] == "pemohon kembali dari toilet"


def test_cancelled_dialog_and_refusals_write_nothing(
    morning: QueueService, open_window: Callable[..., SupervisorWindow], db: Database, clock: FixedClock, qtbot: QtBot
) -> None:
    before = snapshot(db)
    w = open_window()
    _select(w.overview_tab.station_view, w.overview_tab.station_model, "interview-2")
    seen = _answer(None)
    qtbot.mouseClick(w.overview_tab.release_button, Qt.MouseButton.LeftButton)
    assert seen == ["Release station"] and snapshot(db) == before

    officer = open_window(user="wawancara1")
    with qtbot.waitSignal(officer.failed, timeout=WAIT_MS) as blocker:
        officer.tickets_tab.release_station("interview-2", "coba")
    assert "may not do this" in blocker.args[0] and "supervisor" in blocker.args[0]
    assert snapshot(db) == before

    # Past the no-show tolerance: the service says why, nothing changes.
    clock.set(at(9, 45))
    morning.no_show("interview-2")
    before = snapshot(db)
    clock.set(at(10, 30))
    with qtbot.waitSignal(w.failed, timeout=WAIT_MS) as blocker:
        w.tickets_tab.reopen_no_show("A-001", "terlambat")
    assert "more than 30 minutes ago" in blocker.args[0]
    assert snapshot(db) == before


def test_live_follows_other_stations(
    morning: QueueService, open_window: Callable[..., SupervisorWindow], qtbot: QtBot
) -> None:
    w = open_window(live=True)
    qtbot.waitUntil(lambda: w._live is not None, timeout=WAIT_MS)
    morning.call_next("interview-1", user="wawancara1")  # another PC calls A-002
    qtbot.waitUntil(
        lambda: (
            [w.tickets_tab.ticket_model.index(r, 0).data() for r in range(w.tickets_tab.ticket_model.rowCount())]
            == ["A-001", "A-002"]
            and w.tickets_tab.ticket_model.index(1, TicketModel.STATUS).data() == "called"
        ),
        timeout=WAIT_MS,
    )
    assert "waiting now: 0" in w.overview_tab.summary_label.text()


def test_rules_tab_saves_rules_and_targets(
    morning: QueueService, open_window: Callable[..., SupervisorWindow], db: Database, qtbot: QtBot
) -> None:
    w = open_window()
    w.tabs.setCurrentIndex(2)
    close = w.findChild(QLineEdit, "rule_office_close")
    policy = w.findChild(QComboBox, "rule_late_policy")
    target = w.findChild(QSpinBox, "target_interview")
    assert close is not None and policy is not None and target is not None
    assert close.text() == rules.current(db)["office_close"]
    close.setText("16:30")
    policy.setCurrentIndex(policy.findData("refuse"))
    target.setValue(20)
    with qtbot.waitSignal(w.rules_saved, timeout=WAIT_MS):
        qtbot.mouseClick(w.rules_tab.save_rules_button, Qt.MouseButton.LeftButton)
    now = rules.current(db)
    assert (now["office_close"], now["late_policy"]) == ("16:30", "refuse")
    qtbot.waitUntil(
        lambda: next(s for s in w._dashboard.stages if s.code == "interview").wait_target_minutes == 20,  # type: ignore[union-attr]
        timeout=WAIT_MS,
    )
    with db.read() as s:
        kinds = s.execute(text("SELECT kind, username FROM audit_log ORDER BY id DESC LIMIT 2")).all()
    assert sorted(kinds) == [("rules_changed", "kasi"), ("stage_changed", "kasi")]

    # A contradiction (opening after closing) is refused and nothing is written.
    before = rules.current(db)
    w.findChild(QLineEdit, "rule_office_open").setText("17:00")  # type: ignore[union-attr]
    with qtbot.waitSignal(w.failed, timeout=WAIT_MS) as blocker:
        w.rules_tab.save_rules()
    assert "open before it closes" in blocker.args[0]
    assert rules.current(db) == before

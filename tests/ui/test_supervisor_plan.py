"""The supervisor's *Rencana* tab, for real and offscreen on both engines, with the host every tab gets (the
supervisor window): the plan of the next working day, the chart against the target, the what-if knobs, the quota
question, and bad input refused in the tab before any work starts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from conftest import MONDAY
from PySide6.QtCharts import QBarSeries, QLineSeries
from PySide6.QtCore import QDate
from pytestqt.qtbot import QtBot

from counter_desk import i18n
from counter_desk.clock import FixedClock
from counter_desk.services import seed
from counter_desk.services.desk import Desk
from counter_desk.store.engine import Database
from counter_desk.views.app import application
from counter_desk.views.supervisor import SupervisorWindow
from counter_desk.views.supervisor_plan import PlanTab

WAIT_MS = 20_000
TUESDAY = MONDAY + dt.timedelta(days=1)


@pytest.fixture
def tab(qtbot: QtBot, db: Database, clock: FixedClock) -> Iterator[PlanTab]:
    seed.sample_bookings(db, 80, day=TUESDAY, clock=clock, seed=7)
    window = SupervisorWindow(Desk(db), clock=clock, user="kasi", live=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window._dashboard is not None, timeout=WAIT_MS)
    plan_tab = PlanTab(window)
    window.tabs.addTab(plan_tab, "&Rencana")
    window.tabs.setCurrentWidget(plan_tab)
    plan_tab.replications.setValue(10)
    yield plan_tab


def _plan(qtbot: QtBot, tab: PlanTab) -> object:
    with qtbot.waitSignal(tab.planned, timeout=WAIT_MS) as blocker:
        tab.plan_button.click()
    return blocker.args[0]


def test_the_next_working_day_is_planned_and_charted(qtbot: QtBot, tab: PlanTab) -> None:
    application("en")
    qtbot.waitUntil(lambda: tab.day_edit.date() == QDate(2026, 11, 24), timeout=WAIT_MS)
    rec = _plan(qtbot, tab)
    assert rec is tab.recommendation
    assert rec.inputs.day == TUESDAY and len(rec.inputs.model.bookings) > 60
    assert "recommended interview booths" in tab.summary.text()
    assert tab.schedule.rowCount() == len(rec.blocks()) > 0
    assert tab.schedule.item(0, 0).text().startswith("07")
    bars = [s for s in tab.chart.series() if isinstance(s, QBarSeries)]
    lines = [s for s in tab.chart.series() if isinstance(s, QLineSeries)]
    assert len(bars) == 1 and len(lines) == 1
    hours = [h for h, s in rec.prediction.by_hour.items() if s.count]
    assert bars[0].barSets()[0].count() == len(hours)
    assert {p.y() for p in lines[0].points()} == {15.0}

    # What if four times the walk-ins come (the rush before Lebaran): more booth-hours, never fewer.
    tab.walk_in_factor.setValue(4.0)
    rush = _plan(qtbot, tab)
    assert sum(rush.prediction.staffing.booths.values()) > sum(rec.prediction.staffing.booths.values())

    tab.walk_in_factor.setValue(1.0)
    with qtbot.waitSignal(tab.quota_answered, timeout=WAIT_MS) as blocker:
        tab.quota_button.click()
    assert blocker.args[0].booths == 3
    assert "bookings meet the target" in tab.quota_label.text()


def test_bad_input_is_refused_in_the_tab(qtbot: QtBot, tab: PlanTab) -> None:
    application("en")
    tab.day_edit.setDate(QDate(2026, 11, 20))
    tab.plan_button.click()
    assert tab.problem.isVisible() and "is in the past" in tab.problem.text()
    assert tab.recommendation is None
    tab.day_edit.setDate(QDate(2026, 11, 24))
    tab.breaks.setText("noon")
    tab.plan_button.click()
    assert "break 'noon'" in tab.problem.text()
    tab.breaks.setText("12:00-13:00")
    _plan(qtbot, tab)
    assert not tab.problem.isVisible()
    assert tab.recommendation is not None and tab.recommendation.prediction.staffing.closures
    # A new quota and at most two booths: the knobs become the scenario.
    tab.breaks.clear()
    tab.bookings.setValue(40)
    tab.max_booths.setValue(2)
    rec = _plan(qtbot, tab)
    assert len(rec.inputs.model.bookings) == 40
    assert rec.inputs.max_booths == 2 and max(rec.prediction.staffing.booths.values()) <= 2
    assert tab.waits.rowCount() == len(rec.prediction.waits) > 0


def test_indonesian_first_with_a_decimal_comma(qtbot: QtBot, db: Database, clock: FixedClock) -> None:
    application("id")
    try:
        seed.sample_bookings(db, 40, day=TUESDAY, clock=clock, seed=7)
        window = SupervisorWindow(Desk(db), clock=clock, user="kasi", live=False)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window._dashboard is not None, timeout=WAIT_MS)
        plan_tab = PlanTab(window)
        window.tabs.addTab(plan_tab, "&Rencana")
        plan_tab.replications.setValue(5)
        plan_tab.day_edit.setDate(QDate(2026, 11, 24))
        _plan(qtbot, plan_tab)
        assert plan_tab.chart.locale().decimalPoint() == ","
        assert "dalam 15,0 menit" in plan_tab.summary.text()
        assert plan_tab.walk_in_factor.text().startswith("1,0")
    finally:
        i18n.set_language("en")

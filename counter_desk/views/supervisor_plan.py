"""The supervisor window's *Rencana* (plan) tab: how many interview booths to open tomorrow, hour by hour.

It runs the same service as ``counter-desk plan`` (:func:`counter_desk.services.plan.plan_day`) on the window's
worker thread: the recommended booths per hour, the predicted share within target with its confidence, the waits'
median and P90 per stage and category, and a chart of the predicted waits by hour against the target. The what-if
knobs (more walk-ins, another bookings count, the most booths, officers' breaks) become a scenario, as a
``--scenario`` file would; the quota question asks the largest bookings count for a number of booths.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QDate, QLocale, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from counter_desk import i18n
from counter_desk.errors import InvalidInput
from counter_desk.i18n import _
from counter_desk.services import plan
from counter_desk.services.plan import text
from counter_desk.services.plan.model import INTERVIEW
from counter_desk.services.plan.scenario import Scenario
from counter_desk.services.plan.search import QuotaAnswer, Recommendation, schedule_text
from counter_desk.views.supervisor_common import ERROR_STYLE, Host, button, date_edit, day_of, labelled


def title() -> str:
    """The tab's title in the supervisor window (Alt+N)."""
    return _("Pla&n")


def wait_chart(chart: QChart, rec: Recommendation) -> None:
    """Predicted interview waits by hour (mean and P90, minutes) for the recommended booths, and the target."""
    chart.removeAllSeries()
    for axis in chart.axes():
        chart.removeAxis(axis)
    p = rec.prediction
    hours = sorted(h for h in p.by_hour if p.by_hour[h].count)
    mean = QBarSet(_("mean wait"))
    mean.setColor(QColor("#1565c0"))
    p90 = QBarSet(_("P90 wait"))
    p90.setColor(QColor("#90caf9"))
    top = 0.0
    for h in hours:
        spread = p.by_hour[h]
        mean.append((spread.mean or 0.0) / 60)
        p90.append((spread.p90 or 0.0) / 60)
        top = max(top, (spread.p90 or 0.0) / 60)
    bars = QBarSeries()
    bars.append(mean)
    bars.append(p90)
    chart.addSeries(bars)
    target_min = rec.inputs.targets.stage_seconds[INTERVIEW] / 60
    line = QLineSeries()
    line.setName(_("target ({minutes} min)", minutes=text.minutes(target_min * 60)))
    line.setPen(QPen(QColor("#c62828"), 2, Qt.PenStyle.DashLine))
    # The bar axis places category i at x = i; the line runs across all of them.
    line.append(QPointF(-0.5, target_min))
    line.append(QPointF(len(hours) - 0.5, target_min))
    chart.addSeries(line)
    x = QBarCategoryAxis()
    x.append([f"{h:02d}" for h in hours])
    y = QValueAxis()
    y.setRange(0, max(target_min * 1.3, top * 1.1, 4.0))
    y.applyNiceNumbers()
    y.setLabelFormat("%.1f")
    y.setTitleText(_("minutes"))
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    bars.attachAxis(x)
    bars.attachAxis(y)
    hidden = QValueAxis()  # the line's own x axis, matched to the categories' positions
    hidden.setRange(-0.5, len(hours) - 0.5)
    hidden.setVisible(False)
    chart.addAxis(hidden, Qt.AlignmentFlag.AlignBottom)
    line.attachAxis(hidden)
    line.attachAxis(y)
    chart.setTitle(_("Predicted interview waits by hour, {schedule}", schedule=schedule_text(p.staffing)))


class PlanTab(QWidget):
    """The plan for a day, its what-if knobs, the chart.

    Signals:
        planned(object): a plan is shown; carries its :class:`~counter_desk.services.plan.search.Recommendation`.
        quota_answered(object): carries the :class:`~counter_desk.services.plan.search.QuotaAnswer`.
    """

    planned = Signal(object)
    quota_answered = Signal(object)

    def __init__(self, host: Host) -> None:
        super().__init__()
        self.setObjectName("planTab")
        self._host = host
        self.recommendation: Recommendation | None = None
        layout = QVBoxLayout(self)
        layout.addLayout(self._top_row())
        layout.addWidget(self._knobs())
        self.problem = QLabel()
        self.problem.setObjectName("planProblem")
        self.problem.setStyleSheet(ERROR_STYLE)
        self.problem.setWordWrap(True)
        self.problem.hide()
        layout.addWidget(self.problem)
        self.summary = QLabel(_("Press Plan to simulate the day."))
        self.summary.setObjectName("planSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)
        row = QHBoxLayout()
        self.waits = QTableWidget(0, 5)
        self.waits.setObjectName("planWaits")
        self.waits.setHorizontalHeaderLabels(
            [_("Stage"), _("Category"), _("Waits a day"), _("Median (min)"), _("P90 (min)")]
        )
        self.waits.verticalHeader().hide()
        self.waits.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.waits.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.schedule = QTableWidget(0, 2)
        self.schedule.setObjectName("planSchedule")
        self.schedule.setHorizontalHeaderLabels([_("Hours"), _("Booths")])
        self.schedule.verticalHeader().hide()
        self.schedule.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.schedule.setMaximumWidth(220)
        row.addWidget(self.schedule)
        row.addWidget(self.waits, 1)
        layout.addLayout(row)
        self.chart = QChart()
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart.setLocalizeNumbers(True)
        self.chart_view = QChartView(self.chart)
        self.chart_view.setObjectName("planChart")
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumHeight(300)
        layout.addWidget(self.chart_view, 1)
        self._apply_language()
        host.read(lambda: host.desk(plan.next_working_day, host.today(), host.office), self._set_day)

    def _apply_language(self) -> None:
        """Numbers with the language's decimal mark: 7,5 in Bahasa Indonesia."""
        locale = QLocale(QLocale.Language.Indonesian) if i18n.language() == "id" else QLocale(QLocale.Language.English)
        self.chart.setLocale(locale)
        self.walk_in_factor.setLocale(locale)

    def _top_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.day_edit = date_edit(self._host.today() + dt.timedelta(days=1), "planDay")
        label = QLabel(_("&Day:"))
        label.setBuddy(self.day_edit)
        row.addWidget(label)
        row.addWidget(self.day_edit)
        self.replications = QSpinBox()
        self.replications.setObjectName("planReplications")
        self.replications.setRange(5, 500)
        self.replications.setValue(50)
        label = QLabel(_("Simulated da&ys:"))
        label.setBuddy(self.replications)
        row.addWidget(label)
        row.addWidget(self.replications)
        self.plan_button = button(_("&Plan"), "planButton", self.run_plan)
        row.addWidget(self.plan_button)
        row.addStretch(1)
        return row

    def _knobs(self) -> QGroupBox:
        box = QGroupBox(_("What if"))
        form = QFormLayout(box)
        self.walk_in_factor = QDoubleSpinBox()
        self.walk_in_factor.setObjectName("planWalkIns")
        self.walk_in_factor.setRange(0.0, 10.0)
        self.walk_in_factor.setSingleStep(0.5)
        self.walk_in_factor.setDecimals(1)
        self.walk_in_factor.setValue(1.0)
        self.walk_in_factor.setSuffix(" ×")
        labelled(form, _("&Walk-ins (times the usual):"), self.walk_in_factor)
        self.bookings = QSpinBox()
        self.bookings.setObjectName("planBookings")
        self.bookings.setRange(0, 5000)
        self.bookings.setSpecialValueText(_("as imported"))
        labelled(form, _("Book&ings (a new quota):"), self.bookings)
        self.max_booths = QSpinBox()
        self.max_booths.setObjectName("planMaxBooths")
        self.max_booths.setRange(0, 50)
        self.max_booths.setSpecialValueText(_("the office's booths"))
        labelled(form, _("&Most booths:"), self.max_booths)
        self.breaks = QLineEdit()
        self.breaks.setObjectName("planBreaks")
        self.breaks.setPlaceholderText("12:00-13:00, 13:00-14:00x2")
        labelled(form, _("Brea&ks (booths closed):"), self.breaks)
        quota_row = QHBoxLayout()
        self.quota_booths = QSpinBox()
        self.quota_booths.setObjectName("planQuotaBooths")
        self.quota_booths.setRange(1, 50)
        self.quota_booths.setValue(3)
        self.quota_button = button(_("&Largest quota"), "planQuotaButton", self.run_quota)
        quota_row.addWidget(self.quota_booths)
        quota_row.addWidget(self.quota_button)
        self.quota_label = QLabel()
        self.quota_label.setObjectName("planQuotaLabel")
        self.quota_label.setWordWrap(True)
        quota_row.addWidget(self.quota_label, 1)
        label = QLabel(_("Booths for the &quota question:"))
        label.setBuddy(self.quota_booths)
        form.addRow(label, quota_row)
        return box

    def _set_day(self, day: dt.date) -> None:
        self.day_edit.setDate(QDate(day.year, day.month, day.day))

    # ------------------------------------------------------------------ actions

    def _scenario(self) -> tuple[dt.date, Scenario, tuple[plan.Closure, ...]]:
        """What the knobs say, checked; :class:`InvalidInput` when something is not understood."""
        day = day_of(self.day_edit)
        if day < self._host.today():
            raise InvalidInput(_("{day} is in the past: plan today or a coming day", day=day.isoformat()))
        breaks = tuple(plan.parse_closure(part) for part in self.breaks.text().split(",") if part.strip())
        scenario = Scenario(
            walk_in_factor=self.walk_in_factor.value(),
            bookings=self.bookings.value() or None,
            max_booths=self.max_booths.value() or None,
        )
        return day, scenario, breaks

    def _checked(self) -> tuple[dt.date, Scenario, tuple[plan.Closure, ...]] | None:
        try:
            values = self._scenario()
        except InvalidInput as exc:
            self.problem.setText(exc.message)
            self.problem.show()
            return None
        self.problem.hide()
        return values

    def run_plan(self) -> None:
        checked = self._checked()
        if checked is None:
            return
        day, scenario, breaks = checked
        host, replications = self._host, self.replications.value()

        def work() -> Recommendation:
            return host.desk(
                plan.plan_day, day, office=host.office, replications=replications, scenario=scenario, breaks=breaks
            )

        host.run_job(_("Plan"), work, self.show_plan)

    def run_quota(self) -> None:
        checked = self._checked()
        if checked is None:
            return
        day, scenario, breaks = checked
        host, replications, booths = self._host, self.replications.value(), self.quota_booths.value()

        def work() -> QuotaAnswer:
            return host.desk(
                plan.quota, day, booths, office=host.office, replications=replications, scenario=scenario, breaks=breaks
            )

        def done(answer: QuotaAnswer) -> None:
            self.quota_label.setText(text.describe_quota(answer, day.isoformat()))
            self.quota_answered.emit(answer)

        host.run_job(_("Largest quota"), work, done)

    def show_plan(self, rec: Recommendation) -> None:
        self.recommendation = rec
        lines = text.describe(rec)
        # The waits per stage and category go to their table; the summary keeps the rest.
        self.summary.setText("\n".join(line for line in lines if not line.startswith("  ")))
        waits = rec.prediction.waits_in_order()
        self.waits.setRowCount(len(waits))
        for row, ((stage, category), spread) in enumerate(waits):
            cells = [
                rec.inputs.stage_name(stage),
                rec.inputs.category_name(category),
                str(round(spread.count / rec.prediction.replications)),
                text.minutes(spread.p50),
                text.minutes(spread.p90),
            ]
            for column, cell in enumerate(cells):
                self.waits.setItem(row, column, QTableWidgetItem(cell))
        blocks = rec.blocks()
        self.schedule.setRowCount(len(blocks))
        for row, (start, end, booths) in enumerate(blocks):
            self.schedule.setItem(row, 0, QTableWidgetItem(f"{start:02d}–{end:02d}"))
            self.schedule.setItem(row, 1, QTableWidgetItem(str(booths)))
        wait_chart(self.chart, rec)
        self.planned.emit(rec)

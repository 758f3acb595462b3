"""The supervisor window's *Overview* tab: stages against their wait targets in traffic-light colours, the
stations with *Release station*, served today, and charts of arrivals and waits by hour.

It reads nothing itself: the window hands it each fresh :class:`~counter_desk.services.dashboard.Dashboard`.
"""

from __future__ import annotations

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from counter_desk.i18n import _
from counter_desk.qt.dashboard_models import StageModel, StationModel
from counter_desk.services.dashboard import IDLE, Dashboard, StationFigures
from counter_desk.views.supervisor_common import Host, button, on_row_change, reselect, selected, table

#: One colour per stage in flow order (the charts), as in the PDF report.
PALETTE = ("#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#c62828", "#00838f")


def show_every_row(view: QTableView, rows: int) -> None:
    """A table of a few rows (the office's stages) is never cut to two: it is as tall as its rows (a small
    window scrolls as a whole instead)."""
    height = view.horizontalHeader().height() + 2 * view.frameWidth()
    height += sum(view.rowHeight(r) for r in range(rows))
    bar = view.horizontalScrollBar()
    if bar is not None and bar.maximum() > 0:
        height += bar.sizeHint().height()
    view.setMinimumHeight(height)


def chart(title: str) -> tuple[QChartView, QChart]:
    """An empty bar chart with its title, the legend below."""
    made = QChart()
    made.setTitle(title)
    made.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    made.setMargins(made.margins() * 0)
    view = QChartView(made)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(180)
    return view, made


def fill_chart(chart: QChart, hours: list[int], series: list[tuple[str, str, list[float]]]) -> None:
    """Replace the chart's bars: one set per (name, colour, values by hour)."""
    chart.removeAllSeries()
    for axis in chart.axes():
        chart.removeAxis(axis)
    bars = QBarSeries()
    top = 0.0
    for name, colour, values in series:
        bar_set = QBarSet(name)
        bar_set.setColor(QColor(colour))
        bar_set.append(values)
        bars.append(bar_set)
        top = max([top, *values])
    chart.addSeries(bars)
    x = QBarCategoryAxis()
    x.append([f"{h:02d}" for h in hours])
    y = QValueAxis()
    # Whole-number labels need a range of a few units: under 1 they read "0 0 0 0 1" (minutes under one).
    y.setRange(0, max(4.0, top * 1.1))
    y.applyNiceNumbers()
    # Labels through the chart's locale (the application's: Indonesian writes 2,5 as the tables do, not 2.5).
    chart.setLocale(QLocale())
    chart.setLocalizeNumbers(True)
    y.setLabelFormat("%.4g")
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    bars.attachAxis(x)
    bars.attachAxis(y)
    chart.legend().setVisible(len(series) > 1)


class OverviewTab(QWidget):
    """The office at a glance.

    Signals:
        release_asked(str, str): *Release station…* was pressed; carries the station and the number it holds (the
            window asks as the *Tickets* tab does).
    """

    release_asked = Signal(str, str)

    def __init__(self, host: Host) -> None:
        super().__init__()
        self._host = host
        layout = QVBoxLayout(self)
        self.summary_label = QLabel()
        big = QFont()
        big.setPointSize(13)
        big.setBold(True)
        self.summary_label.setFont(big)
        layout.addWidget(self.summary_label)
        self.stage_model = StageModel(self)
        self.stage_view = table(self.stage_model, "stageView")
        header = self.stage_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(StageModel.STAGE, QHeaderView.ResizeMode.Stretch)
        self.stage_view.setSizeAdjustPolicy(QAbstractItemView.SizeAdjustPolicy.AdjustToContents)
        layout.addWidget(self.stage_view)
        self.station_model = StationModel(self)
        self.station_view = table(self.station_model, "stationView")
        self.station_view.setSizeAdjustPolicy(QAbstractItemView.SizeAdjustPolicy.AdjustToContents)
        layout.addWidget(self.station_view)
        row = QHBoxLayout()
        self.release_button = button(_("&Release station…"), "releaseButton", self._ask_release)
        self.release_button.setToolTip(_("Put the ticket a station holds back at the front of its queue"))
        row.addWidget(self.release_button)
        row.addStretch(1)
        layout.addLayout(row)
        charts = QHBoxLayout()
        self.arrivals_view, self.arrivals_chart = chart(_("Tickets issued by hour"))
        self.waits_view, self.waits_chart = chart(_("Average wait by hour (minutes)"))
        charts.addWidget(self.arrivals_view)
        charts.addWidget(self.waits_view)
        layout.addLayout(charts, 1)
        on_row_change(self.station_view, self.update_buttons)

    def show_dashboard(self, d: Dashboard) -> None:
        """Show a fresh dashboard, keeping the chosen station."""
        waiting = sum(s.waiting for s in d.stages)
        self.summary_label.setText(
            _(
                "Served today: {served} · issued: {issued} · waiting now: {waiting} · no-shows: {no_shows}",
                served=d.served_today,
                issued=d.issued_today,
                waiting=waiting,
                no_shows=d.no_shows_today,
            )
        )
        station = self.selected_station()
        self.stage_model.set_rows(d.stages, now=d.at, timezone=d.timezone)
        show_every_row(self.stage_view, len(d.stages))
        self.station_model.set_stage_names(d.stage_names)
        self.station_model.set_rows(d.stations, now=d.at, timezone=d.timezone)
        reselect(self.station_view, station.code if station is not None else None)
        self._show_charts(d)
        self.update_buttons()

    def _show_charts(self, d: Dashboard) -> None:
        hours = [h.hour for h in d.hours]
        fill_chart(
            self.arrivals_chart, hours, [(_("Tickets issued"), PALETTE[0], [float(h.arrivals) for h in d.hours])]
        )
        series = []
        for i, stage in enumerate(d.stages):
            values = [h.average_wait_seconds.get(stage.code) for h in d.hours]
            if any(v is not None for v in values):
                minutes = [0.0 if v is None else round(v / 60, 1) for v in values]
                series.append((stage.name, PALETTE[i % len(PALETTE)], minutes))
        fill_chart(self.waits_chart, hours, series)

    def selected_station(self) -> StationFigures | None:
        row: StationFigures | None = selected(self.station_view)
        return row

    def update_buttons(self) -> None:
        station = self.selected_station()
        self.release_button.setEnabled(not self._host.busy and station is not None and station.state != IDLE)

    def _ask_release(self) -> None:
        row = self.selected_station()
        if row is not None:
            self.release_asked.emit(row.code, row.ticket or "—")

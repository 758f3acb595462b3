"""The supervisor's window: the whole office at a glance, live, and the few actions that unblock a queue.

Tabs: *Overview* (stages against their wait targets in traffic-light colours, stations, served today, charts of
arrivals and waits by hour), *Tickets* (waiting, held and no-show tickets, with *Move to another stage*,
*Release station* and *Reopen no-show*), *Rules* (the office's rules, the stages' wait targets -- saved together
in one transaction -- and the holiday calendar), *Bookings* (import of the M-Paspor export with its validation
report, a day's bookings, manual entry and reschedule: :mod:`~counter_desk.views.supervisor_bookings`),
*Officers* (users, roles, passwords, lockouts: :mod:`~counter_desk.views.supervisor_officers`) and *Plan* (the
booths to open on a coming day: :mod:`~counter_desk.views.supervisor_plan`).

Every ~10 s the window asks the server about its hot standby (PostgreSQL only) and shows any problem in an orange
banner of its own (:func:`~counter_desk.services.replication.supervisor_warnings`).

Everything works from the keyboard: Ctrl+Tab / Ctrl+PgDown and Alt+<underlined letter> switch tabs, each action
button has its Alt+letter, Ctrl+S saves the rules, the tables take the focus when their tab is shown and the
arrow keys choose the row an action applies to; every dialog takes Enter and Escape.

Like the station windows it never touches the database on the GUI thread: every read and action runs on the
window's :class:`~counter_desk.qt.tasks.TaskRunner`, and the change feed
(:class:`~counter_desk.qt.live.LiveFeed`) says when to read the dashboard again.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import QLocale, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QColor, QFont, QKeySequence, QPainter, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from counter_desk.clock import DEFAULT_TIMEZONE, Clock, office_day, office_local
from counter_desk.errors import DatabaseUnavailable, UserError
from counter_desk.i18n import _, lookup
from counter_desk.live.follower import OFFLINE, ONLINE, FeedState
from counter_desk.live.wakeup import wakeup_for
from counter_desk.qt.dashboard_models import StageModel, StationModel, TicketModel
from counter_desk.qt.live import LiveFeed
from counter_desk.qt.tasks import NOT_CONFIRMED, TaskRunner, connection_problem, error_text
from counter_desk.services import dashboard, replication, rules
from counter_desk.services.dashboard import IDLE, Dashboard, Supervision
from counter_desk.services.dates import format_day
from counter_desk.services.queue import QueueService
from counter_desk.services.views import Result
from counter_desk.states import Status
from counter_desk.store.engine import Database
from counter_desk.views.supervisor_bookings import BookingsTab
from counter_desk.views.supervisor_common import ERROR_STYLE, INFO_STYLE, on_row_change, table
from counter_desk.views.supervisor_holidays import HolidaysBox
from counter_desk.views.supervisor_officers import OfficersTab
from counter_desk.views.supervisor_plan import PlanTab
from counter_desk.views.supervisor_plan import title as plan_title

log = logging.getLogger(__name__)

#: One colour per stage in flow order (the charts), as in the PDF report.
PALETTE = ("#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#c62828", "#00838f")
REFRESH_DEBOUNCE_MS = 100
#: Waiting times move on even when nothing happens: read the dashboard again this often.
PERIODIC_REFRESH_MS = 30_000
#: How often the window asks the server about its standby (PostgreSQL with a hot standby; nothing on SQLite).
STANDBY_CHECK_MS = 10_000
#: The standby warning: orange, as a problem that does not stop the office yet.
WARN_STYLE = "background:#ef6c00;color:white;font-size:15px;padding:6px;border-radius:4px;"


class ReasonDialog(QDialog):
    """Confirm a supervisor action: what will happen, optionally a choice (the target stage), and a reason."""

    def __init__(self, parent: QWidget, title: str, prompt: str, choices: list[tuple[str, str]] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reasonDialog")
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        label = QLabel(prompt)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.choice = QComboBox()
        self.choice.setObjectName("choice")
        for code, name in choices or []:
            self.choice.addItem(name, code)
        self.choice.setVisible(bool(choices))
        layout.addWidget(self.choice)
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText(_("Reason (recorded with your name)"))
        layout.addWidget(self.reason)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(False)
        self.reason.textChanged.connect(lambda text: ok.setEnabled(bool(text.strip())))
        self.reason.setFocus()

    def answer(self) -> tuple[str | None, str] | None:
        """(chosen code or None, reason) when confirmed, None when cancelled."""
        if self.exec() != QDialog.DialogCode.Accepted:
            return None
        code = self.choice.currentData() if self.choice.count() else None
        return (str(code) if code is not None else None), self.reason.text().strip()


def _show_every_row(view: QTableView, rows: int) -> None:
    """A table of a few rows (the office's stages) is never cut to two: it is as tall as its rows (a small
    window scrolls as a whole instead)."""
    height = view.horizontalHeader().height() + 2 * view.frameWidth()
    height += sum(view.rowHeight(r) for r in range(rows))
    bar = view.horizontalScrollBar()
    if bar is not None and bar.maximum() > 0:
        height += bar.sizeHint().height()
    view.setMinimumHeight(height)


def _banner(name: str, style: str = "") -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    if style:
        label.setStyleSheet(style)
    label.hide()
    return label


def _chart(title: str) -> tuple[QChartView, QChart]:
    chart = QChart()
    chart.setTitle(title)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    chart.setMargins(chart.margins() * 0)
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(180)
    return view, chart


def _fill_chart(chart: QChart, hours: list[int], series: list[tuple[str, str, list[float]]]) -> None:
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


class SupervisorWindow(QMainWindow):
    """The supervisor's window.

    Signals:
        refreshed(): the window shows a fresh dashboard.
        acted(object): an action succeeded; carries its :class:`~counter_desk.services.views.Result`.
        failed(str): an action or a read was refused; carries the message shown.
        rules_saved(dict): the rules were saved; carries every rule as it now is.
        busy_changed(bool): an action started (True) or ended (False); the tabs enable their buttons by it.
        standby_checked(list): the standby was asked about; carries the warning lines shown (none: all is well).
    """

    refreshed = Signal()
    acted = Signal(object)
    failed = Signal(str)
    rules_saved = Signal(dict)
    busy_changed = Signal(bool)
    standby_checked = Signal(list)

    def __init__(
        self,
        db: Database,
        *,
        office: str | None = None,
        user: str | None = None,
        clock: Clock | None = None,
        live: bool = True,
    ) -> None:
        super().__init__()
        self._db = db
        self._office = office
        self._user = user
        self._queue = QueueService(db, clock=clock, office=office)
        self._supervision = Supervision(self._queue, user)
        self._tasks = TaskRunner(self, name="supervisor")
        self._dashboard: Dashboard | None = None
        self._want_live = live
        self._live: LiveFeed | None = None
        self._busy = False
        self._tokens: dict[str, str] = {}
        #: Tries of a ticket action (by its token's name) that met a database out of reach, until one is answered.
        self._failed_tries: dict[str, int] = {}
        self._rules: dict[str, Any] | None = None
        self._rule_editors: dict[str, QWidget] = {}
        self._target_editors: dict[str, QSpinBox] = {}

        self.setWindowTitle(_("Counter Desk — supervisor"))
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addLayout(self._header())
        self.banner = _banner("banner")
        layout.addWidget(self.banner)
        #: The standby's health (PostgreSQL with a hot standby): apart from the actions' banner, which it would
        #: otherwise hide every 10 s.
        self.standby_banner = _banner("standbyBanner", WARN_STYLE)
        layout.addWidget(self.standby_banner)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("tabs")
        self.tabs.addTab(self._overview_tab(), _("&Overview"))
        self.tabs.addTab(self._tickets_tab(), _("&Tickets"))
        self.tabs.addTab(self._rules_tab(), _("R&ules"))
        self.bookings_tab = BookingsTab(self)
        self.tabs.addTab(self.bookings_tab, _("&Bookings"))
        self.officers_tab = OfficersTab(self)
        self.tabs.addTab(self.officers_tab, _("O&fficers"))
        self.plan_tab = PlanTab(self)
        self.tabs.addTab(self.plan_tab, plan_title())
        #: What takes the focus when a tab is shown (its table: the arrow keys choose the row).
        self._tab_focus: list[QWidget] = [
            self.station_view,
            self.ticket_view,
            self.save_rules_button,
            self.bookings_tab.booking_view,
            self.officers_tab.view,
            self.plan_tab.plan_button,
        ]
        self.tabs.currentChanged.connect(self._focus_tab)
        # QTabWidget knows Ctrl+PgDown / Ctrl+PgUp only while the focus is on a widget that lets them through;
        # a table takes PgDown for itself. As shortcuts they work from anywhere in the window.
        for keys, step in (("Ctrl+PgDown", 1), ("Ctrl+PgUp", -1)):
            QShortcut(QKeySequence(keys), self, lambda step=step: self._next_tab(step))
        self.busy_changed.connect(lambda _busy: self._update_tabs())
        layout.addWidget(self.tabs)
        self.setCentralWidget(central)

        self._start_timers()
        self._update_buttons()
        self.refresh()
        self.load_rules()
        self.holidays_box.load()
        self.bookings_tab.load()
        self.officers_tab.load()
        self.check_standby()

    # ------------------------------------------------------------------ building

    def _start_timers(self) -> None:
        self._refresh_timer = QTimer(self, singleShot=True, interval=REFRESH_DEBOUNCE_MS)
        self._refresh_timer.setObjectName("refreshDebounce")
        self._refresh_timer.timeout.connect(self.refresh)
        self._periodic = QTimer(self, interval=PERIODIC_REFRESH_MS)
        self._periodic.setObjectName("periodicRefresh")
        self._periodic.timeout.connect(self.refresh)
        self._periodic.start()
        self._clock_timer = QTimer(self, interval=1000)
        self._clock_timer.setObjectName("clockTick")
        self._clock_timer.timeout.connect(self._tick)
        self._clock_timer.start()
        self._standby_timer = QTimer(self, interval=STANDBY_CHECK_MS)
        self._standby_timer.setObjectName("standbyCheck")
        self._standby_timer.timeout.connect(self.check_standby)
        self._standby_timer.start()

    def _header(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.office_label = QLabel("…")
        self.office_label.setStyleSheet("font-weight:bold;font-size:15px;")
        self.day_label = QLabel()
        self.user_label = QLabel(
            _("Supervisor: {name}", name=self._user) if self._user else _("Supervisor: — (not signed in)")
        )
        self.connection_label = QLabel()
        self.clock_label = QLabel()
        self.clock_label.setStyleSheet("font-family:monospace;font-size:15px;")
        row.addWidget(self.office_label)
        row.addWidget(self.day_label)
        row.addStretch(1)
        for widget in (self.user_label, self.connection_label, self.clock_label):
            row.addWidget(widget)
        return row

    def _table(self, model: Any, name: str) -> QTableView:
        return table(model, name)

    def _overview_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        self.summary_label = QLabel()
        big = QFont()
        big.setPointSize(13)
        big.setBold(True)
        self.summary_label.setFont(big)
        layout.addWidget(self.summary_label)
        self.stage_model = StageModel(self)
        self.stage_view = self._table(self.stage_model, "stageView")
        header = self.stage_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(StageModel.STAGE, QHeaderView.ResizeMode.Stretch)
        self.stage_view.setSizeAdjustPolicy(QAbstractItemView.SizeAdjustPolicy.AdjustToContents)
        layout.addWidget(self.stage_view)
        self.station_model = StationModel(self)
        self.station_view = self._table(self.station_model, "stationView")
        self.station_view.setSizeAdjustPolicy(QAbstractItemView.SizeAdjustPolicy.AdjustToContents)
        layout.addWidget(self.station_view)
        row = QHBoxLayout()
        self.release_button = QPushButton(_("&Release station…"))
        self.release_button.setObjectName("releaseButton")
        self.release_button.setToolTip(_("Put the ticket a station holds back at the front of its queue"))
        self.release_button.clicked.connect(self._ask_release)
        row.addWidget(self.release_button)
        row.addStretch(1)
        layout.addLayout(row)
        charts = QHBoxLayout()
        self.arrivals_view, self.arrivals_chart = _chart(_("Tickets issued by hour"))
        self.waits_view, self.waits_chart = _chart(_("Average wait by hour (minutes)"))
        charts.addWidget(self.arrivals_view)
        charts.addWidget(self.waits_view)
        layout.addLayout(charts, 1)
        on_row_change(self.station_view, self._update_buttons)
        return tab

    def _tickets_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        self.ticket_model = TicketModel(self)
        self.ticket_view = self._table(self.ticket_model, "ticketView")
        layout.addWidget(self.ticket_view)
        row = QHBoxLayout()
        self.move_button = QPushButton(_("&Move to another stage…"))
        self.move_button.setObjectName("moveButton")
        self.move_button.clicked.connect(self._ask_move)
        self.reopen_button = QPushButton(_("Reo&pen no-show…"))
        self.reopen_button.setObjectName("reopenButton")
        self.reopen_button.clicked.connect(self._ask_reopen)
        self.release_ticket_button = QPushButton(_("&Release station…"))
        self.release_ticket_button.setObjectName("releaseTicketButton")
        self.release_ticket_button.clicked.connect(self._ask_release)
        for button in (self.move_button, self.reopen_button, self.release_ticket_button):
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        on_row_change(self.ticket_view, self._update_buttons)
        return tab

    def _rules_tab(self) -> QWidget:
        tab = QWidget()
        columns = QHBoxLayout(tab)
        outer = QVBoxLayout()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        inner = QWidget()
        self.rules_form = QFormLayout(inner)
        scroll.setWidget(inner)
        outer.addWidget(scroll)
        row = QHBoxLayout()
        self.save_rules_button = QPushButton(_("&Save rules"))
        self.save_rules_button.setObjectName("saveRulesButton")
        self.save_rules_button.setToolTip(_("Rules and wait targets are saved together, or not at all (Ctrl+S)"))
        self.save_rules_button.clicked.connect(self.save_rules)
        self.save_rules_button.setEnabled(False)
        row.addStretch(1)
        row.addWidget(self.save_rules_button)
        outer.addLayout(row)
        columns.addLayout(outer, 3)
        self.holidays_box = HolidaysBox(self)
        columns.addWidget(self.holidays_box, 2)
        save = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), tab, self.save_rules)
        save.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        return tab

    # ------------------------------------------------------------------ reading

    def refresh(self) -> None:
        """Read the dashboard on the worker; show it when it arrives."""
        clock = self._queue.clock
        self._tasks.run(
            lambda: dashboard.snapshot(self._db, office=self._office, clock=clock), self._show, self._read_failed
        )

    def _schedule_refresh(self) -> None:
        self._refresh_timer.start()

    def _show(self, d: Dashboard) -> None:
        first = self._dashboard is None
        self._dashboard = d
        self.office_label.setText(d.office_name)
        self.day_label.setText(format_day(d.day, weekday=True))
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
        selected_ticket = self._selected_ticket_number()
        selected_station = self._selected_station_code()
        self.stage_model.set_rows(d.stages, now=d.at, timezone=d.timezone)
        _show_every_row(self.stage_view, len(d.stages))
        self.station_model.set_stage_names(d.stage_names)
        self.station_model.set_rows(d.stations, now=d.at, timezone=d.timezone)
        self.ticket_model.set_names(d.stage_names, d.category_names)
        self.ticket_model.set_rows([*d.held, *d.waiting, *d.no_shows], now=d.at, timezone=d.timezone)
        self._reselect(self.ticket_view, self.ticket_model, selected_ticket)
        self._reselect(self.station_view, self.station_model, selected_station)
        self._show_charts(d)
        self._fill_targets(d)
        self.bookings_tab.categories = dict(d.category_names)
        self.bookings_tab.booking_model.set_category_names(d.category_names)
        self._update_buttons()
        self._tick()
        if first and self._want_live:
            self._start_live(d.last_seq)
        self.refreshed.emit()

    def _show_charts(self, d: Dashboard) -> None:
        hours = [h.hour for h in d.hours]
        _fill_chart(
            self.arrivals_chart, hours, [(_("Tickets issued"), PALETTE[0], [float(h.arrivals) for h in d.hours])]
        )
        series = []
        for i, stage in enumerate(d.stages):
            values = [h.average_wait_seconds.get(stage.code) for h in d.hours]
            if any(v is not None for v in values):
                minutes = [0.0 if v is None else round(v / 60, 1) for v in values]
                series.append((stage.name, PALETTE[i % len(PALETTE)], minutes))
        _fill_chart(self.waits_chart, hours, series)

    @staticmethod
    def _reselect(view: QTableView, model: Any, key: str | None) -> None:
        if key is None:
            return
        for row in range(model.rowCount()):
            if model.index(row, 0).data(Qt.ItemDataRole.UserRole) == key:
                view.selectRow(row)
                return

    def _read_failed(self, exc: Exception) -> None:
        if isinstance(exc, UserError) and not isinstance(exc, DatabaseUnavailable):
            self._error(exc.message)
        elif connection_problem(exc):
            self._error(_("The database cannot be reached; the window will update when it is back."))
        else:
            log.error("reading the dashboard failed", exc_info=exc)
            self._error(_("Unexpected error: {error}", error=error_text(exc)))

    def check_standby(self) -> None:
        """Ask the server about its standby on the worker; show what is wrong (nothing on SQLite)."""
        db = self._db
        self._tasks.run(lambda: replication.supervisor_warnings(db), self.show_standby_warnings, self._standby_failed)

    def show_standby_warnings(self, lines: list[str]) -> None:
        """One line per standby problem in the orange banner; hidden when there is none."""
        self.standby_banner.setText("\n".join(lines))
        self.standby_banner.setVisible(bool(lines))
        self.standby_checked.emit(list(lines))

    def _standby_failed(self, exc: Exception) -> None:
        if connection_problem(exc):  # the dashboard's reads say so in the main banner; ask again next time
            log.info("the standby check could not reach the database: %s", type(exc).__name__)
            return
        self._read_failed(exc)

    def _start_live(self, last_seq: int) -> None:
        url = self._db.engine.url
        self._live = LiveFeed(
            lambda after, limit: self._queue.events(after=after, limit=limit),
            lambda: wakeup_for(url),
            last_seq=last_seq,
            parent=self,
        )
        self._live.events.connect(lambda _events: self._schedule_refresh())
        self._live.state_changed.connect(self._show_connection)
        self._live.start()

    def _show_connection(self, state: FeedState | None) -> None:
        if state is None:
            self.connection_label.setText("")
            return
        tz = self._dashboard.timezone if self._dashboard else DEFAULT_TIMEZONE
        if state.state == ONLINE:
            text, colour = _("● online"), "#2e7d32"
        elif state.state == OFFLINE:
            text, colour = _("● offline since {time}", time=office_local(state.since, tz).strftime("%H:%M")), "#c62828"
        else:
            text, colour = _("● reconnecting…"), "#ef6c00"
        self.connection_label.setText(text)
        self.connection_label.setStyleSheet(f"color:{colour};font-weight:bold;")
        if state.state == ONLINE:
            self._schedule_refresh()

    def _tick(self) -> None:
        tz = self._dashboard.timezone if self._dashboard else DEFAULT_TIMEZONE
        self.clock_label.setText(office_local(self._queue.clock.now(), tz).strftime("%H:%M:%S"))

    # ------------------------------------------------------------------ selection and buttons

    def _selected_ticket_number(self) -> str | None:
        row = self._selected_ticket()
        return row.number if row is not None else None

    def _selected_ticket(self) -> dashboard.TicketRow | None:
        index = self.ticket_view.currentIndex()
        return self.ticket_model.row_at(index.row()) if index.isValid() else None

    def _selected_station_code(self) -> str | None:
        index = self.station_view.currentIndex()
        station = self.station_model.row_at(index.row()) if index.isValid() else None
        return station.code if station is not None else None

    def _update_buttons(self) -> None:
        ticket = self._selected_ticket()
        index = self.station_view.currentIndex()
        station = self.station_model.row_at(index.row()) if index.isValid() else None
        live = (Status.WAITING.value, Status.CALLED.value, Status.SERVING.value)
        held = (Status.CALLED.value, Status.SERVING.value)
        free = not self._busy
        self.move_button.setEnabled(free and ticket is not None and ticket.status in live)
        self.reopen_button.setEnabled(free and ticket is not None and ticket.status == Status.NO_SHOW.value)
        self.release_ticket_button.setEnabled(free and ticket is not None and ticket.status in held)
        self.release_button.setEnabled(free and station is not None and station.state != IDLE)
        self.save_rules_button.setEnabled(free and self._rules is not None)

    # ------------------------------------------------------------------ acting

    def _error(self, message: str) -> None:
        self.banner.setStyleSheet(ERROR_STYLE)
        self.banner.setText(message)
        self.banner.show()
        self.failed.emit(message)

    def _info(self, message: str) -> None:
        self.banner.setStyleSheet(INFO_STYLE)
        self.banner.setText(message)
        self.banner.show()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_buttons()
        self.busy_changed.emit(busy)

    def _update_tabs(self) -> None:
        self.bookings_tab.update_buttons()
        self.officers_tab.update_buttons()
        self.holidays_box.update_buttons()

    def _next_tab(self, step: int) -> None:
        self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % self.tabs.count())

    def _focus_tab(self, index: int) -> None:
        if self.tabs.widget(index) is self.save_rules_button.parentWidget() and self._rule_editors:
            next(iter(self._rule_editors.values())).setFocus(Qt.FocusReason.TabFocusReason)
        elif 0 <= index < len(self._tab_focus):
            self._tab_focus[index].setFocus(Qt.FocusReason.TabFocusReason)

    # ------------------------------------------------------------------ what the tabs use (supervisor_common.Host)

    @property
    def db(self) -> Database:
        return self._db

    @property
    def office(self) -> str | None:
        return self._office

    @property
    def user(self) -> str | None:
        return self._user

    @property
    def clock(self) -> Clock:
        return self._queue.clock

    @property
    def busy(self) -> bool:
        return self._busy

    def timezone(self) -> str:
        return self._dashboard.timezone if self._dashboard else DEFAULT_TIMEZONE

    def today(self) -> dt.date:
        return self._dashboard.day if self._dashboard else office_day(self.clock.now(), self.timezone())

    def info(self, message: str) -> None:
        self._info(message)

    def error(self, message: str) -> None:
        self._error(message)

    def read(self, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        """Read on the worker; a failure is shown in the banner."""
        self._tasks.run(work, done, self._read_failed)

    def run_job(
        self,
        what: str,
        work: Callable[[], Any],
        done: Callable[[Any], None],
        failed: Callable[[Exception], bool] | None = None,
    ) -> bool:
        """One change on the worker, one at a time: ``done(result)`` after it, or the error in the banner
        (``failed(exc)`` is asked first and may take over by returning True). False when another is running."""
        if self._busy:
            return False
        self._set_busy(True)

        def ok(result: Any) -> None:
            self._set_busy(False)
            done(result)

        def fail(exc: Exception) -> None:
            self._set_busy(False)
            if failed is not None and failed(exc):
                return
            self._show_failure(what, exc)

        self._tasks.run(work, ok, fail)
        return True

    def _show_failure(self, what: str, exc: Exception) -> None:
        if isinstance(exc, UserError) and not isinstance(exc, DatabaseUnavailable):
            self._error(exc.message)
        elif connection_problem(exc):
            self._error(_("Not saved: the database cannot be reached. Nothing was changed; try again."))
        else:
            log.error("supervisor %s failed", what, exc_info=exc)
            self._error(_("Unexpected error: {error}", error=error_text(exc)))

    def _run_action(self, name: str, call: Callable[[str], Result], message: Callable[[Result], str]) -> None:
        """One action with its idempotency token (kept after a connection failure, so a retry never acts twice)."""
        token = self._tokens.setdefault(name, uuid.uuid4().hex)

        def done(result: Result) -> None:
            self._tokens.pop(name, None)
            tries = self._failed_tries.pop(name, 0)
            # After tries the database never answered: say whether the first of them had been saved after all.
            self._info(
                replication.outcome_message(replication.Retried(result, tries, result.replayed), message(result))
            )
            self.acted.emit(result)
            self.refresh()

        def failed(exc: Exception) -> bool:
            if connection_problem(exc):  # the token is kept: done again, the action is never done twice
                self._failed_tries[name] = self._failed_tries.get(name, 0) + 1
                self._error(lookup(NOT_CONFIRMED))
                return True
            self._tokens.pop(name, None)  # the action was refused: a new click is a new action
            self._failed_tries.pop(name, None)
            self.refresh()
            return False  # run_job shows the message

        self.run_job(name, lambda: call(token), done, failed)

    def _stage_name(self, code: str) -> str:
        return self._dashboard.stage_names.get(code, code) if self._dashboard else code

    def move_ticket(self, number: str, stage: str, reason: str) -> None:
        self._run_action(
            f"move:{number}:{stage}",
            lambda token: self._supervision.move(number, stage, reason, token=token),
            lambda r: _("{number} moved to {stage}", number=r.ticket.number, stage=self._stage_name(r.ticket.stage)),
        )

    def release_station(self, station: str, reason: str) -> None:
        self._run_action(
            f"release:{station}",
            lambda token: self._supervision.release(station, reason, token=token),
            lambda r: _(
                "{station} released; {number} is back at the front of the queue",
                station=station,
                number=r.ticket.number,
            ),
        )

    def reopen_no_show(self, number: str, reason: str) -> None:
        self._run_action(
            f"reopen:{number}",
            lambda token: self._supervision.reopen(number, reason, token=token),
            lambda r: _("{number} is back at the front of the queue", number=r.ticket.number),
        )

    # ------------------------------------------------------------------ dialogs

    def _ask_move(self) -> None:
        ticket = self._selected_ticket()
        if ticket is None or self._dashboard is None:
            return
        choices = [(s.code, s.name) for s in self._dashboard.stages if s.code != ticket.stage]
        answer = ReasonDialog(
            self,
            _("Move to another stage"),
            _("Move {number} to the end of the queue of:", number=ticket.number),
            choices,
        ).answer()
        if answer is not None and answer[0] is not None:
            self.move_ticket(ticket.number, answer[0], answer[1])

    def _ask_release(self) -> None:
        station: str | None = None
        number = "—"
        if self.sender() is self.release_ticket_button:
            ticket = self._selected_ticket()
            if ticket is not None:
                station, number = ticket.station, ticket.number
        else:
            index = self.station_view.currentIndex()
            row = self.station_model.row_at(index.row()) if index.isValid() else None
            if row is not None:
                station, number = row.code, row.ticket or "—"
        if station is None:
            return
        answer = ReasonDialog(
            self,
            _("Release station"),
            _("{station} holds {number}. Put {number} back at the front of its queue?", station=station, number=number),
        ).answer()
        if answer is not None:
            self.release_station(station, answer[1])

    def _ask_reopen(self) -> None:
        ticket = self._selected_ticket()
        if ticket is None:
            return
        answer = ReasonDialog(
            self,
            _("Reopen no-show"),
            _(
                "Put {number} back at the front of the {stage} queue?",
                number=ticket.number,
                stage=self._stage_name(ticket.stage),
            ),
        ).answer()
        if answer is not None:
            self.reopen_no_show(ticket.number, answer[1])

    # ------------------------------------------------------------------ rules

    def load_rules(self) -> None:
        """Read the office's rules on the worker and build their editors."""
        self._tasks.run(lambda: rules.current(self._db, self._office), self._show_rules, self._read_failed)

    def _show_rules(self, values: dict[str, Any]) -> None:
        self._rules = dict(values)
        while self.rules_form.rowCount():
            self.rules_form.removeRow(0)
        self._rule_editors.clear()
        self._target_editors.clear()
        for key, rule in rules.RULES.items():
            editor = self._rule_editor(rule, values.get(key, rule.default))
            editor.setObjectName(f"rule_{key}")
            self._rule_editors[key] = editor
            self.rules_form.addRow(lookup(rule.label), editor)
        if self._dashboard is not None:
            self._fill_targets(self._dashboard)
        self._rules_tab_order()
        self._update_buttons()

    def _rules_tab_order(self) -> None:
        """The editors are built after the window: put them first in the Rules tab's Tab order, then Save, then
        the holidays (else Tab would reach them last, after every other tab's widgets)."""
        chain: list[QWidget] = [
            *self._rule_editors.values(),
            *self._target_editors.values(),
            self.save_rules_button,
            self.holidays_box.view,
            self.holidays_box.add_button,
            self.holidays_box.remove_button,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _fill_targets(self, d: Dashboard) -> None:
        """One spin box per stage for its wait target, after the rules (built once, kept when editing)."""
        if self._rules is None or self._target_editors:
            return
        for s in d.stages:
            spin = QSpinBox()
            spin.setObjectName(f"target_{s.code}")
            spin.setRange(1, 600)
            spin.setSuffix(" " + _("min"))
            spin.setValue(s.wait_target_minutes)
            self._target_editors[s.code] = spin
            self.rules_form.addRow(_("Wait target: {stage}", stage=s.name), spin)
        self._rules_tab_order()

    @staticmethod
    def _rule_editor(rule: rules.Rule, value: Any) -> QWidget:
        if rule.kind == "int":
            spin = QSpinBox()
            spin.setRange(rule.minimum if rule.minimum is not None else 0, rule.maximum or 1_000_000)
            spin.setValue(int(value))
            return spin
        if rule.kind == "choice":
            combo = QComboBox()
            for choice in rule.choices:
                combo.addItem(lookup(rules.CHOICE_LABELS.get(choice, choice)), choice)
            combo.setCurrentIndex(max(0, combo.findData(value)))
            return combo
        edit = QLineEdit("" if value is None else str(value))
        if rule.kind == "optional_int":
            edit.setPlaceholderText(_("no limit"))
        return edit

    def rule_values(self) -> dict[str, Any]:
        """What the rule editors hold now (as the rules service accepts them)."""
        out: dict[str, Any] = {}
        for key, editor in self._rule_editors.items():
            if isinstance(editor, QSpinBox):
                out[key] = editor.value()
            elif isinstance(editor, QComboBox):
                out[key] = editor.currentData()
            elif isinstance(editor, QLineEdit):
                text = editor.text().strip()
                out[key] = (text or None) if rules.RULES[key].kind == "optional_int" else text
        return out

    def save_rules(self) -> None:
        """Save the changed rules and wait targets in one transaction (all or nothing; each change audited)."""
        if self._rules is None or self._busy:
            return
        before = self._rules
        changes = {k: v for k, v in self.rule_values().items() if v != before.get(k)}
        stages = {s.code: s.wait_target_minutes for s in self._dashboard.stages} if self._dashboard else {}
        targets = {
            code: spin.value() for code, spin in self._target_editors.items() if stages.get(code) != spin.value()
        }

        def ok(values: dict[str, Any]) -> None:
            self._rules = dict(values)
            self._info(_("Rules saved"))
            self.rules_saved.emit(values)
            self.refresh()

        self.run_job(
            "saving the rules",
            lambda: self._supervision.save_rules(changes, targets),
            ok,
        )

    # ------------------------------------------------------------------ Qt

    def closeEvent(self, event: QCloseEvent) -> None:
        for timer in (self._clock_timer, self._refresh_timer, self._periodic, self._standby_timer):
            timer.stop()
        if self._live is not None:
            self._live.stop()
        self._tasks.close()
        super().closeEvent(event)

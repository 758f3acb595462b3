"""The supervisor's window: the whole office at a glance, live, and the few actions that unblock a queue.

The window is a frame: a header, the banners and six tabs, each a module behind the host protocol of
:mod:`~counter_desk.views.supervisor_common` -- *Overview* (stages against their wait targets, stations, served
today, charts by hour: :mod:`~counter_desk.views.supervisor_overview`), *Tickets* (waiting, held and no-show
tickets with *Move to another stage*, *Release station* and *Reopen no-show*:
:mod:`~counter_desk.views.supervisor_tickets`), *Rules* (the office's rules and the stages' wait targets, saved
together in one transaction, and the holiday calendar: :mod:`~counter_desk.views.supervisor_rules`), *Bookings*
(import of the M-Paspor export, a day's bookings, manual entry and reschedule:
:mod:`~counter_desk.views.supervisor_bookings`), *Officers* (users, roles, passwords, lockouts:
:mod:`~counter_desk.views.supervisor_officers`) and *Plan* (the booths to open on a coming day:
:mod:`~counter_desk.views.supervisor_plan`).

Every ~10 s the window asks the server about its hot standby (PostgreSQL only) and shows any problem in an orange
banner of its own (:func:`~counter_desk.services.replication.supervisor_warnings`).

Everything works from the keyboard: Ctrl+Tab / Ctrl+PgDown and Alt+<underlined letter> switch tabs, each action
button has its Alt+letter, Ctrl+S saves the rules, the tables take the focus when their tab is shown and the
arrow keys choose the row an action applies to; every dialog takes Enter and Escape.

Like the station windows it never touches the database on the GUI thread: every read and action runs through the
window's :class:`~counter_desk.qt.operations.Operations` on its :class:`~counter_desk.qt.tasks.TaskRunner`, and
the change feed (:class:`~counter_desk.qt.live.LiveFeed`) says when to read the dashboard again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QTabWidget, QVBoxLayout, QWidget

from counter_desk.clock import DEFAULT_TIMEZONE, Clock, office_day
from counter_desk.i18n import _
from counter_desk.live.follower import ONLINE, FeedState
from counter_desk.qt.live import LiveFeed, start_feed
from counter_desk.qt.operations import NOT_SAVED, Failure, Operations
from counter_desk.qt.status import Banner, ClockStatus, ConnectionStatus
from counter_desk.qt.tasks import TaskRunner
from counter_desk.services import dashboard, replication
from counter_desk.services.dashboard import Dashboard, Supervision
from counter_desk.services.dates import format_day
from counter_desk.services.desk import Desk
from counter_desk.services.views import Result
from counter_desk.views.supervisor_bookings import BookingsTab
from counter_desk.views.supervisor_common import BANNER_PADDING, BANNER_SIZE, WARN_STYLE, Done, Failed, Work, banner
from counter_desk.views.supervisor_officers import OfficersTab
from counter_desk.views.supervisor_overview import OverviewTab
from counter_desk.views.supervisor_plan import PlanTab
from counter_desk.views.supervisor_plan import title as plan_title
from counter_desk.views.supervisor_rules import RulesTab
from counter_desk.views.supervisor_tickets import TicketsTab

REFRESH_DEBOUNCE_MS = 100
#: Waiting times move on even when nothing happens: read the dashboard again this often.
PERIODIC_REFRESH_MS = 30_000
#: How often the window asks the server about its standby (PostgreSQL with a hot standby; nothing on SQLite).
STANDBY_CHECK_MS = 10_000


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
        desk: Desk,
        *,
        office: str | None = None,
        user: str | None = None,
        clock: Clock | None = None,
        live: bool = True,
    ) -> None:
        super().__init__()
        self._desk = desk
        self._office = office
        self._user = user
        self._queue = desk.queue(clock=clock, office=office)
        self._supervision = Supervision(self._queue, user)
        self._tasks = TaskRunner(self, name="supervisor")
        self._dashboard: Dashboard | None = None
        self._want_live = live
        self._live: LiveFeed | None = None
        #: The ticket action running (its token's name), to read the dashboard again after a refusal.
        self._action: str | None = None

        self.setWindowTitle(_("Counter Desk — supervisor"))
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addLayout(self._header())
        self.banner = banner("banner")
        layout.addWidget(self.banner)
        self._banner = Banner(self.banner, size=BANNER_SIZE, padding=BANNER_PADDING, parent=self)
        #: Every change the tabs make runs here: one at a time, ticket actions with their idempotency token.
        self.ops = Operations(
            self._tasks,
            error=self._error,
            info=self._banner.info,
            done=self._acted,
            failed=self._failed,
            log_as="supervisor",
            parent=self,
        )
        self.ops.busy_changed.connect(self.busy_changed)
        #: The standby's health (PostgreSQL with a hot standby): apart from the actions' banner, which it would
        #: otherwise hide every 10 s.
        self.standby_banner = banner("standbyBanner", WARN_STYLE)
        layout.addWidget(self.standby_banner)
        layout.addWidget(self._build_tabs())
        self.busy_changed.connect(lambda _busy: self._update_buttons())
        self.setCentralWidget(central)

        self._start_timers()
        self._update_buttons()
        self.refresh()
        self.rules_tab.load()
        self.bookings_tab.load()
        self.officers_tab.load()
        self.check_standby()

    # ------------------------------------------------------------------ building

    def _build_tabs(self) -> QTabWidget:
        self.tabs = QTabWidget()
        self.tabs.setObjectName("tabs")
        self.overview_tab = OverviewTab(self)
        self.tabs.addTab(self.overview_tab, _("&Overview"))
        self.tickets_tab = TicketsTab(self)
        self.overview_tab.release_asked.connect(self.tickets_tab.ask_release)
        self.tabs.addTab(self.tickets_tab, _("&Tickets"))
        self.rules_tab = RulesTab(self)
        self.rules_tab.saved.connect(self.rules_saved)
        self.tabs.addTab(self.rules_tab, _("R&ules"))
        self.bookings_tab = BookingsTab(self)
        self.tabs.addTab(self.bookings_tab, _("&Bookings"))
        self.officers_tab = OfficersTab(self)
        self.tabs.addTab(self.officers_tab, _("O&fficers"))
        self.plan_tab = PlanTab(self)
        self.tabs.addTab(self.plan_tab, plan_title())
        #: What takes the focus when a tab is shown (its table: the arrow keys choose the row).
        self._tab_focus: list[QWidget] = [
            self.overview_tab.station_view,
            self.tickets_tab.ticket_view,
            self.rules_tab.save_rules_button,
            self.bookings_tab.booking_view,
            self.officers_tab.view,
            self.plan_tab.plan_button,
        ]
        self.tabs.currentChanged.connect(self._focus_tab)
        # QTabWidget knows Ctrl+PgDown / Ctrl+PgUp only while the focus is on a widget that lets them through;
        # a table takes PgDown for itself. As shortcuts they work from anywhere in the window.
        for keys, step in (("Ctrl+PgDown", 1), ("Ctrl+PgUp", -1)):
            QShortcut(QKeySequence(keys), self, lambda step=step: self._next_tab(step))
        return self.tabs

    def _start_timers(self) -> None:
        self._refresh_timer = QTimer(self, singleShot=True, interval=REFRESH_DEBOUNCE_MS)
        self._refresh_timer.setObjectName("refreshDebounce")
        self._refresh_timer.timeout.connect(self.refresh)
        self._periodic = QTimer(self, interval=PERIODIC_REFRESH_MS)
        self._periodic.setObjectName("periodicRefresh")
        self._periodic.timeout.connect(self.refresh)
        self._periodic.start()
        self._clock.start()
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
        self.connection = ConnectionStatus(self.connection_label, self.timezone, parent=self)
        # Online (back, or still): read the dashboard again for what the feed may have missed.
        self.connection.changed.connect(self._connection_changed)
        self.clock_label = QLabel()
        self.clock_label.setStyleSheet("font-family:monospace;font-size:15px;")
        self._clock = ClockStatus(self.clock_label, self._queue.clock.now, self.timezone, parent=self)
        row.addWidget(self.office_label)
        row.addWidget(self.day_label)
        row.addStretch(1)
        for widget in (self.user_label, self.connection_label, self.clock_label):
            row.addWidget(widget)
        return row

    # ------------------------------------------------------------------ reading

    def refresh(self) -> None:
        """Read the dashboard on the worker; show it when it arrives."""
        clock = self._queue.clock
        self.read(lambda: self._desk(dashboard.snapshot, office=self._office, clock=clock), self._show)

    def _schedule_refresh(self) -> None:
        self._refresh_timer.start()

    def _show(self, d: Dashboard) -> None:
        first = self._dashboard is None
        self._dashboard = d
        self.office_label.setText(d.office_name)
        self.day_label.setText(format_day(d.day, weekday=True))
        self.overview_tab.show_dashboard(d)
        self.tickets_tab.show_dashboard(d)
        self.rules_tab.fill_targets(d)
        self.bookings_tab.categories = dict(d.category_names)
        self.bookings_tab.booking_model.set_category_names(d.category_names)
        self._clock.tick()
        if first and self._want_live:
            self._start_live(d.last_seq)
        self.refreshed.emit()

    def check_standby(self) -> None:
        """Ask the server about its standby on the worker; show what is wrong (nothing on SQLite)."""
        desk = self._desk
        # A database out of reach is only logged: the dashboard's reads say so in the main banner.
        self.ops.run_query(
            lambda: desk(replication.supervisor_warnings),
            self.show_standby_warnings,
            what="the standby check",
            quiet=True,
        )

    def show_standby_warnings(self, lines: list[str]) -> None:
        """One line per standby problem in the orange banner; hidden when there is none."""
        self.standby_banner.setText("\n".join(lines))
        self.standby_banner.setVisible(bool(lines))
        self.standby_checked.emit(list(lines))

    def _start_live(self, last_seq: int) -> None:
        self._live = start_feed(
            lambda after, limit: self._queue.events(after=after, limit=limit),
            self._desk.url,
            last_seq=last_seq,
            on_events=lambda _events: self._schedule_refresh(),
            on_state=self.connection.show,
            parent=self,
        )

    def _connection_changed(self, state: FeedState | None) -> None:
        if state is not None and state.state == ONLINE:
            self._schedule_refresh()

    # ------------------------------------------------------------------ acting

    def _error(self, message: str, *, tone: bool = False, refusal: bool = True) -> None:
        """The red banner, and ``failed`` -- for a read that found the database away too (``refusal=False``), as
        the supervisor always did; ``tone`` is for a station's scans, never asked here."""
        self._banner.error(message)
        self.failed.emit(message)

    def _acted(self, name: str, result: Any) -> None:
        self._action = None
        self.acted.emit(result)
        self.refresh()

    def _failed(self, failure: Failure) -> None:
        if failure.name == self._action:
            self._action = None
            if failure.kind != NOT_SAVED:  # answered (refused, or a bug): show the dashboard as it now is
                self.refresh()

    def _update_buttons(self) -> None:
        """Every tab enables its buttons by the window's busy state and its own selection."""
        for tab in (self.overview_tab, self.tickets_tab, self.rules_tab, self.bookings_tab, self.officers_tab):
            tab.update_buttons()

    def _next_tab(self, step: int) -> None:
        self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % self.tabs.count())

    def _focus_tab(self, index: int) -> None:
        if self.tabs.widget(index) is self.rules_tab:
            self.rules_tab.focus_first()
        elif 0 <= index < len(self._tab_focus):
            self._tab_focus[index].setFocus(Qt.FocusReason.TabFocusReason)

    # ------------------------------------------------------------------ what the tabs use (supervisor_common.Host)

    @property
    def desk(self) -> Desk:
        return self._desk

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
        return self.ops.busy

    @property
    def supervision(self) -> Supervision:
        return self._supervision

    @property
    def dashboard(self) -> Dashboard | None:
        return self._dashboard

    def timezone(self) -> str:
        return self._dashboard.timezone if self._dashboard else DEFAULT_TIMEZONE

    def today(self) -> dt.date:
        return self._dashboard.day if self._dashboard else office_day(self.clock.now(), self.timezone())

    def info(self, message: str) -> None:
        self._banner.info(message)

    def error(self, message: str) -> None:
        self._error(message)

    def read(self, work: Work, done: Done) -> None:
        self.ops.run_query(work, done, what="reading the dashboard")

    def run_job(self, what: str, work: Work, done: Done, failed: Failed = None) -> bool:
        return self.ops.run_job(what, work, done, failed)

    def act(self, name: str, call: Callable[[str], Result], message: Callable[[Result], str]) -> None:
        """One action with its idempotency token (kept after a connection failure, so a retry never acts twice)."""
        if self.ops.run_action(name, call, message):
            self._action = name

    # ------------------------------------------------------------------ Qt

    def closeEvent(self, event: QCloseEvent) -> None:
        self._clock.stop()
        for timer in (self._refresh_timer, self._periodic, self._standby_timer):
            timer.stop()
        if self._live is not None:
            self._live.stop()
        self._tasks.close()
        super().closeEvent(event)

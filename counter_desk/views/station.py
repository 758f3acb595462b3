"""The counter station window: one per counter PC (reception, interview booth, adjudicator, pickup).

It shows, live, the queue of the station's stage and the applicant in front of the officer. Every action is one
service call run on the window's worker thread (:class:`~counter_desk.qt.tasks.TaskRunner`); the window never
touches the database itself. The change feed (:class:`~counter_desk.qt.live.LiveFeed`) tells it when to read
again, so two windows on one database see each other's actions within a second.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFileDialog,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QTableView,
    QWidget,
)
from sqlalchemy.exc import DBAPIError

from counter_desk.clock import Clock, office_local
from counter_desk.devices.imagescan import decode_file
from counter_desk.devices.printing import Printed, print_ticket
from counter_desk.devices.scanner import parse_payload
from counter_desk.errors import DatabaseUnavailable, UserError
from counter_desk.i18n import _
from counter_desk.live.follower import OFFLINE, ONLINE, FeedState
from counter_desk.live.wakeup import wakeup_for
from counter_desk.qt.forms import child, load_form
from counter_desk.qt.live import LiveFeed
from counter_desk.qt.models import QueueModel
from counter_desk.qt.serialscan import SerialScanner
from counter_desk.qt.tasks import TaskRunner
from counter_desk.qt.wedge import WedgeDetector
from counter_desk.services.queue import QueueService
from counter_desk.services.stations import ADJUDICATION, RECEPTION, StationSnapshot, station_snapshot
from counter_desk.services.views import Result, TicketView
from counter_desk.states import Action, Status, allowed_actions
from counter_desk.store.engine import Database
from counter_desk.views.dialogs import CallTicketDialog, ChooseDialog

log = logging.getLogger(__name__)

#: Keyboard shortcuts: F-keys, so they never collide with what a scanner types.
SHORTCUTS = {
    "call_next": "F2",
    "recall": "F3",
    "start": "F4",
    "no_show": "F6",
    "return": "F7",
    "transfer": "F8",
    "finish": "F9",
    "call_ticket": "F10",
    "walk_in": "Ctrl+W",
    "code": "Ctrl+L",
    "approve": "Ctrl+Return",
    "reject": "Ctrl+R",
}
ERROR_STYLE = "background:#c62828;color:white;font-size:18px;padding:8px;border-radius:4px;"
WARN_STYLE = "background:#ef6c00;color:white;font-size:18px;padding:8px;border-radius:4px;"
INFO_STYLE = "background:#2e7d32;color:white;font-size:18px;padding:8px;border-radius:4px;"
REFRESH_DEBOUNCE_MS = 50


def _connection_problem(exc: Exception) -> bool:
    return isinstance(exc, DBAPIError | DatabaseUnavailable | OSError)


class StationWindow(QMainWindow):
    """The window of one station.

    Signals:
        refreshed(): the window shows a fresh snapshot of the database.
        acted(object): an action succeeded; carries its :class:`~counter_desk.services.views.Result`.
        failed(str): an action or a scan was refused; carries the message shown.
        printed(object): a ticket's receipt was made; carries :class:`~counter_desk.devices.printing.Printed`.
    """

    refreshed = Signal()
    acted = Signal(object)
    failed = Signal(str)
    printed = Signal(object)

    def __init__(
        self,
        db: Database,
        station: str,
        *,
        office: str | None = None,
        user: str | None = None,
        clock: Clock | None = None,
        live: bool = True,
        serial_port: str | None = None,
        serial_baud: int = 9600,
        receipts_dir: Path | None = None,
        printer: Path | None = None,
        paper: str = "80mm",
    ) -> None:
        super().__init__()
        self._db = db
        self._queue = QueueService(db, clock=clock, office=office)
        self._station = station
        self._user = user
        self._tasks = TaskRunner(self)
        self._snapshot: StationSnapshot | None = None
        self._current: TicketView | None = None
        self._tokens: dict[str, str] = {}
        self._busy = False
        self._live: LiveFeed | None = None
        self._want_live = live
        self._feed_state: FeedState | None = None
        self._receipts_dir = receipts_dir
        self._printer = printer
        self._paper = paper

        self._form = load_form("station.ui", self)
        self.setCentralWidget(self._form)
        self._bind_widgets()
        self._model = QueueModel(self)
        self.queue_view.setModel(self._model)
        # Fixed widths from the font, measured once: sizing columns to their contents costs every refresh.
        header = self.queue_view.horizontalHeader()
        metrics = self.queue_view.fontMetrics()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        for column, sample in (
            (QueueModel.NUMBER, "WW-0000"),
            (QueueModel.SLOT, _("Booked slot")),
            (QueueModel.PRIORITY, _("Priority")),
            (QueueModel.WAITED, _("Waiting") + " 000"),
        ):
            header.resizeSection(column, metrics.horizontalAdvance(sample) + 24)
        header.setSectionResizeMode(QueueModel.CATEGORY, QHeaderView.ResizeMode.Stretch)
        self.queue_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self._style()
        self._connect_actions()

        self._start_timers()
        self._wedge = WedgeDetector(self)
        self._wedge.scanned.connect(self.scan)
        self._serial = self._open_serial(serial_port, serial_baud)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

        self.setWindowTitle(_("Counter Desk — {station}", station=station))
        self.officer_label.setText(_("Officer: {name}", name=user) if user else _("Officer: —"))
        self._show_connection(None)
        self._update_buttons()
        self.refresh()

    # ------------------------------------------------------------------ building

    def _start_timers(self) -> None:
        self._refresh_timer = QTimer(self, singleShot=True, interval=REFRESH_DEBOUNCE_MS)
        self._refresh_timer.setObjectName("refreshDebounce")
        self._refresh_timer.timeout.connect(self.refresh)
        self._clock_timer = QTimer(self, interval=1000)
        self._clock_timer.setObjectName("clockTick")
        self._clock_timer.timeout.connect(self._tick)
        self._clock_timer.start()

    def _open_serial(self, port: str | None, baud: int) -> SerialScanner | None:
        if not port:
            return None
        scanner = SerialScanner(port, baud, self)
        scanner.scanned.connect(self.scan)
        scanner.failed.connect(self._error)
        scanner.open()
        return scanner

    def _bind_widgets(self) -> None:
        f = self._form
        self.office_label = child(f, QLabel, "officeLabel")
        self.station_label = child(f, QLabel, "stationLabel")
        self.officer_label = child(f, QLabel, "officerLabel")
        self.connection_label = child(f, QLabel, "connectionLabel")
        self.clock_label = child(f, QLabel, "clockLabel")
        self.banner = child(f, QLabel, "banner")
        self.queue_title = child(f, QLabel, "queueTitle")
        self.queue_view = child(f, QTableView, "queueView")
        self.check_in_box = child(f, QGroupBox, "checkInBox")
        self.code_edit = child(f, QLineEdit, "codeEdit")
        self.check_in_button = child(f, QPushButton, "checkInButton")
        self.walk_in_button = child(f, QPushButton, "walkInButton")
        self.image_button = child(f, QPushButton, "imageButton")
        self.result_number = child(f, QLabel, "resultNumber")
        self.result_detail = child(f, QLabel, "resultDetail")
        self.current_box = child(f, QGroupBox, "currentBox")
        self.current_number = child(f, QLabel, "currentNumber")
        self.current_status = child(f, QLabel, "currentStatus")
        self.serving_timer = child(f, QLabel, "servingTimer")
        self.served_label = child(f, QLabel, "servedLabel")
        self.buttons = {
            "call_next": child(f, QPushButton, "callNextButton"),
            "recall": child(f, QPushButton, "recallButton"),
            "start": child(f, QPushButton, "startButton"),
            "no_show": child(f, QPushButton, "noShowButton"),
            "return": child(f, QPushButton, "returnButton"),
            "transfer": child(f, QPushButton, "transferButton"),
            "finish": child(f, QPushButton, "finishButton"),
            "approve": child(f, QPushButton, "approveButton"),
            "reject": child(f, QPushButton, "rejectButton"),
            "call_ticket": child(f, QPushButton, "callTicketButton"),
        }
        self.banner.hide()

    def _style(self) -> None:
        big = QFont()
        big.setPointSize(48)
        big.setBold(True)
        self.current_number.setFont(big)
        self.result_number.setFont(big)
        medium = QFont()
        medium.setPointSize(14)
        self.buttons["call_next"].setFont(medium)
        self.office_label.setStyleSheet("font-weight:bold;")
        self.clock_label.setStyleSheet("font-family:monospace;font-size:16px;")

    def _connect_actions(self) -> None:
        handlers: dict[str, Callable[[], None]] = {
            "call_next": self.call_next,
            "recall": lambda: self._station_action("recall", self._queue.recall),
            "start": lambda: self._station_action("start", self._queue.start),
            "no_show": lambda: self._station_action("no_show", self._queue.no_show),
            "return": lambda: self.return_to_queue("front"),
            "transfer": self._ask_transfer,
            "finish": lambda: self.finish(),  # noqa: PLW0108 - clicked(bool) must not reach `outcome`
            "approve": lambda: self.finish(outcome="approved"),
            "reject": self._ask_reject,
            "call_ticket": self._ask_call_ticket,
        }
        for name, handler in handlers.items():
            button = self.buttons[name]
            button.clicked.connect(handler)
            key = SHORTCUTS[name]
            button.setToolTip(f"{button.text()} ({key})")
            QShortcut(QKeySequence(key), self, handler)
        self.check_in_button.clicked.connect(lambda: self.scan(self.code_edit.text()))
        self.code_edit.returnPressed.connect(lambda: self.scan(self.code_edit.text()))
        self.walk_in_button.clicked.connect(self._ask_walk_in)
        self.image_button.clicked.connect(self._ask_image)
        QShortcut(QKeySequence(SHORTCUTS["walk_in"]), self, self._ask_walk_in)
        QShortcut(QKeySequence(SHORTCUTS["code"]), self, self.code_edit.setFocus)

    # ------------------------------------------------------------------ reading

    def refresh(self) -> None:
        """Read the station's snapshot on the worker; show it when it arrives."""
        self._tasks.run(lambda: station_snapshot(self._queue, self._station), self._show_snapshot, self._read_failed)

    def _schedule_refresh(self) -> None:
        self._refresh_timer.start()

    def _show_snapshot(self, snap: StationSnapshot) -> None:
        first = self._snapshot is None
        self._snapshot = snap
        self.office_label.setText(snap.office_name)
        self.station_label.setText(f"{snap.station_name} · {snap.stage_name}")
        self.queue_title.setText(
            _("Queue: {stage} — {count} waiting", stage=snap.queue.stage_name, count=len(snap.queue.waiting))
        )
        self._model.set_names(snap.category_names)
        self._model.set_rows(snap.queue.waiting, snap.queue.at, snap.queue.wait_target_minutes)
        self.served_label.setText(_("Served today: {count}", count=snap.served_today))
        self._show_current(snap.current)
        self._apply_kind(snap.kind)
        if first and self._want_live:
            self._start_live(snap.last_seq)
        self.refreshed.emit()

    def _read_failed(self, exc: Exception) -> None:
        if isinstance(exc, UserError) and not isinstance(exc, DatabaseUnavailable):
            self._error(exc.message)
        elif _connection_problem(exc):
            self._error(_("The database cannot be reached; the window will update when it is back."))
        else:
            log.error("reading the station failed", exc_info=exc)
            self._error(_("Unexpected error: {error}", error=exc))

    def _apply_kind(self, kind: str) -> None:
        reception = kind == RECEPTION
        self.check_in_box.setVisible(reception)
        calling = not reception
        self.current_box.setVisible(calling)
        for name in ("call_next", "recall", "start", "no_show", "return", "transfer", "finish", "call_ticket"):
            self.buttons[name].setVisible(calling)
        adjudication = kind == ADJUDICATION
        self.buttons["approve"].setVisible(adjudication)
        self.buttons["reject"].setVisible(adjudication)
        self.buttons["finish"].setVisible(calling and not adjudication)
        self.buttons["start"].setVisible(calling and not adjudication)
        self.buttons["recall"].setVisible(calling and not adjudication)
        self.buttons["no_show"].setVisible(calling and not adjudication)

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

    # ------------------------------------------------------------------ showing

    def _show_current(self, ticket: TicketView | None) -> None:
        self._current = ticket if ticket is not None and ticket.status in (Status.CALLED, Status.SERVING) else None
        if self._current is None:
            self.current_number.setText("—")
            self.current_status.setText(_("Nobody at the counter"))
        else:
            self.current_number.setText(self._current.number)
            label = _("called") if self._current.status == Status.CALLED else _("being served")
            names = self._snapshot.category_names if self._snapshot else {}
            self.current_status.setText(f"{label} · {names.get(self._current.category, self._current.category)}")
        self._tick()
        self._update_buttons()

    def _update_buttons(self) -> None:
        allowed = allowed_actions(Status(self._current.status)) if self._current else frozenset()
        wanted = {
            "call_next": self._current is None,
            "call_ticket": self._current is None,
            "recall": Action.RECALL in allowed,
            "start": Action.START in allowed,
            "no_show": Action.NO_SHOW in allowed,
            "return": Action.RETURN in allowed,
            "transfer": Action.TRANSFER in allowed,
            "finish": Action.FINISH in allowed,
            "approve": Action.FINISH in allowed,
            "reject": Action.FINISH in allowed,
        }
        for name, enabled in wanted.items():
            self.buttons[name].setEnabled(enabled and not self._busy)
        self.check_in_button.setEnabled(not self._busy)
        self.walk_in_button.setEnabled(not self._busy)
        self.image_button.setEnabled(not self._busy)

    def _tick(self) -> None:
        now = self._queue.clock.now()
        tz = self._snapshot.timezone if self._snapshot else "Asia/Jakarta"
        self.clock_label.setText(office_local(now, tz).strftime("%H:%M:%S"))
        t = self._current
        if t is None:
            self.serving_timer.setText("")
        else:
            since = t.started_at or t.called_at or now
            seconds = max(0, int((now - since).total_seconds()))
            self.serving_timer.setText(f"{seconds // 60:02d}:{seconds % 60:02d}")
        if now.second == 0:
            self._model.tick(now)

    def _show_connection(self, state: FeedState | None) -> None:
        self._feed_state = state
        if state is None or not self._want_live:
            self.connection_label.setText("")
            return
        tz = self._snapshot.timezone if self._snapshot else "Asia/Jakarta"
        if state.state == ONLINE:
            text, colour = _("● online"), "#2e7d32"
        elif state.state == OFFLINE:
            since = office_local(state.since, tz).strftime("%H:%M")
            text, colour = _("● offline since {time}", time=since), "#c62828"
        else:
            text, colour = _("● reconnecting…"), "#ef6c00"
        self.connection_label.setText(text)
        self.connection_label.setStyleSheet(f"color:{colour};font-weight:bold;")
        if state.state == ONLINE:
            self._schedule_refresh()  # catch up on anything missed while away

    def _error(self, message: str) -> None:
        self.banner.setStyleSheet(ERROR_STYLE)
        self.banner.setText(message)
        self.banner.show()
        QApplication.beep()
        self.failed.emit(message)

    def _warn(self, message: str) -> None:
        self.banner.setStyleSheet(WARN_STYLE)
        self.banner.setText(message)
        self.banner.show()
        QApplication.beep()

    def _info(self, message: str) -> None:
        self.banner.setStyleSheet(INFO_STYLE)
        self.banner.setText(message)
        self.banner.show()

    # ------------------------------------------------------------------ acting

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_buttons()

    def _run_action(self, name: str, call: Callable[[str], Result], done: Callable[[Result], None]) -> None:
        """Run one action with its idempotency token: kept after a connection failure, so a retry of the same
        click can never act twice."""
        if self._busy:
            return
        token = self._tokens.setdefault(name, uuid.uuid4().hex)
        self._set_busy(True)

        def ok(result: Result) -> None:
            self._tokens.pop(name, None)
            self._set_busy(False)
            done(result)
            self.acted.emit(result)
            self.refresh()

        def fail(exc: Exception) -> None:
            self._set_busy(False)
            if _connection_problem(exc):
                self._error(_("Not saved: the database cannot be reached. Nothing was changed; try again."))
                return
            self._tokens.pop(name, None)
            if isinstance(exc, UserError):
                self._error(exc.message)
            else:
                log.error("action %s failed", name, exc_info=exc)
                self._error(_("Unexpected error: {error}", error=exc))
            self.refresh()

        self._tasks.run(lambda: call(token), ok, fail)

    def _show_result(self, result: Result) -> None:
        here = self._snapshot.station_name if self._snapshot else self._station
        station = here if result.ticket.station == self._station else result.ticket.station
        self._info(_("{number}: {status}", number=result.ticket.number, status=_status_text(result.ticket, station)))
        self._show_current(result.ticket)

    def _station_action(self, name: str, method: Callable[..., Result]) -> None:
        self._run_action(name, lambda token: method(self._station, token=token, user=self._user), self._show_result)

    def call_next(self) -> None:
        self._run_action(
            "call_next",
            lambda token: self._queue.call_next(self._station, token=token, user=self._user),
            self._show_result,
        )

    def call_ticket(self, number: str, reason: str) -> None:
        self._run_action(
            "call_ticket",
            lambda token: self._queue.call(number, self._station, reason, token=token, user=self._user),
            self._show_result,
        )

    def return_to_queue(self, position: str = "front") -> None:
        self._run_action(
            "return",
            lambda token: self._queue.return_to_queue(
                station=self._station, position=position, token=token, user=self._user
            ),
            self._show_result,
        )

    def transfer(self, stage: str, reason: str = "") -> None:
        self._run_action(
            "transfer",
            lambda token: self._queue.transfer(
                stage, station=self._station, reason=reason or None, token=token, user=self._user
            ),
            self._show_result,
        )

    def finish(self, outcome: str | None = None, reason: str = "") -> None:
        self._run_action(
            f"finish:{outcome}",
            lambda token: self._queue.finish(
                self._station, outcome=outcome, reason=reason or None, token=token, user=self._user
            ),
            self._show_result,
        )

    def scan(self, payload: str) -> None:
        """A scanned (or typed) booking code: check the applicant in and show the ticket big."""
        if self._snapshot is not None and self._snapshot.kind != RECEPTION:
            self._error(_("This station does not issue tickets; scan at reception."))
            return
        try:
            code = parse_payload(payload)
        except UserError as exc:
            self.code_edit.clear()
            self._clear_result()
            self._error(exc.message)
            return
        self.code_edit.clear()
        self._run_action(
            f"check_in:{code}",
            lambda token: self._queue.check_in(code, station=self._station, token=token, user=self._user),
            self._show_issued,
        )

    def scan_image(self, path: Path) -> None:
        """Decode the code in a picture (on the worker: photos can be big), then check in as for a scan."""

        def decoded(payload: str) -> None:
            self.scan(payload)

        def failed(exc: Exception) -> None:
            if isinstance(exc, UserError):
                self._error(exc.message)
            else:
                log.error("decoding %s failed", path, exc_info=exc)
                self._error(_("Unexpected error: {error}", error=exc))

        self._tasks.run(lambda: decode_file(path), decoded, failed)

    def _ask_image(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self, _("Scan from a picture"), str(Path.home()), _("Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp)")
        )
        if name:
            self.scan_image(Path(name))

    def walk_in(self, category: str) -> None:
        self._run_action(
            f"walk_in:{category}",
            lambda token: self._queue.check_in(walk_in=category, station=self._station, token=token, user=self._user),
            self._show_issued,
        )

    def _clear_result(self) -> None:
        self.result_number.setText("")
        self.result_detail.setText("")

    def _show_issued(self, result: Result) -> None:
        t = result.ticket
        self.result_number.setText(t.number)
        stage = (
            next((s.name for s in self._snapshot.stages if s.code == t.stage), t.stage) if self._snapshot else t.stage
        )
        wait = result.estimated_wait_seconds
        detail = _("Go to: {stage} · {ahead} ahead", stage=stage, ahead=result.ahead or 0)
        if wait is not None:
            detail += " · " + _("about {minutes} min", minutes=max(1, round(wait / 60)))
        self.result_detail.setText(detail)
        self._info(_("Ticket {number} issued", number=t.number))
        self.code_edit.setFocus()
        if self._receipts_dir is not None:
            self._print(t.number)

    def _print(self, number: str) -> None:
        """Print after the ticket is issued: a dead printer never stops the queue, the PDF is always kept."""
        assert self._receipts_dir is not None
        folder, printer, paper = self._receipts_dir, self._printer, self._paper

        def done(outcome: Printed) -> None:
            if outcome.printer_ok is False:
                self._warn(
                    _(
                        "Ticket {number} issued, but the printer failed ({error}). The receipt is kept at {pdf}",
                        number=outcome.number,
                        error=outcome.printer_error,
                        pdf=outcome.pdf,
                    )
                )
            self.printed.emit(outcome)

        def failed(exc: Exception) -> None:
            log.error("printing %s failed", number, exc_info=exc)
            self._warn(
                _("Ticket {number} issued, but its receipt could not be made: {error}", number=number, error=exc)
            )

        self._tasks.run(
            lambda: print_ticket(self._queue, number, pdf_dir=folder, printer=printer, paper=paper), done, failed
        )

    # ------------------------------------------------------------------ dialogs

    def _ask_walk_in(self) -> None:
        if self._snapshot is None or self._snapshot.kind != RECEPTION:
            return
        choice = ChooseDialog(
            self, _("Walk-in"), _("Who is the applicant?"), self._snapshot.walk_in_categories, reason=False
        ).exec()
        if choice is not None:
            self.walk_in(choice[0])

    def _ask_transfer(self) -> None:
        if self._snapshot is None or self._current is None:
            return
        others = [s for s in self._snapshot.stages if s.code != self._snapshot.stage]
        choice = ChooseDialog(
            self, _("Transfer"), _("Pass {number} on to:", number=self._current.number), others, reason=True
        ).exec()
        if choice is not None:
            self.transfer(*choice)

    def _ask_reject(self) -> None:
        if self._current is None:
            return
        dialog = CallTicketDialog(self, self._current.number)
        dialog.dialog.setWindowTitle(_("Reject"))
        dialog.number.setReadOnly(True)
        answer = dialog.exec()
        if answer is not None:
            self.finish(outcome="rejected", reason=answer[1])

    def _ask_call_ticket(self) -> None:
        index = self.queue_view.currentIndex()
        selected = self._model.ticket_at(index.row()) if index.isValid() else None
        answer = CallTicketDialog(self, selected.ticket.number if selected else "").exec()
        if answer is not None:
            self.call_ticket(*answer)

    # ------------------------------------------------------------------ Qt

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Scanner bursts typed anywhere in this window (no focused field needed) become scans."""
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(watched, QWidget)
            and watched.window() is self
            and self._snapshot is not None
            and self._snapshot.kind == RECEPTION
        ):
            return self._wedge.eventFilter(watched, event)
        return False

    def closeEvent(self, event: QCloseEvent) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self._clock_timer.stop()
        self._refresh_timer.stop()
        if self._live is not None:
            self._live.stop()
        if self._serial is not None:
            self._serial.close()
        self._tasks.close()
        super().closeEvent(event)


def _status_text(t: TicketView, station: str | None) -> str:
    labels = {
        Status.WAITING: _("waiting at {stage}", stage=t.stage),
        Status.CALLED: _("called to {station}", station=station or ""),
        Status.SERVING: _("being served at {station}", station=station or ""),
        Status.NO_SHOW: _("marked no-show"),
        Status.DONE: _("finished"),
    }
    return labels[Status(t.status)]

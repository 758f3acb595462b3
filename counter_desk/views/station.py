"""The counter station window: one per counter PC (reception, interview booth, adjudicator, pickup).

It shows, live, the queue of the station's stage and the applicant in front of the officer. Every action is one
service call run on the window's worker thread (:class:`~counter_desk.qt.tasks.TaskRunner`); the window never
touches the database itself. Receipts (queue ticket at reception, pickup receipt at the interview booth,
handover receipt at the pickup counter) are printed on the worker after the action committed: a dead printer
never stops the queue, the PDF is always kept, and the last receipt can be reprinted with one key. The change
feed (:class:`~counter_desk.qt.live.LiveFeed`) tells it when to read again, so two windows on one database see
each other's actions within a second.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypeVar

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFont, QKeySequence, QShortcut
from PySide6.QtMultimedia import QMediaDevices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
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

from counter_desk.clock import DEFAULT_TIMEZONE, Clock, office_local
from counter_desk.devices.imagescan import decode_file
from counter_desk.devices.printing import (
    Printed,
    PrinterState,
    PrinterTarget,
    print_receipt,
    print_ticket,
    printer_state,
    reprint,
)
from counter_desk.devices.scanner import parse_payload
from counter_desk.errors import DatabaseUnavailable, UserError
from counter_desk.i18n import N_, _, lookup
from counter_desk.live.follower import OFFLINE, ONLINE, FeedState
from counter_desk.live.wakeup import wakeup_for
from counter_desk.qt.camera import CameraScanner, camera_devices
from counter_desk.qt.forms import child, load_form
from counter_desk.qt.live import LiveFeed, RefcountGuard
from counter_desk.qt.models import QueueModel, QueuePositions
from counter_desk.qt.serialscan import SerialScanner
from counter_desk.qt.sound import ErrorTone, Sink
from counter_desk.qt.tasks import NOT_CONFIRMED, TaskRunner, connection_problem, error_text
from counter_desk.qt.wedge import WedgeDetector
from counter_desk.services import replication
from counter_desk.services.auth import Officer
from counter_desk.services.checkin import arrival_label
from counter_desk.services.counter_use import PAUSE_REASONS, pause_reason_label
from counter_desk.services.dates import format_day
from counter_desk.services.masking import mask_nik
from counter_desk.services.pickups import Issued, PickupCall, PickupService, PickupView
from counter_desk.services.queue import QueueService
from counter_desk.services.receipts import Receipt, handover_receipt, pickup_receipt
from counter_desk.services.stations import (
    ADJUDICATION,
    PICKUP,
    RECEPTION,
    SERVICE,
    Choice,
    StationReader,
    StationSnapshot,
)
from counter_desk.services.views import CheckInInfo, Result, TicketView
from counter_desk.states import Action, Status, allowed_actions
from counter_desk.store.engine import Database
from counter_desk.views.dialogs import CallTicketDialog, ChooseDialog, ConfirmDialog, HandoverDialog

log = logging.getLogger(__name__)

T = TypeVar("T")
A = TypeVar("A")
A_co = TypeVar("A_co", covariant=True)


class _Dialog(Protocol[A_co]):
    @property
    def dialog(self) -> QDialog: ...

    def exec(self) -> A_co | None: ...


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
    "pickup_receipt": "F11",
    "handover": "F12",
    "reprint": "Ctrl+P",
    "image": "Ctrl+O",
    "camera": "Ctrl+K",
    "park": "F5",
    "resume": "Shift+F5",
    "pause": "Ctrl+B",
}
#: Why an applicant is set aside, offered first in the park dialog (a free reason can be typed too).
PARK_REASONS = (
    N_("fetching a photocopy of the family card (KK)"),
    N_("fetching the birth certificate (akta)"),
    N_("fetching another document"),
)
ERROR_STYLE = "background:#c62828;color:white;font-size:18px;padding:8px;border-radius:4px;"
WARN_STYLE = "background:#ef6c00;color:white;font-size:18px;padding:8px;border-radius:4px;"
INFO_STYLE = "background:#2e7d32;color:white;font-size:18px;padding:8px;border-radius:4px;"
REFRESH_DEBOUNCE_MS = 50
NO_SHOW_TEXT = N_("No-show")
#: How an arrival judgement is coloured at reception: the clerk's eye goes to a late or early arrival.
ARRIVAL_STYLE = {
    "early": "background:#1565c0;color:white;font-weight:bold;padding:4px;border-radius:4px;",
    "late": "background:#ef6c00;color:white;font-weight:bold;padding:4px;border-radius:4px;",
}
ARRIVAL_PLAIN = "background:#e8f5e9;color:#1b5e20;font-weight:bold;padding:4px;border-radius:4px;"


def _show_key(button: QPushButton, key: str) -> None:
    """The key on the button itself ("Call next (F2)"), and in its tooltip: learnt where the mouse would go."""
    text = f"{button.text()} ({key})"
    button.setText(text)
    button.setToolTip(text)


class StationWindow(QMainWindow):
    """The window of one station.

    Signals:
        refreshed(): the window shows a fresh snapshot of the database.
        acted(object): an action succeeded; carries its :class:`~counter_desk.services.views.Result` (for the
            pickup receipt: the :class:`~counter_desk.services.pickups.Issued` pickup).
        failed(str): an action or a scan was refused; carries the message shown.
        printed(object): a receipt was made; carries :class:`~counter_desk.devices.printing.Printed`.
        pickup_shown(object): the pickup in front of the officer changed; carries a
            :class:`~counter_desk.services.pickups.PickupView` or None.
        printer_checked(object): the printer's reported state; carries
            :class:`~counter_desk.devices.printing.PrinterState`.
    """

    refreshed = Signal()
    acted = Signal(object)
    failed = Signal(str)
    printed = Signal(object)
    pickup_shown = Signal(object)
    printer_checked = Signal(object)

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
        printer: PrinterTarget | None = None,
        paper: str = "80mm",
        error_sound: bool = True,
        sound: Sink | None = None,
    ) -> None:
        super().__init__()
        self._db = db
        self._queue = QueueService(db, clock=clock, office=office)
        self._pickups = PickupService(db, clock=clock, office=office)
        self._reader = StationReader(self._queue, station)
        #: The low double beep of a refused scan or check-in (``error_sound=False`` mutes it); ``sound`` is the
        #: audio output (default: the sound card, found once the window shows; silent when there is none).
        self.error_tone = ErrorTone(sound, enabled=error_sound, parent=self)
        #: Scans that arrived while an action ran: taken in order as soon as it ends, never dropped.
        self._pending_scans: list[str] = []
        #: The interview ticket last passed on or finished here: its pickup receipt may be printed.
        self._passed: str | None = None
        self._pickup: PickupView | None = None
        self._last_printed: Printed | None = None
        self._station = station
        self._user = user
        self._tasks = TaskRunner(self)
        # Printing has its own worker: a silent network printer may take seconds, and the next scan must not wait.
        self._printer_tasks = TaskRunner(self, name="printer")
        self._snapshot: StationSnapshot | None = None
        self._current: TicketView | None = None
        self._tokens: dict[str, str] = {}
        #: Tries of an action (by its token's name) that met a database out of reach, until one is answered.
        self._failed_tries: dict[str, int] = {}
        #: A check-in refused by an office rule a supervisor may override (closed, late): the code to retry.
        self._override_code: str | None = None
        self._override_walk_in: str | None = None
        #: While the supervisor signs in for an override (an unparented dialog): it counts as this window's.
        self._signing_in = False
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
        self.queue_view.setVerticalHeader(QueuePositions(self.queue_view))
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
        # PySide6 6.12 + CPython 3.11 lose references to True/None on every emit; a counter window runs all day.
        self._refs = RefcountGuard(self)
        self._start_scanners(serial_port, serial_baud)

        self.setWindowTitle(_("Counter Desk — {station}", station=station))
        self.officer_label.setText(_("Officer: {name}", name=user) if user else _("Officer: —"))
        self._show_connection(None)
        self._update_buttons()
        self.refresh()

    # ------------------------------------------------------------------ building

    def _start_scanners(self, serial_port: str | None, serial_baud: int) -> None:
        """The keyboard wedge (typing anywhere in the window), a serial scanner, and the camera."""
        #: Codes shown to a webcam (decoded on the camera's own worker); the button shows only when there is one.
        self.camera = CameraScanner(self)
        self.camera.scanned.connect(self.scan)
        self.camera.failed.connect(self._error)
        self._cameras: QMediaDevices | None = None
        self._has_camera = False
        self._wedge = WedgeDetector(self)
        self._wedge.scanned.connect(self.scan)
        #: Bursts typed while one of this window's dialogs has the keyboard: they close it, then check in.
        self._dialog_wedge = WedgeDetector(self)
        self._dialog_wedge.scanned.connect(self._scanned_in_dialog)
        self._burst_window: QWidget | None = None
        #: Said with the next banner: why a dialog the clerk had open has closed.
        self._scan_note = ""
        self._serial = self._open_serial(serial_port, serial_baud)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

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
        self.camera_button = child(f, QPushButton, "cameraButton")
        self.camera_preview = child(f, QWidget, "cameraPreview")
        self.result_number = child(f, QLabel, "resultNumber")
        self.result_detail = child(f, QLabel, "resultDetail")
        self.current_box = child(f, QGroupBox, "currentBox")
        self.current_number = child(f, QLabel, "currentNumber")
        self.current_status = child(f, QLabel, "currentStatus")
        self.serving_timer = child(f, QLabel, "servingTimer")
        self.served_label = child(f, QLabel, "servedLabel")
        self.arrival_flag = child(f, QLabel, "arrivalFlag")
        self.id_check = child(f, QLabel, "idCheck")
        self.override_button = child(f, QPushButton, "overrideButton")
        self.applicant_label = child(f, QLabel, "applicantLabel")
        self.booth_state = child(f, QLabel, "boothState")
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
            "pickup_receipt": child(f, QPushButton, "pickupReceiptButton"),
            "handover": child(f, QPushButton, "handoverButton"),
            "reprint": child(f, QPushButton, "reprintButton"),
            "park": child(f, QPushButton, "parkButton"),
            "resume": child(f, QPushButton, "resumeButton"),
            "pause": child(f, QPushButton, "pauseButton"),
        }
        self.printer_label = child(f, QLabel, "printerLabel")
        self.banner.hide()

    def _style(self) -> None:
        big = QFont()
        big.setPointSize(40)
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
            "no_show": self._ask_no_show,
            "return": lambda: self.return_to_queue("front"),
            "transfer": self._ask_transfer,
            "finish": lambda: self.finish(),  # noqa: PLW0108 - clicked(bool) must not reach `outcome`
            "approve": lambda: self.finish(outcome="approved"),
            "reject": self._ask_reject,
            "call_ticket": self._ask_call_ticket,
            "pickup_receipt": self.print_pickup_receipt,
            "handover": self._ask_handover,
            "reprint": self.reprint_last,
            "park": self._ask_park,
            "resume": lambda: self.resume_parked(),  # noqa: PLW0108 - clicked(bool) must not reach `ticket`
            "pause": self._ask_pause,
        }
        for name, handler in handlers.items():
            button = self.buttons[name]
            button.clicked.connect(handler)
            key = SHORTCUTS[name]
            _show_key(button, key)
            QShortcut(QKeySequence(key), self, handler)
        self.override_button.clicked.connect(self._ask_override)
        self.check_in_button.clicked.connect(lambda: self.scan(self.code_edit.text()))
        self.code_edit.returnPressed.connect(lambda: self.scan(self.code_edit.text()))
        self.walk_in_button.clicked.connect(self._ask_walk_in)
        self.image_button.clicked.connect(self._ask_image)
        self.camera_button.toggled.connect(self.use_camera)
        for name, button in (("walk_in", self.walk_in_button), ("image", self.image_button)):
            _show_key(button, SHORTCUTS[name])
        _show_key(self.camera_button, SHORTCUTS["camera"])
        QShortcut(QKeySequence(SHORTCUTS["walk_in"]), self, self._ask_walk_in)
        QShortcut(QKeySequence(SHORTCUTS["code"]), self, self.code_edit.setFocus)
        QShortcut(QKeySequence(SHORTCUTS["image"]), self, self._ask_image)
        QShortcut(QKeySequence(SHORTCUTS["camera"]), self, self._toggle_camera)

    # ------------------------------------------------------------------ reading

    def refresh(self) -> None:
        """Read the station's snapshot on the worker; show it when it arrives."""
        self._tasks.run(self._reader.snapshot, self._show_snapshot, self._read_failed)

    def _schedule_refresh(self) -> None:
        self._refresh_timer.start()

    def _show_snapshot(self, snap: StationSnapshot) -> None:
        first = self._snapshot is None
        self._snapshot = snap
        self.office_label.setText(snap.office_name)
        self.station_label.setText(f"{snap.station_name} · {snap.stage_name}")
        self.setWindowTitle(_("Counter Desk — {station}", station=snap.station_name))  # the name, not the code
        self.queue_title.setText(
            _("Queue: {stage} — {count} waiting", stage=snap.queue.stage_name, count=len(snap.queue.waiting))
        )
        self._model.set_names(snap.category_names)
        self._model.set_rows(snap.queue.waiting, snap.queue.at, snap.queue.wait_target_minutes)
        self.served_label.setText(_("Served today: {count}", count=snap.served_today))
        self._show_current(snap.current)
        self._show_booth_state(snap)
        if snap.kind == PICKUP:
            self._show_pickup(snap.pickup if snap.current is not None else None)
        self._apply_kind(snap.kind)
        if first:
            self.check_printer()
            QTimer.singleShot(0, self.error_tone.prepare)
            if snap.kind in (RECEPTION, PICKUP):  # the stations that scan
                QTimer.singleShot(0, self._find_cameras)
        if first and self._want_live:
            self._start_live(snap.last_seq)
        self.refreshed.emit()

    def _read_failed(self, exc: Exception) -> None:
        if isinstance(exc, UserError) and not isinstance(exc, DatabaseUnavailable):
            self._error(exc.message)
        elif connection_problem(exc):
            self._error(_("The database cannot be reached; the window will update when it is back."), refusal=False)
        else:
            log.error("reading the station failed", exc_info=exc)
            self._error(_("Unexpected error: {error}", error=error_text(exc)))

    def _apply_kind(self, kind: str) -> None:
        reception = kind == RECEPTION
        pickup = kind == PICKUP
        self.check_in_box.setVisible(reception or pickup)
        self.walk_in_button.setVisible(reception)
        self.camera_button.setVisible((reception or pickup) and self._has_camera)
        if pickup:
            self.check_in_box.setTitle(_("Pickup receipt"))
            self.code_edit.setPlaceholderText(_("Scan the pickup receipt's code or type it"))
            self.check_in_button.setText(_("Find and call"))
        self.buttons["pickup_receipt"].setVisible(kind == SERVICE)
        self.buttons["handover"].setVisible(pickup)
        self.buttons["reprint"].setVisible(self._receipts_dir is not None)
        self.printer_label.setVisible(self._receipts_dir is not None)
        calling = not reception
        self.current_box.setVisible(calling)
        for name in ("call_next", "recall", "start", "no_show", "return", "transfer", "finish", "call_ticket"):
            self.buttons[name].setVisible(calling)
        adjudication = kind == ADJUDICATION
        self.buttons["park"].setVisible(kind == SERVICE)
        self.buttons["resume"].setVisible(kind == SERVICE)
        self.buttons["pause"].setVisible(calling)
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
        self._show_applicant(self._current)
        self._tick()
        self._update_buttons()

    def _show_applicant(self, ticket: TicketView | None) -> None:
        """Whose file it is (application number, masked name), from the snapshot that read the held ticket: the
        adjudicator approves or rejects a file, not a number. Until the snapshot after an action arrives, the
        line is empty rather than another applicant's."""
        snap = self._snapshot
        if ticket is None:
            self.applicant_label.setText("")
            return
        if ticket.booking_code is None:
            self.applicant_label.setText(_("Walk-in: no booking"))
            return
        found = (
            snap.applicant if snap is not None and snap.current is not None and snap.current.id == ticket.id else None
        )
        self.applicant_label.setText(
            _(
                "Application {application} · {name}",
                application=found.application_number,
                name=found.name_masked or "—",
            )
            if found is not None
            else ""
        )

    def _show_booth_state(self, snap: StationSnapshot) -> None:
        """A paused booth, and the applicants set aside here (they come back to this booth)."""
        lines = []
        if snap.pause is not None:
            since = office_local(snap.pause.since, snap.timezone).strftime("%H:%M")
            reason = pause_reason_label(snap.pause.reason)
            if snap.pause.note:
                reason = f"{reason}: {snap.pause.note}"
            lines.append(_("Booth paused since {time} ({reason}): it calls nobody", time=since, reason=reason))
        if snap.parked:
            lines.append(_("Parked here: {numbers}", numbers=", ".join(t.number for t in snap.parked)))
        self.booth_state.setText("\n".join(lines))
        self.booth_state.setVisible(bool(lines))
        colour = "#ef6c00" if snap.pause is not None else "#555"
        self.booth_state.setStyleSheet(f"color:{colour};font-weight:bold;")
        pause = self.buttons["pause"]
        text = _("Open the booth again") if snap.pause is not None else _("Pause the booth…")
        pause.setText(f"{text} ({SHORTCUTS['pause']})")

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
            "pickup_receipt": self._passed is not None,
            "handover": Action.FINISH in allowed and self._pickup is not None,
            "reprint": self._last_printed is not None,
            "park": Action.PARK in allowed,
            "resume": self._current is None and bool(self._snapshot and self._snapshot.parked),
            "pause": self._current is None or bool(self._snapshot and self._snapshot.pause),
        }
        for name, enabled in wanted.items():
            self.buttons[name].setEnabled(enabled and not self._busy)
        self.check_in_button.setEnabled(not self._busy)
        self.walk_in_button.setEnabled(not self._busy)
        self.image_button.setEnabled(not self._busy)
        self.override_button.setEnabled(not self._busy)

    def _tick(self) -> None:
        now = self._queue.clock.now()
        tz = self._snapshot.timezone if self._snapshot else DEFAULT_TIMEZONE
        self.clock_label.setText(office_local(now, tz).strftime("%H:%M:%S"))
        t = self._current
        if t is None:
            self.serving_timer.setText("")
        else:
            since = t.started_at or t.called_at or now
            seconds = max(0, int((now - since).total_seconds()))
            self.serving_timer.setText(f"{seconds // 60:02d}:{seconds % 60:02d}")
        no_show = self.buttons["no_show"]
        wait_from = self._snapshot.no_show_from if self._snapshot is not None else None
        label = lookup(NO_SHOW_TEXT)
        if t is not None and wait_from is not None and wait_from > now:
            left = int((wait_from - now).total_seconds()) + 1
            label = _("{label} in {time}", label=label, time=f"{left // 60}:{left % 60:02d}")
        no_show.setText(f"{label} ({SHORTCUTS['no_show']})")
        if now.second == 0:
            self._model.tick(now)

    def _show_connection(self, state: FeedState | None) -> None:
        self._feed_state = state
        if state is None or not self._want_live:
            self.connection_label.setText("")
            return
        tz = self._snapshot.timezone if self._snapshot else DEFAULT_TIMEZONE
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

    def _banner(self, style: str, message: str) -> None:
        if self._scan_note:
            message, self._scan_note = f"{message}\n{self._scan_note}", ""
        self.banner.setStyleSheet(style)
        self.banner.setText(message)
        self.banner.show()

    def _error(self, message: str, *, tone: bool = False, refusal: bool = True) -> None:
        """The red banner; with ``tone``, the error tone too: for a refused scan or check-in, when the clerk's
        eyes are on the applicant, not on the screen. A refused click needs no sound (the clerk is looking).

        At reception every refusal also clears the last ticket shown: its big number under a red banner could
        be handed to the wrong applicant."""
        if refusal and self._snapshot is not None and self._snapshot.kind == RECEPTION:
            self._clear_result()
        self._banner(ERROR_STYLE, message)
        if tone:
            self.error_tone.play()
        self.failed.emit(message)

    def _refused_scan(self, message: str) -> None:
        self._error(message, tone=True)

    def _warn(self, message: str) -> None:
        self._banner(WARN_STYLE, message)

    def _info(self, message: str) -> None:
        self._banner(INFO_STYLE, message)

    # ------------------------------------------------------------------ acting

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_buttons()

    def _run_action(
        self, name: str, call: Callable[[str], T], done: Callable[[T], None], *, scan: bool = False
    ) -> None:
        """Run one action with its idempotency token: kept after a connection failure, so a retry of the same
        click can never act twice. A ``scan`` refused sounds the error tone."""
        if self._busy:
            return
        token = self._tokens.setdefault(name, uuid.uuid4().hex)
        self._set_busy(True)

        def ok(result: T) -> None:
            self._tokens.pop(name, None)
            failed_tries = self._failed_tries.pop(name, 0)
            self._set_busy(False)
            done(result)
            if failed_tries and isinstance(result, Result):
                # The banner ``done`` just showed, saying whether the earlier, unconfirmed try had been saved.
                retried = replication.Retried(result, failed_tries, result.replayed)
                self.banner.setText(replication.outcome_message(retried, self.banner.text()))
            self.acted.emit(result.result if isinstance(result, PickupCall) else result)
            self.refresh()
            self._next_scan()

        def fail(exc: Exception) -> None:
            self._set_busy(False)
            if connection_problem(exc):  # the token is kept: pressed again, the action is never done twice
                self._failed_tries[name] = self._failed_tries.get(name, 0) + 1
                self._error(lookup(NOT_CONFIRMED), tone=scan)
                self._next_scan()
                return
            self._tokens.pop(name, None)
            self._failed_tries.pop(name, None)
            if isinstance(exc, UserError):
                self._error(exc.message, tone=scan)
                if getattr(exc, "overridable", False) and name.startswith(("check_in:", "walk_in:")):
                    kind, _sep, value = name.partition(":")
                    self._override_code = value if kind == "check_in" else None
                    self._override_walk_in = value if kind == "walk_in" else None
                    self.override_button.show()
            else:
                log.error("action %s failed", name, exc_info=exc)
                self._error(_("Unexpected error: {error}", error=error_text(exc)), tone=scan)
            self.refresh()
            self._next_scan()

        self._tasks.run(lambda: call(token), ok, fail)

    def _next_scan(self) -> None:
        while self._pending_scans and not self._busy:  # a refusal found without the database leaves it free
            self.scan(self._pending_scans.pop(0))

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
            self._passed_on,
        )

    def finish(self, outcome: str | None = None, reason: str = "") -> None:
        self._run_action(
            f"finish:{outcome}",
            lambda token: self._queue.finish(
                self._station, outcome=outcome, reason=reason or None, token=token, user=self._user
            ),
            self._passed_on,
        )

    def _passed_on(self, result: Result) -> None:
        """Passed on or finished: at an interview booth, the applicant's pickup receipt may now be printed."""
        if self._snapshot is not None and self._snapshot.kind == SERVICE:
            self._passed = result.ticket.number
        self._show_result(result)
        if self._snapshot is not None and self._snapshot.kind == PICKUP:
            self._show_pickup(None)

    def scan(self, payload: str) -> None:
        """A scanned (or typed) code: a booking at reception (check in, show the ticket big), a pickup receipt
        at a pickup counter (find the file, issue its ticket, call it here)."""
        if self._busy:  # the previous scan (or a click) is still being saved: this one goes next
            self.code_edit.clear()
            self._pending_scans.append(payload)
            return
        if self._snapshot is not None and self._snapshot.kind == PICKUP:
            self.scan_pickup(payload)
            return
        if self._snapshot is not None and self._snapshot.kind != RECEPTION:
            self._refused_scan(_("This station does not issue tickets; scan at reception."))
            return
        try:
            code = parse_payload(payload)
        except UserError as exc:
            self.code_edit.clear()
            self._clear_result()
            self._refused_scan(exc.message)
            return
        self.code_edit.clear()
        self.override_button.hide()
        self._override_code = None
        self._run_action(
            f"check_in:{code}",
            lambda token: self._queue.check_in(code, station=self._station, token=token, user=self._user),
            self._show_issued,
            scan=True,
        )

    def scan_image(self, path: Path) -> None:
        """Decode the code in a picture (on the worker: photos can be big), then check in as for a scan."""

        def decoded(payload: str) -> None:
            self.scan(payload)

        def failed(exc: Exception) -> None:
            if isinstance(exc, UserError):
                self._refused_scan(exc.message)
            else:
                # Not the path: a file's name may be an applicant's (a photo of an ID saved under their name).
                try:
                    size: int | None = path.stat().st_size
                except OSError:
                    size = None  # gone or unreadable: the error says which
                log.error("decoding a %s picture of %s bytes failed", path.suffix or "(no suffix)", size, exc_info=exc)
                self._refused_scan(_("Unexpected error: {error}", error=error_text(exc)))

        self._tasks.run(lambda: decode_file(path), decoded, failed)

    def _ask_image(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self, _("Scan from a picture"), str(Path.home()), _("Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp)")
        )
        if name:
            self.scan_image(Path(name))

    def _find_cameras(self) -> None:
        """Look for cameras once the window shows (and again whenever one is plugged in or out)."""
        if self._cameras is None:
            self._cameras = QMediaDevices(self)
            self._cameras.videoInputsChanged.connect(self._find_cameras)
        self._has_camera = bool(camera_devices())
        if not self._has_camera and self.camera_button.isChecked():
            self.camera_button.setChecked(False)
        if self._snapshot is not None:
            self._apply_kind(self._snapshot.kind)

    def _toggle_camera(self) -> None:
        if self.camera_button.isVisible():
            self.camera_button.toggle()

    def use_camera(self, on: bool) -> None:
        """Start or stop checking in by camera (the preview shows what the camera sees)."""
        if not on:
            self.camera.stop()
            self.camera_preview.hide()
            return
        from PySide6.QtMultimediaWidgets import QVideoWidget

        preview = self.camera_preview.findChild(QVideoWidget)
        if preview is None:
            preview = QVideoWidget(self.camera_preview)
            layout = self.camera_preview.layout()
            assert layout is not None
            layout.addWidget(preview)
        self.camera_preview.show()
        if not self.camera.start(preview=preview):
            self.camera_button.setChecked(False)
            self.camera_preview.hide()

    def walk_in(self, category: str) -> None:
        self.override_button.hide()
        self._run_action(
            f"walk_in:{category}",
            lambda token: self._queue.check_in(walk_in=category, station=self._station, token=token, user=self._user),
            self._show_issued,
        )

    def _clear_result(self) -> None:
        self.result_number.setText("")
        self.result_detail.setText("")
        self.arrival_flag.hide()
        self.id_check.hide()
        self.id_check.setText("")

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
        self._show_check(result.check_in)
        self._info(_("Ticket {number} issued", number=t.number))
        self.code_edit.setFocus()
        if self._receipts_dir is not None:
            self._print(t.number)

    def _show_check(self, info: CheckInInfo | None) -> None:
        """What to check against the KTP (masked name and NIK, date of birth, booked slot), and how the arrival
        stands against the slot (early / on time / late, and what the office's late rule did)."""
        self.override_button.hide()
        self._override_code = None
        if info is None:
            self.arrival_flag.hide()
            self.id_check.hide()
            return
        flag = arrival_label(info.arrival)
        minutes = info.minutes_from_slot
        if info.arrival == "late" and minutes is not None:
            flag = _("{flag}: {minutes} min after the booked hour", flag=flag, minutes=minutes)
            if info.late_policy == "end_of_queue":
                flag = _("{flag} (queued at the end, office rule)", flag=flag)
        elif info.arrival == "early" and minutes is not None:
            flag = _("{flag}: {minutes} min before the booked hour", flag=flag, minutes=-minutes)
        if info.override_by:
            flag = _("{flag} · let through by {user}", flag=flag, user=info.override_by)
        self.arrival_flag.setText(flag)
        self.arrival_flag.setStyleSheet(ARRIVAL_STYLE.get(info.arrival, ARRIVAL_PLAIN))
        self.arrival_flag.show()
        if info.arrival == "walk_in":
            self.id_check.hide()
            return
        slot = "—"
        if info.slot_start is not None:
            slot = info.slot_start.strftime("%H:%M")
            if info.slot_end is not None:
                slot += "–" + info.slot_end.strftime("%H:%M")
        if info.slot_date is not None:
            slot = f"{format_day(info.slot_date)} {slot}"
        self.id_check.setText(
            _(
                "Check against the KTP:\nName: {name}\nNIK: {nik}\nBorn: {born}\nApplication: {application}"
                "\nBooked hour: {slot}",
                name=info.name_masked or "—",
                nik=info.nik_masked or "—",
                born=format_day(info.birth_date) if info.birth_date else "—",
                application=info.application_number or "—",
                slot=slot,
            )
        )
        self.id_check.show()

    def _print(self, number: str) -> None:
        """Print after the ticket is issued: a dead printer never stops the queue, the PDF is always kept."""
        assert self._receipts_dir is not None
        folder, printer, paper = self._receipts_dir, self._printer, self._paper

        def failed_text(outcome: Printed) -> str:
            return _(
                "Ticket {number} issued, but the printer failed ({error}). The receipt is kept at {pdf}",
                number=outcome.number,
                error=outcome.printer_error,
                pdf=outcome.pdf,
            )

        self._print_job(
            lambda: print_ticket(self._queue, number, pdf_dir=folder, printer=printer, paper=paper),
            failed_text,
            lambda exc: _(
                "Ticket {number} issued, but its receipt could not be made: {error}",
                number=number,
                error=error_text(exc),
            ),
        )

    def _print_receipt(self, make: Callable[[], Receipt], done_text: str) -> None:
        """Make a receipt on the worker (reading what it needs), keep its PDF, send it to the printer once."""
        if self._receipts_dir is None:
            return
        folder, printer, paper = self._receipts_dir, self._printer, self._paper

        def failed_text(outcome: Printed) -> str:
            return _(
                "{done} The printer failed ({error}); the receipt is kept at {pdf}",
                done=done_text,
                error=outcome.printer_error,
                pdf=outcome.pdf,
            )

        self._print_job(
            lambda: print_receipt(make(), pdf_dir=folder, printer=printer, paper=paper),
            failed_text,
            lambda exc: _("{done} The receipt could not be made: {error}", done=done_text, error=error_text(exc)),
        )

    def _print_job(
        self, job: Callable[[], Printed], failed_text: Callable[[Printed], str], broken: Callable[[Exception], str]
    ) -> None:
        def done(outcome: Printed) -> None:
            self._last_printed = outcome
            self._update_buttons()
            if outcome.printer_ok is False:
                self._warn(failed_text(outcome))
            self.printed.emit(outcome)
            self.check_printer()

        def failed(exc: Exception) -> None:
            log.error("printing a receipt failed", exc_info=exc)
            self._warn(broken(exc))

        self._printer_tasks.run(job, done, failed)

    def reprint_last(self) -> None:
        """Send the last receipt to the printer again (its PDF is kept as it was)."""
        last = self._last_printed
        if last is None or self._busy:
            return
        printer, paper = self._printer, self._paper

        def failed_text(outcome: Printed) -> str:
            return _(
                "Reprint failed: the printer failed ({error}); the receipt is kept at {pdf}",
                error=outcome.printer_error,
                pdf=outcome.pdf,
            )

        self._print_job(
            lambda: reprint(last, printer=printer, paper=paper),
            failed_text,
            lambda exc: _("Reprint failed: {error}", error=error_text(exc)),
        )
        self._info(_("Reprinting the last receipt ({pdf})", pdf=last.pdf.name))

    def check_printer(self) -> None:
        """Ask the printer how it is (on the worker) and show it under the served count."""
        if self._receipts_dir is None:
            return
        printer = self._printer

        def show(state: PrinterState) -> None:
            self.printer_label.setText(state.text())
            colour = "#c62828" if state.online == "offline" or state.paper == "out" else "#555"
            self.printer_label.setStyleSheet(f"color:{colour};")
            self.printer_checked.emit(state)

        def failed(exc: Exception) -> None:
            log.warning("asking the printer for its state failed", exc_info=exc)

        self._printer_tasks.run(lambda: printer_state(printer), show, failed)

    # ------------------------------------------------------------------ pickup

    def print_pickup_receipt(self) -> None:
        """At the interview booth: the pickup receipt of the applicant just passed on or finished (a second
        press reprints the same pickup, never a second one)."""
        number = self._passed
        if number is None:
            return

        def done(issued: Issued) -> None:
            p = issued.pickup
            text = _(
                "Pickup receipt of {application}: passport ready from {day}, code {code}",
                application=p.application_number,
                day=format_day(p.ready_on, weekday=True),
                code=p.code,
            )
            if issued.reprint:
                text = _("{text} (reprint)", text=text)
            self._info(text)
            self._print_receipt(lambda: pickup_receipt(p, printed_at=self._queue.clock.now()), text)

        self._run_action(f"pickup_receipt:{number}", lambda _token: self._pickups.issue(number, user=self._user), done)

    def scan_pickup(self, payload: str) -> None:
        """At a pickup counter: the scanned or typed pickup code -> the file, a ticket called here."""
        self.code_edit.clear()
        self._run_action(
            f"pickup_scan:{payload.strip().upper()}",
            lambda token: self._pickups.scan(payload, self._station, token=token, user=self._user),
            self._pickup_called,
            scan=True,
        )

    def _pickup_called(self, call: PickupCall) -> None:
        self._show_result(call.result)
        self._show_pickup(call.pickup)
        self.result_number.setText(call.result.ticket.number)
        self.code_edit.setFocus()

    def _show_pickup(self, pickup: PickupView | None) -> None:
        self._pickup = pickup
        if pickup is None:
            self._clear_result()
        else:
            self.result_detail.setText(
                _(
                    "Application {application} · {name} · NIK {nik} · ready since {day}",
                    application=pickup.application_number,
                    name=pickup.applicant_name or "—",
                    nik=mask_nik(pickup.nik) or "—",
                    day=format_day(pickup.ready_on),
                )
            )
        self._update_buttons()
        self.pickup_shown.emit(pickup)

    def handover(self, recipient: str, name: str = "", *, same_kk: bool = False) -> None:
        """Record the handover of the station's pickup, finish its ticket, print the handover receipt."""

        def done(call: PickupCall) -> None:
            p = call.pickup
            text = _(
                "Passport of {application} handed over to {name}",
                application=p.application_number,
                name=p.recipient_name or "",
            )
            self._show_result(call.result)
            self._info(text)
            self._show_pickup(None)
            self._print_receipt(lambda: handover_receipt(p), text)

        self._run_action(
            "handover",
            lambda token: self._pickups.handover(
                self._station, recipient, name or None, same_kk=same_kk, token=token, user=self._user
            ),
            done,
        )

    def _ask_handover(self) -> None:
        pickup = self._pickup
        if pickup is None or self._current is None:
            return
        prompt = _(
            "Hand over the passport of application {application} ({name})?",
            application=pickup.application_number,
            name=pickup.applicant_name or "—",
        )
        answer = self._ask(HandoverDialog(self, prompt, pickup.applicant_name or ""))
        if answer is not None:
            recipient, name, same_kk = answer
            self.handover(recipient, name, same_kk=same_kk)

    # ------------------------------------------------------------------ dialogs

    def _ask(self, dialog: _Dialog[A]) -> A | None:
        """Run a dialog, then hand the keyboard back to this window (not every window manager does): the next
        F-key or scan must reach it without a click."""
        try:
            return dialog.exec()
        finally:
            dialog.dialog.deleteLater()  # answered: gone now (torn down later with the window, PySide 6.12 crashed)
            self.activateWindow()
            if self.check_in_box.isVisible():
                self.code_edit.setFocus()

    def _ask_walk_in(self) -> None:
        if self._snapshot is None or self._snapshot.kind != RECEPTION:
            return
        choice = self._ask(
            ChooseDialog(
                self,
                _("Walk-in"),
                _("Who is the applicant?"),
                self._snapshot.walk_in_categories,
                reason=False,
                preselect=False,
            )
        )
        if choice is not None:
            self.walk_in(choice[0])

    def _ask_transfer(self) -> None:
        if self._snapshot is None or self._current is None:
            return
        others = [s for s in self._snapshot.stages if s.code != self._snapshot.stage]
        choice = self._ask(
            ChooseDialog(
                self, _("Transfer"), _("Pass {number} on to:", number=self._current.number), others, reason=True
            )
        )
        if choice is not None:
            self.transfer(*choice)

    def _ask_reject(self) -> None:
        if self._current is None:
            return
        dialog = CallTicketDialog(self, self._current.number)
        dialog.dialog.setWindowTitle(_("Reject"))
        dialog.number.setReadOnly(True)
        answer = self._ask(dialog)
        if answer is not None:
            self.finish(outcome="rejected", reason=answer[1])

    def _ask_call_ticket(self) -> None:
        index = self.queue_view.currentIndex()
        selected = self._model.ticket_at(index.row()) if index.isValid() else None
        answer = self._ask(CallTicketDialog(self, selected.ticket.number if selected else ""))
        if answer is not None:
            self.call_ticket(*answer)

    def _ask_override(self) -> None:
        """A check-in refused by an office rule (closed, late): a supervisor signs in here and lets it through;
        the override is recorded in the audit log with their name."""
        code, walk_in = self._override_code, self._override_walk_in
        if (code is None and walk_in is None) or self._busy:
            return
        self._signing_in = True
        try:
            officer = self._supervisor_sign_in(code or walk_in or "")
        finally:
            self._signing_in = False
        self.activateWindow()
        if officer is not None:
            self.check_in_override(code, officer.username, walk_in=walk_in)

    def _supervisor_sign_in(self, what: str) -> Officer | None:
        from counter_desk.views.signin import sign_in  # the sign-in dialog, only when an override is asked

        return sign_in(
            self._db,
            office=self._queue.office_code,
            roles=("supervisor",),
            heading=_("A supervisor lets {what} check in despite the office rule", what=what),
            # Its own window, not one of this one's children: torn down with this window, the sign-in dialog's
            # worker crashed the process (PySide 6.12); unparented it ends by itself, as at start-up.
            parent=None,
        )

    def check_in_override(self, code: str | None, supervisor: str, *, walk_in: str | None = None) -> None:
        """Check ``code`` (or a ``walk_in`` of that category) in despite an office rule, on ``supervisor``'s
        authority (signed in just now)."""
        self.override_button.hide()
        self._override_code = self._override_walk_in = None
        self._run_action(
            f"check_in_override:{code or walk_in}",
            lambda token: self._queue.check_in(
                code, walk_in=walk_in, station=self._station, token=token, user=self._user, override_by=supervisor
            ),
            self._show_issued,
            scan=True,
        )

    def _ask_no_show(self) -> None:
        """F6: confirm first (a no-show sends the applicant away); before the office's minimum time after the
        call the service refuses and says how long to wait."""
        t = self._current
        if t is None or self._busy:
            return
        now = self._queue.clock.now()
        wait_from = self._snapshot.no_show_from if self._snapshot is not None else None
        if wait_from is None or wait_from <= now:
            question = _("Mark {number} as no-show? The applicant loses this place in the queue.", number=t.number)
            if not self._ask(ConfirmDialog(self, _("No-show"), question)):
                return
        self._station_action("no_show", self._queue.no_show)

    def _ask_park(self) -> None:
        if self._current is None or self._busy:
            return
        reasons = [Choice(lookup(r), lookup(r)) for r in PARK_REASONS]
        dialog = ChooseDialog(
            self,
            _("Park"),
            _("Set {number} aside until the applicant is back at this booth:", number=self._current.number),
            reasons,
            reason=True,
            preselect=False,
            reason_enough=True,
        )
        dialog.reason.setPlaceholderText(_("Or type the reason"))
        answer = self._ask(dialog)
        if answer is None:
            return
        chosen, typed = answer
        reason = f"{chosen}: {typed}" if chosen and typed else typed or chosen
        self.park(reason)

    def park(self, reason: str) -> None:
        self._run_action(
            "park",
            lambda token: self._queue.park(self._station, reason, token=token, user=self._user),
            self._show_result,
        )

    def resume_parked(self, ticket: str | None = None) -> None:
        """Call a parked applicant back here (the one parked, or the chosen one when several are)."""
        parked = self._snapshot.parked if self._snapshot is not None else []
        if ticket is None and len(parked) > 1:
            choice = self._ask(
                ChooseDialog(
                    self,
                    _("Call back parked"),
                    _("Who is back?"),
                    [Choice(t.number, t.number) for t in parked],
                    reason=False,
                )
            )
            if choice is None:
                return
            ticket = choice[0]
        self._run_action(
            "resume",
            lambda token: self._queue.resume(self._station, ticket=ticket, token=token, user=self._user),
            self._show_result,
        )

    def _ask_pause(self) -> None:
        if self._snapshot is None or self._busy:
            return
        if self._snapshot.pause is not None:
            self.unpause()
            return
        if self._current is not None:
            self._error(_("Finish or park {number} before pausing the booth.", number=self._current.number))
            return
        dialog = ChooseDialog(
            self,
            _("Pause the booth"),
            _("Why does the booth pause? It calls nobody until opened again."),
            [Choice(r, pause_reason_label(r)) for r in PAUSE_REASONS],
            reason=True,
            preselect=False,
        )
        dialog.reason.setPlaceholderText(_("Note (needed for other)"))
        answer = self._ask(dialog)
        if answer is not None:
            self.pause(*answer)

    def pause(self, reason: str, note: str = "") -> None:
        def done(_pause: object) -> None:
            self._info(_("Booth paused ({reason})", reason=pause_reason_label(reason)))

        self._run_action(
            "pause",
            lambda _token: self._queue.pause_station(self._station, reason, note=note or None, user=self._user),
            done,
        )

    def unpause(self) -> None:
        def done(_pause: object) -> None:
            self._info(_("Booth open again"))

        self._run_action("unpause", lambda _token: self._queue.unpause_station(self._station, user=self._user), done)

    # ------------------------------------------------------------------ Qt

    def _owns(self, window: QWidget) -> bool:
        """``window`` is this window or one of its dialogs (at any depth)."""
        seen: QWidget | None = window
        while seen is not None:
            if seen is self:
                return True
            parent = seen.parentWidget()
            seen = parent.window() if parent is not None else None
        return False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Scanner bursts typed anywhere in this window or its dialogs (no focused field needed) become scans;
        a burst never answers a dialog and never lands in a list."""
        if (
            event.type() != QEvent.Type.KeyPress
            or not isinstance(watched, QWidget)
            or self._snapshot is None
            or self._snapshot.kind not in (RECEPTION, PICKUP)
        ):
            return False
        window = watched.window()
        if window is self:
            return self._wedge.filter_key(watched, event, fields_keep=True)
        if self._owns(window) or (self._signing_in and window is QApplication.activeModalWidget()):
            self._burst_window = window
            return self._dialog_wedge.filter_key(watched, event, fields_keep=False)
        return False

    def _scanned_in_dialog(self, payload: str) -> None:
        """A scan typed into one of this window's dialogs: the applicant with the booking is at the desk. The
        dialog closes unanswered (nothing in it is saved, a walk-in ticket is not issued) and the scan is checked
        in as soon as it is gone, with a note saying why the dialog closed."""
        self._pending_scans.append(payload)
        self._scan_note = _("A scan arrived while a dialog was open: the dialog was closed and nothing in it saved.")
        for _n in range(10):  # nested dialogs close innermost first
            modal = QApplication.activeModalWidget()
            if modal is None or not self._owns(modal) or modal is self:
                break
            if isinstance(modal, QDialog):
                modal.reject()
            else:
                modal.close()
        burst = self._burst_window
        if burst is not None and burst is not self and burst.isVisible():
            if isinstance(burst, QDialog):
                burst.reject()
            else:
                burst.close()
        QTimer.singleShot(0, self._next_scan)

    def closeEvent(self, event: QCloseEvent) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self._clock_timer.stop()
        self._refresh_timer.stop()
        self._refs.stop()
        if self._live is not None:
            self._live.stop()
        if self._serial is not None:
            self._serial.close()
        self.camera.close()
        self._tasks.close()
        self._printer_tasks.close()
        super().closeEvent(event)


def _status_text(t: TicketView, station: str | None) -> str:
    labels = {
        Status.WAITING: _("waiting at {stage}", stage=t.stage),
        Status.CALLED: _("called to {station}", station=station or ""),
        Status.SERVING: _("being served at {station}", station=station or ""),
        Status.NO_SHOW: _("marked no-show"),
        Status.PARKED: _("parked at {station}", station=station or ""),
        Status.DONE: _("finished"),
    }
    return labels[Status(t.status)]

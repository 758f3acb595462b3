"""The counter station window: one per counter PC (reception, interview booth, adjudicator, pickup).

It shows, live, the queue of the station's stage and the applicant in front of the officer. The window is a
frame -- sign-in, banner, status widgets, live feed, scanner routing -- around one panel per station kind:
reception (:mod:`~counter_desk.views.station_reception`), the calling counter
(:mod:`~counter_desk.views.station_counter`) with the interview booth's, the adjudicator's and the pickup
counter's additions (:mod:`~counter_desk.views.station_booth`, :mod:`~counter_desk.views.station_adjudicator`,
:mod:`~counter_desk.views.station_pickup`). Every action is one service call run by the window's action runner
(:class:`~counter_desk.qt.operations.Operations`); the window never touches the database itself. Receipts are
printed by its receipt desk (:mod:`~counter_desk.views.receipt_desk`) after the action committed. The change
feed (:class:`~counter_desk.qt.live.LiveFeed`) tells it when to read again, so two windows on one database see
each other's actions within a second.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QCoreApplication, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QMainWindow,
)

from counter_desk.clock import DEFAULT_TIMEZONE, Clock
from counter_desk.devices.printing import PrinterTarget
from counter_desk.i18n import _
from counter_desk.live.follower import ONLINE, FeedState
from counter_desk.qt.forms import load_form
from counter_desk.qt.live import LiveFeed, guard_refcounts, start_feed
from counter_desk.qt.models import QueueModel
from counter_desk.qt.operations import NOT_SAVED, Failure, Operations
from counter_desk.qt.sound import ErrorTone, Sink
from counter_desk.qt.status import Banner, ClockStatus, ConnectionStatus
from counter_desk.qt.tasks import TaskRunner
from counter_desk.services.desk import Desk
from counter_desk.services.pickups import PickupCall
from counter_desk.services.stations import PICKUP, RECEPTION, StationReader, StationSnapshot
from counter_desk.services.views import TicketView
from counter_desk.views.receipt_desk import ReceiptDesk
from counter_desk.views.station_adjudicator import AdjudicatorPanel
from counter_desk.views.station_booth import BoothPanel
from counter_desk.views.station_counter import CounterPanel
from counter_desk.views.station_frame import SHORTCUTS, Dialog, StationForm, setup_queue_view, show_key
from counter_desk.views.station_pickup import PickupPanel
from counter_desk.views.station_reception import ReceptionPanel
from counter_desk.views.station_scanners import ScanInputs

A = TypeVar("A")

REFRESH_DEBOUNCE_MS = 50


class StationWindow(QMainWindow, StationForm):
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
        desk: Desk,
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
        self._desk = desk
        self.queue = desk.queue(clock=clock, office=office)
        self.pickups = desk.pickups(clock=clock, office=office)
        self._reader = StationReader(self.queue, station)
        self._station = station
        self._user = user
        #: The low double beep of a refused scan or check-in (``error_sound=False`` mutes it); ``sound`` is the
        #: audio output (default: the sound card, found once the window shows; silent when there is none).
        self.error_tone = ErrorTone(sound, enabled=error_sound, parent=self)
        #: Scans that arrived while an action ran: taken in order as soon as it ends, never dropped.
        self._pending_scans: list[str] = []
        self._tasks = TaskRunner(self)
        self.ops = Operations(
            self._tasks, error=self.error, info=self.info, done=self._acted, failed=self._action_failed, parent=self
        )
        self.ops.busy_changed.connect(lambda _busy: self.update_buttons())
        self._snapshot: StationSnapshot | None = None
        self._live: LiveFeed | None = None
        self._want_live = live

        self._form = load_form("station.ui", self)
        self.setCentralWidget(self._form)
        self.bind_form(self._form)
        self.banner.hide()
        #: The banner's colours and the note said with its next message.
        self.banner_text = Banner(self.banner, parent=self)
        self.connection = ConnectionStatus(self.connection_label, self._timezone, parent=self)
        self.connection.changed.connect(self._connection_changed)
        self.model = QueueModel(self)
        setup_queue_view(self.queue_view, self.model)
        self._style()
        self.receipts = ReceiptDesk(
            self.printer_label,
            folder=receipts_dir,
            printer=printer,
            paper=paper,
            warn=self.banner_text.warn,
            info=self.info,
            changed=self.update_buttons,
            busy=lambda: self.ops.busy,
            parent=self,
        )
        self.receipts.printed.connect(self.printed)
        self.receipts.printer_checked.connect(self.printer_checked)
        self.counter_panel = CounterPanel(self, self)
        self.reception_panel = ReceptionPanel(self, desk, self)
        self.booth_panel = BoothPanel(self, self.counter_panel, self)
        self.adjudicator_panel = AdjudicatorPanel(self, self.counter_panel, self)
        self.pickup_panel = PickupPanel(self, self.counter_panel, self)
        self.pickup_panel.shown.connect(self.pickup_shown)
        self.scanners = ScanInputs(
            self,
            self.camera_button,
            self.camera_preview,
            tasks=self._tasks,
            scan=self.scan,
            in_dialog=self._scanned_in_dialog,
            after_dialog=self._next_scan,
            error=self.error,
            refused=lambda message: self.error(message, tone=True),
            scanning=lambda: self._snapshot is not None and self._snapshot.kind in (RECEPTION, PICKUP),
            signing_in=lambda: self.reception_panel.signing_in,
            cameras_changed=self._cameras_changed,
            serial_port=serial_port,
            serial_baud=serial_baud,
        )
        self.camera = self.scanners.camera
        self._connect_actions()

        self._start_timers()
        # PySide6 6.12 + CPython 3.11 lose references to True/None on every emit; a counter window runs all day.
        app = QCoreApplication.instance()
        if app is not None:  # the application's one guard (see RefcountGuard): a station runs all day
            guard_refcounts(app)

        self.setWindowTitle(_("Counter Desk — {station}", station=station))
        self.officer_label.setText(_("Officer: {name}", name=user) if user else _("Officer: —"))
        self.connection.show(None)
        self.update_buttons()
        self.refresh()

    # ------------------------------------------------------------------ building

    def _start_timers(self) -> None:
        self._refresh_timer = QTimer(self, singleShot=True, interval=REFRESH_DEBOUNCE_MS)
        self._refresh_timer.setObjectName("refreshDebounce")
        self._refresh_timer.timeout.connect(self.refresh)
        self.clock = ClockStatus(self.clock_label, self.queue.clock.now, self._timezone, parent=self)
        self.clock.ticked.connect(self._ticked)
        self.clock.start()

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
            **self.counter_panel.handlers(),
            **self.adjudicator_panel.handlers(),
            **self.booth_panel.handlers(),
            **self.pickup_panel.handlers(),
            "reprint": self.reprint_last,
        }
        for name in SHORTCUTS:
            handler = handlers.get(name)
            if handler is None:
                continue
            button = self.buttons[name]
            button.clicked.connect(handler)
            key = SHORTCUTS[name]
            show_key(button, key)
            QShortcut(QKeySequence(key), self, handler)
        reception = self.reception_panel.handlers()
        self.override_button.clicked.connect(reception["override"])
        self.check_in_button.clicked.connect(lambda: self.scan(self.code_edit.text()))
        self.code_edit.returnPressed.connect(lambda: self.scan(self.code_edit.text()))
        self.walk_in_button.clicked.connect(reception["walk_in"])
        self.image_button.clicked.connect(self.scanners.ask_image)
        self.camera_button.toggled.connect(self.use_camera)
        for name, button in (("walk_in", self.walk_in_button), ("image", self.image_button)):
            show_key(button, SHORTCUTS[name])
        show_key(self.camera_button, SHORTCUTS["camera"])
        QShortcut(QKeySequence(SHORTCUTS["walk_in"]), self, reception["walk_in"])
        QShortcut(QKeySequence(SHORTCUTS["code"]), self, self.code_edit.setFocus)
        QShortcut(QKeySequence(SHORTCUTS["image"]), self, self.scanners.ask_image)
        QShortcut(QKeySequence(SHORTCUTS["camera"]), self, self.scanners.toggle_camera)

    # ------------------------------------------------------------------ reading

    def refresh(self) -> None:
        """Read the station's snapshot on the worker; show it when it arrives."""
        self.ops.run_query(self._reader.snapshot, self._show_snapshot, what="reading the station")

    def _show_snapshot(self, snap: StationSnapshot) -> None:
        first = self._snapshot is None
        self._snapshot = snap
        self.office_label.setText(snap.office_name)
        self.station_label.setText(f"{snap.station_name} · {snap.stage_name}")
        self.setWindowTitle(_("Counter Desk — {station}", station=snap.station_name))  # the name, not the code
        self.queue_title.setText(
            _("Queue: {stage} — {count} waiting", stage=snap.queue.stage_name, count=len(snap.queue.waiting))
        )
        self.model.set_names(snap.category_names)
        self.model.set_rows(snap.queue.waiting, snap.queue.at, snap.queue.wait_target_minutes)
        self.served_label.setText(_("Served today: {count}", count=snap.served_today))
        self.counter_panel.show_current(snap.current)
        self.counter_panel.show_booth_state(snap)
        if snap.kind == PICKUP:
            self.pickup_panel.show_pickup(snap.pickup if snap.current is not None else None)
        self._apply_kind(snap.kind)
        if first:
            self.receipts.check_printer()
            QTimer.singleShot(0, self.error_tone.prepare)
            if snap.kind in (RECEPTION, PICKUP):  # the stations that scan
                QTimer.singleShot(0, self.scanners.find_cameras)
        if first and self._want_live:
            self._start_live(snap.last_seq)
        self.refreshed.emit()

    def _apply_kind(self, kind: str) -> None:
        self.reception_panel.apply_kind(kind, has_camera=self.scanners.has_camera)
        self.pickup_panel.apply_kind(kind)
        self.buttons["reprint"].setVisible(self.receipts.enabled)
        self.printer_label.setVisible(self.receipts.enabled)
        self.counter_panel.apply_kind(kind)
        self.booth_panel.apply_kind(kind)
        self.adjudicator_panel.apply_kind(kind)

    def _cameras_changed(self) -> None:
        if self._snapshot is not None:
            self._apply_kind(self._snapshot.kind)

    def _start_live(self, last_seq: int) -> None:
        self._live = start_feed(
            lambda after, limit: self.queue.events(after=after, limit=limit),
            self._desk.url,
            last_seq=last_seq,
            on_events=lambda _events: self._refresh_timer.start(),
            on_state=self.connection.show,
            parent=self,
        )

    def _connection_changed(self, state: FeedState | None) -> None:
        if state is not None and state.state == ONLINE:
            self._refresh_timer.start()  # catch up on anything missed while away

    # ------------------------------------------------------------------ what the panels use (station_frame.Frame)

    @property
    def station(self) -> str:
        return self._station

    @property
    def user(self) -> str | None:
        return self._user

    @property
    def snapshot(self) -> StationSnapshot | None:
        return self._snapshot

    @property
    def current(self) -> TicketView | None:
        return self.counter_panel.current

    def _timezone(self) -> str:
        return self._snapshot.timezone if self._snapshot else DEFAULT_TIMEZONE

    def tick(self) -> None:
        """The clock, the serving timer, the no-show countdown: now."""
        self.clock.tick()

    def _ticked(self, now: dt.datetime) -> None:
        self.counter_panel.tick(now)
        if now.second == 0:
            self.model.tick(now)

    def update_buttons(self) -> None:
        busy = self.ops.busy
        self.counter_panel.update_buttons(busy)
        self.adjudicator_panel.update_buttons(busy)
        self.booth_panel.update_buttons(busy)
        self.pickup_panel.update_buttons(busy)
        self.buttons["reprint"].setEnabled(self.receipts.last_printed is not None and not busy)
        self.reception_panel.update_buttons(busy)

    def clear_result(self) -> None:
        """Clear the big number and what goes with it (reception's ticket, the pickup counter's file)."""
        self.result_number.setText("")
        self.result_detail.setText("")
        self.arrival_flag.hide()
        self.id_check.hide()
        self.id_check.setText("")

    def error(self, message: str, *, tone: bool = False, refusal: bool = True) -> None:
        """The red banner; with ``tone``, the error tone too: for a refused scan or check-in, when the clerk's
        eyes are on the applicant, not on the screen. A refused click needs no sound (the clerk is looking).

        At reception every refusal also clears the last ticket shown: its big number under a red banner could
        be handed to the wrong applicant."""
        if refusal and self._snapshot is not None and self._snapshot.kind == RECEPTION:
            self.clear_result()
        self.banner_text.error(message)
        if tone:
            self.error_tone.play()
        self.failed.emit(message)

    def info(self, message: str) -> None:
        self.banner_text.info(message)

    def ask(self, dialog: Dialog[A]) -> A | None:
        """Run a dialog, then hand the keyboard back to this window (not every window manager does): the next
        F-key or scan must reach it without a click."""
        try:
            return dialog.exec()
        finally:
            dialog.dialog.deleteLater()  # answered: gone now (torn down later with the window, PySide 6.12 crashed)
            self.activateWindow()
            if self.check_in_box.isVisible():
                self.code_edit.setFocus()

    # ------------------------------------------------------------------ after an action (the runner's hooks)

    def _acted(self, _name: str, result: object) -> None:
        self.acted.emit(result.result if isinstance(result, PickupCall) else result)
        self.refresh()
        self._next_scan()

    def _action_failed(self, failure: Failure) -> None:
        if failure.kind != NOT_SAVED:  # answered: read again (another station may have been faster)
            self.reception_panel.refused(failure)
            self.refresh()
        self._next_scan()

    # ------------------------------------------------------------------ scans

    def scan(self, payload: str) -> None:
        """A scanned (or typed) code: a booking at reception (check in, show the ticket big), a pickup receipt
        at a pickup counter (find the file, issue its ticket, call it here)."""
        if self.ops.busy:  # the previous scan (or a click) is still being saved: this one goes next
            self.code_edit.clear()
            self._pending_scans.append(payload)
            return
        if self._snapshot is not None and self._snapshot.kind == PICKUP:
            self.pickup_panel.scan_pickup(payload)
        elif self._snapshot is not None and self._snapshot.kind != RECEPTION:
            self.error(_("This station does not issue tickets; scan at reception."), tone=True)
        else:
            self.reception_panel.check_in_scan(payload)

    def _next_scan(self) -> None:
        while self._pending_scans and not self.ops.busy:  # a refusal found without the database leaves it free
            self.scan(self._pending_scans.pop(0))

    def _scanned_in_dialog(self, payload: str) -> None:
        """A scan typed into one of this window's dialogs: it is taken once the dialog has closed, with a note
        saying why the dialog closed."""
        self._pending_scans.append(payload)
        self.banner_text.note = _(
            "A scan arrived while a dialog was open: the dialog was closed and nothing in it saved."
        )

    # ------------------------------------------------------------------ the panels' actions, as before

    def scan_image(self, path: Path) -> None:
        self.scanners.scan_image(path)

    def use_camera(self, on: bool) -> None:
        self.scanners.use_camera(on)

    def walk_in(self, category: str) -> None:
        self.reception_panel.walk_in(category)

    def check_in_override(self, code: str | None, supervisor: str, *, walk_in: str | None = None) -> None:
        self.reception_panel.check_in_override(code, supervisor, walk_in=walk_in)

    def call_next(self) -> None:
        self.counter_panel.call_next()

    def call_ticket(self, number: str, reason: str) -> None:
        self.counter_panel.call_ticket(number, reason)

    def return_to_queue(self, position: str = "front") -> None:
        self.counter_panel.return_to_queue(position)

    def transfer(self, stage: str, reason: str = "") -> None:
        self.counter_panel.transfer(stage, reason)

    def finish(self, outcome: str | None = None, reason: str = "") -> None:
        self.counter_panel.finish(outcome, reason)

    def pause(self, reason: str, note: str = "") -> None:
        self.counter_panel.pause(reason, note)

    def unpause(self) -> None:
        self.counter_panel.unpause()

    def park(self, reason: str) -> None:
        self.booth_panel.park(reason)

    def resume_parked(self, ticket: str | None = None) -> None:
        self.booth_panel.resume_parked(ticket)

    def print_pickup_receipt(self) -> None:
        self.booth_panel.print_pickup_receipt()

    def scan_pickup(self, payload: str) -> None:
        self.pickup_panel.scan_pickup(payload)

    def handover(self, recipient: str, name: str = "", *, same_kk: bool = False) -> None:
        self.pickup_panel.handover(recipient, name, same_kk=same_kk)

    def reprint_last(self) -> None:
        self.receipts.reprint_last()

    def check_printer(self) -> None:
        self.receipts.check_printer()

    # ------------------------------------------------------------------ Qt

    def closeEvent(self, event: QCloseEvent) -> None:
        self.scanners.close()
        self.clock.stop()
        self._refresh_timer.stop()
        if self._live is not None:
            self._live.stop()
        self._tasks.close()
        self.receipts.close()
        super().closeEvent(event)

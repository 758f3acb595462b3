"""Where a station's scans come from: the keyboard wedge (a scanner typing anywhere in the window), a serial
scanner, a webcam, a picture file. Every code ends in the window's ``scan``; a burst typed into one of the
window's dialogs closes it first (the applicant with the booking is at the desk)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtMultimedia import QMediaDevices
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QPushButton, QWidget

from counter_desk.devices.imagescan import decode_file
from counter_desk.errors import UserError
from counter_desk.i18n import _
from counter_desk.qt.camera import CameraScanner, camera_devices
from counter_desk.qt.serialscan import SerialScanner
from counter_desk.qt.tasks import TaskRunner, error_text
from counter_desk.qt.wedge import WedgeDetector

log = logging.getLogger(__name__)


class ScanInputs(QObject):
    """The scanners of one station window.

    Args:
        window: the station window (its dialogs count as its own).
        tasks: the worker that decodes pictures.
        scan: takes a code scanned in the window, by camera, serial scanner or picture.
        in_dialog: takes a code typed into one of the window's dialogs (before the dialog closes).
        after_dialog: called once such a dialog has closed.
        error: shows a device's failure; ``refused``: a refused scan (with the error tone).
        scanning: the station scans (reception, pickup); ``signing_in``: a supervisor's sign-in dialog counts
            as the window's.
        cameras_changed: a camera was found or lost (the camera button shows only when there is one).
    """

    def __init__(
        self,
        window: QWidget,
        camera_button: QPushButton,
        camera_preview: QWidget,
        *,
        tasks: TaskRunner,
        scan: Callable[[str], None],
        in_dialog: Callable[[str], None],
        after_dialog: Callable[[], None],
        error: Callable[[str], None],
        refused: Callable[[str], None],
        scanning: Callable[[], bool],
        signing_in: Callable[[], bool],
        cameras_changed: Callable[[], None],
        serial_port: str | None = None,
        serial_baud: int = 9600,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._button = camera_button
        self._preview = camera_preview
        self._tasks = tasks
        self._scan = scan
        self._in_dialog = in_dialog
        self._after_dialog = after_dialog
        self._refused = refused
        self._scanning = scanning
        self._signing_in = signing_in
        self._cameras_changed = cameras_changed
        #: Codes shown to a webcam (decoded on the camera's own worker); the button shows only when there is one.
        self.camera = CameraScanner(window)
        self.camera.scanned.connect(scan)
        self.camera.failed.connect(error)
        self.cameras: QMediaDevices | None = None
        self.has_camera = False
        self._wedge = WedgeDetector(window)
        self._wedge.scanned.connect(scan)
        #: Bursts typed while one of this window's dialogs has the keyboard: they close it, then check in.
        self._dialog_wedge = WedgeDetector(window)
        self._dialog_wedge.scanned.connect(self._scanned_in_dialog)
        self._burst_window: QWidget | None = None
        self.serial: SerialScanner | None = None
        if serial_port:
            self.serial = SerialScanner(serial_port, serial_baud, window)
            self.serial.scanned.connect(scan)
            self.serial.failed.connect(error)
            self.serial.open()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    # ------------------------------------------------------------------ the keyboard wedge

    def owns(self, window: QWidget) -> bool:
        """``window`` is the station window or one of its dialogs (at any depth)."""
        seen: QWidget | None = window
        while seen is not None:
            if seen is self._window:
                return True
            parent = seen.parentWidget()
            seen = parent.window() if parent is not None else None
        return False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Scanner bursts typed anywhere in the window or its dialogs (no focused field needed) become scans;
        a burst never answers a dialog and never lands in a list."""
        if event.type() != QEvent.Type.KeyPress or not isinstance(watched, QWidget) or not self._scanning():
            return False
        window = watched.window()
        if window is self._window:
            return self._wedge.filter_key(watched, event, fields_keep=True)
        if self.owns(window) or (self._signing_in() and window is QApplication.activeModalWidget()):
            self._burst_window = window
            return self._dialog_wedge.filter_key(watched, event, fields_keep=False)
        return False

    def _scanned_in_dialog(self, payload: str) -> None:
        """A scan typed into one of the window's dialogs: the dialog closes unanswered (nothing in it is saved,
        a walk-in ticket is not issued) and the scan is taken as soon as it is gone."""
        self._in_dialog(payload)
        for _n in range(10):  # nested dialogs close innermost first
            modal = QApplication.activeModalWidget()
            if modal is None or not self.owns(modal) or modal is self._window:
                break
            if isinstance(modal, QDialog):
                modal.reject()
            else:
                modal.close()
        burst = self._burst_window
        if burst is not None and burst is not self._window and burst.isVisible():
            if isinstance(burst, QDialog):
                burst.reject()
            else:
                burst.close()
        QTimer.singleShot(0, self._after_dialog)

    # ------------------------------------------------------------------ pictures and cameras

    def scan_image(self, path: Path) -> None:
        """Decode the code in a picture (on the worker: photos can be big), then take it as a scan."""

        def failed(exc: Exception) -> None:
            if isinstance(exc, UserError):
                self._refused(exc.message)
            else:
                # Not the path: a file's name may be an applicant's (a photo of an ID saved under their name).
                try:
                    size: int | None = path.stat().st_size
                except OSError:
                    size = None  # gone or unreadable: the error says which
                log.error("decoding a %s picture of %s bytes failed", path.suffix or "(no suffix)", size, exc_info=exc)
                self._refused(_("Unexpected error: {error}", error=error_text(exc)))

        self._tasks.run(lambda: decode_file(path), self._scan, failed)

    def ask_image(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self._window,
            _("Scan from a picture"),
            str(Path.home()),
            _("Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp)"),
        )
        if name:
            self.scan_image(Path(name))

    def find_cameras(self) -> None:
        """Look for cameras once the window shows (and again whenever one is plugged in or out)."""
        if self.cameras is None:
            self.cameras = QMediaDevices(self)
            self.cameras.videoInputsChanged.connect(self.find_cameras)
        self.has_camera = bool(camera_devices())
        if not self.has_camera and self._button.isChecked():
            self._button.setChecked(False)
        self._cameras_changed()

    def toggle_camera(self) -> None:
        if self._button.isVisible():
            self._button.toggle()

    def use_camera(self, on: bool) -> None:
        """Start or stop checking in by camera (the preview shows what the camera sees)."""
        if not on:
            self.camera.stop()
            self._preview.hide()
            return
        from PySide6.QtMultimediaWidgets import QVideoWidget

        preview = self._preview.findChild(QVideoWidget)
        if preview is None:
            preview = QVideoWidget(self._preview)
            layout = self._preview.layout()
            assert layout is not None
            layout.addWidget(preview)
        self._preview.show()
        if not self.camera.start(preview=preview):
            self._button.setChecked(False)
            self._preview.hide()

    def close(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        if self.serial is not None:
            self.serial.close()
        self.camera.close()

"""Check-in by camera: a webcam's frames decoded with pyzbar on a worker, each code taken once per appearance.

QtMultimedia delivers frames to a :class:`~PySide6.QtMultimedia.QVideoSink` (the preview widget's, or one of our
own) through ``videoFrameChanged``, 15-30 times a second. :meth:`CameraScanner.on_frame` keeps at most one frame
in work and at most one every ``interval_ms``: the frame becomes a greyscale ``QImage`` on the GUI thread (a
copy of a few hundred kilobytes, about a millisecond) and pyzbar reads it on the scanner's own worker thread, so
neither the GUI nor the database worker ever waits for a decode. A code that stays in view is reported once; it
counts as gone when no frame has shown it for ``gone_after_s``, so holding a phone still in front of the camera
checks in once, and showing it again later is a new scan (refused as a duplicate, with the error tone).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QCamera, QCameraDevice, QMediaCaptureSession, QMediaDevices, QVideoFrame, QVideoSink

from counter_desk.devices.imagescan import decode_gray
from counter_desk.i18n import _
from counter_desk.qt.tasks import TaskRunner

log = logging.getLogger(__name__)

#: Decode at most this often: 5 frames a second find a code as fast as a person can hold it up.
INTERVAL_MS = 200
#: A code not seen for this long has left the camera's view.
GONE_AFTER_S = 1.5
#: Frames wider than this are scaled down before decoding (a QR code held up to a webcam fills the picture).
MAX_WIDTH = 960


def camera_devices() -> list[QCameraDevice]:
    """The cameras of this PC (an empty list without one)."""
    return list(QMediaDevices.videoInputs())


class CameraScanner(QObject):
    """Turns camera frames into scanned codes.

    Signals:
        scanned(str): a code came into view (once per appearance).
        decoded(list): every decode's result (the codes found in one frame; for tests and a status line).
        active_changed(bool): the camera started or stopped.
        failed(str): the camera reported an error (message for the officer).
    """

    scanned = Signal(str)
    decoded = Signal(list)
    active_changed = Signal(bool)
    failed = Signal(str)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        interval_ms: int = INTERVAL_MS,
        gone_after_s: float = GONE_AFTER_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self._tasks = TaskRunner(self, name="camera")
        self._interval_s = interval_ms / 1000
        self._gone_after_s = gone_after_s
        self._clock = clock
        self._working = False
        self._last_start = float("-inf")
        self._in_view: str | None = None
        self._last_seen = float("-inf")
        self._camera: QCamera | None = None
        self._session: QMediaCaptureSession | None = None
        self._sink: QVideoSink | None = None

    # ------------------------------------------------------------------ the camera

    @property
    def active(self) -> bool:
        return self._camera is not None and self._camera.isActive()

    def start(self, device: QCameraDevice | None = None, preview: QObject | None = None) -> bool:
        """Open ``device`` (default: the system's default camera) and feed its frames here, showing them in
        ``preview`` (a QVideoWidget) when given. False when there is no camera."""
        if self._camera is not None:
            return True
        if not camera_devices():
            self.failed.emit(_("No camera found on this PC"))
            return False
        camera = QCamera(device, self) if device is not None else QCamera(self)
        session = QMediaCaptureSession(self)
        session.setCamera(camera)
        if preview is not None:
            session.setVideoOutput(preview)
            sink = session.videoSink()
        else:
            sink = QVideoSink(self)
            session.setVideoSink(sink)
        self.attach(sink)
        camera.errorOccurred.connect(self._camera_error)
        camera.activeChanged.connect(self.active_changed)
        self._camera, self._session, self._sink = camera, session, sink
        camera.start()
        return True

    def attach(self, sink: QVideoSink) -> None:
        """Decode the frames ``sink`` shows (the camera's, or any other video source's)."""
        sink.videoFrameChanged.connect(self.on_frame)

    def stop(self) -> None:
        camera, sink = self._camera, self._sink
        self._camera = self._session = self._sink = None
        if sink is not None:
            sink.videoFrameChanged.disconnect(self.on_frame)
        if camera is not None:
            camera.stop()
            camera.deleteLater()
        self._in_view = None

    def close(self) -> None:
        """Stop the camera and the decoding thread (a window calls this when it closes)."""
        self.stop()
        self._tasks.close()

    def _camera_error(self, _error: object, message: str) -> None:
        log.warning("camera: %s", message)
        self.failed.emit(_("Camera: {error}", error=message))

    # ------------------------------------------------------------------ frames

    @Slot(QVideoFrame)
    def on_frame(self, frame: QVideoFrame) -> None:
        """A frame from the sink. Dropped while a decode runs or too soon after the last one."""
        now = self._clock()
        if self._working or now - self._last_start < self._interval_s or not frame.isValid():
            return
        image = frame.toImage()
        if image.isNull():
            return
        if image.width() > MAX_WIDTH:
            image = image.scaledToWidth(MAX_WIDTH)
        grey = image.convertToFormat(QImage.Format.Format_Grayscale8)
        pixels = bytes(grey.constBits())  # a copy the worker owns
        width, height, stride = grey.width(), grey.height(), grey.bytesPerLine()
        self._working = True
        self._last_start = now
        self._tasks.run(lambda: decode_gray(pixels, width, height, stride), self._found, self._decode_failed)

    def _found(self, codes: list[str]) -> None:
        self._working = False
        now = self._clock()
        distinct = list(dict.fromkeys(codes))
        self.decoded.emit(distinct)
        if len(distinct) != 1:
            # Nothing in view (or several codes at once: wait until one is shown alone).
            if self._in_view is not None and now - self._last_seen > self._gone_after_s:
                self._in_view = None
            return
        code = distinct[0]
        fresh = code != self._in_view or now - self._last_seen > self._gone_after_s
        self._in_view, self._last_seen = code, now
        if fresh:
            self.scanned.emit(code)

    def _decode_failed(self, exc: Exception) -> None:
        self._working = False
        log.warning("decoding a camera frame failed", exc_info=exc)

"""The waiting-room display's parts: the running text, fonts that fit, the logo, the ``--log-calls`` file.

Everything here sizes itself from the window, never the other way round (see :mod:`counter_desk.views.display`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path

from PySide6.QtCore import QObject, QRectF, Qt, QTimer
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QWidget

from counter_desk import resources

log = logging.getLogger(__name__)

BACKGROUND = "#0b2545"
PANEL = "#13315c"
TEXT = "#ffffff"
ACCENT = "#ffd166"
MUTED = "#9fb3c8"
BLINK_MS = 450
BLINKS = 12


def logo() -> QPixmap:
    """The office's logo (``resources/icons/office-logo.png`` when an office adds one), else the program's icon."""
    for name in ("office-logo.png", "counter-desk.png"):
        path = resources.resource("icons", name)
        if path.is_file():
            return QPixmap(str(path))
    return QPixmap()


def fitting_font(base: QFont, size: int, lines: list[str], width: float, *, bold: bool) -> QFont:
    """``base`` at ``size`` pixels, or smaller until every line fits ``width``."""
    font = QFont(base)
    font.setBold(bold)
    while True:
        font.setPixelSize(size)
        metrics = QFontMetrics(font)
        if size <= 8 or all(metrics.horizontalAdvance(line) <= width for line in lines):
            return font
        size -= 1


def let_shrink(label: QLabel) -> None:
    """A label whose text never widens the window (fonts follow the window, not the other way round)."""
    label.setSizePolicy(QSizePolicy.Policy.Ignored, label.sizePolicy().verticalPolicy())
    label.setMinimumWidth(1)


class Marquee(QWidget):
    """The running text, scrolling right to left at a speed proportional to the window's size."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._offset = 0.0
        self._timer = QTimer(self, interval=33)
        self._timer.setObjectName("marqueeStep")
        self._timer.timeout.connect(self._step)
        self._timer.start()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:
        self._text = text
        self.update()

    def _step(self) -> None:
        self._offset += max(1.0, self.height() * 0.06)
        width = self.fontMetrics().horizontalAdvance(self._text + "     ")
        if width > 0 and self._offset > width:
            self._offset -= width
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.black)
        painter.setPen(Qt.GlobalColor.white)
        painter.setFont(self.font())
        gap = self._text + "     "
        width = self.fontMetrics().horizontalAdvance(gap)
        if width <= 0:
            return
        x = -self._offset
        while x < self.width():
            painter.drawText(QRectF(x, 0, width, self.height()), int(Qt.AlignmentFlag.AlignVCenter), gap)
            x += width
        painter.end()

    def stop(self) -> None:
        self._timer.stop()


class CallLog:
    """The ``--log-calls`` file: one JSON line per thing shown, with when (scripts and tests read it); nothing
    without a path."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def write(self, line: dict[str, object]) -> None:
        if self.path is None:
            return
        line = {**line, "shown_at": dt.datetime.now(dt.UTC).isoformat()}
        try:
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(line, ensure_ascii=False) + "\n")
        except OSError:
            log.exception("cannot write the call log %s", self.path)


class CallHighlight(QObject):
    """The current call's panel: steady (accent number on the background), or blinking -- colours swapped
    :data:`BLINKS` times, every :data:`BLINK_MS` -- when a fresh call arrives."""

    def __init__(self, frame: QFrame, number: QLabel, station: QLabel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._frame, self._number, self._station = frame, number, station
        self._left = 0
        self.timer = QTimer(self, interval=BLINK_MS)
        self.timer.setObjectName("blink")
        self.timer.timeout.connect(self._step)
        self.paint(highlight=False)

    @property
    def active(self) -> bool:
        return self.timer.isActive()

    def start(self) -> None:
        self._left = BLINKS
        self.paint(highlight=True)
        self.timer.start()

    def stop(self) -> None:
        """Steady again, now."""
        self.timer.stop()
        self.paint(highlight=False)

    def _step(self) -> None:
        self._left -= 1
        if self._left <= 0:
            self.stop()
            return
        self.paint(highlight=self._left % 2 == 0)

    def paint(self, *, highlight: bool) -> None:
        bg, fg = (ACCENT, BACKGROUND) if highlight else (BACKGROUND, ACCENT)
        self._frame.setStyleSheet(f"QFrame#currentFrame {{ background:{bg}; }}")
        self._number.setStyleSheet(f"color:{fg};")
        self._station.setStyleSheet(f"color:{BACKGROUND if highlight else TEXT};")

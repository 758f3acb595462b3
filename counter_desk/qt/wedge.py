"""Keyboard-wedge scanners: a USB scanner "types" the code and Enter faster than any person.

:class:`WedgeDetector` watches key presses anywhere in a window. Printable keys that arrive within
``MAX_GAP_MS`` of each other and end with Enter form a *burst*; a burst of at least ``MIN_LENGTH`` characters
is a scan. Text fields keep their keys (a scan into a focused field is submitted by that field); elsewhere the
burst is taken out of the event stream, so no focused field is needed. Shortcuts (F-keys, Ctrl/Alt
combinations) are never touched.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QLineEdit, QPlainTextEdit, QTextEdit

MAX_GAP_MS = 50.0
MIN_LENGTH = 4
_TEXT_INPUTS = (QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox, QComboBox)


class WedgeDetector(QObject):
    """Event filter that turns fast key bursts ending in Enter into ``scanned``.

    Signals:
        scanned(str): the characters of one burst (without the Enter).
    """

    scanned = Signal(str)

    def __init__(self, parent: QObject | None = None, *, clock: object = None) -> None:
        super().__init__(parent)
        self._buffer: list[str] = []
        self._last = 0.0
        self._clock = clock or time.monotonic

    def _now_ms(self) -> float:
        return float(self._clock()) * 1000.0  # type: ignore[operator]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or isinstance(watched, _TEXT_INPUTS):
            return False
        assert isinstance(event, QKeyEvent)
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier & ~Qt.KeyboardModifier.KeypadModifier
        if modifiers != Qt.KeyboardModifier.NoModifier:
            return False
        now = self._now_ms()
        if self._buffer and now - self._last > MAX_GAP_MS:
            self._buffer.clear()  # too slow for a scanner: a person typing, start over
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            burst = "".join(self._buffer)
            self._buffer.clear()
            if len(burst) >= MIN_LENGTH:
                self.scanned.emit(burst)
                return True
            return False
        text = event.text()
        if text == " " and not self._buffer:
            return False  # Space on a focused button must still press it
        if len(text) == 1 and text.isprintable():
            self._buffer.append(text)
            self._last = now
            return True
        return False

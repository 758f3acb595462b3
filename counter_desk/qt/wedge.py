"""Keyboard-wedge scanners: a USB scanner "types" the code and Enter faster than any person.

:class:`WedgeDetector` watches key presses. Printable keys that arrive within ``MAX_GAP_MS`` of each other and
end with Enter form a *burst*; a burst of at least ``MIN_LENGTH`` characters is a scan. Shortcuts (F-keys,
Ctrl/Alt combinations) are never touched.

Two ways to treat a text field that has the focus (:meth:`WedgeDetector.filter_key`):

- ``fields_keep=True`` (the station window's own code field): the field keeps its keys and submits the scan
  itself;
- ``fields_keep=False`` (a dialog): the characters land in the field as they are typed (a person typing must
  see them), and when the Enter shows it was a burst the field gets its text back and the Enter is taken: a
  burst never answers a dialog.

Elsewhere (a list, a button) the burst's characters are taken out of the event stream, so they never land in a
list's type-ahead search and no focused field is needed.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QLineEdit, QPlainTextEdit, QTextEdit, QWidget

MAX_GAP_MS = 50.0
MIN_LENGTH = 4
_TEXT_INPUTS = (QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox, QComboBox)


def _field_text(widget: QObject) -> str | None:
    """The text of a text field, to put back after a burst (None for other widgets)."""
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, QTextEdit | QPlainTextEdit):
        return widget.toPlainText()
    return None


def _restore_field(widget: QObject, text: str) -> None:
    if isinstance(widget, QLineEdit):
        widget.setText(text)
    elif isinstance(widget, QTextEdit | QPlainTextEdit):
        widget.setPlainText(text)


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
        #: The text field the burst is typing into (``fields_keep=False``) and its text before the burst.
        self._field: QObject | None = None
        self._field_before = ""

    def _now_ms(self) -> float:
        return float(self._clock()) * 1000.0  # type: ignore[operator]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        return self.filter_key(watched, event, fields_keep=True)

    def reset(self) -> None:
        self._buffer.clear()
        self._field = None

    def filter_key(self, watched: QObject, event: QEvent, *, fields_keep: bool) -> bool:
        """Watch one event; True when it was taken (part of a burst). See the module's text for ``fields_keep``."""
        if event.type() != QEvent.Type.KeyPress:
            return False
        text_input = isinstance(watched, _TEXT_INPUTS)
        if text_input and fields_keep:
            return False
        assert isinstance(event, QKeyEvent)
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier & ~Qt.KeyboardModifier.KeypadModifier
        if modifiers != Qt.KeyboardModifier.NoModifier:
            return False
        now = self._now_ms()
        if self._buffer and now - self._last > MAX_GAP_MS:
            self.reset()  # too slow for a scanner: a person typing, start over
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            burst = "".join(self._buffer)
            field, before = self._field, self._field_before
            self.reset()
            if len(burst) >= MIN_LENGTH:
                if field is not None and isinstance(field, QWidget):
                    _restore_field(field, before)
                self.scanned.emit(burst)
                return True
            return False
        text = event.text()
        if text == " " and not self._buffer:
            return False  # Space on a focused button must still press it
        if len(text) != 1 or not text.isprintable():
            return False
        if text_input:
            if self._field is not watched:  # the burst starts here (or moved here: start over)
                self._buffer.clear()
                self._field = watched
                self._field_before = _field_text(watched) or ""
            self._buffer.append(text)
            self._last = now
            return False  # typed into the field: a person must see what they type
        if self._field is not None:  # from a field to a list or button: not one burst
            self.reset()
        self._buffer.append(text)
        self._last = now
        return True

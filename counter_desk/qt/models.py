"""Qt models over the services' plain values. They own no state beyond the rows last handed to them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from counter_desk.i18n import _
from counter_desk.services.views import WaitingTicket

_Index = QModelIndex | QPersistentModelIndex
OVER_TARGET = QColor("#fde2e1")
PRIORITY = QColor("#1b5e20")


class QueueModel(QAbstractTableModel):
    """A stage's waiting tickets in call order: number, category, booked slot, priority mark, waiting time."""

    NUMBER, CATEGORY, SLOT, PRIORITY, WAITED = range(5)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[WaitingTicket] = []
        self._now = dt.datetime.now(dt.UTC)
        self._target_s = 15 * 60
        self._headers = [_("Number"), _("Category"), _("Booked slot"), _("Priority"), _("Waiting")]
        self._names: dict[str, str] = {}

    def set_names(self, category_names: dict[str, str]) -> None:
        """Category code -> name, shown instead of codes."""
        self._names = dict(category_names)

    def set_rows(self, rows: list[WaitingTicket], now: dt.datetime, wait_target_minutes: int) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._now = now
        self._target_s = wait_target_minutes * 60
        self.endResetModel()

    def tick(self, now: dt.datetime) -> None:
        """Move the waiting times on without asking the database."""
        self._now = now
        if self._rows:
            self.dataChanged.emit(self.index(0, self.WAITED), self.index(len(self._rows) - 1, self.WAITED))

    def ticket_at(self, row: int) -> WaitingTicket | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._headers[section] if 0 <= section < len(self._headers) else None
        return None

    def _waited(self, w: WaitingTicket) -> int:
        return w.ticket.waited_seconds(self._now)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        w = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.NUMBER:
                return w.ticket.number
            if column == self.CATEGORY:
                return self._names.get(w.ticket.category, w.ticket.category)
            if column == self.SLOT:
                return w.ticket.slot.strftime("%H:%M") if w.ticket.slot else "—"
            if column == self.PRIORITY:
                return "★" * min(3, max(0, w.ticket.priority_level // 5)) if w.ticket.priority_level else ""
            if column == self.WAITED:
                return _("{minutes} min", minutes=self._waited(w) // 60)
        if role == Qt.ItemDataRole.BackgroundRole and self._waited(w) > self._target_s:
            return QBrush(OVER_TARGET)
        if role == Qt.ItemDataRole.ForegroundRole and column == self.PRIORITY:
            return QBrush(PRIORITY)
        if role == Qt.ItemDataRole.FontRole and column == self.NUMBER:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and self._waited(w) > self._target_s:
            return _("waiting longer than the target of {minutes} minutes", minutes=self._target_s // 60)
        if role == Qt.ItemDataRole.UserRole:
            return w.ticket.id
        return None

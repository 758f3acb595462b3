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

# Roles as plain ints, compared once per call: a view asks ~7 roles of every visible cell on every paint, and a
# PySide enum attribute lookup costs more than the rest of data().
_DISPLAY = Qt.ItemDataRole.DisplayRole.value
_BACKGROUND = Qt.ItemDataRole.BackgroundRole.value
_FOREGROUND = Qt.ItemDataRole.ForegroundRole.value
_FONT = Qt.ItemDataRole.FontRole.value
_TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
_USER = Qt.ItemDataRole.UserRole.value


class QueueModel(QAbstractTableModel):
    """A stage's waiting tickets in call order: number, category, booked slot, priority mark, waiting time.

    New rows are merged in by ticket id (rows removed and inserted where they changed, the rest updated in
    place), so the officer's selection and the scroll position survive a live refresh. Each row's texts are
    worked out once, when first painted, and kept until the rows or the time change.
    """

    NUMBER, CATEGORY, SLOT, PRIORITY, WAITED = range(5)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[WaitingTicket] = []
        #: Per row, once painted: (texts of the five columns, over the wait target); None until then.
        self._cells: list[tuple[tuple[str, str, str, str, str], bool] | None] = []
        self._now = dt.datetime.now(dt.UTC)
        self._target_s = 15 * 60
        self._headers = [_("Number"), _("Category"), _("Booked slot"), _("Priority"), _("Waiting")]
        self._names: dict[str, str] = {}
        self._bold = QFont()
        self._bold.setBold(True)
        self._over_brush = QBrush(OVER_TARGET)
        self._priority_brush = QBrush(PRIORITY)
        self._over_tip = ""

    def set_names(self, category_names: dict[str, str]) -> None:
        """Category code -> name, shown instead of codes."""
        if category_names != self._names:
            self._names = dict(category_names)
            self._forget_cells()

    def set_rows(self, rows: list[WaitingTicket], now: dt.datetime, wait_target_minutes: int) -> None:
        """Show ``rows``: only the rows that changed are removed or inserted (by ticket id); all are updated."""
        old = [w.ticket.id for w in self._rows]
        new = [w.ticket.id for w in rows]
        self._now = now
        self._target_s = wait_target_minutes * 60
        self._over_tip = _("waiting longer than the target of {minutes} minutes", minutes=wait_target_minutes)
        # The longest unchanged head and tail; the middle is replaced. A call takes the head, a check-in adds at
        # the tail or in the middle: one removal or one insertion, never a reset.
        head = 0
        limit = min(len(old), len(new))
        while head < limit and old[head] == new[head]:
            head += 1
        tail = 0
        while tail < limit - head and old[-1 - tail] == new[-1 - tail]:
            tail += 1
        removed_end = len(old) - tail
        if removed_end > head:
            self.beginRemoveRows(QModelIndex(), head, removed_end - 1)
            del self._rows[head:removed_end]
            del self._cells[head:removed_end]
            self.endRemoveRows()
        inserted_end = len(new) - tail
        if inserted_end > head:
            self.beginInsertRows(QModelIndex(), head, inserted_end - 1)
            self._rows[head:head] = rows[head:inserted_end]
            self._cells[head:head] = [None] * (inserted_end - head)
            self.endInsertRows()
        self._rows = list(rows)
        self._forget_cells()

    def tick(self, now: dt.datetime) -> None:
        """Move the waiting times on without asking the database."""
        self._now = now
        self._forget_cells()

    def _forget_cells(self) -> None:
        self._cells = [None] * len(self._rows)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(self._headers) - 1))

    def ticket_at(self, row: int) -> WaitingTicket | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if role == _DISPLAY and orientation == Qt.Orientation.Horizontal:
            return self._headers[section] if 0 <= section < len(self._headers) else None
        return None

    def _row_cells(self, row: int) -> tuple[tuple[str, str, str, str, str], bool]:
        cells = self._cells[row]
        if cells is None:
            t = self._rows[row].ticket
            waited = t.waited_seconds(self._now)
            stars = "★" * min(3, max(0, t.priority_level // 5)) if t.priority_level else ""
            texts = (
                t.number,
                self._names.get(t.category, t.category),
                t.slot.strftime("%H:%M") if t.slot else "—",
                stars,
                _("{minutes} min", minutes=waited // 60),
            )
            cells = self._cells[row] = (texts, waited > self._target_s)
        return cells

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        row = index.row()
        if not 0 <= row < len(self._rows) or not index.isValid():
            return None
        if role == _DISPLAY:
            column = index.column()
            return self._row_cells(row)[0][column] if 0 <= column < len(self._headers) else None
        if role == _BACKGROUND:
            return self._over_brush if self._row_cells(row)[1] else None
        if role == _FOREGROUND:
            return self._priority_brush if index.column() == self.PRIORITY else None
        if role == _FONT:
            return self._bold if index.column() == self.NUMBER else None
        if role == _TOOLTIP:
            return self._over_tip if self._row_cells(row)[1] else None
        if role == _USER:
            return self._rows[row].ticket.id
        return None

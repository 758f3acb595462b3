"""Qt models over the services' plain values. They own no state beyond the rows last handed to them."""

from __future__ import annotations

import datetime as dt
from difflib import SequenceMatcher
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QHeaderView, QWidget

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


R = TypeVar("R")


class RowsTable(QAbstractTableModel, Generic[R]):
    """Rows of plain values under fixed column headers: what every table model of the windows shares."""

    def __init__(self, headers: list[str], parent: Any = None) -> None:
        super().__init__(parent)
        self._headers = headers
        self._rows: list[R] = []

    def row_at(self, row: int) -> R | None:
        """The value behind table row ``row``, or None out of range."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if role == _DISPLAY and orientation == Qt.Orientation.Horizontal:
            return self._headers[section] if 0 <= section < len(self._headers) else None
        return None


def _runs(positions: list[int]) -> list[tuple[int, int]]:
    """Ascending row numbers grouped into (first, last) runs of neighbours."""
    runs: list[tuple[int, int]] = []
    for p in positions:
        if runs and runs[-1][1] == p - 1:
            runs[-1] = (runs[-1][0], p)
        else:
            runs.append((p, p))
    return runs


class QueueModel(RowsTable[WaitingTicket]):
    """A stage's waiting tickets in call order: number, category, booked slot, priority mark, waiting time.

    New rows are merged in by ticket id (rows removed and inserted where they changed, the rest updated in
    place), so the officer's selection and the scroll position survive a live refresh. Each row's texts are
    worked out once, when first painted, and kept until the rows or the time change.
    """

    NUMBER, CATEGORY, SLOT, PRIORITY, WAITED = range(5)

    def __init__(self, parent: Any = None) -> None:
        super().__init__([_("Number"), _("Category"), _("Booked slot"), _("Priority"), _("Waiting")], parent)
        #: Per row, once painted: (texts of the five columns, over the wait target); None until then.
        self._cells: list[tuple[tuple[str, str, str, str, str], bool] | None] = []
        self._now = dt.datetime.now(dt.UTC)
        self._target_s = 15 * 60
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
        self._now = now
        self._target_s = wait_target_minutes * 60
        self._over_tip = _("waiting longer than the target of {minutes} minutes", minutes=wait_target_minutes)
        old = [w.ticket.id for w in self._rows]
        new = [w.ticket.id for w in rows]
        if old != new:
            self._merge(old, new, rows)
        self._rows = list(rows)
        self._forget_cells()

    def _merge(self, old: list[int], new: list[int], rows: list[WaitingTicket]) -> None:
        """Turn the shown rows (ids ``old``) into ``rows`` (ids ``new``) with row removals and insertions only."""
        kept = set(old) & set(new)
        if [i for i in old if i in kept] == [i for i in new if i in kept]:
            # The usual change (a call takes the head, a check-in adds a row): the rows that stay keep their order.
            # Remove the others from the end up, then insert the new ones from the top down: O(n), no diff.
            gone = [r for r, i in enumerate(old) if i not in kept]
            for first, last in reversed(_runs(gone)):
                self._remove(first, last)
            added = [r for r, i in enumerate(new) if i not in kept]
            for first, last in _runs(added):
                self._insert(first, rows[first : last + 1])
            return
        # Reordered (a priority changed, a ticket sent to the front): ids are unique, so the matching blocks are
        # the tickets that stayed in order; applied from the end, so earlier row numbers still hold.
        matcher = SequenceMatcher(None, old, new, autojunk=False)
        for tag, i1, i2, j1, j2 in reversed(matcher.get_opcodes()):
            if tag in ("delete", "replace"):
                self._remove(i1, i2 - 1)
            if tag in ("insert", "replace"):
                self._insert(i1, rows[j1:j2])

    def _remove(self, first: int, last: int) -> None:
        self.beginRemoveRows(QModelIndex(), first, last)
        del self._rows[first : last + 1]
        del self._cells[first : last + 1]
        self.endRemoveRows()

    def _insert(self, at: int, rows: list[WaitingTicket]) -> None:
        self.beginInsertRows(QModelIndex(), at, at + len(rows) - 1)
        self._rows[at:at] = rows
        self._cells[at:at] = [None] * len(rows)
        self.endInsertRows()

    def tick(self, now: dt.datetime) -> None:
        """Move the waiting times on without asking the database."""
        self._now = now
        self._forget_cells()

    def _forget_cells(self) -> None:
        self._cells = [None] * len(self._rows)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(self._headers) - 1))

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


class QueuePositions(QHeaderView):
    """The queue's vertical header: positions 1, 2, 3... as Qt draws them, sized faster.

    On every row inserted or removed Qt sizes the header again from its first and last 100 sections, asking the
    model five roles for each: about a thousand calls into Python per call or check-in with 500 waiting. A
    position's size depends only on its number of digits, so it is worked out once per digit count.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        # What QTableView sets on the header it makes itself.
        self.setSectionsClickable(True)
        self.setHighlightSections(True)
        self._sizes: dict[int, QSize] = {}

    def sectionSizeFromContents(self, logicalIndex: int) -> QSize:
        digits = len(str(logicalIndex + 1))
        size = self._sizes.get(digits)
        if size is None:
            size = self._sizes[digits] = super().sectionSizeFromContents(logicalIndex)
        return QSize(size)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._sizes.clear()
        super().changeEvent(event)

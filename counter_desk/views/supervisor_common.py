"""What the supervisor window's tabs share: the host they run their work through, small widget helpers.

The tabs (:mod:`~counter_desk.views.supervisor_overview`, :mod:`~counter_desk.views.supervisor_tickets`,
:mod:`~counter_desk.views.supervisor_rules` with :mod:`~counter_desk.views.supervisor_holidays`,
:mod:`~counter_desk.views.supervisor_bookings`, :mod:`~counter_desk.views.supervisor_officers`,
:mod:`~counter_desk.views.supervisor_plan`) never touch the database themselves: they hand a function to their
:class:`Host` (the window), which runs it on its worker thread and calls back on the GUI thread.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from counter_desk.clock import Clock
from counter_desk.qt.status import ERROR_COLOUR, WARN_COLOUR, banner_style
from counter_desk.services.dashboard import Dashboard, Supervision
from counter_desk.services.desk import Desk
from counter_desk.services.views import Result

#: The supervisor's banners: the colours and shape of every window's (:mod:`counter_desk.qt.status`), a size
#: smaller than a station's.
BANNER_SIZE = 15
BANNER_PADDING = 6
ERROR_STYLE = banner_style(ERROR_COLOUR, size=BANNER_SIZE, padding=BANNER_PADDING)
#: A problem that does not stop the office yet (the standby's health).
WARN_STYLE = banner_style(WARN_COLOUR, size=BANNER_SIZE, padding=BANNER_PADDING)


#: What a tab hands its host: the work (on the worker thread), what to do with its result, and -- for a change --
#: what to do first with a failure (True: handled).
Work = Callable[[], Any]
Done = Callable[[Any], None]
Failed = Callable[[Exception], bool] | None


class Host(Protocol):
    """The window a tab lives in (see :class:`~counter_desk.views.supervisor.SupervisorWindow`)."""

    @property
    def desk(self) -> Desk: ...

    @property
    def office(self) -> str | None: ...

    @property
    def user(self) -> str | None: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def busy(self) -> bool: ...

    def today(self) -> dt.date: ...

    def timezone(self) -> str: ...

    def run_job(self, what: str, work: Work, done: Done, failed: Failed = None) -> bool:
        """One change on the worker, one at a time: ``done(result)`` after it, or the error in the banner
        (``failed(exc)`` is asked first and may take over by returning True). False when another is running."""

    def read(self, work: Work, done: Done) -> None:
        """Read on the worker; a failure is shown in the banner."""

    def act(self, name: str, call: Callable[[str], Result], message: Callable[[Result], str]) -> None:
        """A ticket action with its idempotency token (``call(token)``): ``message(result)`` in the banner."""

    @property
    def supervision(self) -> Supervision: ...

    @property
    def dashboard(self) -> Dashboard | None: ...

    def refresh(self) -> None: ...

    def info(self, message: str) -> None: ...

    def error(self, message: str) -> None: ...


def labelled(form: QFormLayout, text: str, widget: QWidget) -> None:
    """A form row whose label's mnemonic (``&``) moves the focus to ``widget``."""
    label = QLabel(text)
    label.setBuddy(widget)
    form.addRow(label, widget)


def banner(name: str, style: str = "") -> QLabel:
    """A hidden, word-wrapping banner label."""
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    if style:
        label.setStyleSheet(style)
    label.hide()
    return label


def button(text: str, name: str, slot: Callable[[], None]) -> QPushButton:
    """A push button with its object name, calling ``slot`` when clicked."""
    made = QPushButton(text)
    made.setObjectName(name)
    made.clicked.connect(slot)
    return made


def table(model: Any, name: str) -> QTableView:
    """A read-only, row-selecting table, focusable with the keyboard (arrows move the selected row)."""
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setTabKeyNavigation(False)  # Tab leaves the table for the buttons; arrows move inside it
    view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    view.setAlternatingRowColors(True)
    return view


def on_row_change(view: QTableView, update: Callable[[], None]) -> None:
    """Call ``update`` when the table's row changes: by selection, and by the keyboard's current row (tabbing
    into a table makes its first row current without selecting it; the buttons must follow)."""
    model = view.selectionModel()
    model.selectionChanged.connect(lambda *_a: update())
    model.currentChanged.connect(lambda *_a: update())


def selected(view: QTableView) -> Any:
    """The row object under the table's current index, or None."""
    index = view.currentIndex()
    model: Any = view.model()
    return model.row_at(index.row()) if index.isValid() else None


def reselect(view: QTableView, key: str | None) -> None:
    """Select the row whose first column's key (``UserRole``) is ``key`` again, after the rows were replaced."""
    model = view.model()
    if key is None:
        return
    for row in range(model.rowCount()):
        if model.index(row, 0).data(Qt.ItemDataRole.UserRole) == key:
            view.selectRow(row)
            return


def date_edit(day: dt.date, name: str) -> QDateEdit:
    edit = QDateEdit(QDate(day.year, day.month, day.day))
    edit.setObjectName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


def day_of(edit: QDateEdit) -> dt.date:
    value = edit.date()
    return dt.date(value.year(), value.month(), value.day())


class FormDialog(QDialog):
    """A small dialog: fields above, a problem line, OK / Cancel. Enter accepts, Escape cancels."""

    def __init__(self, parent: QWidget, title: str, name: str) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.layout_ = QVBoxLayout(self)
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setStyleSheet("color:#c62828;")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._try_accept)
        self.buttons.rejected.connect(self.reject)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setDefault(True)

    def finish(self) -> None:
        """Add the problem line and the buttons under what the subclass laid out."""
        self.layout_.addWidget(self.problem)
        self.layout_.addWidget(self.buttons)

    def check(self) -> str | None:
        """A problem to show instead of accepting (subclasses), or None."""
        return None

    def _try_accept(self) -> None:
        problem = self.check()
        if problem:
            self.problem.setText(problem)
            self.problem.show()
            return
        self.accept()

"""Qt table models over the supervisor's dashboard (:mod:`counter_desk.services.dashboard`), and over the
bookings, the import report, the officers and the holidays the supervisor window manages.

Thin adapters: each holds the rows of the last snapshot handed to it and nothing else. Traffic-light levels
colour the cells they concern (green / amber / red); ``Qt.UserRole`` gives the code or number a row stands for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from counter_desk.clock import DEFAULT_TIMEZONE, office_local
from counter_desk.i18n import N_, _, lookup
from counter_desk.qt.models import RowsTable
from counter_desk.services.auth import UserView
from counter_desk.services.bookings import BookingView, Rejection
from counter_desk.services.calendar import HolidayView
from counter_desk.services.dashboard import AMBER, GREEN, IDLE, RED, StageFigures, StationFigures, TicketRow
from counter_desk.services.dates import format_day
from counter_desk.states import status_label

_Index = QModelIndex | QPersistentModelIndex
#: Background and text colours of each traffic-light level (also used by the charts' legend).
LEVEL_COLOURS = {GREEN: ("#c8e6c9", "#1b5e20"), AMBER: ("#ffe0b2", "#e65100"), RED: ("#ffcdd2", "#b71c1c")}
STATE_COLOURS = {"called": ("#fff3c4", "#7a5d00"), "serving": ("#d7e9fb", "#0d47a1")}

R = TypeVar("R")


def minutes(seconds: float | None) -> str:
    """``12 min`` (rounded down), or an em dash when there is nothing to show."""
    return "—" if seconds is None else _("{minutes} min", minutes=int(seconds // 60))


class _RowsModel(RowsTable[R]):
    """Rows of plain values at a moment in an office's time zone; subclasses say what each column shows."""

    def __init__(self, headers: list[str], parent: Any = None) -> None:
        super().__init__(headers, parent)
        self._timezone = DEFAULT_TIMEZONE
        self._now = dt.datetime.now(dt.UTC)

    def set_rows(self, rows: Sequence[R], *, now: dt.datetime, timezone: str) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._now, self._timezone = now, timezone
        self.endResetModel()

    def _time(self, when: dt.datetime | None) -> str:
        return "—" if when is None else office_local(when, self._timezone).strftime("%H:%M")

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, index.column())
        if role == Qt.ItemDataRole.UserRole:
            return self._key(row)
        colours = self._colours(row, index.column())
        if colours is not None and role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(colours[0]))
        if colours is not None and role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor(colours[1]))
        if role == Qt.ItemDataRole.TextAlignmentRole and self._numeric(index.column()):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, index.column())
        return None

    # What subclasses fill in.
    def _text(self, row: R, column: int) -> str:
        raise NotImplementedError

    def _key(self, row: R) -> str:
        raise NotImplementedError

    def _colours(self, row: R, column: int) -> tuple[str, str] | None:
        return None

    def _numeric(self, column: int) -> bool:
        return False

    def _tooltip(self, row: R, column: int) -> str | None:
        return None


class StageModel(_RowsModel[StageFigures]):
    """One row per stage: queue now, today's averages against the target, counts."""

    STAGE, WAITING, LONGEST, AVERAGE, TARGET, SERVICE, ARRIVALS, SERVED, NO_SHOWS = range(9)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(
            [
                _("Stage"),
                _("Waiting"),
                _("Longest wait"),
                _("Average wait"),
                _("Target"),
                _("Average service"),
                _("Arrivals"),
                _("Served"),
                _("No-shows"),
            ],
            parent,
        )

    def _text(self, row: StageFigures, column: int) -> str:
        values: dict[int, Callable[[], str]] = {
            self.STAGE: lambda: row.name,
            self.WAITING: lambda: str(row.waiting),
            self.LONGEST: lambda: minutes(row.longest_wait_seconds),
            self.AVERAGE: lambda: minutes(row.average_wait_seconds),
            self.TARGET: lambda: _("{minutes} min", minutes=row.wait_target_minutes),
            self.SERVICE: lambda: minutes(row.average_service_seconds),
            self.ARRIVALS: lambda: str(row.arrivals),
            self.SERVED: lambda: str(row.served),
            self.NO_SHOWS: lambda: str(row.no_shows),
        }
        return values[column]()

    def _key(self, row: StageFigures) -> str:
        return row.code

    def _colours(self, row: StageFigures, column: int) -> tuple[str, str] | None:
        if column == self.LONGEST:
            return LEVEL_COLOURS.get(row.longest_wait_level)
        if column == self.AVERAGE:
            return LEVEL_COLOURS.get(row.average_wait_level)
        return None

    def _numeric(self, column: int) -> bool:
        return column != self.STAGE

    def _tooltip(self, row: StageFigures, column: int) -> str | None:
        if column in (self.LONGEST, self.AVERAGE):
            return _(
                "green: within the target of {minutes} min; amber: up to {amber} min; red: longer",
                minutes=row.wait_target_minutes,
                amber=int(row.wait_target_minutes * 1.5),
            )
        return None

    def level_at(self, row: int, column: int) -> str | None:
        """The traffic-light level shown in a cell (tests and the legend read it)."""
        figures = self.row_at(row)
        if figures is None:
            return None
        return {self.LONGEST: figures.longest_wait_level, self.AVERAGE: figures.average_wait_level}.get(column)


class StationModel(_RowsModel[StationFigures]):
    """One row per station: what it holds now and who worked there last."""

    STATION, STAGE, STATE, TICKET, SINCE, OFFICER = range(6)

    def __init__(self, parent: Any = None) -> None:
        super().__init__([_("Station"), _("Stage"), _("State"), _("Ticket"), _("Since"), _("Officer")], parent)
        self._stage_names: dict[str, str] = {}

    def set_stage_names(self, names: dict[str, str]) -> None:
        self._stage_names = dict(names)

    def _text(self, row: StationFigures, column: int) -> str:
        state = {IDLE: _("idle"), "called": _("called"), "serving": _("serving")}.get(row.state, row.state)
        values = {
            self.STATION: row.name,
            self.STAGE: self._stage_names.get(row.stage, row.stage),
            self.STATE: state,
            self.TICKET: row.ticket or "—",
            self.SINCE: self._time(row.since),
            self.OFFICER: row.officer_name or "—",
        }
        return values[column]

    def _key(self, row: StationFigures) -> str:
        return row.code

    def _colours(self, row: StationFigures, column: int) -> tuple[str, str] | None:
        return STATE_COLOURS.get(row.state) if column in (self.STATE, self.TICKET) else None

    def _tooltip(self, row: StationFigures, column: int) -> str | None:
        return row.officer if column == self.OFFICER and row.officer else None


class TicketModel(_RowsModel[TicketRow]):
    """Tickets the supervisor may act on: waiting, held by a station, marked no-show today."""

    NUMBER, STATUS, STAGE, STATION, CATEGORY, SINCE, MINUTES = range(7)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(
            [_("Ticket"), _("State"), _("Stage"), _("Station"), _("Category"), _("Since"), _("Minutes")], parent
        )
        self._stage_names: dict[str, str] = {}
        self._category_names: dict[str, str] = {}

    def set_names(self, stages: dict[str, str], categories: dict[str, str]) -> None:
        self._stage_names, self._category_names = dict(stages), dict(categories)

    def _text(self, row: TicketRow, column: int) -> str:
        values = {
            self.NUMBER: row.number,
            self.STATUS: status_label(row.status),
            self.STAGE: self._stage_names.get(row.stage, row.stage),
            self.STATION: row.station or "—",
            self.CATEGORY: self._category_names.get(row.category, row.category),
            self.SINCE: self._time(row.since),
            self.MINUTES: str(max(0, int((self._now - row.since).total_seconds() // 60))),
        }
        return values[column]

    def _key(self, row: TicketRow) -> str:
        return row.number

    def _numeric(self, column: int) -> bool:
        return column == self.MINUTES

    def _colours(self, row: TicketRow, column: int) -> tuple[str, str] | None:
        return STATE_COLOURS.get(row.status) if column == self.STATUS else None

    def _tooltip(self, row: TicketRow, column: int) -> str | None:
        if row.reopen_until is not None:
            return _("may be put back until {time}", time=self._time(row.reopen_until))
        return None


#: A booking's status as the window shows it.
BOOKING_STATUS = {"booked": N_("booked"), "checked_in": N_("checked in"), "cancelled": N_("cancelled")}
#: Officers' roles as short names for people (the codes are English words).
ROLE_NAMES = {
    "reception": N_("reception clerk"),
    "interview": N_("interviewer"),
    "adjudicator": N_("adjudicator"),
    "pickup": N_("pickup officer"),
    "supervisor": N_("supervisor"),
    "admin": N_("administrator"),
}


class BookingModel(_RowsModel[BookingView]):
    """The bookings of one day, by slot."""

    CODE, APPLICATION, SLOT, CATEGORY, NAME, STATUS = range(6)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(
            [_("Booking code"), _("Application number"), _("Slot"), _("Category"), _("Name"), _("Status")], parent
        )
        #: Category code -> name (the office's own names; a code is shown only for an unknown category).
        self.category_names: dict[str, str] = {}

    def set_category_names(self, names: dict[str, str]) -> None:
        self.category_names = dict(names)
        if self.rowCount():
            self.dataChanged.emit(self.index(0, self.CATEGORY), self.index(self.rowCount() - 1, self.CATEGORY))

    def _text(self, row: BookingView, column: int) -> str:
        values = {
            self.CODE: row.code,
            self.APPLICATION: row.application_number,
            self.SLOT: row.slot or "—",
            self.CATEGORY: self.category_names.get(row.category, row.category),
            self.NAME: row.applicant_name or "—",
            self.STATUS: lookup(BOOKING_STATUS.get(row.status, row.status)),
        }
        return values[column]

    def _key(self, row: BookingView) -> str:
        return row.code


class RejectionModel(_RowsModel[Rejection]):
    """The rows an import rejected: where, which booking, why."""

    ROW, CODE, REASON = range(3)

    def __init__(self, parent: Any = None) -> None:
        super().__init__([_("Row"), _("Booking code"), _("Reason")], parent)

    def _text(self, row: Rejection, column: int) -> str:
        return {self.ROW: str(row.row), self.CODE: row.code or "—", self.REASON: row.reason}[column]

    def _key(self, row: Rejection) -> str:
        return str(row.row)

    def _numeric(self, column: int) -> bool:
        return column == self.ROW


class UserModel(_RowsModel[UserView]):
    """The office's officers: who, which roles, whether locked out or disabled."""

    USERNAME, NAME, ROLES, LOCKED, ACTIVE = range(5)

    def __init__(self, parent: Any = None) -> None:
        super().__init__([_("Username"), _("Name"), _("Roles"), _("Locked"), _("Active")], parent)

    def locked(self, row: UserView) -> bool:
        return row.locked_until is not None and row.locked_until > self._now

    def _text(self, row: UserView, column: int) -> str:
        values = {
            self.USERNAME: row.username,
            self.NAME: row.full_name,
            self.ROLES: ", ".join(lookup(ROLE_NAMES.get(r, r)) for r in row.roles) or "—",
            self.LOCKED: _("until {time}", time=self._time(row.locked_until)) if self.locked(row) else "",
            self.ACTIVE: _("yes") if row.active else _("no (disabled)"),
        }
        return values[column]

    def _key(self, row: UserView) -> str:
        return row.username

    def _colours(self, row: UserView, column: int) -> tuple[str, str] | None:
        if column == self.LOCKED and self.locked(row):
            return LEVEL_COLOURS[RED]
        if column == self.ACTIVE and not row.active:
            return LEVEL_COLOURS[AMBER]
        return None

    def _tooltip(self, row: UserView, column: int) -> str | None:
        if column == self.NAME and not row.has_password:
            return _("no password yet: reset it so the officer can sign in")
        return None


class HolidayModel(_RowsModel[HolidayView]):
    """The office's holiday calendar."""

    DAY, NAME = range(2)

    def __init__(self, parent: Any = None) -> None:
        super().__init__([_("Day"), _("Holiday")], parent)

    def _text(self, row: HolidayView, column: int) -> str:
        return format_day(row.day, weekday=True) if column == self.DAY else row.name

    def _key(self, row: HolidayView) -> str:
        return row.day.isoformat()

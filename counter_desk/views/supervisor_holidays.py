"""The holiday calendar in the supervisor window's *Rules* tab: listed, added, removed.

A new holiday on a day pickup receipts promise is refused by the service, naming how many; the window then
asks whether to move those pickups to the next working day, and lists the moved application numbers so that
the office can inform the applicants.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from counter_desk.i18n import _, _n
from counter_desk.qt.dashboard_models import HolidayModel
from counter_desk.services import calendar
from counter_desk.views.supervisor_common import (
    FormDialog,
    Host,
    button,
    date_edit,
    day_of,
    labelled,
    on_row_change,
    reselect,
    selected,
    table,
)

SELECTABLE = Qt.TextInteractionFlag.TextSelectableByKeyboard | Qt.TextInteractionFlag.TextSelectableByMouse


class HolidayDialog(FormDialog):
    """A day and its name."""

    def __init__(self, parent: QWidget, day: dt.date) -> None:
        super().__init__(parent, _("Add a holiday"), "holidayDialog")
        form = QFormLayout()
        self.day = date_edit(day, "holidayDay")
        self.name = QLineEdit()
        self.name.setObjectName("holidayName")
        self.name.setPlaceholderText(_("e.g. Cuti bersama Idul Fitri"))
        labelled(form, _("&Day:"), self.day)
        labelled(form, _("&Name:"), self.name)
        self.layout_.addLayout(form)
        self.finish()
        self.name.setFocus()

    def check(self) -> str | None:
        return None if self.name.text().strip() else _("Give the holiday a name.")

    def answer(self) -> tuple[dt.date, str] | None:
        if self.exec() != FormDialog.DialogCode.Accepted:
            return None
        return day_of(self.day), self.name.text().strip()


class HolidaysBox(QGroupBox):
    """The office's holidays with *Add holiday…* and *Remove holiday*.

    Signals:
        changed(object): a holiday was set (carries :class:`~counter_desk.services.calendar.HolidaySet`) or removed
            (carries its day).
    """

    changed = Signal(object)

    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(_("Holidays"), parent)
        self.setObjectName("holidaysBox")
        self._host = host
        layout = QVBoxLayout(self)
        self.model = HolidayModel(self)
        self.view = table(self.model, "holidayView")
        layout.addWidget(self.view)
        self.moved_label = QLabel()
        self.moved_label.setObjectName("movedPickups")
        self.moved_label.setWordWrap(True)
        self.moved_label.setTextInteractionFlags(self.moved_label.textInteractionFlags() | SELECTABLE)
        self.moved_label.hide()
        layout.addWidget(self.moved_label)
        row = QHBoxLayout()
        self.add_button = button(_("&Add holiday…"), "addHolidayButton", self._ask_add)
        self.remove_button = button(_("Re&move holiday…"), "removeHolidayButton", self._ask_remove)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        layout.addLayout(row)
        on_row_change(self.view, self.update_buttons)
        self.update_buttons()

    def update_buttons(self) -> None:
        free = not self._host.busy
        self.add_button.setEnabled(free)
        self.remove_button.setEnabled(free and selected(self.view) is not None)

    def load(self) -> None:
        host = self._host
        year = host.today().year
        # This year's and the coming ones: the past is history.
        host.read(
            lambda: [h for h in host.desk(calendar.holidays, host.office) if h.day.year >= year],
            self._show,
        )

    def _show(self, days: list[calendar.HolidayView]) -> None:
        current = selected(self.view)
        self.model.set_rows(days, now=self._host.clock.now(), timezone=self._host.timezone())
        reselect(self.view, current.day.isoformat() if current is not None else None)
        self.update_buttons()

    # ------------------------------------------------------------------ actions

    def add(self, day: dt.date, name: str, *, move_pickups: bool = False) -> None:
        """Set a holiday; when pickups are promised for that day, ask whether to move them (see the module)."""
        host = self._host

        def done(result: calendar.HolidaySet) -> None:
            if result.moved:
                numbers = ", ".join(m.application_number for m in result.moved)
                text = _n(
                    "Holiday {day} set; {n} pickup moved to {to}. Inform the applicant: {numbers}",
                    "Holiday {day} set; {n} pickups moved to {to}. Inform the applicants: {numbers}",
                    len(result.moved),
                    day=result.day.isoformat(),
                    to=result.moved[0].after.isoformat(),
                    numbers=numbers,
                )
                self.moved_label.setText(text)
                self.moved_label.show()
            else:
                text = _("Holiday {day} set: {name}", day=result.day.isoformat(), name=result.name)
            host.info(text)
            self.load()
            self.changed.emit(result)

        def failed(exc: Exception) -> bool:
            movable = isinstance(exc, calendar.HolidayClash) and exc.pickups and not exc.bookings and not move_pickups
            if movable and self._confirm_move(day, exc.pickups):  # type: ignore[attr-defined]
                self.add(day, name, move_pickups=True)
                return True
            return False

        host.run_job(
            "holiday",
            lambda: host.desk(
                calendar.set_holiday,
                host.office,
                day,
                name,
                move_pickups=move_pickups,
                user=host.user,
                clock=host.clock,
            ),
            done,
            failed,
        )

    def _confirm_move(self, day: dt.date, count: int) -> bool:
        box = QMessageBox(self)
        box.setObjectName("movePickupsBox")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(_("Pickups are promised for that day"))
        box.setText(
            _n(
                "{n} passport pickup is promised for {day}. Set the holiday anyway and move it to the "
                "next working day? You will get its application number to inform the applicant.",
                "{n} passport pickups are promised for {day}. Set the holiday anyway and move them to the "
                "next working day? You will get their application numbers to inform the applicants.",
                count,
                day=day.isoformat(),
            )
        )
        move = box.addButton(_("&Move them and set the holiday"), QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        box.exec()
        return box.clickedButton() is move

    def remove(self, day: dt.date) -> None:
        host = self._host

        def done(_result: Any) -> None:
            host.info(_("holiday {day} removed", day=day.isoformat()))
            self.load()
            self.changed.emit(day)

        host.run_job(
            "holiday",
            lambda: host.desk(calendar.remove_holiday, host.office, day, user=host.user, clock=host.clock),
            done,
        )

    def _ask_add(self) -> None:
        answer = HolidayDialog(self, self._host.today()).answer()
        if answer is not None:
            self.add(*answer)

    def _ask_remove(self) -> None:
        row = selected(self.view)
        if row is None:
            return
        answer = QMessageBox.question(
            self,
            _("Remove holiday"),
            _(
                "Remove the holiday {day} ({name})? The office will be open that day.",
                day=row.day.isoformat(),
                name=row.name,
            ),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.remove(row.day)

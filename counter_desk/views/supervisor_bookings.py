"""The supervisor window's *Bookings* tab: import the M-Paspor export, see a day's bookings, add and reschedule.

The import runs the same service as ``counter-desk bookings import`` (:func:`counter_desk.services.bookings.
import_file`) on the window's worker thread and shows its validation report: how many were imported, updated
and unchanged, and each rejected row with its reason. A file that is not a bookings export is refused with the
service's message and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter_desk.i18n import _, _n
from counter_desk.qt.dashboard_models import BookingModel, RejectionModel
from counter_desk.services import bookings
from counter_desk.views.supervisor_common import (
    ERROR_STYLE,
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


class BookingDialog(FormDialog):
    """Enter one booking by hand: code, application number, day, slot, name, NIK, category."""

    def __init__(self, parent: QWidget, day: dt.date, categories: dict[str, str]) -> None:
        super().__init__(parent, _("Add a booking"), "bookingDialog")
        form = QFormLayout()
        self.code = QLineEdit()
        self.code.setObjectName("bookingCode")
        self.application = QLineEdit()
        self.application.setObjectName("bookingApplication")
        self.day = date_edit(day, "bookingDay")
        self.slot = QLineEdit()
        self.slot.setObjectName("bookingSlot")
        self.slot.setPlaceholderText("08:00-09:00")
        self.name = QLineEdit()
        self.name.setObjectName("bookingName")
        self.nik = QLineEdit()
        self.nik.setObjectName("bookingNik")
        self.nik.setMaxLength(16)
        self.category = QComboBox()
        self.category.setObjectName("bookingCategory")
        self.category.addItem(_("the office's booking category"), None)
        for code, name in categories.items():
            self.category.addItem(name, code)
        labelled(form, _("Booking &code:"), self.code)
        labelled(form, _("&Application number:"), self.application)
        labelled(form, _("&Day:"), self.day)
        labelled(form, _("&Slot:"), self.slot)
        labelled(form, _("&Name:"), self.name)
        labelled(form, _("NI&K:"), self.nik)
        labelled(form, _("Ca&tegory:"), self.category)
        self.layout_.addLayout(form)
        self.finish()
        self.code.setFocus()

    def check(self) -> str | None:
        if not self.code.text().strip() or not self.application.text().strip():
            return _("A booking needs its code and application number.")
        return None

    def answer(self) -> dict[str, Any] | None:
        if self.exec() != FormDialog.DialogCode.Accepted:
            return None
        return {
            "code": self.code.text().strip(),
            "application_number": self.application.text().strip(),
            "day": day_of(self.day),
            "slot": self.slot.text().strip() or None,
            "name": self.name.text().strip() or None,
            "nik": self.nik.text().strip() or None,
            "category": self.category.currentData(),
        }


class RescheduleDialog(FormDialog):
    """Another day and, optionally, another slot for one booking."""

    def __init__(self, parent: QWidget, booking: bookings.BookingView) -> None:
        super().__init__(parent, _("Reschedule a booking"), "rescheduleDialog")
        layout = QFormLayout()
        layout.addRow(
            QLabel(_("Booking {code} ({application})", code=booking.code, application=booking.application_number))
        )
        self.day = date_edit(booking.day, "rescheduleDay")
        self.slot = QLineEdit()
        self.slot.setObjectName("rescheduleSlot")
        self.slot.setPlaceholderText(_("keep {slot}", slot=booking.slot or "—"))
        labelled(layout, _("&Day:"), self.day)
        labelled(layout, _("&Slot:"), self.slot)
        self.layout_.addLayout(layout)
        self.finish()
        self.day.setFocus()

    def answer(self) -> tuple[dt.date, str | None] | None:
        if self.exec() != FormDialog.DialogCode.Accepted:
            return None
        return day_of(self.day), self.slot.text().strip() or None


class BookingsTab(QWidget):
    """Import, the report of the last import, and the bookings of a chosen day.

    Signals:
        imported(object): an import finished; carries its :class:`~counter_desk.services.bookings.ImportReport`.
        changed(object): a booking was added or rescheduled; carries its
            :class:`~counter_desk.services.bookings.BookingView`.
        listed(): the day's bookings are shown.
    """

    imported = Signal(object)
    changed = Signal(object)
    listed = Signal()

    def __init__(self, host: Host, categories: dict[str, str] | None = None) -> None:
        super().__init__()
        self.setObjectName("bookingsTab")
        self._host = host
        self.categories: dict[str, str] = dict(categories or {})
        layout = QVBoxLayout(self)
        layout.addWidget(self._import_box())
        layout.addWidget(self._day_box(), 1)
        self.day_edit.dateChanged.connect(lambda *_a: self.load())
        self._wire()

    def _import_box(self) -> QGroupBox:
        box = QGroupBox(_("Import the M-Paspor export"))
        inner = QVBoxLayout(box)
        row = QHBoxLayout()
        self.import_button = QPushButton(_("&Import file…"))
        self.import_button.setObjectName("importButton")
        self.import_button.setToolTip(_("A CSV (also semicolon-separated) or JSON export of M-Paspor"))
        self.import_button.clicked.connect(self._ask_file)
        self.dry_run = QCheckBox(_("&Check only, write nothing"))
        self.dry_run.setObjectName("dryRun")
        row.addWidget(self.import_button)
        row.addWidget(self.dry_run)
        row.addStretch(1)
        inner.addLayout(row)
        self.report_label = QLabel(_("No file imported yet."))
        self.report_label.setObjectName("reportLabel")
        self.report_label.setWordWrap(True)
        inner.addWidget(self.report_label)
        self.rejection_model = RejectionModel(self)
        self.rejection_view = table(self.rejection_model, "rejectionView")
        self.rejection_view.setMaximumHeight(180)
        header = self.rejection_view.horizontalHeader()
        for column in (RejectionModel.ROW, RejectionModel.CODE):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        inner.addWidget(self.rejection_view)
        return box

    def _day_box(self) -> QGroupBox:
        box = QGroupBox(_("Bookings of a day"))
        inner = QVBoxLayout(box)
        row = QHBoxLayout()
        self.day_edit = date_edit(self._host.today(), "bookingsDay")
        label = QLabel(_("&Day:"))
        label.setBuddy(self.day_edit)
        row.addWidget(label)
        row.addWidget(self.day_edit)
        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        row.addWidget(self.count_label)
        row.addStretch(1)
        self.add_button = button(_("&Add booking…"), "addBookingButton", self._ask_add)
        self.reschedule_button = button(_("Re&schedule…"), "rescheduleButton", self._ask_reschedule)
        row.addWidget(self.add_button)
        row.addWidget(self.reschedule_button)
        inner.addLayout(row)
        self.booking_model = BookingModel(self)
        self.booking_view = table(self.booking_model, "bookingView")
        inner.addWidget(self.booking_view)
        return box

    def _wire(self) -> None:
        on_row_change(self.booking_view, self.update_buttons)
        for first, second in (
            (self.import_button, self.dry_run),
            (self.dry_run, self.rejection_view),
            (self.rejection_view, self.day_edit),
            (self.day_edit, self.booking_view),
            (self.booking_view, self.add_button),
            (self.add_button, self.reschedule_button),
        ):
            QWidget.setTabOrder(first, second)
        self.update_buttons()

    @property
    def day(self) -> dt.date:
        return day_of(self.day_edit)

    def show_day(self, day: dt.date) -> None:
        """Show the bookings of ``day`` (read on the worker)."""
        if day == self.day:
            self.load()
        else:
            self.day_edit.setDate(QDate(day.year, day.month, day.day))

    def update_buttons(self) -> None:
        free = not self._host.busy
        self.import_button.setEnabled(free)
        self.add_button.setEnabled(free)
        row = selected(self.booking_view)
        self.reschedule_button.setEnabled(free and row is not None and row.status == "booked")

    def load(self) -> None:
        host, day = self._host, self.day
        host.read(
            lambda: host.desk(bookings.list_bookings, day, office=host.office), lambda rows: self._show(day, rows)
        )

    def _show(self, day: dt.date, rows: list[bookings.BookingView]) -> None:
        if day != self.day:
            return  # another day was chosen meanwhile; its own read follows
        current = selected(self.booking_view)
        self.booking_model.set_rows(rows, now=self._host.clock.now(), timezone=self._host.timezone())
        reselect(self.booking_view, current.code if current is not None else None)
        self.count_label.setText(_n("{n} booking", "{n} bookings", len(rows)))
        self.update_buttons()
        self.listed.emit()

    # ------------------------------------------------------------------ import

    def _ask_file(self) -> None:
        dialog = QFileDialog(self, _("Import the M-Paspor export"))
        dialog.setObjectName("importFileDialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilters([_("Bookings exports (*.csv *.json *.txt)"), _("All files (*)")])
        if dialog.exec() == QFileDialog.DialogCode.Accepted and dialog.selectedFiles():
            self.import_file(dialog.selectedFiles()[0])

    def import_file(self, path: str | Path) -> None:
        """Import ``path`` on the worker and show the report (what the file dialog calls)."""
        host, dry_run, file = self._host, self.dry_run.isChecked(), Path(path)

        def done(report: bookings.ImportReport) -> None:
            self._show_report(file, report)
            self.load()
            self.imported.emit(report)

        def failed(exc: Exception) -> bool:
            self.rejection_model.set_rows([], now=host.clock.now(), timezone=host.timezone())
            self.report_label.setStyleSheet(ERROR_STYLE)
            self.report_label.setText(
                _("{file}: nothing imported. {problem}", file=file.name, problem=getattr(exc, "message", str(exc)))
            )
            return False

        host.run_job(
            "import",
            lambda: host.desk(
                bookings.import_file, file, office=host.office, dry_run=dry_run, user=host.user, clock=host.clock
            ),
            done,
            failed,
        )

    def _show_report(self, file: Path, report: bookings.ImportReport) -> None:
        values = {
            "file": file.name,
            "imported": report.imported,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "rejected": len(report.rejected),
        }
        if report.dry_run:
            text = _(
                "{file}, checked, nothing written: {imported} new, {updated} to update, {unchanged} unchanged, "
                "{rejected} rejected",
                **values,
            )
        else:
            text = _(
                "{file}: {imported} imported, {updated} updated, {unchanged} unchanged, {rejected} rejected", **values
            )
        extra = [*report.warnings]
        if report.ignored_columns:
            extra.append(_("columns not used: {columns}", columns=", ".join(report.ignored_columns)))
        self.report_label.setStyleSheet("" if not report.rejected else "color:#b71c1c;font-weight:bold;")
        self.report_label.setText("\n".join([text, *extra]))
        self.rejection_model.set_rows(report.rejected, now=self._host.clock.now(), timezone=self._host.timezone())
        self._host.info(text)

    # ------------------------------------------------------------------ one booking

    def add(self, values: dict[str, Any]) -> None:
        """Enter one booking (``values`` as :meth:`BookingDialog.answer` gives them)."""
        host = self._host
        v = dict(values)

        def done(view: bookings.BookingView) -> None:
            host.info(_("Booking {code} added for {day}", code=view.code, day=view.day.isoformat()))
            self.show_day(view.day)
            self.changed.emit(view)

        host.run_job(
            "booking",
            lambda: host.desk(
                bookings.add_booking,
                v["code"],
                v["application_number"],
                v["day"],
                slot=v.get("slot"),
                name=v.get("name"),
                nik=v.get("nik"),
                category=v.get("category"),
                office=host.office,
                user=host.user,
                clock=host.clock,
            ),
            done,
        )

    def reschedule(self, code: str, day: dt.date, slot: str | None = None) -> None:
        host = self._host

        def done(view: bookings.BookingView) -> None:
            host.info(
                _("Booking {code} moved to {day} {slot}", code=view.code, day=view.day.isoformat(), slot=view.slot)
            )
            self.load()
            self.changed.emit(view)

        host.run_job(
            "booking",
            lambda: host.desk(
                bookings.reschedule, code, day, slot=slot, office=host.office, user=host.user, clock=host.clock
            ),
            done,
        )

    def _ask_add(self) -> None:
        answer = BookingDialog(self, self.day, self.categories).answer()
        if answer is not None:
            self.add(answer)

    def _ask_reschedule(self) -> None:
        row = selected(self.booking_view)
        if row is None:
            return
        answer = RescheduleDialog(self, row).answer()
        if answer is not None:
            self.reschedule(row.code, *answer)

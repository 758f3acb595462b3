"""Small dialogs of the station window, built from forms in ``ui/``."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QRadioButton,
    QWidget,
)

from counter_desk.qt.forms import child, load_form
from counter_desk.services.stations import Choice


class _FirstArrowSelects(QObject):
    """With nothing chosen yet, the first Up/Down chooses the row the list points at instead of moving past it
    (a list given the focus points at its first row without choosing it)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(watched, QListWidget)
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up)
            and not watched.selectedItems()
            and watched.count()
        ):
            row = watched.currentRow()
            watched.setCurrentRow(row if row >= 0 else 0)
            return True
        return False


class ChooseDialog:
    """Pick one of a few choices (a walk-in category, a stage), with an optional reason.

    With ``preselect=False`` nothing is chosen when it opens: OK stays disabled and a bare Enter answers
    nothing until the officer picks a row (arrows or a click). The walk-in dialog is so: a stray Enter must
    never issue a priority ticket. With ``reason_enough``, a typed reason answers without a row (the code is
    then "").
    """

    def __init__(
        self,
        parent: QWidget,
        title: str,
        prompt: str,
        choices: list[Choice],
        *,
        reason: bool,
        preselect: bool = True,
        reason_enough: bool = False,
    ) -> None:
        form = load_form("choose.ui", parent)
        assert isinstance(form, QDialog)
        self.dialog = form
        self.dialog.setWindowTitle(title)
        child(form, QLabel, "prompt").setText(prompt)
        self.choices = child(form, QListWidget, "choices")
        for c in choices:
            item = QListWidgetItem(c.name)
            item.setData(Qt.ItemDataRole.UserRole, c.code)
            self.choices.addItem(item)
        if choices and preselect:
            self.choices.setCurrentRow(0)
        self._arrows = _FirstArrowSelects(form)
        self.choices.installEventFilter(self._arrows)
        self.reason = child(form, QLineEdit, "reasonEdit")
        self.reason.setVisible(reason)
        self._reason_enough = reason_enough
        self.reason.textChanged.connect(self._chosen)
        buttons = child(form, QDialogButtonBox, "buttons")
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.dialog.reject)
        self.choices.itemActivated.connect(lambda _item: self._accept())
        self.choices.itemSelectionChanged.connect(self._chosen)
        self._chosen()
        self.choices.setFocus()  # keyboard first: arrows choose, Enter accepts, Tab goes on to the reason

    def _answered(self) -> bool:
        return self.selected() is not None or (self._reason_enough and bool(self.reason.text().strip()))

    def _chosen(self) -> None:
        self.ok.setEnabled(self._answered())

    def _accept(self) -> None:
        if self._answered():  # Enter on a list pointing at a row it has not chosen answers nothing
            self.dialog.accept()

    def selected(self) -> str | None:
        items = self.choices.selectedItems()
        return str(items[0].data(Qt.ItemDataRole.UserRole)) if items else None

    def exec(self) -> tuple[str, str] | None:
        """The chosen code and reason, or None when cancelled."""
        if self.dialog.exec() != QDialog.DialogCode.Accepted or not self._answered():
            return None
        return self.selected() or "", self.reason.text().strip()


class CallTicketDialog:
    """Call a specific ticket out of order: its number and the reason (both required)."""

    def __init__(self, parent: QWidget, number: str = "") -> None:
        form = load_form("call_ticket.ui", parent)
        assert isinstance(form, QDialog)
        self.dialog = form
        self.number = child(form, QLineEdit, "numberEdit")
        self.number.setText(number)
        self.reason = child(form, QLineEdit, "reasonEdit")
        buttons = child(form, QDialogButtonBox, "buttons")
        buttons.accepted.connect(self.dialog.accept)
        buttons.rejected.connect(self.dialog.reject)
        (self.reason if number else self.number).setFocus()

    def exec(self) -> tuple[str, str] | None:
        if self.dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return self.number.text().strip(), self.reason.text().strip()


class HandoverDialog:
    """Who collects the passport: the applicant, or a family member on the same KK (name and KK check)."""

    def __init__(self, parent: QWidget, prompt: str, applicant_name: str) -> None:
        form = load_form("handover.ui", parent)
        assert isinstance(form, QDialog)
        self.dialog = form
        child(form, QLabel, "prompt").setText(prompt)
        self.applicant = child(form, QRadioButton, "applicantRadio")
        self.family = child(form, QRadioButton, "familyRadio")
        self.name = child(form, QLineEdit, "nameEdit")
        self.same_kk = child(form, QCheckBox, "sameKkCheck")
        self._applicant_name = applicant_name
        buttons = child(form, QDialogButtonBox, "buttons")
        buttons.accepted.connect(self.dialog.accept)
        buttons.rejected.connect(self.dialog.reject)
        self.family.toggled.connect(self._family_toggled)
        self._family_toggled(False)
        self.applicant.setFocus()  # keyboard first: arrows pick applicant or family, Enter confirms

    def _family_toggled(self, family: bool) -> None:
        self.name.setEnabled(family)
        self.same_kk.setEnabled(family)
        if family:
            self.name.clear()
            self.name.setFocus()
        else:
            self.name.setText(self._applicant_name)
            self.same_kk.setChecked(False)

    def answer(self) -> tuple[str, str, bool]:
        """(``applicant`` or ``family``, the recipient's name, the KK was checked)."""
        recipient = "family" if self.family.isChecked() else "applicant"
        return recipient, self.name.text().strip(), self.same_kk.isChecked()

    def exec(self) -> tuple[str, str, bool] | None:
        if self.dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return self.answer()


class ConfirmDialog:
    """A yes/no question; No is the default, so a stray Enter changes nothing (Y answers yes)."""

    def __init__(self, parent: QWidget, title: str, question: str) -> None:
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(title)
        box.setText(question)
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        self.dialog = box

    def exec(self) -> bool | None:
        """True when confirmed, None otherwise."""
        return True if self.dialog.exec() == QMessageBox.StandardButton.Yes else None

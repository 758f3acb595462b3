"""The supervisor window's *Officers* tab: the office's officers, their roles, passwords, lockouts.

Every action goes through :mod:`counter_desk.services.auth`, which checks the acting officer's role inside the
transaction (managing officers needs ``admin``) and records the change in the audit log. A wrong input -- a
username taken, a password too short, an unknown role -- is refused with the service's message, and nothing
is written.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from counter_desk.i18n import _
from counter_desk.qt.dashboard_models import UserModel
from counter_desk.services import auth, roles
from counter_desk.views.supervisor_common import (
    FormDialog,
    Host,
    button,
    labelled,
    on_row_change,
    reselect,
    selected,
    table,
)


class _Roles(QGroupBox):
    """One check box per role, with what it allows as the tool tip."""

    def __init__(self, chosen: tuple[str, ...] = ()) -> None:
        super().__init__(_("Roles"))
        grid = QGridLayout(self)
        self.boxes: dict[str, QCheckBox] = {}
        for i, role in enumerate(roles.ROLES):
            box = QCheckBox(role)
            box.setObjectName(f"role_{role}")
            box.setToolTip(roles.role_description(role))
            box.setChecked(role in chosen)
            self.boxes[role] = box
            grid.addWidget(box, i // 3, i % 3)

    def chosen(self) -> list[str]:
        return [role for role, box in self.boxes.items() if box.isChecked()]


class _Password:
    """A password typed twice: two fields added to ``form`` (not a widget of its own: nothing here may be a
    parentless widget, which Python's garbage collector could delete on the worker thread)."""

    def __init__(self, form: QFormLayout) -> None:
        self.first = QLineEdit()
        self.first.setObjectName("password")
        self.first.setEchoMode(QLineEdit.EchoMode.Password)
        self.second = QLineEdit()
        self.second.setObjectName("passwordAgain")
        self.second.setEchoMode(QLineEdit.EchoMode.Password)
        labelled(form, _("&Password:"), self.first)
        labelled(form, _("&Repeat it:"), self.second)

    def problem(self) -> str | None:
        return None if self.first.text() == self.second.text() else _("The two passwords differ.")


class OfficerDialog(FormDialog):
    """A new officer: username, full name, roles, first password."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent, _("Add an officer"), "officerDialog")
        form = QFormLayout()
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.username.setPlaceholderText(_("e.g. wawancara2"))
        self.full_name = QLineEdit()
        self.full_name.setObjectName("fullName")
        labelled(form, _("&Username:"), self.username)
        labelled(form, _("Full &name:"), self.full_name)
        self.password = _Password(form)
        self.layout_.addLayout(form)
        self.roles = _Roles()
        self.layout_.addWidget(self.roles)
        self.finish()
        self.username.setFocus()

    def check(self) -> str | None:
        return self.password.problem()

    def answer(self) -> dict[str, Any] | None:
        if self.exec() != FormDialog.DialogCode.Accepted:
            return None
        return {
            "username": self.username.text(),
            "full_name": self.full_name.text(),
            "roles": self.roles.chosen(),
            "password": self.password.first.text(),
        }


class RolesDialog(FormDialog):
    def __init__(self, parent: QWidget, user: auth.UserView) -> None:
        super().__init__(parent, _("Roles of {user}", user=user.username), "rolesDialog")
        self.roles = _Roles(user.roles)
        self.layout_.addWidget(self.roles)
        self.finish()
        next(iter(self.roles.boxes.values())).setFocus()

    def answer(self) -> list[str] | None:
        return self.roles.chosen() if self.exec() == FormDialog.DialogCode.Accepted else None


class PasswordDialog(FormDialog):
    def __init__(self, parent: QWidget, user: auth.UserView) -> None:
        super().__init__(parent, _("New password for {user}", user=user.username), "passwordDialog")
        form = QFormLayout()
        self.password = _Password(form)
        self.layout_.addLayout(form)
        self.finish()
        self.password.first.setFocus()

    def check(self) -> str | None:
        return self.password.problem()

    def answer(self) -> str | None:
        return self.password.first.text() if self.exec() == FormDialog.DialogCode.Accepted else None


class OfficersTab(QWidget):
    """The officers with *Add officer…*, *Set roles…*, *Reset password…*, *Unlock* and *Disable* / *Enable*.

    Signals:
        changed(object): an officer was added or changed; carries the :class:`~counter_desk.services.auth.UserView`.
        listed(): the list is shown.
    """

    changed = Signal(object)
    listed = Signal()

    def __init__(self, host: Host) -> None:
        super().__init__()
        self.setObjectName("officersTab")
        self._host = host
        layout = QVBoxLayout(self)
        self.model = UserModel(self)
        self.view = table(self.model, "userView")
        layout.addWidget(self.view)
        row = QHBoxLayout()
        self.add_button = button(_("&Add officer…"), "addOfficerButton", self._ask_add)
        self.roles_button = button(_("Set &roles…"), "rolesButton", self._ask_roles)
        self.password_button = button(_("Reset &password…"), "passwordButton", self._ask_password)
        self.unlock_button = button(_("Un&lock"), "unlockButton", self._unlock_selected)
        self.active_button = button(_("&Disable…"), "activeButton", self._ask_active)
        for widget in (
            self.add_button,
            self.roles_button,
            self.password_button,
            self.unlock_button,
            self.active_button,
        ):
            row.addWidget(widget)
        row.addStretch(1)
        layout.addLayout(row)
        on_row_change(self.view, self.update_buttons)
        self.update_buttons()

    def update_buttons(self) -> None:
        free = not self._host.busy
        user: auth.UserView | None = selected(self.view)
        self.add_button.setEnabled(free)
        for widget in (self.roles_button, self.password_button, self.active_button):
            widget.setEnabled(free and user is not None)
        self.unlock_button.setEnabled(free and user is not None and self.model.locked(user))
        self.active_button.setText(_("&Enable") if user is not None and not user.active else _("&Disable…"))

    def load(self) -> None:
        host = self._host
        host.read(lambda: host.desk(auth.list_users, host.office), self._show)

    def _show(self, users: list[auth.UserView]) -> None:
        current = selected(self.view)
        self.model.set_rows(users, now=self._host.clock.now(), timezone=self._host.timezone())
        reselect(self.view, current.username if current is not None else None)
        self.update_buttons()
        self.listed.emit()

    # ------------------------------------------------------------------ actions

    def _act(self, work: Any, message: Any) -> None:
        host = self._host

        def done(view: auth.UserView) -> None:
            host.info(message(view))
            self.load()
            self.changed.emit(view)

        host.run_job("officer", work, done)

    def add(self, username: str, full_name: str, roles: list[str], password: str) -> None:
        host = self._host
        self._act(
            lambda: host.desk(
                auth.add_user,
                username,
                full_name,
                roles,
                password=password,
                office=host.office,
                actor=host.user,
                clock=host.clock,
            ),
            lambda v: _("Officer {user} added", user=v.username),
        )

    def set_roles(self, username: str, roles: list[str]) -> None:
        host = self._host
        self._act(
            lambda: host.desk(auth.set_roles, username, roles=roles, actor=host.user, clock=host.clock),
            lambda v: _("Roles of {user}: {roles}", user=v.username, roles=", ".join(v.roles) or "—"),
        )

    def reset_password(self, username: str, password: str) -> None:
        host = self._host
        self._act(
            lambda: host.desk(auth.set_password, username, password, actor=host.user, clock=host.clock),
            lambda v: _("password set for {username}", username=v.username),
        )

    def unlock(self, username: str) -> None:
        host = self._host
        self._act(
            lambda: host.desk(auth.unlock, username, actor=host.user, clock=host.clock),
            lambda v: _("{user} unlocked", user=v.username),
        )

    def set_active(self, username: str, active: bool) -> None:
        host = self._host
        self._act(
            lambda: host.desk(auth.set_active, username, active, actor=host.user, clock=host.clock),
            lambda v: _("{user} enabled", user=v.username) if v.active else _("{user} disabled", user=v.username),
        )

    # ------------------------------------------------------------------ dialogs

    def _ask_add(self) -> None:
        answer = OfficerDialog(self).answer()
        if answer is not None:
            self.add(**answer)

    def _ask_roles(self) -> None:
        user: auth.UserView | None = selected(self.view)
        if user is None:
            return
        roles = RolesDialog(self, user).answer()
        if roles is not None:
            self.set_roles(user.username, roles)

    def _ask_password(self) -> None:
        user: auth.UserView | None = selected(self.view)
        if user is None:
            return
        password = PasswordDialog(self, user).answer()
        if password is not None:
            self.reset_password(user.username, password)

    def _unlock_selected(self) -> None:
        user: auth.UserView | None = selected(self.view)
        if user is not None:
            self.unlock(user.username)

    def _ask_active(self) -> None:
        user: auth.UserView | None = selected(self.view)
        if user is None:
            return
        if not user.active:
            self.set_active(user.username, True)
            return
        answer = QMessageBox.question(
            self,
            _("Disable officer"),
            _("Disable {user}? Nobody can sign in as {user} any more; the history stays.", user=user.username),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.set_active(user.username, False)

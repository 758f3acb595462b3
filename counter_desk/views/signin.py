"""The sign-in dialog: username and password; a station window opens only after it.

The language stays as configured (there is no language choice here). Enter signs in; the check runs on a worker
thread (:class:`~counter_desk.qt.tasks.TaskRunner`), so a slow database never freezes the dialog; a wrong
password, a lockout or a dead database is shown in the dialog, which stays open for another try.

On PostgreSQL (``url``: the station's configured sign-in role) the officer signs in with their own database
login: :attr:`SignInDialog.desk` is then a desk over the officer's connection, which the window must work through,
so the database decides what the officer may do and records who did it (issue 13).

Use :func:`sign_in` (modal; returns the :class:`~counter_desk.services.auth.Officer` or None when cancelled).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QWidget
from shiboken6 import isValid

from counter_desk.clock import Clock
from counter_desk.errors import UserError
from counter_desk.i18n import _
from counter_desk.qt.forms import child, load_form
from counter_desk.qt.tasks import TaskRunner
from counter_desk.services.auth import Officer
from counter_desk.services.desk import Desk

log = logging.getLogger(__name__)


class SignInDialog(QObject):
    """The dialog of ``ui/signin.ui`` and its sign-in action.

    Signals:
        signed_in(Officer): the officer signed in (the dialog then closes with Accepted).
        failed(str): a sign-in was refused; the message is shown in the dialog.
    """

    signed_in = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        desk: Desk,
        *,
        station: str | None = None,
        office: str | None = None,
        roles: Iterable[str] | None = None,
        heading: str | None = None,
        username: str = "",
        clock: Clock | None = None,
        parent: QWidget | None = None,
        url: str | None = None,
        station_name: str | None = None,
    ) -> None:
        super().__init__(parent)
        self._station, self._office, self._clock = station, office, clock
        self._url = url
        #: The desk the window works at: ``desk``, or on PostgreSQL one over the officer's own login (after sign-in).
        self.desk: Desk = desk
        self._roles = tuple(roles) if roles is not None else None
        form = load_form("signin.ui", parent)
        assert isinstance(form, QDialog)
        self.dialog = form
        self.officer: Officer | None = None
        self.username = child(form, QLineEdit, "usernameEdit")
        self.password = child(form, QLineEdit, "passwordEdit")
        self.error = child(form, QLabel, "errorLabel")
        self.heading = child(form, QLabel, "heading")
        self.buttons = child(form, QDialogButtonBox, "buttons")
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(_("Sign in"))
        self.ok.setDefault(True)
        self.cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel.setText(_("Cancel"))  # Qt's own text is English
        if heading is None and station is not None:
            heading = _("Counter Desk: sign in to open station {station}", station=station_name or station)
        self.heading.setText(heading or _("Counter Desk: sign in to open the station"))
        self.error.setVisible(False)
        self.username.setText(username)
        # Enter anywhere in the dialog presses the default button: that is the one way in, so no double submit.
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.dialog.reject)
        self._tasks = TaskRunner(self, name="signin")
        self.dialog.finished.connect(lambda _code: self._tasks.close(wait=False))
        (self.password if username else self.username).setFocus()

    @property
    def busy(self) -> bool:
        return self._tasks.pending > 0

    def submit(self) -> None:
        """Check the username and password on the worker; the outcome comes back to the GUI thread."""
        if self.busy:
            return
        username, password = self.username.text().strip(), self.password.text()
        if not username or not password:
            self._show_error(_("type your username and password"))
            return
        self._set_busy(True)
        station, office, clock, desk, roles, url = (
            self._station,
            self._office,
            self._clock,
            self.desk,
            self._roles,
            self._url,
        )
        self._tasks.run(
            lambda: desk.sign_in(username, password, station, office=office, roles=roles, own_login=url, clock=clock),
            self._done,
            self._refused,
        )

    def _done(self, result: tuple[Officer, Desk]) -> None:
        officer, self.desk = result
        self._set_busy(False)
        self.officer = officer
        self.password.clear()
        self.signed_in.emit(officer)
        self.dialog.accept()

    def _refused(self, exc: Exception) -> None:
        self._set_busy(False)
        if isinstance(exc, UserError):
            message = exc.message
        else:
            log.error("sign-in failed", exc_info=exc)
            message = _("cannot sign in now: the database cannot be reached ({problem})", problem=type(exc).__name__)
        self.password.clear()
        self._show_error(message)
        self.failed.emit(message)

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(True)
        (self.password if self.username.text().strip() else self.username).setFocus()

    def _set_busy(self, busy: bool) -> None:
        self.ok.setEnabled(not busy)
        self.ok.setText(_("Signing in…") if busy else _("Sign in"))
        self.username.setEnabled(not busy)
        self.password.setEnabled(not busy)

    def exec(self) -> Officer | None:
        """Show the dialog modally: the signed-in officer, or None when cancelled."""
        self.dialog.exec()
        self._tasks.close(wait=True)
        return self.officer

    def close(self) -> None:
        """Close the dialog (if Qt has not deleted it yet) and stop the worker."""
        if isValid(self.dialog):
            self.dialog.reject()
        self._tasks.close(wait=True)


def sign_in(
    desk: Desk,
    *,
    station: str | None = None,
    office: str | None = None,
    roles: Iterable[str] | None = None,
    heading: str | None = None,
    parent: QWidget | None = None,
) -> Officer | None:
    """Ask for a username and password until an officer signs in (returned) or the dialog is cancelled (None).

    ``station``: the station window about to open; the officer must then hold the role of its stage
    (:data:`counter_desk.services.roles.ROLE_FOR_STAGE_KIND`) unless ``roles`` names others (the supervisor
    window: ``roles=("supervisor",)``). Every attempt, good or bad, is in the audit log.
    """
    dialog = SignInDialog(desk, station=station, office=office, roles=roles, heading=heading, parent=parent)
    return dialog.exec()

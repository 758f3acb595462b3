"""The one window-launch sequence (views/launch.py), offscreen, on both engines: sign-in, the window, the event
loop, then sign-out and teardown whatever happened."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QLineEdit, QWidget
from sqlalchemy import text

from counter_desk.clock import FixedClock
from counter_desk.errors import InvalidInput
from counter_desk.services import auth
from counter_desk.services.auth import Officer
from counter_desk.services.desk import Desk
from counter_desk.store.engine import Database
from counter_desk.views.app import application
from counter_desk.views.launch import SignIn, run_window

PASSWORD = "rahasia-kasi-1"


class Window(QWidget):
    """Counts its closeEvents: the teardown of a real window (live feed, timers, worker) runs there, once."""

    def __init__(self) -> None:
        super().__init__()
        self.closed = 0

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closed += 1
        super().closeEvent(event)


def _audit_kinds(db: Database) -> list[str]:
    with db.read() as s:
        return list(s.execute(text("SELECT kind FROM audit_log ORDER BY id")).scalars())


def _type_password_when_asked() -> None:
    """As the officer would: the password into the sign-in dialog once it is up, then OK."""
    dialog = QApplication.activeModalWidget()
    if not isinstance(dialog, QDialog):
        QTimer.singleShot(20, _type_password_when_asked)
        return
    password = dialog.findChild(QLineEdit, "passwordEdit")
    buttons = dialog.findChild(QDialogButtonBox, "buttons")
    assert password is not None and buttons is not None
    password.setText(PASSWORD)
    buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def test_signs_in_opens_the_window_and_signs_out_after_it_closed(db: Database, clock: FixedClock) -> None:
    application("en")
    auth.set_password(db, "kasi", PASSWORD, clock=clock)
    made: list[tuple[Window, Desk, Officer | None]] = []
    desk = Desk(db)

    def make(work: Desk, officer: Officer | None) -> Window:
        window = Window()
        made.append((window, work, officer))
        QTimer.singleShot(0, window.close)  # the officer closes the window: the last one, so the loop ends
        return window

    QTimer.singleShot(0, _type_password_when_asked)
    ask = SignIn(office=None, roles=("supervisor",), heading="Supervisor", username="kasi")
    assert run_window(desk, make, language="en", sign_in=ask) == 0

    [(window, work, officer)] = made
    assert work is desk and officer is not None and officer.username == "kasi"
    assert window.closed == 1  # closed by the officer: not closed a second time
    assert _audit_kinds(db)[-2:] == ["signin", "signout"]


def test_a_window_still_open_when_the_loop_ends_is_closed(db: Database) -> None:
    app = application("en")
    made: list[Window] = []

    desk = Desk(db)

    def make(work: Desk, officer: Officer | None) -> Window:
        assert work is desk and officer is None  # no sign-in asked
        made.append(Window())
        QTimer.singleShot(0, lambda: app.exit(0))  # the loop ends, the window left open (quit() would close it)
        return made[-1]

    before = _audit_kinds(db)
    assert run_window(desk, make, language="en") == 0
    assert made[0].closed == 1 and not made[0].isVisible()
    assert _audit_kinds(db) == before  # nobody signed in, nobody signs out


def test_a_window_that_cannot_be_shown_is_torn_down_and_the_error_kept(db: Database) -> None:
    made: list[Window] = []

    def make(work: Desk, officer: Officer | None) -> Window:
        made.append(Window())
        return made[-1]

    def show(window: QWidget) -> None:
        raise InvalidInput("there is no screen 3")

    with pytest.raises(InvalidInput, match="no screen 3"):
        run_window(Desk(db), make, language="en", show=show)
    assert made[0].closed == 1

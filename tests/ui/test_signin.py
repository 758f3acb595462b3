"""The sign-in dialog, for real, offscreen, on both engines: Enter signs in; refusals are shown in the dialog."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from counter_desk.clock import FixedClock
from counter_desk.services import auth, rules
from counter_desk.services.desk import Desk
from counter_desk.store.engine import Database
from counter_desk.views.app import application
from counter_desk.views.signin import SignInDialog

WAIT_MS = 5000
PASSWORD = "rahasia-kantor-1"


@pytest.fixture
def dialog(qtbot: QtBot, db: Database, clock: FixedClock) -> Iterator[SignInDialog]:
    application("en")
    auth.set_password(db, "wawancara1", PASSWORD, clock=clock)
    signin = SignInDialog(Desk(db), station="interview-2", clock=clock)
    qtbot.addWidget(signin.dialog)
    signin.dialog.show()
    qtbot.waitExposed(signin.dialog)
    yield signin
    signin.close()


def _type(qtbot: QtBot, signin: SignInDialog, username: str, password: str) -> None:
    signin.username.clear()
    qtbot.keyClicks(signin.username, username)
    signin.password.setFocus()
    qtbot.keyClicks(signin.password, password)


def _audit_kinds(db: Database) -> list[str]:
    with db.read() as s:
        return list(s.execute(text("SELECT kind FROM audit_log ORDER BY id")).scalars())


def test_enter_signs_in_and_closes_the_dialog(dialog: SignInDialog, qtbot: QtBot, db: Database) -> None:
    _type(qtbot, dialog, "wawancara1", PASSWORD)

    with qtbot.waitSignal(dialog.signed_in, timeout=WAIT_MS) as signed:
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)

    officer = signed.args[0]
    assert (officer.username, officer.roles) == ("wawancara1", frozenset({"interview"}))
    assert dialog.officer == officer
    assert dialog.dialog.result() == QDialog.DialogCode.Accepted and not dialog.dialog.isVisible()
    assert _audit_kinds(db)[-1] == "signin"


def test_a_wrong_password_is_shown_in_the_dialog_which_stays_open(
    dialog: SignInDialog, qtbot: QtBot, db: Database
) -> None:
    _type(qtbot, dialog, "wawancara1", "not-my-password")

    with qtbot.waitSignal(dialog.failed, timeout=WAIT_MS) as failed:
        qtbot.keyClick(dialog.password, Qt.Key.Key_Enter)

    assert failed.args == ["wrong username or password"]
    assert dialog.error.isVisible() and dialog.error.text() == "wrong username or password"
    assert dialog.dialog.isVisible() and dialog.officer is None
    assert dialog.password.text() == "" and dialog.username.text() == "wawancara1"
    assert dialog.ok.isEnabled() and dialog.ok.text() == "Sign in"
    assert _audit_kinds(db)[-1] == "signin_failed"

    _type(qtbot, dialog, "wawancara1", PASSWORD)  # another try in the same dialog
    with qtbot.waitSignal(dialog.signed_in, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)


def test_an_officer_without_the_stations_role_is_refused_in_the_dialog(
    dialog: SignInDialog, qtbot: QtBot, db: Database, clock: FixedClock
) -> None:
    auth.set_password(db, "penerimaan1", PASSWORD, clock=clock)  # reception; the dialog is for interview-2
    _type(qtbot, dialog, "penerimaan1", PASSWORD)

    with qtbot.waitSignal(dialog.failed, timeout=WAIT_MS) as failed:
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)

    assert failed.args == ["penerimaan1 may not do this: it needs the role interview"]
    assert dialog.dialog.isVisible() and dialog.officer is None
    assert _audit_kinds(db)[-1] == "signin_refused"


def test_the_lockout_message(dialog: SignInDialog, qtbot: QtBot, db: Database, clock: FixedClock) -> None:
    rules.update(db, None, {"lockout_attempts": 1, "lockout_minutes": 30}, clock=clock)
    _type(qtbot, dialog, "wawancara1", "not-my-password")

    with qtbot.waitSignal(dialog.failed, timeout=WAIT_MS) as failed:
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)

    assert "locked until 09:30" in failed.args[0] and "locked until 09:30" in dialog.error.text()


def test_empty_fields_are_named_without_asking_the_database(dialog: SignInDialog, qtbot: QtBot, db: Database) -> None:
    before = _audit_kinds(db)
    qtbot.keyClick(dialog.username, Qt.Key.Key_Return)
    assert dialog.error.text() == "type your username and password" and not dialog.busy
    assert _audit_kinds(db) == before


def test_the_dialog_speaks_the_configured_language(qtbot: QtBot, db: Database) -> None:
    application("id")
    signin = SignInDialog(db)
    qtbot.addWidget(signin.dialog)
    try:
        assert signin.dialog.windowTitle() == "Masuk"
        assert signin.ok.text() == "Masuk"
        labels = {
            w.objectName(): w.text()
            for w in (signin.dialog.findChild(type(signin.error), n) for n in ("usernameLabel", "passwordLabel"))
            if w is not None
        }
        assert labels == {"usernameLabel": "Nama pengguna", "passwordLabel": "Kata sandi"}
    finally:
        signin.close()
        application("en")

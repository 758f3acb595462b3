"""Issue #14 at the counter, real windows offscreen on both engines: what reception checks against the KTP, the
office-hours refusal with a supervisor's override, the adjudicator's view of the file, park/resume, the booth's
pause, and the F-keys shown on the buttons."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable

import pytest
from conftest import booking_code
from helpers import events
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import text
from ui_helpers import open_station

from counter_desk.clock import FixedClock
from counter_desk.services import auth, rules
from counter_desk.services.queue import QueueService
from counter_desk.store.engine import Database
from counter_desk.views.app import application
from counter_desk.views.station import SHORTCUTS, StationWindow

WAIT_MS = 5000


@pytest.fixture
def open_window(qtbot: QtBot, db: Database, clock: FixedClock) -> Callable[..., StationWindow]:
    application("en")
    return functools.partial(open_station, qtbot, db, clock)


def test_reception_shows_what_to_check_against_the_ktp(open_window: Callable[..., StationWindow], qtbot: QtBot) -> None:
    reception = open_window("reception-1")
    with qtbot.waitSignal(reception.acted, timeout=WAIT_MS) as blocker:
        reception.scan(booking_code(2))
    info = blocker.args[0].check_in
    assert info is not None and info.name_masked and info.nik_masked
    shown = reception.id_check.text()
    assert reception.id_check.isVisible() and shown.startswith("Check against the KTP")
    assert info.name_masked in shown and info.nik_masked in shown and "*" in info.nik_masked
    assert info.application_number in shown
    assert reception.arrival_flag.isVisible()
    assert reception.arrival_flag.text().split(":")[0] in {"early", "on time", "late"}
    # A walk-in has no booking to check: the flag says walk-in, the KTP lines go.
    with qtbot.waitSignal(reception.acted, timeout=WAIT_MS):
        reception.walk_in("elderly")
    assert reception.arrival_flag.text() == "walk-in" and not reception.id_check.isVisible()


def test_after_hours_check_in_is_refused_with_an_override(
    open_window: Callable[..., StationWindow], db: Database, clock: FixedClock, qtbot: QtBot
) -> None:
    rules.update(db, None, {"checkin_hours": "enforce"})  # the test office allows any hour (conftest)
    clock.set(dt.datetime(2026, 11, 23, 13, 0, tzinfo=dt.UTC))  # Monday 20:00 in Jakarta: closed
    reception = open_window("reception-1", user="penerimaan1")
    with qtbot.waitSignal(reception.failed, timeout=WAIT_MS) as refused:
        reception.scan(booking_code(3))
    assert "closed" in refused.args[0]
    assert reception.override_button.isVisible() and reception.result_number.text() == ""
    assert not [e for e in events(db) if e["kind"] == "checked_in"]

    with qtbot.waitSignal(reception.acted, timeout=WAIT_MS) as blocker:
        reception.check_in_override(booking_code(3), "kasi")
    assert blocker.args[0].ticket.booking_code == booking_code(3)
    assert "let through by kasi" in reception.arrival_flag.text()
    assert not reception.override_button.isVisible()
    with db.read() as s:
        kinds = s.execute(text("SELECT kind FROM audit_log")).scalars().all()
    assert "checkin_override" in kinds

    # A walk-in after hours too: refused, then let through the same way.
    with qtbot.waitSignal(reception.failed, timeout=WAIT_MS):
        reception.walk_in("child")
    assert reception.override_button.isVisible()
    with qtbot.waitSignal(reception.acted, timeout=WAIT_MS) as blocker:
        reception.check_in_override(None, "kasi", walk_in=reception.reception_panel.override_walk_in)
    assert blocker.args[0].ticket.number.startswith("P-")


def test_adjudicator_sees_the_application_and_the_masked_name(
    open_window: Callable[..., StationWindow], queue: QueueService, qtbot: QtBot
) -> None:
    issued = queue.check_in(booking_code(4))
    queue.call_next("interview-1")
    queue.transfer("adjudication", station="interview-1")
    adjudicator = open_window("adjudicator")
    with qtbot.waitSignal(adjudicator.acted, timeout=WAIT_MS):
        adjudicator.call_next()
    info = issued.check_in
    assert info is not None
    qtbot.waitUntil(lambda: adjudicator.applicant_label.text() != "", timeout=WAIT_MS)
    assert adjudicator.applicant_label.text() == f"Application {info.application_number} · {info.name_masked}"
    assert adjudicator.buttons["approve"].text() == f"Approve ({SHORTCUTS['approve']})"


def test_park_resume_and_pause_at_the_booth(
    open_window: Callable[..., StationWindow], queue: QueueService, qtbot: QtBot
) -> None:
    for n in (5, 6):
        queue.check_in(booking_code(n))
    booth = open_window("interview-3", user="wawancara1")
    assert booth.buttons["call_next"].text() == "Call next (F2)"
    assert booth.buttons["park"].isVisible() and not booth.buttons["park"].isEnabled()
    with qtbot.waitSignal(booth.acted, timeout=WAIT_MS):
        booth.call_next()
    with qtbot.waitSignal(booth.acted, timeout=WAIT_MS):
        booth.park("fetching a photocopy of the family card (KK)")
    assert booth.current_number.text() == "—"
    qtbot.waitUntil(lambda: "Parked here: A-001" in booth.booth_state.text(), timeout=WAIT_MS)
    assert booth.booth_state.isVisible()
    assert booth.buttons["resume"].isEnabled()

    with qtbot.waitSignal(booth.acted, timeout=WAIT_MS):
        booth.resume_parked()  # the applicant is back: same booth, same ticket
    assert booth.current_number.text() == "A-001"
    with qtbot.waitSignal(booth.acted, timeout=WAIT_MS):
        booth.finish()

    with qtbot.waitSignal(booth.acted, timeout=WAIT_MS):
        booth.pause("prayer")
    qtbot.waitUntil(lambda: "Booth paused since" in booth.booth_state.text(), timeout=WAIT_MS)
    assert "Booth paused since" in booth.booth_state.text() and "prayer" in booth.booth_state.text()
    assert booth.buttons["pause"].text() == f"Open the booth again ({SHORTCUTS['pause']})"
    with qtbot.waitSignal(booth.failed, timeout=WAIT_MS) as refused:
        booth.call_next()
    assert "paus" in refused.args[0]
    with qtbot.waitSignal(booth.acted, timeout=WAIT_MS):
        booth.unpause()
    qtbot.waitUntil(lambda: not booth.booth_state.isVisible(), timeout=WAIT_MS)
    with qtbot.waitSignal(booth.acted, timeout=WAIT_MS) as called:
        booth.call_next()
    assert called.args[0].ticket.number == "A-002"


def test_the_override_button_asks_a_supervisor_to_sign_in(
    open_window: Callable[..., StationWindow], db: Database, clock: FixedClock, qtbot: QtBot
) -> None:
    """The clerk presses "Let through": the supervisor signs in at the reception PC (the sign-in dialog, which
    refuses an officer without the supervisor role), and the check-in goes through in their name."""
    auth.set_password(db, "kasi", "rahasia-sekali")
    rules.update(db, None, {"checkin_hours": "enforce"})  # the test office allows any hour (conftest)
    clock.set(dt.datetime(2026, 11, 23, 13, 0, tzinfo=dt.UTC))  # Monday 20:00 in Jakarta: closed
    reception = open_window("reception-1", user="penerimaan1")
    with qtbot.waitSignal(reception.failed, timeout=WAIT_MS):
        reception.scan(booking_code(8))
    seen: list[str] = []

    def sign_in() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QDialog):
            QTimer.singleShot(10, sign_in)
            return
        QTimer.singleShot(8000, dialog.reject)  # the test fails instead of hanging
        user = dialog.findChild(QLineEdit, "usernameEdit")
        password = dialog.findChild(QLineEdit, "passwordEdit")
        assert user is not None and password is not None
        seen.append(dialog.windowTitle())
        user.setText("kasi")
        password.setText("rahasia-sekali")
        qtbot.keyClick(password, Qt.Key.Key_Return)

    QTimer.singleShot(0, sign_in)
    with qtbot.waitSignal(reception.acted, timeout=15000) as blocker:
        qtbot.mouseClick(reception.override_button, Qt.MouseButton.LeftButton)
    assert seen
    assert blocker.args[0].ticket.booking_code == booking_code(8)
    assert blocker.args[0].check_in.override_by == "kasi"
    # Afterwards the window goes on as before (the sign-in dialog is gone by itself).
    with qtbot.waitSignal(reception.failed, timeout=WAIT_MS):
        reception.scan(booking_code(9))

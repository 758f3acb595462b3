"""The supervisor window without a mouse: every flow below is driven by key presses only (qtbot.keyClick /
keyClicks to whatever widget has the keyboard focus), on both engines, offscreen.

Ctrl+Tab / Ctrl+PgDown / Alt+<letter> switch tabs, the tables take the focus and the arrow keys choose the row,
Alt+<letter> presses an action button, Ctrl+S saves the rules, Enter accepts a dialog and Escape cancels it.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from dashboard_day import simulate_day
from helpers import events, snapshot
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit, QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from counter_desk.clock import FixedClock
from counter_desk.services import auth, calendar, rules
from counter_desk.services.desk import Desk
from counter_desk.store.engine import Database
from counter_desk.views.app import application
from counter_desk.views.supervisor import SupervisorWindow
from counter_desk.views.supervisor_holidays import HolidayDialog
from counter_desk.views.supervisor_officers import OfficerDialog
from counter_desk.views.supervisor_tickets import ReasonDialog

WAIT_MS = 5000
ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def window(qtbot: QtBot, db: Database, clock: FixedClock) -> SupervisorWindow:
    application("en")
    simulate_day(db, clock)
    w = SupervisorWindow(Desk(db), clock=clock, user="kasi", live=False)
    qtbot.addWidget(w)
    w.show()
    w.activateWindow()
    qtbot.waitUntil(
        lambda: (
            w._dashboard is not None
            and w.rules_tab.rules is not None
            and w.officers_tab.model.rowCount() > 0
            and w.rules_tab.holidays_box.model.rowCount() > 0
        ),
        timeout=WAIT_MS,
    )
    qtbot.waitUntil(w.isActiveWindow, timeout=WAIT_MS)
    return w


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def _active(qtbot: QtBot) -> None:
    """After a dialog closes, a window manager gives the window the focus back; the offscreen platform does not,
    so do what it would: activate the window again (it restores its own focus widget)."""
    if QApplication.focusWidget() is None and QApplication.activeModalWidget() is None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, SupervisorWindow) and widget.isVisible():
                widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=WAIT_MS)


def key(qtbot: QtBot, k: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """Press ``k`` where the keyboard focus is (as a keyboard would)."""
    _active(qtbot)
    qtbot.keyClick(focused(), k, modifier)


def type_text(qtbot: QtBot, text_: str) -> None:
    _active(qtbot)
    qtbot.keyClicks(focused(), text_)


def when_modal(kind: type[QWidget], keys: Callable[[Any], None]) -> list[str]:
    """Once a modal dialog of ``kind`` is open, answer it with ``keys(dialog)`` (key presses only)."""
    seen: list[str] = []

    def look(tries: int = 0) -> None:
        dialog = QApplication.activeModalWidget()
        focus = QApplication.focusWidget()
        if not isinstance(dialog, kind) or focus is None or not dialog.isAncestorOf(focus):
            if tries < 150:
                QTimer.singleShot(20, lambda: look(tries + 1))
            elif dialog is not None:  # never hang the suite on a dialog the keys could not reach
                seen.append(f"gave up on {dialog!r}, focus {QApplication.focusWidget()!r}")
                dialog.close()
            return
        seen.append(dialog.windowTitle())
        try:
            keys(dialog)
        except AssertionError as exc:
            seen.append(f"failed: {exc}")
            dialog.close()

    QTimer.singleShot(0, look)
    return seen


def selected_key(view: Any) -> str | None:
    index = view.currentIndex()
    return view.model().index(index.row(), 0).data(Qt.ItemDataRole.UserRole) if index.isValid() else None


def test_tabs_switch_with_ctrl_tab_ctrl_pgdown_and_alt_letters(window: SupervisorWindow, qtbot: QtBot) -> None:
    w = window
    assert w.tabs.currentIndex() == 0
    key(qtbot, Qt.Key.Key_Tab, CTRL)
    assert w.tabs.currentIndex() == 1 and focused() is w.tickets_tab.ticket_view
    key(qtbot, Qt.Key.Key_PageDown, CTRL)
    assert w.tabs.currentIndex() == 2 and focused() is w.findChild(QLineEdit, "rule_office_open")
    key(qtbot, Qt.Key.Key_PageDown, CTRL)
    assert w.tabs.currentIndex() == 3 and focused() is w.bookings_tab.booking_view
    key(qtbot, Qt.Key.Key_Tab, CTRL | SHIFT)
    assert w.tabs.currentIndex() == 2
    key(qtbot, Qt.Key.Key_F, ALT)
    assert w.tabs.currentIndex() == 4 and focused() is w.officers_tab.view
    key(qtbot, Qt.Key.Key_O, ALT)
    assert w.tabs.currentIndex() == 0 and focused() is w.overview_tab.station_view
    key(qtbot, Qt.Key.Key_PageUp, CTRL)
    assert w.tabs.currentIndex() == 5 and focused() is w.plan_tab.plan_button


def test_move_a_ticket_and_cancel_a_dialog_by_keys(window: SupervisorWindow, db: Database, qtbot: QtBot) -> None:
    w = window
    key(qtbot, Qt.Key.Key_T, ALT)
    assert w.tabs.currentIndex() == 1 and focused() is w.tickets_tab.ticket_view
    key(qtbot, Qt.Key.Key_Down)  # the first row: A-001, held at interview-2
    key(qtbot, Qt.Key.Key_Down)  # A-002, waiting for the interview
    assert selected_key(w.tickets_tab.ticket_view) == "A-002" and w.tickets_tab.move_button.isEnabled()

    # Escape cancels: nothing written.
    before = snapshot(db)
    seen = when_modal(ReasonDialog, lambda d: key(qtbot, Qt.Key.Key_Escape))
    key(qtbot, Qt.Key.Key_M, ALT)  # a mnemonic "animates" the click: the dialog opens a moment later
    qtbot.waitUntil(lambda: seen == ["Move to another stage"] and QApplication.activeModalWidget() is None)
    assert snapshot(db) == before

    # Enter with no reason does nothing (OK is disabled); with a reason it moves the ticket.
    def answer(dialog: ReasonDialog) -> None:
        assert focused() is dialog.reason
        key(qtbot, Qt.Key.Key_Return)
        assert dialog.isVisible()
        type_text(qtbot, "berkas lengkap")
        key(qtbot, Qt.Key.Key_Tab, SHIFT)  # to the stage
        assert focused() is dialog.choice
        key(qtbot, Qt.Key.Key_Down)  # reception -> adjudication
        key(qtbot, Qt.Key.Key_Return)

    seen = when_modal(ReasonDialog, answer)
    with qtbot.waitSignal(w.acted, timeout=WAIT_MS) as blocker:
        key(qtbot, Qt.Key.Key_M, ALT)
    assert (blocker.args[0].ticket.number, blocker.args[0].ticket.stage) == ("A-002", "adjudication")
    last = events(db)[-1]
    assert (last["kind"], last["reason"]) == ("transferred", "berkas lengkap")

    # Release the station holding A-001 from the same table: Up, Alt+R, reason, Enter.
    key(qtbot, Qt.Key.Key_Home, CTRL)
    qtbot.waitUntil(lambda: selected_key(w.tickets_tab.ticket_view) == "A-001", timeout=WAIT_MS)
    when_modal(ReasonDialog, lambda d: (type_text(qtbot, "petugas istirahat"), key(qtbot, Qt.Key.Key_Enter)))
    with qtbot.waitSignal(w.acted, timeout=WAIT_MS) as blocker:
        key(qtbot, Qt.Key.Key_R, ALT)
    assert (blocker.args[0].ticket.number, blocker.args[0].ticket.status) == ("A-001", "waiting")


def test_change_a_rule_and_save_with_ctrl_s(window: SupervisorWindow, db: Database, qtbot: QtBot) -> None:
    w = window
    key(qtbot, Qt.Key.Key_U, ALT)
    assert focused() is w.findChild(QLineEdit, "rule_office_open")
    key(qtbot, Qt.Key.Key_Tab)  # office closes
    assert focused() is w.findChild(QLineEdit, "rule_office_close")
    key(qtbot, Qt.Key.Key_A, CTRL)
    type_text(qtbot, "16:45")
    with qtbot.waitSignal(w.rules_saved, timeout=WAIT_MS):
        key(qtbot, Qt.Key.Key_S, CTRL)
    assert rules.current(db)["office_close"] == "16:45"
    # Alt+S presses the Save button too.
    key(qtbot, Qt.Key.Key_A, CTRL)
    type_text(qtbot, "16:15")
    with qtbot.waitSignal(w.rules_saved, timeout=WAIT_MS):
        key(qtbot, Qt.Key.Key_S, ALT)
    assert rules.current(db)["office_close"] == "16:15"


def test_add_a_holiday_by_keys(window: SupervisorWindow, db: Database, qtbot: QtBot) -> None:
    w = window
    key(qtbot, Qt.Key.Key_U, ALT)

    def answer(dialog: HolidayDialog) -> None:
        assert focused() is dialog.name
        type_text(qtbot, "Libur daerah")
        key(qtbot, Qt.Key.Key_D, ALT)  # the day: its year section
        assert focused() is dialog.day
        key(qtbot, Qt.Key.Key_Up)  # 2027-11-23
        key(qtbot, Qt.Key.Key_Return)

    seen = when_modal(HolidayDialog, answer)
    with qtbot.waitSignal(w.rules_tab.holidays_box.changed, timeout=WAIT_MS, raising=False) as blocker:
        key(qtbot, Qt.Key.Key_A, ALT)
    assert seen == ["Add a holiday"]
    assert blocker.signal_triggered, w.banner.text()
    assert (blocker.args[0].day.isoformat(), blocker.args[0].name) == ("2027-11-23", "Libur daerah")

    # Remove it again: Tab to the holidays table, Ctrl+End, Alt+M, Enter on the question (Yes is default).
    qtbot.waitUntil(lambda: w.rules_tab.holidays_box.model.rowCount() == 4, timeout=WAIT_MS)
    _active(qtbot)
    for _ in range(30):  # Tab down the rules to the holidays table
        if focused() is w.rules_tab.holidays_box.view:
            break
        key(qtbot, Qt.Key.Key_Tab)
    assert focused() is w.rules_tab.holidays_box.view
    key(qtbot, Qt.Key.Key_End, CTRL)
    assert selected_key(w.rules_tab.holidays_box.view) == "2027-11-23"
    when_modal(QMessageBox, lambda box: key(qtbot, Qt.Key.Key_Return))
    with qtbot.waitSignal(w.rules_tab.holidays_box.changed, timeout=WAIT_MS):
        key(qtbot, Qt.Key.Key_M, ALT)
    assert "2027-11-23" not in [h.day.isoformat() for h in calendar.holidays(db)]


# The file dialog's completer pops up under the typed path; the offscreen platform cannot raise it nor grab the
# keyboard for it, and says so.
@pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing the keyboard)")
def test_import_a_bookings_file_by_keys(window: SupervisorWindow, db: Database, tmp_path: Path, qtbot: QtBot) -> None:
    w = window
    path = tmp_path / "mpaspor.csv"
    path.write_bytes(
        codecs.BOM_UTF8
        + b"Kode Booking;Nomor Permohonan;Nama;Tanggal;Jam\r\n"
        + b"MPK0001;3505202611240001;Budi Santoso;24/11/2026;08:00-09:00\r\n"
        + b"MPK0002;3505202611240002;Siti;30/02/2026;08:00-09:00\r\n"
    )
    key(qtbot, Qt.Key.Key_B, ALT)
    assert w.tabs.currentIndex() == 3

    def answer(dialog: QFileDialog) -> None:
        type_text(qtbot, str(path))
        key(qtbot, Qt.Key.Key_Return)

    seen = when_modal(QFileDialog, answer)
    with qtbot.waitSignal(w.bookings_tab.imported, timeout=WAIT_MS) as blocker:
        key(qtbot, Qt.Key.Key_I, ALT)
    assert seen == ["Import the M-Paspor export"]
    assert (blocker.args[0].imported, len(blocker.args[0].rejected)) == (1, 1)
    assert w.bookings_tab.rejection_model.index(0, 0).data() == "3"
    with db.read() as s:
        assert s.execute(text("SELECT count(*) FROM bookings WHERE code = 'MPK0001'")).scalar_one() == 1


def test_add_an_officer_and_reset_a_password_by_keys(window: SupervisorWindow, db: Database, qtbot: QtBot) -> None:
    w = window
    key(qtbot, Qt.Key.Key_F, ALT)

    def answer(dialog: OfficerDialog) -> None:
        type_text(qtbot, "pengambilan2")
        key(qtbot, Qt.Key.Key_Tab)
        type_text(qtbot, "Petugas Pengambilan 2")
        key(qtbot, Qt.Key.Key_Tab)
        type_text(qtbot, "rahasia-sekali")
        key(qtbot, Qt.Key.Key_Tab)
        type_text(qtbot, "rahasia-sekali")
        for _ in range(4):  # reception, interview, adjudicator, pickup
            key(qtbot, Qt.Key.Key_Tab)
        assert focused() is dialog.roles.boxes["pickup"]
        key(qtbot, Qt.Key.Key_Space)
        key(qtbot, Qt.Key.Key_Return)

    seen = when_modal(OfficerDialog, answer)
    with qtbot.waitSignal(w.officers_tab.changed, timeout=WAIT_MS) as blocker:
        key(qtbot, Qt.Key.Key_A, ALT)
    assert seen == ["Add an officer"]
    assert (blocker.args[0].username, blocker.args[0].roles) == ("pengambilan2", ("pickup",))
    assert auth.authenticate(db, "pengambilan2", "rahasia-sekali").username == "pengambilan2"

    # Choose the new officer with the arrows and reset the password: Alt+P, twice, Enter.
    qtbot.waitUntil(lambda: w.officers_tab.model.rowCount() == 6, timeout=WAIT_MS)
    _active(qtbot)
    assert focused() is w.officers_tab.view
    key(qtbot, Qt.Key.Key_Home, CTRL)
    for _ in range(w.officers_tab.model.rowCount()):
        if selected_key(w.officers_tab.view) == "pengambilan2":
            break
        key(qtbot, Qt.Key.Key_Down)
    assert selected_key(w.officers_tab.view) == "pengambilan2"

    def password(dialog: Any) -> None:
        type_text(qtbot, "kata-sandi-baru")
        key(qtbot, Qt.Key.Key_Tab)
        type_text(qtbot, "kata-sandi-baru")
        key(qtbot, Qt.Key.Key_Return)

    when_modal(QWidget, password)
    with qtbot.waitSignal(w.officers_tab.changed, timeout=WAIT_MS):
        key(qtbot, Qt.Key.Key_P, ALT)
    assert auth.authenticate(db, "pengambilan2", "kata-sandi-baru").username == "pengambilan2"


def test_tab_order_of_the_rules_tab(window: SupervisorWindow, qtbot: QtBot) -> None:
    """Tab walks the rules top to bottom, the wait targets, Save, then the holidays and their buttons."""
    w = window
    key(qtbot, Qt.Key.Key_U, ALT)
    names = [focused().objectName()]
    for _ in range(len(rules.RULES) + 4 + 2):
        key(qtbot, Qt.Key.Key_Tab)
        names.append(focused().objectName())
    stages = [s.code for s in w._dashboard.stages]  # type: ignore[union-attr]
    assert names == [
        *(f"rule_{k}" for k in rules.RULES),
        *(f"target_{code}" for code in stages),
        "saveRulesButton",
        "holidayView",
        "addHolidayButton",
    ]


def test_tab_order_of_the_tickets_and_officers_tabs(window: SupervisorWindow, qtbot: QtBot) -> None:
    w = window
    key(qtbot, Qt.Key.Key_T, ALT)
    key(qtbot, Qt.Key.Key_Home, CTRL)  # A-001, held by interview-2: Move and Release are enabled
    assert selected_key(w.tickets_tab.ticket_view) == "A-001"
    names = [focused().objectName()]
    for _ in range(2):
        key(qtbot, Qt.Key.Key_Tab)
        names.append(focused().objectName())
    assert names == ["ticketView", "moveButton", "releaseTicketButton"]  # Reopen is disabled: skipped
    key(qtbot, Qt.Key.Key_F, ALT)
    key(qtbot, Qt.Key.Key_Down)
    names = [focused().objectName()]
    for _ in range(4):
        key(qtbot, Qt.Key.Key_Tab)
        names.append(focused().objectName())
    assert names == ["userView", "addOfficerButton", "rolesButton", "passwordButton", "activeButton"]


def _mnemonic(text_: str) -> str | None:
    index = text_.replace("&&", "").find("&")
    return text_.replace("&&", "")[index + 1].lower() if index >= 0 else None


@pytest.mark.parametrize("language", ["en", "id"])
def test_every_action_button_has_its_own_alt_letter(window: SupervisorWindow, qtbot: QtBot, language: str) -> None:
    """In each tab, every button has an Alt+letter, and no two of them (nor a tab's) share one, in either language."""
    from counter_desk import i18n
    from counter_desk.views.app import application as app_for

    app_for(language)
    w = SupervisorWindow(window.desk, clock=window.clock, user="kasi", live=False)
    qtbot.addWidget(w)
    try:
        tab_letters = [_mnemonic(w.tabs.tabText(i)) for i in range(w.tabs.count())]
        assert None not in tab_letters and len(set(tab_letters)) == len(tab_letters), tab_letters
        for i in range(w.tabs.count()):
            page = w.tabs.widget(i)
            buttons = [b for b in page.findChildren(QPushButton) if b.window() is w]
            letters = [_mnemonic(b.text()) for b in buttons]
            assert buttons and None not in letters, [b.text() for b in buttons]
            unique = len(set(letters)) == len(letters) and not set(letters) & set(tab_letters)
            assert unique, (language, w.tabs.tabText(i), [b.text() for b in buttons])
    finally:
        w.close()
        i18n.set_language("en")

"""The supervisor window's Bookings and Officers tabs, the holidays of its Rules tab, and one Save as one
transaction: for real, offscreen, on both engines; every action through the window's worker."""

from __future__ import annotations

import codecs
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import MONDAY, booking_code
from helpers import snapshot
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox, QSpinBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from counter_desk.clock import FixedClock
from counter_desk.errors import InvalidInput
from counter_desk.services import auth, bookings, calendar, rules
from counter_desk.services.desk import Desk
from counter_desk.services.pickups import PickupService
from counter_desk.services.queue import QueueService
from counter_desk.store.engine import Database
from counter_desk.views.app import application
from counter_desk.views.supervisor import SupervisorWindow
from counter_desk.views.supervisor_bookings import BookingDialog
from counter_desk.views.supervisor_holidays import HolidayDialog
from counter_desk.views.supervisor_officers import OfficerDialog

WAIT_MS = 5000
TUESDAY = dt.date(2026, 11, 24)
FRIDAY = dt.date(2026, 11, 27)
HEADER = "Kode Booking;Nomor Permohonan;Nama;Tanggal;Jam;Layanan"


@pytest.fixture
def open_window(qtbot: QtBot, db: Database, clock: FixedClock) -> Callable[..., SupervisorWindow]:
    application("en")

    def make(**kwargs: object) -> SupervisorWindow:
        kwargs.setdefault("user", "kasi")
        kwargs.setdefault("live", False)
        window = SupervisorWindow(Desk(db), clock=clock, **kwargs)  # type: ignore[arg-type]
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(
            lambda: (
                window._dashboard is not None
                and window.rules_tab.rules is not None
                and window.officers_tab.model.rowCount() > 0
                and window.rules_tab.holidays_box.model.rowCount() > 0
                and window.bookings_tab.booking_model.rowCount() > 0
            ),
            timeout=WAIT_MS,
        )
        return window

    return make


def when_modal(kind: type[QWidget], act: Callable[[Any], None]) -> list[str]:
    """Run ``act(dialog)`` on the next modal dialog of ``kind`` once it is open; its title is recorded."""
    seen: list[str] = []

    def look(tries: int = 0) -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, kind):
            if tries < 200:
                QTimer.singleShot(20, lambda: look(tries + 1))
            return
        seen.append(dialog.windowTitle())
        act(dialog)

    QTimer.singleShot(0, look)
    return seen


def write(tmp_path: Path, name: str, lines: list[str], *, bom: bool = True) -> Path:
    path = tmp_path / name
    data = ("\r\n".join(lines) + "\r\n").encode()
    path.write_bytes(codecs.BOM_UTF8 + data if bom else data)
    return path


def _table(db: Database, sql: str) -> list[Any]:
    with db.read() as s:
        return list(s.execute(text(sql)).all())


def configuration(db: Database) -> dict[str, Any]:
    return {
        "snapshot": snapshot(db),
        "users": _table(db, "SELECT * FROM users ORDER BY id"),
        "audit": _table(db, "SELECT id FROM audit_log ORDER BY id"),
        "holidays": _table(db, "SELECT * FROM holidays ORDER BY day"),
        "pickups": _table(db, "SELECT * FROM pickups ORDER BY id"),
        "settings": _table(db, "SELECT * FROM office_settings ORDER BY key"),
        "stages": _table(db, "SELECT * FROM stages ORDER BY id"),
    }


def _audit(db: Database) -> list[tuple[str, str, dict[str, Any]]]:
    rows = _table(db, "SELECT kind, username, detail FROM audit_log ORDER BY id")
    return [(k, u, json.loads(d) if isinstance(d, str) else d) for k, u, d in rows]


# ---------------------------------------------------------------------- models


def test_new_models_pass_the_model_tester(
    open_window: Callable[..., SupervisorWindow], tmp_path: Path, qtbot: QtBot, qtmodeltester: Any
) -> None:
    w = open_window()
    path = write(tmp_path, "bad.csv", [HEADER, "MPT0001;3505202611240001;Budi;31/02/2026;08:00-09:00;booked"])
    with qtbot.waitSignal(w.bookings_tab.imported, timeout=WAIT_MS):
        w.bookings_tab.import_file(path)
    for model in (
        w.bookings_tab.booking_model,
        w.bookings_tab.rejection_model,
        w.officers_tab.model,
        w.rules_tab.holidays_box.model,
    ):
        assert model.rowCount() > 0
        qtmodeltester.check(model)


# ---------------------------------------------------------------------- bookings


def test_import_shows_the_validation_report_and_reimport_changes_nothing(
    open_window: Callable[..., SupervisorWindow], db: Database, tmp_path: Path, qtbot: QtBot
) -> None:
    w = open_window()
    tab = w.bookings_tab
    path = write(
        tmp_path,
        "mpaspor-2026-11-24.csv",
        [
            HEADER,
            "MPT0001;3505202611240001;Budi Santoso;24/11/2026;08:00-09:00;booked",
            "MPT0002;3505202611240002;Siti Wulandari;24/11/2026;09.00 - 10.00;Lansia",
            "MPT0003;3505202611240003;Agus;31/02/2026;08:00-09:00;booked",
            "MPT0001;3505202611240009;Budi lagi;24/11/2026;10:00-11:00;booked",
        ],
    )
    w.tabs.setCurrentWidget(tab)
    with qtbot.waitSignal(tab.imported, timeout=WAIT_MS) as blocker:
        tab.import_file(path)
    report: bookings.ImportReport = blocker.args[0]
    assert (report.imported, report.updated, len(report.rejected), report.written) == (1, 0, 3, True)
    assert tab.report_label.text().startswith("mpaspor-2026-11-24.csv: 1 imported, 0 updated, 0 unchanged, 3 rejected")
    shown = [[tab.rejection_model.index(r, c).data() for c in range(3)] for r in range(tab.rejection_model.rowCount())]
    assert [row[:2] for row in shown] == [["2", "MPT0001"], ["4", "MPT0003"], ["5", "MPT0001"]]
    assert "31/02/2026" in shown[1][2]
    assert shown[0][2] == "booking code MPT0001 is also in row 5 of the file"
    assert "1 imported" in w.banner.text()
    kind, user, detail = _audit(db)[-1]
    assert (kind, user, detail["file"], detail["imported"]) == ("bookings_imported", "kasi", path.name, 1)

    # Re-import of the same file: nothing changes.
    before = configuration(db)
    with qtbot.waitSignal(tab.imported, timeout=WAIT_MS) as blocker:
        tab.import_file(path)
    assert (blocker.args[0].imported, blocker.args[0].unchanged) == (0, 1)
    assert configuration(db) == before

    # The day's list follows the chosen day.
    with qtbot.waitSignal(tab.listed, timeout=WAIT_MS):
        tab.show_day(TUESDAY)
    codes = [tab.booking_model.index(r, 0).data() for r in range(tab.booking_model.rowCount())]
    assert "MPT0002" in codes and tab.count_label.text() == f"{len(codes)} bookings"


def test_check_only_writes_nothing(
    open_window: Callable[..., SupervisorWindow], db: Database, tmp_path: Path, qtbot: QtBot
) -> None:
    w = open_window()
    path = write(tmp_path, "x.csv", [HEADER, "MPT0001;3505202611240001;Budi;24/11/2026;08:00-09:00;booked"])
    before = configuration(db)
    w.bookings_tab.dry_run.setChecked(True)
    with qtbot.waitSignal(w.bookings_tab.imported, timeout=WAIT_MS) as blocker:
        w.bookings_tab.import_file(path)
    assert blocker.args[0].imported == 1 and not blocker.args[0].written
    assert "checked, nothing written: 1 new" in w.bookings_tab.report_label.text()
    assert configuration(db) == before


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\x01\x02 this is not a bookings export",
        b"Nama;Alamat\nBudi;Jl. Merdeka 1\n",
        b'[{"kode_booking": "MPT0001", "nomor',
    ],
    ids=["binary", "wrong-columns", "truncated-json"],
)
def test_a_malformed_file_is_refused_and_nothing_is_written(
    open_window: Callable[..., SupervisorWindow],
    db: Database,
    tmp_path: Path,
    qtbot: QtBot,
    content: bytes,
) -> None:
    w = open_window()
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    before = configuration(db)
    with pytest.raises(InvalidInput) as refused:  # the service's own message, shown as is
        bookings.import_file(db, path, user="kasi", dry_run=True)
    expected = refused.value.message
    with qtbot.waitSignal(w.failed, timeout=WAIT_MS) as blocker:
        w.bookings_tab.import_file(path)
    assert blocker.args[0] == expected
    assert w.bookings_tab.report_label.text() == f"export.csv: nothing imported. {expected}"
    assert w.bookings_tab.rejection_model.rowCount() == 0
    assert configuration(db) == before


def test_a_missing_file_is_named(open_window: Callable[..., SupervisorWindow], tmp_path: Path, qtbot: QtBot) -> None:
    w = open_window()
    with qtbot.waitSignal(w.failed, timeout=WAIT_MS) as blocker:
        w.bookings_tab.import_file(tmp_path / "gone.csv")
    assert "cannot read" in blocker.args[0] and "gone.csv" in blocker.args[0]


def test_add_a_booking_through_the_dialog_and_reschedule_it(
    open_window: Callable[..., SupervisorWindow], db: Database, qtbot: QtBot
) -> None:
    w = open_window()
    tab = w.bookings_tab

    def fill(d: BookingDialog) -> None:
        d.code.setText("MPT0100")
        d.application.setText("3505202611240100")
        d.day.setDate(d.day.date().addDays(1))  # Tuesday
        d.slot.setText("10:00-11:00")
        d.name.setText("Dewi Lestari")
        d.category.setCurrentIndex(d.category.findData("elderly"))
        d.ok.click()

    seen = when_modal(BookingDialog, fill)
    with qtbot.waitSignal(tab.changed, timeout=WAIT_MS) as blocker:
        tab.add_button.click()
    assert seen == ["Add a booking"]
    view: bookings.BookingView = blocker.args[0]
    assert (view.code, view.day, view.slot, view.category) == ("MPT0100", TUESDAY, "10:00-11:00", "elderly")
    qtbot.waitUntil(lambda: tab.day == TUESDAY and "MPT0100" in _codes(tab), timeout=WAIT_MS)
    assert _audit(db)[-1][:2] == ("booking_added", "kasi")

    # A code taken: the service says so, nothing is written.
    before = configuration(db)
    with qtbot.waitSignal(w.failed, timeout=WAIT_MS) as failed:
        tab.add({"code": "MPT0100", "application_number": "3505202611240101", "day": TUESDAY})
    assert "exists already" in failed.args[0]
    assert configuration(db) == before

    tab.booking_view.selectRow(0)
    assert tab.reschedule_button.isEnabled()
    with qtbot.waitSignal(tab.changed, timeout=WAIT_MS) as blocker:
        tab.reschedule("MPT0100", FRIDAY, "13:00-14:00")
    assert (blocker.args[0].day, blocker.args[0].slot) == (FRIDAY, "13:00-14:00")
    assert _audit(db)[-1][:2] == ("booking_rescheduled", "kasi")
    with qtbot.waitSignal(w.failed, timeout=WAIT_MS) as failed:
        tab.reschedule("MPT0100", dt.date(2026, 11, 20))
    assert "in the past" in failed.args[0]


def test_an_empty_booking_dialog_is_not_accepted(open_window: Callable[..., SupervisorWindow], qtbot: QtBot) -> None:
    w = open_window()
    dialog = BookingDialog(w, MONDAY, {})
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.ok.click()
    assert dialog.isVisible() and "needs its code" in dialog.problem.text()
    dialog.reject()


# ---------------------------------------------------------------------- officers


def test_officers_are_listed_and_added_through_the_dialog(
    open_window: Callable[..., SupervisorWindow], db: Database, qtbot: QtBot
) -> None:
    w = open_window()
    tab = w.officers_tab
    rows = {
        tab.model.index(r, 0).data(): [tab.model.index(r, c).data() for c in range(5)]
        for r in range(tab.model.rowCount())
    }
    assert rows["kasi"][2] == "supervisor, administrator" and rows["kasi"][4] == "yes"
    assert rows["wawancara1"][1:] == ["Petugas Wawancara 1", "interviewer", "", "yes"]

    def fill(d: OfficerDialog) -> None:
        d.username.setText("Wawancara2")
        d.full_name.setText("Petugas  Wawancara 2")
        d.password.first.setText("rahasia-sekali")
        d.password.second.setText("rahasia-sekali")
        d.roles.boxes["interview"].setChecked(True)
        d.ok.click()

    when_modal(OfficerDialog, fill)
    with qtbot.waitSignal(tab.changed, timeout=WAIT_MS) as blocker:
        tab.add_button.click()
    assert (blocker.args[0].username, blocker.args[0].roles) == ("wawancara2", ("interview",))
    qtbot.waitUntil(lambda: tab.model.rowCount() == len(rows) + 1, timeout=WAIT_MS)
    assert auth.authenticate(db, "wawancara2", "rahasia-sekali").roles == {"interview"}
    assert ("user_added", "kasi") in [(k, u) for k, u, _d in _audit(db)]


def test_the_officer_dialog_wants_the_same_password_twice(
    open_window: Callable[..., SupervisorWindow], qtbot: QtBot
) -> None:
    w = open_window()
    dialog = OfficerDialog(w)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.password.first.setText("rahasia-sekali")
    dialog.password.second.setText("rahasia-sekal")
    dialog.ok.click()
    assert dialog.isVisible() and dialog.problem.text() == "The two passwords differ."
    dialog.reject()


@pytest.mark.parametrize(
    ("act", "message"),
    [
        (lambda t: t.add("wawancara1", "Orang Lain", ["interview"], "rahasia-sekali"), "exists already"),
        (lambda t: t.add("baru", "Orang Baru", ["interview"], "pendek"), "at least 8 characters"),
        (lambda t: t.add("baru", "Orang Baru", ["interview"], ""), "at least 8 characters"),
        (lambda t: t.add("baru", "Orang Baru", ["juru-masak"], "rahasia-sekali"), "unknown role juru-masak"),
        (lambda t: t.add("Bad Name!", "Orang Baru", ["interview"], "rahasia-sekali"), "username 'Bad Name!'"),
        (lambda t: t.set_roles("wawancara1", ["interview", "juru-masak"]), "unknown role juru-masak"),
        (lambda t: t.set_roles("kasi", ["supervisor"]), "last active administrator"),
        (lambda t: t.set_active("kasi", False), "last active administrator"),
        (lambda t: t.reset_password("wawancara1", "1234567"), "at least 8 characters"),
        (lambda t: t.unlock("nobody"), "unknown user 'nobody'"),
    ],
    ids=[
        "duplicate",
        "weak",
        "empty",
        "unknown-role",
        "bad-username",
        "roles",
        "last-admin",
        "disable-last-admin",
        "weak-reset",
        "unknown-user",
    ],
)
def test_wrong_input_is_refused_and_nothing_is_written(
    open_window: Callable[..., SupervisorWindow], db: Database, qtbot: QtBot, act: Any, message: str
) -> None:
    w = open_window()
    before = configuration(db)
    with qtbot.waitSignal(w.failed, timeout=WAIT_MS) as blocker:
        act(w.officers_tab)
    assert message in blocker.args[0]
    assert message in w.banner.text()
    assert configuration(db) == before


def test_roles_password_unlock_disable_enable(
    open_window: Callable[..., SupervisorWindow], db: Database, clock: FixedClock, qtbot: QtBot
) -> None:
    auth.set_password(db, "wawancara1", "rahasia-lama")
    for _ in range(5):
        with pytest.raises(auth.SignInFailed):
            auth.authenticate(db, "wawancara1", "salah-salah", clock=clock)
    w = open_window()
    tab = w.officers_tab
    row = next(r for r in range(tab.model.rowCount()) if tab.model.index(r, 0).data() == "wawancara1")
    tab.view.selectRow(row)
    assert tab.model.index(row, 3).data().startswith("until ") and tab.unlock_button.isEnabled()
    with qtbot.waitSignal(tab.changed, timeout=WAIT_MS):
        tab.unlock_button.click()
    qtbot.waitUntil(lambda: tab.model.index(row, 3).data() == "" and not tab.unlock_button.isEnabled())

    with qtbot.waitSignal(tab.changed, timeout=WAIT_MS) as blocker:
        tab.set_roles("wawancara1", ["interview", "pickup"])
    assert blocker.args[0].roles == ("interview", "pickup")
    with qtbot.waitSignal(tab.changed, timeout=WAIT_MS):
        tab.reset_password("wawancara1", "rahasia-baru")
    assert auth.authenticate(db, "wawancara1", "rahasia-baru", clock=clock).username == "wawancara1"

    def yes(box: QMessageBox) -> None:
        box.button(QMessageBox.StandardButton.Yes).click()

    seen = when_modal(QMessageBox, yes)
    with qtbot.waitSignal(tab.changed, timeout=WAIT_MS) as blocker:
        tab.active_button.click()
    assert seen == ["Disable officer"] and not blocker.args[0].active
    qtbot.waitUntil(lambda: tab.active_button.text() == "&Enable", timeout=WAIT_MS)
    assert tab.model.index(row, 4).data() == "no (disabled)"
    with pytest.raises(auth.SignInFailed, match="disabled"):
        auth.authenticate(db, "wawancara1", "rahasia-baru", clock=clock)
    with qtbot.waitSignal(tab.changed, timeout=WAIT_MS) as blocker:
        tab.active_button.click()  # enabling asks nothing
    assert blocker.args[0].active
    kinds = [k for k, u, _d in _audit(db) if u == "kasi"]
    assert kinds == ["user_unlocked", "roles_changed", "password_set", "user_disabled", "user_enabled"]


def test_a_supervisor_without_admin_may_not_manage_officers(
    open_window: Callable[..., SupervisorWindow], db: Database, qtbot: QtBot
) -> None:
    auth.add_user(db, "kasubsi", "Kepala Subseksi", ["supervisor"])
    w = open_window(user="kasubsi")
    before = configuration(db)
    with qtbot.waitSignal(w.failed, timeout=WAIT_MS) as blocker:
        w.officers_tab.add("baru", "Orang Baru", ["interview"], "rahasia-sekali")
    assert "kasubsi may not do this: it needs the role admin" in blocker.args[0]
    assert configuration(db) == before


# ---------------------------------------------------------------------- holidays


def _pickup_for(queue: QueueService, db: Database, clock: FixedClock, n: int) -> str:
    number = queue.check_in(booking_code(n)).ticket.number
    queue.call_next("interview-1")
    queue.transfer("adjudication", station="interview-1")
    issued = PickupService(db, clock=clock).issue(number)
    assert issued.pickup.ready_on == FRIDAY
    return issued.pickup.application_number


def test_holidays_are_listed_added_and_removed(
    open_window: Callable[..., SupervisorWindow], db: Database, qtbot: QtBot
) -> None:
    w = open_window()
    box = w.rules_tab.holidays_box
    days = [box.model.index(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(box.model.rowCount())]
    assert days[:2] == ["2026-12-24", "2026-12-25"]
    assert (
        box.model.index(1, 0).data() == "Friday 25 December 2026" and box.model.index(1, 1).data() == "Hari Raya Natal"
    )

    def fill(d: HolidayDialog) -> None:
        d.day.setDate(d.day.date().addYears(1).addDays(-2))  # Saturday 21 November 2027
        d.name.setText("Libur daerah")
        d.ok.click()

    when_modal(HolidayDialog, fill)
    with qtbot.waitSignal(box.changed, timeout=WAIT_MS) as blocker:
        box.add_button.click()
    assert (blocker.args[0].day, blocker.args[0].name, blocker.args[0].moved) == (
        dt.date(2027, 11, 21),
        "Libur daerah",
        (),
    )
    qtbot.waitUntil(lambda: box.model.rowCount() == len(days) + 1, timeout=WAIT_MS)
    assert "Holiday 2027-11-21 set: Libur daerah" in w.banner.text()

    row = next(r for r in range(box.model.rowCount()) if box.model.index(r, 1).data() == "Libur daerah")
    box.view.selectRow(row)

    def yes(m: QMessageBox) -> None:
        m.button(QMessageBox.StandardButton.Yes).click()

    when_modal(QMessageBox, yes)
    with qtbot.waitSignal(box.changed, timeout=WAIT_MS):
        box.remove_button.click()
    qtbot.waitUntil(lambda: box.model.rowCount() == len(days), timeout=WAIT_MS)
    assert [k for k, _u, _d in _audit(db)] == ["holiday_set", "holiday_removed"]


def test_a_holiday_on_promised_pickups_asks_then_moves_them(
    open_window: Callable[..., SupervisorWindow], db: Database, queue: QueueService, clock: FixedClock, qtbot: QtBot
) -> None:
    first = _pickup_for(queue, db, clock, 1)
    second = _pickup_for(queue, db, clock, 2)
    w = open_window()
    box = w.rules_tab.holidays_box

    # Cancelled: refused with the count, nothing written.
    before = configuration(db)
    texts: list[str] = []

    def cancel(m: QMessageBox) -> None:
        texts.append(m.text())
        m.button(QMessageBox.StandardButton.Cancel).click()

    when_modal(QMessageBox, cancel)
    with qtbot.waitSignal(w.failed, timeout=WAIT_MS) as blocker:
        box.add(FRIDAY, "Cuti bersama")
    assert texts and texts[0].startswith("2 passport pickups are promised for 2026-11-27.")
    assert "2 passport pickups are promised for 2026-11-27" in blocker.args[0]
    assert configuration(db) == before

    # Confirmed: set, the pickups moved to Monday 30 November, their application numbers listed.
    def move(m: QMessageBox) -> None:
        next(b for b in m.buttons() if b.text() == "&Move them and set the holiday").click()

    when_modal(QMessageBox, move)
    with qtbot.waitSignal(box.changed, timeout=WAIT_MS) as done:
        box.add(FRIDAY, "Cuti bersama")
    result: calendar.HolidaySet = done.args[0]
    assert sorted(m.application_number for m in result.moved) == sorted([first, second])
    assert not box.moved_label.isHidden() and first in box.moved_label.text() and second in box.moved_label.text()
    assert "moved to 2026-11-30" in w.banner.text()
    moved = _table(db, "SELECT ready_on FROM pickups")
    assert {str(day) for (day,) in moved} == {"2026-11-30"}
    kind, user, detail = _audit(db)[-1]
    assert (kind, user, len(detail["moved_pickups"])) == ("holiday_set", "kasi", 2)


def test_a_holiday_on_a_booked_day_is_refused_without_asking(
    open_window: Callable[..., SupervisorWindow], db: Database, qtbot: QtBot
) -> None:
    w = open_window()
    before = configuration(db)
    with qtbot.waitSignal(w.failed, timeout=WAIT_MS) as blocker:
        w.rules_tab.holidays_box.add(MONDAY, "Libur")
    assert "2026-11-23 has 30 bookings" in blocker.args[0] and "M-Paspor must reschedule" in blocker.args[0]
    assert configuration(db) == before


# ---------------------------------------------------------------------- one save, one transaction


def test_a_bad_target_after_good_rules_writes_nothing(
    open_window: Callable[..., SupervisorWindow], db: Database, qtbot: QtBot
) -> None:
    w = open_window()
    w.tabs.setCurrentIndex(2)
    close = w.findChild(QLineEdit, "rule_office_close")
    target = w.findChild(QSpinBox, "target_adjudication")
    assert close is not None and target is not None
    close.setText("16:30")
    target.setMinimum(0)  # what the window would send if its limits were ever wrong
    target.setValue(0)
    before = configuration(db)
    with qtbot.waitSignal(w.failed, timeout=WAIT_MS) as blocker:
        w.rules_tab.save_rules_button.click()
    assert "wait target of adjudication" in blocker.args[0]
    assert configuration(db) == before and rules.current(db)["office_close"] == "16:00"

    target.setValue(20)
    with qtbot.waitSignal(w.rules_saved, timeout=WAIT_MS):
        w.rules_tab.save_rules_button.click()
    assert rules.current(db)["office_close"] == "16:30"
    assert [k for k, _u, _d in _audit(db)] == ["rules_changed", "stage_changed"]


def _codes(tab: Any) -> list[str]:
    return [tab.booking_model.index(r, 0).data() for r in range(tab.booking_model.rowCount())]

"""Station windows, for real, offscreen, on both engines: reception, interview booth, adjudicator."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import booking_code
from helpers import events, snapshot
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from counter_desk.clock import FixedClock
from counter_desk.qt.models import QueueModel, QueuePositions
from counter_desk.services.desk import Desk
from counter_desk.services.queue import QueueService
from counter_desk.services.stations import StationReader
from counter_desk.store.engine import Database
from counter_desk.views.app import application
from counter_desk.views.station import StationWindow

WAIT_MS = 5000


@pytest.fixture
def open_window(qtbot: QtBot, db: Database, clock: FixedClock) -> object:
    application("en")

    def make(station: str, **kwargs: object) -> StationWindow:
        window = StationWindow(Desk(db), station, clock=clock, **kwargs)  # type: ignore[arg-type]
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window._snapshot is not None, timeout=WAIT_MS)
        return window

    return make


def test_interview_booth_calls_serves_and_finishes(
    open_window: object, queue: QueueService, db: Database, qtbot: QtBot
) -> None:
    for n in (1, 2, 3):
        queue.check_in(booking_code(n))
    booth: StationWindow = open_window("interview-2", user="wawancara1", live=False)  # type: ignore[operator]
    assert booth.model.rowCount() == 3
    assert "3 waiting" in booth.queue_title.text()
    assert booth.buttons["call_next"].isEnabled() and not booth.buttons["finish"].isEnabled()
    assert not booth.check_in_box.isVisible() and not booth.buttons["approve"].isVisible()

    with qtbot.waitSignal(booth.refreshed, timeout=WAIT_MS):
        qtbot.mouseClick(booth.buttons["call_next"], Qt.MouseButton.LeftButton)
    assert booth.current_number.text() == "A-001"
    assert booth.model.rowCount() == 2
    assert not booth.buttons["call_next"].isEnabled()
    assert booth.buttons["recall"].isEnabled() and booth.buttons["start"].isEnabled()

    with qtbot.waitSignal(booth.refreshed, timeout=WAIT_MS):
        qtbot.keyClick(booth, Qt.Key.Key_F4)  # start
    assert not booth.buttons["start"].isEnabled() and booth.buttons["finish"].isEnabled()
    with qtbot.waitSignal(booth.refreshed, timeout=WAIT_MS):
        qtbot.keyClick(booth, Qt.Key.Key_F9)  # finish
    assert booth.current_number.text() == "—"
    assert booth.served_label.text() == "Served today: 1"
    assert [e["kind"] for e in events(db)][-3:] == ["called", "started", "finished"]
    assert all(e["user_id"] is not None for e in events(db)[-3:])


def test_reception_scan_appears_at_the_booth_live(open_window: object, db: Database, qtbot: QtBot) -> None:
    """The issue's done-when: a code scanned at reception shows in the interview queue; Call next takes it."""
    reception: StationWindow = open_window("reception-1")  # type: ignore[operator]
    booth: StationWindow = open_window("interview-2")  # type: ignore[operator]
    assert reception.check_in_box.isVisible() and not reception.buttons["call_next"].isVisible()
    assert booth.model.rowCount() == 0

    reception.code_edit.setFocus()
    qtbot.keyClicks(reception.code_edit, booking_code(4))
    with qtbot.waitSignal(reception.acted, timeout=WAIT_MS):
        qtbot.keyClick(reception.code_edit, Qt.Key.Key_Return)
    assert reception.result_number.text() == "A-001"
    assert "Wawancara" in reception.result_detail.text() and "0 ahead" in reception.result_detail.text()
    assert reception.code_edit.text() == ""

    qtbot.waitUntil(lambda: booth.model.rowCount() == 1, timeout=WAIT_MS)  # via the change feed
    with qtbot.waitSignal(booth.acted, timeout=WAIT_MS):
        booth.call_next()
    assert booth.current_number.text() == "A-001"


def test_keyboard_wedge_scan_without_a_focused_field(open_window: object, qtbot: QtBot) -> None:
    reception: StationWindow = open_window("reception-2", live=False)  # type: ignore[operator]
    reception.walk_in_button.setFocus()
    with qtbot.waitSignal(reception.acted, timeout=WAIT_MS) as blocker:
        qtbot.keyClicks(reception.walk_in_button, '{"nomor_permohonan": "2026112300000005"}')
        qtbot.keyClick(reception.walk_in_button, Qt.Key.Key_Return)
    assert blocker.args[0].ticket.booking_code == booking_code(5)
    assert reception.result_number.text() == "A-001"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("%%garbage%%", "not a booking code"),
        ('{"nomor_permohonan": "2026', "cut off"),
        (booking_code(1, dt.date(2026, 11, 24)), "not today"),
        ("NOPE-12345", "no booking with code"),
    ],
)
def test_bad_scans_show_a_red_banner_and_write_nothing(
    open_window: object, db: Database, qtbot: QtBot, payload: str, message: str
) -> None:
    reception: StationWindow = open_window("reception-1", live=False)  # type: ignore[operator]
    before = snapshot(db)
    with qtbot.waitSignal(reception.failed, timeout=WAIT_MS) as blocker:
        reception.scan(payload)
    assert message in blocker.args[0]
    assert reception.banner.isVisible() and "c62828" in reception.banner.styleSheet()
    assert snapshot(db) == before
    # Ready for the next scan at once.
    assert reception.code_edit.text() == ""
    with qtbot.waitSignal(reception.acted, timeout=WAIT_MS):
        reception.scan(booking_code(6))


def test_duplicate_check_in_is_refused(open_window: object, qtbot: QtBot) -> None:
    reception: StationWindow = open_window("reception-1", live=False)  # type: ignore[operator]
    with qtbot.waitSignal(reception.acted, timeout=WAIT_MS):
        reception.scan(booking_code(7))
    with qtbot.waitSignal(reception.failed, timeout=WAIT_MS) as blocker:
        reception.scan(booking_code(7))
    assert "already checked in: ticket A-001" in blocker.args[0]


def test_walk_in(open_window: object, qtbot: QtBot) -> None:
    reception: StationWindow = open_window("reception-1", live=False)  # type: ignore[operator]
    assert [c.code for c in reception._snapshot.walk_in_categories][:4] == [  # type: ignore[union-attr]
        "child",
        "disability",
        "elderly",
        "pregnant",
    ]
    with qtbot.waitSignal(reception.acted, timeout=WAIT_MS):
        reception.walk_in("elderly")
    assert reception.result_number.text() == "P-001"


def test_another_station_was_faster(open_window: object, queue: QueueService, qtbot: QtBot) -> None:
    queue.check_in(booking_code(1))
    first: StationWindow = open_window("interview-1", live=False)  # type: ignore[operator]
    second: StationWindow = open_window("interview-3", live=False)  # type: ignore[operator]
    with qtbot.waitSignal(first.acted, timeout=WAIT_MS):
        first.call_next()
    with qtbot.waitSignal(second.failed, timeout=WAIT_MS) as blocker:
        second.call_next()
    assert blocker.args[0] == "nobody is waiting at interview"
    with qtbot.waitSignal(second.failed, timeout=WAIT_MS) as blocker:
        second.call_ticket("A-001", "saw it on the list")
    assert "it is called" in blocker.args[0]
    assert second.buttons["call_next"].isEnabled()  # the window stays usable


def test_transfer_and_adjudicator_approves(
    open_window: object, queue: QueueService, db: Database, qtbot: QtBot
) -> None:
    queue.check_in(booking_code(1))
    booth: StationWindow = open_window("interview-1", live=False)  # type: ignore[operator]
    with qtbot.waitSignal(booth.acted, timeout=WAIT_MS):
        booth.call_next()
    with qtbot.waitSignal(booth.acted, timeout=WAIT_MS) as blocker:
        booth.transfer("adjudication")
    assert blocker.args[0].ticket.stage == "adjudication"
    adjudicator: StationWindow = open_window("adjudicator", live=False)  # type: ignore[operator]
    assert adjudicator.buttons["approve"].isVisible() and not adjudicator.buttons["finish"].isVisible()
    assert adjudicator.model.rowCount() == 1
    with qtbot.waitSignal(adjudicator.acted, timeout=WAIT_MS):
        adjudicator.call_next()
    assert adjudicator.buttons["approve"].isEnabled()
    with qtbot.waitSignal(adjudicator.acted, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(adjudicator.buttons["approve"], Qt.MouseButton.LeftButton)
    assert (blocker.args[0].ticket.status, blocker.args[0].ticket.outcome) == ("done", "approved")


def test_queue_model_passes_the_model_tester(qtmodeltester: object, queue: QueueService, clock: FixedClock) -> None:
    for n in (1, 2):
        queue.check_in(booking_code(n))
    queue.check_in(walk_in="elderly")
    status = queue.status(stage="interview")
    model = QueueModel()
    model.set_rows(status.waiting, clock.now(), 15)
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    assert model.index(0, QueueModel.NUMBER).data() == "P-001"
    assert model.index(0, QueueModel.PRIORITY).data() == "★★"
    assert model.index(0, QueueModel.SLOT).data() == "—"  # a walk-in has no booked slot
    assert model.index(1, QueueModel.SLOT).data() == "08:00"  # booking 1: the 08-09 slot
    assert model.headerData(QueueModel.SLOT, Qt.Orientation.Horizontal) == "Booked slot"
    model.tick(clock.now().replace(hour=clock.now().hour + 1))
    assert model.index(0, QueueModel.WAITED).data() == "60 min"
    assert model.index(0, QueueModel.WAITED).data(Qt.ItemDataRole.BackgroundRole) is not None


def test_the_windows_snapshot_reads_the_same_queue_as_the_queue_service(queue: QueueService, clock: FixedClock) -> None:
    """The station's lean read must show exactly what QueueService.status does: order, slots, priorities, front
    returns, what each station holds (a reader kept across reads, as a window keeps it)."""
    reader = StationReader(queue, "interview-2")
    for n in (3, 1, 2, 4):
        queue.check_in(booking_code(n))
    queue.check_in(walk_in="elderly")
    queue.check_in(walk_in="lost")
    first = reader.snapshot()
    assert first.queue == queue.status(stage="interview")
    assert first.current is None
    queue.call_next("interview-1")
    queue.call_next("interview-2")
    queue.start("interview-2")
    queue.call_next("interview-3")
    queue.return_to_queue(station="interview-3", position="front")
    clock.advance(dt.timedelta(minutes=20))  # past the wait target: over_target flips
    snap = reader.snapshot()
    status = queue.status(stage="interview")
    assert snap.queue == status and len(status.waiting) == 4 and status.waiting[0].ticket.front
    assert any(w.over_target for w in status.waiting)
    assert snap.current == queue.status(station="interview-2").stations[0].ticket
    assert snap.current is not None and snap.current.status == "serving"
    reception = StationReader(queue, "reception-1").snapshot()  # shows the queue booked applicants start in
    assert reception.queue == status and reception.current is None


def test_the_queue_model_merges_new_rows_and_keeps_the_selection(
    qtmodeltester: object, queue: QueueService, clock: FixedClock, qtbot: QtBot
) -> None:
    """A refresh removes and inserts only the rows that changed (the tester checks every signal), so the row the
    officer selected stays selected."""
    from PySide6.QtWidgets import QHeaderView, QTableView

    for n in (1, 2, 3, 4):
        queue.check_in(booking_code(n))
    model = QueueModel()
    model.set_rows(queue.status(stage="interview").waiting, clock.now(), 15)
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    view = QTableView()
    qtbot.addWidget(view)
    view.setVerticalHeader(QueuePositions(view))
    view.setModel(model)
    view.selectRow(2)
    assert model.index(2, QueueModel.NUMBER).data() == "A-003"
    removed: list[tuple[int, int]] = []
    inserted: list[tuple[int, int]] = []
    resets: list[bool] = []
    model.rowsRemoved.connect(lambda _p, first, last: removed.append((first, last)))
    model.rowsInserted.connect(lambda _p, first, last: inserted.append((first, last)))
    model.modelReset.connect(lambda: resets.append(True))

    queue.call_next("interview-1")  # the head leaves
    queue.check_in(walk_in="elderly")  # a priority ticket goes to the front
    queue.check_in(booking_code(5))  # a booked one to the end
    model.set_rows(queue.status(stage="interview").waiting, clock.now(), 15)
    numbers = [model.index(r, QueueModel.NUMBER).data() for r in range(model.rowCount())]
    assert numbers == ["P-001", "A-002", "A-003", "A-004", "A-005"]
    assert removed == [(0, 0)] and sorted(inserted) == [(0, 0), (4, 4)] and resets == []
    assert [i.row() for i in view.selectionModel().selectedRows()] == [2]  # still A-003
    assert model.row_at(2).ticket.number == "A-003"  # type: ignore[union-attr]

    shuffled = queue.status(stage="interview").waiting
    shuffled = [shuffled[3], shuffled[0], shuffled[4], shuffled[1], shuffled[2]]  # reordered: the diff path
    model.set_rows(shuffled, clock.now(), 15)
    assert [model.index(r, QueueModel.NUMBER).data() for r in range(5)] == ["A-004", "P-001", "A-005", "A-002", "A-003"]
    assert resets == [] and [i.row() for i in view.selectionModel().selectedRows()] == [4]  # A-003 followed
    model.set_rows(queue.status(stage="interview").waiting, clock.now(), 15)

    clock.advance(dt.timedelta(minutes=30))
    model.tick(clock.now())
    assert model.index(4, QueueModel.WAITED).data() == "30 min"  # texts worked out again after the tick
    plain = QHeaderView(Qt.Orientation.Vertical)  # what Qt would size each position as, asked afresh
    plain.setModel(model)
    for section in range(model.rowCount()):
        assert view.verticalHeader().sectionSizeFromContents(section) == plain.sectionSizeFromContents(section)
    model.set_rows([], clock.now(), 15)
    assert model.rowCount() == 0 and removed[-1] == (0, 4)

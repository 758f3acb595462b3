"""The waiting-room display, for real, offscreen, on both engines; the audio sink is the only stand-in."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import wave
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import booking_code
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from counter_desk import resources
from counter_desk.clock import FixedClock
from counter_desk.live.follower import ONLINE, FeedState
from counter_desk.qt.sound import Announcer, SoundBank
from counter_desk.services import speech
from counter_desk.services.desk import Desk
from counter_desk.services.queue import QueueService
from counter_desk.store.engine import Database
from counter_desk.views.app import application
from counter_desk.views.display import DisplayWindow

WAIT_MS = 8000


class RecordingSink:
    """Stands in for the sound card: records what would be played; the test says when playback ends."""

    def __init__(self) -> None:
        self.played: list[tuple[bytes, float]] = []
        self.stopped = 0
        self._done: list[Callable[[], None]] = []

    def play(self, wav: bytes, volume: float, done: Callable[[], None]) -> None:
        self.played.append((wav, volume))
        self._done.append(done)

    def stop(self) -> None:
        self.stopped += 1

    def finish(self) -> None:
        self._done.pop(0)()


@pytest.fixture
def open_display(qtbot: QtBot, db: Database, clock: FixedClock) -> Callable[..., DisplayWindow]:
    application("en")
    windows: list[DisplayWindow] = []

    def make(**kwargs: object) -> DisplayWindow:
        kwargs.setdefault("sink", RecordingSink())
        window = DisplayWindow(Desk(db), clock=clock, **kwargs)  # type: ignore[arg-type]
        qtbot.addWidget(window)
        windows.append(window)
        window.resize(1280, 720)
        window.show()
        qtbot.waitUntil(lambda: window.state is not None, timeout=WAIT_MS)
        return window

    yield make  # type: ignore[misc]
    for window in windows:
        window.shutdown()


def _screen_text(window: DisplayWindow) -> str:
    labels = [label.text() for label in window.findChildren(QLabel)]
    return "\n".join([*labels, window.ticker.text(), window.windowTitle()])


def test_each_call_from_a_station_is_shown_and_announced(
    open_display: Callable[..., DisplayWindow], queue: QueueService, qtbot: QtBot, db: Database
) -> None:
    for n in range(1, 5):
        queue.check_in(booking_code(n))
    sink = RecordingSink()
    window = open_display(sink=sink)
    qtbot.waitUntil(
        lambda: window.connection.state is not None and window.connection.state.state == ONLINE, timeout=WAIT_MS
    )
    assert window.current_number.text() == "—"
    expected = [("interview-3", "A-001", "Wawancara 3"), ("interview-1", "A-002", "Wawancara 1")]
    for station, number, name in expected:
        with qtbot.waitSignal(window.call_shown, timeout=WAIT_MS) as shown:
            queue.call_next(station)
        assert shown.args is not None and shown.args[0].number == number
        assert window.current_number.text() == number
        assert window.current_station.text() == f"→ {name}"
        assert window.highlighted  # blinking on arrival
    assert window.history_rows[0][0].text() == "A-001" and window.history_rows[0][1].text() == "Wawancara 3"
    # Announcements queue: the second waits until the first has been played to its end.
    assert len(sink.played) == 1
    assert [a.number for a in window.announcer.pending] == ["A-002"]
    sink.finish()
    assert len(sink.played) == 2 and sink.stopped == 0
    # A recall is announced again.
    with qtbot.waitSignal(window.call_shown, timeout=WAIT_MS):
        queue.recall("interview-3")
    assert window.current_number.text() == "A-001"
    assert [a.number for a in window.announcer.pending] == ["A-001"]
    # Waiting counts follow the queues (debounced read on the worker).
    qtbot.waitUntil(lambda: any("2 waiting" in label.text() for label in window.wait_labels), timeout=WAIT_MS)
    # Never a name or NIK on screen.
    with db.read() as s:
        personal = [v for row in s.execute(text("SELECT applicant_name, nik FROM bookings")).all() for v in row if v]
    screen = _screen_text(window)
    assert personal and not [v for v in personal if v in screen]


def test_after_an_outage_missed_calls_appear_and_only_the_latest_is_spoken(
    open_display: Callable[..., DisplayWindow], queue: QueueService
) -> None:
    for n in range(1, 5):
        queue.check_in(booking_code(n))
    sink = RecordingSink()
    window = open_display(sink=sink, live=False)
    state = window.state
    assert state is not None
    for station in ("interview-1", "interview-2", "interview-3"):
        queue.call_next(station)
    window.apply_events(queue.events(after=state.last_seq))  # what the feed delivers on reconnecting
    assert window.current_number.text() == "A-003"
    assert [row[0].text() for row in window.history_rows[:2]] == ["A-002", "A-001"]
    assert len(sink.played) == 1 and window.announcer.pending == []
    assert window.announcer.playing is not None and window.announcer.playing.number == "A-003"


def test_start_up_shows_earlier_calls_silently(open_display: Callable[..., DisplayWindow], queue: QueueService) -> None:
    queue.check_in(booking_code(1))
    queue.call_next("interview-4")
    sink = RecordingSink()
    window = open_display(sink=sink, live=False)
    assert window.current_number.text() == "A-001" and window.current_station.text() == "→ Wawancara 4"
    assert sink.played == [] and not window.highlighted


def test_speech_off_keeps_the_chime_and_volume_reaches_the_sink(qtbot: QtBot) -> None:
    application("en")
    sink = RecordingSink()
    announcer = Announcer(sink, SoundBank(), speak=False, volume=0.4)
    item = announcer.announce("A-012", "Wawancara 3")
    chime = speech.chime_file().read_bytes()
    assert item.wav == chime and sink.played == [(chime, 0.4)]
    announcer.speak = True
    spoken = announcer.announce("A-012", "Wawancara 3")
    assert spoken.seconds > item.seconds + 2  # the chime, a pause, then the words
    with wave.open(io.BytesIO(spoken.wav), "rb") as w:
        assert (w.getnchannels(), w.getframerate()) == (1, speech.RATE)
        frames = w.readframes(w.getnframes())
    with wave.open(io.BytesIO(chime), "rb") as w:
        assert frames.startswith(w.readframes(w.getnframes()))  # chime first
    assert "silakan menuju loket wawancara tiga" in spoken.text


def test_a_sink_that_never_finishes_does_not_stall_the_queue(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    from counter_desk.qt import sound

    application("en")
    monkeypatch.setattr(sound, "GRACE_MS", 10)
    sink = RecordingSink()
    announcer = Announcer(sink, SoundBank(chime=Path("/nonexistent")), speak=False)
    announcer.announce("A-001", "Wawancara 1")
    announcer.announce("A-002", "Wawancara 2")
    qtbot.waitUntil(lambda: len(sink.played) == 2, timeout=WAIT_MS)  # the watchdog moved on
    assert sink.stopped >= 1


def test_layout_holds_at_720p_1080p_and_4k(
    open_display: Callable[..., DisplayWindow], queue: QueueService, clock: FixedClock, qtbot: QtBot, tmp_path: Path
) -> None:
    """Screenshots in Bahasa Indonesia, as the office sees it; UPDATE_DOCS_SCREENSHOTS=1 refreshes docs/display.png."""
    application("id")
    for n in range(1, 13):
        queue.check_in(booking_code(n))
    for i in range(4):
        queue.call_next(f"interview-{i + 1}")
        clock.advance(dt.timedelta(minutes=3))
    for i in range(4):
        queue.finish(f"interview-{i + 1}")
    window = open_display(live=False)
    for i in range(3):
        queue.call_next(f"interview-{i + 2}")
    window.apply_events(queue.events(after=0))
    assert window.highlighted
    window._highlight.stop()  # photograph the steady state, not a blink
    window.connection.show(FeedState(ONLINE, clock.now()))  # as the live feed reports it
    assert window.connection_label.text() == "● terhubung"
    qtbot.waitUntil(lambda: any("5 menunggu" in label.text() for label in window.wait_labels), timeout=WAIT_MS)
    docs = os.environ.get("UPDATE_DOCS_SCREENSHOTS")
    for width, height in ((1280, 720), (1920, 1080), (3840, 2160)):
        window.resize(width, height)

        def settled(height: int = height) -> bool:
            ticker = window.ticker
            return ticker.mapTo(window, ticker.rect().topLeft()).y() + ticker.height() == height

        qtbot.waitUntil(settled, timeout=WAIT_MS)  # the layout settles with the ticker at the bottom
        image = window.grab()
        assert (image.width(), image.height()) == (width, height)  # nothing forces the window wider
        number = window.current_number
        assert number.font().pixelSize() == round(height * 0.25)
        assert number.fontMetrics().horizontalAdvance(number.text()) < number.width()
        office = window.office_label
        assert office.fontMetrics().horizontalAdvance(office.text()) <= office.width(), office.text()
        station = window.current_station
        assert station.fontMetrics().horizontalAdvance(station.text()) < station.width()
        for label in window.wait_labels:
            for line in label.text().splitlines():
                assert label.fontMetrics().horizontalAdvance(line) <= label.width(), line
        image.save(str(tmp_path / f"display-{height}.png"))
        if docs and height == 1080:
            image.save(str(resources.source_checkout() or Path()) + "/docs/display.png")


def test_a_new_office_day_clears_the_board(
    open_display: Callable[..., DisplayWindow], queue: QueueService, clock: FixedClock, qtbot: QtBot
) -> None:
    queue.check_in(booking_code(1))
    queue.call_next("interview-1")
    window = open_display(live=False)
    assert window.current_number.text() == "A-001"
    clock.advance(dt.timedelta(days=1))
    window._clock.tick()
    qtbot.waitUntil(lambda: window.current_number.text() == "—", timeout=WAIT_MS)
    assert window.history_rows[0][0].text() == ""
    assert "Tuesday" in window.date_label.text()


def test_a_database_that_is_not_there_is_a_state_on_screen_not_a_crash(qtbot: QtBot) -> None:
    application("en")
    db = Database.connect("postgresql://nobody@127.0.0.1:1/nothing")
    window = DisplayWindow(Desk(db), sink=RecordingSink())
    qtbot.addWidget(window)
    try:
        window.show()
        qtbot.waitUntil(lambda: "offline since" in window.connection_label.text(), timeout=WAIT_MS)
        assert window.state is None and window.current_number.text() == "—"
        assert window._retry_timer.isActive()  # it keeps trying by itself
    finally:
        window.shutdown()
        db.dispose()


def test_the_display_process_survives_many_thousand_signals() -> None:
    """PySide6 6.12 on CPython 3.11 loses a reference to True on each emit and to None on each void call.

    Run in a child process: without the guard the interpreter aborts (bool_dealloc / none_dealloc).
    """
    code = (
        "import os, sys\n"
        "os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal\n"
        "from counter_desk.qt.live import RefcountGuard\n"
        "app = QCoreApplication([])\n"
        "class Source(QObject):\n"
        "    changed = Signal(object)\n"
        "source = Source()\n"
        "guard = RefcountGuard()\n"
        "timer = QTimer()\n"
        "for i in range(150_000):\n"
        "    source.changed.emit(i)\n"
        "    timer.start(1000)\n"
        "    if i % 20_000 == 0:\n"
        "        app.processEvents()\n"
        "        guard.check()\n"
        "print('alive', sys.getrefcount(True) > 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "alive True" in proc.stdout

"""The station's error tone, through the real reception window on both engines; the sound card is the only
stand-in (a recording sink, as the display's tests do for the chime)."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import wave
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import booking_code
from helpers import snapshot
from pytestqt.qtbot import QtBot

from counter_desk.clock import FixedClock
from counter_desk.qt.sound import ErrorTone, SilentSink, error_tone_file, error_tone_wav, load_error_tone
from counter_desk.services import speech
from counter_desk.services.desk import Desk
from counter_desk.services.queue import QueueService
from counter_desk.store.engine import Database
from counter_desk.views.app import application
from counter_desk.views.station import StationWindow

WAIT_MS = 5000


class RecordingSink:
    """Stands in for the sound card: records each WAV handed to it."""

    def __init__(self) -> None:
        self.played: list[tuple[bytes, float]] = []

    def play(self, wav: bytes, volume: float, done: Callable[[], None]) -> None:
        self.played.append((wav, volume))
        done()

    def stop(self) -> None:
        pass


@pytest.fixture
def open_window(qtbot: QtBot, db: Database, clock: FixedClock) -> Callable[..., StationWindow]:
    application("en")

    def make(station: str, **kwargs: object) -> StationWindow:
        window = StationWindow(Desk(db), station, clock=clock, live=False, **kwargs)  # type: ignore[arg-type]
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window._snapshot is not None, timeout=WAIT_MS)
        return window

    return make


def _seconds(wav: bytes) -> float:
    with wave.open(io.BytesIO(wav), "rb") as w:
        return w.getnframes() / w.getframerate()


def _crossings_per_second(wav: bytes) -> float:
    """Rising zero crossings per second of sound: the pitch, roughly."""
    with wave.open(io.BytesIO(wav), "rb") as w:
        raw = w.readframes(w.getnframes())
        rate = w.getframerate()
    samples = [int.from_bytes(raw[i : i + 2], "little", signed=True) for i in range(0, len(raw), 2)]
    loud = [s for s in samples if abs(s) > 300]
    rising = sum(1 for a, b in itertools.pairwise(loud) if a < 0 <= b)
    return rising / (len(loud) / rate)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("%%garbage%%", "not a booking code"),  # refused before the database is asked
        (booking_code(1, dt.date(2026, 11, 24)), "not today"),  # refused by the check-in
        ("NOPE-12345", "no booking with code"),
    ],
)
def test_a_refused_scan_plays_the_error_tone_once_and_the_next_scan_works_at_once(
    open_window: Callable[..., StationWindow], db: Database, qtbot: QtBot, payload: str, message: str
) -> None:
    sink = RecordingSink()
    reception = open_window("reception-1", sound=sink)
    before = snapshot(db)
    with qtbot.waitSignal(reception.failed, timeout=WAIT_MS) as blocker:
        reception.scan(payload)
    assert message in blocker.args[0] and "c62828" in reception.banner.styleSheet()
    assert [wav for wav, _volume in sink.played] == [reception.error_tone.wav]
    assert snapshot(db) == before
    # Ready at once: the next (good) scan is taken and plays nothing.
    assert reception.code_edit.text() == ""
    with qtbot.waitSignal(reception.acted, timeout=WAIT_MS):
        reception.scan(booking_code(6))
    assert reception.result_number.text() == "A-001"
    assert len(sink.played) == 1


def test_a_duplicate_scan_sounds_and_a_good_one_does_not(
    open_window: Callable[..., StationWindow], qtbot: QtBot
) -> None:
    sink = RecordingSink()
    reception = open_window("reception-2", sound=sink)
    with qtbot.waitSignal(reception.acted, timeout=WAIT_MS):
        reception.scan(booking_code(7))
    assert sink.played == []
    with qtbot.waitSignal(reception.failed, timeout=WAIT_MS) as blocker:
        reception.scan(booking_code(7))
    assert "already checked in" in blocker.args[0]
    assert len(sink.played) == 1


def test_scans_arriving_while_one_is_saved_are_all_taken_in_order(
    open_window: Callable[..., StationWindow], qtbot: QtBot
) -> None:
    """A scanner is faster than a database: the second and third codes wait for the first, none is lost."""
    sink = RecordingSink()
    reception = open_window("reception-1", sound=sink)
    issued: list[str] = []
    reception.acted.connect(lambda result: issued.append(result.ticket.booking_code))
    refused: list[str] = []
    reception.failed.connect(refused.append)
    reception.scan(booking_code(11))
    reception.scan("%%garbage%%")
    reception.scan(booking_code(12))
    qtbot.waitUntil(lambda: len(issued) == 2 and len(refused) == 1, timeout=WAIT_MS)
    assert issued == [booking_code(11), booking_code(12)]
    assert len(sink.played) == 1


def test_a_refused_click_is_silent(
    open_window: Callable[..., StationWindow], queue: QueueService, qtbot: QtBot
) -> None:
    """Another station was faster: the banner says so; no tone (the clerk is looking at the screen)."""
    queue.check_in(booking_code(1))
    first = open_window("interview-1")
    sink = RecordingSink()
    second = open_window("interview-3", sound=sink)
    with qtbot.waitSignal(first.acted, timeout=WAIT_MS):
        first.call_next()
    with qtbot.waitSignal(second.failed, timeout=WAIT_MS):
        second.call_next()
    assert sink.played == []
    # A scan at a station that issues no tickets is a refused scan: it sounds.
    with qtbot.waitSignal(second.failed, timeout=WAIT_MS) as blocker:
        second.scan(booking_code(2))
    assert "scan at reception" in blocker.args[0] and len(sink.played) == 1


def test_a_muted_station_shows_the_banner_without_a_sound(
    open_window: Callable[..., StationWindow], qtbot: QtBot
) -> None:
    sink = RecordingSink()
    reception = open_window("reception-1", sound=sink, error_sound=False)
    with qtbot.waitSignal(reception.failed, timeout=WAIT_MS):
        reception.scan("%%garbage%%")
    assert reception.banner.isVisible() and sink.played == []


def test_the_error_tone_is_short_low_and_nothing_like_the_chime(qtbot: QtBot) -> None:
    tone = error_tone_wav()
    assert error_tone_file().read_bytes() == tone  # the shipped file is the built-in tone (scripts/build-error-tone.py)
    assert error_tone_wav() == tone  # reproducible
    assert 0.2 < _seconds(tone) < 0.5  # over before the next scan
    chime = speech.chime_wav()
    assert _crossings_per_second(tone) < 0.7 * _crossings_per_second(chime)  # lower: ~300 Hz against E5/C5
    assert ErrorTone(RecordingSink()).wav == tone


def test_without_a_sound_card_the_tone_goes_to_the_silent_sink(qtbot: QtBot, tmp_path: Path) -> None:
    """What a PC without audio (and this test machine) does: the refusal still 'plays', silently, for its length."""
    tone = ErrorTone(SilentSink())
    with qtbot.waitSignal(tone.played, timeout=WAIT_MS):
        tone.play()
    # An office's own error.wav that is no WAV at all: the built-in tone instead, never a sink choking on it.
    (tmp_path / "error.wav").write_bytes(b"not a wav")
    assert load_error_tone(tmp_path / "error.wav") == error_tone_wav()
    assert load_error_tone(tmp_path / "missing.wav") == error_tone_wav()

"""Sounds: the display's chime and announcements, and a station's error tone for a refused scan.

:class:`Announcer` keeps a queue of announcements and hands the next one to the audio sink only when the
previous one has finished, so announcements never cut each other off. Each announcement is one WAV (chime, a
short pause, the spoken words; only the chime when speech is off), built by :mod:`counter_desk.services.speech`
from the clips in ``resources/``. The sink is the only part that touches the sound card
(:class:`MediaSink`, QtMultimedia); tests give the announcer a sink of their own.

:class:`ErrorTone` is the station's short, low double beep when a scan or check-in is refused: nothing like the
display's two-note chime, so nobody in the waiting room takes it for a call. It is synthesised here
(:func:`error_tone_wav`, the same on every PC) and shipped as ``resources/sounds/error.wav``
(``python scripts/build-error-tone.py`` writes it again); an office may replace that file with its own WAV.
"""

from __future__ import annotations

import logging
import math
import struct
import tempfile
import wave
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, QUrl, Signal

from counter_desk import resources
from counter_desk.services import speech

log = logging.getLogger(__name__)

#: Announcements waiting beyond this many are dropped (oldest first): a backlog of minutes helps nobody.
MAX_PENDING = 12
#: Extra time a sink gets beyond the clip's length before the announcer stops waiting for it.
GRACE_MS = 2500
GAP_AFTER_CHIME_S = 0.25


class Sink(Protocol):
    """Plays one WAV at a time and calls ``done`` when it ended (or failed)."""

    def play(self, wav: bytes, volume: float, done: Callable[[], None]) -> None: ...

    def stop(self) -> None: ...


@dataclass(frozen=True)
class Announcement:
    number: str
    station_name: str
    wav: bytes
    text: str

    @property
    def seconds(self) -> float:
        with wave.open(BytesIO(self.wav), "rb") as w:
            return w.getnframes() / w.getframerate()


class SoundBank:
    """The chime and the word clips, read once."""

    def __init__(self, clips: Path | None = None, chime: Path | None = None) -> None:
        self._clips = clips or speech.voice_dir()
        chime_path = chime or speech.chime_file()
        if chime_path.is_file():
            self._chime = speech.read_clip(chime_path)
        else:
            log.warning("no chime at %s; using the built-in one", chime_path)
            self._chime = speech.chime_frames()

    def announcement(self, number: str, station_name: str, *, speak: bool) -> Announcement:
        frames = self._chime
        if speak:
            spoken = speech.announcement_wav(number, station_name, self._clips)
            with wave.open(BytesIO(spoken), "rb") as w:
                words = w.readframes(w.getnframes())
            frames = frames + b"\x00\x00" * round(GAP_AFTER_CHIME_S * speech.RATE) + words
        text = speech.announcement_text(number, station_name) if speak else f"[chime] {number}"
        return Announcement(number, station_name, speech.wav_bytes(frames), text)


class Announcer(QObject):
    """A queue of announcements played one at a time through a sink.

    Signals:
        started(object): an :class:`Announcement` begins playing.
        finished(object): an :class:`Announcement` has been played to its end.
    """

    started = Signal(object)
    finished = Signal(object)

    def __init__(
        self,
        sink: Sink,
        bank: SoundBank | None = None,
        *,
        speak: bool = True,
        volume: float = 1.0,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._sink = sink
        self._bank = bank or SoundBank()
        self.speak = speak
        self.volume = max(0.0, min(1.0, volume))
        self._pending: deque[Announcement] = deque()
        self._playing: Announcement | None = None
        self._watchdog = QTimer(self)
        self._watchdog.setObjectName("announcer-watchdog")
        self._watchdog.setSingleShot(True)
        self._watchdog.timeout.connect(self._gave_up)
        self.dropped = 0

    @property
    def playing(self) -> Announcement | None:
        return self._playing

    @property
    def pending(self) -> list[Announcement]:
        return list(self._pending)

    def announce(self, number: str, station_name: str) -> Announcement:
        """Queue an announcement (a recall is simply announced again)."""
        item = self._bank.announcement(number, station_name, speak=self.speak)
        self._pending.append(item)
        while len(self._pending) > MAX_PENDING:
            old = self._pending.popleft()
            self.dropped += 1
            log.warning("announcement backlog: dropped %s", old.number)
        if self._playing is None:
            self._next()
        return item

    def _next(self) -> None:
        if self._playing is not None or not self._pending:
            return
        item = self._pending.popleft()
        self._playing = item
        self._watchdog.start(round(item.seconds * 1000) + GRACE_MS)
        self.started.emit(item)
        log.info("announcing: %s", item.text)
        try:
            self._sink.play(item.wav, self.volume, lambda: self._done(item))
        except Exception:
            log.exception("the audio output failed")
            self._done(item)

    def _done(self, item: Announcement) -> None:
        if self._playing is not item:
            return  # a late report from a sink the watchdog gave up on
        self._watchdog.stop()
        self._playing = None
        self.finished.emit(item)
        self._next()

    def _gave_up(self) -> None:
        if self._playing is not None:
            log.warning("the audio output did not finish %s in time; going on", self._playing.number)
            self._sink.stop()
            self._done(self._playing)

    def clear(self) -> None:
        self._pending.clear()
        self._watchdog.stop()
        if self._playing is not None:
            self._sink.stop()
            self._playing = None


class MediaSink(QObject):
    """Plays WAVs through QtMultimedia (QMediaPlayer + QAudioOutput) from files in a private temp folder."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer

        self._folder = tempfile.TemporaryDirectory(prefix="counter-desk-sound-")
        self._player = QMediaPlayer(self)
        self._output = QAudioOutput(self)
        self._player.setAudioOutput(self._output)
        self._done: Callable[[], None] | None = None
        self._count = 0
        self._player.mediaStatusChanged.connect(self._status)
        self._player.errorOccurred.connect(self._error)
        self._end_status = QMediaPlayer.MediaStatus.EndOfMedia
        self._bad_status = QMediaPlayer.MediaStatus.InvalidMedia

    def play(self, wav: bytes, volume: float, done: Callable[[], None]) -> None:
        self._count += 1
        path = Path(self._folder.name) / f"announcement-{self._count % 4}.wav"
        path.write_bytes(wav)
        self._done = done
        self._output.setVolume(volume)
        self._player.setSource(QUrl())
        self._player.setSource(QUrl.fromLocalFile(str(path)))
        self._player.play()

    def _status(self, status: object) -> None:
        if status in (self._end_status, self._bad_status):
            self._finish()

    def _error(self, _error: object, message: str) -> None:
        log.warning("audio output: %s", message)
        self._finish()

    def _finish(self) -> None:
        done, self._done = self._done, None
        if done is not None:
            done()

    def stop(self) -> None:
        self._done = None
        if self._player.playbackState() != self._player.PlaybackState.StoppedState:
            self._player.stop()


def default_sink(parent: QObject | None = None) -> MediaSink | SilentSink:
    """The sound card when there is one; else a silent sink, so the queue of announcements still moves on.

    (Qt's FFmpeg backend can hang in ``QMediaPlayer.stop()`` when no audio device exists: never try.)
    """
    from PySide6.QtMultimedia import QMediaDevices

    if not QMediaDevices.audioOutputs():
        log.warning("no audio output device: announcements are shown but not heard")
        return SilentSink(parent)
    return MediaSink(parent)


class SilentSink(QObject):
    """No sound card (or sound switched off entirely): each announcement "plays" for its length, silently.

    Its timer is its own child: when the window (its parent) goes, a pending "end of announcement" goes with it
    instead of calling into a deleted announcer.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self._finish)
        self._done: Callable[[], None] | None = None

    def play(self, wav: bytes, volume: float, done: Callable[[], None]) -> None:
        with wave.open(BytesIO(wav), "rb") as w:
            ms = round(1000 * w.getnframes() / w.getframerate())
        self._done = done
        self._timer.start(ms)

    def _finish(self) -> None:
        done, self._done = self._done, None
        if done is not None:
            done()

    def stop(self) -> None:
        self._done = None
        self._timer.stop()


# ---------------------------------------------------------------------- the station's error tone

#: Two short low beeps: a square-ish 300 Hz (odd harmonics carry it through small PC speakers), 110 ms each.
ERROR_TONE_HZ = 300.0
ERROR_BEEP_S = 0.11
ERROR_GAP_S = 0.08


def error_tone_frames(volume: float = 0.5) -> bytes:
    """The samples (16 kHz mono 16-bit) of the error tone: beep, gap, beep, with 5 ms ramps (no clicks)."""
    rate = speech.RATE
    beep = round(ERROR_BEEP_S * rate)
    ramp = round(0.005 * rate)
    tone: list[int] = []
    for i in range(beep):
        t = i / rate
        w = 2 * math.pi * ERROR_TONE_HZ * t
        value = math.sin(w) + math.sin(3 * w) / 3 + math.sin(5 * w) / 5
        envelope = min(1.0, i / ramp, (beep - 1 - i) / ramp)
        tone.append(round(max(-1.0, min(1.0, value * envelope * volume)) * 32767))
    samples = tone + [0] * round(ERROR_GAP_S * rate) + tone + [0] * round(0.02 * rate)
    return struct.pack(f"<{len(samples)}h", *samples)


def error_tone_wav() -> bytes:
    return speech.wav_bytes(error_tone_frames())


def error_tone_file() -> Path:
    return resources.resource("sounds", "error.wav")


def load_error_tone(path: Path) -> bytes:
    """The WAV file at ``path`` when it is one; else the built-in tone."""
    try:
        wav = path.read_bytes()
        with wave.open(BytesIO(wav), "rb") as w:
            if w.getnframes() == 0:
                reason = "no samples"  # a log line for IT, not a message for officers
                raise wave.Error(reason)
    except (OSError, wave.Error, EOFError) as exc:
        log.warning("no usable error tone at %s (%s); using the built-in one", path, exc)
        return error_tone_wav()
    return wav


class ErrorTone(QObject):
    """Plays the error tone through a sink, once per :meth:`play` (a new refusal restarts it).

    The sink is made on first use (or by :meth:`prepare`) unless one is given: finding the sound card takes tens
    of milliseconds, which a window should not spend before it shows.

    Signals:
        played(): the tone was handed to the sink.
    """

    played = Signal()

    def __init__(
        self,
        sink: Sink | None = None,
        *,
        enabled: bool = True,
        volume: float = 0.8,
        wav: bytes | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._sink = sink
        self.enabled = enabled
        self.volume = max(0.0, min(1.0, volume))
        self.wav = wav if wav is not None else load_error_tone(error_tone_file())

    def prepare(self) -> None:
        """Find the sound card now (when enabled and no sink was given)."""
        if self.enabled and self._sink is None:
            self._sink = default_sink(self)

    def play(self) -> None:
        if not self.enabled:
            return
        self.prepare()
        assert self._sink is not None
        try:
            self._sink.play(self.wav, self.volume, lambda: None)
        except Exception:
            log.exception("the audio output failed to play the error tone")
            return
        self.played.emit()

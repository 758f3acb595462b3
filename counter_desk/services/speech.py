"""The spoken announcement, as words and as WAV bytes: pure, offline, reproducible.

"A-012" at "Wawancara 3" becomes the words ``nomor antrian a nol satu dua`` (a pause) ``silakan menuju loket
wawancara tiga``. Each word is a clip ``resources/voice/id/<word>.wav`` (16 kHz, mono, 16-bit), made by
``scripts/build-voice.py`` with espeak-ng; :func:`render` joins the clips with short silences into one WAV.
Ticket digits are read one by one, as offices do ("nol satu dua"); numbers in station names are read as numbers
("Loket 12" -> "dua belas"). The chime is synthesised here, so it is the same on every PC and in every build.
"""

from __future__ import annotations

import io
import logging
import math
import re
import struct
import wave
from collections.abc import Iterable
from pathlib import Path

from counter_desk import resources

log = logging.getLogger(__name__)

RATE = 16_000
#: Silence between words, and the longer pause after the ticket number.
WORD_GAP_S = 0.06
PAUSE_S = 0.35
#: A marker in a word list: a longer pause, not a clip.
PAUSE = "|"

DIGITS = ("nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")
#: How Indonesians say the letters of a ticket prefix.
LETTERS = {
    "A": "a", "B": "be", "C": "ce", "D": "de", "E": "e", "F": "ef", "G": "ge", "H": "ha", "I": "i",
    "J": "je", "K": "ka", "L": "el", "M": "em", "N": "en", "O": "o", "P": "pe", "Q": "ki", "R": "er",
    "S": "es", "T": "te", "U": "u", "V": "ve", "W": "we", "X": "eks", "Y": "ye", "Z": "zet",
}  # fmt: skip
INTRO = ("nomor", "antrian")
GO_TO = ("silakan", "menuju")
COUNTER = "loket"
_WORD = re.compile(r"[a-z]+|\d+")


def voice_dir() -> Path:
    return resources.resource("voice", "id")


def chime_file() -> Path:
    return resources.resource("sounds", "chime.wav")


def number_words(n: int) -> list[str]:
    """A whole number 0..999,999 in Bahasa Indonesia words: 12 -> ["dua", "belas"], 100 -> ["seratus"]."""
    if n < 0 or n >= 1_000_000:
        bug = f"cannot say {n}"
        raise ValueError(bug)
    if n < 10:
        return [DIGITS[n]]
    if n == 10:
        return ["sepuluh"]
    if n == 11:
        return ["sebelas"]
    if n < 20:
        return [DIGITS[n - 10], "belas"]
    if n < 100:
        tens, rest = divmod(n, 10)
        return [DIGITS[tens], "puluh", *(number_words(rest) if rest else [])]
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        head = ["seratus"] if hundreds == 1 else [DIGITS[hundreds], "ratus"]
        return [*head, *(number_words(rest) if rest else [])]
    thousands, rest = divmod(n, 1000)
    head = ["seribu"] if thousands == 1 else [*number_words(thousands), "ribu"]
    return [*head, *(number_words(rest) if rest else [])]


def ticket_words(number: str) -> list[str]:
    """ "A-012" -> ["a", "nol", "satu", "dua"]: the prefix letter by letter, then each digit."""
    words: list[str] = []
    for ch in number.upper():
        if ch in LETTERS:
            words.append(LETTERS[ch])
        elif ch.isdigit():
            words.append(DIGITS[int(ch)])
    return words


def name_words(name: str) -> list[str]:
    """A station's display name as words: "Wawancara 3" -> ["wawancara", "tiga"]."""
    words: list[str] = []
    for token in _WORD.findall(name.lower()):
        words.extend(number_words(int(token)) if token.isdigit() and len(token) <= 6 else [token])
    return words


def station_words(name: str) -> list[str]:
    """Where to go: "Wawancara 3" -> ["loket", "wawancara", "tiga"] ("loket" is not said twice)."""
    words = name_words(name)
    return words if words[:1] == [COUNTER] else [COUNTER, *words]


def announcement_words(number: str, station_name: str) -> list[str]:
    """ "Nomor antrian A nol satu dua, silakan menuju loket wawancara tiga"."""
    return [*INTRO, *ticket_words(number), PAUSE, *GO_TO, *station_words(station_name)]


def announcement_text(number: str, station_name: str) -> str:
    """The announcement as a sentence (for logs and the ``--log-calls`` file)."""
    words = announcement_words(number, station_name)
    text = " ".join(w for w in words if w != PAUSE)
    head, _, tail = text.partition(" silakan ")
    sentence = f"{head}, silakan {tail}" if tail else head
    return sentence[:1].upper() + sentence[1:]


def vocabulary(station_names: Iterable[str]) -> list[str]:
    """Every word a clip is needed for: the fixed phrases, letters, digits, number words and station names."""
    words = {*INTRO, *GO_TO, COUNTER, *DIGITS, *LETTERS.values(), "sepuluh", "sebelas", "belas", "puluh"}
    words |= {"seratus", "ratus", "seribu", "ribu"}
    for name in station_names:
        words.update(station_words(name))
    return sorted(words)


# ---------------------------------------------------------------------- WAV bytes


def _silence(seconds: float) -> bytes:
    return b"\x00\x00" * round(seconds * RATE)


def read_clip(path: Path) -> bytes:
    """The 16-bit mono samples of a clip (which must be 16 kHz mono 16-bit, as the build script writes them)."""
    with wave.open(str(path), "rb") as w:
        if (w.getnchannels(), w.getsampwidth(), w.getframerate()) != (1, 2, RATE):
            bug = f"{path.name}: expected {RATE} Hz mono 16-bit (run scripts/build-voice.py)"
            raise ValueError(bug)
        return w.readframes(w.getnframes())


def wav_bytes(frames: bytes) -> bytes:
    """16 kHz mono 16-bit samples as a WAV file."""
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(frames)
    return out.getvalue()


def missing_clips(words: Iterable[str], clips: Path | None = None) -> list[str]:
    folder = clips or voice_dir()
    return sorted({w for w in words if w != PAUSE and not (folder / f"{w}.wav").is_file()})


def render(words: list[str], clips: Path | None = None) -> bytes:
    """The words spoken: their clips joined with short silences, as WAV bytes. A missing clip is skipped (logged)."""
    folder = clips or voice_dir()
    parts: list[bytes] = [_silence(0.1)]
    for word in words:
        if word == PAUSE:
            parts.append(_silence(PAUSE_S))
            continue
        path = folder / f"{word}.wav"
        if not path.is_file():
            log.warning("no voice clip for %r in %s; skipped", word, folder)
            continue
        parts.append(read_clip(path))
        parts.append(_silence(WORD_GAP_S))
    parts.append(_silence(0.1))
    return wav_bytes(b"".join(parts))


def announcement_wav(number: str, station_name: str, clips: Path | None = None) -> bytes:
    return render(announcement_words(number, station_name), clips)


def chime_frames(volume: float = 0.5) -> bytes:
    """A two-note "ding-dong" (E5 then C5, each with a soft octave partial and an exponential decay)."""
    samples: list[int] = []
    notes = ((659.25, 0.0), (523.25, 0.45))
    length = 1.6
    total = round(length * RATE)
    for i in range(total):
        t = i / RATE
        value = 0.0
        for freq, start in notes:
            if t < start:
                continue
            u = t - start
            attack = min(1.0, u / 0.008)
            envelope = attack * math.exp(-u * 3.2)
            value += envelope * (math.sin(2 * math.pi * freq * u) + 0.25 * math.sin(4 * math.pi * freq * u))
        fade = min(1.0, (total - i) / (0.05 * RATE))
        samples.append(round(max(-1.0, min(1.0, value * volume * 0.6 * fade)) * 32767))
    return struct.pack(f"<{len(samples)}h", *samples)


def chime_wav() -> bytes:
    return wav_bytes(chime_frames())

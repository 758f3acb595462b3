"""The spoken announcement: words, clip names, the WAV bytes, the chime -- no sound card needed."""

from __future__ import annotations

import hashlib
import io
import tomllib
import wave
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from counter_desk import resources
from counter_desk.services import speech


def _wav(data: bytes) -> tuple[int, int, int, int]:
    with wave.open(io.BytesIO(data), "rb") as w:
        return w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()


def test_the_example_announcement() -> None:
    assert speech.announcement_words("A-012", "Wawancara 3") == [
        "nomor", "antrian", "a", "nol", "satu", "dua", speech.PAUSE, "silakan", "menuju", "loket", "wawancara", "tiga",
    ]  # fmt: skip
    assert (
        speech.announcement_text("A-012", "Wawancara 3")
        == "Nomor antrian a nol satu dua, silakan menuju loket wawancara tiga"
    )


def test_counter_is_not_said_twice_and_prefixes_are_spelled() -> None:
    assert speech.station_words("Loket Pengambilan") == ["loket", "pengambilan"]
    assert speech.station_words("Loket Penerimaan 2") == ["loket", "penerimaan", "dua"]
    assert speech.ticket_words("P-105") == ["pe", "satu", "nol", "lima"]
    assert speech.ticket_words("WA-7") == ["we", "a", "tujuh"]


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, ["nol"]),
        (7, ["tujuh"]),
        (10, ["sepuluh"]),
        (11, ["sebelas"]),
        (12, ["dua", "belas"]),
        (20, ["dua", "puluh"]),
        (45, ["empat", "puluh", "lima"]),
        (100, ["seratus"]),
        (118, ["seratus", "delapan", "belas"]),
        (250, ["dua", "ratus", "lima", "puluh"]),
        (1000, ["seribu"]),
        (2024, ["dua", "ribu", "dua", "puluh", "empat"]),
    ],
)
def test_number_words(n: int, words: list[str]) -> None:
    assert speech.number_words(n) == words


@given(st.integers(min_value=0, max_value=999_999))
def test_every_number_word_has_a_clip(n: int) -> None:
    """Station numbers are read as numbers: whatever the number, every word is in the committed vocabulary."""
    assert speech.missing_clips(speech.number_words(n)) == []


def test_every_word_of_the_reference_office_has_a_committed_clip() -> None:
    with resources.seed_file("reference_office.toml").open("rb") as fh:
        names = [s["name"] for s in tomllib.load(fh)["stations"]]
    words = speech.vocabulary(names)
    assert "wawancara" in words and "pengambilan" in words
    assert speech.missing_clips(words) == []
    for word in words:
        channels, width, rate, frames = _wav((speech.voice_dir() / f"{word}.wav").read_bytes())
        assert (channels, width, rate) == (1, 2, speech.RATE), word
        assert 0.05 * speech.RATE < frames < 1.5 * speech.RATE, word  # trimmed, a word long
    total = sum(p.stat().st_size for p in speech.voice_dir().glob("*.wav"))
    assert total < 2_000_000  # small enough to commit


def test_render_joins_the_clips_with_silences(tmp_path: Path) -> None:
    tone = b"\x10\x00" * 1600  # 0.1 s
    for word in ("satu", "dua"):
        (tmp_path / f"{word}.wav").write_bytes(speech.wav_bytes(tone))
    data = speech.render(["satu", speech.PAUSE, "dua", "tiga"], tmp_path)  # "tiga" has no clip: skipped
    channels, width, rate, frames = _wav(data)
    assert (channels, width, rate) == (1, 2, speech.RATE)
    gap = round(speech.WORD_GAP_S * speech.RATE)
    edge = round(0.1 * speech.RATE)
    assert frames == 2 * edge + 2 * (1600 + gap) + round(speech.PAUSE_S * speech.RATE)
    with wave.open(io.BytesIO(data), "rb") as w:
        body = w.readframes(w.getnframes())
    assert body[edge * 2 : edge * 2 + len(tone)] == tone


def test_the_chime_is_reproducible_and_the_committed_one() -> None:
    first, second = speech.chime_wav(), speech.chime_wav()
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()
    assert speech.chime_file().read_bytes() == first
    channels, _width, rate, frames = _wav(first)
    assert (channels, rate) == (1, speech.RATE) and 1.0 < frames / rate < 2.5
    with wave.open(io.BytesIO(first), "rb") as w:
        raw = w.readframes(w.getnframes())
    peak = max(abs(int.from_bytes(raw[i : i + 2], "little", signed=True)) for i in range(0, len(raw), 2))
    assert 8000 < peak < 32767  # audible, not clipped


def test_a_clip_in_the_wrong_format_is_refused(tmp_path: Path) -> None:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(44_100)
        w.writeframes(b"\x00\x00\x00\x00" * 10)
    (tmp_path / "satu.wav").write_bytes(out.getvalue())
    with pytest.raises(ValueError, match="16000 Hz mono"):
        speech.render(["satu"], tmp_path)

#!/usr/bin/env python3
"""Build the waiting-room display's sounds: word clips in Bahasa Indonesia and the chime.

    python scripts/build-voice.py [--seed FILE] [--station-name NAME ...] [--espeak espeak-ng]

Writes ``resources/voice/id/<word>.wav`` for every word an announcement may need (the fixed phrases, letters,
digits, number words and the words of the stations' names in the seed file and any ``--station-name``) and
``resources/sounds/chime.wav``. Clips are 16 kHz mono 16-bit, trimmed of silence and normalised, so they are
small and join without clicks. The output depends only on the espeak-ng version (recorded in
``resources/voice/id/MANIFEST.json``) and this script: run it again after renaming a station.

espeak-ng is a Debian package (``apt-get install espeak-ng``); it is needed only to build the clips, never to
run the program.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import struct
import subprocess
import sys
import tomllib
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from counter_desk.services import speech  # noqa: E402

VOICE = "id"
SPEED_WPM = 140
PITCH = 45
#: A sample below this (of 32767) counts as silence when trimming.
SILENCE = 400
PEAK = 0.7


def _samples(raw: bytes) -> list[int]:
    return list(struct.unpack(f"<{len(raw) // 2}h", raw))


def _resample(samples: list[int], rate_in: int, rate_out: int) -> list[int]:
    """Linear resampling after a short moving-average low-pass (speech, not music: plenty good)."""
    if rate_in == rate_out:
        return samples
    smooth = [
        (samples[max(i - 1, 0)] + 2 * samples[i] + samples[min(i + 1, len(samples) - 1)]) / 4
        for i in range(len(samples))
    ]
    n_out = int(len(smooth) * rate_out / rate_in)
    out: list[int] = []
    for j in range(n_out):
        x = j * rate_in / rate_out
        i = int(x)
        frac = x - i
        a = smooth[i]
        b = smooth[min(i + 1, len(smooth) - 1)]
        out.append(round(a + (b - a) * frac))
    return out


def _trim_and_normalise(samples: list[int]) -> list[int]:
    loud = [i for i, s in enumerate(samples) if abs(s) > SILENCE]
    if not loud:
        return samples
    pad = speech.RATE // 100  # keep 10 ms either side
    cut = samples[max(loud[0] - pad, 0) : loud[-1] + pad]
    peak = max(abs(s) for s in cut) or 1
    gain = PEAK * 32767 / peak
    fade = speech.RATE // 200  # 5 ms fades: no click at the joins
    out = []
    for i, s in enumerate(cut):
        ramp = min(1.0, i / fade, (len(cut) - 1 - i) / fade)
        out.append(max(-32768, min(32767, round(s * gain * ramp))))
    return out


def synthesise(espeak: str, word: str) -> bytes:
    proc = subprocess.run(
        [espeak, "-v", VOICE, "-s", str(SPEED_WPM), "-p", str(PITCH), "--stdout", word],
        capture_output=True,
        check=True,
    )
    with wave.open(io.BytesIO(proc.stdout), "rb") as w:
        rate, width, channels = w.getframerate(), w.getsampwidth(), w.getnchannels()
        raw = w.readframes(w.getnframes())
    if width != 2 or channels != 1:
        msg = f"espeak-ng gave {channels} channels of {width * 8} bits; expected mono 16-bit"
        raise SystemExit(msg)
    samples = _trim_and_normalise(_resample(_samples(raw), rate, speech.RATE))
    return speech.wav_bytes(struct.pack(f"<{len(samples)}h", *samples))


def station_names(seed: Path) -> list[str]:
    with seed.open("rb") as fh:
        data = tomllib.load(fh)
    return [str(s["name"]) for s in data.get("stations", [])]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=Path, default=ROOT / "db" / "seed" / "reference_office.toml")
    parser.add_argument("--station-name", action="append", default=[], metavar="NAME")
    parser.add_argument("--espeak", default="espeak-ng")
    parser.add_argument("--out", type=Path, default=ROOT / "resources")
    args = parser.parse_args()
    espeak = shutil.which(args.espeak)
    if espeak is None:
        sys.stderr.write("espeak-ng is missing: apt-get install espeak-ng\n")
        return 1
    version = subprocess.run([espeak, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    voice = args.out / "voice" / "id"
    voice.mkdir(parents=True, exist_ok=True)
    words = speech.vocabulary([*station_names(args.seed), *args.station_name])
    for word in words:
        (voice / f"{word}.wav").write_bytes(synthesise(espeak, word))
    manifest = {
        "engine": version,
        "voice": VOICE,
        "speed_wpm": SPEED_WPM,
        "pitch": PITCH,
        "rate": speech.RATE,
        "words": words,
    }
    (voice / "MANIFEST.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    sounds = args.out / "sounds"
    sounds.mkdir(parents=True, exist_ok=True)
    (sounds / "chime.wav").write_bytes(speech.chime_wav())
    size = sum(p.stat().st_size for p in voice.glob("*.wav"))
    sys.stdout.write(f"{len(words)} clips ({size // 1024} KiB) in {voice}; chime in {sounds / 'chime.wav'}" + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

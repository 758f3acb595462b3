#!/usr/bin/env python3
"""Write ``resources/sounds/error.wav``: the station's error tone for a refused scan (two short low beeps).

    python scripts/build-error-tone.py [--out resources/sounds/error.wav]

The tone is synthesised by :func:`counter_desk.qt.sound.error_tone_wav` with plain Python (no numpy), so the file
is the same byte for byte on every run; tests/ui/test_station_sound.py checks the shipped file against it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from counter_desk.qt.sound import error_tone_wav  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "resources" / "sounds" / "error.wav")
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    wav = error_tone_wav()
    args.out.write_bytes(wav)
    sys.stdout.write(f"error tone ({len(wav)} bytes) in {args.out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

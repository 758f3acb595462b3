"""``counter-desk screenshots DIR`` renders every window and receipt of a simulated morning to PNG."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

EXE = Path(sys.executable).parent / "counter-desk"


def test_every_window_and_receipt_is_rendered(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [str(EXE), "screenshots", str(tmp_path), "--language", "en"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    wanted = {
        "display.png": (1920, 1080),
        "station-reception.png": (1280, 760),
        "station-interview.png": (1280, 760),
        "station-adjudicator.png": (1280, 760),
        "station-pickup.png": (1280, 760),
        "supervisor.png": (1400, 900),
        "supervisor-rules.png": (1400, 900),
        "supervisor-bookings.png": (1400, 900),
        "supervisor-officers.png": (1400, 900),
    }
    for name, (width, height) in wanted.items():
        image = QImage(str(tmp_path / name))
        assert (image.width(), image.height()) == (width, height), name
        # Not a blank window: many distinct colours.
        colours = {image.pixel(x, y) for x in range(0, width, 37) for y in range(0, height, 23)}
        assert len(colours) > 5, name
    for receipt in ("receipt-ticket", "receipt-pickup", "receipt-handover"):
        assert (tmp_path / f"{receipt}.pdf").stat().st_size > 1000
        assert QImage(str(tmp_path / f"{receipt}.png")).height() > 500, receipt

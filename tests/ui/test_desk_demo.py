"""Issue #14, the newcomer's demo: on a 1366x768 screen no window runs off it or over another, today's sample
bookings are seeded once (a second start adds none), and the booth the user drives is left someone to call."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from sqlalchemy import text

from counter_desk.store.engine import Database

EXE = Path(sys.executable).parent / "counter-desk"


def _demo(tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    screen = tmp_path / "screen.json"
    screen.write_text(json.dumps({"screens": [{"name": "small", "x": 0, "y": 0, "width": 1366, "height": 768}]}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("COUNTER_DESK_")}
    env |= {
        "COUNTER_DESK_DATA_DIR": str(tmp_path),
        "COUNTER_DESK_LANG": "id",
        "QT_QPA_PLATFORM": f"offscreen:configfile={screen}",
    }
    done = subprocess.run([str(EXE), "demo", *extra], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    return done


def _inside(inner: list[int], outer: list[int]) -> bool:
    x, y, w, h = inner
    ox, oy, ow, oh = outer
    return ox <= x and oy <= y and x + w <= ox + ow and y + h <= oy + oh


def _overlap(a: list[int], b: list[int]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


@pytest.mark.slow
def test_demo_fits_a_1366x768_screen_seeds_once_and_leaves_the_user_someone_to_call(tmp_path: Path) -> None:
    picture = tmp_path / "demo-1366x768.png"
    first = _demo(tmp_path, "--simulate", "--speed", "600", "--quit-after", "5", "--screenshot", str(picture))
    assert "120 pemesanan contoh untuk hari ini ditambahkan" in first.stdout

    image = QImage(str(picture))
    assert (image.width(), image.height()) == (1366, 768)
    facts = json.loads(picture.with_suffix(".json").read_text())
    frames = [w["frame"] for w in facts["windows"]]
    assert len(frames) == 4, facts
    for window in facts["windows"]:
        assert _inside(window["frame"], facts["available"]), window
    for i, a in enumerate(frames):
        for b in frames[i + 1 :]:
            assert not _overlap(a, b), (a, b)

    second = _demo(tmp_path, "--quit-after", "1")
    assert "ditambahkan" not in second.stdout  # seeded once: nothing added the second time
    db = Database.connect(f"sqlite:///{tmp_path / 'counter-desk.sqlite3'}")
    try:
        with db.read() as s:
            bookings = s.execute(text("SELECT count(*) FROM bookings")).scalar_one()
            waiting_for_the_user = s.execute(
                text(
                    "SELECT count(*) FROM tickets t JOIN stages s ON s.id = t.stage_id "
                    "WHERE s.code = 'interview' AND t.status = 'waiting'"
                )
            ).scalar_one()
            called_by_others = s.execute(text("SELECT count(*) FROM events WHERE kind = 'called'")).scalar_one()
    finally:
        db.dispose()
    assert bookings == 120
    assert called_by_others > 0 and waiting_for_the_user > 0

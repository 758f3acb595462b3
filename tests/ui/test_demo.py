"""``counter-desk demo --simulate``: the real program opens its windows on the embedded database, the simulated
office works, and closing the windows ends it cleanly (its own process: its windows and threads cannot outlive
it into other tests)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from counter_desk.store.engine import Database

EXE = Path(sys.executable).parent / "counter-desk"


def test_demo_simulates_the_office_and_ends_when_its_windows_close(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COUNTER_DESK_")}
    env |= {"COUNTER_DESK_DATA_DIR": str(tmp_path), "COUNTER_DESK_LANG": "en", "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [str(EXE), "demo", "--simulate", "--speed", "600", "--quit-after", "8"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "120 sample bookings for today added" in done.stdout
    assert "Traceback" not in done.stderr
    db = Database.connect(f"sqlite:///{tmp_path / 'counter-desk.sqlite3'}")
    with db.read() as s:
        kinds = dict(s.execute(text("SELECT kind, count(*) FROM events GROUP BY kind")).all())
        bookings = s.execute(text("SELECT count(*) FROM bookings")).scalar_one()
    db.dispose()
    assert bookings == 120
    # Ten simulated minutes a real second: arrivals were checked in and the other booths called them.
    assert kinds.get("checked_in", 0) > 5 and kinds.get("called", 0) > 2, kinds

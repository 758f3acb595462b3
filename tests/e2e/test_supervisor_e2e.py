"""The real ``counter-desk supervisor`` under Xvfb: the window opens on a real X display and keeps running, without
a traceback, while another process issues a ticket it follows through the change feed."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from xvfb import EXE, find_window

from counter_desk.services.queue import QueueService
from counter_desk.store.engine import Database


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_supervisor_window_opens_and_follows_the_office(display: str, db_url: str, tmp_path: Path) -> None:
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "COUNTER_DESK_LANG": "en"}
    env["COUNTER_DESK_SIGN_IN"] = "0"  # sign-in has its own end-to-end test
    log = (tmp_path / "supervisor.log").open("wb")
    proc = subprocess.Popen([str(EXE), "--db", db_url, "supervisor", "--user", "kasi"], env=env, stderr=log)
    try:
        find_window(display, "Counter Desk — supervisor$", proc)
        db = Database.connect(db_url)
        QueueService(db).check_in(walk_in="elderly")  # today on the real clock: another process issues a ticket
        db.dispose()
        time.sleep(3)  # the window follows the change feed (polling ~200 ms) and repaints
        assert proc.poll() is None, "the supervisor window exited"
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        log.close()
    errors = (tmp_path / "supervisor.log").read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in errors, errors

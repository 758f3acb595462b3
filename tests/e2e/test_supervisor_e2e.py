"""The real ``counter-desk supervisor`` under Xvfb: the window opens on a real X display and keeps running, without
a traceback, while another process issues a ticket it follows through the change feed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from counter_desk.services.queue import QueueService
from counter_desk.store.engine import Database

EXE = Path(sys.executable).parent / "counter-desk"


@pytest.fixture
def display() -> Iterator[str]:
    for tool in ("Xvfb", "xdotool"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing: make test installs xvfb and xdotool")
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x900x24", "-nolisten", "tcp"], pass_fds=(write,)
    )
    os.close(write)
    number = b""
    while not number.endswith(b"\n"):
        chunk = os.read(read, 16)
        if not chunk:
            server.kill()
            pytest.fail("Xvfb did not start")
        number += chunk
    os.close(read)
    yield f":{number.decode().strip()}"
    server.terminate()
    server.wait(timeout=10)


def _find(display: str, title: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = subprocess.run(
            ["xdotool", "search", "--name", title],
            capture_output=True,
            text=True,
            env={**os.environ, "DISPLAY": display},
            check=False,
        ).stdout.split()
        if found:
            return found[0]
        time.sleep(0.2)
    pytest.fail(f"no window named {title!r} within {timeout} s")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_supervisor_window_opens_and_follows_the_office(display: str, db_url: str, tmp_path: Path) -> None:
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "COUNTER_DESK_LANG": "en"}
    env["COUNTER_DESK_SIGN_IN"] = "0"  # sign-in has its own end-to-end test
    log = (tmp_path / "supervisor.log").open("wb")
    proc = subprocess.Popen([str(EXE), "--db", db_url, "supervisor", "--user", "kasi"], env=env, stderr=log)
    try:
        _find(display, "Counter Desk — supervisor$")
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

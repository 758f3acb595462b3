"""The real program under Xvfb: a keyboard-wedge scanner (xdotool) types a booking code into the reception window,
and the ticket is in the database; the interview booth's window, another process, sees it and calls it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from counter_desk.clock import SystemClock, office_day
from counter_desk.services import seed
from counter_desk.store.engine import Database

EXE = Path(sys.executable).parent / "counter-desk"


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    for tool in ("Xvfb", "xdotool"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing: make test installs xvfb and xdotool")
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"], pass_fds=(write,)
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


def _xdotool(display: str, *args: str, timeout: float = 20) -> str:
    proc = subprocess.run(
        ["xdotool", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "DISPLAY": display},
        timeout=timeout,
        check=False,
    )
    assert proc.returncode == 0, f"xdotool {' '.join(args)}: {proc.stderr}"
    return proc.stdout.strip()


def _open_station(display: str, db_url: str, station: str) -> tuple[subprocess.Popen[bytes], str]:
    # Sign-in has its own end-to-end test (test_crash_e2e.py); this one is about the scanner and the change feed.
    env = {
        **os.environ,
        "DISPLAY": display,
        "QT_QPA_PLATFORM": "xcb",
        "COUNTER_DESK_LANG": "en",
        "COUNTER_DESK_SIGN_IN": "0",
    }
    proc = subprocess.Popen([str(EXE), "--db", db_url, "station", "--station", station], env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = subprocess.run(
            ["xdotool", "search", "--name", f"Counter Desk — {station}$"],
            capture_output=True,
            text=True,
            env={**os.environ, "DISPLAY": display},
            check=False,
        ).stdout.split()
        if found:
            return proc, found[0]
        assert proc.poll() is None, f"the station window exited with {proc.returncode}"
        time.sleep(0.2)
    proc.kill()
    pytest.fail(f"no window for {station} within 30 s")


def _ticket_for(db: Database, code: str) -> tuple[str, str] | None:
    with db.read() as s:
        row = s.execute(
            text("SELECT t.number, t.status FROM tickets t JOIN bookings b ON b.id = t.booking_id WHERE b.code = :c"),
            {"c": code},
        ).one_or_none()
    return (row[0], row[1]) if row else None


def test_scanner_types_into_reception_and_the_booth_calls_it(display: str, db_url: str) -> None:
    db = Database.connect(db_url)
    try:
        seed.sample_bookings(db, 3, clock=SystemClock())
        with db.read() as s:
            tz = s.execute(text("SELECT timezone FROM offices")).scalar_one()
        code = f"MP{office_day(SystemClock().now(), tz):%y%m%d}0002"
        reception, reception_window = _open_station(display, db_url, "reception-1")
        booth, booth_window = _open_station(display, db_url, "interview-2")
        try:
            time.sleep(1.5)  # let both windows read their first snapshot
            _xdotool(display, "windowfocus", "--sync", reception_window)
            _xdotool(display, "type", "--delay", "8", code)
            _xdotool(display, "key", "Return")
            deadline = time.monotonic() + 15
            while _ticket_for(db, code) is None and time.monotonic() < deadline:
                time.sleep(0.2)
            assert _ticket_for(db, code) == ("A-001", "waiting")
            # The booth (another process) learns of it through the change feed; F2 is "Call next".
            time.sleep(1.5)
            _xdotool(display, "windowfocus", "--sync", booth_window)
            _xdotool(display, "key", "F2")
            deadline = time.monotonic() + 15
            while _ticket_for(db, code) != ("A-001", "called") and time.monotonic() < deadline:
                time.sleep(0.2)
            assert _ticket_for(db, code) == ("A-001", "called")
            assert reception.poll() is None and booth.poll() is None  # neither window crashed
        finally:
            for proc in (reception, booth):
                proc.terminate()
                proc.wait(timeout=10)
    finally:
        db.dispose()

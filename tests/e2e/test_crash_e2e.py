"""A station PC killed with kill -9 while it serves an applicant: restarted, its window shows the ticket it held
and the officer carries on (finish) -- nothing was lost, nothing is called twice."""

from __future__ import annotations

import signal
import subprocess

from sqlalchemy import text
from waiting import wait_until
from xvfb import find_window, launch, xdotool

from counter_desk.clock import SystemClock
from counter_desk.services import auth, rules
from counter_desk.services.queue import QueueService
from counter_desk.store.engine import Database

PASSWORD = "rahasia-wawancara-1"


def _state(db: Database, number: str) -> tuple[str, str | None]:
    with db.read() as s:
        status, station = s.execute(
            text(
                "SELECT t.status, st.code FROM tickets t LEFT JOIN stations st ON st.id = t.station_id "
                "WHERE t.number = :n ORDER BY t.id DESC LIMIT 1"
            ),
            {"n": number},
        ).one()
    return status, station


def _open(display: str, db_url: str) -> tuple[subprocess.Popen[bytes], str]:
    """Start the station and sign in as its officer, as a person would: the username is filled in, type the
    password and press Enter."""
    proc = launch(display, "--db", db_url, "station", "--station", "interview-1", "--user", "wawancara1")
    dialog = find_window(display, "^Sign in$", proc)
    xdotool(display, "windowfocus", "--sync", dialog)
    xdotool(display, "type", "--delay", "5", PASSWORD)
    xdotool(display, "key", "Return")
    # The station's name in the title: its first read is on screen (what it holds included).
    return proc, find_window(display, "Counter Desk — Wawancara 1$", proc)


def test_killed_station_restarts_holding_its_ticket(display: str, db_url: str) -> None:
    db = Database.connect(db_url)
    auth.set_password(db, "wawancara1", PASSWORD)
    rules.update(db, None, {"checkin_hours": "allow"})  # the test runs at any hour, weekends too
    queue = QueueService(db, clock=SystemClock())
    number = queue.check_in(walk_in="elderly", station="reception-1").ticket.number
    proc, window = _open(display, db_url)
    try:
        xdotool(display, "windowfocus", "--sync", window)
        xdotool(display, "key", "F2")  # Call next
        wait_until(lambda: _state(db, number) == ("called", "interview-1"), what="the call")
        xdotool(display, "key", "F4")  # Start: the applicant is being served
        wait_until(lambda: _state(db, number) == ("serving", "interview-1"), what="the start")
        proc.send_signal(signal.SIGKILL)  # the PC dies in the middle of the interview
        proc.wait(timeout=10)

        proc, window = _open(display, db_url)
        xdotool(display, "windowfocus", "--sync", window)
        xdotool(display, "key", "F9")  # Finish: enabled only because the window knows the ticket it serves
        wait_until(lambda: _state(db, number)[0] == "done", what="finish after the restart")
        with db.read() as s:
            calls = s.execute(text("SELECT count(*) FROM events WHERE kind = 'called'")).scalar_one()
            signed_in = s.execute(text("SELECT count(*) FROM audit_log WHERE kind = 'signin'")).scalar_one()
            officer = s.execute(
                text("SELECT u.username FROM events e JOIN users u ON u.id = e.user_id WHERE e.kind = 'called'")
            ).scalar_one()
        assert calls == 1
        assert signed_in == 2  # before the crash and after it
        assert officer == "wawancara1"  # the call is recorded with who made it
        assert proc.poll() is None
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        db.dispose()

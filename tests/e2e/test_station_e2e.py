"""The real program under Xvfb: a keyboard-wedge scanner (xdotool) types a booking code into the reception window,
and the ticket is in the database; the interview booth's window, another process, sees it and calls it."""

from __future__ import annotations

import subprocess

from sqlalchemy import text
from waiting import wait_until
from xvfb import find_window, launch, xdotool

from counter_desk.clock import SystemClock, office_day
from counter_desk.services import rules, seed
from counter_desk.store.engine import Database

#: The windows' titles: the station's code until its first read is on screen, then its name (the reference
#: office's). Waiting for the name waits for that first read: the window's buttons and its live feed are up.
NAMES = {"reception-1": "Loket Penerimaan 1", "interview-2": "Wawancara 2"}


def _open_station(display: str, db_url: str, station: str) -> tuple[subprocess.Popen[bytes], str]:
    # Sign-in has its own end-to-end test (test_crash_e2e.py); this one is about the scanner and the change feed.
    proc = launch(display, "--db", db_url, "station", "--station", station, env={"COUNTER_DESK_SIGN_IN": "0"})
    return proc, find_window(display, f"Counter Desk — {NAMES[station]}$", proc)


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
        rules.update(db, None, {"checkin_hours": "allow"})  # the test runs at any hour, weekends too
        with db.read() as s:
            tz = s.execute(text("SELECT timezone FROM offices")).scalar_one()
        # The day's first booking (08:00): its check-in opens at midnight, so the test runs at any hour (a later
        # slot's opens only 8 hours before it).
        code = f"MP{office_day(SystemClock().now(), tz):%y%m%d}0001"
        reception, reception_window = _open_station(display, db_url, "reception-1")
        booth, booth_window = _open_station(display, db_url, "interview-2")
        try:
            xdotool(display, "windowfocus", "--sync", reception_window)
            xdotool(display, "type", "--delay", "8", code)
            xdotool(display, "key", "Return")
            ticket = wait_until(lambda: _ticket_for(db, code), what="the scanned booking's ticket")
            assert ticket == ("A-001", "waiting")
            # The booth (another process, its first read on screen) calls it; F2 is "Call next".
            xdotool(display, "windowfocus", "--sync", booth_window)
            xdotool(display, "key", "F2")
            wait_until(lambda: _ticket_for(db, code) == ("A-001", "called"), what="the booth's call")
            assert reception.poll() is None and booth.poll() is None  # neither window crashed
        finally:
            for proc in (reception, booth):
                proc.terminate()
                proc.wait(timeout=10)
    finally:
        db.dispose()

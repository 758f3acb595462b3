"""Issue #14 with the real program under Xvfb: the walk-in dialog is open at reception (Ctrl+W) when the
scanner (xdotool, keys 5 ms apart, then Enter) types a booking code. The dialog closes unanswered, no priority
ticket is issued, and the booking gets its ticket."""

from __future__ import annotations

import time

from sqlalchemy import text
from xvfb import find_window, launch, xdotool

from counter_desk.clock import SystemClock, office_day
from counter_desk.services import rules, seed
from counter_desk.store.engine import Database


def _tickets(db: Database) -> list[tuple[str, str | None]]:
    with db.read() as s:
        rows = s.execute(
            text("SELECT t.number, b.code FROM tickets t LEFT JOIN bookings b ON b.id = t.booking_id ORDER BY t.id")
        ).all()
    return [(str(n), c) for n, c in rows]


def test_a_scan_into_the_open_walk_in_dialog_checks_the_booking_in(display: str, db_url: str) -> None:
    db = Database.connect(db_url)
    try:
        seed.sample_bookings(db, 3, clock=SystemClock())
        rules.update(db, None, {"checkin_hours": "allow"})  # the test runs at any hour
        with db.read() as s:
            tz = s.execute(text("SELECT timezone FROM offices")).scalar_one()
        code = f"MP{office_day(SystemClock().now(), tz):%y%m%d}0003"
        proc = launch(display, "--db", db_url, "station", "--station", "reception-1", env={"COUNTER_DESK_SIGN_IN": "0"})
        try:
            window = find_window(display, "Counter Desk — (reception-1|Loket Penerimaan 1)$", proc)
            time.sleep(1.5)  # its first snapshot
            xdotool(display, "windowfocus", "--sync", window)
            xdotool(display, "key", "ctrl+w")
            dialog = find_window(display, "^Walk-in$", proc)
            xdotool(display, "windowfocus", "--sync", dialog)
            xdotool(display, "type", "--delay", "5", code)
            xdotool(display, "key", "Return")
            deadline = time.monotonic() + 15
            while not _tickets(db) and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(0.5)  # anything else it might (wrongly) issue
            assert _tickets(db) == [("A-001", code)]
            assert proc.poll() is None
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    finally:
        db.dispose()

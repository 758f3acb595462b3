"""Issue #14 with the real program under Xvfb: the walk-in dialog is open at reception (Ctrl+W) when the
scanner (xdotool, keys 5 ms apart, then Enter) types a booking code. The dialog closes unanswered, no priority
ticket is issued, and the booking gets its ticket."""

from __future__ import annotations

from sqlalchemy import text
from waiting import wait_until
from xvfb import find_window, launch, windows, xdotool

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
        # The day's first booking (08:00): its check-in opens at midnight, so the test runs at any hour (a later
        # slot's opens only 8 hours before it).
        code = f"MP{office_day(SystemClock().now(), tz):%y%m%d}0001"
        proc = launch(display, "--db", db_url, "station", "--station", "reception-1", env={"COUNTER_DESK_SIGN_IN": "0"})
        try:
            # The station's name in the title: its first read is on screen (the code until then).
            window = find_window(display, "Counter Desk — Loket Penerimaan 1$", proc)
            xdotool(display, "windowfocus", "--sync", window)
            xdotool(display, "key", "ctrl+w")
            dialog = find_window(display, "^Walk-in$", proc)
            xdotool(display, "windowfocus", "--sync", dialog)
            xdotool(display, "type", "--delay", "5", code)
            xdotool(display, "key", "Return")
            # The dialog closes unanswered (a wrong priority ticket would have been issued by its answer).
            wait_until(lambda: not windows(display, "^Walk-in$"), what="the walk-in dialog closing")
            wait_until(lambda: _tickets(db), what="the booking's ticket")
            assert _tickets(db) == [("A-001", code)]
            assert proc.poll() is None
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    finally:
        db.dispose()

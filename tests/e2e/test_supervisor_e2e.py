"""The real ``counter-desk supervisor`` under Xvfb: the window opens on a real X display and follows the office
through the change feed. Another process issues a ticket after the window opened; the supervisor, by keyboard as a
person would, opens the Tickets tab (Alt+T), picks the first row (Ctrl+Home) and moves it to another stage (Alt+M,
a reason, Enter). The move in the database -- by the supervisor, of that ticket -- is what the window showed: the
tab, the new ticket in its list, the action on it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import text
from waiting import poll, wait_until
from xvfb import EXE, find_window, windows, xdotool

from counter_desk.services import rules
from counter_desk.services.queue import QueueService
from counter_desk.store.engine import Database

MOVE_DIALOG = "^Move to another stage$"


def _moves(db: Database) -> list[tuple[str, str | None, str | None, str | None]]:
    """The ``transferred`` events: ticket number, reason, the officer who acted, the stage it went to."""
    with db.read() as s:
        rows = s.execute(
            text(
                "SELECT t.number, e.reason, u.username, st.code FROM events e JOIN tickets t ON t.id = e.ticket_id "
                "LEFT JOIN users u ON u.id = e.user_id LEFT JOIN stages st ON st.id = t.stage_id "
                "WHERE e.kind = 'transferred' ORDER BY e.seq"
            )
        ).all()
    return [(str(n), r, u, c) for n, r, u, c in rows]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_supervisor_window_follows_the_office_and_acts_on_what_it_shows(
    display: str, db_url: str, tmp_path: Path
) -> None:
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "COUNTER_DESK_LANG": "en"}
    env["COUNTER_DESK_SIGN_IN"] = "0"  # sign-in has its own end-to-end test
    db = Database.connect(db_url)
    rules.update(db, None, {"checkin_hours": "allow"})  # the test runs at any hour, weekends too
    log = (tmp_path / "supervisor.log").open("wb")
    proc = subprocess.Popen([str(EXE), "--db", db_url, "supervisor", "--user", "kasi"], env=env, stderr=log)
    try:
        window = find_window(display, "Counter Desk — supervisor$", proc)
        number = QueueService(db).check_in(walk_in="elderly").ticket.number  # another process, after the window
        stage = QueueService(db).ticket(number).stage

        def move_dialog_opens() -> str | None:
            """Tickets tab, first row, Move: the dialog opens once the window lists the new ticket (before that the
            list is empty and Move is disabled)."""
            assert proc.poll() is None, f"the supervisor window exited with {proc.returncode}"
            xdotool(display, "windowfocus", "--sync", window)
            xdotool(display, "key", "alt+t", "ctrl+Home", "alt+m")
            found = poll(lambda: windows(display, MOVE_DIALOG), timeout=2)
            return found[0] if found else None

        dialog = wait_until(move_dialog_opens, timeout=30, what="the new ticket in the supervisor's Tickets tab")
        xdotool(display, "windowfocus", "--sync", dialog)
        xdotool(display, "type", "--delay", "5", "dipindah e2e")  # the reason has the focus
        xdotool(display, "key", "shift+Tab", "Down", "Return")  # to the stage list, the next stage, OK
        moves = wait_until(lambda: _moves(db), what="the move made in the supervisor's window")
        assert len(moves) == 1
        moved, reason, officer, to_stage = moves[0]
        assert (moved, reason, officer) == (number, "dipindah e2e", "kasi")
        assert to_stage != stage
        assert not windows(display, MOVE_DIALOG)
        assert proc.poll() is None, "the supervisor window exited"
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        log.close()
        db.dispose()
    errors = (tmp_path / "supervisor.log").read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in errors, errors

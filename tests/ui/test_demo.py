"""``counter-desk demo --simulate``: four windows on the embedded database, a lively office, a clean end."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from counter_desk.cli import main
from counter_desk.store.engine import Database


def test_demo_opens_four_windows_simulates_the_office_and_ends_when_they_close(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COUNTER_DESK_DATA_DIR", str(tmp_path))
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    seen: list[str] = []

    def look_then_close() -> None:
        seen.extend(sorted(type(w).__name__ for w in app.topLevelWidgets() if w.isVisible()))
        app.closeAllWindows()

    QTimer.singleShot(6000, look_then_close)
    assert main(["demo", "--simulate", "--speed", "600"]) == 0
    assert seen == ["DisplayWindow", "StationWindow", "StationWindow", "SupervisorWindow"]
    assert not [t for t in threading.enumerate() if t.name == "simulated-office"], "the simulation still runs"
    db = Database.connect(f"sqlite:///{tmp_path / 'counter-desk.sqlite3'}")
    with db.read() as s:
        kinds = dict(s.execute(text("SELECT kind, count(*) FROM events GROUP BY kind")).all())
        bookings = s.execute(text("SELECT count(*) FROM bookings")).scalar_one()
    db.dispose()
    assert bookings == 120
    # Six simulated minutes a real second: arrivals were checked in and the other booths called them.
    assert kinds.get("checked_in", 0) > 5 and kinds.get("called", 0) > 2, kinds

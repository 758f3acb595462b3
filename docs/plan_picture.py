"""Render docs/plan.png: the supervisor window's Rencana tab with tomorrow's plan, offscreen, in Bahasa Indonesia.

Run ``QT_QPA_PLATFORM=offscreen python docs/plan_picture.py`` from a checkout. A throwaway SQLite office (the
reference seed) gets 130 sample bookings for Tuesday 24 November 2026; the window's clock stands on the Monday
before, so the tab plans its next working day.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script from a checkout: import the package next to docs/
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtWidgets import QApplication

from counter_desk.clock import FixedClock
from counter_desk.services import seed
from counter_desk.services.desk import Desk
from counter_desk.store import migrate
from counter_desk.store.engine import Database
from counter_desk.views.app import application
from counter_desk.views.supervisor import SupervisorWindow

MONDAY_9 = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)
OUT = Path(__file__).resolve().parent / "plan.png"


def _settle(app: QApplication, until: float) -> None:
    while time.monotonic() < until:
        app.processEvents()
        time.sleep(0.01)


def main() -> int:
    app = application("id")
    with tempfile.TemporaryDirectory(prefix="counter-desk-plan-picture-") as folder:
        db = Database.connect(f"sqlite:///{folder}/office.sqlite3")
        migrate.upgrade(db)
        clock = FixedClock(MONDAY_9)
        seed.load(db, clock=clock)
        seed.sample_bookings(db, 130, day=dt.date(2026, 11, 24), clock=clock)
        window = SupervisorWindow(Desk(db), clock=clock, user="kasi", live=False)
        tab = window.plan_tab
        window.tabs.setCurrentWidget(tab)
        window.resize(1280, 900)
        window.show()
        _settle(app, time.monotonic() + 1.5)
        done: list[object] = []
        tab.planned.connect(done.append)
        tab.plan_button.click()
        deadline = time.monotonic() + 120
        while not done and time.monotonic() < deadline:
            _settle(app, time.monotonic() + 0.1)
        _settle(app, time.monotonic() + 0.5)
        window.grab().save(str(OUT))
        window.close()
        _settle(app, time.monotonic() + 0.3)
        db.dispose()
    print(OUT)  # noqa: T201 - a script: says where the picture went
    return 0 if done else 1


if __name__ == "__main__":
    raise SystemExit(main())

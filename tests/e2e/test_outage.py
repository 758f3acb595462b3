"""The field study's worst day: the database server goes away for a minute while the office works.

Windows stay responsive and show the outage; an action tried meanwhile says it was not saved and leaves nothing
half-done; when the server is back every window is live again without a restart, the retried click acts once,
and the display shows the calls made since. The test stops and restarts its own PostgreSQL server.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator

import pytest
from pgserver import PgServer, admin_connect
from PySide6.QtCore import QElapsedTimer, QTimer
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from counter_desk.clock import SystemClock
from counter_desk.errors import DatabaseUnavailable
from counter_desk.live.follower import ONLINE
from counter_desk.services import rules, seed
from counter_desk.services.desk import Desk
from counter_desk.services.queue import QueueService
from counter_desk.store import migrate
from counter_desk.store.engine import Database
from counter_desk.views.display import DisplayWindow
from counter_desk.views.station import StationWindow

#: The outage the issue asks for; COUNTER_DESK_OUTAGE_S shortens it for a quick local run.
OUTAGE_S = float(os.environ.get("COUNTER_DESK_OUTAGE_S", "60"))


class _Silent:
    def play(self, wav: bytes, volume: float, done: Callable[[], None]) -> None:
        done()  # no timer that could outlive the window

    def stop(self) -> None:
        pass


@pytest.fixture
def server() -> Iterator[PgServer]:
    pg = PgServer().start()
    with admin_connect(pg.url()) as conn:
        conn.execute("CREATE DATABASE office")
    db = Database.connect(pg.url("office"))
    migrate.upgrade(db)
    seed.load(db)
    db.dispose()
    yield pg
    pg.cleanup()


def _online(window: StationWindow | DisplayWindow) -> bool:
    state = window.connection.state  # the window's qt.status.ConnectionStatus
    return state is not None and state.state == ONLINE


def test_a_minute_without_the_database_loses_nothing(qtbot: QtBot, server: PgServer) -> None:
    url = server.url("office")
    db = Database.connect(url)
    rules.update(db, None, {"checkin_hours": "allow"})  # the test runs at any hour, weekends too
    other = QueueService(Database.connect(url), clock=SystemClock())  # another booth, another PC
    for _n in range(4):
        other.check_in(walk_in="elderly", station="reception-1")
    station = StationWindow(Desk(db), "interview-1", user="wawancara1")
    display = DisplayWindow(Desk(db), sink=_Silent())  # type: ignore[arg-type]
    for window in (station, display):
        qtbot.addWidget(window)
        window.show()
    qtbot.waitUntil(lambda: _online(station) and _online(display), timeout=15_000)

    server.stop("fast")
    qtbot.waitUntil(lambda: not _online(station) and not _online(display), timeout=30_000)
    assert "online" not in station.connection_label.text()

    # A click during the outage: "not confirmed" (it may or may not have reached the server), and the window keeps
    # its token for the retry.
    # (A refresh failing meanwhile says so too: wait for the click's own message.)
    with qtbot.waitSignal(station.failed, timeout=30_000, check_params_cb=lambda m: "Not confirmed" in m) as refused:
        station.buttons["call_next"].click()
    assert "may or may not have been saved" in refused.args[0]

    # Responsive throughout: the event loop keeps its 100 ms timer within a few hundred ms.
    worst = 0
    clock = QElapsedTimer()
    clock.start()
    last = clock.elapsed()

    def tick() -> None:
        nonlocal worst, last
        now = clock.elapsed()
        worst = max(worst, now - last)
        last = now

    timer = QTimer(interval=100)
    timer.timeout.connect(tick)
    timer.start()
    deadline = time.monotonic() + max(0.0, OUTAGE_S - 5)
    while time.monotonic() < deadline:
        qtbot.wait(200)
    timer.stop()
    assert worst < 2000, f"the GUI thread stalled for {worst} ms during the outage"

    server.restart()
    back = time.monotonic()
    qtbot.waitUntil(lambda: _online(station) and _online(display), timeout=30_000)
    recovery_s = time.monotonic() - back
    print(f"\nrecovery after the server returned: {recovery_s:.2f} s; worst GUI stall during the outage: {worst} ms")

    # The other booth's pooled connections died with the server: its first action may say "not saved" once,
    # then SQLAlchemy has recycled the pool (no pre-ping, see store.engine); the booth retries, as people do.
    with contextlib.suppress(DatabaseUnavailable):
        other.status(station="interview-1")
    # The same click again: acts once, with the token kept from the refused attempt.
    with qtbot.waitSignal(station.acted, timeout=15_000):
        station.buttons["call_next"].click()
    number = other.status(station="interview-1").stations
    held = next(s for s in number if s.code == "interview-1").ticket
    assert held is not None and held.number == "P-001"
    # Calls made elsewhere since the return reach the display.
    called = other.call_next("interview-2").ticket.number
    qtbot.waitUntil(
        lambda: (
            display.state is not None and display.state.current is not None and display.state.current.number == called
        ),
        timeout=10_000,
    )
    assert [c.number for c in display.state.calls][:2] == [called, "P-001"]
    with other.db.read() as s:
        calls = s.execute(text("SELECT count(*) FROM events WHERE kind = 'called'")).scalar_one()
        tickets = s.execute(text("SELECT count(*) FROM tickets")).scalar_one()
    assert (calls, tickets) == (2, 4)  # nothing lost, nothing doubled
    for window in (station, display):
        window.close()
    db.dispose()
    other.db.dispose()

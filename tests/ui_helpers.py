"""What the station-window tests share: a silent sound output and a way to open a real station window."""

from __future__ import annotations

from collections.abc import Callable

from pytestqt.qtbot import QtBot

from counter_desk.clock import FixedClock
from counter_desk.services.desk import Desk
from counter_desk.store.engine import Database
from counter_desk.views.station import StationWindow

WAIT_MS = 5000


class Silent:
    """A sound output that plays nothing and says at once that it is done (tests have no sound device)."""

    def play(self, wav: bytes, volume: float, done: Callable[[], None]) -> None:
        done()

    def stop(self) -> None:
        pass


def open_station(qtbot: QtBot, db: Database, clock: FixedClock, station: str, **kwargs: object) -> StationWindow:
    """A real station window, shown, with the keyboard, once its first snapshot has arrived."""
    window = StationWindow(Desk(db), station, clock=clock, live=False, sound=Silent(), **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: window._snapshot is not None, timeout=WAIT_MS)
    return window

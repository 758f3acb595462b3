"""The change feed for a window: a thread follows the event log and hands new events to the GUI thread."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from counter_desk.live.follower import FeedState, Follower
from counter_desk.live.wakeup import Wakeup
from counter_desk.services.views import EventView

log = logging.getLogger(__name__)


class LiveFeed(QObject):
    """Follows the event log on its own thread (with its own connection).

    Signals:
        events(list): new events, in order, each exactly once.
        state_changed(object): a :class:`~counter_desk.live.follower.FeedState` when the connection state changes.
    """

    events = Signal(list)
    state_changed = Signal(object)

    def __init__(
        self,
        read_after: Callable[[int, int], list[EventView]],
        connect: Callable[[], Wakeup],
        *,
        last_seq: int = 0,
        parent: QObject | None = None,
        step_s: float = 0.5,
    ) -> None:
        super().__init__(parent)
        self._follower = Follower(read_after, connect, last_seq=last_seq)
        self._step_s = step_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="counter-desk-live", daemon=True)

    @property
    def state(self) -> FeedState:
        return self._follower.state

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        last_state = None
        while not self._stop.is_set():
            batch = self._follower.step(self._step_s)
            if self._stop.is_set():
                break
            if self._follower.state != last_state:
                last_state = self._follower.state
                self.state_changed.emit(last_state)
            if batch:
                self.events.emit(batch)
        self._follower.close()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("the live feed thread did not stop within %.1f s", timeout)

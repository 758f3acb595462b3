"""The change feed for a window: a thread follows the event log and hands new events to the GUI thread."""

from __future__ import annotations

import ctypes
import logging
import sys
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

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


#: References to True and False held on purpose (see :class:`BoolRefGuard`). The list itself is given an extra
#: reference so it is never freed, not even while the interpreter shuts down: freeing it would hand back references
#: the emits never took, and the shutdown would abort instead.
_HELD: list[bool] = []
ctypes.pythonapi.Py_IncRef(ctypes.py_object(_HELD))


class BoolRefGuard(QObject):
    """Keeps ``True`` and ``False`` alive in a long-running window.

    PySide6 6.12 on CPython 3.11 drops one reference to ``True`` on every ``Signal.emit()`` made from Python
    (``emit`` returns a borrowed ``True``). ``True`` starts with a few hundred references, so after a few
    hundred emits the interpreter aborts with "bool_dealloc: deallocating True or False". A display emits on
    every event batch, every background read and every announcement: it would die within hours. Every second
    this guard tops the count up when it runs low, by holding references in a list (8 bytes each). It does
    nothing where the bug is absent (CPython 3.12+ makes ``True`` immortal; a fixed PySide6 does not leak).
    """

    LOW = 50_000
    TOP = 100_000

    def __init__(self, parent: QObject | None = None, interval_ms: int = 1000) -> None:
        super().__init__(parent)
        self._timer = QTimer(self, interval=interval_ms)
        self._timer.setObjectName("boolRefGuard")
        self._timer.timeout.connect(self.check)
        self._timer.start()
        self.check()

    @staticmethod
    def check() -> int:
        """Top the references up where needed; return how many were added."""
        added = 0
        for value in (True, False):
            count = sys.getrefcount(value)
            if count < BoolRefGuard.LOW:
                _HELD.extend([value] * (BoolRefGuard.TOP - count))
                added += BoolRefGuard.TOP - count
        if added:
            log.debug("held %d more references to True/False (PySide6 emit refcount bug)", added)
        return added

    def stop(self) -> None:
        self._timer.stop()

"""The change feed for a window: a thread follows the event log and hands new events to the GUI thread."""

from __future__ import annotations

import ctypes
import logging
import sys
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from sqlalchemy.engine import URL

from counter_desk.live.follower import FeedState, Follower
from counter_desk.live.wakeup import Wakeup, wakeup_for
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


def start_feed(
    read_after: Callable[[int, int], list[EventView]],
    url: str | URL,
    *,
    last_seq: int,
    on_events: Callable[[list[EventView]], None],
    on_state: Callable[[FeedState | None], None],
    parent: QObject,
) -> LiveFeed:
    """A window's live feed, started: the events of the database at ``url`` after ``last_seq`` (the window's
    first read), each batch to ``on_events`` and each change of the feed's state to ``on_state`` (the window's
    connection label). It stops with ``parent``."""
    feed = LiveFeed(read_after, lambda: wakeup_for(url), last_seq=last_seq, parent=parent)
    feed.events.connect(on_events)
    feed.state_changed.connect(on_state)
    feed.start()
    return feed


class RefcountGuard(QObject):
    """Keeps ``None``, ``True`` and ``False`` alive in a long-running window.

    PySide6 6.12 on CPython 3.11 returns ``None`` from every void method (``setText``, ``QTimer.start``,
    ``update``, ...) and ``True`` from ``Signal.emit()`` without taking a reference, as if they were immortal
    (they are only from CPython 3.12 on). Each call drops one reference; a window that keeps drawing runs the
    count down to zero within hours and the interpreter aborts ("none_dealloc: deallocating None" or
    "bool_dealloc"). On an affected interpreter this guard raises their reference counts far out of reach
    (2**40: decades at thousands of calls a second) and checks again every minute. It does nothing on CPython
    3.12+, where the three are immortal and their counts are not real counts.
    """

    FLOOR = 2**39
    LEVEL = 2**40

    def __init__(self, parent: QObject | None = None, interval_ms: int = 60_000) -> None:
        super().__init__(parent)
        self._timer = QTimer(self, interval=interval_ms)
        self._timer.setObjectName("refcountGuard")
        self._timer.timeout.connect(self.check)
        self._timer.start()
        self.check()

    @staticmethod
    def check() -> bool:
        """Raise the counts where they run low; True when it did."""
        if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
            return False
        raised = False
        for value in (None, True, False):
            if sys.getrefcount(value) < RefcountGuard.FLOOR:
                # ob_refcnt is the first field of every CPython object (non-debug build).
                count = ctypes.c_ssize_t.from_address(id(value))
                count.value += RefcountGuard.LEVEL
                raised = True
        if raised:
            log.info("raised the reference counts of None/True/False (PySide6 6.12 on CPython 3.11)")
        return raised

    def stop(self) -> None:
        self._timer.stop()


def guard_refcounts(app: QObject) -> RefcountGuard:
    """The one :class:`RefcountGuard` of ``app`` (the running application): made by the first window or by
    ``views.app.application``, found by every later one."""
    guard = app.findChild(RefcountGuard)
    return guard if isinstance(guard, RefcountGuard) else RefcountGuard(app)

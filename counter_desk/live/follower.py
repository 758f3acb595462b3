"""Follow the event log: hand every new event to the caller exactly once, in order, through outages.

On every (re)connect the follower first starts listening and only then reads the events after the last one it
handed out, so nothing committed in between is missed. Every read is a range read (``seq > last``), which
fills any gap by construction; a hole inside what was read (a commit not yet visible) is read again once
before the follower moves past it. A backstop read every few seconds catches a listener that died silently, and a
ping after a long silence proves the connection is alive. Database trouble never escapes :meth:`Follower.step`:
it becomes a state (``online``, ``reconnecting``, ``offline``) the window shows, and the follower retries.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from counter_desk.errors import UserError
from counter_desk.live.wakeup import FeedLost, Wakeup
from counter_desk.services.views import EventView

log = logging.getLogger(__name__)

ONLINE = "online"
RECONNECTING = "reconnecting"
OFFLINE = "offline"

#: After this long without a connection, "reconnecting" becomes "offline since hh:mm".
OFFLINE_AFTER_S = 10.0
BATCH = 500


@dataclass(frozen=True)
class FeedState:
    state: str
    #: When the current state began.
    since: dt.datetime
    error: str | None = None


def _describe(exc: Exception) -> str:
    text = exc.message if isinstance(exc, UserError) else str(exc)
    return text.splitlines()[0] if text.strip() else type(exc).__name__


def _has_gap(after: int, events: list[EventView]) -> bool:
    expected = after + 1
    for event in events:
        if event.seq != expected:
            return True
        expected += 1
    return False


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Follower:
    """Reads new events as they are committed. Use from one thread; call :meth:`step` in a loop."""

    def __init__(
        self,
        read_after: Callable[[int, int], list[EventView]],
        connect: Callable[[], Wakeup],
        *,
        last_seq: int = 0,
        backstop_s: float = 5.0,
        ping_after_s: float = 15.0,
        retry_s: float = 1.0,
        now: Callable[[], dt.datetime] = _utcnow,
    ) -> None:
        self._read_after = read_after
        self._connect = connect
        self.last_seq = last_seq
        self._backstop_s = backstop_s
        self._ping_after_s = ping_after_s
        self._retry_s = retry_s
        self._now = now
        self._wakeup: Wakeup | None = None
        self._last_read = 0.0
        self._last_heard = time.monotonic()
        self._lost_at: float | None = None
        self.state = FeedState(RECONNECTING, now())
        self.reconnects = 0
        #: Reads whose hole in the sequence a second read filled.
        self.gaps_filled = 0

    def _set_state(self, state: str, error: str | None = None) -> None:
        if state == self.state.state:
            if error != self.state.error:
                self.state = FeedState(state, self.state.since, error)
            return
        since = self._now()
        if state == OFFLINE and self._lost_at is not None:
            since = self.state.since  # offline since the connection was lost, not since we gave up hoping
        self.state = FeedState(state, since, error)
        log.info("change feed %s%s", state, f": {error}" if error else "")

    def _lost(self, error: str) -> None:
        if self._wakeup is not None:
            self._wakeup.close()
            self._wakeup = None
        if self._lost_at is None:
            self._lost_at = time.monotonic()
            self._set_state(RECONNECTING, error)
        elif time.monotonic() - self._lost_at >= OFFLINE_AFTER_S:
            self._set_state(OFFLINE, error)

    def _read(self) -> list[EventView]:
        start = self.last_seq
        out = self._read_range(start)
        if _has_gap(start, out):
            # Sequence numbers are gap-free and given in commit order, so a hole means a commit not yet
            # visible to this read (or, in a database holding several offices, another office's event).
            # Read the range once more: what has become visible fills the hole; what is still missing
            # belongs to no one we follow.
            again = self._read_range(start)
            if len(again) > len(out):
                self.gaps_filled += 1
            out = again
        if out:
            self.last_seq = out[-1].seq
        self._last_read = time.monotonic()
        return out

    def _read_range(self, after: int) -> list[EventView]:
        out: list[EventView] = []
        while True:
            batch = self._read_after(after, BATCH)
            if not batch:
                break
            out.extend(batch)
            after = batch[-1].seq
            if len(batch) < BATCH:
                break
        return out

    def step(self, timeout: float = 1.0) -> list[EventView]:
        """Wait up to about ``timeout`` seconds for news and return the new events (often none)."""
        try:
            if self._wakeup is None:
                self._wakeup = self._connect()
                if self._lost_at is not None:
                    self.reconnects += 1
                events = self._read()  # catch up: after LISTEN, before waiting
                self._lost_at = None
                self._last_heard = time.monotonic()
                self._set_state(ONLINE)
                return events
            woke = self._wakeup.wait(timeout)
            now = time.monotonic()
            if woke:
                self._last_heard = now
            elif now - self._last_heard >= self._ping_after_s:
                self._wakeup.ping()
                self._last_heard = now
            if woke or now - self._last_read >= self._backstop_s:
                return self._read()
            return []
        except (FeedLost, DBAPIError, SQLAlchemyError, UserError) as exc:
            first = self._lost_at is None
            self._lost(_describe(exc))
            if not first:
                # The first reconnect is tried at once (a killed listener is back within milliseconds); after
                # that, wait between attempts so a dead server is not hammered.
                time.sleep(min(self._retry_s, timeout))
            return []

    def close(self) -> None:
        if self._wakeup is not None:
            self._wakeup.close()
            self._wakeup = None

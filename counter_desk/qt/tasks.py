"""Database work off the GUI thread.

Each window owns one :class:`TaskRunner`: a single worker thread runs the functions handed to it, in order, and
their results (or errors) come back to the GUI thread through a queued signal. A slow or dead database makes
an action wait; it never freezes the window.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal, Slot
from sqlalchemy.exc import DBAPIError

from counter_desk.errors import DatabaseUnavailable, bug_summary
from counter_desk.i18n import N_
from counter_desk.store.engine import is_unavailable

log = logging.getLogger(__name__)

#: What a window says when an action's connection broke: its commit may have reached the server, and its
#: idempotency token (kept) makes pressing again safe.
NOT_CONFIRMED = N_(
    "Not confirmed: the database cannot be reached, so this may or may not have been saved. "
    "Press again: it is never done twice."
)


def connection_problem(exc: BaseException) -> bool:
    """The database is out of reach (an action's outcome unknown), as opposed to a refused statement: a bug."""
    if isinstance(exc, DBAPIError):
        return is_unavailable(exc)
    return isinstance(exc, DatabaseUnavailable | OSError)


def error_text(exc: BaseException) -> str:
    """An unexpected error for a banner: a database error without PostgreSQL's DETAIL (a failing row's names and
    NIKs), anything else as it says."""
    return bug_summary(exc) if isinstance(exc, DBAPIError) else str(exc)


T = TypeVar("T")


class TaskRunner(QObject):
    """Runs callables on one worker thread and hands their outcome back on the GUI thread.

    Signals:
        busy_changed(bool): true while work is queued or running (windows show a busy cursor).
    """

    busy_changed = Signal(bool)
    _finished = Signal(object, object, object, object)

    def __init__(self, parent: QObject | None = None, name: str = "db") -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"counter-desk-{name}")
        self._pending = 0
        self._closed = False
        self._finished.connect(self._deliver)

    def run(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> Future[T | None] | None:
        """Run ``fn()`` on the worker; then ``on_done(result)`` or ``on_error(exc)`` on the GUI thread (the
        returned future holds the result, or None after an error: the error goes to ``on_error`` only)."""
        if self._closed:
            log.warning("task submitted after close; ignored")
            return None
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)

        def work() -> T | None:
            try:
                result = fn()
            except Exception as exc:  # noqa: BLE001 - handed to on_error on the GUI thread, not swallowed
                # Not re-raised: the Future would keep the exception, its traceback and through it the callbacks
                # (and their window) alive in a cycle, collected later on whatever thread runs the GC -- a crash
                # when that is a worker and the cycle holds a QWidget.
                self._finished.emit(on_done, on_error, None, exc)
                return None
            self._finished.emit(on_done, on_error, result, None)
            return result

        return self._pool.submit(work)

    @Slot(object, object, object, object)
    def _deliver(self, on_done: Any, on_error: Any, result: Any, exc: Any) -> None:
        self._pending -= 1
        if self._pending == 0:
            self.busy_changed.emit(False)
        if self._closed:
            return
        if exc is not None:
            if on_error is not None:
                on_error(exc)
            else:
                log.error("unhandled error in a background task", exc_info=exc)
        elif on_done is not None:
            on_done(result)

    @property
    def pending(self) -> int:
        return self._pending

    def close(self, wait: bool = True) -> None:
        """Stop accepting work; finish what is running (callbacks of unfinished work are dropped)."""
        self._closed = True
        self._pool.shutdown(wait=wait, cancel_futures=True)

"""One way to act in every window: the shared action runner (after Anki's ``aqt/operations``).

A window hands each user action to its :class:`Operations` as one small function wrapping one service call. The
runner runs it on the window's :class:`~counter_desk.qt.tasks.TaskRunner`, one at a time (the window is *busy*
meanwhile), and sorts what comes back:

- success: the window's ``done`` shows the result; its message goes to the banner (saying, after a retry that
  met a dead connection, whether the first try had been saved after all);
- a *refusal* (:class:`~counter_desk.errors.UserError`): the service's one-line message in the banner;
- *not saved* (the database out of reach, :func:`~counter_desk.qt.tasks.connection_problem`): for an action
  with an idempotency token, "not confirmed: press again" (:data:`~counter_desk.qt.tasks.NOT_CONFIRMED`);
- a *bug*: logged with its traceback, "Unexpected error" in the banner.

Idempotency tokens: each action name keeps one token until the action is answered. After a connection failure
the token is kept, so pressing again replays the same action (the service finds it done and does not act
twice); after a success or a refusal it is dropped, so the next press is a new action.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from counter_desk.errors import UserError
from counter_desk.i18n import _, lookup
from counter_desk.qt.tasks import NOT_CONFIRMED, TaskRunner, connection_problem, error_text
from counter_desk.services import replication

log = logging.getLogger(__name__)

T = TypeVar("T")

#: How a failure is sorted (:attr:`Failure.kind`).
REFUSED = "refused"
NOT_SAVED = "not_saved"
BUG = "bug"


def failure_kind(exc: BaseException) -> str:
    """:data:`NOT_SAVED` (the database out of reach), :data:`REFUSED` (a user error) or :data:`BUG`."""
    if connection_problem(exc):
        return NOT_SAVED
    if isinstance(exc, UserError):
        return REFUSED
    return BUG


def read_failure_text(exc: BaseException) -> str:
    """What a window says when reading what it shows failed (a bug is logged by the caller)."""
    kind = failure_kind(exc)
    if kind == REFUSED:
        assert isinstance(exc, UserError)
        return exc.message
    if kind == NOT_SAVED:
        return _("The database cannot be reached; the window will update when it is back.")
    return _("Unexpected error: {error}", error=error_text(exc))


@dataclass(frozen=True)
class Failure:
    """An action or job that failed, as the runner sorted it."""

    #: The action's name (its token's key) or the job's description.
    name: str
    exc: Exception
    #: :data:`REFUSED`, :data:`NOT_SAVED` or :data:`BUG`.
    kind: str
    #: What the banner said.
    message: str


class Operations(QObject):
    """A window's action runner: busy state, idempotency tokens, failures sorted, the outcome in the banner.

    Args:
        tasks: the window's worker.
        error: shows a red banner: ``error(message)``; called with ``tone=True`` for a refused scan (the clerk's
            eyes are on the applicant), with ``refusal=False`` for a read that found the database away (nothing
            the user did was refused).
        info: shows a green banner.
        done: after every successful action, once its result is shown: ``done(name, result)``.
        failed: after every failed action or job, once its message is shown.
        log_as: the word that starts a bug's log line ("action call_next failed").

    Signals:
        busy_changed(bool): an action started (true) or ended (false).
    """

    busy_changed = Signal(bool)

    def __init__(
        self,
        tasks: TaskRunner,
        *,
        error: Callable[..., None],
        info: Callable[[str], None],
        done: Callable[[str, Any], None] | None = None,
        failed: Callable[[Failure], None] | None = None,
        log_as: str = "action",
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._error = error
        self._info = info
        self._done = done
        self._failed = failed
        self._log_as = log_as
        self._busy = False
        self._tokens: dict[str, str] = {}
        #: Tries of an action (by name) that met a database out of reach, until one is answered.
        self._failed_tries: dict[str, int] = {}

    # ------------------------------------------------------------------ state

    @property
    def busy(self) -> bool:
        """An action or job is running: the window takes no other."""
        return self._busy

    def token(self, name: str) -> str | None:
        """The idempotency token kept for action ``name`` (None: the next press is a new action)."""
        return self._tokens.get(name)

    def failed_tries(self, name: str) -> int:
        """Tries of action ``name`` that met a database out of reach since it was last answered."""
        return self._failed_tries.get(name, 0)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy_changed.emit(busy)

    # ------------------------------------------------------------------ running

    def run_action(
        self,
        name: str,
        call: Callable[[str], T],
        done: Callable[[T], str | None],
        *,
        tone: bool = False,
    ) -> bool:
        """Run one action with its idempotency token: ``call(token)`` on the worker, then ``done(result)``; the
        message ``done`` returns (if any) goes to the green banner. ``tone``: a refusal sounds the error tone
        (a scan). False when another action is running (nothing is done)."""
        if self._busy:
            return False
        token = self._tokens.setdefault(name, uuid.uuid4().hex)
        self._set_busy(True)

        def ok(result: T) -> None:
            self._tokens.pop(name, None)
            tries = self._failed_tries.pop(name, 0)
            self._set_busy(False)
            message = done(result)
            if message is not None:
                replayed = getattr(result, "replayed", None)
                if tries and isinstance(replayed, bool):
                    # After tries the database never answered: say whether the first had been saved after all.
                    message = replication.outcome_message(replication.Retried(result, tries, replayed), message)
                self._info(message)
            if self._done is not None:
                self._done(name, result)

        def fail(exc: Exception) -> None:
            self._set_busy(False)
            kind = failure_kind(exc)
            if kind == NOT_SAVED:  # the token is kept: pressed again, the action is never done twice
                self._failed_tries[name] = self._failed_tries.get(name, 0) + 1
                message = lookup(NOT_CONFIRMED)
            else:  # answered: a new press is a new action
                self._tokens.pop(name, None)
                self._failed_tries.pop(name, None)
                message = self._failure_text(name, exc, kind)
            if tone:
                self._error(message, tone=True)
            else:
                self._error(message)
            if self._failed is not None:
                self._failed(Failure(name, exc, kind, message))

        self._tasks.run(lambda: call(token), ok, fail)
        return True

    def run_job(
        self,
        what: str,
        work: Callable[[], T],
        done: Callable[[T], None],
        failed: Callable[[Exception], bool] | None = None,
    ) -> bool:
        """One change without a token, on the worker, one at a time: ``done(result)`` after it, or the error in
        the banner (``failed(exc)`` is asked first and may take over by returning True). False when another is
        running."""
        if self._busy:
            return False
        self._set_busy(True)

        def ok(result: T) -> None:
            self._set_busy(False)
            done(result)

        def fail(exc: Exception) -> None:
            self._set_busy(False)
            if failed is not None and failed(exc):
                return
            kind = failure_kind(exc)
            if kind == NOT_SAVED:
                message = _("Not saved: the database cannot be reached. Nothing was changed; try again.")
            else:
                message = self._failure_text(what, exc, kind)
            self._error(message)
            if self._failed is not None:
                self._failed(Failure(what, exc, kind, message))

        self._tasks.run(work, ok, fail)
        return True

    def run_query(
        self, work: Callable[[], T], done: Callable[[T], None], *, what: str = "reading", quiet: bool = False
    ) -> None:
        """Read on the worker, never busy: ``done(result)``, or what went wrong in the banner (``quiet``: a
        database out of reach is only logged: another read says so)."""

        def fail(exc: Exception) -> None:
            self.read_failed(exc, what=what, quiet=quiet)

        self._tasks.run(work, done, fail)

    def read_failed(self, exc: Exception, *, what: str = "reading", quiet: bool = False) -> None:
        """Show a failed read: it refuses nothing the user did (``refusal=False`` when the database is away)."""
        kind = failure_kind(exc)
        if kind == NOT_SAVED and quiet:
            log.info("%s could not reach the database: %s", what, type(exc).__name__)
            return
        if kind == BUG:
            log.error("%s failed", what, exc_info=exc)
        if kind == NOT_SAVED:
            self._error(read_failure_text(exc), refusal=False)
        else:
            self._error(read_failure_text(exc))

    def _failure_text(self, name: str, exc: Exception, kind: str) -> str:
        if kind == REFUSED:
            assert isinstance(exc, UserError)
            return exc.message
        log.error("%s %s failed", self._log_as, name, exc_info=exc)
        return _("Unexpected error: {error}", error=error_text(exc))

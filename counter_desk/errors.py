"""Errors a user can act on, kept apart from bugs.

Every :class:`UserError` carries a one-line message that names what is wrong and, where it helps, what to do.
The CLI prints it and exits with the error's ``exit_code``; windows show it in a banner. Anything else that
escapes a service is a bug and is reported as one.
"""

from __future__ import annotations

import logging
import re


class UserError(Exception):
    """Something the user can fix: bad input, a state that forbids the action, a missing record."""

    exit_code = 1
    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(UserError):
    """An unknown station, stage, ticket, booking, category or office."""

    exit_code = 3
    code = "not_found"


class InvalidTransition(UserError):
    """The ticket's state does not allow the action (often: another station was faster)."""

    exit_code = 4
    code = "invalid_transition"


class Conflict(UserError):
    """The action clashes with what is recorded: a station already holding a ticket, a second check-in."""

    exit_code = 4
    code = "conflict"


class EmptyQueue(UserError):
    """Nobody is waiting in the queue that was asked for the next applicant."""

    exit_code = 5
    code = "empty_queue"


class WrongDay(UserError):
    """A booking for another day than today (in the office's time zone)."""

    exit_code = 6
    code = "wrong_day"


class WrongOffice(UserError):
    """A booking, station or ticket that belongs to another office."""

    exit_code = 6
    code = "wrong_office"


class InvalidInput(UserError):
    """Input that cannot be understood: a malformed code, an empty reason, a bad option value."""

    exit_code = 2
    code = "invalid_input"


class DatabaseUnavailable(UserError):
    """The database cannot be reached or is not migrated; nothing was saved."""

    exit_code = 7
    code = "database_unavailable"


class DatabaseBusy(UserError):
    """Another connection held SQLite's write lock for longer than a user should wait; nothing was saved.

    Not a :class:`DatabaseUnavailable`: the database is there and it is certain the action did not happen.
    """

    exit_code = 7
    code = "database_busy"


def bug_summary(error: BaseException) -> str:
    """One line about an unexpected (bug) database error that never carries a row's values.

    PostgreSQL's DETAIL of a failed CHECK or NOT NULL is ``Failing row contains (...)``: the whole row, names and
    NIKs included, and SQLAlchemy puts it in the exception's text (``hide_parameters`` hides only the statement's
    parameters). This keeps the class, the SQLSTATE and the server's primary message (which names the table and
    the constraint, never a value).
    """
    original = getattr(error, "orig", None) or error
    diag = getattr(original, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    text = primary or (str(original).splitlines() or [""])[0]
    state = getattr(original, "sqlstate", None)
    return f"{type(original).__name__}{f' [{state}]' if state else ''}: {text}"


#: PostgreSQL's DETAIL line of an error: for a failed CHECK or NOT NULL it is the whole row ("Failing row
#: contains (...)"), names and NIKs included.
_DETAIL = re.compile(r"^DETAIL:.*$", re.MULTILINE)
_HIDDEN = "DETAIL: (hidden: it may hold personal data)"


class HidePersonalData(logging.Filter):
    """A log handler filter: tracebacks keep their frames but lose PostgreSQL's DETAIL lines.

    Installed on the program's log handlers (``counter_desk.cli.main``), so no log line -- a window's "action
    failed" traceback included -- carries a failing row's name or NIK. Statement parameters are already hidden by
    the engine (``hide_parameters``).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = _DETAIL.sub(_HIDDEN, record.exc_text)
        if isinstance(record.msg, str) and "DETAIL:" in record.msg:
            record.msg = _DETAIL.sub(_HIDDEN, record.msg)
        if record.args and any("DETAIL:" in str(a) for a in _args(record.args)):
            record.msg, record.args = _DETAIL.sub(_HIDDEN, record.getMessage()), None
        return True


def _args(args: object) -> tuple[object, ...]:
    if isinstance(args, tuple):
        return args
    if isinstance(args, dict):
        return tuple(args.values())
    return (args,)

"""Refusals of the desk's office rules (issue 14), each a :class:`~counter_desk.errors.UserError` with its own code.

Windows tell them apart by ``code`` (and ``overridable``: a supervisor may let the check-in through); the CLI
prints the message and exits with the parent class's exit code.
"""

from __future__ import annotations

from counter_desk.errors import Conflict, InvalidTransition


class OfficeClosed(Conflict):
    """Check-in on a day the office does not work, or outside its hours (rule ``checkin_hours = enforce``)."""

    code = "office_closed"
    overridable = True

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        #: ``closed_day``, ``holiday``, ``before_open`` or ``after_close``.
        self.reason = reason


class LateRefused(Conflict):
    """A booked applicant arrived after the check-in window and the office refuses late arrivals."""

    code = "late_refused"
    overridable = True
    reason = "late_refused"


class NoShowTooEarly(InvalidTransition):
    """No-show asked before the office's minimum time after the last call (``no_show_after_seconds``)."""

    code = "no_show_too_early"

    def __init__(self, message: str, *, wait_seconds: int) -> None:
        super().__init__(message)
        #: Seconds until the ticket may be marked no-show.
        self.wait_seconds = wait_seconds


class StationPaused(Conflict):
    """A paused booth was asked to call someone: it must be resumed first."""

    code = "station_paused"

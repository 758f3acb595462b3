"""The ticket lifecycle: one explicit state machine.

A ticket is born ``waiting`` in a stage's queue, is ``called`` by a station, ``serving`` while the officer
works, and ends ``done`` -- or is passed on (``transfer``: waiting again, in another stage), put back
(``return``: waiting again, same stage), marked ``no_show`` (recoverable within the office's tolerance), or
``parked``: set aside at its booth while the applicant fetches a missing document, then ``resumed`` (called
again at the same booth, without queueing again).

Every action here is recorded as exactly one event of the same name. The services consult
:func:`check` before touching a ticket; nothing else decides what is allowed.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from counter_desk.errors import InvalidTransition
from counter_desk.i18n import _


class Status(enum.StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    NO_SHOW = "no_show"
    DONE = "done"
    #: Set aside at its booth (the applicant fetches a document); the booth may call others meanwhile.
    PARKED = "parked"


class Action(enum.StrEnum):
    """What can happen to a ticket; each value is also the kind of the event that records it."""

    CHECK_IN = "checked_in"
    CALL = "called"
    RECALL = "recalled"
    START = "started"
    NO_SHOW = "no_show"
    RETURN = "returned"
    TRANSFER = "transferred"
    FINISH = "finished"
    PARK = "parked"
    RESUME = "resumed"


class StationEvent(enum.StrEnum):
    """What can happen to a station (not to a ticket); each value is the kind of the event that records it."""

    PAUSE = "station_paused"
    UNPAUSE = "station_resumed"


#: Every kind of event the log may hold.
EVENT_KINDS: frozenset[str] = frozenset({*(a.value for a in Action), *(e.value for e in StationEvent)})


#: States in which a station holds the ticket (at most one per station, enforced by a partial unique index).
HELD: frozenset[Status] = frozenset({Status.CALLED, Status.SERVING})

#: action -> (states it may start from, state it leads to). ``None`` as a source means "no ticket yet".
TRANSITIONS: Mapping[Action, tuple[frozenset[Status | None], Status]] = {
    Action.CHECK_IN: (frozenset({None}), Status.WAITING),
    Action.CALL: (frozenset({Status.WAITING}), Status.CALLED),
    Action.RECALL: (frozenset({Status.CALLED}), Status.CALLED),
    Action.START: (frozenset({Status.CALLED}), Status.SERVING),
    Action.NO_SHOW: (frozenset({Status.CALLED}), Status.NO_SHOW),
    Action.RETURN: (frozenset({Status.CALLED, Status.SERVING, Status.NO_SHOW, Status.PARKED}), Status.WAITING),
    Action.TRANSFER: (frozenset({Status.WAITING, Status.CALLED, Status.SERVING, Status.PARKED}), Status.WAITING),
    Action.FINISH: (frozenset({Status.CALLED, Status.SERVING}), Status.DONE),
    Action.PARK: (frozenset({Status.CALLED, Status.SERVING}), Status.PARKED),
    Action.RESUME: (frozenset({Status.PARKED}), Status.CALLED),
}


def allowed(action: Action, current: Status | None) -> bool:
    sources, _target = TRANSITIONS[action]
    return current in sources


def allowed_actions(current: Status | None) -> frozenset[Action]:
    """Every action the state allows (the windows enable exactly these buttons)."""
    return frozenset(a for a, (sources, _target) in TRANSITIONS.items() if current in sources)


def status_label(status: str | None) -> str:
    """A ticket's state as a word for people, in the active language (``None``: not issued yet).

    In English it is the status value itself (``waiting``, ``no_show``, ...), as the command line has always
    printed it.
    """
    labels: dict[str, str] = {
        Status.WAITING: _("waiting"),
        Status.CALLED: _("called"),
        Status.SERVING: _("serving"),
        Status.NO_SHOW: _("no_show"),
        Status.DONE: _("done"),
        Status.PARKED: _("parked"),
    }
    return _("new") if status is None else labels.get(status, status)


def _refusal(action: Action, current: Status | None, number: str) -> str:
    """Why ``action`` cannot happen to ticket ``number`` in state ``current``: one sentence per action."""
    states = {
        None: _("new"),
        Status.WAITING: _("waiting"),
        Status.CALLED: _("called"),
        Status.SERVING: _("being served"),
        Status.NO_SHOW: _("marked no-show"),
        Status.DONE: _("finished"),
        Status.PARKED: _("set aside"),
    }
    values = {"number": number, "state": states[current]}
    match action:
        case Action.CHECK_IN:
            return _("cannot check in {number}: it is {state}", **values)
        case Action.CALL:
            return _("cannot call {number}: it is {state}", **values)
        case Action.RECALL:
            return _("cannot recall {number}: it is {state}", **values)
        case Action.START:
            return _("cannot start serving {number}: it is {state}", **values)
        case Action.NO_SHOW:
            return _("cannot mark as no-show {number}: it is {state}", **values)
        case Action.RETURN:
            return _("cannot return to the queue {number}: it is {state}", **values)
        case Action.TRANSFER:
            return _("cannot transfer {number}: it is {state}", **values)
        case Action.FINISH:
            return _("cannot finish {number}: it is {state}", **values)
        case Action.PARK:
            return _("cannot set aside {number}: it is {state}", **values)
        case Action.RESUME:
            return _("cannot resume {number}: it is {state}", **values)


def check(action: Action, current: Status | None, number: str | None = None) -> Status:
    """Return the state ``action`` leads to, or raise :class:`InvalidTransition` naming why not.

    ``number`` names the ticket in the message (default: "the ticket").
    """
    sources, target = TRANSITIONS[action]
    if current not in sources:
        msg = _refusal(action, current, _("the ticket") if number is None else number)
        raise InvalidTransition(msg)
    return target

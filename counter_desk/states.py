"""The ticket lifecycle: one explicit state machine.

A ticket is born ``waiting`` in a stage's queue, is ``called`` by a station, ``serving`` while the officer
works, and ends ``done`` -- or is passed on (``transfer``: waiting again, in another stage), put back
(``return``: waiting again, same stage), or marked ``no_show`` (recoverable within the office's tolerance).

Every action here is recorded as exactly one event of the same name. The services consult
:func:`check` before touching a ticket; nothing else decides what is allowed.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from counter_desk.errors import InvalidTransition


class Status(enum.StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    NO_SHOW = "no_show"
    DONE = "done"


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


#: States in which a station holds the ticket (at most one per station, enforced by a partial unique index).
HELD: frozenset[Status] = frozenset({Status.CALLED, Status.SERVING})

#: action -> (states it may start from, state it leads to). ``None`` as a source means "no ticket yet".
TRANSITIONS: Mapping[Action, tuple[frozenset[Status | None], Status]] = {
    Action.CHECK_IN: (frozenset({None}), Status.WAITING),
    Action.CALL: (frozenset({Status.WAITING}), Status.CALLED),
    Action.RECALL: (frozenset({Status.CALLED}), Status.CALLED),
    Action.START: (frozenset({Status.CALLED}), Status.SERVING),
    Action.NO_SHOW: (frozenset({Status.CALLED}), Status.NO_SHOW),
    Action.RETURN: (frozenset({Status.CALLED, Status.SERVING, Status.NO_SHOW}), Status.WAITING),
    Action.TRANSFER: (frozenset({Status.WAITING, Status.CALLED, Status.SERVING}), Status.WAITING),
    Action.FINISH: (frozenset({Status.CALLED, Status.SERVING}), Status.DONE),
}

_LABELS = {
    Status.WAITING: "waiting",
    Status.CALLED: "called",
    Status.SERVING: "being served",
    Status.NO_SHOW: "marked no-show",
    Status.DONE: "finished",
}

_VERBS = {
    Action.CHECK_IN: "check in",
    Action.CALL: "call",
    Action.RECALL: "recall",
    Action.START: "start serving",
    Action.NO_SHOW: "mark as no-show",
    Action.RETURN: "return to the queue",
    Action.TRANSFER: "transfer",
    Action.FINISH: "finish",
}


def allowed(action: Action, current: Status | None) -> bool:
    sources, _ = TRANSITIONS[action]
    return current in sources


def allowed_actions(current: Status | None) -> frozenset[Action]:
    """Every action the state allows (the windows enable exactly these buttons)."""
    return frozenset(a for a, (sources, _) in TRANSITIONS.items() if current in sources)


def check(action: Action, current: Status | None, number: str = "the ticket") -> Status:
    """Return the state ``action`` leads to, or raise :class:`InvalidTransition` naming why not."""
    sources, target = TRANSITIONS[action]
    if current not in sources:
        state = "new" if current is None else _LABELS[current]
        msg = f"cannot {_VERBS[action]} {number}: it is {state}"
        raise InvalidTransition(msg)
    return target

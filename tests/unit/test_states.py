"""The ticket state machine, on its own."""

from __future__ import annotations

import pytest

from counter_desk.errors import InvalidTransition
from counter_desk.states import HELD, TRANSITIONS, Action, Status, allowed, allowed_actions, check


@pytest.mark.parametrize(
    ("action", "source", "target"),
    [
        (Action.CHECK_IN, None, Status.WAITING),
        (Action.CALL, Status.WAITING, Status.CALLED),
        (Action.RECALL, Status.CALLED, Status.CALLED),
        (Action.START, Status.CALLED, Status.SERVING),
        (Action.NO_SHOW, Status.CALLED, Status.NO_SHOW),
        (Action.RETURN, Status.CALLED, Status.WAITING),
        (Action.RETURN, Status.SERVING, Status.WAITING),
        (Action.RETURN, Status.NO_SHOW, Status.WAITING),
        (Action.TRANSFER, Status.WAITING, Status.WAITING),
        (Action.TRANSFER, Status.CALLED, Status.WAITING),
        (Action.TRANSFER, Status.SERVING, Status.WAITING),
        (Action.FINISH, Status.CALLED, Status.DONE),
        (Action.FINISH, Status.SERVING, Status.DONE),
        (Action.PARK, Status.CALLED, Status.PARKED),
        (Action.PARK, Status.SERVING, Status.PARKED),
        (Action.RESUME, Status.PARKED, Status.CALLED),
        (Action.RETURN, Status.PARKED, Status.WAITING),
        (Action.TRANSFER, Status.PARKED, Status.WAITING),
    ],
)
def test_allowed_transitions(action: Action, source: Status | None, target: Status) -> None:
    assert check(action, source) is target
    assert allowed(action, source)


def test_every_other_pair_is_refused_with_a_readable_message() -> None:
    refused = 0
    for action, (sources, _) in TRANSITIONS.items():
        for state in [None, *Status]:
            if state in sources:
                continue
            refused += 1
            with pytest.raises(InvalidTransition, match=r"^cannot .+ A-001: it is "):
                check(action, state, "A-001")
    assert refused == 10 * 7 - 18


def test_done_is_final_and_nothing_starts_from_nothing_but_check_in() -> None:
    assert allowed_actions(Status.DONE) == frozenset()
    assert allowed_actions(None) == {Action.CHECK_IN}


def test_buttons_a_station_window_enables() -> None:
    assert allowed_actions(Status.CALLED) == {
        Action.RECALL,
        Action.START,
        Action.NO_SHOW,
        Action.RETURN,
        Action.TRANSFER,
        Action.FINISH,
        Action.PARK,
    }
    assert allowed_actions(Status.SERVING) == {Action.RETURN, Action.TRANSFER, Action.FINISH, Action.PARK}
    assert allowed_actions(Status.NO_SHOW) == {Action.RETURN}
    assert allowed_actions(Status.PARKED) == {Action.RESUME, Action.RETURN, Action.TRANSFER}


def test_held_states_are_exactly_those_a_station_acts_on() -> None:
    assert {Status.CALLED, Status.SERVING} == HELD
    for action, (_, target) in TRANSITIONS.items():
        if target in HELD:
            assert action in {Action.CALL, Action.RECALL, Action.START, Action.RESUME}


def test_message_for_a_new_ticket() -> None:
    with pytest.raises(InvalidTransition, match="cannot call the ticket: it is new"):
        check(Action.CALL, None)

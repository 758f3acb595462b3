"""The state machine's refusals and the state words, in both languages."""

from __future__ import annotations

import pytest

from counter_desk import i18n
from counter_desk.errors import InvalidTransition
from counter_desk.states import TRANSITIONS, Action, Status, check, status_label


def test_refusals_in_english_are_unchanged() -> None:
    with pytest.raises(InvalidTransition, match=r"^cannot mark as no-show A-001: it is being served$"):
        check(Action.NO_SHOW, Status.SERVING, "A-001")
    assert status_label("no_show") == "no_show"


def test_refusals_in_indonesian() -> None:
    i18n.set_language("id")
    with pytest.raises(InvalidTransition, match=r"^A-001 tidak dapat dipanggil \(status: selesai\)$"):
        check(Action.CALL, Status.DONE, "A-001")
    with pytest.raises(InvalidTransition, match=r"^nomor antrean tidak dapat dipanggil \(status: baru\)$"):
        check(Action.CALL, None)
    for action, (sources, _target) in TRANSITIONS.items():
        for state in [None, *Status]:
            if state not in sources:
                with pytest.raises(InvalidTransition) as refused:
                    check(action, state, "A-001")
                assert "cannot" not in refused.value.message and "A-001" in refused.value.message


def test_state_words_in_indonesian() -> None:
    i18n.set_language("id")
    assert [status_label(s) for s in Status] == [
        "menunggu",
        "dipanggil",
        "sedang dilayani",
        "tidak hadir",
        "selesai",
        "ditunda",
    ]
    assert status_label("something_new") == "something_new"

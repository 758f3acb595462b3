"""The display's pure reducer: events in, what the TV shows and says out."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from counter_desk.services.display import (
    Call,
    DisplayConfig,
    DisplayState,
    StageLabel,
    StationLabel,
)
from counter_desk.services.estimate import StageEstimate
from counter_desk.services.views import EventView

T0 = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)  # 09:00 in Jakarta

CONFIG = DisplayConfig(
    office_name="Kantor Imigrasi",
    timezone="Asia/Jakarta",
    stages={
        "interview": StageLabel("interview", "Wawancara", announce=True, position=2),
        "adjudication": StageLabel("adjudication", "Ajudikasi", announce=False, position=3),
        "pickup": StageLabel("pickup", "Pengambilan Paspor", announce=True, position=4),
    },
    stations={
        **{f"interview-{i}": StationLabel(f"interview-{i}", f"Wawancara {i}", "interview") for i in range(1, 5)},
        "adjudicator": StationLabel("adjudicator", "Ajudikator", "adjudication"),
        "pickup": StationLabel("pickup", "Loket Pengambilan", "pickup"),
    },
    running_text="Selamat datang",
)


def ev(  # noqa: PLR0917 -- a test helper read as ev(seq, kind, number, station)
    seq: int,
    kind: str = "called",
    number: str | None = "A-001",
    station: str | None = "interview-1",
    stage: str | None = "interview",
    at: dt.datetime | None = None,
) -> EventView:
    return EventView(
        seq=seq,
        kind=kind,
        at=at or T0 + dt.timedelta(seconds=seq),
        ticket_id=seq,
        number=number,
        from_status=None,
        to_status=None,
        stage=stage,
        station=station,
        user="officer",
        reason=None,
        data={},
    )


def test_a_call_becomes_the_current_call_and_is_announced() -> None:
    state = DisplayState(CONFIG).apply([ev(1, "checked_in"), ev(2, station="interview-3", number="A-012")])
    assert state.current is not None
    assert (state.current.number, state.current.station_name, state.current.stage_name) == (
        "A-012",
        "Wawancara 3",
        "Wawancara",
    )
    assert state.announcement == state.current and state.last_seq == 2
    assert state.queues_changed


def test_calls_stack_newest_first_and_a_recall_moves_to_the_top_without_a_duplicate() -> None:
    state = DisplayState(CONFIG).apply([ev(1, number="A-001"), ev(2, number="A-002", station="interview-2")])
    state = state.apply([ev(3, "recalled", number="A-001")])
    assert [c.number for c in state.calls] == ["A-001", "A-002"]
    assert state.current is not None and state.current.recall
    assert state.announcement is not None and state.announcement.number == "A-001"  # re-announced


def test_after_an_outage_all_missed_calls_show_and_only_the_latest_is_announced() -> None:
    missed = [ev(i, number=f"A-{i:03d}", station=f"interview-{i % 4 + 1}") for i in range(1, 7)]
    state = DisplayState(CONFIG).apply(missed)
    assert [c.number for c in state.fresh] == [f"A-{i:03d}" for i in range(1, 7)]
    assert state.current is not None and state.current.number == "A-006"
    assert state.announcement is state.fresh[-1]
    assert [c.number for c in state.history][:3] == ["A-005", "A-004", "A-003"]


def test_the_board_keeps_only_the_most_recent_calls() -> None:
    state = DisplayState(CONFIG).apply([ev(i, number=f"A-{i:03d}") for i in range(1, 30)], keep=5)
    assert [c.number for c in state.calls] == ["A-029", "A-028", "A-027", "A-026", "A-025"]


def test_stages_that_are_not_announced_are_not_shown() -> None:
    state = DisplayState(CONFIG).apply([ev(1, station="adjudicator", stage="adjudication")])
    assert state.calls == () and state.announcement is None and state.skipped == 0


def test_unknown_kinds_stations_and_stages_are_logged_and_skipped(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, "counter_desk.services.display")
    state = DisplayState(CONFIG).apply(
        [
            ev(1, kind="teleported"),
            ev(2, station="interview-99"),
            ev(3, station=None),
            ev(4, stage="moon"),
            ev(5, number=None),
            ev(6, number="A-006"),
        ]
    )
    assert [c.number for c in state.calls] == ["A-006"]
    assert state.skipped == 5 and state.last_seq == 6
    text = caplog.text
    assert "teleported" in text and "interview-99" in text and "moon" in text


def test_events_already_seen_are_ignored() -> None:
    state = DisplayState(CONFIG).apply([ev(1), ev(2, number="A-002")])
    again = state.apply([ev(1), ev(2, number="A-002")])
    assert again.fresh == () and again.calls == state.calls and again.announcement is None


def test_a_new_office_day_starts_with_an_empty_board() -> None:
    state = DisplayState(CONFIG).apply([ev(1, number="A-001")])
    tomorrow = T0 + dt.timedelta(days=1)
    state = state.apply([ev(2, kind="checked_in", at=tomorrow)])
    assert state.calls == () and state.day == dt.date(2026, 11, 24)
    state = state.apply([ev(3, number="A-001", at=tomorrow)])
    assert [c.number for c in state.calls] == ["A-001"]


def test_waits_are_for_announced_stages_in_flow_order() -> None:
    estimates = [
        StageEstimate("pickup", "Pengambilan Paspor", 2, 1, 120.0, 5),
        StageEstimate("adjudication", "Ajudikasi", 9, 1, 60.0, 5),
        StageEstimate("interview", "Wawancara", 10, 2, 600.0, 20),
    ]
    state = DisplayState(CONFIG).with_waits(estimates)
    assert [(w.stage, w.waiting, w.wait_seconds) for w in state.waits] == [
        ("interview", 10, round(10.5 * 600 / 2)),
        ("pickup", 2, round(2.5 * 120)),
    ]


def test_a_call_carries_no_personal_data() -> None:
    fields = {f.name for f in dataclasses.fields(Call)}
    assert fields == {"seq", "number", "station", "station_name", "stage", "stage_name", "at", "recall"}
    state = DisplayState(CONFIG).apply([ev(1)])
    assert "officer" not in str(state.to_json())  # not even who called


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["called", "recalled", "checked_in", "finished", "bogus"]),
            st.sampled_from(["A-001", "A-002", "P-001", "C-001", None]),
            st.sampled_from([*CONFIG.stations, "ghost", None]),
        ),
        max_size=40,
    ),
    st.integers(min_value=1, max_value=8),
)
def test_any_batching_gives_the_same_board(items: list[tuple[str, str | None, str | None]], cut: int) -> None:
    """Events read in one batch (after an outage) or one by one (live) end on the same board."""
    events = [
        ev(i + 1, kind, number, station, CONFIG.stations[station].stage if station in CONFIG.stations else None)
        for i, (kind, number, station) in enumerate(items)
    ]
    at_once = DisplayState(CONFIG).apply(events)
    stepwise = DisplayState(CONFIG)
    for start in range(0, len(events), cut):
        stepwise = stepwise.apply(events[start : start + cut])
    assert at_once.calls == stepwise.calls and at_once.last_seq == stepwise.last_seq
    assert len({c.number for c in at_once.calls}) == len(at_once.calls)
    if at_once.fresh:
        assert at_once.announcement == at_once.current

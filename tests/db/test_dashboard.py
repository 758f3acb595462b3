"""The supervisor's dashboard against a simulated morning worked out by hand (tests/dashboard_day.py), both engines."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from dashboard_day import at, simulate_day
from helpers import events, snapshot
from sqlalchemy import text

from counter_desk.cli import main
from counter_desk.clock import FixedClock
from counter_desk.errors import UserError
from counter_desk.services import dashboard
from counter_desk.services.dashboard import AMBER, GREEN, NONE, RED, Supervision, level
from counter_desk.store.engine import Database


def test_traffic_light_thresholds() -> None:
    assert level(None, 15) == NONE
    assert level(0, 15) == GREEN
    assert level(15 * 60, 15) == GREEN  # at the target is still green
    assert level(15 * 60 + 1, 15) == AMBER
    assert level(22.5 * 60, 15) == AMBER  # up to 1.5 x the target
    assert level(22.5 * 60 + 1, 15) == RED


def test_an_empty_morning(db: Database, clock: FixedClock) -> None:
    d = dashboard.snapshot(db, clock=clock)
    assert d.day == dt.date(2026, 11, 23)
    assert (d.served_today, d.issued_today, d.no_shows_today) == (0, 0, 0)
    assert [s.code for s in d.stages] == ["reception", "interview", "adjudication", "pickup"]
    assert all(s.waiting == 0 and s.longest_wait_level == NONE and s.average_wait_seconds is None for s in d.stages)
    assert all(st.state == "idle" and st.officer is None and st.ticket is None for st in d.stations)
    assert d.hours == []


def test_the_simulated_morning(db: Database, clock: FixedClock) -> None:
    simulate_day(db, clock)
    d = dashboard.snapshot(db, clock=clock)
    stages = {s.code: s for s in d.stages}

    interview = stages["interview"]
    assert interview.waiting == 1
    assert interview.longest_wait_seconds == pytest.approx(90 * 60)
    assert interview.longest_wait_level == RED
    assert (interview.arrivals, interview.calls, interview.served, interview.no_shows) == (4, 4, 2, 1)
    assert interview.average_wait_seconds == pytest.approx(1200, abs=0.01)
    assert interview.average_wait_level == AMBER
    assert interview.average_service_seconds == pytest.approx(540, abs=0.01)

    adjudication = stages["adjudication"]
    assert (adjudication.waiting, adjudication.longest_wait_seconds, adjudication.longest_wait_level) == (0, None, NONE)
    assert (adjudication.arrivals, adjudication.calls, adjudication.served, adjudication.no_shows) == (1, 1, 1, 0)
    assert adjudication.average_wait_seconds == pytest.approx(1200, abs=0.01)
    assert adjudication.average_wait_level == GREEN
    assert adjudication.average_service_seconds == pytest.approx(1200, abs=0.01)

    assert stages["pickup"].arrivals == stages["reception"].arrivals == 0
    assert (d.served_today, d.issued_today, d.no_shows_today) == (2, 4, 1)

    stations = {st.code: st for st in d.stations}
    assert (stations["interview-1"].state, stations["interview-1"].officer, stations["interview-1"].ticket) == (
        "idle",
        "wawancara1",
        None,
    )
    i2 = stations["interview-2"]
    assert (i2.state, i2.officer, i2.ticket, i2.since) == ("called", None, "A-001", at(9, 30))
    assert (stations["adjudicator"].state, stations["adjudicator"].officer) == ("idle", "ajudikator")
    assert stations["reception-1"].officer == "penerimaan1"
    assert stations["reception-1"].officer_name == "Petugas Penerimaan 1"
    # interview-3 worked in 2020 only: nothing of that day counts today.
    assert (stations["interview-3"].state, stations["interview-3"].officer) == ("idle", None)

    hours = {h.hour: h for h in d.hours}
    assert sorted(hours) == [8, 9]
    assert hours[8].arrivals == 4 and hours[9].arrivals == 0
    assert hours[8].average_wait_seconds["interview"] == pytest.approx(1650, abs=0.01)
    assert hours[8].average_wait_seconds["adjudication"] is None
    assert hours[9].average_wait_seconds["interview"] == pytest.approx(750, abs=0.01)
    assert hours[9].average_wait_seconds["adjudication"] == pytest.approx(1200, abs=0.01)

    assert [(t.number, t.stage, t.since) for t in d.waiting] == [("A-002", "interview", at(8, 10))]
    assert [(t.number, t.status, t.station) for t in d.held] == [("A-001", "called", "interview-2")]
    assert d.no_shows == []
    data = d.to_json()
    assert data["stages"][1]["code"] == "interview" and data["at"] == at(9, 40).isoformat()


def test_a_no_show_is_listed_with_its_deadline(db: Database, clock: FixedClock) -> None:
    q = simulate_day(db, clock)
    clock.set(at(9, 45))
    q.no_show("interview-2")
    d = dashboard.snapshot(db, clock=clock)
    assert [(t.number, t.since, t.reopen_until) for t in d.no_shows] == [("A-001", at(9, 45), at(10, 15))]
    assert d.no_shows_today == 2
    assert {st.code: st.state for st in d.stations}["interview-2"] == "idle"


def test_next_day_starts_empty_but_leftovers_still_wait(db: Database, clock: FixedClock) -> None:
    simulate_day(db, clock)
    clock.set(at(8, 0, dt.date(2026, 11, 24)))
    d = dashboard.snapshot(db, clock=clock)
    interview = next(s for s in d.stages if s.code == "interview")
    assert (d.served_today, d.issued_today, interview.arrivals, interview.average_wait_seconds) == (0, 0, 0, None)
    # A-002 was never called: it is still in the queue, 23 h 50 min later.
    assert interview.waiting == 1
    assert interview.longest_wait_seconds == pytest.approx((23 * 60 + 50) * 60)
    assert {st.code: st.ticket for st in d.stations}["interview-2"] == "A-001"


# -- the supervisor's actions, without a window ------------------------------------------------------------------


def test_supervision_records_reason_and_user(db: Database, clock: FixedClock) -> None:
    q = simulate_day(db, clock)
    boss = Supervision(q, "kasi")
    moved = boss.move("A-002", "adjudication", "langsung ajudikasi")
    assert (moved.ticket.stage, moved.ticket.status) == ("adjudication", "waiting")
    released = boss.release("interview-2", "petugas istirahat")
    assert (released.ticket.number, released.ticket.front) == ("A-001", True)
    trail = events(db)[-2:]
    assert [(e["kind"], e["reason"]) for e in trail] == [
        ("transferred", "langsung ajudikasi"),
        ("returned", "petugas istirahat"),
    ]
    with db.read() as s:
        kasi = s.execute(text("SELECT id FROM users WHERE username = 'kasi'")).scalar_one()
    assert {e["user_id"] for e in trail} == {kasi}
    d = dashboard.snapshot(db, clock=clock)
    assert {s.code: s.waiting for s in d.stages}["adjudication"] == 1
    assert {st.code: st.state for st in d.stations}["interview-2"] == "idle"


@pytest.mark.parametrize(
    ("user", "reason", "message"),
    [
        ("wawancara1", "coba", "may not do this"),
        ("nobody", "coba", "unknown or inactive user"),
        ("kasi", "   ", "give a reason"),
    ],
)
def test_supervision_refuses_and_writes_nothing(
    db: Database, clock: FixedClock, user: str, reason: str, message: str
) -> None:
    q = simulate_day(db, clock)
    before = snapshot(db)
    boss = Supervision(q, user)
    for act in (
        lambda: boss.move("A-002", "adjudication", reason),
        lambda: boss.release("interview-2", reason),
        lambda: boss.reopen("A-001", reason),
    ):
        with pytest.raises(UserError, match=message):
            act()
    with pytest.raises(UserError):
        boss.save_rules({"office_close": "17:00"}, {}) if user != "kasi" else boss.save_rules({}, {"interview": 0})
    assert snapshot(db) == before


def test_supervisor_command_refuses_an_officer_without_the_role(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", db_url, "supervisor", "--user", "wawancara1"]) == 8
    assert "may not do this" in capsys.readouterr().err
    assert main(["--db", db_url, "--office", "nowhere", "supervisor"]) == 3
    assert "unknown office" in capsys.readouterr().err


def test_dashboard_command_prints_one_json_object(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", db_url, "dashboard", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [s["code"] for s in data["stages"]] == ["reception", "interview", "adjudication", "pickup"]
    assert {st["code"] for st in data["stations"]} >= {"interview-1", "adjudicator"}
    assert main(["--db", db_url, "dashboard"]) == 0
    out = capsys.readouterr().out
    assert "Wawancara:" in out and "interview-1: idle" in out and "(none" not in out

"""``counter-desk plan`` on both engines: the plan, the quota question, what-if scenarios, the backtest, and bad
input refused with one clear line and a non-zero exit."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import LONG_AGO, MONDAY_9
from sqlalchemy import text

from counter_desk.cli import main
from counter_desk.clock import FixedClock
from counter_desk.services import seed, simulate
from counter_desk.services.queue import QueueService
from counter_desk.services.timeline import read_timeline
from counter_desk.store.engine import Database

#: A Monday well ahead of the real clock the CLI runs on.
_TODAY = dt.datetime.now(dt.UTC).date()
AHEAD = _TODAY + dt.timedelta(days=35 - _TODAY.weekday())
EMPTY_DAY = AHEAD + dt.timedelta(days=1)


@pytest.fixture
def cli(db_url: str, capsys: pytest.CaptureFixture[str]) -> Any:
    def run(*args: str) -> tuple[int, Any, str]:
        code = main(["--db", db_url, *args])
        out, err = capsys.readouterr()
        if "--json" in args:
            lines = out.strip().splitlines()
            assert len(lines) == 1, f"--json must print exactly one line, got {out!r}"
            return code, json.loads(lines[0]), err
        return code, out, err

    return run


@pytest.fixture
def booked(db: Database) -> dt.date:
    seed.sample_bookings(db, 120, day=AHEAD, clock=FixedClock(MONDAY_9))
    return AHEAD


def _booth_hours(plan: dict[str, Any]) -> int:
    return sum(plan["prediction"]["booths"].values())


def test_a_plan_a_what_if_and_the_quota(cli: Any, booked: dt.date, tmp_path: Path) -> None:
    code, plan, _err = cli("plan", "--date", booked.isoformat(), "--replications", "20", "--json")
    assert code == 0
    assert plan["bookings"] == 120 and plan["figures"] == "reference" and plan["reachable"]
    assert "reference office" in plan["notes"][0] and plan["reference_office"].startswith("Kantor Imigrasi")
    prediction = plan["prediction"]
    assert prediction["confidence"] >= 0.8 and prediction["share_within_target"] >= 0.85
    assert {w["stage"] for w in prediction["waits"]} == {"interview", "adjudication"}
    assert plan["schedule"][0]["from"] == "07:00" and plan["schedule"][-1]["to"] == "16:00"
    # Fewest booths: one booth fewer all day does not meet the target.
    top = max(prediction["booths"].values())
    fewer = [o for o in plan["options"] if o["booths"] == top - 1]
    assert not fewer or fewer[0]["confidence"] < 0.8

    rush = tmp_path / "lebaran.toml"
    rush.write_text('[walk_ins]\nfactor = 4\n\n[[closed]]\nfrom = "10:00"\nto = "11:00"\nbooths = 1\n')
    code, busy, _err = cli(
        "plan", "--date", booked.isoformat(), "--replications", "20", "--scenario", str(rush), "--json"
    )
    assert code == 0
    assert _booth_hours(busy) > _booth_hours(plan)
    assert busy["prediction"]["closures"] == [{"from": "10:00", "to": "11:00", "booths": 1}]

    code, two, _err = cli("plan", "--date", booked.isoformat(), "--replications", "20", "--quota", "2", "--json")
    assert code == 0
    code, four, _err = cli("plan", "--date", booked.isoformat(), "--replications", "20", "--quota", "4", "--json")
    assert code == 0
    assert 0 < two["largest_bookings"] < four["largest_bookings"]
    assert four["prediction"]["confidence"] >= 0.8

    code, out, _err = cli("plan", "--date", booked.isoformat(), "--replications", "10")
    assert code == 0 and "recommended interview booths" in out


def test_a_synthetic_scenario_needs_no_bookings(cli: Any, tmp_path: Path) -> None:
    scenario = tmp_path / "synthetic.toml"
    scenario.write_text(
        '[arrivals]\nrates = { "08" = 20, "09" = 20, "10" = 10 }\n\n[service.interview]\n'
        'distribution = "exponential"\nminutes = 6\n\n[targets]\nshare = 0.9\n'
    )
    code, plan, _err = cli(
        "plan", "--date", EMPTY_DAY.isoformat(), "--scenario", str(scenario), "--replications", "10", "--json"
    )
    assert code == 0, plan
    assert plan["bookings"] == 0 and plan["targets"]["share"] == 0.9
    assert plan["prediction"]["arrivals_mean"] > 45


@pytest.mark.parametrize(
    ("args", "scenario", "message"),
    [
        (("--date", EMPTY_DAY.isoformat()), None, "no bookings imported for"),
        (("--date", LONG_AGO.isoformat()), None, "is in the past"),
        ((), "[walk_ins]\nfactr = 2\n", "unknown key factr"),
        ((), '[arrivals]\nrates = { "08" = -5 }\n', "-5 must be at least 0"),
        ((), "[staff]\nbooths = 0\n", "[staff] booths"),
        ((), "[weather]\nrain = true\n", "unknown key weather"),
        ((), '[[closed]]\nfrom = "13:00"\nto = "12:00"\n', "'to' must come after 'from'"),
        (("--break", "12:00"), None, "break '12:00'"),
        (("--replications", "0"), None, "--replications"),
        (("--backtest", "--from", "2999-01-01"), None, "before today"),
    ],
)
def test_bad_input_is_refused_with_one_line(
    cli: Any, booked: dt.date, tmp_path: Path, *, args: tuple[str, ...], scenario: str | None, message: str
) -> None:
    extra: tuple[str, ...] = ()
    if scenario is not None:
        path = tmp_path / "what-if.toml"
        path.write_text(scenario)
        extra = ("--scenario", str(path))
    if "--date" not in args and "--backtest" not in args:
        extra += ("--date", booked.isoformat())
    if "--replications" not in args:
        extra += ("--replications", "5")
    code, out, err = cli("plan", *args, *extra)
    assert code != 0
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], lines


def test_backtest_puts_the_prediction_beside_the_recorded_day(cli: Any, db: Database) -> None:
    clock = FixedClock(MONDAY_9 - dt.timedelta(hours=1))  # Monday 23 November 2026, 08:00: the 30 sample bookings
    queue = QueueService(db, clock=clock)
    start = clock.now()
    simulate.OfficeDay(
        queue,
        simulate.SimulatedTime(clock),
        start=start,
        end=start + dt.timedelta(hours=8),
        profile=simulate.Profile(no_show_share=0.0),
        seed=2,
    ).run()
    day = MONDAY_9.date()
    code, result, _err = cli("plan", "--backtest", "--from", day.isoformat(), "--replications", "10", "--json")
    assert code == 0
    (row,) = result["backtest"]
    with db.read() as session:
        office_id, stage_id = session.execute(text("SELECT office_id, id FROM stages WHERE code = 'interview'")).one()
        waits = [w for w in read_timeline(session, office_id, day, day).waits if w.stage_id == stage_id]
    recorded = sum(1 for w in waits if w.seconds <= 900) / len(waits)
    assert row["day"] == day.isoformat()
    assert row["actual_share_within_target"] == round(recorded, 4)
    assert row["actual"]["count"] == len(waits)
    assert max(row["booths"].values()) == 4  # the four interview booths called that day
    assert row["predicted_share_within_target"] is not None
    code, out, _err = cli("plan", "--backtest", "--from", day.isoformat(), "--replications", "5")
    assert code == 0 and day.isoformat() in out

"""One Save is one transaction; a holiday never silently breaks a promised pickup day or a booked day."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from conftest import MONDAY, booking_code
from sqlalchemy import text

from counter_desk.cli import main
from counter_desk.clock import FixedClock
from counter_desk.errors import InvalidInput, NotFound
from counter_desk.services import calendar, rules
from counter_desk.services.pickups import PickupService
from counter_desk.services.queue import QueueService
from counter_desk.store.engine import Database

FRIDAY = dt.date(2026, 11, 27)  # four working days after Monday 23 November: the pickups' ready day
NEXT_MONDAY = dt.date(2026, 11, 30)


def _state(db: Database) -> dict[str, Any]:
    with db.read() as s:
        return {
            table: s.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2")).all()
            for table in ("office_settings", "stages", "holidays", "pickups", "audit_log")
        }


def _audit(db: Database) -> list[tuple[str, dict[str, Any]]]:
    with db.read() as s:
        rows = s.execute(text("SELECT kind, detail FROM audit_log ORDER BY id")).all()
    return [(k, json.loads(d) if isinstance(d, str) else d) for k, d in rows]


def _pickup_for(queue: QueueService, db: Database, clock: FixedClock, n: int) -> str:
    """Interview booking ``n`` today and issue its pickup receipt; its application number."""
    number = queue.check_in(booking_code(n)).ticket.number
    queue.call_next("interview-1")
    queue.transfer("adjudication", station="interview-1")
    issued = PickupService(db, clock=clock).issue(number)
    assert issued.pickup.ready_on == FRIDAY
    return issued.pickup.application_number


# ---------------------------------------------------------------------- one save, one transaction


def test_one_save_writes_rules_and_targets_together(db: Database, clock: FixedClock) -> None:
    values = rules.save(db, None, {"office_close": "16:30"}, {"interview": 25}, user="kasi", clock=clock)
    assert values["office_close"] == "16:30"
    with db.read() as s:
        assert s.execute(text("SELECT wait_target_minutes FROM stages WHERE code='interview'")).scalar_one() == 25
    assert [k for k, _d in _audit(db)] == ["rules_changed", "stage_changed"]


@pytest.mark.parametrize(
    ("targets", "error", "message"),
    [
        ({"interview": 0}, InvalidInput, "wait target of interview"),
        ({"interview": 20, "adjudication": 601}, InvalidInput, "wait target of adjudication"),
        ({"interview": 20, "no-such-stage": 10}, NotFound, "no-such-stage"),
    ],
)
def test_a_bad_target_after_good_rules_writes_nothing(
    db: Database, clock: FixedClock, targets: dict[str, int], error: type[Exception], message: str
) -> None:
    before = _state(db)
    with pytest.raises(error, match=message):
        rules.save(db, None, {"office_close": "16:30", "late_policy": "refuse"}, targets, user="kasi", clock=clock)
    assert _state(db) == before
    assert rules.current(db)["office_close"] == "16:00"


def test_a_bad_rule_with_good_targets_writes_nothing(db: Database, clock: FixedClock) -> None:
    before = _state(db)
    with pytest.raises(InvalidInput, match="open before it closes"):
        rules.save(db, None, {"office_open": "17:00"}, {"interview": 20}, user="kasi", clock=clock)
    with pytest.raises(InvalidInput, match="office_close"):
        rules.save(db, None, {"office_close": "25:00"}, {"interview": 20}, user="kasi", clock=clock)
    assert _state(db) == before


def test_save_needs_the_role(db: Database, clock: FixedClock) -> None:
    before = _state(db)
    with pytest.raises(Exception, match="may not do this"):
        rules.save(db, None, {"office_close": "16:30"}, {"interview": 20}, user="wawancara1", clock=clock)
    assert _state(db) == before


# ---------------------------------------------------------------------- holidays against promises


def test_a_holiday_on_a_promised_pickup_day_is_refused_naming_how_many(
    db: Database, queue: QueueService, clock: FixedClock
) -> None:
    _pickup_for(queue, db, clock, 1)
    _pickup_for(queue, db, clock, 2)
    before = _state(db)
    with pytest.raises(calendar.HolidayClash, match="2 passport pickup\\(s\\) are promised for 2026-11-27") as caught:
        calendar.set_holiday(db, None, FRIDAY, "Cuti bersama", user="kasi", clock=clock)
    assert (caught.value.pickups, caught.value.bookings) == (2, 0)
    assert _state(db) == before


def test_moving_the_pickups_sets_the_holiday_and_lists_them(
    db: Database, queue: QueueService, clock: FixedClock
) -> None:
    first = _pickup_for(queue, db, clock, 1)
    second = _pickup_for(queue, db, clock, 2)
    # A pickup already collected or rejected promises nothing: it is not moved.
    with db.write() as s:
        s.execute(text("UPDATE pickups SET status='rejected' WHERE application_number=:a"), {"a": second})
    result = calendar.set_holiday(db, None, FRIDAY, "Cuti bersama", move_pickups=True, user="kasi", clock=clock)
    assert [(m.application_number, m.before, m.after) for m in result.moved] == [(first, FRIDAY, NEXT_MONDAY)]
    with db.read() as s:
        days = dict(s.execute(text("SELECT application_number, ready_on FROM pickups")).all())
    assert str(days[first]) == "2026-11-30" and str(days[second]) == "2026-11-27"
    kind, detail = _audit(db)[-1]
    assert kind == "holiday_set"
    assert detail["moved_pickups"] == [
        {"application_number": first, "code": result.moved[0].code, "from": "2026-11-27", "to": "2026-11-30"}
    ]


def test_moved_pickups_skip_further_holidays(db: Database, queue: QueueService, clock: FixedClock) -> None:
    _pickup_for(queue, db, clock, 1)
    calendar.set_holiday(db, None, NEXT_MONDAY, "Libur", user="kasi", clock=clock)
    result = calendar.set_holiday(db, None, FRIDAY, "Cuti bersama", move_pickups=True, user="kasi", clock=clock)
    assert result.moved[0].after == dt.date(2026, 12, 1)


def test_a_day_with_bookings_is_refused_even_when_moving_pickups(db: Database, clock: FixedClock) -> None:
    before = _state(db)
    with pytest.raises(calendar.HolidayClash, match="has 30 booking\\(s\\)") as caught:
        calendar.set_holiday(db, None, MONDAY, "Libur", move_pickups=True, user="kasi", clock=clock)
    assert caught.value.bookings == 30 and booking_code(1) in str(caught.value)
    assert _state(db) == before


def test_renaming_a_holiday_is_not_a_new_promise_check(db: Database, clock: FixedClock) -> None:
    calendar.set_holiday(db, None, dt.date(2026, 12, 25), "Natal", user="kasi", clock=clock)
    assert calendar.holidays(db, year=2026)[-1] == calendar.HolidayView(dt.date(2026, 12, 25), "Natal")


def test_cli_refuses_then_moves_with_the_flag(
    db: Database, db_url: str, queue: QueueService, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    number = _pickup_for(queue, db, clock, 1)
    before = _state(db)
    code = main(["--db", db_url, "rules", "holiday", "add", "2026-11-27", "Cuti bersama", "--json"])
    err = json.loads(capsys.readouterr().out.strip())
    assert code == 2 and "1 passport pickup(s) are promised for 2026-11-27" in err["error"]
    assert _state(db) == before
    code = main(["--db", db_url, "rules", "holiday", "add", "2026-11-27", "Cuti bersama", "--move-pickups"])
    out = capsys.readouterr().out
    assert code == 0
    assert "1 pickup(s) moved to 2026-11-30; inform the applicants:" in out and number in out
    with db.read() as s:
        assert str(s.execute(text("SELECT ready_on FROM pickups")).scalar_one()) == "2026-11-30"

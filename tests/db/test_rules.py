"""The office's rules: validated all-or-nothing, audited, defaults filled in; holidays and working days."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from helpers import snapshot
from sqlalchemy import text

from counter_desk.clock import FixedClock
from counter_desk.errors import InvalidInput, NotFound
from counter_desk.services import calendar, roles, rules
from counter_desk.store.engine import Database


def _audit(db: Database) -> list[tuple[str, str | None, dict[str, object]]]:
    with db.read() as s:
        rows = s.execute(text("SELECT kind, username, detail FROM audit_log ORDER BY id")).all()
    return [(kind, user, detail if isinstance(detail, dict) else json.loads(detail)) for kind, user, detail in rows]


def test_update_stores_validated_values_and_audits_old_and_new(db: Database, clock: FixedClock) -> None:
    before = rules.current(db)
    assert before["late_policy"] == "end_of_queue"
    after = rules.update(db, None, {"late_policy": "refuse", "priority_ratio": "2"}, user="kasi", clock=clock)
    assert after["late_policy"] == "refuse" and after["priority_ratio"] == 2
    assert rules.current(db) == after
    assert _audit(db) == [
        ("rules_changed", "kasi", {"late_policy": ["end_of_queue", "refuse"], "priority_ratio": [0, 2]})
    ]
    # The same values again change nothing and audit nothing.
    rules.update(db, None, {"late_policy": "refuse"}, user="kasi", clock=clock)
    assert len(_audit(db)) == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"late_policy": "sometimes"}, "late_policy: choose one of accept, end_of_queue, refuse"),
        ({"priority_ratio": 11}, "priority_ratio: must be between 0 and 10"),
        ({"priority_ratio": "two"}, "priority_ratio: 'two' is not a whole number"),
        ({"priority_ratio": True}, "is not a whole number"),
        ({"office_open": "7.30"}, "office_open: '7.30' is not a time like 07:30"),
        ({"office_open": "17:00"}, "the office must open before it closes"),
        ({"display_text": "x" * 501}, "display_text: text of at most 500 characters"),
        ({"retention_days": None}, "retention_days: None is not allowed"),
        ({"colour": "red"}, "unknown rule colour"),
        # One bad value refuses the good ones with it.
        ({"walk_in_quota": 5, "pickup_working_days": -2}, "pickup_working_days: must be between 0 and 60"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_written(
    db: Database, clock: FixedClock, changes: dict[str, object], message: str
) -> None:
    before = snapshot(db)
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(")):
        rules.update(db, None, changes, user="kasi", clock=clock)
    assert snapshot(db) == before


def test_optional_limit_may_be_cleared(db: Database, clock: FixedClock) -> None:
    assert rules.update(db, None, {"walk_in_quota": ""}, clock=clock)["walk_in_quota"] is None


def test_category_and_stage_limits(db: Database, clock: FixedClock) -> None:
    rules.update_category(db, None, "lost", daily_quota="4", user="kasi", clock=clock)
    rules.update_stage(db, None, "interview", wait_target_minutes=20, announce=False, user="kasi", clock=clock)
    with db.read() as s:
        assert s.execute(text("SELECT daily_quota FROM categories WHERE code = 'lost'")).scalar_one() == 4
        target, announce = s.execute(
            text("SELECT wait_target_minutes, announce FROM stages WHERE code = 'interview'")
        ).one()
    assert (target, bool(announce)) == (20, False)
    kinds = [kind for kind, _user, _detail in _audit(db)]
    assert kinds == ["category_changed", "stage_changed"]
    before = snapshot(db)
    with pytest.raises(InvalidInput, match="lowest age must not be above the highest"):
        rules.update_category(db, None, "child", min_age=9, clock=clock)
    with pytest.raises(InvalidInput, match="wait_target_minutes: must be between 1 and 600"):
        rules.update_stage(db, None, "interview", wait_target_minutes=0, clock=clock)
    with pytest.raises(NotFound):
        rules.update_category(db, None, "vip", daily_quota=3, clock=clock)
    with pytest.raises(InvalidInput, match="daily_quota: must be between 0 and 10000"):
        rules.update_category(db, None, "lost", daily_quota="-1", clock=clock)
    assert snapshot(db) == before


def test_holidays_are_added_renamed_listed_and_removed(db: Database, clock: FixedClock) -> None:
    idul_fitri = dt.date(2027, 3, 10)
    calendar.set_holiday(db, None, idul_fitri, "Idul Fitri", user="kasi", clock=clock)
    calendar.set_holiday(db, None, idul_fitri, "Hari Raya Idul Fitri 1448 H", user="kasi", clock=clock)
    assert calendar.holidays(db, year=2027)[-1] == calendar.HolidayView(idul_fitri, "Hari Raya Idul Fitri 1448 H")
    calendar.remove_holiday(db, None, idul_fitri, user="kasi", clock=clock)
    assert idul_fitri not in [h.day for h in calendar.holidays(db)]
    before = snapshot(db)
    with pytest.raises(InvalidInput, match="2027-03-11 is not a holiday"):
        calendar.remove_holiday(db, None, dt.date(2027, 3, 11), clock=clock)
    with pytest.raises(InvalidInput, match="needs a name"):
        calendar.set_holiday(db, None, idul_fitri, "  ", clock=clock)
    assert snapshot(db) == before
    assert [kind for kind, _u, _d in _audit(db)] == ["holiday_set", "holiday_set", "holiday_removed"]


def test_working_days_skip_weekends_and_the_holiday_calendar(db: Database) -> None:
    # Thursday 2026-12-17 + 4 working days: Fri 18, Mon 21, Tue 22, Wed 23.
    assert calendar.add_working_days(dt.date(2026, 12, 17), 4, set()) == dt.date(2026, 12, 23)
    # Across the seeded Christmas holidays (Thu 24, Fri 25) and the new year (Fri 1 Jan 2027).
    with db.read() as s:
        office_id = s.execute(text("SELECT id FROM offices")).scalar_one()
        assert calendar.working_day_after(s, office_id, dt.date(2026, 12, 23), 1) == dt.date(2026, 12, 28)
        assert calendar.working_day_after(s, office_id, dt.date(2026, 12, 28), 4) == dt.date(2027, 1, 4)
    assert calendar.add_working_days(dt.date(2026, 11, 23), 0, set()) == dt.date(2026, 11, 23)


def test_audit_log_refuses_rewrites(db: Database, clock: FixedClock) -> None:
    rules.update(db, None, {"priority_ratio": 1}, user="kasi", clock=clock)
    for statement in ("UPDATE audit_log SET kind = 'nothing'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"), db.write() as s:
            s.execute(text(statement))
    assert len(_audit(db)) == 1


def test_only_a_supervisor_or_admin_changes_the_rules(db: Database, clock: FixedClock) -> None:
    before = snapshot(db)
    for attempt in (
        lambda: rules.update(db, None, {"priority_ratio": 1}, user="wawancara1", clock=clock),
        lambda: rules.update_category(db, None, "lost", daily_quota=3, user="penerimaan1", clock=clock),
        lambda: rules.update_stage(db, None, "interview", wait_target_minutes=9, user="pengambilan", clock=clock),
        lambda: calendar.set_holiday(db, None, dt.date(2027, 8, 17), "HUT RI", user="ajudikator", clock=clock),
    ):
        with pytest.raises(roles.NotAllowed, match="needs the role supervisor or admin"):
            attempt()
    assert snapshot(db) == before
    rules.update_stage(db, None, "interview", wait_target_minutes=15, user="kasi", clock=clock)  # unchanged
    assert snapshot(db) == before  # nothing changed: nothing audited


def test_a_quota_below_the_bookings_already_made_is_refused(db: Database, clock: FixedClock) -> None:
    # The sample bookings: 30 booked applicants on Monday (the clock's day).
    before = snapshot(db)
    with pytest.raises(InvalidInput, match="quota of 20 is below the 30 bookings already made for 2026-11-23"):
        rules.update_category(db, None, "booked", daily_quota=20, user="kasi", clock=clock)
    assert snapshot(db) == before
    rules.update_category(db, None, "booked", daily_quota=30, user="kasi", clock=clock)

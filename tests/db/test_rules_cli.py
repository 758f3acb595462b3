"""``counter-desk rules ...`` on both engines: every change lands in the audit log; a bad value writes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import text

from counter_desk.cli import main
from counter_desk.services import rules
from counter_desk.store.engine import Database


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


def configuration(db: Database) -> dict[str, Any]:
    """Every table a rules command may write."""
    with db.read() as s:
        return {
            table: s.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2")).all()
            for table in ("office_settings", "categories", "stages", "holidays", "audit_log")
        }


def audit(db: Database) -> list[tuple[str, str | None, dict[str, Any]]]:
    with db.read() as s:
        rows = s.execute(text("SELECT kind, username, detail FROM audit_log ORDER BY id")).all()
    return [(k, u, json.loads(d) if isinstance(d, str) else d) for k, u, d in rows]


def test_show_lists_rules_categories_stages_and_holidays(cli: Any) -> None:
    code, shown, _ = cli("rules", "show", "--json")

    assert code == 0
    assert shown["rules"]["retention_days"] == {
        "value": 90,
        "default": 90,
        "label": "Days applicants' personal data is kept",
    }
    assert set(shown["rules"]) == set(rules.RULES)
    assert {c["code"] for c in shown["categories"]} >= {"booked", "elderly", "pickup"}
    assert [s["code"] for s in shown["stages"]] == ["reception", "interview", "adjudication", "pickup"]
    code, out, _ = cli("rules", "show")
    assert code == 0 and "retention_days" in out and "Holidays:" in out


def test_set_changes_rules_together_and_audits_them(cli: Any, db: Database) -> None:
    before = rules.current(db)
    args = ("office_open", "07:00", "walk_in_quota", "25", "late_policy", "accept")

    code, result, _ = cli("rules", "set", *args, "--user", "kasi", "--json")

    assert code == 0 and result["rules"] == {"office_open": "07:00", "walk_in_quota": 25, "late_policy": "accept"}
    assert rules.current(db)["walk_in_quota"] == 25
    [(kind, user, detail)] = audit(db)
    assert (kind, user) == ("rules_changed", "kasi")
    assert detail == {
        "office_open": [before["office_open"], "07:00"],
        "walk_in_quota": [before["walk_in_quota"], 25],
        "late_policy": [before["late_policy"], "accept"],
    }

    code, result, _ = cli("rules", "set", "walk_in_quota", "none", "--json")
    assert code == 0 and result["rules"] == {"walk_in_quota": None}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("retention_days", "0"), "retention_days: must be between 1 and 3650"),
        (("retention_days", "ninety"), "is not a whole number"),
        (("office_open", "7 pagi"), "is not a time like 07:30"),
        (("office_open", "17:00"), "the office must open before it closes"),
        (("late_policy", "maybe"), "choose one of accept, end_of_queue, refuse"),
        (("no_such_rule", "1"), "unknown rule no_such_rule"),
        (("lockout_attempts", "3", "retention_days", "-5"), "retention_days"),  # all or nothing
        (("lockout_attempts", "3", "lockout_attempts", "4"), "given twice"),
        (("lockout_attempts",), "has no value"),
        (("lockout_attempts", "3", "--user", "wawancara1"), "needs the role supervisor or admin"),
        (("lockout_attempts", "3", "--user", "ghost"), "unknown or inactive user 'ghost'"),
    ],
)
def test_a_bad_value_writes_nothing(cli: Any, db: Database, args: tuple[str, ...], message: str) -> None:
    before = configuration(db)

    code, err, _ = cli("rules", "set", *args, "--json")

    assert code != 0 and message in err["error"]
    assert configuration(db) == before


def test_category_limits(cli: Any, db: Database) -> None:
    code, row, _ = cli("rules", "category", "disability", "--quota", "40", "--min-age", "1", "--json")
    assert code == 0 and (row["daily_quota"], row["min_age"], row["max_age"]) == (40, 1, None)
    code, row, _ = cli("rules", "category", "disability", "--quota", "none", "--json")
    assert code == 0 and row["daily_quota"] is None
    details = [d for k, _u, d in audit(db) if k == "category_changed"]
    assert details == [
        {"category": "disability", "daily_quota": [None, 40], "min_age": [None, 1]},
        {"category": "disability", "daily_quota": [40, None]},
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("child", "--min-age", "10", "--max-age", "5"), "lowest age must not be above the highest"),
        (("child", "--quota", "-1"), "quota: must be between 0 and 10000"),
        (("child", "--quota", "1e3"), "is not a whole number"),
        (("vip", "--quota", "1"), "unknown category 'vip'"),
        (("child",), "nothing to change"),
    ],
)
def test_bad_category_limits_write_nothing(cli: Any, db: Database, args: tuple[str, ...], message: str) -> None:
    before = configuration(db)
    code, err, _ = cli("rules", "category", *args, "--json")
    assert code != 0 and message in err["error"]
    assert configuration(db) == before


def test_stage_wait_target(cli: Any, db: Database) -> None:
    code, row, _ = cli("rules", "stage", "interview", "--wait-target", "20", "--announce", "no", "--json")
    assert code == 0 and (row["wait_target_minutes"], row["announce"]) == (20, False)
    [(kind, _user, detail)] = audit(db)
    assert kind == "stage_changed" and detail == {
        "stage": "interview",
        "wait_target_minutes": [15, 20],
        "announce": [True, False],
    }

    before = configuration(db)
    for args, message in (
        (("interview", "--wait-target", "0"), "between 1 and 600"),
        (("waiting-room", "--wait-target", "5"), "unknown stage"),
        (("interview",), "nothing to change"),
    ):
        code, err, _ = cli("rules", "stage", *args, "--json")
        assert code != 0 and message in err["error"]
    assert configuration(db) == before


def test_holidays(cli: Any, db: Database) -> None:
    code, added, _ = cli("rules", "holiday", "add", "17/08/2027", "Hari Kemerdekaan", "--json")
    assert code == 0 and added == {"day": "2027-08-17", "name": "Hari Kemerdekaan", "moved_pickups": []}
    code, listing, _ = cli("rules", "holidays", "list", "--year", "2027", "--json")
    assert {"day": "2027-08-17", "name": "Hari Kemerdekaan"} in listing["holidays"]

    before = configuration(db)
    code, err, _ = cli("rules", "holiday", "remove", "2027-08-18", "--json")
    assert code == 2 and "is not a holiday" in err["error"]
    code, err, _ = cli("rules", "holiday", "add", "2027-02-30", "Nope", "--json")
    assert code == 2 and "is not a date" in err["error"]
    code, err, _ = cli("rules", "holiday", "add", "2027-08-19", " ", "--json")
    assert code == 2 and "needs a name" in err["error"]
    assert configuration(db) == before

    code, _out, _ = cli("rules", "holiday", "remove", "2027-08-17")
    assert code == 0
    kinds = [k for k, _u, _d in audit(db)]
    assert kinds == ["holiday_set", "holiday_removed"]

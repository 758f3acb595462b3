"""The ``counter-desk`` command on both engines: JSON out, one-line errors, exit codes, nothing written on error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import LONG_AGO, booking_code
from helpers import snapshot

from counter_desk.cli import main
from counter_desk.store.engine import Database

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def cli(db_url: str, capsys: pytest.CaptureFixture[str]) -> Any:
    """Run the CLI in-process against the test database; return (exit code, parsed JSON or text, stderr)."""

    def run(*args: str) -> tuple[int, Any, str]:
        code = main(["--db", db_url, *args])
        out, err = capsys.readouterr()
        if "--json" in args:
            lines = out.strip().splitlines()
            assert len(lines) == 1, f"--json must print exactly one line, got {out!r}"
            return code, json.loads(lines[0]), err
        return code, out, err

    return run


def test_a_ticket_through_the_whole_office(cli: Any, db: Database) -> None:
    # The CLI uses the real clock; the sample bookings are for a fixed Monday, so walk in.
    code, t, _ = cli("queue", "check-in", "--walk-in", "--category", "elderly", "--station", "reception-1", "--json")
    assert code == 0
    assert {k: t[k] for k in ("number", "status", "stage", "station")} == {
        "number": "P-001",
        "status": "waiting",
        "stage": "interview",
        "station": None,
    }
    steps = [
        (("queue", "call-next", "--station", "interview-2"), ("called", "interview", "interview-2")),
        (("queue", "recall", "--station", "interview-2"), ("called", "interview", "interview-2")),
        (("queue", "start", "--station", "interview-2", "--ticket", "P-001"), ("serving", "interview", "interview-2")),
        (
            ("queue", "transfer", "--to-stage", "adjudication", "--station", "interview-2"),
            ("waiting", "adjudication", None),
        ),
        (
            ("queue", "call-next", "--station", "adjudicator", "--user", "ajudikator"),
            ("called", "adjudication", "adjudicator"),
        ),
        (("queue", "finish", "--station", "adjudicator", "--outcome", "approved"), ("done", "adjudication", None)),
    ]
    for args, (status, stage, station) in steps:
        code, t, _ = cli(*args, "--json")
        assert code == 0, t
        assert (t["number"], t["status"], t["stage"], t["station"]) == ("P-001", status, stage, station)
    code, feed, _ = cli("queue", "events", "--after", "0", "--json")
    assert [e["kind"] for e in feed["events"]] == [
        "checked_in",
        "called",
        "recalled",
        "started",
        "transferred",
        "called",
        "finished",
    ]
    assert feed["last"] == 7
    assert feed["events"][5]["user"] == "ajudikator"


def test_status_and_show(cli: Any) -> None:
    cli("queue", "check-in", "--walk-in", "--category", "lost")
    code, status, _ = cli("queue", "status", "--stage", "interview", "--json")
    assert code == 0
    assert status["waiting_count"] == 1 and status["waiting"][0]["number"] == "H-001"
    assert "waited_seconds" in status["waiting"][0]
    code, text, _ = cli("queue", "status", "--station", "interview-1")
    assert "Wawancara (interview): 1 waiting" in text and "H-001" in text
    code, est, _ = cli("queue", "estimate", "--json")
    assert [(e["stage"], e["waiting"], e["estimated_wait_seconds"]) for e in est["stages"]][:2] == [
        ("reception", 0, None),
        ("interview", 1, None),
    ]
    code, t, _ = cli("queue", "show", "--ticket", "h-001", "--json")
    assert (t["number"], t["category"]) == ("H-001", "lost")


@pytest.mark.parametrize(
    ("args", "exit_code", "message"),
    [
        (("queue", "call-next", "--station", "interview-9"), 3, "unknown station 'interview-9'"),
        (("queue", "call-next", "--station", "interview-1"), 5, "nobody is waiting at interview"),
        (("queue", "check-in", "NOPE-123"), 3, "no booking with code or application number NOPE-123"),
        (("queue", "check-in", booking_code(1, LONG_AGO)), 6, "is for Thursday 02 January 2020, not today"),
        (("queue", "check-in", "--walk-in", "--category", "booked"), 2, "needs a booking"),
        (("queue", "check-in", "--walk-in"), 2, "needs both --walk-in and --category"),
        (("queue", "check-in"), 2, "give a booking code"),
        (("queue", "start", "--station", "interview-1"), 4, "holds no ticket"),
        (("queue", "transfer", "--to-stage", "mars", "--ticket", "A-001"), 3, "no ticket A-001"),
        (("queue", "call", "--ticket", "A-1", "--station", "interview-1", "--reason", " "), 2, "reason is required"),
        (("queue", "return", "--ticket", "A-001", "--position", "front"), 3, "no ticket A-001"),
        (("queue", "events", "--after", "-5"), 2, "--after must be >= 0"),
    ],
)
def test_errors_are_one_line_with_an_exit_code_and_write_nothing(
    cli: Any, db: Database, args: tuple[str, ...], exit_code: int, message: str
) -> None:
    before = snapshot(db)
    code, out, err = cli(*args)
    assert code == exit_code
    assert out == ""
    assert err.startswith("error: ") and message in err and err.count("\n") == 1
    code, payload, _ = cli(*args, "--json")
    assert code == exit_code
    assert message in payload["error"] and payload["code"]
    assert snapshot(db) == before


def test_idempotency_token_on_the_command_line(cli: Any, db: Database) -> None:
    cli("queue", "check-in", "--walk-in", "--category", "elderly")
    _, first, _ = cli("queue", "call-next", "--station", "interview-1", "--token", "booth1-0001", "--json")
    before = snapshot(db)
    _, again, _ = cli("queue", "call-next", "--station", "interview-1", "--token", "booth1-0001", "--json")
    assert again["replayed"] is True and again["number"] == first["number"]
    assert snapshot(db) == before


def test_db_commands(cli: Any) -> None:
    code, out, _ = cli("db", "check", "--json")
    assert (code, out) == (0, {"ok": True})
    code, out, _ = cli("db", "current", "--json")
    assert out["current"] == out["head"]
    code, out, _ = cli("db", "seed", "--json")
    assert (code, out["created"], out["updated"]) == (0, 0, 0)  # already seeded: changes nothing


def test_usage_errors_exit_2(cli: Any, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["queue", "call-next"])
    assert exit_info.value.code == 2
    assert "--station" in capsys.readouterr().err


def _run(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120, check=False)


def test_first_start_creates_and_migrates_the_default_sqlite_file(tmp_path: Path) -> None:
    """The installed entry point, from another folder, with nothing configured."""
    env = {**os.environ, "COUNTER_DESK_DATA_DIR": str(tmp_path / "data")}
    exe = Path(sys.executable).parent / "counter-desk"
    proc = _run(str(exe), "queue", "status", "--stage", "interview", env=env, cwd=tmp_path)
    assert proc.returncode == 3
    assert "run 'counter-desk db seed'" in proc.stderr
    assert (tmp_path / "data" / "counter-desk.sqlite3").is_file()
    proc = _run(str(exe), "db", "seed", "--sample-bookings", "5", env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    proc = _run(str(exe), "rules", "set", "checkin_hours", "allow", env=env, cwd=tmp_path)  # any day, any hour
    assert proc.returncode == 0, proc.stderr
    proc = _run(
        sys.executable,
        str(REPO / "main.py"),
        "queue",
        "check-in",
        "--walk-in",
        "--category",
        "child",
        "--json",
        env=env,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["number"] == "P-001"


def test_unmigrated_postgresql_is_not_touched_by_a_station(
    empty_db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--db", empty_db_url, "queue", "status", "--stage", "interview"])
    err = capsys.readouterr().err
    if empty_db_url.startswith("sqlite"):
        assert code == 3 and "db seed" in err  # one PC: created and migrated on first start
    else:
        assert code == 7 and "is empty; run 'counter-desk db upgrade' once" in err
        assert main(["--db", empty_db_url, "db", "upgrade"]) == 0
        assert main(["--db", empty_db_url, "db", "seed"]) == 0
        capsys.readouterr()
        assert main(["--db", empty_db_url, "queue", "status", "--stage", "interview", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["waiting_count"] == 0


def test_unreachable_database_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--db", "postgresql://nobody:secret@127.0.0.1:1/nothing", "queue", "status", "--stage", "x"])
    err = capsys.readouterr().err
    assert code == 7
    assert err.startswith("error: cannot open the database postgresql+psycopg://nobody:***@127.0.0.1:1/nothing")
    assert "secret" not in err


def test_global_options_also_after_the_command(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["queue", "status", "--stage", "interview", "--db", db_url, "--office", "kanim-blitar", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["stage"] == "interview"
    assert main(["--office", "kanim-nowhere", "queue", "status", "--stage", "interview", "--db", db_url]) == 3
    assert "unknown office 'kanim-nowhere' (known: kanim-blitar)" in capsys.readouterr().err

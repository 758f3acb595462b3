"""The real ``counter-desk display --windowed`` under Xvfb while other processes call: every call is shown.

The display writes each call it shows to ``--log-calls FILE`` (one JSON line each), so the test needs no
screenshot. Stations call through the command line, each call its own OS process. On PostgreSQL the
display's LISTEN connection is also killed while the calls go on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from waiting import poll

from counter_desk.store.engine import Database

EXE = Path(sys.executable).parent / "counter-desk"
ENV = {**os.environ, "COUNTER_DESK_LANG": "en"}


def _cli(db_url: str, *args: str) -> dict[str, Any]:
    proc = subprocess.run(
        [str(EXE), "--db", db_url, *args, "--json"], capture_output=True, text=True, env=ENV, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out: dict[str, Any] = json.loads(proc.stdout)
    return out


def _lines(log: Path) -> list[dict[str, Any]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]


def _wait_for(log: Path, test: Any, proc: subprocess.Popen[bytes], timeout: float = 30) -> list[dict[str, Any]]:
    def logged() -> list[dict[str, Any]] | None:
        lines = _lines(log)
        if test(lines):
            return lines
        assert proc.poll() is None, f"the display exited with {proc.returncode}"
        return None

    found = poll(logged, timeout)
    if found is None:
        pytest.fail(f"timed out; the display logged: {_lines(log)}")
    return found


def _kill_listeners(db_url: str) -> int:
    db = Database.connect(db_url)
    try:
        with db.write() as s:
            return len(
                s.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE 'LISTEN%'"
                    )
                ).all()
            )
    finally:
        db.dispose()


def test_the_display_shows_every_call_made_by_other_processes(display: str, db_url: str, tmp_path: Path) -> None:
    log = tmp_path / "calls.jsonl"
    for _ in range(6):
        _cli(db_url, "queue", "check-in", "--walk-in", "--category", "elderly")
    env = {**ENV, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    display = subprocess.Popen(
        [str(EXE), "--db", db_url, "display", "--windowed", "--log-calls", str(log)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for(log, lambda lines: any(line.get("feed") == "online" for line in lines), display)
        called = []
        kills = 0
        for n in range(6):
            station = f"interview-{n % 4 + 1}"
            if n >= 4:
                _cli(db_url, "queue", "finish", "--station", station)
            result = _cli(db_url, "queue", "call-next", "--station", station)
            called.append((result["number"], station))
            if db_url.startswith("postgresql") and n % 2 == 1:
                kills += _kill_listeners(db_url)
        lines = _wait_for(log, lambda lines: len([line for line in lines if "number" in line]) >= len(called), display)
        shown = [(line["number"], line["station"]) for line in lines if "number" in line]
        assert shown == called
        assert all(line["station_name"].startswith("Wawancara") for line in lines if "number" in line)
        if db_url.startswith("postgresql"):
            assert kills >= 2
            # It comes back by itself: reconnecting, then online again.
            lines = _wait_for(log, lambda lines: [ln["feed"] for ln in lines if "feed" in ln][-1] == "online", display)
            assert "reconnecting" in [line["feed"] for line in lines if "feed" in line]
        assert display.poll() is None  # still running: no crash, with or without a sound card
    finally:
        display.terminate()
        try:
            display.wait(timeout=15)
        except subprocess.TimeoutExpired:
            display.kill()
            display.wait()

"""The log file in the data folder: written by every command, rotated, free of personal data."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from counter_desk import logs
from counter_desk.cli import main

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "data"
    monkeypatch.setenv("COUNTER_DESK_DATA_DIR", str(folder))
    yield folder
    logs.setup(logging.WARNING, file=tmp_path / "after.log")  # leave no handler on the test's folder


def _ours() -> list[logging.Handler]:
    return [h for h in logging.getLogger().handlers if getattr(h, "_counter_desk_handler", None)]


def test_a_command_writes_the_log_file_in_the_data_folder(data_dir: Path) -> None:
    logs.setup(logging.WARNING)
    logging.getLogger("counter_desk.views.station").warning("action %s failed", "call_next")
    logging.getLogger("counter_desk.live").info("listening again")
    logging.getLogger("counter_desk.live").debug("not kept")
    for handler in _ours():
        handler.flush()
    text = (data_dir / "logs" / "counter-desk.log").read_text(encoding="utf-8")
    assert "WARNING counter_desk.views.station: action call_next failed" in text
    assert "INFO counter_desk.live: listening again" in text  # the file keeps info even when stderr does not
    assert "not kept" not in text


def test_setup_twice_keeps_one_pair_of_handlers(data_dir: Path) -> None:
    logs.setup(logging.WARNING)
    logs.setup(logging.DEBUG)
    assert sorted(getattr(h, "_counter_desk_handler", "") for h in _ours()) == ["file", "stderr"]
    file = next(h for h in _ours() if getattr(h, "_counter_desk_handler", "") == "file")
    assert isinstance(file, logging.handlers.RotatingFileHandler)
    assert (file.maxBytes, file.backupCount, file.level) == (logs.FILE_BYTES, logs.FILE_BACKUPS, logging.DEBUG)


def test_no_failing_row_reaches_the_file(data_dir: Path) -> None:
    logs.setup(logging.WARNING)
    try:
        msg = "new row violates check constraint\nDETAIL:  Failing row contains (7, Siti Aminah, 3505123412341234)."
        raise RuntimeError(msg)
    except RuntimeError:
        logging.getLogger("counter_desk.views.station").exception("action check_in failed")
    for handler in _ours():
        handler.flush()
    text = (data_dir / "logs" / "counter-desk.log").read_text(encoding="utf-8")
    assert "action check_in failed" in text and "new row violates check constraint" in text
    assert "Siti Aminah" not in text and "3505123412341234" not in text


def test_an_unwritable_folder_leaves_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("")
    assert logs.setup(logging.WARNING, file=blocker / "logs" / "counter-desk.log") is None
    assert "cannot be written" in capsys.readouterr().err
    assert [getattr(h, "_counter_desk_handler", "") for h in _ours()] == ["stderr"]
    logs.setup(logging.WARNING, file=tmp_path / "after.log")


def test_log_level_flag(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert logs.level_of("info", 0) == logging.INFO and logs.level_of(None, 3) == logging.DEBUG
    assert logs.level_of(None, 0) == logging.ERROR  # a command's own one-line message is what the user reads
    assert main(["--log-level", "debug", "--db", f"sqlite:///{data_dir / 'x.sqlite3'}", "db", "current"]) == 0
    stderr = next(h for h in _ours() if getattr(h, "_counter_desk_handler", "") == "stderr")
    assert stderr.level == logging.DEBUG
    with pytest.raises(SystemExit):
        main(["--log-level", "loud", "db", "current"])
    assert "invalid log level 'loud'" in capsys.readouterr().err


def test_a_real_command_leaves_its_log_file(tmp_path: Path) -> None:
    env = {**os.environ, "COUNTER_DESK_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.run(
        [sys.executable, str(REPO / "main.py"), "--log-level", "info", "db", "upgrade"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    text = (tmp_path / "data" / "logs" / "counter-desk.log").read_text(encoding="utf-8")
    assert "Running upgrade" in text  # alembic's info lines: what happened to this PC's database, kept

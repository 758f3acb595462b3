"""The shared action runner (qt/operations.py) and the status widgets (qt/status.py) on their own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from counter_desk.errors import Conflict, DatabaseUnavailable
from counter_desk.i18n import lookup
from counter_desk.live.follower import OFFLINE, ONLINE, RECONNECTING, FeedState
from counter_desk.qt.operations import BUG, NOT_SAVED, REFUSED, Failure, Operations, failure_kind
from counter_desk.qt.status import Banner, ClockStatus, ConnectionStatus
from counter_desk.qt.tasks import NOT_CONFIRMED, TaskRunner

WAIT_MS = 5000


@dataclass
class _Done:
    replayed: bool = False


class _Window:
    """What a window hands the runner: its banner and its after-action hooks, recorded."""

    def __init__(self) -> None:
        self.errors: list[tuple[str, dict[str, Any]]] = []
        self.infos: list[str] = []
        self.done: list[tuple[str, object]] = []
        self.failures: list[Failure] = []

    def error(self, message: str, **how: Any) -> None:
        self.errors.append((message, how))

    def info(self, message: str) -> None:
        self.infos.append(message)


@pytest.fixture
def ops(qtbot: QtBot) -> Iterator[tuple[Operations, _Window]]:
    tasks = TaskRunner()
    window = _Window()
    runner = Operations(
        tasks,
        error=window.error,
        info=window.info,
        done=lambda name, result: window.done.append((name, result)),
        failed=window.failures.append,
    )
    yield runner, window
    tasks.close()


def _run(qtbot: QtBot, runner: Operations, name: str, call: Any, *, tone: bool = False) -> None:
    with qtbot.waitSignal(runner.busy_changed, check_params_cb=lambda busy: not busy, timeout=WAIT_MS):
        assert runner.run_action(name, call, lambda result: f"did {name}", tone=tone)


def test_failures_are_sorted_into_refusal_not_saved_and_bug() -> None:
    assert failure_kind(Conflict("taken")) == REFUSED
    assert failure_kind(DatabaseUnavailable("away")) == NOT_SAVED
    assert failure_kind(OSError("reset")) == NOT_SAVED
    assert failure_kind(ValueError("oops")) == BUG


def test_a_token_is_kept_after_a_connection_failure_and_replayed(qtbot: QtBot, ops: tuple[Operations, _Window]) -> None:
    runner, window = ops
    tokens: list[str] = []

    def away(token: str) -> _Done:
        tokens.append(token)
        raise DatabaseUnavailable("away")

    _run(qtbot, runner, "call_next", away, tone=True)
    assert window.errors == [(lookup(NOT_CONFIRMED), {"tone": True})]
    assert window.failures[0].kind == NOT_SAVED
    assert runner.token("call_next") == tokens[0] and runner.failed_tries("call_next") == 1
    _run(qtbot, runner, "call_next", away)
    assert tokens[1] == tokens[0] and runner.failed_tries("call_next") == 2

    def saved_before(token: str) -> _Done:
        tokens.append(token)
        return _Done(replayed=True)

    _run(qtbot, runner, "call_next", saved_before)
    assert tokens[2] == tokens[0]  # the same action, replayed: never done twice
    assert runner.token("call_next") is None and runner.failed_tries("call_next") == 0
    assert len(window.infos) == 1 and "did call_next" in window.infos[0]
    assert window.infos[0] != "did call_next"  # says the first try had been saved
    assert window.done == [("call_next", _Done(replayed=True))]


def test_a_refusal_or_a_success_drops_the_token(qtbot: QtBot, ops: tuple[Operations, _Window]) -> None:
    runner, window = ops
    tokens: list[str] = []

    def refused(token: str) -> _Done:
        tokens.append(token)
        raise Conflict("another booth was faster")

    _run(qtbot, runner, "finish", refused, tone=True)
    assert window.errors == [("another booth was faster", {"tone": True})]
    assert window.failures[0].kind == REFUSED and runner.token("finish") is None

    def ok(token: str) -> _Done:
        tokens.append(token)
        return _Done()

    _run(qtbot, runner, "finish", ok)
    assert tokens[1] != tokens[0]  # a new press after a refusal is a new action
    assert window.infos == ["did finish"] and runner.token("finish") is None
    _run(qtbot, runner, "finish", ok)
    assert tokens[2] != tokens[1]


def test_a_bug_is_logged_and_shown(
    qtbot: QtBot, ops: tuple[Operations, _Window], caplog: pytest.LogCaptureFixture
) -> None:
    runner, window = ops

    def broken(_token: str) -> _Done:
        raise ValueError("no such column")

    _run(qtbot, runner, "call_next", broken)
    assert window.failures[0].kind == BUG and runner.token("call_next") is None
    assert "no such column" in window.errors[0][0] and window.errors[0][1] == {}
    assert "action call_next failed" in caplog.text


def test_one_action_at_a_time(qtbot: QtBot, ops: tuple[Operations, _Window]) -> None:
    runner, _window = ops
    with qtbot.waitSignal(runner.busy_changed, check_params_cb=lambda busy: not busy, timeout=WAIT_MS):
        assert runner.run_action("a", lambda _t: _Done(), lambda _r: None)
        assert runner.busy
        assert not runner.run_action("b", lambda _t: _Done(), lambda _r: None)
        assert not runner.run_job("c", _Done, lambda _r: None)
    assert not runner.busy


def test_a_job_that_met_no_database_says_nothing_was_saved(qtbot: QtBot, ops: tuple[Operations, _Window]) -> None:
    runner, window = ops

    def away() -> None:
        raise DatabaseUnavailable("away")

    taken: list[Exception] = []
    with qtbot.waitSignal(runner.busy_changed, check_params_cb=lambda busy: not busy, timeout=WAIT_MS):
        runner.run_job("save", away, lambda _r: None)
    assert window.errors[0][0].startswith("Not saved") and window.failures[0].kind == NOT_SAVED
    with qtbot.waitSignal(runner.busy_changed, check_params_cb=lambda busy: not busy, timeout=WAIT_MS):
        runner.run_job("save", away, lambda _r: None, lambda exc: taken.append(exc) is None)
    assert len(taken) == 1 and len(window.errors) == 1  # the job's own handler took it over


def test_a_read_that_met_no_database_refuses_nothing(qtbot: QtBot, ops: tuple[Operations, _Window]) -> None:
    runner, window = ops
    runner.read_failed(DatabaseUnavailable("away"))
    runner.read_failed(Conflict("closed"))
    assert window.errors[0][1] == {"refusal": False} and window.errors[1] == ("closed", {})


def test_the_connection_indicator_follows_the_feed(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    status = ConnectionStatus(label, lambda: "Asia/Jakarta")
    since = dt.datetime(2026, 3, 2, 1, 5, tzinfo=dt.UTC)
    status.show(FeedState(ONLINE, since))
    assert "online" in label.text() and "#2e7d32" in label.styleSheet() and not status.came_online
    status.show(FeedState(OFFLINE, since))
    assert "08:05" in label.text()  # office time (UTC+7)
    status.show(FeedState(RECONNECTING, since))
    assert "#ef6c00" in label.styleSheet()
    with qtbot.waitSignal(status.changed):
        status.show(FeedState(ONLINE, since))
    assert status.came_online
    status.show(None)
    assert label.text() == "" and status.state is None


def test_the_clock_ticks_by_itself(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    now = dt.datetime(2026, 3, 2, 1, 5, 9, tzinfo=dt.UTC)
    clock = ClockStatus(label, lambda: now, lambda: "Asia/Jakarta")
    clock.start()
    with qtbot.waitSignal(clock.ticked, timeout=WAIT_MS) as ticked:
        pass
    assert ticked.args == [now] and label.text() == "08:05:09"
    clock.stop()


def test_the_banner_says_a_note_once(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    banner = Banner(label, size=15, padding=6)
    banner.note = "the dialog was closed"
    banner.error("refused")
    assert banner.text() == "refused\nthe dialog was closed" and "font-size:15px" in label.styleSheet()
    banner.info("done")
    assert banner.text() == "done" and "#2e7d32" in label.styleSheet()

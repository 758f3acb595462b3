"""The nested-arrays scanner payload of issue 13 at a real reception window: a red banner the clerk can act on,
the field cleared, nothing written, and the next scan works (it used to raise RecursionError: nothing shown)."""

from __future__ import annotations

import pytest
from conftest import booking_code
from helpers import snapshot
from pytestqt.qtbot import QtBot

from counter_desk.clock import FixedClock
from counter_desk.services.desk import Desk
from counter_desk.store.engine import Database
from counter_desk.views.app import application
from counter_desk.views.station import StationWindow

WAIT_MS = 5000


@pytest.mark.parametrize(
    "payload",
    [
        '{"id":' + "[" * 1020 + "]" * 1019 + "}",
        '{"kode_booking": "MP26\\u001b[2J1123"}',
    ],
)
def test_a_hostile_scan_is_refused_with_a_banner_and_writes_nothing(
    qtbot: QtBot, db: Database, clock: FixedClock, payload: str
) -> None:
    application("en")
    window = StationWindow(Desk(db), "reception-1", clock=clock, live=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window._snapshot is not None, timeout=WAIT_MS)
    before = snapshot(db)
    window.code_edit.setText(payload)

    with qtbot.waitSignal(window.failed, timeout=WAIT_MS) as blocker:
        window.scan(payload)

    message = blocker.args[0]
    assert "scan" in message and "\x1b" not in message and "\n" not in message
    assert window.banner.isVisible() and "c62828" in window.banner.styleSheet()
    assert window.code_edit.text() == ""
    assert snapshot(db) == before
    with qtbot.waitSignal(window.acted, timeout=WAIT_MS):
        window.scan(booking_code(6))

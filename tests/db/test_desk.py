"""The desk a window is handed (services/desk.py), on both engines: its use cases and service functions work on its
own connection, and signing in through it checks the station's role and records who came and went."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from counter_desk.clock import FixedClock
from counter_desk.services import auth, rules
from counter_desk.services.auth import SignInFailed
from counter_desk.services.desk import Desk
from counter_desk.services.roles import NotAllowed
from counter_desk.store import migrate
from counter_desk.store.engine import Database

PASSWORD = "rahasia-kantor-1"


def _audit_kinds(db: Database) -> list[tuple[str, str]]:
    with db.read() as s:
        return [(r.kind, r.username) for r in s.execute(text("SELECT kind, username FROM audit_log ORDER BY id"))]


def test_the_desks_use_cases_and_functions_act_on_its_connection(db: Database, clock: FixedClock) -> None:
    desk = Desk(db)
    number = desk.queue(clock=clock).check_in(walk_in="elderly", station="reception-1").ticket.number

    assert [w.ticket.number for w in desk.queue(clock=clock).status(stage="interview").waiting] == [number]
    assert desk(rules.current, None) == rules.current(db, None)
    assert desk(lambda connection, office, *, day: (connection, office, day), "BLT", day=3) == (db, "BLT", 3)
    assert desk.url == db.engine.url


def test_sign_in_checks_the_stations_role_and_sign_out_is_recorded(db: Database, clock: FixedClock) -> None:
    auth.set_password(db, "wawancara1", PASSWORD, clock=clock)
    desk = Desk(db)

    officer, work = desk.sign_in("wawancara1", PASSWORD, "interview-2", clock=clock)
    assert officer.username == "wawancara1" and work is desk  # one login for the PC: the same desk
    work.sign_out(officer, "interview-2")
    assert _audit_kinds(db)[-2:] == [("signin", "wawancara1"), ("signout", "wawancara1")]

    with pytest.raises(NotAllowed):  # an interview officer at reception
        desk.sign_in("wawancara1", PASSWORD, "reception-1", clock=clock)
    with pytest.raises(SignInFailed):
        desk.sign_in("wawancara1", "not-the-password", "interview-2", clock=clock)


def test_open_with_upgrade_makes_a_new_database_ready(tmp_path: Path) -> None:
    desk = Desk.open(f"sqlite:///{tmp_path / 'new.sqlite3'}", upgrade=True)
    try:
        assert desk.url.get_backend_name() == "sqlite"
        assert desk(migrate.current_revision) == migrate.head_revision()
    finally:
        desk.close()

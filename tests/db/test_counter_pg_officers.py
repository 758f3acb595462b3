"""Issue 14's desk actions through the officers' own PostgreSQL logins (issue 13's deployment): the grants and the
database's ticket guard allow what each officer's role does -- a booth parks, resumes, pauses and reopens itself,
a supervisor overrides a closed office -- and the acting officer is recorded by the database.

Like tests/db/test_pg_security.py, this module starts its own server that checks passwords (SCRAM).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from conftest import MONDAY_9, booking_code
from pgserver import PgServer, admin_connect
from sqlalchemy import text
from sqlalchemy.engine import make_url

from counter_desk.cli import main
from counter_desk.clock import FixedClock
from counter_desk.services import auth, seed
from counter_desk.services.queue import QueueService
from counter_desk.store import migrate
from counter_desk.store.engine import Database

STATION_PASSWORD = "station-secret-14"
PASSWORDS = {"kasi": "kasi-pass-1414", "penerimaan1": "rita-pass-1414", "wawancara1": "ivan-pass-1414"}


@dataclass
class Office:
    owner_url: str
    station_url: str


@pytest.fixture(scope="module")
def office() -> Iterator[Office]:
    server = PgServer().start()
    try:
        (server.data / "pg_hba.conf").write_text(
            "local all all trust\nhost all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n"
        )
        with admin_connect(server.url()) as conn:
            conn.execute("SELECT pg_reload_conf()")
            conn.execute("CREATE DATABASE office")
        owner_url = server.url("office")
        db = Database.connect(owner_url)
        migrate.upgrade(db)
        seed.load(db, clock=FixedClock(MONDAY_9))
        seed.sample_bookings(db, 10, clock=FixedClock(MONDAY_9))
        db.dispose()
        assert main(["db", "roles", "--db", owner_url, "--apply"]) == 0
        with admin_connect(owner_url) as conn:
            conn.execute(f"ALTER ROLE counter_desk_signin PASSWORD '{STATION_PASSWORD}'")
        owner = Database.connect(owner_url)
        for name, password in PASSWORDS.items():
            auth.set_password(owner, name, password)
        owner.dispose()
        station = make_url(owner_url).set(username="counter_desk_signin", password=STATION_PASSWORD)
        yield Office(owner_url, station.render_as_string(hide_password=False))
    finally:
        server.cleanup()


def _login(office: Office, name: str, station: str) -> Database:
    return auth.connect_officer(office.station_url, name, PASSWORDS[name], station)


def test_a_booth_parks_resumes_and_pauses_on_its_officers_own_login(office: Office) -> None:
    clock = FixedClock(MONDAY_9)
    rita = _login(office, "penerimaan1", "reception-1")
    ivan = _login(office, "wawancara1", "interview-2")
    owner = Database.connect(office.owner_url)
    try:
        number = QueueService(rita, clock=clock).check_in(booking_code(6), station="reception-1").ticket.number
        booth = QueueService(ivan, clock=clock)
        assert booth.call_next("interview-2").ticket.number == number
        assert booth.park("interview-2", "fotokopi KK").ticket.status == "parked"
        pause = booth.pause_station("interview-2", "prayer")
        clock.advance(dt.timedelta(minutes=15))
        assert booth.unpause_station("interview-2").until is not None and pause.until is None
        assert booth.resume("interview-2").ticket.status == "called"
        clock.advance(dt.timedelta(minutes=3))
        assert booth.no_show("interview-2").ticket.status == "no_show"
        with owner.read() as s:
            acts = s.execute(
                text(
                    "SELECT e.kind, u.username FROM events e JOIN users u ON u.id = e.user_id"
                    " WHERE e.station_id = (SELECT id FROM stations WHERE code = 'interview-2') ORDER BY e.seq"
                )
            ).all()
        assert [tuple(a) for a in acts] == [
            ("called", "wawancara1"),
            ("parked", "wawancara1"),
            ("station_paused", "wawancara1"),
            ("station_resumed", "wawancara1"),
            ("resumed", "wawancara1"),
            ("no_show", "wawancara1"),
        ]
    finally:
        for db in (rita, ivan, owner):
            db.dispose()


def test_a_supervisor_overrides_a_closed_office_on_their_own_login(office: Office) -> None:
    saturday = FixedClock(dt.datetime(2026, 11, 28, 3, 0, tzinfo=dt.UTC))
    kasi = _login(office, "kasi", "reception-1")
    owner = Database.connect(office.owner_url)
    try:
        result = QueueService(kasi, clock=saturday).check_in(walk_in="elderly", override_by="kasi")
        assert result.check_in is not None and result.check_in.override == "closed_day"
        with owner.read() as s:
            who = s.execute(text("SELECT username FROM audit_log WHERE kind = 'checkin_override'")).scalars().all()
        assert who == ["kasi"]
    finally:
        kasi.dispose()
        owner.dispose()

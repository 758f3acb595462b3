"""Officers are who PostgreSQL trusts (issue 13), on a real server that checks passwords (SCRAM).

The suite's shared server trusts every login, so this module starts its own: the owner (``postgres``) still gets
in without a password, every other role needs one. From only what a station PC holds -- the sign-in role's URL --
and from an officer's own credentials used directly (psycopg, as psql would), every step beyond the role is refused
by the database itself, and the refusal reaches the user as one clear line.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from conftest import LONG_AGO, MONDAY_9
from pgserver import PgServer, admin_connect
from sqlalchemy import text
from sqlalchemy.engine import make_url

from counter_desk.cli import main
from counter_desk.clock import FixedClock
from counter_desk.services import auth, calendar, retention, rules, seed
from counter_desk.services import display as display_service
from counter_desk.services.desk import Desk
from counter_desk.services.queue import QueueService
from counter_desk.store import display_views, migrate, schema
from counter_desk.store.engine import Database
from counter_desk.store.security import DatabaseRefused

STATION_PASSWORD = "station-secret-1"
PASSWORDS = {"kasi": "kasi-pass-123", "penerimaan1": "rita-pass-123", "wawancara1": "ivan-pass-123"}
PASSWORDS |= {"ajudikator": "adi-pass-1234", "pengambilan": "pick-pass-123"}
DISPLAY_PASSWORD = "tv-pass-12345"


@dataclass
class Office:
    owner_url: str
    station_url: str
    server: PgServer

    def login(self, role: str, password: str) -> str:
        """A libpq URL for ``role`` (what psql would be given)."""
        url = make_url(self.owner_url).set(drivername="postgresql", username=role, password=password)
        return url.render_as_string(hide_password=False)


def _password_hba(server: PgServer) -> None:
    (server.data / "pg_hba.conf").write_text(
        "local all all trust\nhost all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n"
    )
    with admin_connect(server.url()) as conn:
        conn.execute("SELECT pg_reload_conf()")


@pytest.fixture(scope="module")
def office() -> Iterator[Office]:
    server = PgServer().start()
    try:
        _password_hba(server)
        with admin_connect(server.url()) as conn:
            conn.execute("CREATE DATABASE office")
        owner_url = server.url("office")
        db = Database.connect(owner_url)
        migrate.upgrade(db)
        clock = FixedClock(MONDAY_9)
        seed.load(db, clock=clock)
        seed.sample_bookings(db, 5, clock=clock)
        seed.sample_bookings(db, 1, clock=clock, day=LONG_AGO)  # past retention: something to purge
        db.dispose()
        assert main(["db", "roles", "--db", owner_url, "--apply"]) == 0
        with admin_connect(owner_url) as conn:
            conn.execute(f"ALTER ROLE counter_desk_signin PASSWORD '{STATION_PASSWORD}'")
            conn.execute(f"ALTER ROLE counter_desk_display PASSWORD '{DISPLAY_PASSWORD}'")
        owner = Database.connect(owner_url)
        for name, password in PASSWORDS.items():  # the DBA gives each officer a first password
            auth.set_password(owner, name, password)
        owner.dispose()
        station = make_url(owner_url).set(username="counter_desk_signin", password=STATION_PASSWORD)
        yield Office(owner_url, station.render_as_string(hide_password=False), server)
    finally:
        server.cleanup()


def _officer(office: Office, name: str) -> Database:
    return auth.connect_officer(office.station_url, name, PASSWORDS[name], "interview-1")


def _refused(conn: psycopg.Connection[Any], statement: str, *params: Any) -> str:
    """Run ``statement`` in its own transaction; the database must refuse it. Its message."""
    with pytest.raises(psycopg.errors.InsufficientPrivilege) as info, conn.transaction():
        conn.execute(statement, params or None)  # type: ignore[call-overload]
    return str(info.value)


def test_interview_officer_credentials_used_directly_cannot_leave_the_role(office: Office) -> None:
    owner = Database.connect(office.owner_url)
    queue = QueueService(owner, clock=FixedClock(MONDAY_9))
    waiting = queue.check_in(walk_in="elderly", station="reception-1").ticket
    owner.dispose()
    with psycopg.connect(office.login("wawancara1", PASSWORDS["wawancara1"]), autocommit=True) as conn:
        assert conn.execute("SELECT session_user").fetchone() == ("wawancara1",)
        kasi_id = conn.execute("SELECT id FROM users WHERE username = 'kasi'").fetchone()
        own_id = conn.execute("SELECT id FROM users WHERE username = 'wawancara1'").fetchone()
        # Officers and their passwords.
        assert "permission denied" in _refused(conn, "SELECT password_hash FROM users")
        assert "permission denied" in _refused(conn, "UPDATE users SET roles = 'supervisor admin'")
        assert "permission denied" in _refused(
            conn,
            "INSERT INTO users (office_id, username, full_name, roles, active, failed_logins, created_at) "
            "VALUES (1, 'mallory', 'M', 'admin', true, 0, now())",
        )
        assert "needs the role admin" in _refused(
            conn, "SELECT cd_user_add(1, 'mallory', 'M', 'admin', NULL, NULL, now())"
        )
        assert "needs the role admin" in _refused(conn, "SELECT cd_user_roles('wawancara1', 'admin')")
        assert "needs the role admin" in _refused(conn, "SELECT cd_user_passwd('kasi', NULL, NULL)")
        assert "permission denied" in _refused(conn, "SET ROLE cd_admin")
        assert "permission denied" in _refused(conn, "SELECT cd_signin_failed('kasi', NULL)")
        # Rules, purge, moving a waiting ticket, finishing an adjudication.
        assert "permission denied" in _refused(conn, "UPDATE office_settings SET updated_at = now()")
        assert "permission denied" in _refused(
            conn, "INSERT INTO office_settings (office_id, key, value, updated_at) VALUES (1, 'x', '1', now())"
        )
        assert "permission denied" in _refused(conn, "UPDATE bookings SET nik = NULL, applicant_name = NULL")
        assert "permission denied" in _refused(conn, "UPDATE pickups SET status = 'approved'")
        assert "may not move a waiting ticket" in _refused(
            conn, "UPDATE tickets SET front = true WHERE number = %s", waiting.number
        )
        assert "needs the role supervisor" in _refused(
            conn, "UPDATE tickets SET priority_level = 99 WHERE number = %s", waiting.number
        )
        # The event log: no rewriting, no chosen sequence, no other officer's name.
        assert "permission denied" in _refused(conn, "UPDATE events SET reason = 'x'")
        before = conn.execute("SELECT value FROM counters WHERE name = 'events'").fetchone()
        assert before is not None
        seq, user_id = conn.execute(
            "INSERT INTO events (seq, office_id, kind, user_id, data, created_at) "
            "VALUES (999999, 1, 'called', %s, '{}', now()) RETURNING seq, user_id",
            (kasi_id[0] if kasi_id else None,),
        ).fetchone() or (None, None)
        assert (seq, user_id) == (before[0] + 1, own_id[0] if own_id else None)
        assert "permission denied" in _refused(conn, "UPDATE counters SET value = value + 10")
        # Nobody but the owner touches triggers or the schema.
        assert "must be owner" in _refused(conn, "ALTER TABLE events DISABLE TRIGGER cd_events_stamp")
        assert "must be owner" in _refused(conn, "DROP TRIGGER cd_tickets_guard ON tickets")
        assert "permission denied" in _refused(conn, "SET session_replication_role = replica")
        # ... and what the role may do, it may: call the waiting ticket -- recorded, or not at all.
        call = (
            "UPDATE tickets SET status = 'called', called_at = now(), "
            "station_id = (SELECT id FROM stations WHERE code = 'interview-1') WHERE number = %s RETURNING id"
        )
        unrecorded = pytest.raises(psycopg.errors.InsufficientPrivilege, match="without recording it in the event log")
        with unrecorded, conn.transaction():
            conn.execute(call, (waiting.number,))
        with conn.transaction():
            row = conn.execute(call, (waiting.number,)).fetchone()
            conn.execute(
                "INSERT INTO events (office_id, kind, ticket_id, number, from_status, to_status, stage_id, station_id,"
                " data, created_at) SELECT 1, 'called', t.id, t.number, 'waiting', 'called', t.stage_id, t.station_id,"
                " '{}', now() FROM tickets t WHERE t.id = %s",
                (row[0] if row else None,),
            )


def test_display_reads_numbers_but_no_names_niks_or_hashes(office: Office) -> None:
    with psycopg.connect(office.login("counter_desk_display", DISPLAY_PASSWORD), autocommit=True) as conn:
        for statement in (
            "SELECT password_hash FROM users",
            "SELECT username FROM users",
            "SELECT id FROM users",
            "SELECT nik FROM bookings",
            "SELECT applicant_name FROM bookings",
            "SELECT recipient_name FROM pickups",
            "SELECT * FROM audit_log",
            "SELECT reason FROM events",
            "INSERT INTO events (office_id, kind, data, created_at) VALUES (1, 'called', '{}', now())",
        ):
            assert "permission denied" in _refused(conn, statement)
        # Not one table of the schema, not even one column of one.
        for table in sorted(schema.metadata.tables):
            assert "permission denied" in _refused(conn, f"SELECT 1 FROM {table} LIMIT 1")
            held = conn.execute(
                "SELECT has_table_privilege(%s, 'SELECT'), has_any_column_privilege(%s, 'SELECT')", (table, table)
            ).fetchone()
            assert held == (False, False), table
        for view in display_views.ALL:  # each view readable, with only the columns the store layer names
            cur = conn.execute(f"SELECT * FROM {view.name}")
            assert [c.name for c in cur.description or ()] == list(view.c.keys())
        assert conn.execute("SELECT count(*) FROM display_events").fetchone() is not None
        assert conn.execute("SELECT code FROM display_stations").fetchall()
        assert conn.execute("SELECT name, timezone FROM display_offices").fetchall()


def test_station_pc_config_alone_is_refused_with_a_clear_message(
    office: Office, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a thief of the station's config can do through the program: nothing but fail, in one line."""
    monkeypatch.setenv("COUNTER_DESK_DB_URL", office.station_url)  # the station's configured sign-in role
    monkeypatch.setattr("sys.stdin", io.StringIO("mallory-pass-1\n"))
    add = ["users", "add", "mallory", "--name", "Mallory", "--roles", "admin,supervisor", "--password-stdin"]
    assert main(add) == 8
    err = capsys.readouterr().err
    assert err.startswith("error: the database refused this: permission denied")
    assert len(err.strip().splitlines()) == 1
    for argv in (
        ["users", "roles", "penerimaan1", "--add", "admin"],
        ["users", "unlock", "kasi"],
        ["purge"],
        ["rules", "set", "lockout_attempts", "100"],
    ):
        assert main(argv) == 8, argv
        assert "the database refused this" in capsys.readouterr().err


def test_a_modified_client_as_an_officer_is_stopped_by_the_database(office: Office) -> None:
    """The services' own role checks skipped (``actor=None``, as a patched program would): PostgreSQL refuses."""
    ivan = _officer(office, "wawancara1")
    clock = FixedClock(MONDAY_9)
    try:
        with pytest.raises(DatabaseRefused, match="wawancara1 may not add officers: it needs the role admin"):
            auth.add_user(ivan, "mallory", "Mallory", ["admin"], password="mallory-pass-1")
        with pytest.raises(DatabaseRefused, match="needs the role admin"):
            auth.set_roles(ivan, "penerimaan1", add=["admin"])
        with pytest.raises(DatabaseRefused, match="set another officer's password"):
            auth.set_password(ivan, "kasi", "stolen-pass-1")
        with pytest.raises(DatabaseRefused, match="permission denied"):
            retention.purge(ivan, dry_run=False, clock=clock)
        with pytest.raises(DatabaseRefused, match="permission denied"):
            rules.update(ivan, None, {"lockout_attempts": 100}, clock=clock)
        owner = Database.connect(office.owner_url)
        number = QueueService(owner, clock=clock).check_in(walk_in="elderly", station="reception-1").ticket.number
        owner.dispose()
        with pytest.raises(DatabaseRefused, match="may not move a waiting ticket"):
            QueueService(ivan, clock=clock).transfer("adjudication", ticket=number, reason="calo")
        with ivan.read() as session:
            assert session.execute(text("SELECT count(*) FROM users WHERE username = 'mallory'")).scalar() == 0
    finally:
        ivan.dispose()


def test_officers_work_as_themselves_and_the_database_names_them(office: Office) -> None:
    clock = FixedClock(MONDAY_9 + dt.timedelta(minutes=5))
    rita = _officer(office, "penerimaan1")
    ivan = _officer(office, "wawancara1")
    try:
        # The client names nobody (user=None): the events still carry the officer, from the session.
        issued = QueueService(rita, clock=clock).check_in(walk_in="lost", station="reception-1", user=None)
        called = QueueService(ivan, clock=clock).call_next("interview-2", user=None)
        assert called.ticket.status == "called"
        with ivan.read() as session:
            rows = session.execute(
                text(
                    "SELECT e.kind, u.username FROM events e JOIN users u ON u.id = e.user_id "
                    "WHERE e.seq IN (:a, :b) ORDER BY e.seq"
                ),
                {"a": issued.event_seq, "b": called.event_seq},
            ).all()
        assert [tuple(r) for r in rows] == [("checked_in", "penerimaan1"), ("called", "wawancara1")]
        # A supervisor may move a waiting ticket; the audit names who, whatever the client wrote.
        kasi = _officer(office, "kasi")
        try:
            waiting = QueueService(rita, clock=clock).check_in(walk_in="elderly", station="reception-1")
            QueueService(kasi, clock=clock).transfer("adjudication", ticket=waiting.ticket.number, reason="berkas")
            added = auth.add_user(kasi, f"o{uuid.uuid4().hex[:6]}", "New Officer", ["pickup"], password="new-pass-123")
            with kasi.read() as session:
                last = session.execute(text("SELECT kind, username FROM audit_log ORDER BY id DESC LIMIT 1")).one()
            assert tuple(last) == ("user_added", "kasi")
            assert added.has_password
        finally:
            kasi.dispose()
    finally:
        rita.dispose()
        ivan.dispose()


def test_five_wrong_passwords_lock_the_officer_on_postgresql(office: Office) -> None:
    owner = Database.connect(office.owner_url)
    name = f"l{uuid.uuid4().hex[:6]}"
    auth.add_user(owner, name, "Locked Out", ["reception"], password="right-pass-123")
    message = auth.signin_failed_message()
    for _ in range(5):
        with pytest.raises(auth.SignInFailed) as info:
            auth.connect_officer(office.station_url, name, "wrong-pass-123", "reception-1")
        assert info.value.message == message
    # Locked: the right password is refused too, with the very message an unknown name gets.
    with pytest.raises(auth.SignInFailed) as locked:
        auth.connect_officer(office.station_url, name, "right-pass-123", "reception-1")
    with pytest.raises(auth.SignInFailed) as unknown:
        auth.connect_officer(office.station_url, "nobody-here", "right-pass-123", "reception-1")
    assert locked.value.message == unknown.value.message == message
    # Also for psql: PostgreSQL itself refuses the locked login.
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(office.login(name, "right-pass-123")).close()
    with owner.read() as session:
        kinds = session.execute(
            text("SELECT kind, detail->>'reason' FROM audit_log WHERE username = :n ORDER BY id"), {"n": name}
        ).all()
    assert [k for k, _ in kinds].count("signin_failed") == 5
    assert kinds[-1] == ("signin_refused", "locked")
    # An administrator unlocks: the officer signs in, and the sign-in is recorded.
    auth.unlock(owner, name)
    officer, db = auth.sign_in_postgres(office.station_url, name, "right-pass-123", "reception-1", roles=["reception"])
    db.dispose()
    assert officer.username == name
    # A lockout that has run out (locked_until passed, the login still refused) lifts itself at the next sign-in.
    expired = "UPDATE users SET locked_until = now() - interval '1 minute' WHERE username = :n"
    with owner.write() as session:
        session.execute(text(expired), {"n": name})
        session.execute(text(f"ALTER ROLE {name} VALID UNTIL '-infinity'"))
    auth.connect_officer(office.station_url, name, "right-pass-123", "reception-1").dispose()
    owner.dispose()


def test_cli_user_signs_in_with_pgpassword_and_db_roles_stays_idempotent(
    office: Office, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PGPASSWORD", PASSWORDS["wawancara1"])
    assert main(["users", "roles", "wawancara1", "--db", office.station_url, "--user", "wawancara1"]) == 0
    capsys.readouterr()
    monkeypatch.setenv("PGPASSWORD", "not-the-password")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["users", "roles", "wawancara1", "--db", office.station_url, "--user", "wawancara1"]) == 9
    assert auth.signin_failed_message() in capsys.readouterr().err
    owner = Database.connect(office.owner_url)
    auth.unlock(owner, "wawancara1")  # forget the failure above for the other tests
    owner.dispose()
    assert main(["db", "roles", "--db", office.owner_url, "--apply"]) == 0
    assert main(["db", "roles", "--db", office.owner_url, "--apply", "--retire-app-role"]) == 0
    assert "in step" in capsys.readouterr().out


def test_db_password_on_the_command_line_is_warned_about(office: Office, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "current", "--db", office.station_url]) == 0
    err = capsys.readouterr().err
    assert "visible to every user of this PC" in err
    assert "PGPASSFILE" in err
    assert STATION_PASSWORD not in err


def test_station_window_sign_in_opens_the_officers_own_connection(office: Office, qtbot: Any) -> None:
    """The sign-in dialog on a PostgreSQL office: says which station it opens, speaks Indonesian (Qt's Cancel
    too), refuses a wrong password with the one message, and hands the window the officer's own connection."""
    from counter_desk import i18n
    from counter_desk.views.app import application
    from counter_desk.views.signin import SignInDialog

    application("id")
    i18n.set_language("id")
    gate = Desk.open(office.station_url)
    signin = SignInDialog(gate, station="interview-2", station_name="Wawancara 2", url=office.station_url)
    qtbot.addWidget(signin.dialog)
    signin.dialog.show()
    assert "Wawancara 2" in signin.heading.text()
    assert signin.cancel.text() == "Batal"
    try:
        signin.username.setText("wawancara1")
        signin.password.setText("not-the-password")
        signin.submit()
        qtbot.waitUntil(lambda: signin.error.isVisible() and not signin.busy, timeout=10000)
        assert signin.error.text().startswith("gagal masuk")
        signin.password.setText(PASSWORDS["wawancara1"])
        signin.submit()
        qtbot.waitUntil(lambda: signin.officer is not None, timeout=10000)
        assert signin.desk is not gate
        assert signin.desk.url.username == "wawancara1"
        assert signin.desk(_session_user) == "wawancara1"
    finally:
        signin.close()
        if signin.desk is not gate:
            signin.desk.close()
        gate.close()
        owner = Database.connect(office.owner_url)
        auth.unlock(owner, "wawancara1")  # forget the wrong password for the other tests
        owner.dispose()


def _session_user(db: Database) -> str:
    with db.read() as session:
        return str(session.execute(text("SELECT session_user")).scalar())


def _call_until(queue: QueueService, station: str, number: str) -> None:
    """Call at ``station`` until ``number`` comes (earlier tests of this module left others waiting)."""
    for _ in range(6):
        if queue.call_next(station).ticket.number == number:
            return
        queue.finish(station)
    pytest.fail(f"{number} never came to {station}")


def test_an_application_through_the_office_each_step_by_its_own_officer(office: Office) -> None:
    """The grants are enough for the real work: every stage's officer, on their own login, does their step; and
    reception cannot take over an adjudication."""
    from conftest import booking_code

    from counter_desk.services.pickups import PickupService

    clock = FixedClock(MONDAY_9 + dt.timedelta(minutes=30))
    logins = {name: _officer(office, name) for name in ("penerimaan1", "wawancara1", "ajudikator", "pengambilan")}
    rita, ivan, adi, pick = logins.values()
    try:
        number = QueueService(rita, clock=clock).check_in(booking_code(3)).ticket.number
        interview = QueueService(ivan, clock=clock)
        _call_until(interview, "interview-3", number)
        interview.transfer("adjudication", station="interview-3")
        code = PickupService(ivan, clock=clock).issue(number).pickup.code
        with pytest.raises(DatabaseRefused, match="penerimaan1 may not act on tickets at the adjudication stage"):
            QueueService(rita, clock=clock).call_next("adjudicator")
        adjudication = QueueService(adi, clock=clock)
        _call_until(adjudication, "adjudicator", number)
        adjudication.finish("adjudicator", outcome="approved")
        friday = FixedClock(dt.datetime(2026, 11, 27, 3, 0, tzinfo=dt.UTC))
        counter = PickupService(pick, clock=friday)
        assert counter.scan(code, "pickup").result.ticket.status == "called"
        done = counter.handover("pickup", "applicant")
        assert done.result.ticket.outcome == "handed_over"
        with pick.read() as session:
            who = (
                session.execute(
                    text(
                        "SELECT u.username FROM events e JOIN users u ON u.id = e.user_id"
                        " JOIN tickets t ON t.id = e.ticket_id WHERE t.number = :n AND t.day = :d ORDER BY e.seq"
                    ),
                    {"n": number, "d": MONDAY_9.date()},
                )
                .scalars()
                .all()
            )
        assert who[0] == "penerimaan1" and "wawancara1" in who and who[-1] == "ajudikator"
    finally:
        for db in logins.values():
            db.dispose()


def test_a_temporary_table_cannot_stand_in_for_ours_in_the_definer_functions(office: Office) -> None:
    """SECURITY DEFINER functions name pg_temp last in their search_path: an officer's temporary ``counters``
    (were temporary tables allowed: they are not) would not pick the event's number."""
    with psycopg.connect(office.login("wawancara1", PASSWORDS["wawancara1"]), autocommit=True) as conn:
        assert "permission denied" in _refused(conn, "CREATE TEMP TABLE counters (name text, value bigint)")
    with admin_connect(office.owner_url) as owner:
        owner.execute("GRANT TEMPORARY ON DATABASE office TO wawancara1")
    try:
        with psycopg.connect(office.login("wawancara1", PASSWORDS["wawancara1"]), autocommit=True) as conn:
            conn.execute("CREATE TEMP TABLE counters (name text, value bigint)")
            conn.execute("INSERT INTO counters VALUES ('events', 1000000)")
            real = conn.execute("SELECT value FROM public.counters WHERE name = 'events'").fetchone()
            row = conn.execute(
                "INSERT INTO events (office_id, kind, data, created_at) VALUES (1, 'called', '{}', now()) RETURNING seq"
            ).fetchone()
            assert real is not None and row is not None
            assert row[0] == real[0] + 1
    finally:
        with admin_connect(office.owner_url) as owner:
            owner.execute("REVOKE TEMPORARY ON DATABASE office FROM wawancara1")


def test_the_supervisor_and_admin_do_their_work_on_their_own_login(office: Office) -> None:
    """kasi (supervisor and admin): rules, a holiday, a bookings import, moving and releasing tickets, officers,
    the purge -- all through kasi's own connection, every audit row in kasi's name."""
    from counter_desk.services import bookings
    from counter_desk.services.dashboard import Supervision

    clock = FixedClock(MONDAY_9 + dt.timedelta(hours=1))
    kasi = _officer(office, "kasi")
    try:
        with kasi.read() as session:
            before = session.execute(text("SELECT max(id) FROM audit_log")).scalar()
        rules.update(kasi, None, {"lockout_minutes": 20}, user="kasi", clock=clock)
        calendar.set_holiday(kasi, None, dt.date(2026, 12, 25), "Natal", user="kasi", clock=clock)
        data = b'[{"code": "SUP-0001", "application_number": "9000000001", "category": "booked",'
        data += b' "name": "Budi Santoso", "nik": "3505010101010001", "slot_date": "2026-11-24"}]'
        report = bookings.import_bookings(kasi, data, user="kasi", clock=clock)
        assert report.to_json()
        queue = QueueService(kasi, clock=clock)
        number = queue.check_in(walk_in="elderly", station="reception-2", user="kasi").ticket.number
        supervision = Supervision(queue, "kasi")
        supervision.move(number, "adjudication", "berkas lengkap")
        queue.check_in(walk_in="elderly", station="reception-2", user="kasi")
        queue.call_next("interview-4", user="kasi")
        supervision.release("interview-4", "petugas istirahat")
        auth.set_roles(kasi, "pengambilan", add=["reception"], actor="kasi", clock=clock)
        auth.set_roles(kasi, "pengambilan", remove=["reception"], actor="kasi", clock=clock)
        retention.purge(kasi, dry_run=False, user="kasi", clock=clock)
        with kasi.read() as session:
            names = (
                session.execute(
                    text("SELECT DISTINCT username FROM audit_log WHERE id > :before"),
                    {"before": before},
                )
                .scalars()
                .all()
            )
        assert names == ["kasi"]
    finally:
        kasi.dispose()


def test_windows_work_through_the_officers_own_connection(office: Office, qtbot: Any) -> None:
    """A booth window (with its live listener) and the supervisor window load everything they show through the
    officer's login: the grants cover what the windows read."""
    from counter_desk.views.app import application
    from counter_desk.views.station import StationWindow
    from counter_desk.views.supervisor import SupervisorWindow

    application("en")
    clock = FixedClock(MONDAY_9 + dt.timedelta(hours=2))
    ivan, kasi = _officer(office, "wawancara1"), _officer(office, "kasi")
    windows: list[Any] = []
    try:
        booth = StationWindow(Desk(ivan), "interview-4", clock=clock, user="wawancara1")
        windows.append(booth)
        qtbot.addWidget(booth)
        booth.show()
        qtbot.waitUntil(lambda: booth._snapshot is not None, timeout=10000)
        supervisor = SupervisorWindow(Desk(kasi), clock=clock, user="kasi", live=False)
        windows.append(supervisor)
        qtbot.addWidget(supervisor)
        supervisor.show()
        qtbot.waitUntil(
            lambda: supervisor._dashboard is not None and supervisor.rules_tab.rules is not None, timeout=10000
        )
    finally:
        for window in windows:
            window.close()
        ivan.dispose()
        kasi.dispose()


def test_display_program_runs_on_the_views_alone(office: Office) -> None:
    """The TV's whole read path (start-up, the live feed, the waiting counts) as the display role."""
    owner = Database.connect(office.owner_url)
    clock = FixedClock(MONDAY_9)
    queue = QueueService(owner, clock=clock)
    try:
        queue.check_in(walk_in="elderly", station="reception-1")
        # A booth free to call (this module's office is shared by its tests).
        booths = queue.status(stage="interview").stations
        booth = next(s.code for s in booths if s.ticket is None and not s.pause_reason)
        display = Database.connect(
            make_url(office.owner_url).set(username="counter_desk_display", password=DISPLAY_PASSWORD)
        )
        try:
            migrate.ensure_schema(display, auto_upgrade=False)  # what every program checks at start-up
            tv = QueueService(display, clock=clock)
            state = display_service.load_state(tv)
            called = queue.call_next(booth)
            state = state.apply(display_service.read_events(tv, state.last_seq, 100))
            assert state.current is not None and state.current.number == called.ticket.number
            assert state.last_seq == called.event_seq
            assert display_service.read_estimates(tv) == queue.estimates()  # the counts and waits the officers see
            queue.finish(booth)
        finally:
            display.dispose()
    finally:
        owner.dispose()

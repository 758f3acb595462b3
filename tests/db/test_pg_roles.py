"""Least-privilege PostgreSQL roles: the stations' role cannot rewrite the logs, the display's cannot write."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from counter_desk.cli import main
from counter_desk.clock import FixedClock
from counter_desk.services import display as display_service
from counter_desk.services.queue import QueueService
from counter_desk.store import display_views, migrate, roles
from counter_desk.store.engine import Database


def _as(url: str, role: str) -> str:
    return make_url(url).set(username=role, password=None).render_as_string(hide_password=False)


def test_display_role_reads_the_queue_but_writes_nothing(
    pg_url: str, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    display_role = f"cd_display_{uuid.uuid4().hex[:8]}"
    assert main(["db", "roles", "--db", pg_url, "--display-role", display_role, "--apply"]) == 0
    assert display_role in capsys.readouterr().out

    owner = Database.connect(pg_url)
    queue = QueueService(owner, clock=clock)
    queue.check_in(walk_in="elderly", station="reception-1")
    queue.call_next("interview-1")
    owner.dispose()

    display = Database.connect(_as(pg_url, display_role))
    tv = QueueService(display, clock=clock)
    state = display_service.load_state(tv)  # what the TV window reads
    assert state.current is not None
    assert [e.kind for e in display_service.read_events(tv, 0, 100)][-2:] == ["checked_in", "called"]
    assert [e.stage for e in display_service.read_estimates(tv)] == ["reception", "interview", "adjudication", "pickup"]
    with pytest.raises(Exception, match="permission denied"):
        tv.events()  # the log itself, with who acted and why: not for the TV
    with pytest.raises(Exception, match="permission denied"):
        QueueService(display, clock=clock).check_in(walk_in="elderly", station="reception-1")
    for statement in ("SELECT nik FROM bookings", "SELECT password_hash FROM users", "DELETE FROM events"):
        with pytest.raises(Exception, match="permission denied"), display.read() as s:
            s.execute(text(statement))
    display.dispose()


def test_roles_refuse_odd_names_and_sqlite(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "roles", "--display-role", "tv; DROP TABLE events"]) == 2
    assert "not a plain role name" in capsys.readouterr().err
    if db_url.startswith("sqlite"):
        assert main(["db", "roles", "--db", db_url, "--apply"]) == 2
        assert "PostgreSQL" in capsys.readouterr().err


def test_printed_sql_runs_in_psql_form(pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """What `db roles` prints (for a DBA's psql) is valid SQL as a whole script."""
    assert main(["db", "roles"]) == 0
    script = capsys.readouterr().out
    plain = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(script)  # type: ignore[call-overload]
        granted = conn.execute(
            "SELECT privilege_type FROM information_schema.role_table_grants "
            "WHERE grantee = 'cd_reception' AND table_name = 'events' ORDER BY 1"
        ).fetchall()
    assert [g for (g,) in granted] == ["INSERT", "SELECT"]


def _privileges(conn: psycopg.Connection[Any], role: str) -> list[tuple[str, str]]:
    """What ``role`` holds on tables and columns of the public schema (not through PUBLIC), sorted."""
    rows = conn.execute(
        "SELECT c.relname, a.privilege_type FROM pg_class c, aclexplode(c.relacl) a"
        " WHERE c.relnamespace = 'public'::regnamespace AND a.grantee = %s::regrole"
        " UNION SELECT c.relname || '.' || att.attname, a.privilege_type FROM pg_class c"
        " JOIN pg_attribute att ON att.attrelid = c.oid, aclexplode(att.attacl) a"
        " WHERE c.relnamespace = 'public'::regnamespace AND a.grantee = %s::regrole ORDER BY 1, 2",
        (role, role),
    ).fetchall()
    return [(name, privilege) for name, privilege in rows]


def test_roles_apply_takes_the_old_table_grants_back_from_the_display(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A display role set up by an earlier version (tables, users' names) reads only the views after `db roles`."""
    role = f"cd_display_{uuid.uuid4().hex[:8]}"
    plain = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN")
        conn.execute(f"GRANT SELECT ON events, tickets, stations, stages, offices, office_settings TO {role}")
        conn.execute(f"GRANT SELECT (id, office_id, username) ON users TO {role}")
    for _ in range(2):  # idempotent: the second run changes nothing
        assert main(["db", "roles", "--db", pg_url, "--display-role", role, "--apply"]) == 0
        capsys.readouterr()
        with psycopg.connect(plain, autocommit=True) as conn:
            assert _privileges(conn, role) == [(name, "SELECT") for name in sorted(roles.DISPLAY_READS)]


def test_upgrade_to_the_display_views_carries_the_grants(pg_url: str) -> None:
    """Between `db upgrade` and the next `db roles --apply` the TV and the officers keep working: migration 0009
    gives the new views to whoever read the log or the old views, and takes the tables from the display role."""
    tv, officers = f"cd_tv_{uuid.uuid4().hex[:8]}", f"cd_grp_{uuid.uuid4().hex[:8]}"
    db = Database.connect(pg_url)
    try:
        migrate.downgrade(db, "0008")
        plain = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f"CREATE ROLE {tv} LOGIN; CREATE ROLE {officers} NOLOGIN")
            conn.execute(f"GRANT SELECT ON alembic_version, events, tickets, display_calls TO {tv}")
            conn.execute(f"GRANT SELECT (id, office_id, username) ON users TO {tv}")
            conn.execute(f"GRANT SELECT ON events, tickets, bookings TO {officers}")
        migrate.upgrade(db)
        with psycopg.connect(plain, autocommit=True) as conn:
            assert _privileges(conn, tv) == [(name, "SELECT") for name in sorted(roles.DISPLAY_READS)]
            views = [(name, "SELECT") for name in display_views.VIEWS]
            kept = [("bookings", "SELECT"), ("events", "SELECT"), ("tickets", "SELECT")]
            assert _privileges(conn, officers) == sorted([*kept, *views])
        migrate.downgrade(db, "0008")  # and back: the old views again, for whoever reads the log
        with psycopg.connect(plain, autocommit=True) as conn:
            names = [name for name, _ in _privileges(conn, officers)]
            assert {"display_calls", "display_stations", "display_waiting"} <= set(names)
            assert not (set(display_views.VIEWS) - {"display_stations"}) & set(names)  # gone with 0009's views
        migrate.upgrade(db)
    finally:
        db.dispose()

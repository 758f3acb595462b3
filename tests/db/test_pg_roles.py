"""Least-privilege PostgreSQL roles: the stations' role cannot rewrite the logs, the display's cannot write."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from counter_desk.cli import main
from counter_desk.clock import FixedClock
from counter_desk.services import display as display_service
from counter_desk.services.queue import QueueService
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
    state = display_service.load_state(QueueService(display, clock=clock))  # what the TV window reads
    assert state.current is not None
    assert [e.kind for e in QueueService(display, clock=clock).events()][-2:] == ["checked_in", "called"]
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

"""Least-privilege PostgreSQL roles: the stations' role cannot rewrite the logs, the display's cannot write."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from counter_desk.cli import main
from counter_desk.clock import FixedClock
from counter_desk.services.queue import QueueService
from counter_desk.store.engine import Database


def _as(url: str, role: str) -> str:
    return make_url(url).set(username=role, password=None).render_as_string(hide_password=False)


def test_app_role_serves_but_cannot_rewrite_history_and_display_only_reads(
    pg_url: str, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    suffix = uuid.uuid4().hex[:8]
    app_role, display_role = f"cd_app_{suffix}", f"cd_display_{suffix}"
    assert main(["db", "roles", "--db", pg_url, "--app-role", app_role, "--display-role", display_role, "--apply"]) == 0
    assert app_role in capsys.readouterr().out

    app = Database.connect(_as(pg_url, app_role))
    queue = QueueService(app, clock=clock)
    ticket = queue.check_in(walk_in="elderly", station="reception-1").ticket
    queue.call_next("interview-1")
    assert queue.ticket(ticket.number).status == "called"
    for statement in (
        "UPDATE events SET reason = 'x'",
        "DELETE FROM events",
        "TRUNCATE events",
        "DELETE FROM audit_log",
    ):
        with pytest.raises(Exception, match="permission denied"), app.write() as s:
            s.execute(text(statement))
    app.dispose()

    display = Database.connect(_as(pg_url, display_role))
    status = QueueService(display, clock=clock).status(stage="interview")
    assert status is not None
    assert [e.kind for e in QueueService(display, clock=clock).events()][-2:] == ["checked_in", "called"]
    with pytest.raises(Exception, match="permission denied"):
        QueueService(display, clock=clock).check_in(walk_in="elderly", station="reception-1")
    display.dispose()


def test_roles_refuse_odd_names_and_sqlite(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "roles", "--app-role", "app; DROP TABLE events"]) == 2
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
            "WHERE grantee = 'counter_desk_app' AND table_name = 'events' ORDER BY 1"
        ).fetchall()
    assert [g for (g,) in granted] == ["INSERT", "SELECT"]

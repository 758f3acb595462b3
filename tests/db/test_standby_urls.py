"""Multi-host URLs and a server that turned read-only: what every client needs to follow a promoted standby."""

from __future__ import annotations

import pytest
from conftest import booking_code
from sqlalchemy import text
from sqlalchemy.engine import make_url

from counter_desk.errors import DatabaseUnavailable
from counter_desk.live.wakeup import PostgresWakeup
from counter_desk.services.queue import QueueService
from counter_desk.store.engine import Database, libpq_params, normalise_url, safe_url


def test_libpq_multi_host_form_becomes_read_write_hosts() -> None:
    url = normalise_url("postgresql://officer:secret@pc1:5432,pc2:5433/office?sslmode=prefer")
    assert url.query["host"] == ("pc1:5432", "pc2:5433")
    assert url.query["target_session_attrs"] == "read-write"
    params = libpq_params(url)
    assert {k: params[k] for k in ("host", "port", "user", "dbname", "sslmode", "target_session_attrs")} == {
        "host": "pc1,pc2",
        "port": "5432,5433",
        "user": "officer",
        "dbname": "office",
        "sslmode": "prefer",
        "target_session_attrs": "read-write",
    }
    # An office that wants otherwise says so; one host stays as it was.
    assert (
        normalise_url("postgresql://u@/o?host=a:1&host=b:2&target_session_attrs=any").query["target_session_attrs"]
        == "any"
    )
    assert "target_session_attrs" not in normalise_url("postgresql://u@pc1/office").query
    assert safe_url("postgresql://officer:secret@pc1:5432,pc2:5433/office") == (
        "postgresql://officer:***@/office?host=pc1%3A5432&host=pc2%3A5433"
    )


def test_a_dead_first_host_is_skipped(pg_url: str, clock: object) -> None:
    """The first host refuses connections (a dead primary): actions and the listener reach the second."""
    real = make_url(pg_url)
    url = f"postgresql://{real.username}@127.0.0.1:1,{real.host}:{real.port}/{real.database}"
    db = Database.connect(url)
    try:
        queue = QueueService(db, clock=clock)  # type: ignore[arg-type]
        assert queue.check_in(booking_code(1)).ticket.number
        listener = PostgresWakeup(url)
        try:
            listener.ping()
        finally:
            listener.close()
    finally:
        db.dispose()


def test_a_server_that_turned_read_only_is_unavailable_and_recycles_the_pool(pg_url: str, clock: object) -> None:
    """SQLSTATE 25006 (what a standby answers a write) says "not saved, try again", and no pooled connection to
    that server is used again."""
    db = Database.connect(pg_url)
    try:
        queue = QueueService(db, clock=clock)  # type: ignore[arg-type]
        queue.status(station="interview-1")  # a pooled connection
        with db.engine.connect() as conn:
            conn.execute(
                text("ALTER DATABASE " + str(make_url(pg_url).database) + " SET default_transaction_read_only = on")
            )
            conn.commit()
        db.engine.dispose()  # new sessions pick the setting up, as connections to a demoted server would
        queue.status(station="interview-1")
        with db.engine.connect() as conn:
            before = conn.connection.dbapi_connection
        with pytest.raises(DatabaseUnavailable):
            queue.check_in(booking_code(1))
        with db.engine.connect() as conn:
            assert conn.connection.dbapi_connection is not before  # the pool was recycled
    finally:
        db.dispose()

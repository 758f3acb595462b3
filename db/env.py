"""Alembic environment for Counter Desk. Run through ``counter-desk db upgrade`` (counter_desk.store.migrate),
which hands over an open connection; ``alembic -x url=...`` from this folder works too."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from counter_desk.store import schema
from counter_desk.store.engine import make_engine

config = context.config
target_metadata = schema.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        compare_server_default=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        msg = "no database: pass -x url=... or run through 'counter-desk db upgrade'"
        raise SystemExit(msg)
    engine = make_engine(url)
    with engine.connect() as conn:
        _run(conn)
        conn.commit()
    engine.dispose()


if context.is_offline_mode():
    msg = "offline (SQL script) migrations are not supported; run against a database"
    raise SystemExit(msg)
run_migrations_online()

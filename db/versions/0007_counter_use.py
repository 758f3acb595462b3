"""the counter under real use: hold, pause, no-show grace, pickup delay per category (issue 14)

- tickets may be ``parked`` (set aside at their booth); events ``parked``, ``resumed``, ``station_paused``,
  ``station_resumed``: the two CHECK constraints widen;
- ``station_pauses``: a booth's pause with its reason, at most one open per station;
- ``bookings.birth_date``: what reception checks against the identity card.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 11:45:00
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD_STATUSES = ("called", "done", "no_show", "serving", "waiting")
_NEW_STATUSES = (*_OLD_STATUSES, "parked")
_OLD_KINDS = ("called", "checked_in", "finished", "no_show", "recalled", "returned", "started", "transferred")
_NEW_KINDS = (*_OLD_KINDS, "parked", "resumed", "station_paused", "station_resumed")


def _in(values: Sequence[str]) -> str:
    return ", ".join(f"'{v}'" for v in sorted(values))


def _set_check(table: str, name: str, column: str, values: Sequence[str]) -> None:
    """Make CHECK constraint ``name`` read ``column IN (values)``.

    PostgreSQL: drop and add. SQLite cannot alter a constraint; rebuilding ``tickets`` or ``events`` (batch mode)
    would drop their triggers and fight the foreign keys that point at them, so the table's stored definition is
    edited in place, as SQLite documents for changes that leave the stored rows valid ("Making Other Kinds Of
    Table Schema Changes", sqlite.org/lang_altertable.html): only the list of allowed values changes.
    """
    bind = op.get_bind()
    check = f"{column} IN ({_in(values)})"
    if bind.dialect.name == "postgresql":
        op.drop_constraint(op.f(name), table, type_="check")
        op.create_check_constraint(op.f(name), table, check)
        return
    sql = bind.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"), {"t": table})
    definition = sql.scalar_one()
    pattern = re.compile(rf"CONSTRAINT {name} CHECK \({column} IN \([^)]*\)\)")
    if len(pattern.findall(definition)) != 1:
        msg = f"{table}: constraint {name} not found as expected in {definition!r}"
        raise RuntimeError(msg)
    changed = pattern.sub(f"CONSTRAINT {name} CHECK ({check})", definition)
    version = bind.execute(sa.text("PRAGMA schema_version")).scalar_one()
    bind.execute(sa.text("PRAGMA writable_schema = ON"))
    bind.execute(
        sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = :t"), {"sql": changed, "t": table}
    )
    bind.execute(sa.text(f"PRAGMA schema_version = {int(version) + 1}"))
    bind.execute(sa.text("PRAGMA writable_schema = OFF"))


def upgrade() -> None:
    _set_check("tickets", "ck_tickets_status", "status", _NEW_STATUSES)
    _set_check("events", "ck_events_kind", "kind", _NEW_KINDS)
    with op.batch_alter_table("bookings") as batch:
        batch.add_column(sa.Column("birth_date", sa.Date(), nullable=True))
    op.create_table(
        "station_pauses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_by", sa.Integer(), nullable=True),
        sa.Column("ended_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"], name=op.f("fk_station_pauses_office_id_offices")),
        sa.ForeignKeyConstraint(["station_id"], ["stations.id"], name=op.f("fk_station_pauses_station_id_stations")),
        sa.ForeignKeyConstraint(["started_by"], ["users.id"], name=op.f("fk_station_pauses_started_by_users")),
        sa.ForeignKeyConstraint(["ended_by"], ["users.id"], name=op.f("fk_station_pauses_ended_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_station_pauses")),
    )
    op.create_index(
        "uq_station_pauses_open",
        "station_pauses",
        ["station_id"],
        unique=True,
        postgresql_where=sa.text("ended_at IS NULL"),
        sqlite_where=sa.text("ended_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_station_pauses_open", table_name="station_pauses")
    op.drop_table("station_pauses")
    with op.batch_alter_table("bookings") as batch:
        batch.drop_column("birth_date")
    # Rows in the new states or of the new kinds would violate the narrower constraints: refuse rather than
    # rewrite the append-only log (SQLite would not check the stored rows itself).
    bind = op.get_bind()
    new_statuses = sa.bindparam("statuses", [v for v in _NEW_STATUSES if v not in _OLD_STATUSES], expanding=True)
    new_kinds = sa.bindparam("kinds", [v for v in _NEW_KINDS if v not in _OLD_KINDS], expanding=True)
    used = bind.execute(
        sa.text(
            "SELECT (SELECT count(*) FROM tickets WHERE status IN :statuses)"
            " + (SELECT count(*) FROM events WHERE kind IN :kinds)"
        ).bindparams(new_statuses, new_kinds)
    ).scalar_one()
    if used:
        msg = "tickets were parked or stations paused: the event log needs revision 0007; not downgrading"
        raise RuntimeError(msg)
    _set_check("events", "ck_events_kind", "kind", _OLD_KINDS)
    _set_check("tickets", "ck_tickets_status", "status", _OLD_STATUSES)

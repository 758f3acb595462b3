"""hash chain over the event log and the audit log (issue 17)

Each row of ``events`` and ``audit_log`` gets its place in its office's chain and the SHA-256 of the previous
row's hash and its own contents (counter_desk.store.chain). Existing rows are chained oldest first; from then on
the ``zz_chain_<table>`` triggers chain every insert.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 11:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from counter_desk.store import chain

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = {"events": "events", "audit_log": "audit_log"}


def _sqlite_append_only(table: str, *, chained: bool) -> list[str]:
    # SQLite's chain trigger fills the new row with an UPDATE: a row not yet chained may be updated, once.
    when = " WHEN OLD.chain_seq IS NOT NULL" if chained else ""
    return [
        f"DROP TRIGGER {table}_no_update",
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}{when} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only (UPDATE refused)'); END",
    ]


def upgrade() -> None:
    bind = op.get_bind()
    pg = bind.dialect.name == "postgresql"
    op.create_table(
        "chain_heads",
        sa.Column("table_name", sa.String(32), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"], name="fk_chain_heads_office_id_offices"),
        sa.PrimaryKeyConstraint("table_name", "office_id", name="pk_chain_heads"),
    )
    for table in _TABLES:
        # Plain ADD COLUMN (no batch rebuild): SQLite keeps the tables' triggers.
        op.add_column(table, sa.Column("chain_seq", sa.BigInteger(), nullable=True))
        op.add_column(table, sa.Column("hash", sa.String(64), nullable=True))
        op.create_index(f"uq_{table}_office_chain", table, ["office_id", "chain_seq"], unique=True)
    if pg:
        for table in _TABLES:
            op.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_no_update")
        chain.backfill(bind)
        for table in _TABLES:
            op.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_no_update")
        for spec in chain.TABLES:
            for statement in chain.pg_install_sql(spec):
                op.execute(statement)
    else:
        for table in _TABLES:
            op.execute(f"DROP TRIGGER {table}_no_update")
        chain.backfill(bind)
        for table in _TABLES:
            op.execute(_sqlite_append_only(table, chained=True)[1])
        for spec in chain.TABLES:
            for statement in chain.sqlite_install_sql(spec):
                op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    pg = bind.dialect.name == "postgresql"
    for spec in chain.TABLES:
        if pg:
            for statement in chain.pg_drop_sql(spec):
                op.execute(statement)
        else:
            op.execute(f"DROP TRIGGER IF EXISTS zz_chain_{spec.name}")
    for table in _TABLES:
        if not pg:
            for statement in _sqlite_append_only(table, chained=False):
                op.execute(statement)
        op.drop_index(f"uq_{table}_office_chain", table_name=table)
        if pg:
            op.drop_column(table, "hash")
            op.drop_column(table, "chain_seq")
        else:
            # SQLite >= 3.35 drops a column in place (a batch rebuild would lose the append-only triggers).
            op.execute(f"ALTER TABLE {table} DROP COLUMN hash")
            op.execute(f"ALTER TABLE {table} DROP COLUMN chain_seq")
    op.drop_table("chain_heads")

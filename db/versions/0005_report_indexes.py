"""index the events that carry a reason (the report's calls by ticket number) by ticket

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 22:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Partial: only the few events with a reason (calls by number, returns, transfers, finishes with a note) are in
# it, so writing every other event costs nothing more.
_WITH_REASON = "reason IS NOT NULL"


def upgrade() -> None:
    op.create_index(
        "ix_events_reason",
        "events",
        ["ticket_id"],
        unique=False,
        postgresql_where=sa.text(_WITH_REASON),
        sqlite_where=sa.text(_WITH_REASON),
    )


def downgrade() -> None:
    op.drop_index("ix_events_reason", table_name="events")

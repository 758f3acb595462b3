"""index what a station holds (SQLite cannot use the partial unique index for a bound IN list), and its events

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 17:41:42
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_tickets_station_status", "tickets", ["station_id", "status"], unique=False)
    op.create_index("ix_events_station_time", "events", ["station_id", "created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_events_station_time", table_name="events")
    op.drop_index("ix_tickets_station_status", table_name="tickets")

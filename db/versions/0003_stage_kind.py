"""stage kind: what a stage's stations do (reception, service, adjudication, pickup) is configuration

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 18:25:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("stages") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=16), server_default="service", nullable=False))
        batch.create_check_constraint("kind", "kind IN ('reception', 'service', 'adjudication', 'pickup')")
    # Until now the kind was read from the reference office's stage codes.
    op.execute("UPDATE stages SET kind = code WHERE code IN ('reception', 'adjudication', 'pickup')")


def downgrade() -> None:
    with op.batch_alter_table("stages") as batch:
        batch.drop_constraint(op.f("ck_stages_kind"), type_="check")
        batch.drop_column("kind")

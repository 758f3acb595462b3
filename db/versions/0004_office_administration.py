"""office administration: rules, holidays, pickups, audit log; category quotas and age limits

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 18:55:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The audit log, like the event log, cannot be rewritten: the database refuses.
_PG_APPEND_ONLY = """
CREATE FUNCTION counter_desk_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION counter_desk_audit_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION counter_desk_audit_append_only();
"""
_SQLITE_APPEND_ONLY = [
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only (UPDATE refused)'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only (DELETE refused)'); END",
]


def upgrade() -> None:
    with op.batch_alter_table("categories") as batch:
        batch.add_column(sa.Column("daily_quota", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("min_age", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("max_age", sa.Integer(), nullable=True))
    op.create_table(
        "office_settings",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"], name=op.f("fk_office_settings_office_id_offices")),
        sa.ForeignKeyConstraint(["updated_by"], ["users.id"], name=op.f("fk_office_settings_updated_by_users")),
        sa.PrimaryKeyConstraint("office_id", "key", name=op.f("pk_office_settings")),
    )
    op.create_table(
        "holidays",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"], name=op.f("fk_holidays_office_id_offices")),
        sa.PrimaryKeyConstraint("office_id", "day", name=op.f("pk_holidays")),
    )
    op.create_table(
        "pickups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("application_number", sa.String(length=64), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("ready_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handed_over_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handed_over_by", sa.Integer(), nullable=True),
        sa.Column("pickup_ticket_id", sa.Integer(), nullable=True),
        sa.Column("recipient", sa.String(length=16), nullable=True),
        sa.Column("recipient_name", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'handed_over')", name=op.f("ck_pickups_status")
        ),
        sa.ForeignKeyConstraint(["booking_id"], ["bookings.id"], name=op.f("fk_pickups_booking_id_bookings")),
        sa.ForeignKeyConstraint(["handed_over_by"], ["users.id"], name=op.f("fk_pickups_handed_over_by_users")),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"], name=op.f("fk_pickups_office_id_offices")),
        sa.ForeignKeyConstraint(["pickup_ticket_id"], ["tickets.id"], name=op.f("fk_pickups_pickup_ticket_id_tickets")),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_pickups_ticket_id_tickets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pickups")),
        sa.UniqueConstraint("code", name=op.f("uq_pickups_code")),
        sa.UniqueConstraint("pickup_ticket_id", name=op.f("uq_pickups_pickup_ticket_id")),
        sa.UniqueConstraint("ticket_id", name=op.f("uq_pickups_ticket_id")),
    )
    op.create_index("ix_pickups_office_application", "pickups", ["office_id", "application_number"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("station_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"], name=op.f("fk_audit_log_office_id_offices")),
        sa.ForeignKeyConstraint(["station_id"], ["stations.id"], name=op.f("fk_audit_log_station_id_stations")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_audit_log_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_office_time", "audit_log", ["office_id", "created_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_APPEND_ONLY)
    else:
        for statement in _SQLITE_APPEND_ONLY:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_log_no_update ON audit_log")
        op.execute("DROP TRIGGER audit_log_no_truncate ON audit_log")
        op.execute("DROP FUNCTION counter_desk_audit_append_only()")
    else:
        op.execute("DROP TRIGGER audit_log_no_update")
        op.execute("DROP TRIGGER audit_log_no_delete")
    op.drop_index("ix_audit_office_time", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index("ix_pickups_office_application", table_name="pickups")
    op.drop_table("pickups")
    op.drop_table("holidays")
    op.drop_table("office_settings")
    with op.batch_alter_table("categories") as batch:
        batch.drop_column("max_age")
        batch.drop_column("min_age")
        batch.drop_column("daily_quota")

"""initial schema: office, stages, stations, categories, bookings, tickets, append-only events, users

Revision ID: 0001
Revises:
Create Date: 2026-11-22 16:37:16.058319
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The event log is the truth for displays, dashboards and reports: the database itself refuses to rewrite it.
_PG_APPEND_ONLY = """
CREATE FUNCTION counter_desk_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER events_no_update BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION counter_desk_events_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION counter_desk_events_append_only();
"""
_SQLITE_APPEND_ONLY = [
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
    "BEGIN SELECT RAISE(ABORT, 'events are append-only (UPDATE refused)'); END",
    "CREATE TRIGGER events_no_delete BEFORE DELETE ON events "
    "BEGIN SELECT RAISE(ABORT, 'events are append-only (DELETE refused)'); END",
]


def _create_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_APPEND_ONLY)
    else:
        for statement in _SQLITE_APPEND_ONLY:
            op.execute(statement)


def _drop_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER events_no_update ON events")
        op.execute("DROP TRIGGER events_no_truncate ON events")
        op.execute("DROP FUNCTION counter_desk_events_append_only()")
    else:
        op.execute("DROP TRIGGER events_no_update")
        op.execute("DROP TRIGGER events_no_delete")


def upgrade() -> None:
    op.create_table(
        "counters",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_counters")),
    )
    op.create_table(
        "offices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("queue_order", sa.String(length=16), nullable=False),
        sa.Column("no_show_tolerance_minutes", sa.Integer(), nullable=False),
        sa.CheckConstraint("queue_order IN ('slot', 'arrival')", name=op.f("ck_offices_queue_order")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offices")),
        sa.UniqueConstraint("code", name=op.f("uq_offices_code")),
    )
    op.create_table(
        "stages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("announce", sa.Boolean(), nullable=False),
        sa.Column("wait_target_minutes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"], name=op.f("fk_stages_office_id_offices")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stages")),
        sa.UniqueConstraint("office_id", "code", name=op.f("uq_stages_office_id_code")),
    )
    op.create_table(
        "ticket_counters",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("prefix", sa.String(length=4), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"], name=op.f("fk_ticket_counters_office_id_offices")),
        sa.PrimaryKeyConstraint("office_id", "day", "prefix", name=op.f("pk_ticket_counters")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=32), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("roles", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"], name=op.f("fk_users_office_id_offices")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("prefix", sa.String(length=4), nullable=False),
        sa.Column("priority_level", sa.Integer(), nullable=False),
        sa.Column("walk_in", sa.Boolean(), nullable=False),
        sa.Column("start_stage_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"], name=op.f("fk_categories_office_id_offices")),
        sa.ForeignKeyConstraint(["start_stage_id"], ["stages.id"], name=op.f("fk_categories_start_stage_id_stages")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_categories")),
        sa.UniqueConstraint("office_id", "code", name=op.f("uq_categories_office_id_code")),
    )
    op.create_table(
        "stations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"], name=op.f("fk_stations_office_id_offices")),
        sa.ForeignKeyConstraint(["stage_id"], ["stages.id"], name=op.f("fk_stations_stage_id_stages")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stations")),
        sa.UniqueConstraint("office_id", "code", name=op.f("uq_stations_office_id_code")),
    )
    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("application_number", sa.String(length=64), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("applicant_name", sa.String(length=200), nullable=True),
        sa.Column("nik", sa.String(length=32), nullable=True),
        sa.Column("slot_date", sa.Date(), nullable=False),
        sa.Column("slot_start", sa.Time(), nullable=True),
        sa.Column("slot_end", sa.Time(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('booked', 'checked_in', 'cancelled')", name=op.f("ck_bookings_status")),
        sa.ForeignKeyConstraint(["category_id"], ["categories.id"], name=op.f("fk_bookings_category_id_categories")),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"], name=op.f("fk_bookings_office_id_offices")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookings")),
        sa.UniqueConstraint("office_id", "application_number", name=op.f("uq_bookings_office_id_application_number")),
        sa.UniqueConstraint("office_id", "code", name=op.f("uq_bookings_office_id_code")),
    )
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.create_index("ix_bookings_office_day", ["office_id", "slot_date"], unique=False)

    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("prefix", sa.String(length=4), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("priority_level", sa.Integer(), nullable=False),
        sa.Column("front", sa.Boolean(), nullable=False),
        sa.Column("queue_key", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("called_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("no_show_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("call_count", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "station_id IS NOT NULL OR status NOT IN ('called', 'serving')",
            name=op.f("ck_tickets_held_has_station"),
        ),
        sa.CheckConstraint(
            "status IN ('called', 'done', 'no_show', 'serving', 'waiting')", name=op.f("ck_tickets_status")
        ),
        sa.ForeignKeyConstraint(["booking_id"], ["bookings.id"], name=op.f("fk_tickets_booking_id_bookings")),
        sa.ForeignKeyConstraint(["category_id"], ["categories.id"], name=op.f("fk_tickets_category_id_categories")),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"], name=op.f("fk_tickets_office_id_offices")),
        sa.ForeignKeyConstraint(["stage_id"], ["stages.id"], name=op.f("fk_tickets_stage_id_stages")),
        sa.ForeignKeyConstraint(["station_id"], ["stations.id"], name=op.f("fk_tickets_station_id_stations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
        sa.UniqueConstraint("booking_id", name=op.f("uq_tickets_booking_id")),
        sa.UniqueConstraint("office_id", "day", "prefix", "seq", name=op.f("uq_tickets_office_id_day_prefix_seq")),
    )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index("ix_tickets_office_day_number", ["office_id", "day", "number"], unique=False)
        batch_op.create_index(
            "ix_tickets_queue",
            ["stage_id", "status", "front", "priority_level", "queue_key", "id"],
            unique=False,
        )
        batch_op.create_index(
            "uq_tickets_live_station",
            ["station_id"],
            unique=True,
            postgresql_where=sa.text("status IN ('called', 'serving')"),
            sqlite_where=sa.text("status IN ('called', 'serving')"),
        )

    op.create_table(
        "events",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("number", sa.String(length=16), nullable=True),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=True),
        sa.Column("stage_id", sa.Integer(), nullable=True),
        sa.Column("station_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('called', 'checked_in', 'finished', 'no_show', 'recalled', 'returned', 'started', 'transferred')",
            name=op.f("ck_events_kind"),
        ),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"], name=op.f("fk_events_office_id_offices")),
        sa.ForeignKeyConstraint(["stage_id"], ["stages.id"], name=op.f("fk_events_stage_id_stages")),
        sa.ForeignKeyConstraint(["station_id"], ["stations.id"], name=op.f("fk_events_station_id_stations")),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_events_ticket_id_tickets")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_events_user_id_users")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_events")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_ticket", ["ticket_id", "seq"], unique=False)

    op.create_table(
        "idempotency_keys",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["station_id"], ["stations.id"], name=op.f("fk_idempotency_keys_station_id_stations")),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_idempotency_keys_ticket_id_tickets")),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_idempotency_keys")),
    )

    _create_append_only_triggers()
    op.execute("INSERT INTO counters (name, value) VALUES ('events', 0)")


def downgrade() -> None:
    _drop_append_only_triggers()
    op.drop_table("idempotency_keys")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_ticket")

    op.drop_table("events")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_tickets_live_station",
            postgresql_where=sa.text("status IN ('called', 'serving')"),
            sqlite_where=sa.text("status IN ('called', 'serving')"),
        )
        batch_op.drop_index("ix_tickets_queue")
        batch_op.drop_index("ix_tickets_office_day_number")

    op.drop_table("tickets")
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_index("ix_bookings_office_day")

    op.drop_table("bookings")
    op.drop_table("stations")
    op.drop_table("categories")
    op.drop_table("users")
    op.drop_table("ticket_counters")
    op.drop_table("stages")
    op.drop_table("offices")
    op.drop_table("counters")

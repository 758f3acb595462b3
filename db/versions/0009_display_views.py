"""the waiting-room display reads only views (issue 13)

Views ``display_offices``, ``display_stages``, ``display_stations``, ``display_tickets`` and ``display_events``
(counter_desk.store.display_views) on both engines: what the TV shows or needs for ordering and estimates, with no
names, NIKs, user names or ids, hashes, reasons or booking data. They replace migration 0006's ``display_calls``,
``display_stations`` and ``display_waiting`` (PostgreSQL only, which nothing read).

PostgreSQL grants, so that an office keeps working between this upgrade and the next ``counter-desk db roles
--apply`` (which sets the same): whoever could read ``events`` or the old views may read the new views (the
officers' groups compute estimates from them), and a role that was given the old ``display_calls`` view (the
display role) loses every table grant but ``alembic_version``.

SQLite: a later migration that rebuilds one of the tables these views read (batch mode) must drop the views first
and create them again afterwards (SQLite refuses to rename a table while a view names a missing one).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_VIEWS = {
    "display_offices": """
        SELECT o.id, o.code, o.name, o.timezone,
               (SELECT s.value FROM office_settings s WHERE s.office_id = o.id AND s.key = 'display_text')
                   AS running_text
        FROM offices o""",
    "display_stages": """
        SELECT sg.id, sg.office_id, sg.code, sg.name, sg.kind, sg.announce, sg.position FROM stages sg""",
    "display_stations": """
        SELECT st.id, st.office_id, st.code, st.name, st.stage_id, st.active,
               EXISTS (SELECT 1 FROM station_pauses p WHERE p.station_id = st.id AND p.ended_at IS NULL) AS paused
        FROM stations st""",
    "display_tickets": """
        SELECT t.office_id, t.stage_id, t.station_id, t.status FROM tickets t""",
    "display_events": """
        SELECT e.seq, e.office_id, e.kind, e.ticket_id, e.number, e.from_status, e.to_status, e.stage_id,
               e.station_id, e.created_at
        FROM events e""",
}

# Migration 0006's views, for the downgrade.
_OLD_VIEWS = {
    "display_calls": """
        SELECT e.seq, e.office_id, e.kind, e.number, e.stage_id, e.station_id, e.created_at FROM events e""",
    "display_stations": """
        SELECT st.id, st.office_id, st.code, st.name, st.name_en, st.active, sg.id AS stage_id,
               sg.code AS stage_code, sg.name AS stage_name, sg.name_en AS stage_name_en, sg.announce
        FROM stations st JOIN stages sg ON sg.id = st.stage_id""",
    "display_waiting": """
        SELECT t.office_id, t.day, t.stage_id, t.status, count(*) AS tickets
        FROM tickets t GROUP BY t.office_id, t.day, t.stage_id, t.status""",
}

# Roles (not the owner, not PUBLIC) holding SELECT on one of the relations named.
_GRANTEES = sa.text(
    "SELECT DISTINCT pg_get_userbyid(a.grantee) FROM pg_class c, aclexplode(c.relacl) a"
    " WHERE c.relname IN :names AND c.relnamespace = 'public'::regnamespace AND a.privilege_type = 'SELECT'"
    " AND a.grantee <> 0 AND a.grantee <> c.relowner ORDER BY 1"
).bindparams(sa.bindparam("names", expanding=True))


def _grantees(*names: str) -> list[str]:
    return list(op.get_bind().execute(_GRANTEES, {"names": list(names)}).scalars())


def _grant(views: dict[str, str], readers: list[str], display: list[str]) -> None:
    """``readers`` may read ``views``; so may ``display``, which loses every other table grant."""
    quote = op.get_bind().dialect.identifier_preparer.quote
    for role in display:
        op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {quote(role)}")
        op.execute(f"GRANT SELECT ON alembic_version TO {quote(role)}")
    for role in sorted({*readers, *display}):
        op.execute(f"GRANT SELECT ON {', '.join(views)} TO {quote(role)}")


def _create(views: dict[str, str]) -> None:
    for name, query in views.items():
        op.execute(f"CREATE VIEW {name} AS {query}")


def _drop(views: dict[str, str]) -> None:
    for name in reversed(list(views)):
        op.execute(f"DROP VIEW {name}")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        _create(_VIEWS)
        return
    readers, display = _grantees("events", "display_calls"), _grantees("display_calls")  # before the old views go
    _drop(_OLD_VIEWS)
    _create(_VIEWS)
    _grant(_VIEWS, readers, display)


def downgrade() -> None:
    _drop(_VIEWS)
    if op.get_bind().dialect.name == "postgresql":
        readers = _grantees("events")
        _create(_OLD_VIEWS)
        _grant(_OLD_VIEWS, readers, [])

"""Small helpers the tests share."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import text

from counter_desk.store.engine import Database


def snapshot(db: Database) -> dict[str, Any]:
    """Everything a failed action must leave untouched."""
    with db.read() as s:
        return {
            "tickets": s.execute(
                text("SELECT id, status, station_id, stage_id, updated_at FROM tickets ORDER BY id")
            ).all(),
            "events": s.execute(text("SELECT count(*), coalesce(max(seq), 0) FROM events")).one(),
            "counters": s.execute(text("SELECT value FROM counters")).all(),
            "ticket_counters": s.execute(
                text("SELECT office_id, day, prefix, value FROM ticket_counters ORDER BY 1, 2, 3")
            ).all(),
            "bookings": s.execute(text("SELECT id, status FROM bookings ORDER BY id")).all(),
            "tokens": s.execute(text("SELECT count(*) FROM idempotency_keys")).scalar_one(),
        }


def events(db: Database, **where: Any) -> list[dict[str, Any]]:
    clause = " AND ".join(f"{k} = :{k}" for k in where) or "1 = 1"
    with db.read() as s:
        rows = s.execute(text(f"SELECT * FROM events WHERE {clause} ORDER BY seq"), where).mappings().all()
        out = [dict(r) for r in rows]
    for row in out:
        if isinstance(row["data"], str):  # SQLite hands JSON back as text through raw SQL
            row["data"] = json.loads(row["data"])
    return out

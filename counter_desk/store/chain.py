"""The hash chain over the event log and the audit log: history that cannot be rewritten unnoticed.

Every row carries its place in its office's chain (``chain_seq``: 1, 2, 3 ...) and ``hash``, the SHA-256 of the
previous row's hash and the row's own contents. Rewriting, deleting or inserting a row in the past changes every
hash after it; so the newest hash (the *head*, printed by the nightly report and kept elsewhere) proves the whole
past up to it.

Who computes it:

- PostgreSQL: the ``zz_chain_<table>`` BEFORE INSERT triggers (migration 0008; named so they fire after every
  other BEFORE INSERT trigger and hash the final row). The office's head is a row of ``chain_heads`` locked until
  commit, so concurrent inserts chain one after the other. The functions are owned by the owner role and run as it
  (SECURITY DEFINER), so a station's role needs no rights on ``chain_heads``.
- SQLite: an AFTER INSERT trigger fills the row through :func:`sqlite_link`, a Python function registered on every
  connection of the program (see ``store.engine``). SQLite has no roles: whoever can write the file can rewrite it
  and the chain; only a head kept elsewhere proves the past there.

:func:`verify` recomputes everything in Python from the stored values -- it trusts no function in the database --
and names the first row that does not match.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import text
from sqlalchemy.engine import Connection

from counter_desk.store.base import UTCDateTime

GENESIS = "0" * 64
SQLITE_FUNCTION = "counter_desk_chain"


@dataclass(frozen=True)
class ChainedTable:
    name: str
    #: The row's identity, shown when it does not match.
    key: str
    #: Hashed in this order, after ``chain_seq``; ``created_at`` last (its text is normalised).
    fields: tuple[str, ...]
    #: JSON columns: hashed as the exact text stored.
    json_fields: tuple[str, ...]


EVENTS = ChainedTable(
    "events",
    "seq",
    (
        "seq",
        "office_id",
        "kind",
        "ticket_id",
        "number",
        "from_status",
        "to_status",
        "stage_id",
        "station_id",
        "user_id",
        "reason",
        "data",
        "created_at",
    ),
    ("data",),
)
AUDIT = ChainedTable(
    "audit_log",
    "id",
    ("id", "office_id", "kind", "user_id", "username", "station_id", "detail", "created_at"),
    ("detail",),
)
TABLES = (EVENTS, AUDIT)


def _timestamp(value: Any) -> str:
    """``created_at`` as ``YYYY-MM-DDTHH:MM:SS.ffffff`` in UTC, from a datetime or SQLite's stored text."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    return str(value.strftime("%Y-%m-%dT%H:%M:%S.%f"))


def _field(value: Any) -> str:
    if value is None:
        return "-"
    value = str(value)
    return f"{len(value)}:{value}"


def link(prev: str, chain_seq: int, values: Sequence[Any]) -> str:
    """The hash of a row: ``values`` in the table's field order, ``created_at`` last (datetime or stored text)."""
    *head, created_at = values
    body = "|".join([prev, _field(chain_seq), *(_field(v) for v in head), _field(_timestamp(created_at))])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def sqlite_link(prev: str, chain_seq: int, *values: Any) -> str:
    return link(prev, chain_seq, values)


def register_sqlite(connection: sqlite3.Connection) -> None:
    """Make the chain's function known to a SQLite connection (its triggers call it)."""
    connection.create_function(SQLITE_FUNCTION, -1, sqlite_link, deterministic=True)


# -- PostgreSQL: the SQL the migration installs -----------------------------------------------------------------

_PG_FIELD = "CASE WHEN {v} IS NULL THEN '-' ELSE length({v})::text || ':' || {v} END"


def _pg_value(table: ChainedTable, name: str) -> str:
    if name == "created_at":
        return "to_char(NEW.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"
    return f"NEW.{name}::text"  # json keeps the exact text it was given: hashed as stored


def pg_install_sql(table: ChainedTable) -> list[str]:
    """CREATE FUNCTION and CREATE TRIGGER for ``table``'s chain (owner-owned, SECURITY DEFINER)."""
    parts = " || '|' || ".join(_PG_FIELD.format(v=_pg_value(table, name)) for name in table.fields)
    function = f"counter_desk_chain_{table.name}"
    return [
        f"""
CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    head_pos bigint;
    head_hash text;
BEGIN
    INSERT INTO chain_heads (table_name, office_id, position, hash)
        VALUES ('{table.name}', NEW.office_id, 0, '{GENESIS}') ON CONFLICT DO NOTHING;
    SELECT position, hash INTO head_pos, head_hash FROM chain_heads
        WHERE table_name = '{table.name}' AND office_id = NEW.office_id FOR UPDATE;
    NEW.chain_seq := head_pos + 1;
    NEW.hash := encode(sha256(convert_to(
        head_hash || '|' || {_PG_FIELD.format(v="NEW.chain_seq::text")} || '|' || {parts}, 'UTF8')), 'hex');
    UPDATE chain_heads SET position = NEW.chain_seq, hash = NEW.hash
        WHERE table_name = '{table.name}' AND office_id = NEW.office_id;
    RETURN NEW;
END $$""",  # noqa: S608 - our own table and column names, no input
        f"REVOKE ALL ON FUNCTION {function}() FROM PUBLIC",
        f"CREATE TRIGGER zz_chain_{table.name} BEFORE INSERT ON {table.name} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}()",
    ]


def pg_drop_sql(table: ChainedTable) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS zz_chain_{table.name} ON {table.name}",
        f"DROP FUNCTION IF EXISTS counter_desk_chain_{table.name}()",
    ]


def sqlite_install_sql(table: ChainedTable) -> list[str]:
    """The AFTER INSERT trigger that fills ``chain_seq`` and ``hash`` through :func:`sqlite_link`."""
    head = f"FROM chain_heads WHERE table_name = '{table.name}' AND office_id = NEW.office_id"
    values = ", ".join(f"NEW.{name}" for name in table.fields)
    return [
        f"""
CREATE TRIGGER zz_chain_{table.name} AFTER INSERT ON {table.name} BEGIN
    INSERT OR IGNORE INTO chain_heads (table_name, office_id, position, hash)
        VALUES ('{table.name}', NEW.office_id, 0, '{GENESIS}');
    UPDATE {table.name} SET chain_seq = (SELECT position + 1 {head}),
        hash = {SQLITE_FUNCTION}((SELECT hash {head}), (SELECT position + 1 {head}), {values})
        WHERE {table.key} = NEW.{table.key};
    UPDATE chain_heads SET position = position + 1,
        hash = (SELECT hash FROM {table.name} WHERE {table.key} = NEW.{table.key})
        WHERE table_name = '{table.name}' AND office_id = NEW.office_id;
END"""  # noqa: S608 - our own table and column names, no input
    ]


# -- reading and checking ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Head:
    table: str
    office_id: int
    #: How many rows the office's chain holds.
    position: int
    hash: str


@dataclass(frozen=True)
class Break:
    """The first row of a chain that does not match."""

    table: str
    office_id: int
    #: Where the chain breaks (``chain_seq`` expected there).
    position: int
    #: The row's ``seq`` (events) or ``id`` (audit log); None when the row itself is missing.
    row: int | None
    #: ``altered``, ``missing``, ``unchained`` (inserted with the chain's trigger off), ``head``.
    problem: str


@dataclass(frozen=True)
class Verdict:
    table: str
    office_id: int
    rows: int
    head: str
    broken: Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def _rows(conn: Connection, table: ChainedTable, office_id: int) -> Iterator[Any]:
    columns = ", ".join(
        f"CAST({name} AS TEXT) AS {name}" if name in table.json_fields else name for name in table.fields
    )
    stmt = text(
        f"SELECT chain_seq, hash, {columns} FROM {table.name} WHERE office_id = :office "  # noqa: S608 - names are ours
        "ORDER BY chain_seq IS NULL, chain_seq, " + table.key
    ).columns()
    # Per statement: Connection.execution_options would switch the caller's whole connection to streaming.
    result = conn.execute(stmt.execution_options(yield_per=2000), {"office": office_id})
    created = UTCDateTime()
    for row in result:
        mapping = dict(row._mapping)
        mapping["created_at"] = created.process_result_value(mapping["created_at"], conn.dialect)
        yield mapping


def _stored_head(conn: Connection, table: ChainedTable, office_id: int) -> tuple[int, str] | None:
    row = conn.execute(
        text("SELECT position, hash FROM chain_heads WHERE table_name = :t AND office_id = :o"),
        {"t": table.name, "o": office_id},
    ).first()
    return (int(row[0]), str(row[1])) if row else None


def verify_table(conn: Connection, table: ChainedTable, office_id: int) -> Verdict:
    """Recompute ``table``'s chain for one office from the stored values."""
    prev = GENESIS
    position = 0
    for row in _rows(conn, table, office_id):
        key = int(row[table.key])
        if row["chain_seq"] is None or row["hash"] is None:
            return Verdict(
                table.name, office_id, position, prev, Break(table.name, office_id, position + 1, key, "unchained")
            )
        if row["chain_seq"] != position + 1:
            problem = "missing" if row["chain_seq"] > position + 1 else "altered"
            return Verdict(
                table.name, office_id, position, prev, Break(table.name, office_id, position + 1, key, problem)
            )
        expected = link(prev, position + 1, [row[name] for name in table.fields])
        if expected != row["hash"]:
            return Verdict(
                table.name, office_id, position, prev, Break(table.name, office_id, position + 1, key, "altered")
            )
        prev = expected
        position += 1
    stored = _stored_head(conn, table, office_id)
    if stored is not None and stored != (position, prev):
        # The trigger moves the head with every row: rows at the end are gone, or the head was rewritten.
        return Verdict(table.name, office_id, position, prev, Break(table.name, office_id, position + 1, None, "head"))
    return Verdict(table.name, office_id, position, prev, None)


def offices(conn: Connection) -> list[int]:
    return [int(v) for v in conn.execute(text("SELECT id FROM offices ORDER BY id")).scalars()]


def verify(conn: Connection, office_id: int | None = None) -> list[Verdict]:
    """Every chain (events and audit log of each office, or of ``office_id``), recomputed."""
    ids = [office_id] if office_id is not None else offices(conn)
    return [verify_table(conn, table, office) for office in ids for table in TABLES]


def heads(conn: Connection, office_id: int) -> list[Head]:
    """The newest link of the office's event log and audit log, as the database records it."""
    out = []
    for table in TABLES:
        stored = _stored_head(conn, table, office_id)
        position, digest = stored if stored else (0, GENESIS)
        out.append(Head(table.name, office_id, position, digest))
    return out


class Readable(Protocol):
    """What :func:`head_hash` needs of a :class:`~counter_desk.store.engine.Database`, named here because the
    engine imports this module (its SQLite connections register :func:`sqlite_link`)."""

    def read_rows(self) -> AbstractContextManager[Connection]: ...


def head_hash(db: Readable, office: int | str | None = None) -> str:
    """One line for the nightly report: the office's chain heads (office by id or code; None: the database's only
    office), e.g.
    ``events #1234 9f86d0…, audit_log #56 2c26b4…`` with the full hashes. A copy kept elsewhere proves the past:
    ``db verify`` must find the same hash at the same position later."""
    with db.read_rows() as conn:
        if office is None:
            office = int(conn.execute(text("SELECT id FROM offices")).scalar_one())
        elif isinstance(office, str):
            office = int(conn.execute(text("SELECT id FROM offices WHERE code = :c"), {"c": office}).scalar_one())
        return ", ".join(f"{h.table} #{h.position} {h.hash}" for h in heads(conn, office))


def backfill(conn: Connection) -> None:
    """Chain the rows that exist before the chain does (migration 0008), oldest first, and set the heads."""
    for office in offices(conn):
        for table in TABLES:
            prev = GENESIS
            position = 0
            links = []
            for row in list(_rows(conn, table, office)):
                position += 1
                prev = link(prev, position, [row[name] for name in table.fields])
                links.append({"p": position, "h": prev, "k": row[table.key]})
            update = text(f"UPDATE {table.name} SET chain_seq = :p, hash = :h WHERE {table.key} = :k")  # noqa: S608
            for start in range(0, len(links), 5000):
                conn.execute(update, links[start : start + 5000])  # executemany: one round trip per batch
            conn.execute(
                text("INSERT INTO chain_heads (table_name, office_id, position, hash) VALUES (:t, :o, :p, :h)"),
                {"t": table.name, "o": office, "p": position, "h": prev},
            )

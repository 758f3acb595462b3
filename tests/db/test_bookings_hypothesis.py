"""Whatever bytes or rows the import is given, it answers with a report or a UserError, and a refusal writes nothing.

The database tests run a bounded number of examples per engine (a few seconds each); the parser alone, which
needs no database, gets more.
"""

from __future__ import annotations

import codecs
import contextlib
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from counter_desk.clock import FixedClock
from counter_desk.errors import UserError
from counter_desk.services import bookings, bookings_file
from counter_desk.store.engine import Database

DB_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

HEADERS = ["kode_booking", "Nomor Permohonan", "NAMA", "nik", "tanggal", "jam", "layanan", "catatan", ""]
VALUES = st.one_of(
    st.sampled_from(
        [
            "MPH0001",
            "MPH0002",
            "3505202611240001",
            "3505202611240002",
            "3505123412341234",
            "24/11/2026",
            "2026-11-25",
            "2026-11-20",
            "31/02/2026",
            "08:00-09:00",
            "25:00",
            "booked",
            "Lansia",
            "VIP",
            "",
            '"',
            ";",
            ",",
            "\r\n",
            "3.50512E+15",
        ]
    ),
    st.text(max_size=12),
)


def _state(db: Database) -> tuple[Any, ...]:
    with db.read() as s:
        return (
            s.execute(text("SELECT * FROM bookings ORDER BY id")).all(),
            s.execute(text("SELECT count(*) FROM audit_log")).scalar_one(),
        )


def _csv(header: list[str], rows: list[list[str]], sep: str, bom: bool) -> bytes:
    def cell(value: str) -> str:
        return f'"{value.replace(chr(34), chr(34) * 2)}"' if any(c in value for c in f'"{sep}\r\n') else value

    lines = [sep.join(cell(h) for h in header)] + [sep.join(cell(v) for v in row) for row in rows]
    data = "\r\n".join(lines).encode()
    return codecs.BOM_UTF8 + data if bom else data


@st.composite
def export_files(draw: st.DrawFn) -> bytes:
    header = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8))
    rows = draw(st.lists(st.lists(VALUES, min_size=0, max_size=len(header) + 1), max_size=6))
    if draw(st.booleans()):
        items = [dict(zip(header, row, strict=False)) for row in rows]
        return json.dumps(items).encode()
    return _csv(header, rows, draw(st.sampled_from([";", ",", "\t"])), draw(st.booleans()))


def _import_checked(db: Database, clock: FixedClock, data: bytes, dry_run: bool) -> None:
    before = _state(db)
    try:
        report = bookings.import_bookings(db, data, clock=clock, dry_run=dry_run)
    except UserError:
        assert _state(db) == before, "a refused import wrote something"
        return
    if dry_run or not report.written:
        assert _state(db) == before
    assert report.imported + report.updated + report.unchanged + len(report.rejected) == report.rows


@DB_SETTINGS
@given(data=st.binary(max_size=300), dry_run=st.booleans())
def test_random_bytes_give_a_report_or_a_user_error(
    db: Database, clock: FixedClock, data: bytes, dry_run: bool
) -> None:
    _import_checked(db, clock, data, dry_run)


@DB_SETTINGS
@given(data=export_files(), dry_run=st.booleans())
def test_random_rows_give_a_report_or_a_user_error(db: Database, clock: FixedClock, data: bytes, dry_run: bool) -> None:
    _import_checked(db, clock, data, dry_run)


@settings(max_examples=200, deadline=None)
@given(data=st.one_of(st.binary(max_size=400), export_files()))
def test_the_parser_raises_nothing_but_invalid_input(data: bytes) -> None:
    try:
        source = bookings_file.parse(data)
    except UserError:
        return
    assert source.rows
    assert all(key in bookings_file.ALIASES for row in source.rows for key in row.values)


@pytest.mark.parametrize("prefix", [b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE])
@settings(max_examples=100, deadline=None)
@given(body=st.binary(max_size=200))
def test_any_prefix_and_body_never_crash_the_parser(prefix: bytes, body: bytes) -> None:
    with contextlib.suppress(UserError):
        bookings_file.parse(prefix + body)

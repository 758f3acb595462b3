"""Importing the M-Paspor export on both engines: formats, header mapping, the row report, and refusals."""

from __future__ import annotations

import codecs
import datetime as dt
import json
import threading
import time
from typing import Any

import pytest
from conftest import booking_code
from sqlalchemy import text

from counter_desk.clock import FixedClock
from counter_desk.errors import Conflict, InvalidInput
from counter_desk.services import bookings, roles, rules
from counter_desk.services.queue import QueueService
from counter_desk.store.engine import Database

TUESDAY = dt.date(2026, 11, 24)

#: Three bookings for Tuesday 24 November 2026, as the export gives them.
ROWS = [
    {
        "code": "MPX0001",
        "number": "3505202611240001",
        "name": "Budi Santoso",
        "nik": "3505123412341234",
        "date": "24/11/2026",
        "slot": "08:00-09:00",
        "category": "booked",
    },
    {
        "code": "MPX0002",
        "number": "3505202611240002",
        "name": "Siti Wulandari",
        "nik": "3505123412341235",
        "date": "2026-11-24",
        "slot": "09.00 - 10.00",
        "category": "Lansia",
    },
    {
        "code": "MPX0003",
        "number": "3505202611240003",
        "name": "Agus Pratama",
        "nik": "",
        "date": "24/11/2026",
        "slot": "",
        "category": "",
    },
]
EXPECTED = [
    ("MPX0001", "3505202611240001", "booked", "Budi Santoso", "3505123412341234", TUESDAY, "08:00-09:00"),
    ("MPX0002", "3505202611240002", "elderly", "Siti Wulandari", "3505123412341235", TUESDAY, "09:00-10:00"),
    ("MPX0003", "3505202611240003", "booked", "Agus Pratama", None, TUESDAY, ""),
]


def csv_bytes(
    rows: list[dict[str, str]],
    *,
    sep: str = ";",
    bom: bool = True,
    newline: str = "\r\n",
    header: tuple[str, ...] = ("Nama", "Kode Booking", "NIK", "Tanggal", "JAM", "Layanan", "Nomor Permohonan"),
    keys: tuple[str, ...] = ("name", "code", "nik", "date", "slot", "category", "number"),
) -> bytes:
    lines = [sep.join(header)] + [sep.join(row[k] for k in keys) for row in rows]
    data = (newline.join(lines) + newline).encode()
    return codecs.BOM_UTF8 + data if bom else data


def stored(db: Database, *codes: str) -> list[tuple[Any, ...]]:
    wanted = codes or tuple(r[0] for r in EXPECTED)
    with db.read() as s:
        rows = s.execute(
            text(
                "SELECT b.code, b.application_number, c.code, b.applicant_name, b.nik, b.slot_date, b.slot_start, "
                "b.slot_end FROM bookings b JOIN categories c ON c.id = b.category_id ORDER BY b.code"
            )
        ).all()
    out = []
    for code, number, category, name, nik, day, start, end in rows:
        if code not in wanted:
            continue
        when = dt.date.fromisoformat(day) if isinstance(day, str) else day
        slot = f"{str(start)[:5]}-{str(end)[:5]}" if start is not None else ""
        out.append((code, number, category, name, nik, when, slot))
    return out


def everything(db: Database) -> dict[str, Any]:
    """All rows an import may touch."""
    with db.read() as s:
        return {
            "bookings": s.execute(text("SELECT * FROM bookings ORDER BY id")).all(),
            "audit": s.execute(text("SELECT count(*) FROM audit_log")).scalar_one(),
        }


def audit_kinds(db: Database) -> list[tuple[str, Any]]:
    with db.read() as s:
        rows = s.execute(text("SELECT kind, detail FROM audit_log ORDER BY id")).all()
    return [(kind, json.loads(detail) if isinstance(detail, str) else detail) for kind, detail in rows]


# -- formats -------------------------------------------------------------------------------------------------


def _json_bytes(rows: list[dict[str, str]]) -> bytes:
    items = [
        {
            "kode_booking": r["code"],
            "nomor_permohonan": int(r["number"]),
            "nama": r["name"],
            "nik": r["nik"] or None,
            "tanggal": r["date"],
            "jam": r["slot"],
            "layanan": r["category"],
        }
        for r in rows
    ]
    return json.dumps(items).encode()


FORMATS = {
    "semicolon-bom-crlf": csv_bytes,
    "comma-no-bom-lf": lambda rows: csv_bytes(rows, sep=",", bom=False, newline="\n"),
    "tab": lambda rows: csv_bytes(rows, sep="\t", bom=False),
    "english-headers-other-order": lambda rows: csv_bytes(
        rows,
        sep=",",
        header=("booking_code", " Application Number ", "DATE", "slot", "Name", "nik", "category", "remarks"),
        keys=("code", "number", "date", "slot", "name", "nik", "category", "name"),
    ),
    "utf16-excel": lambda rows: csv_bytes(rows, sep="\t", bom=False).decode().encode("utf-16"),
    "excel-sep-line": lambda rows: b"sep=;\r\n" + csv_bytes(rows, bom=False),
    "json": _json_bytes,
    "json-wrapped": lambda rows: json.dumps({"bookings": json.loads(_json_bytes(rows))}).encode(),
}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_each_format_imports_the_same_bookings(db: Database, clock: FixedClock, fmt: str) -> None:
    report = bookings.import_bookings(db, FORMATS[fmt](ROWS), clock=clock)

    assert (report.imported, report.updated, report.unchanged, report.rejected) == (3, 0, 0, [])
    assert report.written
    assert stored(db) == EXPECTED
    if fmt == "english-headers-other-order":
        assert report.ignored_columns == ["remarks"]


def test_reimporting_the_same_file_changes_nothing(db: Database, clock: FixedClock) -> None:
    data = csv_bytes(ROWS)
    bookings.import_bookings(db, data, clock=clock)
    before = everything(db)
    clock.advance(dt.timedelta(minutes=5))

    again = bookings.import_bookings(db, data, clock=clock)

    assert (again.imported, again.updated, again.unchanged, again.rejected) == (0, 0, 3, [])
    assert not again.written
    assert everything(db) == before  # not even an audit entry


def test_a_changed_row_updates_only_what_changed(db: Database, clock: FixedClock) -> None:
    bookings.import_bookings(db, csv_bytes(ROWS), clock=clock)
    changed = [dict(ROWS[0], slot="10:00-11:00", code="mpx0001"), *ROWS[1:]]  # codes match whatever their case

    report = bookings.import_bookings(db, csv_bytes(changed), clock=clock)

    assert (report.imported, report.updated, report.unchanged) == (0, 1, 2)
    assert stored(db, "MPX0001") == [(*EXPECTED[0][:-1], "10:00-11:00")]


def test_a_file_without_optional_columns_leaves_them_as_stored(db: Database, clock: FixedClock) -> None:
    bookings.import_bookings(db, csv_bytes(ROWS), clock=clock)
    slim = csv_bytes(ROWS, header=("kode", "no_permohonan", "tgl"), keys=("code", "number", "date"))

    report = bookings.import_bookings(db, slim, clock=clock)

    assert (report.imported, report.updated, report.unchanged) == (0, 0, 3)
    assert stored(db) == EXPECTED


def test_the_import_is_audited_without_personal_data(db: Database, clock: FixedClock) -> None:
    bookings.import_bookings(db, csv_bytes(ROWS), clock=clock, source_name="export.csv", user="kasi")

    [(_kind, detail)] = [a for a in audit_kinds(db) if a[0] == "bookings_imported"]
    assert detail == {"file": "export.csv", "imported": 3, "updated": 0, "unchanged": 0, "rejected": 0}
    assert "Budi" not in json.dumps(detail)


# -- rejected rows -------------------------------------------------------------------------------------------


def test_bad_rows_are_rejected_with_row_and_reason_and_the_rest_imported(db: Database, clock: FixedClock) -> None:
    bad = [
        *ROWS[:1],
        dict(ROWS[1], nik="35051234"),  # row 3
        dict(ROWS[2], date="31/02/2026"),  # row 4
        dict(ROWS[2], code="MPX0004", number="3505202611240004", category="VIP"),  # row 5
        dict(ROWS[2], code="MPX0005", number="3505202611240005", date="2026-11-20"),  # row 6: in the past
        dict(ROWS[2], code="MPX0006", number="3505202611240006", nik="3.50512E+15"),  # row 7: Excel's number
        dict(ROWS[2], code="MPX0007", number="3505202611240007", slot="10:00-09:00"),  # row 8
    ]

    report = bookings.import_bookings(db, csv_bytes(bad), clock=clock)

    assert report.imported == 1
    reasons = {r.row: (r.code, r.reason) for r in report.rejected}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8]
    # The NIK is personal data: the reason shows its shape (8 digits), never the digits themselves.
    assert reasons[3] == ("MPX0002", "NIK '99999999' is not 16 digits")
    assert "is not a date" in reasons[4][1] and "31/02/2026" in reasons[4][1]
    assert reasons[5][1].startswith("unknown category 'VIP' (known: booked, child")
    assert reasons[6][1] == "the booked day 2026-11-20 is in the past"
    assert "format the column as text" in reasons[7][1]
    assert "ends before it starts" in reasons[8][1]
    assert stored(db) == [EXPECTED[0]]


def test_every_problem_of_a_row_is_named(db: Database, clock: FixedClock) -> None:
    report = bookings.import_bookings(db, csv_bytes([dict(ROWS[0], nik="12", date="tomorrow")]), clock=clock)

    [rejected] = report.rejected
    assert "NIK '99'" in rejected.reason and "'tomorrow' is not a date" in rejected.reason


def test_a_code_twice_in_the_file_rejects_every_row_with_it(db: Database, clock: FixedClock) -> None:
    rows = [ROWS[0], ROWS[1], dict(ROWS[2], code="MPX0001"), dict(ROWS[2], code="MPX0009", number=ROWS[1]["number"])]

    report = bookings.import_bookings(db, csv_bytes(rows), clock=clock)

    assert report.imported == 0
    assert [(r.row, r.reason) for r in report.rejected] == [
        (2, "booking code MPX0001 is also in row(s) 4 of the file"),
        (3, "application number 3505202611240002 is also in row(s) 5 of the file"),
        (4, "booking code MPX0001 is also in row(s) 2 of the file"),
        (5, "application number 3505202611240002 is also in row(s) 3 of the file"),
    ]
    assert stored(db) == []


def test_a_code_of_another_application_is_rejected(db: Database, clock: FixedClock) -> None:
    # Sample booking 1 of Monday belongs to application 2026112300000001.
    rows = [dict(ROWS[0], code=booking_code(1)), dict(ROWS[1], number="2026112300000002")]

    report = bookings.import_bookings(db, csv_bytes(rows), clock=clock)

    assert [r.reason for r in report.rejected] == [
        f"booking code {booking_code(1)} belongs to application 2026112300000001, not 3505202611240001",
        f"application number 2026112300000002 already has booking {booking_code(2)}: reschedule that one instead",
    ]
    assert report.imported == 0


def test_a_checked_in_booking_is_never_changed(db: Database, clock: FixedClock, queue: QueueService) -> None:
    queue.check_in(booking_code(1))
    before = everything(db)["bookings"]
    row = {
        "code": booking_code(1),
        "number": "2026112300000001",
        "name": "Someone Else",
        "nik": "",
        "date": "2026-11-24",
        "slot": "",
        "category": "",
    }

    report = bookings.import_bookings(db, csv_bytes([row]), clock=clock)

    assert [r.reason for r in report.rejected] == [
        f"booking {booking_code(1)} is already checked in: it is not changed"
    ]
    assert everything(db)["bookings"] == before


def test_a_row_with_too_many_or_too_few_values_is_rejected(db: Database, clock: FixedClock) -> None:
    data = csv_bytes(ROWS[:1], sep=",", bom=False) + b"MPX0002,cut short\r\nA,B,C,D,E,F,G,H\r\n"

    report = bookings.import_bookings(db, data, clock=clock)

    assert report.imported == 1
    assert [(r.row, r.reason.split(" (")[0]) for r in report.rejected] == [
        (3, "2 values where the header has 7 columns"),
        (4, "8 values where the header has 7 columns"),
    ]


def test_strict_imports_nothing_when_a_row_is_rejected(db: Database, clock: FixedClock) -> None:
    before = everything(db)

    report = bookings.import_bookings(db, csv_bytes([*ROWS, dict(ROWS[0], code="X")]), strict=True, clock=clock)

    assert not report.written and [r.code for r in report.rejected] == ["X"]
    assert report.imported == 3  # what it would have imported
    assert everything(db) == before


def test_dry_run_reports_and_writes_nothing(db: Database, clock: FixedClock) -> None:
    before = everything(db)

    report = bookings.import_bookings(db, csv_bytes(ROWS), dry_run=True, clock=clock)

    assert (report.imported, report.dry_run, report.written) == (3, True, False)
    assert everything(db) == before


def test_an_officer_without_the_role_may_not_import(db: Database, clock: FixedClock) -> None:
    before = everything(db)

    with pytest.raises(roles.NotAllowed, match="penerimaan1 may not do this"):
        bookings.import_bookings(db, csv_bytes(ROWS), user="penerimaan1", clock=clock)

    assert everything(db) == before


# -- refused files -------------------------------------------------------------------------------------------

REFUSED = {
    "empty": (b"", "the file is empty"),
    "blank": (b" \r\n\r\n ", "the file is empty"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not UTF-8"),
    "control characters": (b"kode;nama\x01\r\n", "control characters (line 1)"),
    "latin-1": ("kode;nomor_permohonan;tanggal\nMPX1;123456;24/11/2026;José\n".encode("latin-1"), "not UTF-8"),
    "no required columns": (b"foo;bar\r\n1;2\r\n", "missing column(s): kode_booking / booking_code / kode"),
    "no application column": (
        b"kode;tanggal;nama\r\nMPX0001;24/11/2026;Budi\r\n",
        "missing column(s): nomor_permohonan / no_permohonan / application_number. Columns found: kode, tanggal",
    ),
    "header only": (b"kode;nomor_permohonan;tanggal\r\n", "header but no bookings"),
    "column twice": (b"kode;kode_booking;nomor_permohonan;tanggal\r\n1;2;3;4\r\n", "'kode' and 'kode_booking'"),
    "slot twice": (b"kode;nomor_permohonan;tanggal;jam;jam_mulai\r\n1;2;3;4;5\r\n", "the slot is given twice"),
    "unclosed quote": (
        b'kode;nomor_permohonan;tanggal\r\n"MPX0001;123;24/11/2026\r\n',
        "line 2: the CSV cannot be read (unexpected end",
    ),
    "json not a list": (b'{"kode": "MPX0001"}', "must be a list of objects"),
    "json broken": (b'[{"kode": "MPX0001", ', "not valid JSON"),
    "json scalar items": (b"[1, 2]", "item 1 of the JSON list is not an object"),
    "json missing field": (b'[{"kode": "MPX0001", "tanggal": "2026-11-24"}]', "missing column(s): nomor_permohonan"),
    "json empty list": (b"[]", "header but no bookings"),
    "json deep": (b"[" * 100_000, "not valid JSON"),
    "utf-16 broken": (codecs.BOM_UTF16_LE + b"k\x00\x00\xd8", "UTF-16"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_malformed_file_is_refused_naming_the_problem_and_nothing_is_written(
    db: Database, clock: FixedClock, case: str
) -> None:
    data, message = REFUSED[case]
    before = everything(db)

    with pytest.raises(InvalidInput) as caught:
        bookings.import_bookings(db, data, clock=clock)

    assert message in caught.value.message
    assert everything(db) == before


def test_a_row_cut_short_at_the_end_of_a_truncated_file_is_rejected(db: Database, clock: FixedClock) -> None:
    data = csv_bytes(ROWS, sep=",", bom=False)
    truncated = data[: data.rindex(b",3505202611240003")]  # the last row lost its application number

    report = bookings.import_bookings(db, truncated, clock=clock)

    assert report.imported == 2 and [r.row for r in report.rejected] == [4]


def test_json_values_that_are_not_text_reject_the_row(db: Database, clock: FixedClock) -> None:
    items = json.loads(_json_bytes(ROWS))
    items[0]["nama"] = {"first": "Budi"}
    items[1]["nik"] = "3.50512E+15"
    items[2]["nomor_permohonan"] = 3505202611240003.0  # a whole number in JSON is its digits

    report = bookings.import_bookings(db, json.dumps(items).encode(), clock=clock)

    assert report.imported == 1 and stored(db) == EXPECTED[2:]
    assert [r.row for r in report.rejected] == [1, 2]
    assert "is not a text value" in report.rejected[0].reason
    assert "format the column as text" in report.rejected[1].reason


def test_bookings_above_a_daily_quota_are_imported_with_a_warning(db: Database, clock: FixedClock) -> None:
    rules.update_category(db, None, "elderly", daily_quota=1, clock=clock)
    rows = [dict(ROWS[1]), dict(ROWS[2], category="elderly")]

    dry = bookings.import_bookings(db, csv_bytes(rows), dry_run=True, clock=clock)
    assert dry.warnings == ["2026-11-24: 2 bookings of elderly, above its daily quota of 1"]
    assert stored(db) == []
    report = bookings.import_bookings(db, csv_bytes(rows), clock=clock)

    assert report.imported == 2 and report.warnings == dry.warnings
    assert report.to_json()["warnings"] == dry.warnings


def test_a_code_added_meanwhile_by_someone_else_refuses_the_import(pg_url: str) -> None:
    """PostgreSQL: another transaction inserts one of the file's codes between the look-up and the insert."""
    db = Database.connect(pg_url)
    clock = FixedClock(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC))
    other = db.engine.connect()
    try:
        tx = other.begin()
        other.execute(
            text(
                "INSERT INTO bookings (office_id, code, application_number, category_id, slot_date, status, created_at)"
                " SELECT office_id, 'MPX0001', '3505202611240001', category_id, '2026-11-24', 'booked', created_at"
                " FROM bookings LIMIT 1"
            )
        )
        outcome: list[BaseException | bookings.ImportReport] = []

        def run() -> None:
            try:
                outcome.append(bookings.import_bookings(db, csv_bytes(ROWS), clock=clock))
            except BaseException as exc:  # noqa: BLE001 - handed to the test's thread
                outcome.append(exc)

        worker = threading.Thread(target=run)
        worker.start()
        with db.engine.connect() as watcher:  # wait until the import waits for the other transaction's row
            for _ in range(500):
                waiting = watcher.execute(
                    text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
                ).scalar_one()
                if waiting or not worker.is_alive():
                    break
                time.sleep(0.01)
        tx.commit()
        worker.join(timeout=30)
    finally:
        other.close()
    assert len(outcome) == 1 and isinstance(outcome[0], Conflict), outcome
    assert stored(db) == [("MPX0001", "3505202611240001", "booked", None, None, TUESDAY, "")]
    db.dispose()

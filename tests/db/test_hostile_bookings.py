"""Hostile booking input through the import, the command line and the list, on both engines: one clear line each,
nothing written (row counts compared), and nothing stored that drives a terminal when printed.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import random
from pathlib import Path
from typing import Any

import pytest
from conftest import MONDAY
from helpers import snapshot
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from counter_desk.cli import EXIT_BUG, main
from counter_desk.clock import FixedClock
from counter_desk.errors import InvalidInput, UserError, bug_summary
from counter_desk.services import bookings
from counter_desk.services.text import find_refused
from counter_desk.store.engine import Database

GOOD = {"kode_booking": "MPH0001", "nomor_permohonan": "3505202611300001", "tanggal": "2026-11-30"}


def _counts(db: Database) -> dict[str, int]:
    with db.read() as s:
        return {
            table: s.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("bookings", "audit_log", "events", "tickets")
        }


def _with(value: str) -> bytes:
    """A JSON export whose name field is ``value`` as written in the file (so JSON escapes stay escapes)."""
    return json.dumps([GOOD | {"nama": "@@"}]).replace('"@@"', value).encode()


HOSTILE_FILES = {
    "5,000-digit number": b'[{"kode_booking": "MPH0001", "nomor_permohonan": ' + b"9" * 5000 + b', "tanggal": "x"}]',
    "escaped NUL": _with('"Budi\\u0000"'),
    "lone surrogate": _with('"Budi\\ud800"'),
    "escaped ESC": _with('"\\u001b[2J\\u001b[31mBudi"'),
    "escaped CSI": _with('"Budi\\u009b31m"'),
    "right-to-left override": _with('"Budi\\u202e"'),
    "NaN": _with("NaN"),
    "nested arrays": b'[{"kode_booking": ' + b"[" * 5000 + b"]" * 5000 + b"}]",
    "raw ESC in a CSV": b"kode_booking;nomor_permohonan;tanggal;nama\nMPH0001;3505202611300001;2026-11-30;\x1b[2J\n",
}


@pytest.mark.parametrize("name", list(HOSTILE_FILES))
def test_a_hostile_file_is_one_clear_error_and_writes_nothing(db: Database, clock: FixedClock, name: str) -> None:
    before, counts = snapshot(db), _counts(db)

    with pytest.raises(InvalidInput) as exc:
        bookings.import_bookings(db, HOSTILE_FILES[name], clock=clock)

    assert exc.value.message and "\n" not in exc.value.message
    assert find_refused(exc.value.message) is None
    assert _counts(db) == counts and snapshot(db) == before


def test_what_used_to_be_stored_raw_is_refused(db: Database, clock: FixedClock) -> None:
    # Before: the ESC passed the control-character check (it is "\u001b" in the file) and was stored.
    with pytest.raises(InvalidInput, match=r"U\+001B"):
        bookings.import_bookings(db, HOSTILE_FILES["escaped ESC"], clock=clock)
    with db.read() as s:
        assert s.execute(text("SELECT count(*) FROM bookings WHERE code = 'MPH0001'")).scalar_one() == 0


def test_a_name_with_an_unquoted_comma_is_rejected_as_the_column_count(db: Database, clock: FixedClock) -> None:
    data = (
        b"kode_booking,nomor_permohonan,nama,nik,tanggal,jam\n"
        b"MPH0001,3505202611300001,Budi Santoso,3505123456780001,30/11/2026,\n"
        b"MPH0002,3505202611300002,Test,InName,3505123456780002,30/11/2026,\n"
    )

    report = bookings.import_bookings(db, data, clock=clock)

    assert report.imported == 1
    [rejected] = report.rejected
    assert (rejected.row, rejected.code) == (3, "MPH0002")
    assert rejected.reason.startswith("7 values where the header has 6 columns (a separator inside a value")
    assert "InName" not in rejected.reason


# -- the command line -----------------------------------------------------------------------------------------


@pytest.fixture
def cli(db_url: str, capsys: pytest.CaptureFixture[str]) -> Any:
    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--db", db_url, *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_import_of_a_hostile_file_by_the_command_is_one_line(cli: Any, db: Database, tmp_path: Path) -> None:
    export = tmp_path / "export.json"
    export.write_bytes(HOSTILE_FILES["5,000-digit number"])
    counts = _counts(db)

    code, out, err = cli("bookings", "import", str(export))

    assert (code, out) == (2, "")
    assert err == "error: the file holds a number of 5000 characters; a booking's values are at most 64\n"
    assert _counts(db) == counts


def test_import_of_a_fifo_by_the_command_does_not_hang(cli: Any, db: Database, tmp_path: Path) -> None:
    fifo = tmp_path / "export.csv"
    os.mkfifo(fifo)
    counts = _counts(db)

    code, out, err = cli("bookings", "import", str(fifo), "--dry-run")

    assert (code, out) == (2, "") and len(err.splitlines()) == 1 and "is not a regular file" in err
    assert _counts(db) == counts


def test_import_of_dev_zero_by_the_command_is_refused(cli: Any, db: Database) -> None:
    counts = _counts(db)
    code, out, err = cli("bookings", "import", "/dev/zero", "--json")
    assert code == 2 and json.loads(out)["code"] == "invalid_input" and err == ""
    assert _counts(db) == counts


@pytest.mark.parametrize(
    "option", [["--name", "Budi\x1b[2J"], ["--name", "Budi\u009b1m"], ["--category", "booked\x1b[31m"]]
)
def test_bookings_add_refuses_a_control_character(cli: Any, db: Database, option: list[str]) -> None:
    counts = _counts(db)

    code, out, err = cli(
        "bookings", "add", "MPH0009", "--application", "3505202611300009", "--date", "2030-01-02", *option
    )

    assert (code, out) == (2, "")
    assert err.startswith("error: ") and len(err.splitlines()) == 1 and "U+00" in err
    assert find_refused(err.strip()) is None  # the error does not echo the escape to the terminal
    assert _counts(db) == counts


def test_reschedule_of_an_unknown_code_with_an_escape_does_not_echo_it(cli: Any, db: Database) -> None:
    code, _out, err = cli("bookings", "reschedule", "MP\x1b]0;owned\x07", "--date", "2030-01-02")
    assert code == 3 and "\x1b" not in err and "\x07" not in err


def test_bookings_list_has_a_header_and_statuses_in_indonesian(
    db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = Database.connect(db_url)
    try:
        code = bookings.list_bookings(db, MONDAY)[0].code
        with db.write() as s:
            s.execute(text("UPDATE bookings SET status = 'checked_in' WHERE code = :c"), {"c": code})
    finally:
        db.dispose()
    monkeypatch.setenv("COUNTER_DESK_LANG", "id")
    assert main(["--db", db_url, "bookings", "list", "--date", MONDAY.isoformat()]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["Kode", "No.", "permohonan", "Tanggal", "Jam", "Kategori", "Status", "Pemohon"]
    rows = lines[2:]
    assert all(" Permohonan M-Paspor " in line for line in rows)  # the category by its name, not its code
    assert not any(" booked " in line or "checked_in" in line for line in rows)
    assert any(" terjadwal " in line for line in rows) and any("sudah lapor diri" in line for line in rows)


def test_a_name_stored_before_the_checks_is_listed_without_its_escape(
    db: Database, cli: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code = bookings.list_bookings(db, MONDAY)[0].code
    with db.write() as s:  # as an older version (or a direct SQL client) could have stored it
        s.execute(text("UPDATE bookings SET applicant_name = :n WHERE code = :c"), {"n": "Budi\x1b[2J", "c": code})

    rc, out, _err = cli("bookings", "list", "--date", MONDAY.isoformat())

    assert rc == 0 and "\x1b" not in out and "Budi\ufffd[2J" in out


# -- generated hostile files: refused or imported, never a traceback, nothing written when refused ------------


def test_generated_hostile_files_never_end_in_a_traceback_and_refusals_write_nothing(
    db: Database, clock: FixedClock
) -> None:
    rng = random.Random(13)
    pieces = ["\\u0000", "\\u001b", "\\ud800", "\\udfff", "\\u009b", "\\u202e", "9" * 80, "NaN", "[[[[", "\\\\", '"']
    template = json.dumps([GOOD | {"nama": "Budi Santoso", "nik": "3505123456780001"}])
    counts = _counts(db)
    refused = 0
    for _n in range(150):
        chars = list(template)
        for _m in range(rng.randint(1, 3)):
            chars.insert(rng.randrange(len(chars)), rng.choice(pieces))
        try:
            report = bookings.import_bookings(db, "".join(chars).encode(), dry_run=True, clock=clock)
        except UserError as exc:
            refused += 1
            assert "\n" not in exc.message and find_refused(exc.message) is None
        else:
            assert not report.written
            assert all(find_refused(r.reason) is None for r in report.rejected)
        assert _counts(db) == counts
    assert refused > 50


# -- personal data in errors ----------------------------------------------------------------------------------


NIK = "3505999988887777"


def _refused_row(db: Database) -> None:
    """A statement the database refuses, with a name and a NIK in the row (PostgreSQL's DETAIL shows the row)."""
    with db.write() as s:
        s.execute(
            text(
                "INSERT INTO bookings (office_id, category_id, code, application_number, applicant_name, nik, "
                "slot_date, status, created_at) SELECT o.id, c.id, 'MPH0100', '3505202611300100', :name, :nik, "
                ":day, 'lost', :now FROM offices o JOIN categories c ON c.office_id = o.id LIMIT 1"
            ),
            {"day": MONDAY, "now": dt.datetime(2026, 11, 23, tzinfo=dt.UTC), "name": "Budi Rahasia", "nik": NIK},
        )


def test_a_refused_row_s_values_never_reach_the_summary(db: Database) -> None:
    with pytest.raises(DBAPIError) as exc:
        _refused_row(db)
    if db.dialect == "postgresql":
        assert "Budi Rahasia" in str(exc.value)  # the leak this guards against: DETAIL: Failing row contains (...)
    summary = bug_summary(exc.value)
    assert "Budi" not in summary and NIK not in summary and "\n" not in summary
    assert summary.split(":")[0] in ("IntegrityError", "CheckViolation [23514]")  # sqlite3, psycopg


def test_the_command_reports_a_database_bug_in_one_line_without_the_row(
    db: Database, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bookings, "list_bookings", lambda database, *_a, **_k: _refused_row(database))

    code, out, err = cli("bookings", "list", "--date", MONDAY.isoformat())

    assert code == EXIT_BUG and out.count("\n") <= 1
    assert err.startswith("error: the database refused the action (") and len(err.splitlines()) == 1
    assert "check constraint" in err.lower()
    assert "Budi" not in out + err and NIK not in out + err


def test_a_window_s_traceback_in_the_log_loses_the_failing_row(
    db: Database, db_url: str, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    # The program's logging is set up by main() (the windows are started through it too).
    assert main(["--db", db_url, "bookings", "list", "--date", MONDAY.isoformat()]) == 0
    capsys.readouterr()
    try:
        _refused_row(db)
    except DBAPIError as exc:
        logging.getLogger("counter_desk.views.station").error("action %s failed", "check_in", exc_info=exc)
        logging.getLogger("counter_desk.views.display").info("display: background read failed: %s", exc)

    assert "action check_in failed" in caplog.text and "Traceback" in caplog.text
    assert "Budi" not in caplog.text and NIK not in caplog.text
    if db.dialect == "postgresql":
        assert "DETAIL: (hidden: it may hold personal data)" in caplog.text

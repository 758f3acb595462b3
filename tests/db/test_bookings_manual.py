"""Manual booking entry, reschedule and the day's list, on both engines; and the ``bookings`` command."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import MONDAY, booking_code
from sqlalchemy import text

from counter_desk.cli import main
from counter_desk.clock import FixedClock
from counter_desk.errors import Conflict, InvalidInput, NotFound
from counter_desk.services import bookings, roles
from counter_desk.services.queue import QueueService
from counter_desk.store.engine import Database

TUESDAY = MONDAY + dt.timedelta(days=1)
REPO = Path(__file__).resolve().parents[2]


def _bookings(db: Database) -> list[Any]:
    with db.read() as s:
        return s.execute(text("SELECT * FROM bookings ORDER BY id")).all()


def _audit(db: Database, kind: str) -> list[dict[str, Any]]:
    with db.read() as s:
        rows = s.execute(text("SELECT detail FROM audit_log WHERE kind = :k ORDER BY id"), {"k": kind}).scalars()
        return [json.loads(r) if isinstance(r, str) else r for r in rows]


def test_add_a_booking_by_hand(db: Database, clock: FixedClock) -> None:
    view = bookings.add_booking(
        db, "MPM0001", "3505202611240099", "24/11/2026", slot="13:00-14:00", name=" Dewi  Lestari ",
        nik="3505 1234 1234 1299", category="pregnant", user="kasi", clock=clock,
    )  # fmt: skip

    assert view.to_json() == {
        "code": "MPM0001",
        "application_number": "3505202611240099",
        "category": "pregnant",
        "applicant_name": "Dewi Lestari",
        "nik": "3505123412341299",
        "date": "2026-11-24",
        "slot": "13:00-14:00",
        "status": "booked",
    }
    assert "MPM0001" in [b.code for b in bookings.list_bookings(db, TUESDAY)]
    assert _audit(db, "booking_added") == [{"code": "MPM0001"}]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"code": booking_code(1).lower()}, Conflict, "exists already"),
        ({"number": "2026112300000003"}, Conflict, "already has booking"),
        ({"day": "2026-11-22"}, InvalidInput, "is in the past"),
        ({"day": "2026-02-30"}, InvalidInput, "is not a date"),
        ({"nik": "123"}, InvalidInput, "is not 16 digits"),
        ({"slot": "9-10"}, InvalidInput, "is not a time range"),
        ({"category": "vip"}, InvalidInput, "unknown category"),
        ({"code": "a b"}, InvalidInput, "is not valid"),
        ({"user": "wawancara1"}, roles.NotAllowed, "may not do this"),
    ],
)
def test_bad_manual_bookings_write_nothing(
    db: Database, clock: FixedClock, kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    values: dict[str, Any] = {"code": "MPM0002", "number": "3505202611240098", "day": "2026-11-24"} | kwargs
    before = _bookings(db)

    with pytest.raises(error, match=message):
        bookings.add_booking(
            db,
            values.pop("code"),
            values.pop("number"),
            values.pop("day"),
            clock=clock,
            **values,
        )

    assert _bookings(db) == before


def test_reschedule_moves_the_booking_and_is_audited(db: Database, clock: FixedClock) -> None:
    view = bookings.reschedule(db, "2026112300000004", "2026-11-26", slot="10:00-11:00", clock=clock)

    assert (view.code, view.day, view.slot) == (booking_code(4), dt.date(2026, 11, 26), "10:00-11:00")
    assert booking_code(4) not in [b.code for b in bookings.list_bookings(db, MONDAY)]
    [detail] = _audit(db, "booking_rescheduled")
    assert detail["code"] == booking_code(4)
    assert detail["to"] == {"date": "2026-11-26", "slot": "10:00-11:00"}
    assert detail["from"]["date"] == "2026-11-23"


def test_reschedule_keeps_the_slot_when_none_is_given(db: Database, clock: FixedClock) -> None:
    before = next(b for b in bookings.list_bookings(db, MONDAY) if b.code == booking_code(5))

    after = bookings.reschedule(db, booking_code(5), TUESDAY, clock=clock)

    assert after.slot == before.slot and after.day == TUESDAY


def test_reschedule_refuses_what_it_must(db: Database, clock: FixedClock, queue: QueueService) -> None:
    queue.check_in(booking_code(1))
    before = _bookings(db)
    with pytest.raises(Conflict, match="already checked in"):
        bookings.reschedule(db, booking_code(1), TUESDAY, clock=clock)
    with pytest.raises(InvalidInput, match="in the past"):
        bookings.reschedule(db, booking_code(2), "2026-11-01", clock=clock)
    with pytest.raises(InvalidInput, match="is not a date"):
        bookings.reschedule(db, booking_code(2), "next week", clock=clock)
    with pytest.raises(NotFound, match="no booking with code or application number NOPE"):
        bookings.reschedule(db, "NOPE", TUESDAY, clock=clock)
    assert _bookings(db) == before


def test_the_list_of_a_day_is_in_slot_order(db: Database) -> None:
    day = bookings.list_bookings(db, MONDAY)

    assert len(day) == 30
    starts = [b.slot_start for b in day]
    assert starts == sorted(starts)  # type: ignore[type-var]


# -- the command ---------------------------------------------------------------------------------------------


@pytest.fixture
def cli(db_url: str, capsys: pytest.CaptureFixture[str]) -> Any:
    def run(*args: str) -> tuple[int, Any, str]:
        code = main(["--db", db_url, *args])
        out, err = capsys.readouterr()
        if "--json" in args:
            lines = out.strip().splitlines()
            assert len(lines) == 1, f"--json must print exactly one line, got {out!r}"
            return code, json.loads(lines[0]), err
        return code, out, err

    return run


def test_the_bookings_command(cli: Any, tmp_path: Path) -> None:
    # The command runs on the real clock: book days ahead of today.
    day = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)
    export = tmp_path / "export.csv"
    export.write_text(
        "\ufeffKode Booking;Nomor Permohonan;Nama;NIK;Tanggal;Jam\r\n"
        f"MPC0001;3505000000000001;Budi;3505123412341234;{day:%d/%m/%Y};08:00-09:00\r\n"
        f"MPC0002;3505000000000002;Siti;12;{day:%d/%m/%Y};09:00-10:00\r\n",
        encoding="utf-8",
    )

    code, report, _ = cli("bookings", "import", str(export), "--dry-run", "--json")
    assert code == 1  # a row was rejected
    assert (report["imported"], report["written"], report["dry_run"]) == (1, False, True)
    assert report["rejected"] == [{"row": 3, "code": "MPC0002", "reason": "NIK '99' is not 16 digits"}]

    code, out, _ = cli("bookings", "import", str(export))
    assert code == 1
    assert out.splitlines()[0] == "1 imported, 0 updated, 0 unchanged, 1 rejected"
    assert "row 3 (MPC0002): NIK '99' is not 16 digits" in out

    code, added, _ = cli(
        "bookings", "add", "MPC0003", "--application", "3505000000000003", "--date", day.isoformat(),
        "--slot", "10:00-11:00", "--name", "Agus", "--json",
    )  # fmt: skip
    assert code == 0 and added["slot"] == "10:00-11:00"

    later = day + dt.timedelta(days=1)
    code, moved, _ = cli("bookings", "reschedule", "MPC0001", "--date", later.isoformat(), "--json")
    assert code == 0 and moved["date"] == later.isoformat() and moved["slot"] == "08:00-09:00"

    code, listing, _ = cli("bookings", "list", "--date", day.strftime("%d/%m/%Y"), "--json")
    assert [b["code"] for b in listing["bookings"]] == ["MPC0003"]


def test_a_refused_file_is_one_error_line_and_an_exit_code(cli: Any, tmp_path: Path, db: Database) -> None:
    bad = tmp_path / "photo.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF")
    before = _bookings(db)

    code, out, err = cli("bookings", "import", str(bad))
    assert code == 2 and out == ""
    assert err.startswith("error: the file is not UTF-8 text") and len(err.splitlines()) == 1

    code, payload, _ = cli("bookings", "import", str(tmp_path / "missing.csv"), "--json")
    assert code == 2 and payload["code"] == "invalid_input" and "cannot read" in payload["error"]
    assert _bookings(db) == before


def test_the_documented_example_file_imports(db: Database) -> None:
    # docs/examples/ holds the example of docs/bookings-import.md; it must stay importable (dry run: its dates
    # may be in the past by the time this runs, so the clock is set to the example's day).
    example = REPO / "docs" / "examples" / "bookings-mpaspor.csv"
    clock = FixedClock(dt.datetime(2026, 11, 23, 0, 0, tzinfo=dt.UTC))

    report = bookings.import_file(db, example, dry_run=True, clock=clock)

    assert report.rows >= 5 and report.imported == report.rows and not report.rejected
    json_report = bookings.import_file(db, example.with_suffix(".json"), dry_run=True, clock=clock)
    assert json_report.imported == json_report.rows >= 3

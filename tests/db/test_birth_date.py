"""The applicant's date of birth: imported from the M-Paspor export, shown at reception, purged like the name."""

from __future__ import annotations

import datetime as dt

from conftest import MONDAY_9
from sqlalchemy import text

from counter_desk.clock import FixedClock
from counter_desk.services import bookings, seed
from counter_desk.services.queue import QueueService
from counter_desk.store.engine import Database

HEADER = "kode_booking;nomor_permohonan;nama;nik;tanggal;jam;tanggal_lahir\n"
DAY = MONDAY_9.date()


def _csv(*rows: str) -> bytes:
    return (HEADER + "".join(f"{r}\n" for r in rows)).encode()


def _births(db: Database) -> dict[str, dt.date | None]:
    with db.read() as s:
        rows = s.execute(text("SELECT code, birth_date FROM bookings WHERE code LIKE 'MPB%'")).all()
    return {
        code: born if born is None or isinstance(born, dt.date) else dt.date.fromisoformat(born) for code, born in rows
    }


def test_the_export_brings_the_birth_date_and_reception_sees_it(db: Database, clock: FixedClock) -> None:
    day = f"{DAY:%d/%m/%Y}"
    report = bookings.import_bookings(
        db,
        _csv(
            f"MPB0001;APPB0001;Budi Santoso;3505123412341234;{day};09:00-10:00;17/05/1990",
            f"MPB0002;APPB0002;Siti Wulandari;3505123412341235;{day};09:00-10:00;",
        ),
        clock=clock,
    )
    assert (report.imported, report.rejected) == (2, [])
    assert _births(db) == {"MPB0001": dt.date(1990, 5, 17), "MPB0002": None}
    result = QueueService(db, clock=clock).check_in(code="MPB0001")
    assert result.check_in is not None and result.check_in.birth_date == dt.date(1990, 5, 17)


def test_a_bad_birth_date_rejects_its_row_without_quoting_it(db: Database, clock: FixedClock) -> None:
    day = f"{DAY:%d/%m/%Y}"
    report = bookings.import_bookings(
        db,
        _csv(
            f"MPB0003;APPB0003;Agus Pratama;3505123412341236;{day};09:00-10:00;31/02/1990",
            f"MPB0004;APPB0004;Dewi Lestari;3505123412341237;{day};09:00-10:00;01/01/1899",
            f"MPB0005;APPB0005;Rina Hidayat;3505123412341238;{day};09:00-10:00;01/01/2099",
        ),
        clock=clock,
    )
    reasons = {r.code: r.reason for r in report.rejected}
    assert reasons == {
        "MPB0003": "the date of birth is not a date like 1990-05-17 or 17/05/1990",
        "MPB0004": "the date of birth is before 1900",
        "MPB0005": "the date of birth is after the booked day",
    }
    assert "31/02" not in " ".join(reasons.values())  # personal data: never quoted back
    assert report.imported == 0 and _births(db) == {}  # nothing written


def test_sample_bookings_have_a_birth_date(db: Database, clock: FixedClock) -> None:
    assert seed.sample_bookings(db, 3, clock=clock, day=DAY + dt.timedelta(days=7)) == 3
    with db.read() as s:
        born = s.execute(text("SELECT count(*) FROM bookings WHERE birth_date IS NULL")).scalar_one()
    assert born == 0  # every sample booking of the template and the new ones

"""Check-in on both engines: bookings, walk-ins, numbering, the office's day, and bad input writing nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import MONDAY_9, booking_code
from helpers import events, snapshot

from counter_desk import resources
from counter_desk.clock import FixedClock
from counter_desk.errors import Conflict, InvalidInput, NotFound, WrongDay, WrongOffice
from counter_desk.services import seed
from counter_desk.services.queue import QueueService
from counter_desk.store.engine import Database


def test_booking_check_in_issues_a_waiting_ticket(queue: QueueService, db: Database) -> None:
    result = queue.check_in(booking_code(1), station="reception-1", user="penerimaan1")

    t = result.ticket
    assert (t.number, t.status, t.stage, t.station, t.category) == ("A-001", "waiting", "interview", None, "booked")
    assert t.day == dt.date(2026, 11, 23)
    assert t.booking_code == booking_code(1)
    assert result.ahead == 0
    [event] = events(db)
    assert event["kind"] == "checked_in"
    assert event["seq"] == result.event_seq == 1
    assert event["to_status"] == "waiting" and event["from_status"] is None
    assert event["number"] == "A-001"
    assert event["station_id"] is not None and event["user_id"] is not None


def test_application_number_is_accepted_with_stray_spaces_and_case(queue: QueueService) -> None:
    result = queue.check_in("  2026112300000002 \n")
    assert result.ticket.booking_code == booking_code(2)


def test_numbers_are_per_prefix_and_gap_free(queue: QueueService) -> None:
    numbers = [queue.check_in(booking_code(n)).ticket.number for n in (1, 2, 3)]
    numbers += [queue.check_in(walk_in=c).ticket.number for c in ("elderly", "pregnant", "lost")]
    assert numbers == ["A-001", "A-002", "A-003", "P-001", "P-002", "H-001"]


def test_people_ahead_counts_priority_and_slot(queue: QueueService) -> None:
    # Booking 30 has the latest slot of the day, booking 1 the earliest: the early slot goes first.
    late = queue.check_in(booking_code(30))
    early = queue.check_in(booking_code(1))
    priority = queue.check_in(walk_in="disability")
    assert late.ahead == 0
    assert early.ahead == 0
    assert priority.ahead == 0
    assert queue.ticket(late.ticket.number).number == "A-001"
    assert [w.ticket.number for w in queue.status(stage="interview").waiting] == ["P-001", "A-002", "A-001"]


def test_second_check_in_of_a_booking_is_refused_and_writes_nothing(queue: QueueService, db: Database) -> None:
    queue.check_in(booking_code(1))
    before = snapshot(db)
    with pytest.raises(Conflict, match=r"already checked in: ticket A-001, issued at 09:00"):
        queue.check_in(booking_code(1))
    assert snapshot(db) == before


def test_booking_for_another_day_is_refused(queue: QueueService, db: Database) -> None:
    before = snapshot(db)
    tomorrow = booking_code(1, MONDAY_9.date() + dt.timedelta(days=1))
    with pytest.raises(WrongDay, match=r"is for Tuesday 24 November 2026, not today \(23 November 2026\)"):
        queue.check_in(tomorrow)
    assert snapshot(db) == before


@pytest.mark.parametrize("garbage", ["", "   ", "MP-UNKNOWN", "\x00\x1b[A", "x" * 65, "https://evil.example/?a=1"])
def test_unknown_or_garbled_codes_are_refused(queue: QueueService, db: Database, garbage: str) -> None:
    before = snapshot(db)
    with pytest.raises((NotFound, InvalidInput)):
        queue.check_in(garbage)
    assert snapshot(db) == before


def test_a_failed_check_in_does_not_use_up_a_number(queue: QueueService) -> None:
    queue.check_in(booking_code(1))
    with pytest.raises(Conflict):
        queue.check_in(booking_code(1))
    assert queue.check_in(booking_code(2)).ticket.number == "A-002"


def test_booking_of_another_office_names_that_office(db: Database, clock: FixedClock, tmp_path: Path) -> None:
    other = tmp_path / "other.toml"
    text = resources.seed_file("reference_office.toml").read_text(encoding="utf-8")
    text = text.replace('code = "kanim-blitar"', 'code = "kanim-malang"').replace(
        "Kantor Imigrasi Kelas II Non TPI Blitar", "Kantor Imigrasi Kelas I TPI Malang"
    )
    # Users are unique across offices; give the second office its own.
    text = text.split("# Officers")[0]
    other.write_text(text, encoding="utf-8")
    seed.load(db, other, clock=clock)
    with db.write() as s:
        from sqlalchemy import text as sql

        s.execute(
            sql(
                "INSERT INTO bookings (office_id, code, application_number, category_id, applicant_name, nik,"
                " slot_date, status, created_at) SELECT o.id, 'MLG-1', '99', c.id, NULL, NULL, :day, 'booked', :now"
                " FROM offices o JOIN categories c ON c.office_id = o.id AND c.code = 'booked'"
                " WHERE o.code = 'kanim-malang'"
            ),
            {"day": MONDAY_9.date(), "now": MONDAY_9.replace(tzinfo=None)},
        )
    blitar = QueueService(db, clock=clock, office="kanim-blitar")
    before = snapshot(db)
    with pytest.raises(WrongOffice, match="Kantor Imigrasi Kelas I TPI Malang"):
        blitar.check_in("MLG-1")
    assert snapshot(db) == before
    with pytest.raises(InvalidInput, match="several offices"):
        QueueService(db, clock=clock).check_in(booking_code(1))


def test_walk_in_needs_a_walk_in_category(queue: QueueService, db: Database) -> None:
    before = snapshot(db)
    with pytest.raises(InvalidInput, match="needs a booking; walk-in categories are: child, disability"):
        queue.check_in(walk_in="booked")
    with pytest.raises(NotFound, match="unknown category 'vip'"):
        queue.check_in(walk_in="vip")
    with pytest.raises(InvalidInput):
        queue.check_in(booking_code(1), walk_in="elderly")
    with pytest.raises(NotFound, match="unknown station 'reception-9'"):
        queue.check_in(booking_code(1), station="reception-9")
    with pytest.raises(NotFound, match="unknown or inactive user 'ghost'"):
        queue.check_in(booking_code(1), user="ghost")
    assert snapshot(db) == before


def test_numbers_restart_at_midnight_in_the_office_time_zone(queue: QueueService, clock: FixedClock) -> None:
    # 16:30 UTC on Monday is 23:30 in Jakarta: still Monday (the "wrong after 17:00" bug of others).
    # The office is closed then: an emergency past midnight needs the supervisor's override.
    clock.set(dt.datetime(2026, 11, 23, 16, 30, tzinfo=dt.UTC))
    late = queue.check_in(walk_in="elderly", override_by="kasi").ticket
    assert (late.number, late.day) == ("P-001", dt.date(2026, 11, 23))
    clock.set(dt.datetime(2026, 11, 23, 17, 1, tzinfo=dt.UTC))  # 00:01 Tuesday in Jakarta
    after = queue.check_in(walk_in="elderly", override_by="kasi").ticket
    assert (after.number, after.day) == ("P-001", dt.date(2026, 11, 24))
    # Monday's ticket is still in the queue past midnight and is called first (it arrived first).
    assert queue.call_next("interview-1").ticket.id == late.id


def test_tuesday_bookings_check_in_on_tuesday(queue: QueueService, clock: FixedClock) -> None:
    clock.set(dt.datetime(2026, 11, 24, 1, 0, tzinfo=dt.UTC))
    result = queue.check_in(booking_code(1, dt.date(2026, 11, 24)))
    assert (result.ticket.number, result.ticket.day) == ("A-001", dt.date(2026, 11, 24))
    with pytest.raises(WrongDay):
        queue.check_in(booking_code(2))  # Monday's booking, a day late


def test_idempotent_check_in(queue: QueueService, db: Database) -> None:
    first = queue.check_in(walk_in="elderly", token="reception-1:42")
    before = snapshot(db)
    again = queue.check_in(walk_in="elderly", token="reception-1:42")
    assert again.replayed and again.event_seq is None
    assert again.ticket.id == first.ticket.id
    assert snapshot(db) == before

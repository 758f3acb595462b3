"""Passport pickups on both engines: the ready date, issue and reprint, the decision, every refusal at the pickup
counter (each writing nothing), the handover, and the command line."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from conftest import MONDAY_9, booking_code
from helpers import events, snapshot
from sqlalchemy import select, text, update

from counter_desk.cli import main
from counter_desk.clock import FixedClock
from counter_desk.errors import Conflict, InvalidInput, InvalidTransition, NotFound, WrongDay, WrongOffice
from counter_desk.services import calendar, rules, seed
from counter_desk.services.pickups import PickupService, collect_by, pickup_code
from counter_desk.services.queue import QueueService
from counter_desk.store.engine import Database
from counter_desk.store.models import Office, Pickup

OFFICE = "kanim-blitar"


def _day(y: int, m: int, d: int, hour: int = 9) -> dt.datetime:
    """``hour`` o'clock in Jakarta (UTC+7) on that day, as UTC."""
    return dt.datetime(y, m, d, hour - 7, tzinfo=dt.UTC)


def _interviewed(queue: QueueService, code: str, *, station: str = "interview-1") -> str:
    """Check ``code`` in, interview it and pass it on to adjudication; the ticket number."""
    number = queue.check_in(code).ticket.number
    queue.call_next(station)
    queue.transfer("adjudication", station=station)
    return number


def _decide(queue: QueueService, outcome: str) -> None:
    queue.call_next("adjudicator")
    queue.finish("adjudicator", outcome=outcome, reason="documents checked" if outcome == "rejected" else None)


def _pickups(db: Database) -> list[Any]:
    with db.read() as s:
        return list(s.execute(text("SELECT * FROM pickups ORDER BY id")).all())


def _everything(db: Database) -> dict[str, Any]:
    return {**snapshot(db), "pickups": _pickups(db)}


@pytest.fixture
def pickups(db: Database, clock: FixedClock) -> PickupService:
    return PickupService(db, clock=clock)


# ---------------------------------------------------------------------- the ready date


def test_ready_four_working_days_after_the_interview(queue: QueueService, pickups: PickupService) -> None:
    issued = pickups.issue(_interviewed(queue, booking_code(1)))
    # Monday 23 November + 4 working days = Friday 27 November; collect within 30 days: by Monday 28 December
    # (27 December is a Sunday: moved on to the next working day).
    assert issued.pickup.ready_on == dt.date(2026, 11, 27)
    assert issued.pickup.collect_by == dt.date(2026, 12, 28)
    assert not issued.reprint and issued.pickup.status == "pending"


def test_ready_date_skips_a_friday_holiday_and_the_weekend(
    db: Database, queue: QueueService, pickups: PickupService, clock: FixedClock
) -> None:
    calendar.set_holiday(db, OFFICE, dt.date(2026, 11, 27), "Cuti bersama", clock=clock)
    issued = pickups.issue(_interviewed(queue, booking_code(1)))
    assert issued.pickup.ready_on == dt.date(2026, 11, 30)  # Tue, Wed, Thu, (Fri holiday, weekend) Mon


def test_ready_date_follows_the_configured_working_days(
    db: Database, queue: QueueService, pickups: PickupService, clock: FixedClock
) -> None:
    rules.update(db, OFFICE, {"pickup_working_days": 9, "pickup_within_days": 3}, clock=clock)
    issued = pickups.issue(_interviewed(queue, booking_code(1)))
    assert issued.pickup.ready_on == dt.date(2026, 12, 4)  # two weeks less a day, weekends skipped
    assert issued.pickup.collect_by == dt.date(2026, 12, 7)  # 7 December: a Monday
    assert issued.pickup.within_days == 3


def test_ready_date_across_the_year_boundary(db: Database, clock: FixedClock) -> None:
    wednesday = dt.date(2026, 12, 30)
    seed.sample_bookings(db, 1, clock=clock, day=wednesday)
    calendar.set_holiday(db, OFFICE, dt.date(2026, 12, 31), "Cuti bersama Tahun Baru", clock=clock)
    calendar.set_holiday(db, OFFICE, dt.date(2027, 1, 1), "Tahun Baru 2027", clock=clock)
    clock.set(_day(2026, 12, 30))
    queue, pickups = QueueService(db, clock=clock), PickupService(db, clock=clock)
    issued = pickups.issue(_interviewed(queue, booking_code(1, wednesday)))
    # (Thu, Fri holidays; weekend) Mon 4, Tue 5, Wed 6, Thu 7 January 2027.
    assert issued.pickup.ready_on == dt.date(2027, 1, 7)
    with db.read() as s:
        assert calendar.working_day_after(s, 1, dt.date(2026, 12, 31), 1) == dt.date(2027, 1, 4)
        assert collect_by(s, 1, dt.date(2027, 1, 7), 30) == dt.date(2027, 2, 8)  # 6 February: a Saturday


# ---------------------------------------------------------------------- issue, reprint, decision


def test_issuing_twice_returns_the_same_pickup(db: Database, queue: QueueService, pickups: PickupService) -> None:
    number = _interviewed(queue, booking_code(3))
    first = pickups.issue(number, user="wawancara1")
    before = _everything(db)
    again = pickups.issue(number.lower())
    assert again.reprint and again.pickup == first.pickup
    assert _everything(db) == before
    assert first.pickup.code == pickup_code("2026112300000003") == "P2026112300000003" + first.pickup.code[-1]
    assert first.pickup.interview_ticket == number and first.pickup.nik and first.pickup.applicant_name


def test_a_finished_interview_gets_a_receipt_too(queue: QueueService, pickups: PickupService) -> None:
    number = queue.check_in(booking_code(2)).ticket.number
    queue.call_next("interview-2")
    queue.finish("interview-2")
    assert pickups.issue(number).pickup.status == "pending"


@pytest.mark.parametrize("outcome", ["approved", "rejected"])
def test_the_adjudicators_decision_sets_the_pickup(
    queue: QueueService, pickups: PickupService, clock: FixedClock, outcome: str
) -> None:
    number = _interviewed(queue, booking_code(1))
    pickups.issue(number)
    clock.advance(dt.timedelta(hours=2))
    _decide(queue, outcome)
    found = pickups.find(number)
    assert (found.status, found.decided_at) == (outcome, clock.now())


def test_a_decision_before_the_receipt_is_kept(queue: QueueService, pickups: PickupService) -> None:
    number = _interviewed(queue, booking_code(1))
    _decide(queue, "approved")
    assert pickups.issue(number).pickup.status == "approved"


def test_finishing_without_a_decision_leaves_it_pending(queue: QueueService, pickups: PickupService) -> None:
    number = _interviewed(queue, booking_code(1))
    pickups.issue(number)
    queue.call_next("adjudicator")
    queue.finish("adjudicator")
    assert pickups.find(number).status == "pending"


@pytest.mark.parametrize("case", ["walk_in", "still_at_interview", "being_served", "unknown"])
def test_refused_issues_write_nothing(db: Database, queue: QueueService, pickups: PickupService, case: str) -> None:
    if case == "walk_in":
        number = queue.check_in(walk_in="elderly").ticket.number
        queue.call_next("interview-1")
        queue.transfer("adjudication", station="interview-1")
        error: type[Exception] = InvalidInput
    elif case == "still_at_interview":
        number, error = queue.check_in(booking_code(1)).ticket.number, InvalidTransition
    elif case == "being_served":
        number = queue.check_in(booking_code(1)).ticket.number
        queue.call_next("interview-1")
        queue.start("interview-1")
        error = InvalidTransition
    else:
        number, error = "A-999", NotFound
    before = _everything(db)
    with pytest.raises(error):
        pickups.issue(number)
    assert _everything(db) == before


def test_find_by_application_ticket_or_code(queue: QueueService, pickups: PickupService) -> None:
    number = _interviewed(queue, booking_code(4))
    code = pickups.issue(number).pickup.code
    assert pickups.find("2026112300000004").code == code
    assert pickups.find(number).code == code
    assert pickups.find(code.lower()).code == code
    with pytest.raises(NotFound, match="no pickup receipt for 2026112300000005"):
        pickups.find("2026112300000005")


# ---------------------------------------------------------------------- the pickup counter


def _approved(queue: QueueService, pickups: PickupService, n: int = 1) -> str:
    number = _interviewed(queue, booking_code(n))
    code = pickups.issue(number).pickup.code
    _decide(queue, "approved")
    return code


def _friday(clock: FixedClock) -> None:
    clock.set(_day(2026, 11, 27, 10))


def test_full_pickup_flow(db: Database, queue: QueueService, pickups: PickupService, clock: FixedClock) -> None:
    code = _approved(queue, pickups)
    _friday(clock)
    call = pickups.scan(f"\x1d{code}\r\n", "pickup", user="pengambilan")
    t = call.result.ticket
    assert (t.number, t.status, t.station, t.stage, t.category) == ("C-001", "called", "pickup", "pickup", "pickup")
    assert call.pickup.pickup_ticket == "C-001" and pickups.held("pickup") == call.pickup
    assert [e["kind"] for e in events(db, ticket_id=t.id)] == ["checked_in", "called"]

    done = pickups.handover("pickup", "applicant", user="pengambilan")
    assert done.result.ticket.status == "done" and done.result.ticket.outcome == "handed_over"
    p = done.pickup
    assert (p.status, p.recipient, p.recipient_name) == ("handed_over", "applicant", p.applicant_name)
    assert (p.handed_over_at, p.handed_over_by) == (clock.now(), "Petugas Pengambilan")
    assert pickups.held("pickup") is None
    last = events(db, ticket_id=t.id)[-1]
    assert last["data"] == {"outcome": "handed_over", "pickup": code, "recipient": "applicant"}


def test_a_family_member_collects(queue: QueueService, pickups: PickupService, clock: FixedClock) -> None:
    code = _approved(queue, pickups)
    _friday(clock)
    pickups.scan(code, "pickup")
    with pytest.raises(InvalidInput, match="name of the family member"):
        pickups.handover("pickup", "family")
    with pytest.raises(InvalidInput, match="Kartu Keluarga"):
        pickups.handover("pickup", "family", "Siti Aminah")
    with pytest.raises(InvalidInput, match="applicant or a family member"):
        pickups.handover("pickup", "neighbour", "Pak RT", same_kk=True)
    p = pickups.handover("pickup", "family", "  Siti   Aminah ", same_kk=True).pickup
    assert (p.recipient, p.recipient_name) == ("family", "Siti Aminah")


def test_a_pickup_ticket_left_unserved_can_be_scanned_again(
    queue: QueueService, pickups: PickupService, clock: FixedClock
) -> None:
    code = _approved(queue, pickups)
    _friday(clock)
    first = pickups.scan(code, "pickup").result.ticket.number
    with pytest.raises(Conflict, match=f"already has ticket {first} \\(called\\)"):
        pickups.scan(code, "pickup")
    queue.return_to_queue(station="pickup")
    with pytest.raises(Conflict, match=f"already has ticket {first} \\(waiting\\)"):
        pickups.scan(code, "pickup")
    queue.call_next("pickup")
    clock.advance(dt.timedelta(minutes=2))
    queue.no_show("pickup")
    assert pickups.scan(code, "pickup").result.ticket.number == "C-002"


def test_a_pickup_ticket_from_reception_is_linked_not_doubled(
    db: Database, queue: QueueService, pickups: PickupService, clock: FixedClock
) -> None:
    code = _approved(queue, pickups)
    _friday(clock)
    walk_in = queue.check_in(walk_in="pickup").ticket  # reception issued C-001; the counter calls it
    queue.call_next("pickup")
    before = snapshot(db)
    call = pickups.scan(code, "pickup")
    assert call.result.ticket.id == walk_in.id and call.pickup.pickup_ticket == walk_in.number
    assert snapshot(db) == before  # no ticket, no event: only the pickup's link
    assert pickups.handover("pickup", "applicant").pickup.status == "handed_over"


def test_handover_needs_a_scanned_pickup_ticket(queue: QueueService, pickups: PickupService, db: Database) -> None:
    queue.check_in(walk_in="pickup")
    queue.call_next("pickup")
    before = _everything(db)
    with pytest.raises(InvalidInput, match="scan the receipt first"):
        pickups.handover("pickup", "applicant", "Budi")
    with pytest.raises(InvalidTransition, match="holds no ticket"):
        pickups.handover("adjudicator", "applicant", "Budi")
    assert _everything(db) == before


def test_a_repeated_scan_token_issues_one_ticket(
    queue: QueueService, pickups: PickupService, clock: FixedClock
) -> None:
    code = _approved(queue, pickups)
    _friday(clock)
    first = pickups.scan(code, "pickup", token="scan-1")
    again = pickups.scan(code, "pickup", token="scan-1")
    assert again.result.replayed and again.result.ticket.id == first.result.ticket.id
    assert again.pickup.pickup_ticket == "C-001"


def _other_office(db: Database, code: str) -> None:
    with db.write() as s:
        office = Office(code="kanim-malang", name="Kantor Imigrasi Kelas I TPI Malang", timezone="Asia/Jakarta")
        s.add(office)
        s.flush()
        s.execute(update(Pickup).where(Pickup.code == code).values(office_id=office.id))


REFUSALS = {
    "malformed": (InvalidInput, "is not a pickup code"),
    "check_character": (InvalidInput, "check character is wrong"),
    "unknown": (NotFound, "no pickup receipt P2026112300000029"),
    "other_office": (WrongOffice, "is from Kantor Imigrasi Kelas I TPI Malang"),
    "not_ready": (WrongDay, "not ready yet: it can be collected from Friday 27 November 2026"),
    "pending": (Conflict, "not approved yet"),
    "rejected": (Conflict, "was rejected"),
    "handed_over": (Conflict, "already handed over on 27 November 2026 at 10:00"),
    "expired": (WrongDay, "had to be collected by 28 December 2026"),
    "not_a_pickup_counter": (InvalidInput, "not a pickup counter"),
    "station_busy": (Conflict, "already holds C-001"),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_refused_scans_write_nothing(
    db: Database, queue: QueueService, pickups: PickupService, clock: FixedClock, case: str
) -> None:
    number = _interviewed(queue, booking_code(1))
    code = pickups.issue(number).pickup.code
    station = "pickup"
    if case != "pending":
        _decide(queue, "rejected" if case == "rejected" else "approved")
    other = _approved(queue, pickups, 2) if case == "station_busy" else ""
    if case != "not_ready":
        _friday(clock)
    payload = code
    if case == "malformed":
        payload = "%%garbage%%"
    elif case == "check_character":
        payload = code[:-1] + ("0" if code[-1] != "0" else "1")
    elif case == "unknown":
        payload = pickup_code("2026112300000029")
    elif case == "other_office":
        _other_office(db, code)
        pickups = PickupService(db, clock=clock, office=OFFICE)  # two offices now: name ours
    elif case == "handed_over":
        pickups.scan(code, station)
        pickups.handover(station, "applicant")
    elif case == "expired":
        clock.set(_day(2026, 12, 29))
    elif case == "not_a_pickup_counter":
        station = "interview-1"
    elif case == "station_busy":
        pickups.scan(other, station)  # the counter serves another applicant's pickup
    before = _everything(db)
    error, message = REFUSALS[case]
    with pytest.raises(error, match=message):
        pickups.scan(payload, station)
    assert _everything(db) == before


def test_the_last_day_is_still_collectable(queue: QueueService, pickups: PickupService, clock: FixedClock) -> None:
    code = _approved(queue, pickups)
    clock.set(_day(2026, 12, 28, 15))
    assert pickups.scan(code, "pickup").pickup.status == "approved"


# ---------------------------------------------------------------------- command line


def test_pickup_and_print_commands(
    db_url: str, db: Database, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # The CLI runs on the real clock: work on a booking of today, whatever day the suite runs.
    today = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=7))).date()
    seed.sample_bookings(db, 1, day=today, clock=FixedClock(MONDAY_9))
    rules.update(db, None, {"checkin_hours": "allow"})  # and at any hour (a weekend, an evening)
    base = ["--db", db_url]
    assert main([*base, "queue", "check-in", booking_code(1, today)]) == 0
    assert main([*base, "queue", "call-next", "--station", "interview-1"]) == 0
    capsys.readouterr()
    assert main([*base, "pickup", "issue", "A-001", "--json"]) == 4  # still at the interview: not passed on
    assert main([*base, "queue", "transfer", "--station", "interview-1", "--to-stage", "adjudication"]) == 0
    capsys.readouterr()
    assert main([*base, "pickup", "issue", "A-001", "--json", "--user", "wawancara1"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["reprint"] is False and out["status"] == "pending" and out["nik"].startswith("3505********")
    code = out["code"]
    assert main([*base, "pickup", "issue", "A-001"]) == 0
    assert "already issued" in capsys.readouterr().out

    pdf = tmp_path / "pickup.pdf"
    assert main([*base, "print", "pickup-receipt", code, "--pdf", str(pdf), "--paper", "58mm"]) == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    raw = tmp_path / "pickup.bin"
    assert main([*base, "print", "pickup-receipt", "A-001", "--escpos-file", str(raw), "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["kind"] == "pickup"
    assert b"\x1dkI" in raw.read_bytes() and b"\x1d(k" in raw.read_bytes()

    missing = tmp_path / "handover.pdf"
    assert main([*base, "print", "handover", code, "--pdf", str(missing)]) == 4  # not handed over yet
    assert not missing.exists()
    assert main([*base, "pickup", "scan", code, "--station", "pickup"]) in (4, 6)  # pending or not ready
    assert main([*base, "print", "test-page", "--pdf", str(tmp_path / "test.pdf")]) == 0
    assert main([*base, "print", "status", "--json"]) == 0
    assert '"printer": null' in capsys.readouterr().out.splitlines()[-1]
    with db.read() as s:
        assert len(s.scalars(select(Pickup)).all()) == 1

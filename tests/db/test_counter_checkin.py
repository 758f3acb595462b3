"""Issue 14 at reception, on both engines: what the clerk checks against the KTP, the late/early judgement, office
hours and working days with an audited supervisor override, and text rules that refuse control characters."""

from __future__ import annotations

import datetime as dt
import json
import re
from zoneinfo import ZoneInfo

import pytest
from conftest import MONDAY, booking_code
from helpers import events, snapshot
from sqlalchemy import text

from counter_desk.clock import FixedClock
from counter_desk.errors import Conflict, InvalidInput, NotFound, WrongOffice
from counter_desk.services import rules, seed, views
from counter_desk.services.masking import mask_name, mask_nik
from counter_desk.services.queue import QueueService
from counter_desk.services.queue_errors import LateRefused, OfficeClosed
from counter_desk.services.roles import NotAllowed
from counter_desk.store.engine import Database

WIB = ZoneInfo("Asia/Jakarta")


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=WIB).astimezone(dt.UTC)


@pytest.fixture(autouse=True)
def _office_hours_enforced(db: Database) -> None:
    """The reference office's rule (seeded), set here too: the tests' template may relax it for real-clock CLIs."""
    rules.update(db, None, {"checkin_hours": "enforce"})


def _booking(db: Database, n: int) -> dict[str, object]:
    with db.read() as s:
        row = s.execute(
            text("SELECT application_number, applicant_name, nik FROM bookings WHERE code = :c"),
            {"c": booking_code(n)},
        ).one()
    return dict(row._mapping)


def _audit(db: Database, kind: str) -> list[tuple[str | None, object]]:
    with db.read() as s:
        return [
            (r.username, json.loads(r.detail) if isinstance(r.detail, str) else r.detail)
            for r in s.execute(text("SELECT username, detail FROM audit_log WHERE kind = :k ORDER BY id"), {"k": kind})
        ]


def test_check_in_tells_reception_what_to_check_against_the_ktp(queue: QueueService, db: Database) -> None:
    with db.write() as s:
        s.execute(
            text("UPDATE bookings SET birth_date = :d WHERE code = :c"),
            {"d": dt.date(1990, 5, 17), "c": booking_code(6)},
        )
    booked = _booking(db, 6)
    result = queue.check_in(booking_code(6), station="reception-1", user="penerimaan1")  # slot 09:00, now 09:00
    info = result.check_in
    assert info is not None
    assert (info.application_number, info.birth_date) == (booked["application_number"], dt.date(1990, 5, 17))
    assert info.name_masked == mask_name(str(booked["applicant_name"])) and "*" in info.name_masked
    assert info.nik_masked == mask_nik(str(booked["nik"])) and info.nik_masked.count("*") == 8
    assert (info.slot_date, info.slot_start, info.slot_end) == (MONDAY, dt.time(9), dt.time(10))
    assert (info.arrival, info.minutes_from_slot, info.late_policy, info.override) == ("on_time", 0, None, None)
    data = result.to_json()["check_in"]
    assert (data["arrival"], data["birth_date"], data["slot_start"]) == ("on_time", "1990-05-17", "09:00:00")
    assert str(booked["nik"]) not in str(result.to_json())  # the full NIK never leaves the service
    # A walk-in has nothing to check against a booking.
    walk_in = queue.check_in(walk_in="elderly").check_in
    assert walk_in is not None and (walk_in.arrival, walk_in.name_masked, walk_in.slot_start) == ("walk_in", None, None)


def test_early_on_time_and_late_arrivals_are_flagged(queue: QueueService, db: Database, clock: FixedClock) -> None:
    clock.set(at(MONDAY, 9, 20))
    early = queue.check_in(booking_code(10)).check_in  # slot 10:00
    on_time = queue.check_in(booking_code(6)).check_in  # slot 09:00, on time until 09:30
    late = queue.check_in(booking_code(1))  # slot 08:00: 80 minutes late, joins the end of the queue
    assert early is not None and (early.arrival, early.minutes_from_slot) == ("early", -40)
    assert on_time is not None and (on_time.arrival, on_time.minutes_from_slot) == ("on_time", 20)
    assert late.check_in is not None
    assert (late.check_in.arrival, late.check_in.minutes_from_slot, late.check_in.late_policy) == (
        "late",
        80,
        "end_of_queue",
    )
    # Booked earliest, yet queued by its arrival: behind the 09:00 booking, ahead of the 10:00 one's slot.
    assert late.ahead == 1
    checked = [e["data"] for e in events(db, kind="checked_in")]
    assert [d["arrival"] for d in checked] == ["early", "on_time", "late"]
    assert checked[2]["late"] is True and checked[2]["late_policy"] == "end_of_queue"
    assert views.arrival_label("late") == "late"


def test_late_policies_accept_and_refuse_with_a_supervisors_override(
    queue: QueueService, db: Database, clock: FixedClock
) -> None:
    clock.set(at(MONDAY, 9, 20))
    rules.update(db, None, {"late_policy": "accept"}, user="kasi", clock=clock)
    accepted = queue.check_in(booking_code(1))
    assert accepted.check_in is not None and accepted.check_in.late_policy == "accept" and accepted.ahead == 0

    rules.update(db, None, {"late_policy": "refuse"}, user="kasi", clock=clock)
    before = snapshot(db)
    with pytest.raises(LateRefused, match=r"must book again \(a supervisor may override\)") as refused:
        queue.check_in(booking_code(2), station="reception-1", user="penerimaan1")
    assert refused.value.code == "late_refused" and refused.value.overridable
    assert snapshot(db) == before
    # A clerk cannot override; a supervisor can, and it is audited with the ticket and the clerk.
    with pytest.raises(NotAllowed):
        queue.check_in(booking_code(2), station="reception-1", user="penerimaan1", override_by="penerimaan1")
    assert snapshot(db) == before
    let_in = queue.check_in(booking_code(2), station="reception-1", user="penerimaan1", override_by="kasi")
    assert let_in.check_in is not None
    assert (let_in.check_in.override, let_in.check_in.override_by, let_in.check_in.late_policy) == (
        "late_refused",
        "kasi",
        "end_of_queue",
    )
    assert _audit(db, "checkin_override") == [
        (
            "kasi",
            {
                "ticket": let_in.ticket.number,
                "override": "late_refused",
                "clerk": "penerimaan1",
                "booking": booking_code(2),
            },
        )
    ]
    assert events(db, kind="checked_in")[-1]["data"]["override_by"] == "kasi"


@pytest.mark.parametrize(
    ("when", "reason", "says"),
    [
        (
            at(dt.date(2026, 11, 28), 10),
            "closed_day",
            "does not work on Saturday 28 November 2026: check-in opens Monday 30 November 2026 at 07:30",
        ),
        (
            at(dt.date(2026, 12, 25), 10),
            "holiday",
            "closed today (Hari Raya Natal): check-in opens Monday 28 December 2026 at 07:30",
        ),
        (at(MONDAY, 7, 29), "before_open", "opens at 07:30: check-in is not open yet"),
        (at(MONDAY, 16, 0), "after_close", "closed at 16:00: check-in opens Tuesday 24 November 2026 at 07:30"),
    ],
)
def test_closed_office_refuses_check_in_until_a_supervisor_overrides(  # noqa: PLR0917 - parametrised
    queue: QueueService, db: Database, clock: FixedClock, when: dt.datetime, reason: str, says: str
) -> None:
    clock.set(when)
    before = snapshot(db)
    with pytest.raises(OfficeClosed, match=re.escape(says)) as closed:
        queue.check_in(walk_in="elderly", station="reception-1", user="penerimaan1")
    assert (closed.value.code, closed.value.reason, closed.value.overridable) == ("office_closed", reason, True)
    assert snapshot(db) == before
    with pytest.raises(NotFound):  # an unknown supervisor name lets nothing through
        queue.check_in(walk_in="elderly", override_by="nobody")
    assert snapshot(db) == before
    result = queue.check_in(walk_in="elderly", station="reception-1", user="penerimaan1", override_by="kasi")
    assert result.check_in is not None and (result.check_in.override, result.check_in.override_by) == (reason, "kasi")
    [(who, detail)] = _audit(db, "checkin_override")
    assert who == "kasi" and detail == {
        "ticket": "P-001",
        "override": reason,
        "clerk": "penerimaan1",
        "walk_in": "elderly",
    }


def test_open_hours_pass_and_the_rules_can_widen_them(queue: QueueService, db: Database, clock: FixedClock) -> None:
    clock.set(at(MONDAY, 7, 30))
    ticket = queue.check_in(walk_in="elderly", override_by="kasi")
    assert ticket.check_in is not None and ticket.check_in.override is None  # open: nothing to override, no audit
    assert _audit(db, "checkin_override") == []
    saturday = at(dt.date(2026, 11, 28), 9)
    clock.set(saturday)
    rules.update(db, None, {"working_days": "Sen, sel rab kam jum SAB"}, user="kasi", clock=clock)
    assert rules.current(db)["working_days"] == "1 2 3 4 5 6"
    assert queue.check_in(walk_in="elderly").ticket.number == "P-001"  # Saturday is a working day now
    clock.set(at(dt.date(2026, 11, 29), 22))  # Sunday night
    rules.update(db, None, {"checkin_hours": "allow"}, user="kasi", clock=clock)
    assert queue.check_in(walk_in="elderly").check_in.override is None  # type: ignore[union-attr]


def test_a_replayed_check_in_returns_the_same_check_details(queue: QueueService, clock: FixedClock) -> None:
    clock.set(at(MONDAY, 9, 20))
    first = queue.check_in(booking_code(1), token="rc-1")
    again = queue.check_in(booking_code(1), token="rc-1")
    assert again.replayed and again.check_in == first.check_in


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"display_text": "Selamat \x1b[31mdatang"}, "display_text: control character U\\+001B is not allowed"),
        ({"display_text": "abc\u202edef"}, "U\\+202E"),  # a right-to-left override spoofs the running text
        ({"display_text": "a\x00b"}, "U\\+0000"),
        ({"working_days": "1 funday"}, "give working days as numbers, 1 \\(Monday\\) to 7"),
        ({"working_days": "0 8"}, "give working days as numbers"),
        ({"working_days": ""}, "give working days as numbers"),
        ({"pickup_days_by_category": "express=zero"}, "write category=days pairs"),
        ({"pickup_days_by_category": "express=0 express=1"}, "category express is given twice"),
        ({"pickup_days_by_category": "vip=1"}, "unknown category vip"),
        ({"pickup_days_by_category": "lost=61"}, "must be between 0 and 60"),
        ({"no_show_after_seconds": 1801}, "must be between 0 and 1800"),
        ({"checkin_hours": "sometimes"}, "choose one of enforce, allow"),
    ],
)
def test_rules_refuse_bad_values_and_control_characters_writing_nothing(
    db: Database, clock: FixedClock, changes: dict[str, object], says: str
) -> None:
    before = rules.current(db)
    with pytest.raises(InvalidInput, match=says):
        rules.update(db, None, changes, user="kasi", clock=clock)
    assert rules.current(db) == before


def test_conflict_for_a_second_check_in_stays(queue: QueueService) -> None:
    queue.check_in(booking_code(6))
    with pytest.raises(Conflict, match="already checked in"):
        queue.check_in(booking_code(6))


def test_a_supervisor_of_another_office_cannot_override(db: Database, clock: FixedClock) -> None:
    other = seed.reference_data()
    other["office"] |= {"code": "kanim-lain", "name": "Kantor Lain"}
    other["users"] = [{"username": "kasi-lain", "full_name": "Kasi Kantor Lain", "roles": "supervisor"}]
    seed.load_data(db, other, clock=clock)
    clock.set(at(dt.date(2026, 11, 28), 10))  # Saturday: closed
    before = snapshot(db)
    queue = QueueService(db, clock=clock, office="kanim-blitar")
    with pytest.raises(WrongOffice, match="belongs to another office"):
        queue.check_in(walk_in="elderly", override_by="kasi-lain")
    assert snapshot(db) == before
    assert queue.check_in(walk_in="elderly", override_by="kasi").ticket.number == "P-001"

"""Retention on both engines: personal data older than ``retention_days`` erased, statistics kept, idempotent."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from conftest import LONG_AGO, MONDAY, booking_code
from helpers import snapshot
from sqlalchemy import select, text

from counter_desk.cli import main
from counter_desk.clock import FixedClock
from counter_desk.services import retention, roles, rules
from counter_desk.services.queue import QueueService
from counter_desk.store.engine import Database
from counter_desk.store.models import Booking, Pickup

#: With the default 90 days, personal data of bookings dated before this day goes.
CUTOFF = MONDAY - dt.timedelta(days=90)


def _add_booking(db: Database, code: str, day: dt.date) -> None:
    with db.write() as s:
        template = s.scalars(select(Booking).where(Booking.code == booking_code(1))).one()
        s.add(
            Booking(
                office_id=template.office_id,
                code=code,
                application_number=f"APP{code}",
                category_id=template.category_id,
                applicant_name=f"Pemohon {code}",
                nik="3505123412341234",
                birth_date=dt.date(1990, 5, 17),
                slot_date=day,
                status="booked",
                created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            )
        )


def _add_pickup(db: Database, queue: QueueService, code: str, when: dt.datetime, handed_over: bool) -> None:
    ticket = queue.check_in(walk_in="lost").ticket
    with db.write() as s:
        office_id = s.scalars(select(Booking.office_id)).first()
        s.add(
            Pickup(
                office_id=office_id,
                code=code,
                application_number=f"APP{code}",
                ticket_id=ticket.id,
                ready_on=when.date(),
                status="handed_over" if handed_over else "approved",
                issued_at=when,
                handed_over_at=when + dt.timedelta(days=1) if handed_over else None,
                recipient="family",
                recipient_name=f"Keluarga {code}",
            )
        )


def _personal(db: Database) -> dict[str, Any]:
    with db.read() as s:
        return {
            "bookings": dict(s.execute(text("SELECT code, applicant_name FROM bookings ORDER BY code")).all()),
            "niks": dict(s.execute(text("SELECT code, nik FROM bookings ORDER BY code")).all()),
            "births": dict(s.execute(text("SELECT code, birth_date FROM bookings ORDER BY code")).all()),
            "pickups": dict(s.execute(text("SELECT code, recipient_name FROM pickups ORDER BY code")).all()),
            "recipients": dict(s.execute(text("SELECT code, recipient FROM pickups ORDER BY code")).all()),
        }


def _audit(db: Database) -> list[tuple[str, dict[str, Any]]]:
    with db.read() as s:
        rows = s.execute(text("SELECT kind, detail FROM audit_log ORDER BY id")).all()
    return [(k, json.loads(d) if isinstance(d, str) else d) for k, d in rows]


@pytest.fixture
def history(db: Database, queue: QueueService, clock: FixedClock) -> None:
    _add_booking(db, "OLD-EDGE", CUTOFF - dt.timedelta(days=1))
    _add_booking(db, "KEPT-EDGE", CUTOFF)
    queue.check_in(booking_code(1))  # a statistic: ticket and event
    old = dt.datetime.combine(CUTOFF - dt.timedelta(days=10), dt.time(3), tzinfo=dt.UTC)
    _add_pickup(db, queue, "PU-OLD", old, handed_over=True)
    _add_pickup(db, queue, "PU-NEVER", old, handed_over=False)
    _add_pickup(db, queue, "PU-RECENT", dt.datetime(2026, 11, 20, 3, tzinfo=dt.UTC), handed_over=True)


@pytest.mark.usefixtures("history")
def test_purge_erases_old_personal_data_and_keeps_the_rest(db: Database, clock: FixedClock) -> None:
    stats = snapshot(db)

    report = retention.purge(db, user="kasi", clock=clock)

    assert report.to_json() == {
        "before": CUTOFF.isoformat(),
        "retention_days": 90,
        "bookings": 2,
        "pickups": 2,
        "dry_run": False,
    }
    data = _personal(db)
    erased = {code for code, name in data["bookings"].items() if name is None}
    assert erased == {"OLD-EDGE", booking_code(1, LONG_AGO)}
    assert data["niks"]["OLD-EDGE"] is None and data["niks"]["KEPT-EDGE"] == "3505123412341234"
    assert data["births"]["OLD-EDGE"] is None and data["births"]["KEPT-EDGE"] is not None  # birth date: personal too
    assert data["bookings"]["KEPT-EDGE"] == "Pemohon KEPT-EDGE"
    assert data["pickups"] == {"PU-NEVER": None, "PU-OLD": None, "PU-RECENT": "Keluarga PU-RECENT"}
    assert set(data["recipients"].values()) == {"family"}  # not personal: kept for the statistics
    assert snapshot(db) == stats  # tickets, events, counters, bookings' statuses untouched
    assert _audit(db)[-1] == ("personal_data_purged", {"before": CUTOFF.isoformat(), "bookings": 2, "pickups": 2})


@pytest.mark.usefixtures("history")
def test_purge_is_idempotent_and_a_dry_run_writes_nothing(db: Database, clock: FixedClock) -> None:
    before = (_personal(db), _audit(db))
    dry = retention.purge(db, dry_run=True, clock=clock)
    assert (dry.bookings, dry.pickups, dry.dry_run) == (2, 2, True)
    assert (_personal(db), _audit(db)) == before

    retention.purge(db, clock=clock)
    after = (_personal(db), _audit(db))
    again = retention.purge(db, clock=clock)

    assert (again.bookings, again.pickups) == (0, 0)
    assert (_personal(db), _audit(db)) == after  # nothing more erased, no empty audit entry


@pytest.mark.usefixtures("history")
def test_the_retention_rule_decides(db: Database, clock: FixedClock) -> None:
    rules.update(db, None, {"retention_days": 1}, clock=clock)

    report = retention.purge(db, clock=clock)

    assert report.before == MONDAY - dt.timedelta(days=1)
    assert report.bookings == 3 and report.pickups == 3  # Monday's bookings are today's: kept
    assert _personal(db)["bookings"][booking_code(2)] is not None


def test_only_an_administrator_may_purge(db: Database, clock: FixedClock) -> None:
    before = _personal(db)
    with pytest.raises(roles.NotAllowed):
        retention.purge(db, user="penerimaan1", clock=clock)
    assert _personal(db) == before


def test_the_purge_command(db_url: str, db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    # The command runs on the real clock: the LONG_AGO sample booking is past any retention period.
    assert main(["--db", db_url, "purge", "--dry-run", "--json"]) == 0
    dry = json.loads(capsys.readouterr().out)
    assert dry["bookings"] >= 1 and dry["dry_run"] is True
    assert _personal(db)["bookings"][booking_code(1, LONG_AGO)] is not None

    assert main(["--db", db_url, "purge"]) == 0
    assert capsys.readouterr().out.startswith(f"erased the personal data of {dry['bookings']} booking(s)")
    assert _personal(db)["bookings"][booking_code(1, LONG_AGO)] is None

"""M-Paspor bookings: import of the day's export, manual entry, reschedule, the list of a day.

An import reads the whole file first (:mod:`counter_desk.services.bookings_file`): a file that is not a bookings
export is refused and nothing is written. Each row is then new (imported), different from the stored booking
of its code (updated), the same (unchanged), or rejected with its row number and the reason; the good rows are
written in one transaction (with ``strict``, any rejected row refuses the whole file). Importing the same file
again changes nothing. A booking already checked in is never changed by an import.

Booking codes and application numbers are matched without regard to case, as the scanner at reception does.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from counter_desk import i18n
from counter_desk.clock import Clock, SystemClock, office_day
from counter_desk.errors import Conflict, InvalidInput, NotFound
from counter_desk.i18n import N_, _, _n, lookup
from counter_desk.services import audit, directory, roles
from counter_desk.services.bookings_file import (
    RowError,
    SourceFile,
    clean_code,
    clean_name,
    clean_nik,
    parse,
    parse_birth_date,
    parse_date,
    parse_slot,
    parse_time,
    read_file,
    shown,
    text_value,
)
from counter_desk.services.dates import format_day
from counter_desk.store.engine import Database
from counter_desk.store.models import Booking, Category

#: Fields compared and written by an import (a column the file does not have is left as stored).
FIELDS = (
    "application_number",
    "category_id",
    "applicant_name",
    "nik",
    "birth_date",
    "slot_date",
    "slot_start",
    "slot_end",
)
_CHUNK = 500
#: A booking's status as shown to people (the stored codes are English words).
STATUS = {"booked": N_("booked"), "checked_in": N_("checked in"), "cancelled": N_("cancelled")}


def status_text(status: str) -> str:
    """``checked_in`` -> ``sudah lapor diri``: a booking's status in the active language."""
    return lookup(STATUS[status]) if status in STATUS else status


@dataclass(frozen=True)
class Rejection:
    row: int
    code: str | None
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"row": self.row, "code": self.code, "reason": self.reason}


@dataclass(frozen=True)
class ImportReport:
    """What an import did (or, with ``dry_run``, would do)."""

    format: str
    rows: int
    imported: int
    updated: int
    unchanged: int
    rejected: list[Rejection]
    dry_run: bool
    #: The file's columns the import did not use.
    ignored_columns: list[str] = field(default_factory=list)
    #: Whether anything was written (False on a dry run, and with ``strict`` when a row was rejected).
    written: bool = False
    #: Days on which a category has more bookings than its daily quota, said in words.
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "rows": self.rows,
            "imported": self.imported,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": [r.to_json() for r in self.rejected],
            "dry_run": self.dry_run,
            "written": self.written,
            "ignored_columns": self.ignored_columns,
            "warnings": self.warnings,
        }


@dataclass(frozen=True)
class BookingView:
    code: str
    application_number: str
    category: str
    applicant_name: str | None
    nik: str | None
    day: dt.date
    slot_start: dt.time | None
    slot_end: dt.time | None
    status: str
    #: The category's name in the program's language (the code when it was not read).
    category_name: str = ""

    @property
    def slot(self) -> str:
        if self.slot_start is None:
            return ""
        end = f"-{self.slot_end:%H:%M}" if self.slot_end is not None else ""
        return f"{self.slot_start:%H:%M}{end}"

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "application_number": self.application_number,
            "category": self.category,
            "applicant_name": self.applicant_name,
            "nik": self.nik,
            "date": self.day.isoformat(),
            "slot": self.slot or None,
            "status": self.status,
        }


# -- rows ----------------------------------------------------------------------------------------------------


class _Categories:
    """The office's active categories, found by code, Indonesian or English name (any case)."""

    def __init__(self, session: Session, office_id: int) -> None:
        rows = session.execute(
            select(Category.id, Category.code, Category.name, Category.name_en, Category.walk_in).where(
                Category.office_id == office_id, Category.active.is_(True)
            )
        ).all()
        self.codes = {row.id: row.code for row in rows}
        self.by_key: dict[str, int] = {}
        for row in rows:
            for key in (row.name_en, row.name, row.code):  # the code wins over a name that looks like one
                self.by_key[" ".join(key.lower().split())] = row.id
        booked = [row for row in rows if row.code == "booked"] or [row for row in rows if not row.walk_in]
        self.default: int | None = int(booked[0].id) if booked else None

    def find(self, value: Any) -> int:
        text = " ".join(text_value("category", value).lower().split())
        if not text:
            if self.default is None:
                raise RowError(_("no category given and the office has no booking category"))
            return self.default
        found = self.by_key.get(text)
        if found is None:
            raise RowError(
                _(
                    "unknown category {value!r} (known: {known})",
                    value=shown("category", text_value("category", value)),
                    known=", ".join(sorted(self.codes.values())),
                )
            )
        return found


def _clean(values: Mapping[str, Any], categories: _Categories) -> dict[str, Any]:
    """The row's fields as stored values (only the fields the row has), or :class:`RowError` with every problem."""
    out: dict[str, Any] = {}
    problems: list[str] = []

    def take(key: str, parse_value: Any, *args: Any) -> None:
        try:
            out[key] = parse_value(*args)
        except RowError as exc:
            problems.append(exc.reason)

    take("code", clean_code, values.get("code"), "code")
    take("application_number", clean_code, values.get("application_number"), "application_number")
    take("slot_date", parse_date, values.get("slot_date"))
    if "applicant_name" in values:
        take("applicant_name", clean_name, values["applicant_name"])
    if "nik" in values:
        take("nik", clean_nik, values["nik"])
    if "birth_date" in values:
        take("birth_date", parse_birth_date, values["birth_date"])
        born, day = out.get("birth_date"), out.get("slot_date")
        if born is not None and day is not None and born > day:
            problems.append(_("the date of birth is after the booked day"))
    if "slot" in values:
        take("slot", parse_slot, values["slot"])
        out["slot_start"], out["slot_end"] = out.pop("slot", (None, None))
    if "slot_start" in values:
        take("slot_start", parse_time, values["slot_start"])
    if "slot_end" in values:
        take("slot_end", parse_time, values["slot_end"])
    if out.get("slot_start") and out.get("slot_end") and out["slot_end"] <= out["slot_start"]:
        problems.append(_("the slot ends before it starts"))
    if "category" in values:
        take("category_id", categories.find, values["category"])
    if problems:
        raise RowError("; ".join(problems))
    return out


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _existing(session: Session, office_id: int, codes: set[str], numbers: set[str]) -> tuple[dict[str, Any], ...]:
    """Stored bookings by upper-case code and by upper-case application number."""
    columns = (Booking.id, Booking.code, Booking.status, *(getattr(Booking, f) for f in FIELDS))
    by_code: dict[str, Any] = {}
    by_number: dict[str, Any] = {}
    for wanted, column in ((sorted(codes), Booking.code), (sorted(numbers), Booking.application_number)):
        for chunk in _chunks(wanted):
            # Values rendered inline (they are checked codes: letters, digits, dashes): as bound parameters,
            # psycopg prepares the statement after a few runs and PostgreSQL's generic plan then compares each
            # row with the list one by one, 20 times slower than the hashed lookup of a literal list.
            values: Any = bindparam("values", list(chunk), expanding=True, literal_execute=True)
            rows = session.execute(
                select(*columns).where(Booking.office_id == office_id, func.upper(column).in_(values))
            ).all()
            for row in rows:
                by_code[row.code.upper()] = row
                by_number[row.application_number.upper()] = row
    return by_code, by_number


@dataclass
class _Plan:
    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    #: The days of the bookings added or changed.
    days: set[dt.date] = field(default_factory=set)


def _read(source: SourceFile, categories: _Categories, plan: _Plan) -> list[tuple[int, dict[str, Any]]]:
    """The rows whose values are good, as (row number, values); the others rejected into ``plan``."""
    cleaned: list[tuple[int, dict[str, Any]]] = []
    for row in source.rows:
        code = row.values.get("code")
        raw_code = (shown("code", code.strip()) or None) if isinstance(code, str) else None
        if code is not None and not isinstance(code, str):
            raw_code = shown("code", code)
        try:
            if row.problem is not None:
                raise RowError(row.problem)
            cleaned.append((row.row, _clean(row.values, categories)))
        except RowError as exc:
            plan.rejected.append(Rejection(row.row, raw_code, exc.reason))
    return cleaned


def _without_duplicates(cleaned: list[tuple[int, dict[str, Any]]], plan: _Plan) -> list[tuple[int, dict[str, Any]]]:
    """The same code (or application number) twice in the file: which row is right is unknown, so none is taken."""
    rows_of_code: dict[str, list[int]] = defaultdict(list)
    rows_of_number: dict[str, list[int]] = defaultdict(list)
    for number, values in cleaned:
        rows_of_code[values["code"].upper()].append(number)
        rows_of_number[values["application_number"].upper()].append(number)
    good: list[tuple[int, dict[str, Any]]] = []
    for number, values in cleaned:
        same_code = rows_of_code[values["code"].upper()]
        same_number = rows_of_number[values["application_number"].upper()]
        if len(same_code) > 1:
            others = ", ".join(str(n) for n in same_code if n != number)
            reason = _n(
                "booking code {code} is also in row {rows} of the file",
                "booking code {code} is also in rows {rows} of the file",
                len(same_code) - 1,
                code=values["code"],
                rows=others,
            )
            plan.rejected.append(Rejection(number, values["code"], reason))
        elif len(same_number) > 1:
            others = ", ".join(str(n) for n in same_number if n != number)
            reason = _n(
                "application number {number} is also in row {rows} of the file",
                "application number {number} is also in rows {rows} of the file",
                len(same_number) - 1,
                number=values["application_number"],
                rows=others,
            )
            plan.rejected.append(Rejection(number, values["code"], reason))
        else:
            good.append((number, values))
    return good


def _plan(session: Session, office_id: int, source: SourceFile, today: dt.date, now: dt.datetime) -> _Plan:
    plan = _Plan()
    categories = _Categories(session, office_id)
    good = _without_duplicates(_read(source, categories, plan), plan)
    by_code, by_number = _existing(
        session,
        office_id,
        {v["code"].upper() for _n, v in good},
        {v["application_number"].upper() for _n, v in good},
    )
    blank = {"office_id": office_id, "status": "booked", "created_at": now}
    blank |= {"applicant_name": None, "nik": None, "birth_date": None, "slot_start": None, "slot_end": None}
    for number, values in good:
        try:
            change = _decide(values, by_code, by_number, today)
            if change is not None and "id" not in change and "category_id" not in change:
                if categories.default is None:
                    raise RowError(_("no category given and the office has no booking category"))
                change["category_id"] = categories.default
        except RowError as exc:
            plan.rejected.append(Rejection(number, values["code"], exc.reason))
            continue
        if change is not None:
            plan.days.add(values["slot_date"])
        if change is None:
            plan.unchanged += 1
        elif "id" in change:
            plan.updates.append(change)
        else:
            plan.inserts.append(blank | change)
    plan.rejected.sort(key=lambda r: r.row)
    return plan


def _decide(
    values: dict[str, Any], by_code: Mapping[str, Any], by_number: Mapping[str, Any], today: dt.date
) -> dict[str, Any] | None:
    """The insert (no ``id``) or update (with ``id``) a row asks for; None when it changes nothing."""
    code, number = values["code"], values["application_number"]
    stored = by_code.get(code.upper())
    if stored is None:
        other = by_number.get(number.upper())
        if other is not None:
            raise RowError(
                _(
                    "application number {number} already has booking {code}: reschedule that one instead",
                    number=number,
                    code=other.code,
                )
            )
        if values["slot_date"] < today:
            raise RowError(_("the booked day {day} is in the past", day=values["slot_date"].isoformat()))
        return values
    if stored.application_number.upper() != number.upper():
        raise RowError(
            _(
                "booking code {code} belongs to application {other}, not {number}",
                code=stored.code,
                other=stored.application_number,
                number=number,
            )
        )
    changes = {
        key: value
        for key, value in values.items()
        if key in FIELDS and key != "application_number" and getattr(stored, key) != value
    }
    if not changes:
        return None
    if stored.status == "checked_in":
        raise RowError(_("booking {code} is already checked in: it is not changed", code=stored.code))
    if stored.status == "cancelled":
        raise RowError(_("booking {code} was cancelled: it is not changed", code=stored.code))
    if values["slot_date"] < today:
        raise RowError(_("the booked day {day} is in the past", day=values["slot_date"].isoformat()))
    return {"id": stored.id} | changes


def import_bookings(
    db: Database,
    data: bytes,
    *,
    office: str | None = None,
    dry_run: bool = False,
    strict: bool = False,
    user: str | None = None,
    source_name: str | None = None,
    clock: Clock | None = None,
) -> ImportReport:
    """Import an M-Paspor export (the bytes of a CSV or JSON file). See the module's docstring."""
    source = parse(data)
    now = (clock or SystemClock()).now()
    with db.write() as session:
        info = directory.office_info(session, office)
        roles.require_user_role(session, user, roles.BOOKINGS_ROLES)
        plan = _plan(session, info.id, source, office_day(now, info.timezone), now)
        # Written even on a dry run, to count the days' bookings against the quotas; then rolled back.
        try:
            if plan.inserts:
                session.execute(insert(Booking), plan.inserts)
            if plan.updates:
                session.execute(update(Booking), plan.updates)
        except IntegrityError:
            # Another import (or a manual entry) added one of these codes since they were looked up.
            raise Conflict(
                _("bookings were changed by someone else during the import: import the file again")
            ) from None
        warnings = _over_quota(session, info.id, plan.days)
        write = not dry_run and not (strict and plan.rejected) and bool(plan.inserts or plan.updates)
        if write:
            detail = {
                "file": source_name,
                "imported": len(plan.inserts),
                "updated": len(plan.updates),
                "unchanged": plan.unchanged,
                "rejected": len(plan.rejected),
            }
            audit.record(session, info.id, "bookings_imported", user=user, now=now, detail=detail)
        else:
            session.rollback()
    return ImportReport(
        format=source.format,
        rows=len(source.rows),
        imported=len(plan.inserts),
        updated=len(plan.updates),
        unchanged=plan.unchanged,
        rejected=plan.rejected,
        dry_run=dry_run,
        ignored_columns=source.ignored,
        written=write,
        warnings=warnings,
    )


def _over_quota(session: Session, office_id: int, days: set[dt.date]) -> list[str]:
    """Days where a category now has more bookings than its daily quota (check-in would refuse the last ones)."""
    if not days:
        return []
    rows = session.execute(
        select(Booking.slot_date, Category.code, Category.daily_quota, func.count())
        .join(Category, Category.id == Booking.category_id)
        .where(
            Booking.office_id == office_id,
            Booking.status != "cancelled",
            Booking.slot_date.in_(sorted(days)),
            Category.daily_quota.is_not(None),
        )
        .group_by(Booking.slot_date, Category.code, Category.daily_quota)
        .order_by(Booking.slot_date, Category.code)
    ).all()
    return [
        _n(
            "{day}: {n} booking of {category}, above its daily quota of {quota}",
            "{day}: {n} bookings of {category}, above its daily quota of {quota}",
            count,
            day=day.isoformat(),
            category=category,
            quota=quota,
        )
        for day, category, quota, count in rows
        if quota is not None and count > quota
    ]


def import_file(db: Database, /, path: Path, **kwargs: Any) -> ImportReport:
    """:func:`import_bookings` of a file; an unreadable file (or not a regular file) is an :class:`InvalidInput`."""
    return import_bookings(db, read_file(path), source_name=path.name, **kwargs)


# -- one booking ---------------------------------------------------------------------------------------------


def _view(booking: Booking, category: str, category_name: str = "") -> BookingView:
    return BookingView(
        booking.code,
        booking.application_number,
        category,
        booking.applicant_name,
        booking.nik,
        booking.slot_date,
        booking.slot_start,
        booking.slot_end,
        booking.status,
        category_name or category,
    )


def _row_to_input(exc: RowError) -> InvalidInput:
    return InvalidInput(exc.reason)


def add_booking(
    db: Database,
    code: str,
    application_number: str,
    day: str | dt.date,
    *,
    slot: str | None = None,
    name: str | None = None,
    nik: str | None = None,
    category: str | None = None,
    office: str | None = None,
    user: str | None = None,
    clock: Clock | None = None,
) -> BookingView:
    """Enter one booking by hand (a phone booking, an export that missed one)."""
    now = (clock or SystemClock()).now()
    raw: dict[str, Any] = {
        "code": code,
        "application_number": application_number,
        "slot_date": day.isoformat() if isinstance(day, dt.date) else day,
        "applicant_name": name,
        "nik": nik,
        "slot": slot,
        "category": category,
    }
    with db.write() as session:
        info = directory.office_info(session, office)
        roles.require_user_role(session, user, roles.BOOKINGS_ROLES)
        categories = _Categories(session, info.id)
        try:
            values = _clean(raw, categories)
        except RowError as exc:
            raise _row_to_input(exc) from None
        by_code, by_number = _existing(
            session, info.id, {values["code"].upper()}, {values["application_number"].upper()}
        )
        stored = by_code.get(values["code"].upper())
        if stored is not None:
            raise Conflict(_("booking {code} exists already: reschedule it instead", code=stored.code))
        if values["slot_date"] < office_day(now, info.timezone):
            raise InvalidInput(_("the booked day {day} is in the past", day=values["slot_date"].isoformat()))
        if categories.default is None and "category_id" not in values:
            raise InvalidInput(_("no category given and the office has no booking category"))
        values.setdefault("category_id", categories.default)
        try:
            change = _decide(values, by_code, by_number, office_day(now, info.timezone))
        except RowError as exc:
            raise Conflict(exc.reason) from None
        assert change is not None
        booking = Booking(office_id=info.id, status="booked", created_at=now, **change)
        session.add(booking)
        try:
            session.flush()
        except IntegrityError:
            raise Conflict(_("booking {code} exists already: reschedule it instead", code=booking.code)) from None
        audit.record(session, info.id, "booking_added", user=user, now=now, detail={"code": booking.code})
        return _view(booking, categories.codes[booking.category_id])


def _find(session: Session, office_id: int, code: str) -> Booking:
    wanted = code.strip().upper()
    found = session.scalars(
        select(Booking)
        .where(
            Booking.office_id == office_id,
            (func.upper(Booking.code) == wanted) | (func.upper(Booking.application_number) == wanted),
        )
        .with_for_update()
    ).first()
    if found is None:
        raise NotFound(_("no booking with code or application number {code}", code=shown("code", code.strip())))
    return found


def reschedule(
    db: Database,
    code: str,
    day: str | dt.date,
    *,
    slot: str | None = None,
    office: str | None = None,
    user: str | None = None,
    clock: Clock | None = None,
) -> BookingView:
    """Move a booking (by code or application number) to another day and slot; not once checked in."""
    now = (clock or SystemClock()).now()
    try:
        new_day = parse_date(day.isoformat() if isinstance(day, dt.date) else day)
        start, end = parse_slot(slot) if slot is not None else (None, None)
    except RowError as exc:
        raise _row_to_input(exc) from None
    with db.write() as session:
        info = directory.office_info(session, office)
        roles.require_user_role(session, user, roles.BOOKINGS_ROLES)
        booking = _find(session, info.id, code)
        if booking.status == "checked_in":
            raise Conflict(_("booking {code} is already checked in: it is not changed", code=booking.code))
        if booking.status == "cancelled":
            raise Conflict(_("booking {code} was cancelled: it is not changed", code=booking.code))
        if new_day < office_day(now, info.timezone):
            raise InvalidInput(_("the booked day {day} is in the past", day=new_day.isoformat()))
        before = {"date": booking.slot_date.isoformat(), "slot": _view(booking, "").slot or None}
        booking.slot_date = new_day
        if slot is not None:
            booking.slot_start, booking.slot_end = start, end
        after = {"date": new_day.isoformat(), "slot": _view(booking, "").slot or None}
        detail = {"code": booking.code, "from": before, "to": after}
        audit.record(session, info.id, "booking_rescheduled", user=user, now=now, detail=detail)
        category = session.get_one(Category, booking.category_id).code
        return _view(booking, category)


def list_bookings(db: Database, day: dt.date, *, office: str | None = None) -> list[BookingView]:
    """The bookings of ``day``, by slot and code."""
    with db.read() as session:
        info = directory.office_info(session, office)
        rows = session.execute(
            select(Booking, Category.code, Category.name, Category.name_en)
            .join(Category, Category.id == Booking.category_id)
            .where(Booking.office_id == info.id, Booking.slot_date == day)
            .order_by(Booking.slot_start.is_(None), Booking.slot_start, Booking.code)
        ).all()
        english = i18n.language() == "en"
        return [_view(booking, code, (name_en if english else name) or code) for booking, code, name, name_en in rows]


def describe_day(day: dt.date) -> str:
    return format_day(day, weekday=True)

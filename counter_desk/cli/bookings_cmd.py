"""``counter-desk bookings VERB``: import the M-Paspor export, add or reschedule one booking, list a day."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from counter_desk.cli import common, emit
from counter_desk.errors import InvalidInput
from counter_desk.i18n import _, _n
from counter_desk.services import bookings
from counter_desk.services.bookings_file import RowError, parse_date
from counter_desk.services.text import printable
from counter_desk.store.engine import Database


def register(b: argparse.ArgumentParser) -> None:
    """The command's arguments and handler (its name and help: ``COMMANDS`` in ``counter_desk.cli``)."""
    verbs = b.add_subparsers(dest="verb", required=True, metavar="VERB")

    p = verbs.add_parser("import", help="import an M-Paspor export (CSV or JSON; see docs/bookings-import.md)")
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--dry-run", action="store_true", help="check the file and report, write nothing")
    p.add_argument("--strict", action="store_true", help="import nothing when any row is rejected")
    _common(p)
    p.set_defaults(handler=_import)

    p = verbs.add_parser("add", help="enter one booking by hand")
    p.add_argument("code", metavar="CODE", help="booking code (what the QR carries)")
    p.add_argument("--application", required=True, metavar="NUMBER", help="application number (nomor permohonan)")
    p.add_argument("--date", required=True, metavar="DATE", help="booked day: YYYY-MM-DD or DD/MM/YYYY")
    p.add_argument("--slot", metavar="HH:MM-HH:MM", help="booked hour, e.g. 08:00-09:00")
    p.add_argument("--name", help="applicant's name")
    p.add_argument("--nik", help="applicant's NIK (16 digits)")
    p.add_argument("--category", metavar="CODE", help="service (default: the office's booking category)")
    _common(p)
    p.set_defaults(handler=_add)

    p = verbs.add_parser("reschedule", help="move a booking to another day and slot")
    p.add_argument("code", metavar="CODE", help="booking code or application number")
    p.add_argument("--date", required=True, metavar="DATE")
    p.add_argument("--slot", metavar="HH:MM-HH:MM", help="new booked hour (default: keep it)")
    _common(p)
    p.set_defaults(handler=_reschedule)

    p = verbs.add_parser("list", help="the bookings of a day")
    p.add_argument("--date", metavar="DATE", help="the day (default: today)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=_list)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--user", metavar="USERNAME", help="the officer acting (needs the supervisor or admin role)")


def _open(args: argparse.Namespace) -> tuple[Database, str | None]:
    settings = common.settings(args)
    return common.open_database(settings), settings.office


def _import(args: argparse.Namespace) -> int:
    db, office = _open(args)
    report = bookings.import_file(
        db, args.file, office=office, dry_run=args.dry_run, strict=args.strict, user=args.user
    )
    row_word = _("item") if report.format == "json" else _("row")
    values = {
        "imported": report.imported,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "rejected": len(report.rejected),
    }
    if report.dry_run:
        head = _(
            "dry run, nothing written: {imported} new, {updated} to update, {unchanged} unchanged, {rejected} rejected",
            **values,
        )
    elif report.rejected and args.strict:
        head = _n(
            "nothing imported (--strict): {n} rejected row",
            "nothing imported (--strict): {n} rejected rows",
            values["rejected"],
        )
    else:
        head = _("{imported} imported, {updated} updated, {unchanged} unchanged, {rejected} rejected", **values)
    lines = [head]
    for r in report.rejected:
        where = f"{row_word} {r.row}" + (f" ({r.code})" if r.code else "")
        lines.append(f"  {where}: {r.reason}")
    lines.extend(_("warning: {text}", text=w) for w in report.warnings)
    if report.ignored_columns:
        lines.append(_("columns not used: {columns}", columns=", ".join(report.ignored_columns)))
    emit(args, report.to_json(), "\n".join(lines))
    return 1 if report.rejected else 0


def _day(text: str) -> dt.date:
    try:
        return parse_date(text)
    except RowError as exc:
        raise InvalidInput(exc.reason) from None


_WIDTHS = (16, 18, 10, 11, 22, 16)


def _columns(*values: str) -> str:
    """One line of the table: each value padded to its column, the last (the name) as it is."""
    padded = [f"{value:<{width}}" for value, width in zip(values, _WIDTHS, strict=False)]
    return " ".join([*padded, *values[len(_WIDTHS) :]]).rstrip()


def _header() -> str:
    return _columns(_("Code"), _("Application no."), _("Date"), _("Slot"), _("Category"), _("Status"), _("Applicant"))


def _line(b: bookings.BookingView) -> str:
    # Stored values are printed through printable(): a value stored before control characters were refused
    # must not drive the terminal.
    return _columns(
        printable(b.code),
        printable(b.application_number),
        b.day.isoformat(),
        b.slot or "--:--",
        printable(b.category_name or b.category),
        bookings.status_text(b.status),
        printable(b.applicant_name or ""),
    )


def _add(args: argparse.Namespace) -> int:
    db, office = _open(args)
    view = bookings.add_booking(
        db,
        args.code,
        args.application,
        args.date,
        slot=args.slot,
        name=args.name,
        nik=args.nik,
        category=args.category,
        office=office,
        user=args.user,
    )
    emit(args, view.to_json(), _("booking added: {line}", line=_line(view)))
    return 0


def _reschedule(args: argparse.Namespace) -> int:
    db, office = _open(args)
    view = bookings.reschedule(db, args.code, args.date, slot=args.slot, office=office, user=args.user)
    emit(args, view.to_json(), _("booking moved: {line}", line=_line(view)))
    return 0


def _list(args: argparse.Namespace) -> int:
    settings = common.settings(args)
    db = common.open_database(settings)
    if args.date:
        day = _day(args.date)
    else:
        from counter_desk.clock import SystemClock, office_day
        from counter_desk.services import directory

        with db.read() as session:
            timezone = directory.office_info(session, settings.office).timezone
        day = office_day(SystemClock().now(), timezone)
    rows = bookings.list_bookings(db, day, office=settings.office)
    header = _n("{n} booking on {day}", "{n} bookings on {day}", len(rows), day=bookings.describe_day(day))
    emit(
        args,
        {"date": day.isoformat(), "bookings": [b.to_json() for b in rows]},
        "\n".join([header, *([_header()] if rows else []), *(_line(b) for b in rows)]),
    )
    return 0

"""``counter-desk report --from D --to D [--pdf FILE] [--csv FILE] [--json]``: the office's report over some days.

The PDF (A4, with charts; at its end the staffing plan of the next working day, unless ``--no-plan``) and the
CSV (format: :mod:`counter_desk.services.reports`) are made in memory first; files are written only when
everything is ready, each through a temporary file renamed into place, so a bad date, a missing folder or a
read-only file leaves nothing behind.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import io
import os
import tempfile
from pathlib import Path
from typing import Any

from counter_desk.cli import common, emit
from counter_desk.clock import SystemClock, office_day
from counter_desk.errors import InvalidInput
from counter_desk.i18n import _
from counter_desk.services import reports
from counter_desk.store import chain
from counter_desk.store.engine import Database


def register(p: argparse.ArgumentParser) -> None:
    """The command's arguments and handler (its name and help: ``COMMANDS`` in ``counter_desk.cli``)."""
    p.add_argument("--from", dest="first", metavar="YYYY-MM-DD", help="first day (default: today)")
    p.add_argument("--to", dest="last", metavar="YYYY-MM-DD", help="last day (default: the first day)")
    p.add_argument("--pdf", metavar="FILE", type=Path, help="write the report as an A4 PDF")
    p.add_argument("--csv", metavar="FILE", type=Path, help="write the figures as CSV (one figure per row)")
    p.add_argument("--json", action="store_true", help="print the whole report as one JSON object")
    p.add_argument("--no-plan", action="store_true", help="leave the next working day's staffing plan out of the PDF")
    p.set_defaults(handler=_report)


def _check_target(path: Path) -> None:
    """Refuse a target that cannot be written, before anything is made."""
    folder = path.parent
    if path.is_dir():
        msg = _("{file} is a folder: give a file name", file=path)
        raise InvalidInput(msg)
    if not folder.is_dir():
        msg = _("cannot write {file}: the folder {folder} does not exist", file=path, folder=folder)
        raise InvalidInput(msg)
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        msg = _("cannot write {file}: permission denied", file=path)
        raise InvalidInput(msg)


def _write_all(outputs: list[tuple[Path, bytes]]) -> None:
    """Write every file or none: each goes to a temporary file first, renamed into place at the end."""
    temps: list[tuple[str, Path]] = []
    current = outputs[0][0] if outputs else Path()
    try:
        for path, data in outputs:
            current = path
            fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
            temps.append((temp, path))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        for temp, path in temps:
            current = path
            Path(temp).replace(path)
    except OSError as exc:
        for temp, _path in temps:
            with contextlib.suppress(OSError):
                Path(temp).unlink()
        msg = _("cannot write {file}: {error}", file=current, error=exc.strerror or exc)
        raise InvalidInput(msg) from exc


def csv_bytes(report: reports.Report) -> bytes:
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerows(report.csv_rows())
    return text.getvalue().encode("utf-8")


#: Simulated days behind the plan in the PDF (fewer than ``counter-desk plan``'s 50: a report should come quickly).
PLAN_REPLICATIONS = 30


def _next_day_plan(db: Database, today: dt.date, office: str | None) -> tuple[Any, str | None]:
    """The staffing plan of the next working day for the PDF, or why there is none (no bookings imported yet)."""
    from counter_desk.services import plan

    day = plan.next_working_day(db, today, office)
    try:
        return plan.plan_day(db, day, office=office, replications=PLAN_REPLICATIONS), None
    except InvalidInput as exc:
        return None, exc.message


def _report(args: argparse.Namespace) -> int:
    first = reports.parse_day(args.first, "--from") if args.first else None
    last = reports.parse_day(args.last, "--to") if args.last else None
    if first is not None and last is not None:
        reports.check_range(first, last)
    for target in (args.pdf, args.csv):
        if target is not None:
            _check_target(target)
    settings = common.settings(args)
    db = common.open_database(settings)
    plan: Any = None
    plan_note: str | None = None
    try:
        from counter_desk.services.queue import QueueService

        today = office_day(SystemClock().now(), QueueService(db, office=settings.office).timezone())
        if first is None:
            first = today
        report = reports.build(db, first, last or first, office=settings.office)
        if args.pdf is not None and not args.no_plan:
            plan, plan_note = _next_day_plan(db, today, settings.office)
        heads = chain.head_hash(db, settings.office)
    finally:
        db.dispose()
    outputs: list[tuple[Path, bytes]] = []
    if args.pdf is not None:
        from counter_desk.services import report_pdf  # reportlab: only when a PDF is asked for

        outputs.append((args.pdf, report_pdf.render(report, plan, plan_note, heads)))
    if args.csv is not None:
        outputs.append((args.csv, csv_bytes(report)))
    _write_all(outputs)
    written = [str(path) for path, _data in outputs]
    human = [
        _(
            "Report {range}: {tickets} tickets, {served} served, {no_shows} no-shows, {calls} calls out of order",
            range=report.title_range(),
            tickets=report.tickets,
            served=report.served,
            no_shows=report.no_shows,
            calls=len(report.out_of_order),
        ),
    ]
    for s in report.stages:
        human.append(
            _(
                "  {stage}: {arrivals} arrivals, {served} served, wait {mean} min (median {median}, P90 {p90}), "
                "{share} within {target} min",
                stage=s.name,
                arrivals=s.arrivals,
                served=s.served,
                mean=reports.minutes(s.wait.mean),
                median=reports.minutes(s.wait.median),
                p90=reports.minutes(s.wait.p90),
                share="—" if s.within_target_share is None else f"{s.within_target_share:.0%}",
                target=s.wait_target_minutes,
            )
        )
    human.append(_("Hash chain head (keep a copy elsewhere): {heads}", heads=heads))
    human += [_("written to {file}", file=name) for name in written]
    emit(args, {**report.to_json(), "chain_head": heads, "files": written}, "\n".join(human))
    return 0

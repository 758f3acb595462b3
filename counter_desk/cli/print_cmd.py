"""``counter-desk print``: receipts as PDF or ESC/POS bytes -- queue tickets, pickup and handover receipts, a test
page -- and the printer's reported state."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from counter_desk.cli import common, emit
from counter_desk.i18n import _
from counter_desk.services import directory
from counter_desk.services.pickups import PickupService
from counter_desk.services.queue import QueueService
from counter_desk.services.receipts import Receipt, handover_receipt, pickup_receipt, printer_test_page, ticket_receipt

#: Paper sizes: rolls for both formats, A6 for PDF only.
PAPERS = ("80mm", "58mm", "a6")


def _outputs(p: argparse.ArgumentParser) -> None:
    out = p.add_mutually_exclusive_group(required=True)
    out.add_argument("--pdf", metavar="FILE", type=Path, help="write a PDF")
    out.add_argument(
        "--escpos-file", metavar="FILE", type=Path, help="write ESC/POS bytes (a file or a printer device)"
    )
    p.add_argument("--paper", choices=PAPERS, default="80mm", help="receipt roll width, or an A6 sheet (PDF only)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def register(sub: Any) -> None:
    pr = sub.add_parser("print", help="print receipts (queue ticket, pickup, handover, test page) as PDF or ESC/POS")
    kinds = pr.add_subparsers(dest="kind", required=True, metavar="RECEIPT")

    p = kinds.add_parser("ticket", help="a queue ticket: number, stage, people ahead, wait, QR code")
    p.add_argument("number", metavar="NUMBER", help="the ticket number (e.g. A-001)")
    _outputs(p)
    p.set_defaults(handler=_ticket)

    p = kinds.add_parser(
        "pickup-receipt", help="the pickup receipt of an application (issued at the interview booth): reprint it"
    )
    p.add_argument("ref", metavar="APPLICATION_OR_TICKET", help="application number, interview ticket or pickup code")
    _outputs(p)
    p.set_defaults(handler=_pickup)

    p = kinds.add_parser("handover", help="the handover receipt of a collected passport")
    p.add_argument("ref", metavar="APPLICATION_OR_TICKET", help="application number, ticket number or pickup code")
    _outputs(p)
    p.set_defaults(handler=_handover)

    p = kinds.add_parser("test-page", help="a printer test page: text sizes, accents, a QR code and a barcode")
    _outputs(p)
    p.set_defaults(handler=_test_page)

    p = kinds.add_parser("status", help="what the configured printer reports (online, paper), where it can")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=_status)


def _write(args: argparse.Namespace, receipt: Receipt, human: Callable[[Path], str]) -> int:
    # The renderers pull in reportlab and python-escpos: only when something is printed, not for every command.
    from counter_desk.devices import receipt_escpos, receipt_pdf

    if args.pdf is not None:
        receipt_pdf.write_pdf(receipt, args.pdf, args.paper)
        target, fmt = args.pdf, "pdf"
    else:
        receipt_escpos.write_escpos(receipt, args.escpos_file, args.paper)
        target, fmt = args.escpos_file, "escpos"
    emit(args, {**receipt.to_json(), "format": fmt, "paper": args.paper, "file": str(target)}, human(target))
    return 0


def _ticket(args: argparse.Namespace) -> int:
    settings = common.settings(args)
    receipt = ticket_receipt(QueueService(common.open_database(settings), office=settings.office), args.number)
    return _write(args, receipt, lambda f: _("ticket {number} written to {file}", number=receipt.number, file=f))


def _pickups(args: argparse.Namespace) -> PickupService:
    settings = common.settings(args)
    return PickupService(common.open_database(settings), office=settings.office)


def _pickup(args: argparse.Namespace) -> int:
    service = _pickups(args)
    receipt = pickup_receipt(service.find(args.ref), printed_at=service.clock.now())
    return _write(
        args,
        receipt,
        lambda f: _("pickup receipt of {application} written to {file}", application=receipt.number, file=f),
    )


def _handover(args: argparse.Namespace) -> int:
    receipt = handover_receipt(_pickups(args).find(args.ref))
    return _write(
        args,
        receipt,
        lambda f: _("handover receipt of {application} written to {file}", application=receipt.number, file=f),
    )


def _test_page(args: argparse.Namespace) -> int:
    from counter_desk.clock import SystemClock, office_local

    settings = common.settings(args)
    db = common.open_database(settings)
    with db.read() as session:
        office = directory.office_info(session, settings.office)
    now = office_local(SystemClock().now(), office.timezone)
    receipt = printer_test_page(office.name, office.code, now, args.paper)
    return _write(args, receipt, lambda f: _("test page written to {file}", file=f))


def _status(args: argparse.Namespace) -> int:
    from counter_desk.devices.printing import printer_state

    state = printer_state(common.settings(args).printer)
    emit(
        args,
        {"printer": state.printer, "online": state.online, "paper": state.paper, "detail": state.detail},
        state.text(),
    )
    return 0

"""``counter-desk print``: receipts as PDF or ESC/POS bytes -- queue tickets, pickup and handover receipts, a test
page -- sent to a receipt printer, and the printer's reported state.

``--printer SPEC`` sends the receipt to a printer (``usb:0416:5011``, ``tcp:192.168.1.50``, ``serial:/dev/ttyUSB0``,
a device path; see docs/PRINTERS.md), ``--printer`` alone to the configured one (``[printer] escpos``). As in the
station windows the receipt's PDF is kept first (in the data folder's ``receipts/``), the printer gets it once,
and a failure names the kept PDF and exits with code 8."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from counter_desk.cli import common, emit
from counter_desk.config import PrinterSpec, Settings, parse_printer
from counter_desk.errors import InvalidInput, UserError
from counter_desk.i18n import _
from counter_desk.services import directory
from counter_desk.services.pickups import PickupService
from counter_desk.services.queue import QueueService
from counter_desk.services.receipts import Receipt, handover_receipt, pickup_receipt, printer_test_page, ticket_receipt

#: Paper sizes: rolls for both formats, A6 for PDF only.
PAPERS = ("80mm", "58mm", "a6")
_PRINTER_HELP = "usb:VID:PID, tcp:HOST[:PORT], serial:PORT[?baudrate=N], file:PATH or a device path"


class PrinterFailed(UserError):
    """The receipt was made and its PDF kept, but the printer did not take it."""

    exit_code = 8
    code = "printer_failed"


def _outputs(p: argparse.ArgumentParser) -> None:
    out = p.add_mutually_exclusive_group(required=True)
    out.add_argument("--pdf", metavar="FILE", type=Path, help="write a PDF")
    out.add_argument(
        "--escpos-file", metavar="FILE", type=Path, help="write ESC/POS bytes (a file or a printer device)"
    )
    out.add_argument(
        "--printer",
        metavar="SPEC",
        nargs="?",
        const="",
        help=f"send it to a receipt printer ({_PRINTER_HELP}); alone: the configured [printer] escpos",
    )
    p.add_argument(
        "--paper", choices=PAPERS, help="receipt roll width, or an A6 sheet (PDF only); default: [printer] paper"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")


def register(pr: argparse.ArgumentParser) -> None:
    """The command's arguments and handler (its name and help: ``COMMANDS`` in ``counter_desk.cli``)."""
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
    p.add_argument("--printer", metavar="SPEC", help=f"ask this printer instead ({_PRINTER_HELP})")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=_status)


def _printer(args: argparse.Namespace, settings: Settings) -> PrinterSpec:
    """The printer ``--printer`` names, or the configured one for ``--printer`` alone."""
    if args.printer:
        return parse_printer(args.printer, "--printer")
    if settings.printer is None:
        msg = _(
            "no receipt printer configured: give --printer SPEC or set [printer] escpos in {config}",
            config=settings.config_file,
        )
        raise InvalidInput(msg)
    return settings.printer


def _write(args: argparse.Namespace, receipt: Receipt, human: Callable[[str], str], settings: Settings) -> int:
    # The renderers pull in reportlab and python-escpos: only when something is printed, not for every command.
    from counter_desk.devices import receipt_escpos, receipt_pdf

    paper = args.paper or settings.paper
    if args.printer is not None:
        return _send(args, receipt, human, settings, paper)
    if args.pdf is not None:
        receipt_pdf.write_pdf(receipt, args.pdf, paper)
        target, fmt = args.pdf, "pdf"
    else:
        receipt_escpos.write_escpos(receipt, args.escpos_file, paper)
        target, fmt = args.escpos_file, "escpos"
    emit(args, {**receipt.to_json(), "format": fmt, "paper": paper, "file": str(target)}, human(str(target)))
    return 0


def _send(
    args: argparse.Namespace, receipt: Receipt, human: Callable[[str], str], settings: Settings, paper: str
) -> int:
    """Keep the PDF, send the receipt to the printer once (as the station windows do)."""
    from counter_desk.devices.printing import print_receipt

    printer = _printer(args, settings)
    if paper == "a6":
        raise InvalidInput(_("a receipt printer takes 80mm or 58mm rolls, not A6"))
    outcome = print_receipt(receipt, pdf_dir=settings.data_dir / "receipts", printer=printer, paper=paper)
    if not outcome.printer_ok:
        msg = _(
            "the printer {printer} failed ({error}); the receipt is kept at {pdf}",
            printer=printer,
            error=outcome.printer_error,
            pdf=outcome.pdf,
        )
        raise PrinterFailed(msg)
    emit(
        args,
        {**receipt.to_json(), "format": "escpos", "paper": paper, "printer": str(printer), "pdf": str(outcome.pdf)},
        _("{done} (PDF kept at {pdf})", done=human(str(printer)), pdf=outcome.pdf),
    )
    return 0


def _ticket(args: argparse.Namespace) -> int:
    settings = common.settings(args)
    receipt = ticket_receipt(QueueService(common.open_database(settings), office=settings.office), args.number)
    return _write(
        args, receipt, lambda f: _("ticket {number} written to {file}", number=receipt.number, file=f), settings
    )


def _pickups(settings: Settings) -> PickupService:
    return PickupService(common.open_database(settings), office=settings.office)


def _pickup(args: argparse.Namespace) -> int:
    settings = common.settings(args)
    service = _pickups(settings)
    receipt = pickup_receipt(service.find(args.ref), printed_at=service.clock.now())
    return _write(
        args,
        receipt,
        lambda f: _("pickup receipt of {application} written to {file}", application=receipt.number, file=f),
        settings,
    )


def _handover(args: argparse.Namespace) -> int:
    settings = common.settings(args)
    receipt = handover_receipt(_pickups(settings).find(args.ref))
    return _write(
        args,
        receipt,
        lambda f: _("handover receipt of {application} written to {file}", application=receipt.number, file=f),
        settings,
    )


def _test_page(args: argparse.Namespace) -> int:
    from counter_desk.clock import SystemClock, office_local

    settings = common.settings(args)
    db = common.open_database(settings)
    with db.read() as session:
        office = directory.office_info(session, settings.office)
    now = office_local(SystemClock().now(), office.timezone)
    receipt = printer_test_page(office.name, office.code, now, args.paper or settings.paper)
    return _write(args, receipt, lambda f: _("test page written to {file}", file=f), settings)


def _status(args: argparse.Namespace) -> int:
    from counter_desk.devices.printing import printer_state

    settings = common.settings(args)
    state = printer_state(parse_printer(args.printer, "--printer") if args.printer else settings.printer)
    emit(
        args,
        {"printer": state.printer, "online": state.online, "paper": state.paper, "detail": state.detail},
        state.text(),
    )
    return 0

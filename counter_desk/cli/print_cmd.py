"""``counter-desk print ticket NUMBER``: a queue ticket's receipt as a PDF or as ESC/POS bytes."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from counter_desk.cli import common, emit
from counter_desk.i18n import _
from counter_desk.services.queue import QueueService
from counter_desk.services.receipts import ticket_receipt

#: Paper sizes: rolls for both formats, A6 for PDF only.
PAPERS = ("80mm", "58mm", "a6")


def register(sub: Any) -> None:
    pr = sub.add_parser("print", help="print receipts: a queue ticket as PDF or ESC/POS")
    kinds = pr.add_subparsers(dest="kind", required=True, metavar="RECEIPT")

    p = kinds.add_parser("ticket", help="a queue ticket: number, stage, people ahead, wait, QR code")
    p.add_argument("number", metavar="NUMBER", help="the ticket number (e.g. A-001)")
    out = p.add_mutually_exclusive_group(required=True)
    out.add_argument("--pdf", metavar="FILE", type=Path, help="write a PDF")
    out.add_argument(
        "--escpos-file", metavar="FILE", type=Path, help="write ESC/POS bytes (a file or a printer device)"
    )
    p.add_argument("--paper", choices=PAPERS, default="80mm", help="receipt roll width, or an A6 sheet (PDF only)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=_ticket)


def _ticket(args: argparse.Namespace) -> int:
    # The renderers pull in reportlab and python-escpos: only when something is printed, not for every command.
    from counter_desk.devices import receipt_escpos, receipt_pdf

    settings = common.settings(args)
    receipt = ticket_receipt(QueueService(common.open_database(settings), office=settings.office), args.number)
    if args.pdf is not None:
        receipt_pdf.write_pdf(receipt, args.pdf, args.paper)
        target, fmt = args.pdf, "pdf"
    else:
        receipt_escpos.write_escpos(receipt, args.escpos_file, args.paper)
        target, fmt = args.escpos_file, "escpos"
    emit(
        args,
        {**receipt.to_json(), "format": fmt, "paper": args.paper, "file": str(target)},
        _("ticket {number} written to {file}", number=receipt.number, file=target),
    )
    return 0

"""``counter-desk pickup VERB``: the passport pickup from the command line -- issue the pickup receipt's pickup,
show one, scan a receipt at the pickup counter, record the handover. Receipts print with ``counter-desk print``."""

from __future__ import annotations

import argparse

from counter_desk.cli import common, emit
from counter_desk.i18n import _
from counter_desk.services.dates import format_day
from counter_desk.services.pickups import RECIPIENTS, PickupCall, PickupService, PickupView, status_text
from counter_desk.states import status_label


def _user(p: argparse.ArgumentParser, *, token: bool = True) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--user", metavar="USERNAME", help="the officer acting (recorded)")
    if token:
        p.add_argument("--token", metavar="TOKEN", help="idempotency token: a retry with it never acts twice")


def register(pk: argparse.ArgumentParser) -> None:
    """The command's arguments and handler (its name and help: ``COMMANDS`` in ``counter_desk.cli``)."""
    verbs = pk.add_subparsers(dest="verb", required=True, metavar="VERB")

    p = verbs.add_parser("issue", help="the pickup of an interview ticket passed on or finished (again: the same)")
    p.add_argument("ticket", metavar="TICKET", help="the interview ticket's number (e.g. A-001)")
    _user(p, token=False)
    p.set_defaults(handler=_issue)

    p = verbs.add_parser("show", help="a pickup by application number, ticket number or pickup code")
    p.add_argument("ref", metavar="APPLICATION_OR_TICKET")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=_show)

    p = verbs.add_parser("scan", help="a pickup receipt scanned at the pickup counter: issue its ticket, call it")
    p.add_argument("code", metavar="CODE", help="the pickup code on the receipt")
    p.add_argument("--station", required=True, metavar="CODE", help="the pickup counter")
    _user(p)
    p.set_defaults(handler=_scan)

    p = verbs.add_parser("handover", help="the passport was handed over: record to whom, finish the ticket")
    p.add_argument("--station", required=True, metavar="CODE", help="the pickup counter holding the ticket")
    p.add_argument("--recipient", required=True, choices=RECIPIENTS)
    p.add_argument("--name", help="the recipient's name (required for a family member)")
    p.add_argument("--same-kk", action="store_true", help="the family member's Kartu Keluarga shows the applicant")
    _user(p)
    p.set_defaults(handler=_handover)


def _service(args: argparse.Namespace) -> PickupService:
    settings = common.settings(args)
    return PickupService(common.open_database(settings), office=settings.office)


def _describe(pickup: PickupView) -> str:
    return _(
        "{application}: pickup code {code}, ready from {day}, {status}",
        application=pickup.application_number,
        code=pickup.code,
        day=format_day(pickup.ready_on),
        status=status_text(pickup.status),
    )


def _issue(args: argparse.Namespace) -> int:
    issued = _service(args).issue(args.ticket, user=args.user)
    text = _describe(issued.pickup)
    if issued.reprint:
        text = _("{text} [already issued: the same pickup]", text=text)
    emit(args, {**issued.pickup.to_json(), "reprint": issued.reprint}, text)
    return 0


def _show(args: argparse.Namespace) -> int:
    pickup = _service(args).find(args.ref)
    emit(args, pickup.to_json(), _describe(pickup))
    return 0


def _emit_call(args: argparse.Namespace, call: PickupCall) -> int:
    t = call.result.ticket
    emit(
        args,
        {**call.pickup.to_json(), "ticket": call.result.to_json()},
        _(
            "{text}; ticket {number} {status}",
            text=_describe(call.pickup),
            number=t.number,
            status=status_label(t.status),
        ),
    )
    return 0


def _scan(args: argparse.Namespace) -> int:
    return _emit_call(args, _service(args).scan(args.code, args.station, token=args.token, user=args.user))


def _handover(args: argparse.Namespace) -> int:
    call = _service(args).handover(
        args.station, args.recipient, args.name, same_kk=args.same_kk, token=args.token, user=args.user
    )
    return _emit_call(args, call)

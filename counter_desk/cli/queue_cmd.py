"""``counter-desk queue VERB``: every ticket action, scriptable, one JSON object per call with ``--json``.

Every action carries an idempotency token: ``--token`` if given, else one made here. When the connection drops
while the action commits, nobody knows whether it was saved; the error then prints the exact command to run
again with that token, which replays the first attempt's result instead of acting twice (a second walk-in
ticket, a second call).
"""

from __future__ import annotations

import argparse
import re
import shlex
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from counter_desk.cli import common, emit
from counter_desk.clock import SystemClock, office_local
from counter_desk.errors import DatabaseUnavailable, InvalidInput
from counter_desk.i18n import _
from counter_desk.services import queue_status
from counter_desk.services.views import (
    PAUSE_REASONS,
    POSITIONS,
    Result,
    StationPause,
    arrival_label,
    pause_reason_label,
)
from counter_desk.states import status_label

if TYPE_CHECKING:
    from counter_desk.services.queue import QueueService

_PASSWORD_IN_URL = re.compile(r"(://[^:/@\s]+:)[^@\s]+@")


def _common(p: argparse.ArgumentParser, *, token: bool = True) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--user", metavar="USERNAME", help="the officer acting (recorded in the event log)")
    if token:
        p.add_argument("--token", metavar="TOKEN", help="idempotency token: a retry with it never acts twice")


def register(q: argparse.ArgumentParser) -> None:
    """The command's arguments and handler (its name and help: ``COMMANDS`` in ``counter_desk.cli``)."""
    verbs = q.add_subparsers(dest="verb", required=True, metavar="VERB")

    p = verbs.add_parser("check-in", help="issue a ticket for a booking, or a walk-in of a category")
    p.add_argument("code", nargs="?", help="booking code or application number")
    p.add_argument("--walk-in", action="store_true", help="no booking: needs --category")
    p.add_argument("--category", metavar="CODE", help="walk-in category (elderly, disability, lost, ...)")
    p.add_argument("--station", metavar="CODE", help="the reception station issuing the ticket")
    override = p.add_mutually_exclusive_group()
    override.add_argument(
        "--override",
        action="store_true",
        help="the signed-in supervisor (--user) lets it through while the office is closed or the arrival is late",
    )
    override.add_argument(
        "--override-by", metavar="USERNAME", help="the supervisor who lets it through (audited with the ticket)"
    )
    _common(p)
    p.set_defaults(handler=_check_in)

    p = verbs.add_parser("call-next", help="call the next applicant to a station")
    p.add_argument("--station", required=True, metavar="CODE")
    _common(p)
    p.set_defaults(handler=lambda a: _act(a, lambda s: s.call_next(a.station, token=a.token, user=a.user)))

    p = verbs.add_parser("call", help="call a specific ticket out of order (the reason is recorded)")
    p.add_argument("--ticket", required=True, metavar="NUMBER")
    p.add_argument("--station", required=True, metavar="CODE")
    p.add_argument("--reason", required=True)
    _common(p)
    p.set_defaults(
        handler=lambda a: _act(a, lambda s: s.call(a.ticket, a.station, a.reason, token=a.token, user=a.user))
    )

    for verb, method, text in (
        ("recall", "recall", "call the station's ticket again"),
        ("start", "start", "the applicant is at the counter: start serving"),
        ("no-show", "no_show", "the called applicant did not come"),
    ):
        p = verbs.add_parser(verb, help=text)
        p.add_argument("--station", required=True, metavar="CODE")
        p.add_argument("--ticket", metavar="NUMBER", help="check that the station holds this ticket")
        _common(p)
        p.set_defaults(handler=_station_verb(method))

    p = verbs.add_parser("park", help="set the station's applicant aside (fetching a document); comes back here")
    p.add_argument("--station", required=True, metavar="CODE")
    p.add_argument("--reason", required=True, help="e.g. 'fotokopi KK' (recorded)")
    p.add_argument("--ticket", metavar="NUMBER", help="check that the station holds this ticket")
    _common(p)
    p.set_defaults(
        handler=lambda a: _act(a, lambda s: s.park(a.station, a.reason, ticket=a.ticket, token=a.token, user=a.user))
    )

    p = verbs.add_parser("resume", help="call an applicant set aside back to the same station")
    p.add_argument("--station", required=True, metavar="CODE")
    p.add_argument("--ticket", metavar="NUMBER", help="which one, when the station set several aside")
    _common(p)
    p.set_defaults(handler=_station_verb("resume"))

    p = verbs.add_parser("pause", help="pause the station (it calls nobody and is not counted open)")
    p.add_argument("--station", required=True, metavar="CODE")
    p.add_argument("--reason", required=True, choices=PAUSE_REASONS)
    p.add_argument("--note", help="details (required with --reason other)")
    _common(p, token=False)
    p.set_defaults(handler=_pause)

    p = verbs.add_parser("unpause", help="end the station's pause: it is open again")
    p.add_argument("--station", required=True, metavar="CODE")
    _common(p, token=False)
    p.set_defaults(handler=_unpause)

    p = verbs.add_parser("finish", help="done with the applicant at this station")
    p.add_argument("--station", required=True, metavar="CODE")
    p.add_argument("--ticket", metavar="NUMBER")
    p.add_argument("--outcome", help="e.g. approved or rejected (adjudication)")
    p.add_argument("--reason")
    _common(p)
    p.set_defaults(
        handler=lambda a: _act(
            a,
            lambda s: s.finish(
                a.station, ticket=a.ticket, outcome=a.outcome, reason=a.reason, token=a.token, user=a.user
            ),
        )
    )

    p = verbs.add_parser("return", help="put a ticket back in its queue, at the front or the end")
    p.add_argument("--station", metavar="CODE", help="the station holding the ticket")
    p.add_argument("--ticket", metavar="NUMBER", help="the ticket (e.g. a no-show)")
    p.add_argument("--position", choices=POSITIONS, default="end")
    p.add_argument("--reason")
    _common(p)
    p.set_defaults(
        handler=lambda a: _act(
            a,
            lambda s: s.return_to_queue(
                station=a.station, ticket=a.ticket, position=a.position, reason=a.reason, token=a.token, user=a.user
            ),
        )
    )

    p = verbs.add_parser("transfer", help="pass a ticket on to another stage's queue")
    p.add_argument("--to-stage", required=True, metavar="CODE")
    p.add_argument("--station", metavar="CODE", help="the station holding the ticket")
    p.add_argument("--ticket", metavar="NUMBER")
    p.add_argument("--position", choices=POSITIONS, default="end")
    p.add_argument("--reason")
    _common(p)
    p.set_defaults(
        handler=lambda a: _act(
            a,
            lambda s: s.transfer(
                a.to_stage,
                station=a.station,
                ticket=a.ticket,
                position=a.position,
                reason=a.reason,
                token=a.token,
                user=a.user,
            ),
        )
    )

    p = verbs.add_parser("status", help="a stage's or station's queue, with waiting times")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--stage", metavar="CODE")
    group.add_argument("--station", metavar="CODE")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_status)

    p = verbs.add_parser("estimate", help="waiting count, open stations and estimated wait per stage")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_estimate)

    p = verbs.add_parser("show", help="one ticket")
    p.add_argument("--ticket", required=True, metavar="NUMBER")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_show)

    p = verbs.add_parser("events", help="the event log after a sequence number")
    p.add_argument("--after", type=int, default=0, metavar="N")
    p.add_argument("--limit", type=int, default=1000, metavar="N")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_events)


def _service(args: argparse.Namespace) -> QueueService:
    from counter_desk.services.queue import QueueService  # the use cases only for a verb that acts

    settings = common.settings(args)
    return QueueService(common.open_database(settings), office=settings.office)


def _describe(result: Result) -> str:
    t = result.ticket
    values = {"number": t.number, "status": status_label(t.status), "stage": t.stage}
    if t.station:
        text = _("{number} {status} ({stage} at {station})", station=t.station, **values)
    else:
        text = _("{number} {status} ({stage})", **values)
    if result.ahead is not None and t.status == "waiting":
        text = _("{text}, {ahead} ahead", text=text, ahead=result.ahead)
    if result.replayed:
        text = _("{text} [repeated request: nothing new done]", text=text)
    info = result.check_in
    if info is not None and info.application_number is not None:
        slot = "-".join(x.strftime("%H:%M") for x in (info.slot_start, info.slot_end) if x is not None) or "—"
        text += "\n" + _(
            "check against the KTP: {name}, NIK {nik}, born {born}; slot {slot}: {arrival}",
            name=info.name_masked or "—",
            nik=info.nik_masked or "—",
            born=info.birth_date.isoformat() if info.birth_date else "—",
            slot=slot,
            arrival=arrival_label(info.arrival),
        )
    if info is not None and info.override is not None:
        text += "\n" + _("let through by {user} (recorded)", user=info.override_by)
    return text


def _retry_command(token: str) -> str | None:
    """The command line to run again with ``--token``, when this process is the ``counter-desk`` program."""
    program = Path(sys.argv[0]).name if sys.argv else ""
    if program not in {"counter-desk", "counter-desk.exe", "main.py", "__main__.py"}:
        return None
    # A password given in a --db URL is not printed again (the message may end up in a log).
    words = [_PASSWORD_IN_URL.sub(r"\1***@", w) for w in sys.argv[1:]]
    if "--token" not in words and not any(w.startswith("--token=") for w in words):
        words += ["--token", token]
    return shlex.join(["counter-desk", *words])


def _act(args: argparse.Namespace, action: Any) -> int:
    if getattr(args, "token", None) is None and hasattr(args, "token"):
        # Every action has a token, so that the retry this command offers after an ambiguous commit replays it.
        args.token = f"cli-{uuid.uuid4().hex}"
    try:
        result: Result = action(_service(args))
    except DatabaseUnavailable as exc:
        token = getattr(args, "token", None)
        if token is None:
            raise
        command = _retry_command(token)
        if command is not None:
            msg = _(
                "{message}. Whether it was saved is unknown: run exactly this again (it never acts twice): {command}",
                message=exc.message.rstrip("."),
                command=command,
            )
        else:
            msg = _(
                "{message}. Whether it was saved is unknown: run the same command again with --token {token} "
                "(it never acts twice)",
                message=exc.message.rstrip("."),
                token=token,
            )
        raise DatabaseUnavailable(msg) from exc
    emit(args, result.to_json(), _describe(result))
    return 0


def _pause_text(pause: StationPause) -> str:
    values = {"station": pause.station, "reason": pause_reason_label(pause.reason)}
    if pause.until is None:
        return _("{station} paused ({reason})", **values)
    return _("{station} open again after a pause ({reason})", **values)


def _pause(args: argparse.Namespace) -> int:
    pause = _service(args).pause_station(args.station, args.reason, note=args.note, user=args.user)
    emit(args, pause.to_json(), _pause_text(pause))
    return 0


def _unpause(args: argparse.Namespace) -> int:
    pause = _service(args).unpause_station(args.station, user=args.user)
    emit(args, pause.to_json(), _pause_text(pause))
    return 0


def _station_verb(method: str) -> Any:
    def handler(a: argparse.Namespace) -> int:
        return _act(a, lambda s: getattr(s, method)(a.station, ticket=a.ticket, token=a.token, user=a.user))

    return handler


def _check_in(args: argparse.Namespace) -> int:
    override_by = args.override_by
    if args.override:
        if args.user is None:
            msg = _("--override needs --user: the supervisor who lets the check-in through")
            raise InvalidInput(msg)
        override_by = args.user
    if args.walk_in or args.category:
        if args.code is not None:
            msg = _("give a booking code or --walk-in --category, not both")
            raise InvalidInput(msg)
        if not (args.walk_in and args.category):
            msg = _("a walk-in needs both --walk-in and --category CODE")
            raise InvalidInput(msg)
        return _act(
            args,
            lambda s: s.check_in(
                walk_in=args.category, station=args.station, token=args.token, user=args.user, override_by=override_by
            ),
        )
    if args.code is None:
        msg = _("give a booking code or application number, or --walk-in --category CODE")
        raise InvalidInput(msg)
    return _act(
        args,
        lambda s: s.check_in(
            args.code, station=args.station, token=args.token, user=args.user, override_by=override_by
        ),
    )


def _status(args: argparse.Namespace) -> int:
    settings = common.settings(args)
    db = common.open_database(settings)
    # Rows only, no ORM and none of the use cases: the command starts in about half the time (issue 15).
    status = queue_status.read(db, settings.office, SystemClock().now(), stage=args.stage, station=args.station)
    lines = [
        _("{name} ({stage}): {count} waiting", name=status.stage_name, stage=status.stage, count=len(status.waiting))
    ]
    for w in status.waiting:
        line = _(
            "{number:<8} {category:<12} waited {minutes} min{mark}",
            number=w.ticket.number,
            category=w.ticket.category,
            minutes=w.waited_seconds // 60,
            mark=" !" if w.over_target else "",
        )
        lines.append(f"  {line}")
    for st in status.stations:
        holding = f"{st.ticket.number} {status_label(st.ticket.status)}" if st.ticket else _("free")
        if st.pause_reason is not None:
            holding = _("paused ({reason})", reason=pause_reason_label(st.pause_reason))
        if st.parked:
            holding = _("{text}; set aside: {numbers}", text=holding, numbers=", ".join(st.parked))
        lines.append(f"  [{st.code}] {holding}")
    emit(args, status.to_json(), "\n".join(lines))
    return 0


def _estimate(args: argparse.Namespace) -> int:
    estimates = _service(args).estimates()
    lines = []
    for e in estimates:
        wait = e.new_arrival_wait_seconds
        guess = _("about {minutes} min", minutes=round(wait / 60)) if wait is not None else _("unknown")
        line = _(
            "{name:<20} {waiting:>3} waiting, {open} open, wait {guess}",
            name=e.stage_name,
            waiting=e.waiting,
            open=e.open_stations,
            guess=guess,
        )
        if e.paused_stations:
            line = _("{text} ({count} paused)", text=line, count=e.paused_stations)
        lines.append(line)
    emit(args, {"stages": [e.to_json() for e in estimates]}, "\n".join(lines))
    return 0


def _show(args: argparse.Namespace) -> int:
    t = _service(args).ticket(args.ticket)
    values = {"number": t.number, "day": t.day, "status": status_label(t.status), "stage": t.stage}
    if t.station:
        human = _("{number} ({day}) {status} at {stage}/{station}", station=t.station, **values)
    else:
        human = _("{number} ({day}) {status} at {stage}", **values)
    emit(args, t.to_json(), human)
    return 0


def _events(args: argparse.Namespace) -> int:
    service = _service(args)
    events = service.events(after=args.after, limit=args.limit)
    timezone = service.timezone()
    last = events[-1].seq if events else args.after
    lines = []
    for e in events:
        when = office_local(e.at, timezone).strftime("%H:%M:%S")
        extra = f" ({e.reason})" if e.reason else ""
        lines.append(f"{e.seq:>6} {when} {e.kind:<12} {e.number or '-':<8} {e.stage or '-'} {e.station or ''}{extra}")
    emit(
        args,
        {"after": args.after, "last": last, "events": [e.to_json() for e in events]},
        "\n".join(lines) or _("no events"),
    )
    return 0

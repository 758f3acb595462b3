"""``counter-desk demo``: the reference office at work.

Until the station windows and the waiting-room display exist, the demo plays a short office morning in the
terminal on the configured database (by default the embedded SQLite file): arrivals are checked in at
reception, interview booths call them, files go on to adjudication and are finished.
"""

from __future__ import annotations

import argparse
import contextlib
import time
from typing import Any

from counter_desk.cli import common
from counter_desk.clock import office_day
from counter_desk.errors import Conflict, EmptyQueue, InvalidTransition, NotFound, WrongDay
from counter_desk.i18n import _
from counter_desk.services.queue import QueueService
from counter_desk.services.views import Result
from counter_desk.states import status_label


def register(sub: Any) -> None:
    p = sub.add_parser("demo", help="watch the reference office work (terminal walk-through for now)")
    p.add_argument("--pause", type=float, default=0.4, metavar="S", help="seconds between steps")
    p.set_defaults(handler=_demo)


def _say(result: Result, text: str, pause: float) -> None:
    t = result.ticket
    values = {"number": t.number, "text": text, "status": status_label(t.status), "stage": t.stage}
    if t.station:
        line = _("{number:<6} {text:<44} -> {status} at {stage} / {station}", station=t.station, **values)
    else:
        line = _("{number:<6} {text:<44} -> {status} at {stage}", **values)
    print(f"  {line}")
    time.sleep(pause)


def _next_booking(queue: QueueService, day: str) -> Result | None:
    for n in range(1, 500):
        try:
            return queue.check_in(f"MP{day}{n:04d}", station="reception-1")
        except (Conflict, WrongDay):
            continue
        except NotFound:
            return None
    return None


def _demo(args: argparse.Namespace) -> int:
    settings = common.settings(args)
    queue = QueueService(common.open_database(settings), office=settings.office)
    day = office_day(queue.clock.now(), queue.timezone()).strftime("%y%m%d")
    print(_("Counter Desk demo on {url}", url=settings.db_url))
    print(_("Reception checks arrivals in:"))
    arrivals = [queue.check_in(walk_in="elderly", station="reception-2")]
    _say(arrivals[0], _("walk-in, elderly (priority)"), args.pause)
    for _attempt in range(3):
        booked = _next_booking(queue, day)
        if booked is None:
            print("  " + _("(no unused sample booking for today: run 'counter-desk db seed --sample-bookings 40')"))
            break
        _say(booked, _("booking {code} scanned", code=booked.ticket.booking_code), args.pause)
    print(_("Interview booths call the next applicant:"))
    for booth in ("interview-1", "interview-2"):
        with contextlib.suppress(InvalidTransition):  # raised when the booth holds nothing: the normal case
            queue.return_to_queue(station=booth, position="front")  # left holding one by an interrupted demo
        try:
            called = queue.call_next(booth)
        except EmptyQueue:
            break
        _say(called, _("called to {station}", station=booth), args.pause)
        _say(queue.start(booth), _("interview starts"), args.pause)
        _say(queue.transfer("adjudication", station=booth), _("file passed to adjudication"), args.pause)
        _say(queue.call_next("adjudicator"), _("adjudicator takes the file"), args.pause)
        _say(queue.finish("adjudicator", outcome="approved"), _("approved"), args.pause)
    status = queue.status(stage="interview")
    print(
        _(
            "{count} still waiting for the interview. Try: counter-desk queue status --stage interview",
            count=len(status.waiting),
        )
    )
    return 0

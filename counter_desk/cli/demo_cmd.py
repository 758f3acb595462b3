"""``counter-desk demo [--simulate]``: the reference office at work, on the embedded SQLite file by default.

Opens the waiting-room display, a reception counter, an interview booth and the supervisor's window side by
side, on today's sample bookings. With ``--simulate`` the rest of the office works by itself: applicants arrive
following the day's hourly profile, the other booths and the adjudicator call and serve with realistic service
times (``--speed`` times faster than life), so calls, chimes and voice happen on the display while you work the
interview booth yourself. Closing the windows ends the demo; ``--terminal`` plays a short morning in the terminal
instead (no windows).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import logging
import threading
import time
from pathlib import Path
from typing import Any

from counter_desk.cli import common
from counter_desk.clock import SystemClock, office_day
from counter_desk.errors import Conflict, EmptyQueue, InvalidInput, InvalidTransition, NotFound, WrongDay
from counter_desk.i18n import _, _n
from counter_desk.services import rules, seed, simulate
from counter_desk.services.queue import QueueService
from counter_desk.services.views import Result
from counter_desk.states import status_label

log = logging.getLogger(__name__)

#: The windows of the demo: (station or window kind, the officer shown in it).
DEMO_RECEPTION = ("reception-1", "penerimaan1")
DEMO_BOOTH = ("interview-1", "wawancara1")
DEMO_SUPERVISOR = "kasi"
SAMPLE_BOOKINGS = 120


def register(p: argparse.ArgumentParser) -> None:
    """The command's arguments and handler (its name and help: ``COMMANDS`` in ``counter_desk.cli``)."""
    p.add_argument("--simulate", action="store_true", help="the rest of the office works by itself")
    p.add_argument("--speed", type=float, default=20.0, metavar="X", help="simulated time runs X times faster")
    p.add_argument("--terminal", action="store_true", help="a short walk-through in the terminal, no windows")
    p.add_argument(
        "--quit-after", type=float, metavar="S", help="close the windows after S seconds (tests, unattended runs)"
    )
    p.add_argument("--pause", type=float, default=0.4, metavar="S", help="--terminal: seconds between steps")
    p.add_argument(
        "--screenshot",
        type=Path,
        metavar="PNG",
        help="once the windows have settled, save what the screen shows (and PNG.json: where each window is)",
    )
    p.set_defaults(handler=_demo)


def _demo(args: argparse.Namespace) -> int:
    if args.speed <= 0:
        msg = _("--speed must be above 0")
        raise InvalidInput(msg)
    settings = common.settings(args)
    db = common.open_database(settings)
    report = seed.load(db)
    # Seeded once: the demo tops today's sample bookings up to SAMPLE_BOOKINGS (none added on a second run).
    added = seed.sample_bookings(db, SAMPLE_BOOKINGS, office=report.office)
    if added:
        print(_n("{n} sample booking for today added", "{n} sample bookings for today added", added))
    # A demo runs whenever someone tries it, evenings and weekends too: check-in outside office hours is let
    # through (a real office keeps the default, "refuse", with a supervisor's override).
    rules.update(db, report.office, {"checkin_hours": "allow"})
    queue = QueueService(db, office=settings.office)
    if args.terminal:
        return _terminal(queue, settings.db_url, args.pause)  # the reference office, a few steps
    return _windows(
        queue,
        settings,
        simulate_office=args.simulate,
        speed=args.speed,
        quit_after=args.quit_after,
        screenshot=args.screenshot,
    )


#: Tickets the simulated booths leave waiting for the booth the user drives (so F2 has someone to call).
RESERVE_FOR_USER = 3


def _windows(
    queue: QueueService,
    settings: Any,
    *,
    simulate_office: bool,
    speed: float,
    quit_after: float | None = None,
    screenshot: Path | None = None,
) -> int:
    from counter_desk.services.desk import Desk
    from counter_desk.views.app import application, schedule_close, schedule_screen_picture, tile
    from counter_desk.views.display import DisplayWindow
    from counter_desk.views.station import StationWindow
    from counter_desk.views.supervisor import SupervisorWindow

    app = application(settings.language)
    desk, office = Desk(queue.db), settings.office
    receipts = settings.data_dir / "receipts"
    windows = [
        DisplayWindow(desk, office=office),
        StationWindow(desk, DEMO_RECEPTION[0], office=office, user=DEMO_RECEPTION[1], receipts_dir=receipts),
        StationWindow(desk, DEMO_BOOTH[0], office=office, user=DEMO_BOOTH[1], receipts_dir=receipts),
        SupervisorWindow(desk, office=office, user=DEMO_SUPERVISOR),
    ]
    tile(windows)

    runner: threading.Thread | None = None
    driver: simulate.RealTime | None = None
    if simulate_office:
        tz = queue.timezone()
        today = office_day(SystemClock().now(), tz)
        opens = simulate.office_instant(today, dt.time(7, 45), tz)
        driver = simulate.RealTime(opens, speed)
        day = simulate.OfficeDay(
            queue,
            driver,
            start=opens,
            end=simulate.office_instant(today, dt.time(16, 0), tz),
            seed=int(time.time()),
            leave=(DEMO_BOOTH[0], DEMO_RECEPTION[0]),
            reserve=RESERVE_FOR_USER,
        )
        runner = threading.Thread(target=day.run, name="simulated-office", daemon=True)
        runner.start()
        print(_("the office is simulated {speed:g} times faster than life; close the windows to stop", speed=speed))
    if screenshot is not None:
        schedule_screen_picture(app, list(windows), screenshot, seconds=2.5)
    if quit_after is not None:
        schedule_close(app, quit_after)
    code = app.exec()
    if driver is not None and runner is not None:
        driver.stop()
        runner.join(timeout=10)
    for window in windows:
        with contextlib.suppress(RuntimeError):  # already deleted by Qt
            window.close()
    desk.close()
    return int(code)


# --------------------------------------------------------------------------------------------- --terminal


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


def _terminal(queue: QueueService, url: str, pause: float) -> int:
    day = office_day(queue.clock.now(), queue.timezone()).strftime("%y%m%d")
    print(_("Counter Desk demo on {url}", url=url))
    print(_("Reception checks arrivals in:"))
    arrivals = [queue.check_in(walk_in="elderly", station="reception-2")]
    _say(arrivals[0], _("walk-in, elderly (priority)"), pause)
    for _attempt in range(3):
        booked = _next_booking(queue, day)
        if booked is None:
            print("  " + _("(no unused sample booking for today: run 'counter-desk db seed --sample-bookings 40')"))
            break
        _say(booked, _("booking {code} scanned", code=booked.ticket.booking_code), pause)
    print(_("Interview booths call the next applicant:"))
    for booth in ("interview-1", "interview-2"):
        with contextlib.suppress(InvalidTransition):  # raised when the booth holds nothing: the normal case
            queue.return_to_queue(station=booth, position="front")  # left holding one by an interrupted demo
        try:
            called = queue.call_next(booth)
        except EmptyQueue:
            break
        _say(called, _("called to {station}", station=booth), pause)
        _say(queue.start(booth), _("interview starts"), pause)
        _say(queue.transfer("adjudication", station=booth), _("file passed to adjudication"), pause)
        _say(queue.call_next("adjudicator"), _("adjudicator takes the file"), pause)
        _say(queue.finish("adjudicator", outcome="approved"), _("approved"), pause)
    status = queue.status(stage="interview")
    print(
        _(
            "{count} still waiting for the interview. Try: counter-desk queue status --stage interview",
            count=len(status.waiting),
        )
    )
    return 0

"""Render every window and receipt with sample data, offscreen, to PNG (``counter-desk screenshots DIR``).

A throwaway SQLite database gets the reference office, a morning of sample bookings and a simulated office
morning (on a fixed clock, so the pictures are the same every time), then each window is opened on it, given a
moment to load, and grabbed. Receipts are rendered to PDF and rasterised with ``pdftoppm`` (poppler-utils) when
it is installed. The README's pictures come from here.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

from counter_desk.clock import DEFAULT_TIMEZONE, FixedClock
from counter_desk.devices.receipt_pdf import write_pdf
from counter_desk.services import receipts, seed, simulate
from counter_desk.services.desk import Desk
from counter_desk.services.queue import QueueService
from counter_desk.services.views import TicketView
from counter_desk.views.display import DisplayWindow
from counter_desk.views.station import StationWindow
from counter_desk.views.supervisor import SupervisorWindow

#: Monday 23 November 2026: the pictures' day (the office opens at 07:45 in the simulation).
DAY = dt.date(2026, 11, 23)


class _Silent:
    def play(self, wav: bytes, volume: float, done: object) -> None:
        done()  # type: ignore[operator]

    def stop(self) -> None:
        pass


def _settle(app: QApplication, seconds: float) -> None:
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        app.processEvents()
        time.sleep(0.01)


def _grab(app: QApplication, window: QWidget, path: Path, size: tuple[int, int]) -> Path:
    window.resize(*size)
    window.show()
    _settle(app, 2.0)
    window.grab().save(str(path))
    window.close()
    _settle(app, 0.2)
    return path


def _rasterise(pdf: Path, png: Path) -> Path | None:
    """The PDF's first page as PNG at 203 dpi (a thermal printer's resolution), or None without pdftoppm."""
    if shutil.which("pdftoppm") is None:
        return None
    subprocess.run(["pdftoppm", "-png", "-r", "203", "-singlefile", str(pdf), str(png.with_suffix(""))], check=True)
    return png


def render_all(out: Path, app: QApplication) -> list[Path]:
    """Write every picture into ``out``; return the files written."""
    out.mkdir(parents=True, exist_ok=True)
    made: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="counter-desk-shots-") as folder:
        desk = Desk.open(f"sqlite:///{Path(folder) / 'shots.sqlite3'}", upgrade=True)
        tz = DEFAULT_TIMEZONE
        clock = FixedClock(simulate.office_instant(DAY, dt.time(7, 45), tz))
        desk(seed.load, clock=clock)
        desk(seed.sample_bookings, 300, day=DAY, clock=clock)
        queue = desk.queue(clock=clock)
        simulate.OfficeDay(
            queue, simulate.SimulatedTime(clock), start=clock.now(), end=clock.now() + dt.timedelta(hours=2.5), seed=5
        ).run()
        # The booth in the picture has an applicant in front of it.
        for station in ("interview-1", "adjudicator"):
            if _held(queue, station) is None:
                queue.call_next(station)
        booth = _held(queue, "interview-1")
        if booth is not None and booth.status == "called":
            queue.start("interview-1")

        made.append(_grab(app, DisplayWindow(desk, clock=clock, sink=_Silent()), out / "display.png", (1920, 1080)))
        for station, officer, name in (
            ("reception-1", "penerimaan1", "station-reception.png"),
            ("interview-1", "wawancara1", "station-interview.png"),
            ("adjudicator", "ajudikator", "station-adjudicator.png"),
        ):
            window = StationWindow(desk, station, clock=clock, user=officer)
            if station == "reception-1":
                _scan(app, window, _unused_booking(queue))
            made.append(_grab(app, window, out / name, (1280, 760)))
        supervisor = SupervisorWindow(desk, clock=clock, user="kasi")
        made.append(_grab(app, supervisor, out / "supervisor.png", (1400, 900)))
        for index, tab in ((2, "rules"), (3, "bookings"), (4, "officers")):
            supervisor = SupervisorWindow(desk, clock=clock, user="kasi")
            supervisor.tabs.setCurrentIndex(index)
            made.append(_grab(app, supervisor, out / f"supervisor-{tab}.png", (1400, 900)))

        # Receipts: the last ticket issued, and a pickup taken through to its handover.
        last = queue.check_in(walk_in="elderly", station="reception-1").ticket.number  # a fresh arrival
        made += _receipt(receipts.ticket_receipt(queue, last), out / "receipt-ticket")
        booked = next(w.ticket.number for w in queue.status(stage="interview").waiting if w.ticket.booking_code)
        if _held(queue, "interview-2") is not None:
            queue.return_to_queue(station="interview-2", position="front")
        queue.call(booked, "interview-2", reason="sample pickup receipt")
        queue.start("interview-2")
        finished = queue.transfer("adjudication", station="interview-2").ticket.number
        pickups = desk.pickups(clock=clock)
        issued = pickups.issue(finished).pickup
        made += _receipt(receipts.pickup_receipt(issued, printed_at=clock.now()), out / "receipt-pickup")
        queue.return_to_queue(station="adjudicator", position="front")
        while queue.call_next("adjudicator").ticket.number != finished:
            queue.finish("adjudicator", outcome="approved")
        queue.finish("adjudicator", outcome="approved")
        clock.set(simulate.office_instant(issued.ready_on, dt.time(9, 30), tz))
        pickups.scan(issued.code, "pickup")
        counter = StationWindow(desk, "pickup", clock=clock, user="pengambilan")
        made.append(_grab(app, counter, out / "station-pickup.png", (1280, 760)))
        handed = pickups.handover("pickup", "applicant").pickup
        made += _receipt(receipts.handover_receipt(handed), out / "receipt-handover")
        desk.close()
    return made


def _scan(app: QApplication, window: StationWindow, code: str) -> None:
    """The reception panel after a scan: the ticket, and what to check against the KTP."""
    window.resize(1280, 760)
    window.show()
    _settle(app, 1.0)
    window.scan(code)


def _unused_booking(queue: QueueService) -> str:
    """A booking of the pictures' day not checked in yet (the latest slots: the morning has not reached them)."""
    for n in range(300, 0, -1):
        code = f"MP{DAY:%y%m%d}{n:04d}"
        if not any(w.ticket.booking_code == code for w in queue.status(stage="interview").waiting):
            return code
    return f"MP{DAY:%y%m%d}0300"


def _held(queue: QueueService, station: str) -> TicketView | None:
    return next(s for s in queue.status(station=station).stations if s.code == station).ticket


def _receipt(receipt: receipts.Receipt, stem: Path) -> list[Path]:
    pdf = stem.with_suffix(".pdf")
    write_pdf(receipt, pdf, "80mm")
    png = _rasterise(pdf, stem.with_suffix(".png"))
    return [pdf] + ([png] if png else [])

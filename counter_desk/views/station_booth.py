"""The interview booth: the calling counter (:mod:`~counter_desk.views.station_counter`) plus parking an
applicant who fetches a document, calling them back, and the pickup receipt of the applicant just served."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from counter_desk.i18n import N_, _, lookup
from counter_desk.services.dates import format_day
from counter_desk.services.pickups import Issued
from counter_desk.services.receipts import pickup_receipt
from counter_desk.services.stations import SERVICE, Choice
from counter_desk.services.views import Result
from counter_desk.states import Action
from counter_desk.views.dialogs import ChooseDialog
from counter_desk.views.station_counter import CounterPanel
from counter_desk.views.station_frame import Frame, enable

#: Why an applicant is set aside, offered first in the park dialog (a free reason can be typed too).
PARK_REASONS = (
    N_("fetching a photocopy of the family card (KK)"),
    N_("fetching the birth certificate (akta)"),
    N_("fetching another document"),
)


class BoothPanel(QObject):
    """What an interview booth adds to the calling counter."""

    def __init__(self, frame: Frame, counter: CounterPanel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._frame = frame
        self._counter = counter
        #: The interview ticket last passed on or finished here: its pickup receipt may be printed.
        self.passed: str | None = None
        counter.passing.connect(self._passing)

    def handlers(self) -> dict[str, Callable[[], None]]:
        return {
            "pickup_receipt": self.print_pickup_receipt,
            "park": self.ask_park,
            "resume": lambda: self.resume_parked(),  # noqa: PLW0108 - clicked(bool) must not reach `ticket`
        }

    def apply_kind(self, kind: str) -> None:
        for name in ("pickup_receipt", "park", "resume"):
            self._frame.buttons[name].setVisible(kind == SERVICE)

    def update_buttons(self, busy: bool) -> None:
        snap = self._frame.snapshot
        wanted = {
            "pickup_receipt": self.passed is not None,
            "park": Action.PARK in self._counter.allowed,
            "resume": self._counter.current is None and bool(snap and snap.parked),
        }
        enable(self._frame.buttons, wanted, busy)

    def _passing(self, result: Result) -> None:
        """Passed on or finished: at an interview booth, the applicant's pickup receipt may now be printed."""
        snap = self._frame.snapshot
        if snap is not None and snap.kind == SERVICE:
            self.passed = result.ticket.number

    def ask_park(self) -> None:
        f, current = self._frame, self._counter.current
        if current is None or f.ops.busy:
            return
        reasons = [Choice(lookup(r), lookup(r)) for r in PARK_REASONS]
        dialog = ChooseDialog(
            f.window(),
            _("Park"),
            _("Set {number} aside until the applicant is back at this booth:", number=current.number),
            reasons,
            reason=True,
            preselect=False,
            reason_enough=True,
        )
        dialog.reason.setPlaceholderText(_("Or type the reason"))
        answer = f.ask(dialog)
        if answer is None:
            return
        chosen, typed = answer
        reason = f"{chosen}: {typed}" if chosen and typed else typed or chosen
        self.park(reason)

    def park(self, reason: str) -> None:
        f = self._frame
        f.ops.run_action(
            "park",
            lambda token: f.queue.park(f.station, reason, token=token, user=f.user),
            self._counter.show_result,
        )

    def resume_parked(self, ticket: str | None = None) -> None:
        """Call a parked applicant back here (the one parked, or the chosen one when several are)."""
        f = self._frame
        parked = f.snapshot.parked if f.snapshot is not None else []
        if ticket is None and len(parked) > 1:
            choice = f.ask(
                ChooseDialog(
                    f.window(),
                    _("Call back parked"),
                    _("Who is back?"),
                    [Choice(t.number, t.number) for t in parked],
                    reason=False,
                )
            )
            if choice is None:
                return
            ticket = choice[0]
        f.ops.run_action(
            "resume",
            lambda token: f.queue.resume(f.station, ticket=ticket, token=token, user=f.user),
            self._counter.show_result,
        )

    def print_pickup_receipt(self) -> None:
        """The pickup receipt of the applicant just passed on or finished (a second press reprints the same
        pickup, never a second one)."""
        f, number = self._frame, self.passed
        if number is None:
            return

        def done(issued: Issued) -> str:
            p = issued.pickup
            text = _(
                "Pickup receipt of {application}: passport ready from {day}, code {code}",
                application=p.application_number,
                day=format_day(p.ready_on, weekday=True),
                code=p.code,
            )
            if issued.reprint:
                text = _("{text} (reprint)", text=text)
            f.receipts.print_receipt(lambda: pickup_receipt(p, printed_at=f.queue.clock.now()), text)
            return text

        f.ops.run_action(f"pickup_receipt:{number}", lambda _token: f.pickups.issue(number, user=f.user), done)

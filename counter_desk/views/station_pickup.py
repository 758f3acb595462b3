"""The pickup counter: the calling counter (:mod:`~counter_desk.views.station_counter`) whose applicants come
with a pickup receipt. Its code, scanned or typed, finds the file, issues a ticket and calls it here; the
handover is recorded with who collected the passport, and its receipt printed."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from counter_desk.i18n import _
from counter_desk.services.dates import format_day
from counter_desk.services.masking import mask_nik
from counter_desk.services.pickups import PickupCall, PickupView
from counter_desk.services.receipts import handover_receipt
from counter_desk.services.stations import PICKUP
from counter_desk.services.views import Result
from counter_desk.states import Action
from counter_desk.views.dialogs import HandoverDialog
from counter_desk.views.station_counter import CounterPanel
from counter_desk.views.station_frame import Frame


class PickupPanel(QObject):
    """What a pickup counter adds to the calling counter.

    Signals:
        shown(object): the pickup in front of the officer changed; carries a
            :class:`~counter_desk.services.pickups.PickupView` or None.
    """

    shown = Signal(object)

    def __init__(self, frame: Frame, counter: CounterPanel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._frame = frame
        self._counter = counter
        #: The pickup whose ticket the counter holds.
        self.current_pickup: PickupView | None = None
        counter.passing.connect(self._passing)

    def handlers(self) -> dict[str, Callable[[], None]]:
        return {"handover": self.ask_handover}

    def apply_kind(self, kind: str) -> None:
        f = self._frame
        pickup = kind == PICKUP
        if pickup:
            f.check_in_box.setTitle(_("Pickup receipt"))
            f.code_edit.setPlaceholderText(_("Scan the pickup receipt's code or type it"))
            f.check_in_button.setText(_("Find and call"))
        f.buttons["handover"].setVisible(pickup)

    def update_buttons(self, busy: bool) -> None:
        enabled = Action.FINISH in self._counter.allowed and self.current_pickup is not None
        self._frame.buttons["handover"].setEnabled(enabled and not busy)

    def _passing(self, _result: Result) -> None:
        snap = self._frame.snapshot
        if snap is not None and snap.kind == PICKUP:
            self.show_pickup(None)

    def scan_pickup(self, payload: str) -> None:
        """The scanned or typed pickup code -> the file, a ticket called here."""
        f = self._frame
        f.code_edit.clear()
        f.ops.run_action(
            f"pickup_scan:{payload.strip().upper()}",
            lambda token: f.pickups.scan(payload, f.station, token=token, user=f.user),
            self._called,
            tone=True,
        )

    def _called(self, call: PickupCall) -> str:
        message = self._counter.show_result(call.result)
        self.show_pickup(call.pickup)
        self._frame.result_number.setText(call.result.ticket.number)
        self._frame.code_edit.setFocus()
        return message

    def show_pickup(self, pickup: PickupView | None) -> None:
        f = self._frame
        self.current_pickup = pickup
        if pickup is None:
            f.clear_result()
        else:
            f.result_detail.setText(
                _(
                    "Application {application} · {name} · NIK {nik} · ready since {day}",
                    application=pickup.application_number,
                    name=pickup.applicant_name or "—",
                    nik=mask_nik(pickup.nik) or "—",
                    day=format_day(pickup.ready_on),
                )
            )
        f.update_buttons()
        self.shown.emit(pickup)

    def handover(self, recipient: str, name: str = "", *, same_kk: bool = False) -> None:
        """Record the handover of the station's pickup, finish its ticket, print the handover receipt."""
        f = self._frame

        def done(call: PickupCall) -> str:
            p = call.pickup
            text = _(
                "Passport of {application} handed over to {name}",
                application=p.application_number,
                name=p.recipient_name or "",
            )
            self._counter.show_result(call.result)
            self.show_pickup(None)
            f.receipts.print_receipt(lambda: handover_receipt(p), text)
            return text

        f.ops.run_action(
            "handover",
            lambda token: f.pickups.handover(
                f.station, recipient, name or None, same_kk=same_kk, token=token, user=f.user
            ),
            done,
        )

    def ask_handover(self) -> None:
        f, pickup = self._frame, self.current_pickup
        if pickup is None or self._counter.current is None:
            return
        prompt = _(
            "Hand over the passport of application {application} ({name})?",
            application=pickup.application_number,
            name=pickup.applicant_name or "—",
        )
        answer = f.ask(HandoverDialog(f.window(), prompt, pickup.applicant_name or ""))
        if answer is not None:
            recipient, name, same_kk = answer
            self.handover(recipient, name, same_kk=same_kk)

"""Reception: a scanned (or typed) booking code checks the applicant in and shows the ticket big, with what
to check against the KTP; a walk-in gets a ticket of its category; a check-in refused by an office rule may be
let through by a supervisor who signs in here."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from counter_desk.devices.scanner import parse_payload
from counter_desk.errors import UserError
from counter_desk.i18n import _
from counter_desk.qt.operations import REFUSED, Failure
from counter_desk.services.auth import Officer
from counter_desk.services.dates import format_day
from counter_desk.services.desk import Desk
from counter_desk.services.receipts import ticket_receipt
from counter_desk.services.stations import PICKUP, RECEPTION
from counter_desk.services.views import CheckInInfo, Result, arrival_label
from counter_desk.views.dialogs import ChooseDialog
from counter_desk.views.station_frame import Frame

#: How an arrival judgement is coloured at reception: the clerk's eye goes to a late or early arrival.
ARRIVAL_STYLE = {
    "early": "background:#1565c0;color:white;font-weight:bold;padding:4px;border-radius:4px;",
    "late": "background:#ef6c00;color:white;font-weight:bold;padding:4px;border-radius:4px;",
}
ARRIVAL_PLAIN = "background:#e8f5e9;color:#1b5e20;font-weight:bold;padding:4px;border-radius:4px;"


class ReceptionPanel(QObject):
    """Check-in at reception."""

    def __init__(self, frame: Frame, desk: Desk, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._frame = frame
        self._desk = desk
        #: A check-in refused by an office rule a supervisor may override (closed, late): the code to retry.
        self.override_code: str | None = None
        self.override_walk_in: str | None = None
        #: While the supervisor signs in for an override (an unparented dialog): it counts as this window's.
        self.signing_in = False

    def apply_kind(self, kind: str, *, has_camera: bool) -> None:
        reception = kind == RECEPTION
        scanning = reception or kind == PICKUP
        self._frame.check_in_box.setVisible(scanning)
        self._frame.walk_in_button.setVisible(reception)
        self._frame.camera_button.setVisible(scanning and has_camera)

    def update_buttons(self, busy: bool) -> None:
        f = self._frame
        for button in (f.check_in_button, f.walk_in_button, f.image_button, f.override_button):
            button.setEnabled(not busy)

    # ------------------------------------------------------------------ checking in

    def check_in_scan(self, payload: str) -> None:
        """A scanned or typed booking: check it in."""
        f = self._frame
        try:
            code = parse_payload(payload)
        except UserError as exc:
            f.code_edit.clear()
            f.clear_result()
            f.error(exc.message, tone=True)
            return
        f.code_edit.clear()
        self._hide_override()
        f.ops.run_action(
            f"check_in:{code}",
            lambda token: f.queue.check_in(code, station=f.station, token=token, user=f.user),
            self.show_issued,
            tone=True,
        )

    def walk_in(self, category: str) -> None:
        f = self._frame
        f.override_button.hide()
        f.ops.run_action(
            f"walk_in:{category}",
            lambda token: f.queue.check_in(walk_in=category, station=f.station, token=token, user=f.user),
            self.show_issued,
        )

    def ask_walk_in(self) -> None:
        f = self._frame
        if f.snapshot is None or f.snapshot.kind != RECEPTION:
            return
        choice = f.ask(
            ChooseDialog(
                f.window(),
                _("Walk-in"),
                _("Who is the applicant?"),
                f.snapshot.walk_in_categories,
                reason=False,
                preselect=False,
            )
        )
        if choice is not None:
            self.walk_in(choice[0])

    def show_issued(self, result: Result) -> str:
        f, t = self._frame, result.ticket
        f.result_number.setText(t.number)
        snap = f.snapshot
        stage = next((s.name for s in snap.stages if s.code == t.stage), t.stage) if snap else t.stage
        wait = result.estimated_wait_seconds
        detail = _("Go to: {stage} · {ahead} ahead", stage=stage, ahead=result.ahead or 0)
        if wait is not None:
            detail += " · " + _("about {minutes} min", minutes=max(1, round(wait / 60)))
        f.result_detail.setText(detail)
        self._show_check(result.check_in)
        f.code_edit.setFocus()
        queue, receipt = f.queue, result.receipt
        # The receipt the check-in made (its ahead and wait are the ones shown); a replayed check-in's, read anew.
        f.receipts.print_ticket(
            t.number, (lambda: receipt) if receipt is not None else (lambda: ticket_receipt(queue, t.number))
        )
        return _("Ticket {number} issued", number=t.number)

    def _show_check(self, info: CheckInInfo | None) -> None:
        """What to check against the KTP (masked name and NIK, date of birth, booked slot), and how the arrival
        stands against the slot (early / on time / late, and what the office's late rule did)."""
        f = self._frame
        self._hide_override()
        if info is None:
            f.arrival_flag.hide()
            f.id_check.hide()
            return
        flag = arrival_label(info.arrival)
        minutes = info.minutes_from_slot
        if info.arrival == "late" and minutes is not None:
            flag = _("{flag}: {minutes} min after the booked hour", flag=flag, minutes=minutes)
            if info.late_policy == "end_of_queue":
                flag = _("{flag} (queued at the end, office rule)", flag=flag)
        elif info.arrival == "early" and minutes is not None:
            flag = _("{flag}: {minutes} min before the booked hour", flag=flag, minutes=-minutes)
        if info.override_by:
            flag = _("{flag} · let through by {user}", flag=flag, user=info.override_by)
        f.arrival_flag.setText(flag)
        f.arrival_flag.setStyleSheet(ARRIVAL_STYLE.get(info.arrival, ARRIVAL_PLAIN))
        f.arrival_flag.show()
        if info.arrival == "walk_in":
            f.id_check.hide()
            return
        slot = "—"
        if info.slot_start is not None:
            slot = info.slot_start.strftime("%H:%M")
            if info.slot_end is not None:
                slot += "–" + info.slot_end.strftime("%H:%M")
        if info.slot_date is not None:
            slot = f"{format_day(info.slot_date)} {slot}"
        f.id_check.setText(
            _(
                "Check against the KTP:\nName: {name}\nNIK: {nik}\nBorn: {born}\nApplication: {application}"
                "\nBooked hour: {slot}",
                name=info.name_masked or "—",
                nik=info.nik_masked or "—",
                born=format_day(info.birth_date) if info.birth_date else "—",
                application=info.application_number or "—",
                slot=slot,
            )
        )
        f.id_check.show()

    # ------------------------------------------------------------------ a supervisor's override

    def _hide_override(self) -> None:
        self._frame.override_button.hide()
        self.override_code = None

    def refused(self, failure: Failure) -> None:
        """A check-in refused by an office rule a supervisor may override: offer the override."""
        if failure.kind != REFUSED or not getattr(failure.exc, "overridable", False):
            return
        kind, _sep, value = failure.name.partition(":")
        if kind in ("check_in", "walk_in"):
            self.override_code = value if kind == "check_in" else None
            self.override_walk_in = value if kind == "walk_in" else None
            self._frame.override_button.show()

    def ask_override(self) -> None:
        """A check-in refused by an office rule (closed, late): a supervisor signs in here and lets it through;
        the override is recorded in the audit log with their name."""
        code, walk_in = self.override_code, self.override_walk_in
        if (code is None and walk_in is None) or self._frame.ops.busy:
            return
        self.signing_in = True
        try:
            officer = self._supervisor_sign_in(code or walk_in or "")
        finally:
            self.signing_in = False
        self._frame.window().activateWindow()
        if officer is not None:
            self.check_in_override(code, officer.username, walk_in=walk_in)

    def _supervisor_sign_in(self, what: str) -> Officer | None:
        from counter_desk.views.signin import sign_in  # the sign-in dialog, only when an override is asked

        return sign_in(
            self._desk,
            office=self._frame.queue.office_code,
            roles=("supervisor",),
            heading=_("A supervisor lets {what} check in despite the office rule", what=what),
            # Its own window, not one of this one's children: torn down with this window, the sign-in dialog's
            # worker crashed the process (PySide 6.12); unparented it ends by itself, as at start-up.
            parent=None,
        )

    def check_in_override(self, code: str | None, supervisor: str, *, walk_in: str | None = None) -> None:
        """Check ``code`` (or a ``walk_in`` of that category) in despite an office rule, on ``supervisor``'s
        authority (signed in just now)."""
        f = self._frame
        f.override_button.hide()
        self.override_code = self.override_walk_in = None
        f.ops.run_action(
            f"check_in_override:{code or walk_in}",
            lambda token: f.queue.check_in(
                code, walk_in=walk_in, station=f.station, token=token, user=f.user, override_by=supervisor
            ),
            self.show_issued,
            tone=True,
        )

    def handlers(self) -> dict[str, Callable[[], None]]:
        return {"walk_in": self.ask_walk_in, "override": self.ask_override}

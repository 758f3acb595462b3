"""The calling counter: what every station that calls applicants does (interview booth, adjudicator, pickup).

Call the next applicant or a chosen ticket, call again, start, no-show, send back to the queue, transfer,
finish, pause the booth; the applicant in front of the officer with the serving timer. The booth
(:mod:`~counter_desk.views.station_booth`), the adjudicator (:mod:`~counter_desk.views.station_adjudicator`) and
the pickup counter (:mod:`~counter_desk.views.station_pickup`) add their own actions to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from counter_desk.clock import office_local
from counter_desk.i18n import N_, _, lookup
from counter_desk.services.stations import ADJUDICATION, RECEPTION, Choice, StationSnapshot
from counter_desk.services.views import PAUSE_REASONS, Result, TicketView, pause_reason_label
from counter_desk.states import Action, Status, allowed_actions
from counter_desk.views.dialogs import CallTicketDialog, ChooseDialog, ConfirmDialog
from counter_desk.views.station_frame import SHORTCUTS, Frame, enable, status_text

NO_SHOW_TEXT = N_("No-show")
#: The buttons of a calling station (the adjudicator hides some, see :meth:`CounterPanel.apply_kind`).
CALLING = ("call_next", "recall", "start", "no_show", "return", "transfer", "finish", "call_ticket")


class CounterPanel(QObject):
    """The calling actions of a station and the applicant at its counter.

    Signals:
        passing(object): a ticket is passed on or finished here; carries the
            :class:`~counter_desk.services.views.Result`, before it shows.
    """

    passing = Signal(object)

    def __init__(self, frame: Frame, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._frame = frame
        self.current: TicketView | None = None

    def handlers(self) -> dict[str, Callable[[], None]]:
        """What each of the panel's buttons (and its key) does."""
        return {
            "call_next": self.call_next,
            "recall": lambda: self.station_action("recall", self._frame.queue.recall),
            "start": lambda: self.station_action("start", self._frame.queue.start),
            "no_show": self.ask_no_show,
            "return": lambda: self.return_to_queue("front"),
            "transfer": self.ask_transfer,
            "finish": lambda: self.finish(),  # noqa: PLW0108 - clicked(bool) must not reach `outcome`
            "call_ticket": self.ask_call_ticket,
            "pause": self.ask_pause,
        }

    # ------------------------------------------------------------------ showing

    def apply_kind(self, kind: str) -> None:
        calling = kind != RECEPTION
        adjudication = kind == ADJUDICATION
        buttons = self._frame.buttons
        self._frame.current_box.setVisible(calling)
        for name in CALLING:
            buttons[name].setVisible(calling)
        buttons["pause"].setVisible(calling)
        for name in ("finish", "start", "recall", "no_show"):
            buttons[name].setVisible(calling and not adjudication)

    @property
    def allowed(self) -> frozenset[Action]:
        """What may be done with the ticket at the counter (nothing without one)."""
        return allowed_actions(Status(self.current.status)) if self.current else frozenset()

    def update_buttons(self, busy: bool) -> None:
        current, snap, allowed = self.current, self._frame.snapshot, self.allowed
        wanted = {
            "call_next": current is None,
            "call_ticket": current is None,
            "recall": Action.RECALL in allowed,
            "start": Action.START in allowed,
            "no_show": Action.NO_SHOW in allowed,
            "return": Action.RETURN in allowed,
            "transfer": Action.TRANSFER in allowed,
            "finish": Action.FINISH in allowed,
            "pause": current is None or bool(snap and snap.pause),
        }
        enable(self._frame.buttons, wanted, busy)

    def show_result(self, result: Result) -> str:
        """Show the ticket an action left; the banner's message."""
        snap = self._frame.snapshot
        here = snap.station_name if snap else self._frame.station
        station = here if result.ticket.station == self._frame.station else result.ticket.station
        self.show_current(result.ticket)
        return _("{number}: {status}", number=result.ticket.number, status=status_text(result.ticket, station))

    def show_current(self, ticket: TicketView | None) -> None:
        f = self._frame
        self.current = ticket if ticket is not None and ticket.status in (Status.CALLED, Status.SERVING) else None
        if self.current is None:
            f.current_number.setText("—")
            f.current_status.setText(_("Nobody at the counter"))
        else:
            f.current_number.setText(self.current.number)
            label = _("called") if self.current.status == Status.CALLED else _("being served")
            names = f.snapshot.category_names if f.snapshot else {}
            f.current_status.setText(f"{label} · {names.get(self.current.category, self.current.category)}")
        self._show_applicant(self.current)
        f.tick()
        f.update_buttons()

    def _show_applicant(self, ticket: TicketView | None) -> None:
        """Whose file it is (application number, masked name), from the snapshot that read the held ticket: the
        adjudicator approves or rejects a file, not a number. Until the snapshot after an action arrives, the
        line is empty rather than another applicant's."""
        snap, label = self._frame.snapshot, self._frame.applicant_label
        if ticket is None:
            label.setText("")
            return
        if ticket.booking_code is None:
            label.setText(_("Walk-in: no booking"))
            return
        found = (
            snap.applicant if snap is not None and snap.current is not None and snap.current.id == ticket.id else None
        )
        label.setText(
            _(
                "Application {application} · {name}",
                application=found.application_number,
                name=found.name_masked or "—",
            )
            if found is not None
            else ""
        )

    def show_booth_state(self, snap: StationSnapshot) -> None:
        """A paused booth, and the applicants set aside here (they come back to this booth)."""
        lines = []
        if snap.pause is not None:
            since = office_local(snap.pause.since, snap.timezone).strftime("%H:%M")
            reason = pause_reason_label(snap.pause.reason)
            if snap.pause.note:
                reason = f"{reason}: {snap.pause.note}"
            lines.append(_("Booth paused since {time} ({reason}): it calls nobody", time=since, reason=reason))
        if snap.parked:
            lines.append(_("Parked here: {numbers}", numbers=", ".join(t.number for t in snap.parked)))
        state = self._frame.booth_state
        state.setText("\n".join(lines))
        state.setVisible(bool(lines))
        colour = "#ef6c00" if snap.pause is not None else "#555"
        state.setStyleSheet(f"color:{colour};font-weight:bold;")
        text = _("Open the booth again") if snap.pause is not None else _("Pause the booth…")
        self._frame.buttons["pause"].setText(f"{text} ({SHORTCUTS['pause']})")

    def tick(self, now: dt.datetime) -> None:
        """The serving timer, and the no-show key's countdown to the office's minimum wait after a call."""
        t, snap = self.current, self._frame.snapshot
        if t is None:
            self._frame.serving_timer.setText("")
        else:
            since = t.started_at or t.called_at or now
            seconds = max(0, int((now - since).total_seconds()))
            self._frame.serving_timer.setText(f"{seconds // 60:02d}:{seconds % 60:02d}")
        wait_from = snap.no_show_from if snap is not None else None
        label = lookup(NO_SHOW_TEXT)
        if t is not None and wait_from is not None and wait_from > now:
            left = int((wait_from - now).total_seconds()) + 1
            label = _("{label} in {time}", label=label, time=f"{left // 60}:{left % 60:02d}")
        self._frame.buttons["no_show"].setText(f"{label} ({SHORTCUTS['no_show']})")

    # ------------------------------------------------------------------ acting

    def station_action(self, name: str, method: Callable[..., Result]) -> None:
        f = self._frame
        f.ops.run_action(name, lambda token: method(f.station, token=token, user=f.user), self.show_result)

    def call_next(self) -> None:
        self.station_action("call_next", self._frame.queue.call_next)

    def call_ticket(self, number: str, reason: str) -> None:
        f = self._frame
        f.ops.run_action(
            "call_ticket",
            lambda token: f.queue.call(number, f.station, reason, token=token, user=f.user),
            self.show_result,
        )

    def return_to_queue(self, position: str = "front") -> None:
        f = self._frame
        f.ops.run_action(
            "return",
            lambda token: f.queue.return_to_queue(station=f.station, position=position, token=token, user=f.user),
            self.show_result,
        )

    def transfer(self, stage: str, reason: str = "") -> None:
        f = self._frame
        f.ops.run_action(
            "transfer",
            lambda token: f.queue.transfer(stage, station=f.station, reason=reason or None, token=token, user=f.user),
            self._passed_on,
        )

    def finish(self, outcome: str | None = None, reason: str = "") -> None:
        f = self._frame
        f.ops.run_action(
            f"finish:{outcome}",
            lambda token: f.queue.finish(f.station, outcome=outcome, reason=reason or None, token=token, user=f.user),
            self._passed_on,
        )

    def _passed_on(self, result: Result) -> str:
        self.passing.emit(result)
        return self.show_result(result)

    def pause(self, reason: str, note: str = "") -> None:
        f = self._frame
        f.ops.run_action(
            "pause",
            lambda _token: f.queue.pause_station(f.station, reason, note=note or None, user=f.user),
            lambda _pause: _("Booth paused ({reason})", reason=pause_reason_label(reason)),
        )

    def unpause(self) -> None:
        f = self._frame
        f.ops.run_action(
            "unpause",
            lambda _token: f.queue.unpause_station(f.station, user=f.user),
            lambda _pause: _("Booth open again"),
        )

    # ------------------------------------------------------------------ asking

    def ask_transfer(self) -> None:
        snap, current = self._frame.snapshot, self.current
        if snap is None or current is None:
            return
        others = [s for s in snap.stages if s.code != snap.stage]
        choice = self._frame.ask(
            ChooseDialog(
                self._frame.window(),
                _("Transfer"),
                _("Pass {number} on to:", number=current.number),
                others,
                reason=True,
            )
        )
        if choice is not None:
            self.transfer(*choice)

    def ask_call_ticket(self) -> None:
        index = self._frame.queue_view.currentIndex()
        selected = self._frame.model.row_at(index.row()) if index.isValid() else None
        answer = self._frame.ask(CallTicketDialog(self._frame.window(), selected.ticket.number if selected else ""))
        if answer is not None:
            self.call_ticket(*answer)

    def ask_no_show(self) -> None:
        """F6: confirm first (a no-show sends the applicant away); before the office's minimum time after the
        call the service refuses and says how long to wait."""
        f, t = self._frame, self.current
        if t is None or f.ops.busy:
            return
        now = f.queue.clock.now()
        wait_from = f.snapshot.no_show_from if f.snapshot is not None else None
        if wait_from is None or wait_from <= now:
            question = _("Mark {number} as no-show? The applicant loses this place in the queue.", number=t.number)
            if not f.ask(ConfirmDialog(f.window(), _("No-show"), question)):
                return
        self.station_action("no_show", f.queue.no_show)

    def ask_pause(self) -> None:
        f = self._frame
        if f.snapshot is None or f.ops.busy:
            return
        if f.snapshot.pause is not None:
            self.unpause()
            return
        if self.current is not None:
            f.error(_("Finish or park {number} before pausing the booth.", number=self.current.number))
            return
        dialog = ChooseDialog(
            f.window(),
            _("Pause the booth"),
            _("Why does the booth pause? It calls nobody until opened again."),
            [Choice(r, pause_reason_label(r)) for r in PAUSE_REASONS],
            reason=True,
            preselect=False,
        )
        dialog.reason.setPlaceholderText(_("Note (needed for other)"))
        answer = f.ask(dialog)
        if answer is not None:
            self.pause(*answer)

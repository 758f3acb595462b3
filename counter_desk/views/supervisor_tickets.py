"""The supervisor window's *Tickets* tab: waiting, held and no-show tickets, with *Move to another stage*,
*Release station* and *Reopen no-show*.

Each action asks for a reason (recorded with the supervisor's name) and runs through the host's idempotent
:meth:`~counter_desk.views.supervisor_common.Host.act`, so a retry after a lost answer is never done twice.
The *Overview* tab's *Release station…* comes here too (:meth:`TicketsTab.ask_release`).
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from counter_desk.i18n import _
from counter_desk.qt.dashboard_models import TicketModel
from counter_desk.services.dashboard import Dashboard, TicketRow
from counter_desk.states import Status
from counter_desk.views.supervisor_common import Host, button, on_row_change, reselect, selected, table

#: The statuses each action applies to.
MOVABLE = (Status.WAITING.value, Status.CALLED.value, Status.SERVING.value)
HELD = (Status.CALLED.value, Status.SERVING.value)


class ReasonDialog(QDialog):
    """Confirm a supervisor action: what will happen, optionally a choice (the target stage), and a reason."""

    def __init__(self, parent: QWidget, title: str, prompt: str, choices: list[tuple[str, str]] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reasonDialog")
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        label = QLabel(prompt)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.choice = QComboBox()
        self.choice.setObjectName("choice")
        for code, name in choices or []:
            self.choice.addItem(name, code)
        self.choice.setVisible(bool(choices))
        layout.addWidget(self.choice)
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText(_("Reason (recorded with your name)"))
        layout.addWidget(self.reason)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(False)
        self.reason.textChanged.connect(lambda text: ok.setEnabled(bool(text.strip())))
        self.reason.setFocus()

    def answer(self) -> tuple[str | None, str] | None:
        """(chosen code or None, reason) when confirmed, None when cancelled."""
        if self.exec() != QDialog.DialogCode.Accepted:
            return None
        code = self.choice.currentData() if self.choice.count() else None
        return (str(code) if code is not None else None), self.reason.text().strip()


class TicketsTab(QWidget):
    """The tickets of the day that are still open, and the three actions that unblock them."""

    def __init__(self, host: Host) -> None:
        super().__init__()
        self._host = host
        layout = QVBoxLayout(self)
        self.ticket_model = TicketModel(self)
        self.ticket_view = table(self.ticket_model, "ticketView")
        layout.addWidget(self.ticket_view)
        row = QHBoxLayout()
        self.move_button = button(_("&Move to another stage…"), "moveButton", self._ask_move)
        self.reopen_button = button(_("Reo&pen no-show…"), "reopenButton", self._ask_reopen)
        self.release_ticket_button = button(_("&Release station…"), "releaseTicketButton", self._ask_release)
        for widget in (self.move_button, self.reopen_button, self.release_ticket_button):
            row.addWidget(widget)
        row.addStretch(1)
        layout.addLayout(row)
        on_row_change(self.ticket_view, self.update_buttons)

    def show_dashboard(self, d: Dashboard) -> None:
        """Show a fresh dashboard's open tickets, keeping the chosen one."""
        ticket = self.selected_ticket()
        self.ticket_model.set_names(d.stage_names, d.category_names)
        self.ticket_model.set_rows([*d.held, *d.waiting, *d.no_shows], now=d.at, timezone=d.timezone)
        reselect(self.ticket_view, ticket.number if ticket is not None else None)
        self.update_buttons()

    def selected_ticket(self) -> TicketRow | None:
        row: TicketRow | None = selected(self.ticket_view)
        return row

    def update_buttons(self) -> None:
        ticket = self.selected_ticket()
        free = not self._host.busy
        self.move_button.setEnabled(free and ticket is not None and ticket.status in MOVABLE)
        self.reopen_button.setEnabled(free and ticket is not None and ticket.status == Status.NO_SHOW.value)
        self.release_ticket_button.setEnabled(free and ticket is not None and ticket.status in HELD)

    def _stage_name(self, code: str) -> str:
        d = self._host.dashboard
        return d.stage_names.get(code, code) if d is not None else code

    # ------------------------------------------------------------------ actions

    def move_ticket(self, number: str, stage: str, reason: str) -> None:
        supervision = self._host.supervision
        self._host.act(
            f"move:{number}:{stage}",
            lambda token: supervision.move(number, stage, reason, token=token),
            lambda r: _("{number} moved to {stage}", number=r.ticket.number, stage=self._stage_name(r.ticket.stage)),
        )

    def release_station(self, station: str, reason: str) -> None:
        supervision = self._host.supervision
        self._host.act(
            f"release:{station}",
            lambda token: supervision.release(station, reason, token=token),
            lambda r: _(
                "{station} released; {number} is back at the front of the queue",
                station=station,
                number=r.ticket.number,
            ),
        )

    def reopen_no_show(self, number: str, reason: str) -> None:
        supervision = self._host.supervision
        self._host.act(
            f"reopen:{number}",
            lambda token: supervision.reopen(number, reason, token=token),
            lambda r: _("{number} is back at the front of the queue", number=r.ticket.number),
        )

    # ------------------------------------------------------------------ dialogs

    def _ask_move(self) -> None:
        ticket = self.selected_ticket()
        d = self._host.dashboard
        if ticket is None or d is None:
            return
        choices = [(s.code, s.name) for s in d.stages if s.code != ticket.stage]
        answer = ReasonDialog(
            self.window(),
            _("Move to another stage"),
            _("Move {number} to the end of the queue of:", number=ticket.number),
            choices,
        ).answer()
        if answer is not None and answer[0] is not None:
            self.move_ticket(ticket.number, answer[0], answer[1])

    def _ask_release(self) -> None:
        ticket = self.selected_ticket()
        if ticket is not None and ticket.station is not None:
            self.ask_release(ticket.station, ticket.number)

    def ask_release(self, station: str, number: str) -> None:
        """Ask for the reason to release ``station`` (holding ``number``), then release it."""
        answer = ReasonDialog(
            self.window(),
            _("Release station"),
            _("{station} holds {number}. Put {number} back at the front of its queue?", station=station, number=number),
        ).answer()
        if answer is not None:
            self.release_station(station, answer[1])

    def _ask_reopen(self) -> None:
        ticket = self.selected_ticket()
        if ticket is None:
            return
        answer = ReasonDialog(
            self.window(),
            _("Reopen no-show"),
            _(
                "Put {number} back at the front of the {stage} queue?",
                number=ticket.number,
                stage=self._stage_name(ticket.stage),
            ),
        ).answer()
        if answer is not None:
            self.reopen_no_show(ticket.number, answer[1])

"""The adjudicator: the calling counter (:mod:`~counter_desk.views.station_counter`) whose finish is a
decision: approve the file, or reject it with a reason."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from counter_desk.i18n import _
from counter_desk.services.stations import ADJUDICATION
from counter_desk.states import Action
from counter_desk.views.dialogs import CallTicketDialog
from counter_desk.views.station_counter import CounterPanel
from counter_desk.views.station_frame import Frame, enable


class AdjudicatorPanel(QObject):
    """What an adjudicator adds to the calling counter."""

    def __init__(self, frame: Frame, counter: CounterPanel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._frame = frame
        self._counter = counter

    def handlers(self) -> dict[str, Callable[[], None]]:
        return {"approve": lambda: self._counter.finish(outcome="approved"), "reject": self.ask_reject}

    def apply_kind(self, kind: str) -> None:
        for name in ("approve", "reject"):
            self._frame.buttons[name].setVisible(kind == ADJUDICATION)

    def update_buttons(self, busy: bool) -> None:
        deciding = Action.FINISH in self._counter.allowed
        enable(self._frame.buttons, {"approve": deciding, "reject": deciding}, busy)

    def ask_reject(self) -> None:
        current = self._counter.current
        if current is None:
            return
        dialog = CallTicketDialog(self._frame.window(), current.number)
        dialog.dialog.setWindowTitle(_("Reject"))
        dialog.number.setReadOnly(True)
        answer = self._frame.ask(dialog)
        if answer is not None:
            self._counter.finish(outcome="rejected", reason=answer[1])

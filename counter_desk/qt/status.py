"""Status widgets every window shows: the banner, the connection indicator, the clock (after qutebrowser's
statusbar widgets: each keeps its own state and, for the clock, its own timer).

They drive labels the window's form already holds (``connectionLabel``, ``clockLabel``, ``banner``), so a
window's look is its form's; the window only says where the time zone comes from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel

from counter_desk.clock import office_local
from counter_desk.i18n import _
from counter_desk.live.follower import OFFLINE, ONLINE, FeedState

ERROR_COLOUR = "#c62828"
WARN_COLOUR = "#ef6c00"
INFO_COLOUR = "#2e7d32"


def banner_style(colour: str, *, size: int = 18, padding: int = 8) -> str:
    """A banner's style sheet: white text on ``colour``."""
    return f"background:{colour};color:white;font-size:{size}px;padding:{padding}px;border-radius:4px;"


class Banner(QObject):
    """The coloured line over a window's content that says what the last action did.

    ``note`` is said with the next message (once): why something the user had open has closed.
    """

    def __init__(self, label: QLabel, *, size: int = 18, padding: int = 8, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.label = label
        self.note = ""
        self._styles = {
            colour: banner_style(colour, size=size, padding=padding)
            for colour in (ERROR_COLOUR, WARN_COLOUR, INFO_COLOUR)
        }

    def error(self, message: str) -> None:
        self.show(self._styles[ERROR_COLOUR], message)

    def warn(self, message: str) -> None:
        self.show(self._styles[WARN_COLOUR], message)

    def info(self, message: str) -> None:
        self.show(self._styles[INFO_COLOUR], message)

    def show(self, style: str, message: str) -> None:
        if self.note:
            message, self.note = f"{message}\n{self.note}", ""
        self.label.setStyleSheet(style)
        self.label.setText(message)
        self.label.show()

    def text(self) -> str:
        return self.label.text()


class ConnectionStatus(QObject):
    """The live feed's state in a label: online, reconnecting, offline since when.

    Args:
        label: where it shows.
        timezone: the office's time zone (for "offline since").
        colours: the text's colour when online, offline and reconnecting.
        bold: the text in bold.

    Signals:
        changed(object): the :class:`~counter_desk.live.follower.FeedState` just shown (None: no feed).
    """

    changed = Signal(object)

    def __init__(
        self,
        label: QLabel,
        timezone: Callable[[], str],
        *,
        colours: tuple[str, str, str] = ("#2e7d32", "#c62828", "#ef6c00"),
        bold: bool = True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.label = label
        self._timezone = timezone
        self._colours = colours
        self._bold = bold
        self.state: FeedState | None = None
        #: The state shown before the last one (to tell a return online from staying online).
        self.previous: FeedState | None = None

    def show(self, state: FeedState | None) -> None:
        self.previous, self.state = self.state, state
        if state is None:
            self.label.setText("")
        else:
            online, offline, reconnecting = self._colours
            if state.state == ONLINE:
                text, colour = _("● online"), online
            elif state.state == OFFLINE:
                since = office_time(state.since, self._timezone(), "%H:%M")
                text, colour = _("● offline since {time}", time=since), offline
            else:
                text, colour = _("● reconnecting…"), reconnecting
            self.label.setText(text)
            self.label.setStyleSheet(f"color:{colour};font-weight:bold;" if self._bold else f"color:{colour};")
        self.changed.emit(state)

    @property
    def came_online(self) -> bool:
        """The last state shown is online and the one before was not (a feed that was away is back)."""
        return (
            self.state is not None
            and self.state.state == ONLINE
            and self.previous is not None
            and self.previous.state != ONLINE
        )


class ClockStatus(QObject):
    """The office's time in a label, updated every second by its own timer (``clockTick``).

    Signals:
        ticked(object): the time just shown (an aware :class:`~datetime.datetime`); windows hang their other
            per-second updates on it.
    """

    ticked = Signal(object)

    def __init__(
        self,
        label: QLabel,
        now: Callable[[], dt.datetime],
        timezone: Callable[[], str],
        *,
        fmt: str = "%H:%M:%S",
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.label = label
        self._now = now
        self._timezone = timezone
        self._fmt = fmt
        self._timer = QTimer(self, interval=1000)
        self._timer.setObjectName("clockTick")
        self._timer.timeout.connect(self.tick)

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def tick(self) -> None:
        """Show the time now (and tell who listens)."""
        now = self._now()
        self.label.setText(office_time(now, self._timezone(), self._fmt))
        self.ticked.emit(now)


def office_time(moment: dt.datetime, timezone: str, fmt: str) -> str:
    """``moment`` on the office's wall clock, formatted."""
    return office_local(moment, timezone).strftime(fmt)

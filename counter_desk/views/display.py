"""The waiting-room display: a TV that shows (and says) which number goes to which counter.

The window reads its start-up state on its worker (:func:`counter_desk.services.display.load_state`), then
follows the event log (:class:`~counter_desk.qt.live.LiveFeed`) and folds each batch of events into the pure
:class:`~counter_desk.services.display.DisplayState`. A batch that brings calls blinks the current call and
announces only the newest one (after an outage the missed calls appear, the latest as current, without a burst
of stale audio). Waiting counts and estimated waits are read again, debounced, when queues change.

Every size is a fraction of the window's height, so the layout holds from 720p to 4K. The screen shows ticket
numbers, stations and stages only: never a name.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFont, QResizeEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QLayout, QVBoxLayout, QWidget

from counter_desk.clock import DEFAULT_TIMEZONE, Clock, office_local
from counter_desk.i18n import _
from counter_desk.live.follower import OFFLINE, FeedState
from counter_desk.qt.forms import child, load_form
from counter_desk.qt.live import LiveFeed, guard_refcounts, start_feed
from counter_desk.qt.sound import Announcer, Sink, SoundBank
from counter_desk.qt.status import ClockStatus, ConnectionStatus
from counter_desk.qt.tasks import TaskRunner
from counter_desk.services import speech
from counter_desk.services.dates import format_day
from counter_desk.services.desk import Desk
from counter_desk.services.display import (
    RECENT_CALLS,
    DisplayConfig,
    DisplayState,
    load_config,
    load_state,
    read_estimates,
    read_events,
)
from counter_desk.services.estimate import StageEstimate
from counter_desk.services.views import EventView
from counter_desk.views.display_widgets import (
    BACKGROUND,
    MUTED,
    PANEL,
    TEXT,
    CallHighlight,
    CallLog,
    Marquee,
    fitting_font,
    let_shrink,
    logo,
)

log = logging.getLogger(__name__)

ESTIMATE_DEBOUNCE_MS = 700
ESTIMATE_EVERY_MS = 30_000
CONFIG_EVERY_MS = 300_000
RETRY_LOAD_MS = 3000
HISTORY_ROWS = RECENT_CALLS - 1


class DisplayWindow(QWidget):
    """The waiting-room display.

    Signals:
        state_shown(object): a :class:`DisplayState` has just been drawn (tests and the benchmark wait on it).
        call_shown(object): a fresh :class:`Call` has just been drawn.
    """

    state_shown = Signal(object)
    call_shown = Signal(object)

    def __init__(
        self,
        desk: Desk,
        *,
        office: str | None = None,
        clock: Clock | None = None,
        live: bool = True,
        sink: Sink | None = None,
        speak: bool = True,
        volume: float = 1.0,
        log_calls: Path | None = None,
    ) -> None:
        super().__init__()
        app = QCoreApplication.instance()
        if app is not None:  # the application's one guard (see RefcountGuard): a TV runs for days
            guard_refcounts(app)
        self._desk = desk
        self._queue = desk.queue(clock=clock, office=office)
        self._tasks = TaskRunner(self, name="display")
        self._want_live = live
        self._live: LiveFeed | None = None
        self._state: DisplayState | None = None
        self._calls = CallLog(log_calls)
        self._closing = False
        self._reloading = False
        if sink is None:
            from counter_desk.qt.sound import default_sink

            sink = default_sink(self)
        self.announcer = Announcer(sink, SoundBank(), speak=speak, volume=volume, parent=self)

        self._form = load_form("display.ui", self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # Every font follows the window's height (_scale): the layout's minimum, measured at the fonts of the
        # moment, must not hold the window bigger than a small screen's quarter (the demo on 1366x768).
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        layout.addWidget(self._form)
        self._bind_widgets()
        self._start_timers()
        self.setWindowTitle(_("Counter Desk — waiting-room display"))
        self.connection.show(None)
        self._show_waits()
        self._clock.tick()
        self._scale()
        self._load()

    # ------------------------------------------------------------------ building

    def _bind_widgets(self) -> None:
        f = self._form
        self.header = child(f, QFrame, "header")
        self.logo_label = child(f, QLabel, "logoLabel")
        self._logo = logo()
        self.office_label = child(f, QLabel, "officeLabel")
        self.date_label = child(f, QLabel, "dateLabel")
        self.clock_label = child(f, QLabel, "clockLabel")
        self.connection_label = child(f, QLabel, "connectionLabel")
        colours = ("#66bb6a", "#ef5350", "#ffa726")  # lighter than a desk window's: on the TV's dark blue
        self.connection = ConnectionStatus(
            self.connection_label, self._timezone, colours=colours, bold=False, parent=self
        )
        self.connection.changed.connect(self._connection_changed)
        self._clock = ClockStatus(self.clock_label, self._queue.clock.now, self._timezone, fmt="%H:%M", parent=self)
        self._clock.ticked.connect(self._ticked)
        self.current_frame = child(f, QFrame, "currentFrame")
        self.current_title = child(f, QLabel, "currentTitle")
        self.current_number = child(f, QLabel, "currentNumber")
        self.current_station = child(f, QLabel, "currentStation")
        self.history_frame = child(f, QFrame, "historyFrame")
        self.history_title = child(f, QLabel, "historyTitle")
        grid = f.findChild(QGridLayout, "historyGrid")
        assert grid is not None
        self._history_grid = grid
        self.waits_frame = child(f, QFrame, "waitsFrame")
        waits = self.waits_frame.layout()
        assert isinstance(waits, QHBoxLayout)
        self._waits_layout = waits
        self.ticker = Marquee(self)
        ticker_frame = child(f, QFrame, "tickerFrame")
        ticker_layout = ticker_frame.layout()
        assert ticker_layout is not None
        ticker_layout.addWidget(self.ticker)
        self.history_rows: list[tuple[QLabel, QLabel]] = []
        for row in range(HISTORY_ROWS):
            number, station = QLabel(self), QLabel(self)
            number.setObjectName(f"historyNumber{row}")
            station.setObjectName(f"historyStation{row}")
            self._history_grid.addWidget(number, row, 0)
            self._history_grid.addWidget(station, row, 1)
            self.history_rows.append((number, station))
        self._history_grid.setColumnStretch(1, 1)
        self.wait_labels: list[QLabel] = []
        self.setObjectName("displayWindow")
        self.setStyleSheet(
            f"QWidget#displayWindow, QWidget#DisplayForm {{ background:{BACKGROUND}; }}"
            f" QLabel {{ color:{TEXT}; background:transparent; }}"
            f" QFrame#header, QFrame#historyFrame, QFrame#waitsFrame {{ background:{PANEL}; }}"
            f" QLabel#historyTitle, QLabel#currentTitle {{ color:{MUTED}; }}"
        )
        for label in (self.current_number, self.current_station, self.history_title, self.office_label):
            let_shrink(label)
        header = self.header.layout()
        assert isinstance(header, QHBoxLayout)
        header.setStretchFactor(self.office_label, 1)  # the office name takes the room left, never more
        for _number, station in self.history_rows:
            let_shrink(station)
        self._highlight = CallHighlight(self.current_frame, self.current_number, self.current_station, parent=self)

    def _start_timers(self) -> None:
        self._clock.start()
        self._estimate_debounce = QTimer(self, singleShot=True, interval=ESTIMATE_DEBOUNCE_MS)
        self._estimate_debounce.setObjectName("estimateDebounce")
        self._estimate_debounce.timeout.connect(self._read_estimates)
        self._estimate_timer = QTimer(self, interval=ESTIMATE_EVERY_MS)
        self._estimate_timer.setObjectName("estimateEvery")
        self._estimate_timer.timeout.connect(self._read_estimates)
        self._estimate_timer.start()
        self._config_timer = QTimer(self, interval=CONFIG_EVERY_MS)
        self._config_timer.setObjectName("configEvery")
        self._config_timer.timeout.connect(self._read_config)
        self._config_timer.start()
        self._retry_timer = QTimer(self, singleShot=True, interval=RETRY_LOAD_MS)
        self._retry_timer.setObjectName("retryLoad")
        self._retry_timer.timeout.connect(self._load)

    # ------------------------------------------------------------------ reading

    @property
    def state(self) -> DisplayState | None:
        return self._state

    def _load(self) -> None:
        self._tasks.run(lambda: load_state(self._queue), self._loaded, self._load_failed)

    def _loaded(self, state: DisplayState) -> None:
        self._state = state
        self._show_state(state)
        names = [st.name for st in state.config.stations.values()]
        missing = speech.missing_clips(w for name in names for w in speech.station_words(name))
        if missing:
            log.warning(
                "display: no voice clip for %s: those words are left out of announcements;"
                " run scripts/build-voice.py --station-name NAME to add them",
                ", ".join(missing),
            )
        if self._want_live and self._live is None:
            self._live = start_feed(
                lambda after, limit: read_events(self._queue, after, limit),
                self._desk.url,
                last_seq=state.last_seq,
                on_events=self.apply_events,
                on_state=self.connection.show,
                parent=self,
            )
        self._calls.write(
            {"ready": True, "last_seq": state.last_seq, "current": state.current.number if state.current else None}
        )

    def _load_failed(self, exc: Exception) -> None:
        log.warning("display: cannot read the start-up state: %s", exc)
        was = self.connection.state
        since = was.since if was is not None and was.state == OFFLINE else dt.datetime.now(dt.UTC)
        self.connection.show(FeedState(OFFLINE, since, str(exc)))
        if not self._closing:
            self._retry_timer.start()

    def _read_estimates(self) -> None:
        if self._state is None or self._closing:
            return
        self._tasks.run(lambda: read_estimates(self._queue), self._estimates_read, self._background_failed)

    def _estimates_read(self, estimates: list[StageEstimate]) -> None:
        if self._state is not None:
            self._state = self._state.with_waits(estimates)
            self._show_waits()

    def _read_config(self) -> None:
        if self._state is None or self._closing:
            return
        self._tasks.run(lambda: load_config(self._queue), self._config_read, self._background_failed)

    def _config_read(self, config: DisplayConfig) -> None:
        if self._state is not None:
            from dataclasses import replace

            self._state = replace(self._state, config=config)
            self._show_state(self._state)

    def _background_failed(self, exc: Exception) -> None:
        log.info("display: background read failed: %s", exc)

    # ------------------------------------------------------------------ news

    def apply_events(self, events: list[EventView]) -> None:
        """Fold a batch of new events into the state; show, blink and announce what it brought."""
        if self._state is None:
            return
        before = self._state.skipped
        state = self._state.apply(events)
        self._state = state
        if state.skipped > before:
            self._read_config()  # perhaps a station was added since the display started
        if state.queues_changed:
            self._estimate_debounce.start()
        if not state.fresh:
            return
        self._show_state(state)
        announced = state.announcement
        if announced is not None:
            self.announcer.announce(announced.number, announced.station_name)
            self._highlight.start()
        for call in state.fresh:
            self._calls.write({**call.to_json(), "announced": call is announced})
            self.call_shown.emit(call)

    # ------------------------------------------------------------------ showing

    def _show_state(self, state: DisplayState) -> None:
        if self.office_label.text() != state.config.office_name:
            self.office_label.setText(state.config.office_name)
            self._fit_office()
        self.ticker.setText(state.config.running_text)
        current = state.current
        if current is None:
            self.current_number.setText("—")
            self.current_station.setText(_("Please wait for your number to be called"))
        else:
            self.current_number.setText(current.number)
            self.current_station.setText(f"→ {current.station_name}")
        self._fit_current()
        history = state.history
        for row, (number, station) in enumerate(self.history_rows):
            if row < len(history):
                number.setText(history[row].number)
                station.setText(history[row].station_name)
            else:
                number.setText("")
                station.setText("")
        self._show_waits()
        self.state_shown.emit(state)

    def _show_waits(self) -> None:
        waits = self._state.waits if self._state is not None else ()
        while len(self.wait_labels) < len(waits):
            label = QLabel(self)
            label.setObjectName(f"wait{len(self.wait_labels)}")
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            let_shrink(label)
            self._waits_layout.addWidget(label)
            self.wait_labels.append(label)
            self._scale()
        for i, label in enumerate(self.wait_labels):
            if i >= len(waits):
                label.hide()
                continue
            w = waits[i]
            if w.waiting == 0:
                detail = _("no queue")
            elif w.wait_seconds is None:
                detail = _("{count} waiting", count=w.waiting)
            else:
                minutes = max(1, round(w.wait_seconds / 60))
                detail = _("{count} waiting · about {minutes} min", count=w.waiting, minutes=minutes)
            label.setText(f"{w.stage_name}\n{detail}")
            label.show()
        self._fit_waits()

    def _fit_waits(self) -> None:
        """The waiting line's font: 3.6 % of the height, smaller when a stage's text would not fit its share."""
        shown = [label for label in self.wait_labels if not label.isHidden()]
        if not shown:
            return
        share = self.width() / len(shown) - 2 * round(self.height() * 0.015)
        lines = [line for label in shown for line in label.text().splitlines()]
        font = fitting_font(self.font(), round(max(self.height(), 240) * 0.036), lines, share, bold=True)
        for label in self.wait_labels:
            label.setFont(font)

    def _fit_office(self) -> None:
        """The office name at 3.8 % of the height, smaller when it would not fit beside the date and clock."""
        h = max(self.height(), 240)
        pad = round(h * 0.015)
        others = sum(
            label.sizeHint().width() + 2 * pad
            for label in (self.logo_label, self.date_label, self.clock_label, self.connection_label)
        )
        room = self.width() - others - 4 * pad
        text = [self.office_label.text()]
        self.office_label.setFont(fitting_font(self.font(), round(h * 0.038), text, room, bold=True))

    def _fit_current(self) -> None:
        """The current call as big as the height allows, never wider than its panel."""
        h = max(self.height(), 240)
        panel = self.width() * 0.62 - 2 * round(h * 0.015)
        number, station = self.current_number, self.current_station
        number.setFont(fitting_font(self.font(), round(h * 0.25), [number.text()], panel * 0.95, bold=True))
        station.setFont(fitting_font(self.font(), round(h * 0.095), [station.text()], panel * 0.95, bold=True))

    def _timezone(self) -> str:
        return self._state.config.timezone if self._state else DEFAULT_TIMEZONE

    def _ticked(self, now: dt.datetime) -> None:
        """The clock has just shown ``now``: the date under it, and a new office day's empty board."""
        local = office_local(now, self._timezone())
        self.date_label.setText(format_day(local.date(), weekday=True))
        state = self._state
        if state is not None and state.day is not None and local.date() > state.day and not self._reloading:
            # A new office day with no event yet: start it with an empty board (and fresh queues).
            self._reloading = True
            self._tasks.run(lambda: load_state(self._queue), self._reloaded, self._reload_failed)

    def _reload_failed(self, exc: Exception) -> None:
        self._reloading = False  # tried again at the next tick; the feed shows the connection state
        log.info("display: cannot read the new day's state: %s", exc)

    def _reloaded(self, state: DisplayState) -> None:
        self._reloading = False
        if self._state is None or state.last_seq >= self._state.last_seq:
            self._state = state
            self._show_state(state)

    def _connection_changed(self, state: FeedState | None) -> None:
        if state is None:
            return
        self._fit_office()
        was = self.connection.previous
        if was is None or was.state != state.state:
            self._calls.write({"feed": state.state})
        if self.connection.came_online:
            self._read_estimates()

    @property
    def highlighted(self) -> bool:
        """The current call is blinking (a fresh call)."""
        return self._highlight.active

    # ------------------------------------------------------------------ sizes

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._scale()

    def _scale(self) -> None:
        """Every font and margin from the window's height: readable from 6 m on a 43-inch 1080p TV."""
        h = max(self.height(), 240)

        def font(fraction: float, *, bold: bool = False) -> QFont:
            f = QFont(self.font())
            f.setPixelSize(max(8, round(h * fraction)))
            f.setBold(bold)
            return f

        pad = round(h * 0.015)
        self.header.setFixedHeight(round(h * 0.09))
        if not self._logo.isNull():
            side = round(h * 0.07)
            self.logo_label.setPixmap(
                self._logo.scaled(
                    side, side, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
                )
            )
        header = self.header.layout()
        assert header is not None
        header.setContentsMargins(pad * 2, 0, pad * 2, 0)
        header.setSpacing(pad * 2)
        self.date_label.setFont(font(0.032))
        self.clock_label.setFont(font(0.05, bold=True))
        self.connection_label.setFont(font(0.022))
        self._fit_office()
        self.current_title.setFont(font(0.05, bold=True))
        self._fit_current()
        self.history_title.setFont(font(0.042, bold=True))
        for number, station in self.history_rows:
            number.setFont(font(0.058, bold=True))
            station.setFont(font(0.048))
        self._history_grid.setHorizontalSpacing(pad * 2)
        self._history_grid.setVerticalSpacing(round(pad * 0.6))
        self.history_frame.layout().setContentsMargins(pad * 2, pad, pad * 2, pad)  # type: ignore[union-attr]
        self.current_frame.layout().setContentsMargins(pad, pad, pad, pad)  # type: ignore[union-attr]
        self.waits_frame.setFixedHeight(round(h * 0.11))
        self._fit_waits()
        self.ticker.setFont(font(0.042))
        self.ticker.setFixedHeight(round(h * 0.075))

    # ------------------------------------------------------------------ closing

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop the feed, the timers and the worker (idempotent)."""
        if self._closing:
            return
        self._closing = True
        self._clock.stop()
        self._highlight.timer.stop()
        for timer in (
            self._estimate_debounce,
            self._estimate_timer,
            self._config_timer,
            self._retry_timer,
        ):
            timer.stop()
        self.ticker.stop()
        self.announcer.clear()
        if self._live is not None:
            self._live.stop()
        self._tasks.close()

"""Opening one window for a command (``station``, ``supervisor``, ``display``): the one launch sequence.

:func:`run_window` sets up the application (once per process: :func:`~counter_desk.views.app.application`), signs
the officer in when asked (the window then works at the desk the sign-in returned: on PostgreSQL with officers'
own logins, one over the officer's own login), builds and shows the window, runs the event loop, and then -- in
``finally``, whatever happened -- closes a window that is still open (its ``closeEvent`` stops its live feed,
timers and worker), records the sign-out and closes the officer's connection. Each window starts its own live
feed once its first read is on screen: the feed starts after that read's last event, so nothing between the two
is missed.

The desk handed in stays the caller's: the command that opened it closes it; a desk the sign-in opened over the
officer's own login is closed here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from counter_desk.errors import InvalidInput
from counter_desk.i18n import _
from counter_desk.services.auth import Officer
from counter_desk.services.desk import Desk
from counter_desk.views.app import application
from counter_desk.views.signin import SignInDialog


@dataclass(frozen=True)
class SignIn:
    """What the sign-in dialog asks before the window opens (the settings' ``sign_in`` on).

    ``station``: the station window about to open (the officer signs out of it when it closes); ``roles``: the
    roles that may open it (None: the role of the station's stage); ``url``: on PostgreSQL with officers' own
    logins, the configured sign-in role's URL, through which the officer's own login is opened."""

    station: str | None = None
    station_name: str | None = None
    office: str | None = None
    roles: tuple[str, ...] | None = None
    heading: str | None = None
    username: str = ""
    url: str | None = None


def run_window(
    desk: Desk,
    make_window: Callable[[Desk, Officer | None], QWidget],
    *,
    language: str,
    sign_in: SignIn | None = None,
    show: Callable[[QWidget], None] = QWidget.show,
) -> int:
    """Open the window ``make_window(desk, officer)`` makes and run until it is closed.

    ``officer`` is the signed-in officer (None without ``sign_in``); ``show`` puts the window on screen (default:
    as it is). Returns the application's exit code, or 1 when the sign-in dialog was cancelled.
    """
    app = application(language)
    work, officer, window, shown = desk, None, None, False
    try:
        if sign_in is not None:
            officer, work = _sign_in(desk, sign_in)
            if officer is None:
                return 1
            if work is not desk:
                desk.close()  # the sign-in role's pooled connections are not needed while the officer works
        window = make_window(work, officer)
        show(window)
        shown = True
        return int(app.exec())
    finally:
        try:
            # Closed by the user: torn down already. Still open (the loop was quit) or never shown: close it now;
            # its worker ends what it was doing first, so the sign-out below is the officer's last record.
            if window is not None and (window.isVisible() or not shown):
                window.close()
        finally:
            try:
                if officer is not None:
                    work.sign_out(officer, sign_in.station if sign_in is not None else None)
            finally:
                if work is not desk:
                    work.close()


def _sign_in(desk: Desk, ask: SignIn) -> tuple[Officer | None, Desk]:
    """The sign-in dialog, modal: the officer (None: cancelled) and the desk to work at."""
    dialog = SignInDialog(
        desk,
        station=ask.station,
        station_name=ask.station_name,
        office=ask.office,
        roles=ask.roles,
        heading=ask.heading,
        username=ask.username,
        url=ask.url,
    )
    officer = dialog.exec()
    return officer, dialog.desk


def open_display(
    desk: Desk,
    *,
    language: str,
    office: str | None = None,
    screen: int | None = None,
    windowed: bool = False,
    speak: bool = True,
    mute: bool = False,
    volume: float = 1.0,
    log_calls: Path | None = None,
) -> int:
    """The waiting-room display on monitor ``screen`` (full screen unless ``windowed``) until it is closed."""
    from counter_desk.qt.sound import SilentSink
    from counter_desk.views.display import DisplayWindow

    def window(work: Desk, _officer: Officer | None) -> DisplayWindow:
        sink = SilentSink(QApplication.instance()) if mute else None
        return DisplayWindow(work, office=office, sink=sink, speak=speak, volume=volume, log_calls=log_calls)

    return run_window(desk, window, language=language, show=_on_screen(screen, windowed=windowed))


def _on_screen(screen: int | None, *, windowed: bool) -> Callable[[QWidget], None]:
    """A ``show`` for :func:`run_window`: full screen on monitor ``screen`` (None: the primary), the mouse pointer
    hidden, or with ``windowed`` a 1280x720 window at that monitor's corner."""

    def show(window: QWidget) -> None:
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        screens = app.screens()
        if screen is not None and not 0 <= screen < len(screens):
            msg = _(
                "there is no screen {screen}: this PC has {count} (numbered from 0)", screen=screen, count=len(screens)
            )
            raise InvalidInput(msg)
        target = screens[screen] if screen is not None else app.primaryScreen()
        if windowed:
            window.resize(1280, 720)
            if target is not None:
                window.move(target.availableGeometry().topLeft())
            window.show()
            return
        if target is not None:
            window.setScreen(target)
            window.setGeometry(target.geometry())
        window.setCursor(Qt.CursorShape.BlankCursor)
        window.showFullScreen()

    return show

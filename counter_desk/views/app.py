"""The Qt application: one per process, Indonesian by default, forms translated through the catalog."""

from __future__ import annotations

import sys

from PySide6.QtCore import QRect, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QWidget

from counter_desk import __version__, i18n, resources
from counter_desk.qt.i18n import CatalogTranslator
from counter_desk.qt.live import RefcountGuard


def application(language: str, argv: list[str] | None = None) -> QApplication:
    """The running QApplication (created on first use) speaking ``language``."""
    i18n.set_language(language)
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(argv if argv is not None else sys.argv[:1])
        app.setApplicationName("Counter Desk")
        app.setApplicationVersion(__version__)
        app.setOrganizationName("counter-desk")
        app.setDesktopFileName("counter-desk")
        app.setWindowIcon(QIcon(str(resources.resource("icons", "counter-desk.svg"))))
        # Every window of a long day needs it (see RefcountGuard): started once, with the application.
        RefcountGuard(app)
    translator = CatalogTranslator(app)
    app.installTranslator(translator)
    return app


def tile(windows: list[QWidget]) -> None:
    """Show ``windows`` side by side, two per row, filling the primary screen (the demo)."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    screen = app.primaryScreen().availableGeometry()
    columns = 2
    rows = max(1, (len(windows) + columns - 1) // columns)
    width, height = screen.width() // columns, screen.height() // rows
    for i, window in enumerate(windows):
        window.setGeometry(
            QRect(screen.x() + (i % columns) * width, screen.y() + (i // columns) * height, width, height)
        )
        window.show()


def schedule_close(app: QApplication, seconds: float) -> None:
    """Close every window after ``seconds``, as a person closing them would (unattended runs, tests)."""
    QTimer.singleShot(round(seconds * 1000), app, app.closeAllWindows)

"""The Qt application: one per process, Indonesian by default, forms translated through the catalog."""

from __future__ import annotations

import sys

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from counter_desk import __version__, i18n, resources
from counter_desk.qt.i18n import CatalogTranslator


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
    translator = CatalogTranslator(app)
    app.installTranslator(translator)
    return app

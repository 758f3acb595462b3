"""The Qt application: one per process, Indonesian by default, forms translated through the catalog."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PySide6.QtCore import QLocale, QRect, QTimer
from PySide6.QtGui import QColor, QIcon, QImage, QPainter
from PySide6.QtWidgets import QApplication, QFrame, QMainWindow, QScrollArea, QWidget

from counter_desk import __version__, i18n, resources
from counter_desk.qt.i18n import CatalogTranslator
from counter_desk.qt.live import guard_refcounts


def application(language: str, argv: list[str] | None = None) -> QApplication:
    """The running QApplication (created on first use) speaking ``language``.

    The application, its catalog translator and its :class:`RefcountGuard` are set up once per process; a later
    call only switches the language for what is made from then on: windows already open keep their texts (Qt's
    own widgets excepted), so a change of language takes effect when a window is opened again."""
    i18n.set_language(language)
    # Numbers and dates Qt formats itself (chart axes, spin boxes) in the language's own way: 2,5 in Indonesian.
    QLocale.setDefault(
        QLocale(QLocale.Language.Indonesian, QLocale.Country.Indonesia)
        if language == "id"
        else QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    )
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(argv if argv is not None else sys.argv[:1])
        app.setApplicationName("Counter Desk")
        app.setApplicationVersion(__version__)
        app.setOrganizationName("counter-desk")
        app.setDesktopFileName("counter-desk")
        app.setWindowIcon(QIcon(str(resources.resource("icons", "counter-desk.svg"))))
        # Every window of a long day needs it (see RefcountGuard): started once, with the application.
        guard_refcounts(app)
    translator = app.findChild(CatalogTranslator)
    if translator is None:
        translator = CatalogTranslator(app)
    else:
        app.removeTranslator(translator)  # installed again: Qt then sends every widget a LanguageChange
    app.installTranslator(translator)
    return app


def fit(window: QWidget, width: int, height: int) -> None:
    """Let ``window`` be as small as ``width`` x ``height``: a main window whose content needs more room shows it
    in a scroll area, so no part of it runs off a small screen (1366x768: a quarter is 683x384)."""
    hint = window.minimumSizeHint()
    if hint.width() <= width and hint.height() <= height:
        return
    content = window.centralWidget() if isinstance(window, QMainWindow) else None
    if isinstance(window, QMainWindow) and content is not None and not isinstance(content, QScrollArea):
        window.takeCentralWidget()
        scroll = QScrollArea(window)
        scroll.setObjectName("fitScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        window.setCentralWidget(scroll)
    window.setMinimumSize(min(window.minimumWidth(), width), min(window.minimumHeight(), height))


def tile(windows: list[QWidget]) -> list[QRect]:
    """Show ``windows`` side by side, two per row, filling the primary screen (the demo); return the cells.

    Each window, frame included, stays inside its cell: a window manager adds its title bar only once a window
    shows, so the windows are shown first and then shrunk by their frames."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    screen = app.primaryScreen().availableGeometry()
    columns = 2
    rows = max(1, (len(windows) + columns - 1) // columns)
    width, height = screen.width() // columns, screen.height() // rows
    cells = [
        QRect(screen.x() + (i % columns) * width, screen.y() + (i // columns) * height, width, height)
        for i in range(len(windows))
    ]
    for window, cell in zip(windows, cells, strict=True):
        fit(window, width, height)
        window.resize(cell.size())
        window.move(cell.topLeft())
        window.show()
    app.processEvents()
    for window, cell in zip(windows, cells, strict=True):
        extra_w = window.frameGeometry().width() - window.width()
        extra_h = window.frameGeometry().height() - window.height()
        if extra_w > 0 or extra_h > 0:
            window.resize(cell.width() - extra_w, cell.height() - extra_h)
            window.move(cell.topLeft())
    return cells


def screen_picture(windows: list[QWidget], path: Path) -> None:
    """What the primary screen shows (each window drawn where it is) as a PNG, and ``<path>.json`` with the
    screen's and each window's frame rectangle: the demo's proof that nothing runs off the screen."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    screen = app.primaryScreen().geometry()
    image = QImage(screen.size(), QImage.Format.Format_RGB32)
    image.fill(QColor("#303030"))
    painter = QPainter(image)
    try:
        for window in windows:
            if window.isVisible():
                painter.drawPixmap(window.geometry().topLeft() - screen.topLeft(), window.grab())
    finally:
        painter.end()
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(str(path))

    def box(r: QRect) -> list[int]:
        return [r.x(), r.y(), r.width(), r.height()]

    facts = {
        "screen": box(screen),
        "available": box(app.primaryScreen().availableGeometry()),
        "windows": [
            {
                "title": w.windowTitle(),
                "frame": box(w.frameGeometry()),
                "minimum": [w.minimumWidth(), w.minimumHeight()],
            }
            for w in windows
            if w.isVisible()
        ],
    }
    path.with_suffix(".json").write_text(json.dumps(facts, indent=1), encoding="utf-8")


def schedule_screen_picture(app: QApplication, windows: list[QWidget], path: Path, *, seconds: float) -> None:
    """Take :func:`screen_picture` once the windows have had ``seconds`` to load."""
    QTimer.singleShot(round(seconds * 1000), app, lambda: screen_picture(windows, path))


def schedule_close(app: QApplication, seconds: float) -> None:
    """Close every window after ``seconds``, as a person closing them would (unattended runs, tests)."""
    QTimer.singleShot(round(seconds * 1000), app, app.closeAllWindows)

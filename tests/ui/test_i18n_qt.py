"""Qt asks the program's gettext catalog through CatalogTranslator: its own texts (under their Qt contexts), the
forms' strings, and nothing it should keep."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit
from pytestqt.qtbot import QtBot

from counter_desk.views.app import application


@pytest.fixture
def indonesian(qtbot: QtBot) -> Iterator[None]:
    application("id")
    try:
        yield
    finally:
        application("en")


def test_qt_standard_buttons_and_context_menus_in_indonesian(indonesian: None, qtbot: QtBot) -> None:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(buttons)
    assert buttons.button(QDialogButtonBox.StandardButton.Cancel).text() == "Batal"
    field = QLineEdit()
    qtbot.addWidget(field)
    menu = field.createStandardContextMenu()
    texts = [a.text().split("\t")[0] for a in menu.actions() if not a.isSeparator()]  # "&Copy\tCtrl+C"
    menu.deleteLater()
    assert {"&Urungkan", "&Salin", "&Tempel", "Pilih semua"} <= set(texts), texts


def test_what_the_catalog_lacks_stays_qt_s_own(indonesian: None) -> None:
    # Not translated: Qt keeps its source text (an empty answer would blank the label).
    assert QCoreApplication.translate("QShortcut", "Ctrl") == "Ctrl"
    # A form's string: the context is the form's class, the catalog entry has none.
    assert QCoreApplication.translate("StationWindow", "Call next") != "Call next"
    # Qt's own strings only under Qt's own context.
    assert QCoreApplication.translate("QFileDialog", "&Copy") == "&Copy"
    assert QCoreApplication.translate("QLineEdit", "&Copy") == "&Salin"


def test_english_is_qt_s_own_text(qtbot: QtBot) -> None:
    application("en")
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(buttons)
    assert buttons.button(QDialogButtonBox.StandardButton.Cancel).text() == "Cancel"
    assert QCoreApplication.translate("StationWindow", "Call next") == "Call next"

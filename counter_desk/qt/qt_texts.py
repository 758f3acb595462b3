"""Qt's own texts (the standard buttons of QDialogButtonBox and QMessageBox, the file dialog), in the catalog.

PySide6 ships no Indonesian translation of qtbase (``PySide6/Qt/translations`` has no ``qtbase_id.qm``), so Qt
asks the installed :class:`~counter_desk.qt.i18n.CatalogTranslator` for them (``QPlatformTheme`` and
``QFileDialog`` contexts) and the program's one catalog answers. They are listed here with ``N_`` so the catalog
test knows they are used.
"""

from __future__ import annotations

from counter_desk.i18n import N_

#: What ``QPlatformTheme::defaultStandardButtonText`` asks for.
STANDARD_BUTTONS = (
    N_("OK"),
    N_("Save"),
    N_("Save All"),
    N_("Open"),
    N_("&Yes"),
    N_("Yes to &All"),
    N_("&No"),
    N_("N&o to All"),
    N_("Abort"),
    N_("Retry"),
    N_("Ignore"),
    N_("Close"),
    N_("Cancel"),
    N_("Discard"),
    N_("Help"),
    N_("Apply"),
    N_("Reset"),
    N_("Restore Defaults"),
)

#: The labels of Qt's own (non-native) file dialog.
FILE_DIALOG = (
    N_("Look in:"),
    N_("File &name:"),
    N_("Files of type:"),
    N_("&Open"),
    N_("&Choose"),
    N_("Back"),
    N_("Forward"),
    N_("Parent Directory"),
    N_("Create New Folder"),
    N_("List View"),
    N_("Detail View"),
    N_("Name"),
    N_("Size"),
    N_("Type"),
    N_("Date Modified"),
    N_("All Files (*)"),
    N_("My Computer"),
    N_("Computer"),
)

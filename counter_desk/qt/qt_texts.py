"""Qt's own texts a person can meet in the program, by the context Qt asks them in.

PySide6 ships no Indonesian translation of qtbase (``PySide6/Qt/translations`` has no ``qtbase_id.qm``), so Qt
asks the installed :class:`~counter_desk.qt.i18n.CatalogTranslator` for them and the program's catalog answers:
``resources/i18n/id/qt.po`` holds them under a ``msgctxt`` naming Qt's context, exactly as Qt writes them
(``&`` marks the shortcut letter, ``%1`` a value Qt fills in). This list is what ``tests/unit/test_i18n.py``
checks that file against: every text here translated, nothing there that is not here.

The source strings are Qt's (``qtbase/src/widgets``); ``qtbase_de.qm`` in PySide6's translations lists them
with their contexts.
"""

from __future__ import annotations

QT_TEXTS: dict[str, tuple[str, ...]] = {
    # The standard buttons of QDialogButtonBox and QMessageBox (QPlatformTheme::defaultStandardButtonText).
    "QPlatformTheme": (
        "OK",
        "Save",
        "Save All",
        "Open",
        "&Yes",
        "Yes to &All",
        "&No",
        "N&o to All",
        "Abort",
        "Retry",
        "Ignore",
        "Close",
        "Cancel",
        "Discard",
        "Help",
        "Apply",
        "Reset",
        "Restore Defaults",
    ),
    # Qt's own (non-native) file dialog: labels, buttons, tool tips, its context menu and questions.
    "QFileDialog": (
        "&Look in:",
        "File &name:",
        "Files of &type:",
        "&Open",
        "&Save",
        "&Choose",
        "Open",
        "Save As",
        "Find Directory",
        "Back",
        "Forward",
        "Parent Directory",
        "Create New Folder",
        "List View",
        "Detail View",
        "Go back",
        "Go forward",
        "Go to the parent directory",
        "Create a New Folder",
        "Change to list view mode",
        "Change to detail view mode",
        "All Files (*)",
        "All files (*)",
        "New Folder",
        "&New Folder",
        "&Rename",
        "&Delete",
        "Show &hidden files",
        "Recent Places",
        "Directory:",
        "Directories",
        "Files",
        "Sidebar",
        "List of places and bookmarks",
        "%1 already exists.\nDo you want to replace it?",
        "Are you sure you want to delete '%1'?",
        "'%1' is write protected.\nDo you want to delete it anyway?",
        "Could not delete directory.",
        "%1\nFile not found.\nPlease verify the correct file name was given.",
        "%1\nDirectory not found.\nPlease verify the correct directory name was given.",
    ),
    # The file dialog's column headers and places.
    "QFileSystemModel": ("Name", "Size", "Type", "Kind", "Date Modified", "My Computer", "Computer"),
    # The context menu of every text field.
    "QLineEdit": ("&Undo", "&Redo", "Cu&t", "&Copy", "&Paste", "Delete", "Select All"),
    # The context menu of multi-line text (QTextEdit, QPlainTextEdit).
    "QWidgetTextControl": ("&Undo", "&Redo", "Cu&t", "&Copy", "Copy &Link Location", "&Paste", "Delete", "Select All"),
    # What a spin box (and a date field) adds to that menu.
    "QAbstractSpinBox": ("&Select All", "&Step up", "Step &down"),
    # The button of a message box that has details.
    "QMessageBox": ("Show Details...", "Hide Details..."),
    # The context menu of a scroll bar.
    "QScrollBar": (
        "Scroll here",
        "Left edge",
        "Top",
        "Right edge",
        "Bottom",
        "Page left",
        "Page up",
        "Page right",
        "Page down",
        "Scroll left",
        "Scroll up",
        "Scroll right",
        "Scroll down",
    ),
}

"""Load the Designer forms in ``ui/`` (found through counter_desk.resources)."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QFile, QIODevice
from PySide6.QtUiTools import QUiLoader
from PySide6.QtWidgets import QWidget

from counter_desk import resources

W = TypeVar("W", bound=QWidget)


def load_form(name: str, parent: QWidget | None = None) -> QWidget:
    """Build the widget tree of ``ui/<name>`` (strings translated through the installed translator)."""
    path = resources.ui_file(name)
    file = QFile(str(path))
    if not file.open(QIODevice.OpenModeFlag.ReadOnly):
        bug = f"cannot open the form {path}"  # a broken installation, not something a user can fix
        raise RuntimeError(bug)
    try:
        widget: QWidget | None = QUiLoader().load(file, parent)  # None on a broken form
    finally:
        file.close()
    if widget is None:
        bug = f"cannot load the form {path}"
        raise RuntimeError(bug)
    return widget


def child(form: QWidget, kind: type[W], name: str) -> W:
    """The named widget of a loaded form, with its real type (a typo fails loudly at start-up)."""
    found = form.findChild(kind, name)
    if found is None:
        bug = f"form {form.objectName()} has no {kind.__name__} named {name!r}"
        raise LookupError(bug)
    return found

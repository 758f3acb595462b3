"""Qt's translation hook, answered by the program's one gettext catalog (:mod:`counter_desk.i18n`).

Installed on the application, it translates what Qt asks ``QCoreApplication.translate`` for: the strings of the
Designer forms in ``ui/`` (QUiLoader asks with the form's class as the context; they are catalog entries without
a ``msgctxt``, shared with the code) and Qt's own texts (standard buttons, the file dialog, context menus; entries
with ``msgctxt`` set to Qt's context, listed in :mod:`counter_desk.qt.qt_texts`). The core and the CLI are
Qt-free, so they cannot use a ``QTranslator``; this bridge lets Qt use their catalog instead.
"""

from __future__ import annotations

from PySide6.QtCore import QTranslator

from counter_desk import i18n


class CatalogTranslator(QTranslator):
    # None reaches Qt as a null QString, "not translated here": Qt asks the next translator or keeps its source
    # text. An empty string would be taken as the translation (an empty label). Qt fills in %n itself.
    def translate(self, context: str, source_text: str, disambiguation: str | None = None, n: int = -1) -> str | None:
        return i18n.qt_lookup(context, source_text)

    def isEmpty(self) -> bool:
        return False

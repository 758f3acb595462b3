"""Qt's translation hook, fed by the program's one catalog (:mod:`counter_desk.i18n`).

Installed on the application, it translates the strings of the Designer forms in ``ui/`` (QUiLoader asks
``QCoreApplication.translate``) with the same ``resources/i18n/<lang>.json`` the services and the CLI use.
"""

from __future__ import annotations

from PySide6.QtCore import QTranslator

from counter_desk import i18n


class CatalogTranslator(QTranslator):
    def translate(self, context: str, source_text: str, disambiguation: str | None = None, n: int = -1) -> str:
        return i18n.lookup(source_text)

    def isEmpty(self) -> bool:
        return False

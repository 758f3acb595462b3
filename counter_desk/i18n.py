"""Translations: one mechanism for the services, the command line and the Qt windows.

Source strings are English and written in the code as ``_("Call next")`` or, with values,
``_("no ticket {number} in this office", number=wanted)``. The catalog of a language is
``resources/i18n/<lang>.json`` (``{"source": "translation"}``); Bahasa Indonesia (``id``) is the default
language of the program, English (``en``) needs no catalog. A catalog may be split into several files, one per
area of the program: ``resources/i18n/<lang>/*.json`` are merged (a source string in two files is an error).
Qt forms (``ui/*.ui``) are translated through the same catalog by :class:`counter_desk.qt.i18n.CatalogTranslator`.

``tests/unit/test_i18n.py`` fails when a string in the code or the forms has no Indonesian translation, or a
translation drops or invents a ``{placeholder}``.
"""

from __future__ import annotations

import json
import logging
from functools import cache
from pathlib import Path
from typing import Any

from counter_desk import resources

log = logging.getLogger(__name__)

LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}
DEFAULT_LANGUAGE = "id"

_state = {"language": "en"}


@cache
def catalog(language: str) -> dict[str, str]:
    """The translations of ``language`` (empty for English, the source language)."""
    if language == "en":
        return {}
    data: dict[str, str] = {}
    for path in catalog_files(language):
        with path.open(encoding="utf-8") as fh:
            part: dict[str, str] = json.load(fh)
        twice = sorted(set(part) & set(data))
        if twice:
            msg = f"{path.name}: translated in another file too: {twice}"
            raise ValueError(msg)
        data |= part
    return data


def catalog_files(language: str) -> list[Path]:
    """The files of ``language``'s catalog: ``<lang>.json`` and ``<lang>/*.json``."""
    single = resources.resource("i18n", f"{language}.json")
    folder = resources.resource("i18n", language)
    return ([single] if single.is_file() else []) + (sorted(folder.glob("*.json")) if folder.is_dir() else [])


def set_language(language: str) -> None:
    if language not in LANGUAGES:
        msg = f"unknown language {language!r}"
        raise ValueError(msg)
    catalog(language)  # load (and validate) now, not at the first message
    _state["language"] = language


def language() -> str:
    return _state["language"]


def lookup(text: str) -> str:
    """``text`` in the active language, or ``text`` itself when it has no translation."""
    return catalog(_state["language"]).get(text, text)


def _(text: str, /, **values: Any) -> str:
    """Translate ``text`` and fill in its ``{placeholders}``."""
    translated = lookup(text)
    return translated.format(**values) if values else translated


def N_(text: str, /) -> str:
    """Mark ``text`` for translation where it is defined; translate it where shown with :func:`lookup`."""
    return text

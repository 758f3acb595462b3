"""Every string a user can see has a Bahasa Indonesia translation in the gettext catalog, with the same
placeholders; plural entries have every form; Qt's own strings are translated under Qt's contexts."""

from __future__ import annotations

import ast
import re
import string
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import NamedTuple

import pytest
from catalogs import flat_catalog

from counter_desk import i18n, resources
from counter_desk.qt.qt_texts import QT_TEXTS

PACKAGE = Path(__file__).resolve().parents[2] / "counter_desk"
#: Folders whose messages reach users (errors, CLI output, windows).
USER_FACING = ("services", "cli", "views", "qt", "devices", "live")


class Wanted(NamedTuple):
    where: str
    plural: str | None = None


def _sources() -> dict[tuple[str | None, str], Wanted]:
    """Every ``_("...")``, ``N_("...")`` and ``_n("...", "...", n)`` literal in the package, with where it is."""
    found: dict[tuple[str | None, str], Wanted] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "N_", "_n"):
                where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
                texts = node.args[: 2 if node.func.id == "_n" else 1]
                assert len(texts) == (2 if node.func.id == "_n" else 1) and all(
                    isinstance(t, ast.Constant) and isinstance(t.value, str) for t in texts
                ), f"{where}: {node.func.id}() needs literal strings (use {{placeholders}}, not an f-string)"
                values = [t.value for t in texts if isinstance(t, ast.Constant)]
                found.setdefault((None, values[0]), Wanted(where, values[1] if len(values) == 2 else None))
    return found


def _form_strings() -> dict[tuple[str | None, str], Wanted]:
    found: dict[tuple[str | None, str], Wanted] = {}
    for form in sorted(resources.ui_file("").glob("*.ui")):
        for element in ET.parse(form).iter("string"):  # noqa: S314 - our own forms, not untrusted XML
            if element.get("notr") != "true" and element.text and element.text.strip():
                found.setdefault((None, element.text), Wanted(form.name))
    return found


def _qt_strings() -> dict[tuple[str | None, str], Wanted]:
    return {(ctx, text): Wanted(f"qt_texts.py [{ctx}]") for ctx, texts in QT_TEXTS.items() for text in texts}


def _wanted() -> dict[tuple[str | None, str], Wanted]:
    return _qt_strings() | _form_strings() | _sources()


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _qt_markers(text: str) -> set[str]:
    """Qt's ``%1``, ``%n`` (filled in by Qt) in one of its own strings."""
    return set(re.findall(r"%(?:\d+|n)", text))


def test_every_string_has_an_indonesian_translation() -> None:
    messages = i18n.load("id").messages
    missing = []
    for key, wanted in _wanted().items():
        message = messages.get(key)
        if message is None or not message.translated:
            missing.append(f"{wanted.where}: {key[1]!r}" + (f" (msgctxt {key[0]!r})" if key[0] else ""))
        elif message.plural != wanted.plural:
            missing.append(f"{wanted.where}: {key[1]!r}: msgid_plural {message.plural!r}, the code {wanted.plural!r}")
    assert not missing, "no Indonesian translation in resources/i18n/id/*.po for:\n" + "\n".join(missing)


def test_translations_keep_their_placeholders_and_nothing_is_stale() -> None:
    catalog = i18n.load("id")
    forms = i18n.plural_count(catalog.header)
    broken = []
    for m in catalog.messages.values():
        if m.context is not None:  # Qt's own: Qt's markers, and a shortcut letter if the source has one
            if any(_qt_markers(t) != _qt_markers(m.msgid) or ("&" in m.msgid) != ("&" in t) for t in m.msgstr):
                broken.append(m.where)
        elif m.plural is None:
            if _placeholders(m.msgid) != _placeholders(m.msgstr[0]):
                broken.append(m.where)
        else:
            sources = (_placeholders(m.msgid), _placeholders(m.plural))
            for text in m.msgstr:
                shown = _placeholders(text)
                # Not invented, and nothing dropped that both English forms show; with one form (Indonesian)
                # it stands for every number, so it shows what the English plural shows.
                invented = not shown <= sources[0] | sources[1]
                dropped = not sources[0] & sources[1] <= shown or (forms == 1 and shown != sources[1])
                if invented or dropped:
                    broken.append(m.where)
        if not all(t.strip() for t in m.msgstr):
            broken.append(f"{m.where} (empty)")
    assert not broken, f"translations whose placeholders differ or are empty: {broken}"
    wanted = _wanted()
    stale = sorted(f"{m.where}: {m.msgid!r}" for key, m in catalog.messages.items() if key not in wanted)
    assert not stale, "translations nothing uses any more (remove them):\n" + "\n".join(stale)


def test_plural_entries_have_every_form_of_the_language() -> None:
    catalog = i18n.load("id")
    assert catalog.header["Plural-Forms"] == "nplurals=1; plural=0;"  # Indonesian: one form for every number
    plural = [m for m in catalog.messages.values() if m.plural is not None]
    assert plural, "no plural entry: the _n() messages are missing from the catalog"
    wrong = [m.where for m in plural if len(m.msgstr) != i18n.plural_count(catalog.header) or not all(m.msgstr)]
    assert not wrong, f"plural entries without all their forms: {wrong}"


def test_no_entry_is_left_fuzzy() -> None:
    fuzzy = [m.where for m in i18n.load("id").messages.values() if "fuzzy" in m.flags]
    assert not fuzzy, f"fuzzy entries are not used until a person checks them: {fuzzy}"


def test_user_facing_messages_go_through_the_catalog() -> None:
    """An f-string message in a user-facing module would reach an Indonesian user in English."""
    offenders = []
    for folder in USER_FACING:
        for path in sorted((PACKAGE / folder).rglob("*.py")) if (PACKAGE / folder).is_dir() else []:
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == "msg" for t in node.targets)
                    and isinstance(node.value, ast.JoinedStr | ast.Constant)
                ):
                    offenders.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert not offenders, "messages not wrapped in _(): " + ", ".join(offenders)


def test_switching_languages() -> None:
    try:
        i18n.set_language("id")
        assert i18n.language() == "id"
        indonesian = i18n._("nobody is waiting at {stage}", stage="interview")
        assert indonesian == "tidak ada pemohon yang menunggu di interview"
        i18n.set_language("en")
        assert i18n._("nobody is waiting at {stage}", stage="interview") == "nobody is waiting at interview"
        with pytest.raises(ValueError, match="unknown language"):
            i18n.set_language("fr")
    finally:
        i18n.set_language("en")


def test_one_list_of_languages() -> None:
    from counter_desk import config

    assert config.LANGUAGES is i18n.LANGUAGES
    assert i18n.DEFAULT_LANGUAGE in i18n.LANGUAGES and i18n.SOURCE_LANGUAGE in i18n.LANGUAGES
    # Every language but the source one has a catalog.
    assert all(i18n.catalog_files(lang) for lang in i18n.LANGUAGES if lang != i18n.SOURCE_LANGUAGE)


def test_catalog_files_are_po_files_of_their_language() -> None:
    files = i18n.catalog_files("id")
    assert files, "no Indonesian catalog found under resources/i18n/"
    assert not list(resources.resource("i18n").rglob("*.json")), "the JSON catalog is gone: use .po files"
    assert not list(resources.resource("i18n").rglob("*.mo")), "no compiled catalogs: they are built when loaded"
    for path in files:
        header = i18n.parse_po(path.read_text(encoding="utf-8"), path.name).header
        assert header["Language"] == "id", path.name
        assert header["Content-Type"] == "text/plain; charset=UTF-8", path.name
        assert header["Plural-Forms"] == "nplurals=1; plural=0;", path.name


def test_qt_strings_are_in_qt_po_under_their_context() -> None:
    messages = i18n.load("id").messages
    for key in _qt_strings():
        assert messages[key].where.startswith("qt.po:"), messages[key].where
    assert all(m.context is None for m in messages.values() if not m.where.startswith("qt.po:"))
    i18n.set_language("id")
    try:
        assert i18n.qt_lookup("QPlatformTheme", "Cancel") == "Batal"
        assert i18n.qt_lookup("QLineEdit", "&Copy") == "&Salin"
        assert i18n.qt_lookup("QFileDialog", "%1 already exists.\nDo you want to replace it?") == (
            "%1 sudah ada.\nGanti dengan yang baru?"
        )
        # A form's string: Qt asks with the form's class as the context; the entry has none.
        assert i18n.qt_lookup("StationWindow", "Call next") == flat_catalog("id")["Call next"]
        assert i18n.qt_lookup("QShortcut", "Ctrl") is None  # not translated: Qt keeps its own
    finally:
        i18n.set_language("en")
    assert i18n.qt_lookup("QPlatformTheme", "Cancel") is None  # English: Qt's own text

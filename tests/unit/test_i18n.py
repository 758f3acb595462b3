"""Every string a user can see has a Bahasa Indonesia translation, with the same placeholders."""

from __future__ import annotations

import ast
import json
import string
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from counter_desk import i18n, resources

PACKAGE = Path(__file__).resolve().parents[2] / "counter_desk"
#: Folders whose messages reach users (errors, CLI output, windows).
USER_FACING = ("services", "cli", "views", "qt", "devices", "live")


def _sources() -> dict[str, str]:
    """Every ``_("...")`` and ``N_("...")`` literal in the package, with where it is."""
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "N_"):
                first = node.args[0] if node.args else None
                where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
                assert isinstance(first, ast.Constant) and isinstance(first.value, str), (
                    f"{where}: _() needs a literal string (use {{placeholders}}, not an f-string)"
                )
                found.setdefault(first.value, where)
    return found


def _form_strings() -> dict[str, str]:
    found: dict[str, str] = {}
    for form in sorted(resources.ui_file("").glob("*.ui")):
        for element in ET.parse(form).iter("string"):  # noqa: S314 - our own forms, not untrusted XML
            if element.get("notr") != "true" and element.text and element.text.strip():
                found.setdefault(element.text, form.name)
    return found


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_string_has_an_indonesian_translation() -> None:
    wanted = _sources() | _form_strings()
    catalog = i18n.catalog("id")
    missing = [f"{where}: {text!r}" for text, where in wanted.items() if text not in catalog]
    assert not missing, "no Indonesian translation in resources/i18n/id/*.json for:\n" + "\n".join(missing)


def test_translations_keep_their_placeholders_and_nothing_is_stale() -> None:
    wanted = _sources() | _form_strings()
    catalog = i18n.catalog("id")
    broken = [src for src, dst in catalog.items() if _placeholders(src) != _placeholders(dst) or not dst.strip()]
    assert not broken, f"translations whose placeholders differ or are empty: {broken}"
    stale = sorted(set(catalog) - set(wanted))
    assert not stale, f"translations nothing uses any more (remove them): {stale}"


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
        i18n.set_language("en")
        assert i18n._("nobody is waiting at {stage}", stage="interview") == "nobody is waiting at interview"
        with pytest.raises(ValueError, match="unknown language"):
            i18n.set_language("fr")
    finally:
        i18n.set_language("en")


def test_catalog_files_are_valid_json_objects() -> None:
    files = i18n.catalog_files("id")
    assert files, "no Indonesian catalog found under resources/i18n/"
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        assert isinstance(data, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in data.items())

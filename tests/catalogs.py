"""The translations of a language as a flat dict, for tests that compare what windows show with the catalog."""

from __future__ import annotations

from counter_desk import i18n


def flat_catalog(language: str) -> dict[str, str]:
    """Each source text of ``language``'s catalog (a plural entry's both English forms) and its translation; an
    entry without ``msgctxt`` wins over one with it. Empty for English."""
    flat: dict[str, str] = {}
    for m in sorted(i18n.load(language).messages.values(), key=lambda m: m.context is None):
        if m.translated:
            flat[m.msgid] = m.msgstr[0]
            if m.plural is not None:
                flat[m.plural] = m.msgstr[-1]
    return flat

"""Translations: gettext catalogs for the services, the command line and the Qt windows.

Source strings are English and written in the code as ``_("Call next")`` or, with values,
``_("no ticket {number} in this office", number=wanted)``; a message that shows a count is written with both
English forms, ``_n("{n} booking on {day}", "{n} bookings on {day}", count, day=day)``, and the catalog says
which form a number takes. Bahasa Indonesia (``id``) is the default language of the program; English (``en``),
the source language, needs no catalog (gettext's own rule picks the form: singular when n == 1).

A catalog is a set of gettext ``.po`` files, ``resources/i18n/<lang>/*.po`` (one per area of the program; a
source string lives in one file only). They are read when a language is chosen: parsed here, written into an
in-memory ``.mo`` and loaded by the standard library's :class:`gettext.GNUTranslations`, so there is no compiled
file to keep in step and no new dependency. Qt asks the same catalog through
:class:`counter_desk.qt.i18n.CatalogTranslator`: the strings of the forms (``ui/*.ui``) and Qt's own (the
standard buttons, the file dialog, the context menus), the latter under a ``msgctxt`` naming Qt's context.

``tests/unit/test_i18n.py`` fails when a string in the code or the forms has no Indonesian translation, or a
translation drops or invents a ``{placeholder}``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from counter_desk import resources

if TYPE_CHECKING:
    import gettext

LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}
DEFAULT_LANGUAGE = "id"
#: The language the code is written in: no catalog.
SOURCE_LANGUAGE = "en"

_state = {"language": SOURCE_LANGUAGE}


# ---------------------------------------------------------------------- the .po format


class PoError(ValueError):
    """A ``.po`` file that cannot be read; the message starts with ``file:line:``."""


class Message(NamedTuple):
    """One entry of a ``.po`` file.

    ``msgstr`` has one translation, or one per plural form when the entry has a ``plural`` (``msgid_plural``).
    An empty translation or the ``fuzzy`` flag means "not translated yet": such an entry is not used.
    """

    msgid: str
    msgstr: tuple[str, ...]
    context: str | None = None
    plural: str | None = None
    flags: frozenset[str] = frozenset()
    where: str = ""

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.context, self.msgid)

    @property
    def translated(self) -> bool:
        return "fuzzy" not in self.flags and all(self.msgstr)


class PoFile(NamedTuple):
    header: dict[str, str]
    messages: list[Message]


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_KEYWORDS = ("msgctxt", "msgid", "msgid_plural", "msgstr")


def _unquote(text: str, where: str) -> str:
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        msg = f"{where}: expected a string in double quotes, not {text!r}"
        raise PoError(msg)
    inner = text[1:-1]
    if "\\" not in inner and '"' not in inner:
        return inner
    out: list[str] = []
    i = 0
    while i < len(inner):
        char = inner[i]
        if char == '"':
            msg = f'{where}: a double quote inside a string must be written \\"'
            raise PoError(msg)
        if char == "\\":
            if i + 1 == len(inner):
                msg = f"{where}: the string ends in a lone backslash"
                raise PoError(msg)
            escaped = inner[i + 1]
            if escaped not in _ESCAPES:
                msg = f"{where}: unknown escape \\{escaped}"
                raise PoError(msg)
            out.append(_ESCAPES[escaped])
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


class _Entry:
    """An entry being read: its fields (keyword -> the string's pieces), flags, and the line it starts on."""

    __slots__ = ("fields", "flags", "last", "line", "obsolete")

    def __init__(self, line: int) -> None:
        self.line = line
        self.fields: dict[str, list[str]] = {}
        self.flags: set[str] = set()
        self.obsolete = False
        self.last = ""


def _string(text: str, name: str, number: int) -> str:
    """The value of a quoted .po string (``text`` with its quotes)."""
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        inner = text[1:-1]
        if "\\" not in inner and '"' not in inner:
            return inner
    return _unquote(text, f"{name}:{number}")


def _message(entry: _Entry, name: str) -> Message:
    fields = entry.fields
    where = f"{name}:{entry.line}"
    if "msgid" not in fields:
        msg = f"{where}: an entry without msgid"
        raise PoError(msg)
    msgid = "".join(fields["msgid"])
    context = "".join(fields["msgctxt"]) if "msgctxt" in fields else None
    if "msgid_plural" not in fields:
        if "msgstr" not in fields or len(fields) != 2 + (context is not None):  # msgid, msgstr
            msg = f"{where}: msgid needs one msgstr (msgstr[n] only with msgid_plural)"
            raise PoError(msg)
        return Message(msgid, ("".join(fields["msgstr"]),), context, None, frozenset(entry.flags), where)
    forms = [k for k in fields if k.startswith("msgstr")]
    numbered = [f"msgstr[{i}]" for i in range(len(forms))]
    if forms != numbered or not forms:
        msg = f"{where}: a plural entry needs msgstr[0], msgstr[1], ... in order"
        raise PoError(msg)
    msgstr = tuple("".join(fields[k]) for k in numbered)
    plural = "".join(fields["msgid_plural"])
    return Message(msgid, msgstr, context, plural, frozenset(entry.flags), where)


def parse_po(text: str, name: str) -> PoFile:
    """The header and the messages of a ``.po`` file's ``text``; ``name`` is what errors call the file.

    Raises:
        PoError: on anything ``msgfmt`` would refuse (the message names the file and the line).
    """
    reader = _Reader(name)
    for number, raw in enumerate(text.splitlines(), start=1):
        reader.line(number, raw.strip())
    reader.finish()
    if reader.header is None:
        msg = f"{name}:1: no header (an entry with an empty msgid, giving Language and Plural-Forms)"
        raise PoError(msg)
    return PoFile(reader.header, reader.messages)


class _Reader:
    """Reads a ``.po`` file line by line into messages (:func:`parse_po`)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.messages: list[Message] = []
        self.header: dict[str, str] | None = None
        self.seen: dict[tuple[str | None, str], int] = {}
        self.entry = _Entry(1)

    def finish(self, next_line: int = 0) -> None:
        """End the entry being read; the next starts on ``next_line``."""
        entry, self.entry = self.entry, _Entry(next_line)
        if not entry.fields or entry.obsolete:
            return
        message = _message(entry, self.name)
        if message.msgid == "" and message.context is None:
            if self.header is not None or message.plural is not None:
                msg = f"{message.where}: a second header (empty msgid)"
                raise PoError(msg)
            self.header = _parse_header(message.msgstr[0])
            return
        if message.key in self.seen:
            msg = f"{message.where}: {message.msgid!r} is already in line {self.seen[message.key]}"
            raise PoError(msg)
        self.seen[message.key] = entry.line
        self.messages.append(message)

    def line(self, number: int, line: str) -> None:
        entry = self.entry
        if not line:
            if entry.fields or entry.flags or entry.obsolete:
                self.finish(number + 1)
            return
        first = line[0]
        if first == '"':
            if not entry.last:
                msg = f"{self.name}:{number}: a string that continues nothing (msgid, msgstr, ...)"
                raise PoError(msg)
            entry.fields[entry.last].append(_string(line, self.name, number))
            return
        if first == "#":
            if entry.last.startswith("msgstr"):
                self.finish(number)  # a new entry starts with its comments
                entry = self.entry
            if line.startswith("#~"):
                entry.obsolete = True
            elif line.startswith("#,"):
                entry.flags.update(f.strip() for f in line[2:].split(","))
                entry.flags.discard("")
            return
        self.keyword(number, line)

    def keyword(self, number: int, line: str) -> None:
        keyword, _space, rest = line.partition(" ")
        where = f"{self.name}:{number}"
        if keyword not in _KEYWORDS and not (keyword.startswith("msgstr[") and keyword[7:-1].isdigit()):
            msg = f"{where}: expected msgctxt, msgid, msgid_plural, msgstr or a string, not {line!r}"
            raise PoError(msg)
        if keyword in ("msgctxt", "msgid") and self.entry.last.startswith("msgstr"):
            self.finish(number)  # entries need no blank line between them
        entry = self.entry
        fields = entry.fields
        if keyword in fields:
            msg = f"{where}: {keyword} twice in one entry"
            raise PoError(msg)
        if keyword not in ("msgctxt", "msgid") and "msgid" not in fields:
            msg = f"{where}: {keyword} before msgid"
            raise PoError(msg)
        if keyword == "msgctxt" and "msgid" in fields:
            msg = f"{where}: msgctxt after msgid"
            raise PoError(msg)
        if not fields:
            entry.line = number
        fields[keyword] = [_string(rest.strip(), self.name, number)]
        entry.last = keyword


def _parse_header(text: str) -> dict[str, str]:
    fields = {}
    for line in text.splitlines():
        key, colon, value = line.partition(":")
        if colon:
            fields[key.strip()] = value.strip()
    return fields


def plural_count(header: dict[str, str]) -> int:
    """``nplurals`` of a header's ``Plural-Forms`` (English's 2 when the header does not say)."""
    for part in header.get("Plural-Forms", "").split(";"):
        key, _eq, value = part.partition("=")
        if key.strip() == "nplurals" and value.strip().isdigit():
            return int(value)
    return 2


def mo_bytes(header: dict[str, str], messages: list[Message]) -> bytes:
    """``header`` and the translated ``messages`` as a GNU ``.mo`` file (what ``msgfmt`` writes)."""
    import struct  # only when a catalog is built, not on every import

    pairs = {b"": "".join(f"{k}: {v}\n" for k, v in header.items()).encode()}
    for m in messages:
        if not m.translated:
            continue
        source = m.msgid if m.plural is None else f"{m.msgid}\0{m.plural}"
        if m.context is not None:
            source = f"{m.context}\x04{source}"
        pairs[source.encode()] = "\0".join(m.msgstr).encode()
    keys = sorted(pairs)  # msgfmt sorts them: readers may search the table
    ids = bytearray()
    strs = bytearray()
    id_table: list[int] = []
    str_table: list[int] = []
    head_size = 7 * 4 + 16 * len(keys)
    for key in keys:
        id_table += (len(key), len(ids))
        str_table += (len(pairs[key]), len(strs))
        ids += key + b"\0"
        strs += pairs[key] + b"\0"
    id_table[1::2] = [offset + head_size for offset in id_table[1::2]]
    str_table[1::2] = [offset + head_size + len(ids) for offset in str_table[1::2]]
    count = len(keys)
    head = struct.pack("<7I", 0x950412DE, 0, count, 7 * 4, 7 * 4 + 8 * count, 0, 0)
    return head + struct.pack(f"<{4 * count}I", *id_table, *str_table) + ids + strs


# ---------------------------------------------------------------------- catalogs


def catalog_files(language: str) -> list[Path]:
    """The files of ``language``'s catalog: ``<lang>.po`` and ``<lang>/*.po``."""
    single = resources.resource("i18n", f"{language}.po")
    folder = resources.resource("i18n", language)
    return ([single] if single.is_file() else []) + (sorted(folder.glob("*.po")) if folder.is_dir() else [])


class Catalog(NamedTuple):
    """A language's catalog: the header of its files and every entry by ``(msgctxt, msgid)``."""

    header: dict[str, str]
    messages: dict[tuple[str | None, str], Message]


def read_catalog(paths: list[Path], language: str) -> Catalog:
    """The ``.po`` files ``paths`` read as one catalog of ``language``.

    Raises:
        PoError: a file cannot be read, a source string is in two files, a file is of another language or the
            files disagree on its plural forms, or a plural entry has not one translation per form.
    """
    header: dict[str, str] | None = None
    found: dict[tuple[str | None, str], Message] = {}
    for path in paths:
        po = parse_po(path.read_text(encoding="utf-8"), path.name)
        if po.header.get("Language") != language or not po.header.get("Plural-Forms"):
            msg = f"{path.name}:1: the header needs 'Language: {language}' and a Plural-Forms line"
            raise PoError(msg)
        if header is None:
            header = po.header
        elif header["Plural-Forms"] != po.header["Plural-Forms"]:
            msg = f"{path.name}:1: Plural-Forms differs from the other files of {language!r}"
            raise PoError(msg)
        forms = plural_count(po.header)
        for m in po.messages:
            if m.key in found:
                msg = f"{m.where}: {m.msgid!r} is translated in {found[m.key].where} too"
                raise PoError(msg)
            if m.plural is not None and len(m.msgstr) != forms:
                msg = f"{m.where}: a plural entry needs {forms} msgstr[n] in {language!r}, not {len(m.msgstr)}"
                raise PoError(msg)
            found[m.key] = m
    if header is None:
        msg = f"no catalog for {language!r} under {resources.resource('i18n')}"
        raise PoError(msg)
    return Catalog(header, found)


@cache
def load(language: str) -> Catalog:
    """``language``'s catalog, read once (empty for English, the source language); see :func:`read_catalog`."""
    if language == SOURCE_LANGUAGE:
        return Catalog({}, {})
    return read_catalog(catalog_files(language), language)


class _Active(NamedTuple):
    translations: gettext.NullTranslations
    #: The translated ``(msgctxt, msgid)`` pairs: Qt needs to know what the catalog has, not just an answer.
    keys: frozenset[tuple[str | None, str]]


@cache
def _active(language: str) -> _Active:
    # Imported here: an import of this module stays cheap (the CLI's --version, --help).
    import gettext
    import io

    if language == SOURCE_LANGUAGE:
        return _Active(gettext.NullTranslations(), frozenset())
    catalog = load(language)
    translated = [m for m in catalog.messages.values() if m.translated]
    mo = mo_bytes(catalog.header, translated)
    return _Active(gettext.GNUTranslations(io.BytesIO(mo)), frozenset(m.key for m in translated))


def translations(language: str) -> gettext.NullTranslations:
    """``language``'s catalog as a standard :class:`gettext.NullTranslations` (GNUTranslations but for English)."""
    return _active(language).translations


# ---------------------------------------------------------------------- the active language


def set_language(language: str) -> None:
    if language not in LANGUAGES:
        msg = f"unknown language {language!r}"
        raise ValueError(msg)
    _active(language)  # load (and validate) now, not at the first message
    _state["language"] = language


def language() -> str:
    return _state["language"]


def lookup(text: str) -> str:
    """``text`` in the active language, or ``text`` itself when it has no translation."""
    return _active(_state["language"]).translations.gettext(text)


def qt_lookup(context: str, text: str) -> str | None:
    """What Qt's ``translate(context, text)`` gets: the entry under ``msgctxt context`` if there is one, else the
    entry without a context (the forms' strings, shared with the code), else None (not translated)."""
    active = _active(_state["language"])
    if (context, text) in active.keys:
        return active.translations.pgettext(context, text)
    if (None, text) in active.keys:
        return active.translations.gettext(text)
    return None


def _(text: str, /, **values: Any) -> str:
    """Translate ``text`` and fill in its ``{placeholders}``."""
    translated = lookup(text)
    return translated.format(**values) if values else translated


def _n(singular: str, plural: str, n: int, /, **values: Any) -> str:
    """The form of a message that fits the count ``n``, translated, with ``{n}`` and the other placeholders filled.

    ``_n("{n} booking on {day}", "{n} bookings on {day}", len(rows), day=day)``: English takes the first form for
    1 and the second otherwise; Indonesian has one form for every number (``Plural-Forms`` in the catalog).
    """
    translated = _active(_state["language"]).translations.ngettext(singular, plural, n)
    return translated.format(**({"n": n} | values))


def N_(text: str, /) -> str:
    """Mark ``text`` for translation where it is defined; translate it where shown with :func:`lookup`."""
    return text

"""The .po reader, the in-memory .mo it becomes, and ``_n``: what the catalogs rely on."""

from __future__ import annotations

import gettext
import io
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from counter_desk import i18n
from counter_desk.i18n import Message, PoError, mo_bytes, parse_po, read_catalog

HEADER = r"""msgid ""
msgstr ""
"Language: id\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=1; plural=0;\n"
"""
ENGLISH_PLURALS = HEADER.replace("Language: id", "Language: en").replace(
    "nplurals=1; plural=0;", "nplurals=2; plural=(n != 1);"
)


def po(body: str, header: str = HEADER) -> list[Message]:
    return parse_po(header + "\n" + body, "test.po").messages


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    yield
    i18n.set_language("en")


def test_escapes() -> None:
    (m,) = po(r"""msgid "say \"hi\"\tnow\\then\n"
msgstr "kata \"hai\"\tsekarang\\lalu\n"
""")
    assert m.msgid == 'say "hi"\tnow\\then\n'
    assert m.msgstr == ('kata "hai"\tsekarang\\lalu\n',)


def test_multi_line_strings_are_joined() -> None:
    (m,) = po(r"""#, python-brace-format
msgid ""
"first line\n"
"second {x}"
msgstr ""
"baris pertama\n"
"baris kedua {x}"
""")
    assert m.msgid == "first line\nsecond {x}"
    assert m.msgstr == ("baris pertama\nbaris kedua {x}",)
    assert m.flags == {"python-brace-format"} and m.translated


def test_msgctxt_and_entries_without_blank_lines_between() -> None:
    a, b, c = po("""msgctxt "QLineEdit"
msgid "Delete"
msgstr "Hapus"
msgctxt "QFileDialog"
msgid "Delete"
msgstr "Hapus berkas"
msgid "Delete"
msgstr "Hapus saja"
""")
    assert (a.key, b.key, c.key) == (("QLineEdit", "Delete"), ("QFileDialog", "Delete"), (None, "Delete"))
    assert a.where == "test.po:7" and c.where == "test.po:13"


def test_plural_entries() -> None:
    (m,) = po(
        """msgid "{n} booking"
msgid_plural "{n} bookings"
msgstr[0] "one"
msgstr[1] "many"
""",
        ENGLISH_PLURALS,
    )
    assert (m.msgid, m.plural, m.msgstr) == ("{n} booking", "{n} bookings", ("one", "many"))
    assert i18n.plural_count(parse_po(ENGLISH_PLURALS, "x").header) == 2
    assert i18n.plural_count(parse_po(HEADER, "x").header) == 1


def test_comments_fuzzy_empty_and_obsolete_entries() -> None:
    entries = po("""# a translator's note
#. for the translator
#: counter_desk/cli/queue_cmd.py:12
#, fuzzy
msgid "guessed"
msgstr "ditebak"

msgid "not yet"
msgstr ""

#~ msgid "gone"
#~ msgstr "hilang"
""")
    assert [(m.msgid, m.translated) for m in entries] == [("guessed", False), ("not yet", False)]


@pytest.mark.parametrize(
    ("body", "line", "says"),
    [
        ('msgid "a"\nmsgstr "b\n', 8, "double quotes"),
        ('msgid "a"\nmsgstr "b\\q"\n', 8, r"unknown escape \q"),
        ('msgid "a"\nmsgstr "say "hi""\n', 8, "double quote inside"),
        ('msgid "a"\nmsgstr "b\\"\n', 8, "lone backslash"),
        ('msgstr "b"\n', 7, "msgstr before msgid"),
        ('"stray"\n', 7, "continues nothing"),
        ('msgid "a"\nmsgtext "b"\n', 8, "expected msgctxt, msgid"),
        ('msgid "a"\n\nmsgid "b"\nmsgstr "c"\n', 7, "msgid needs one msgstr"),
        ('msgid "a"\nmsgstr "b"\n\nmsgid "a"\nmsgstr "c"\n', 10, "already in line 7"),
        ('msgid "a"\nmsgid_plural "as"\nmsgstr[1] "b"\n', 7, "msgstr[0], msgstr[1]"),
        ('msgid "a"\nmsgstr[0] "b"\n', 7, "one msgstr"),
        ('msgid "a"\nmsgid "b"\nmsgstr "c"\n', 8, "msgid twice"),
        ('msgid "a"\nmsgctxt "c"\nmsgstr "b"\n', 8, "msgctxt after msgid"),
        ('msgid ""\nmsgstr "Language: id\\n"\n', 7, "second header"),
    ],
)
def test_a_malformed_po_names_the_file_and_the_line(body: str, line: int, says: str) -> None:
    with pytest.raises(PoError, match=rf"^test\.po:{line}: .*{_re(says)}"):
        po(body)


def _re(text: str) -> str:
    return re.escape(text)


def test_a_po_without_a_header_is_refused() -> None:
    with pytest.raises(PoError, match=r"^bare\.po:1: no header"):
        parse_po('msgid "a"\nmsgstr "b"\n', "bare.po")


def test_the_mo_is_what_gettext_reads() -> None:
    """Written in memory, read by the standard library: singular, context and plural lookups."""
    header = parse_po(ENGLISH_PLURALS, "x").header
    messages = po(
        """msgid "Call next"
msgstr "Panggil berikutnya"

msgctxt "QPlatformTheme"
msgid "Cancel"
msgstr "Batal"

msgid "{n} booking"
msgid_plural "{n} bookings"
msgstr[0] "{n} pemesanan (satu)"
msgstr[1] "{n} pemesanan (banyak)"

#, fuzzy
msgid "guessed"
msgstr "ditebak"

msgid "ünïcode"
msgstr "uniкод"
""",
        ENGLISH_PLURALS,
    )
    read = gettext.GNUTranslations(io.BytesIO(mo_bytes(header, messages)))
    assert read.gettext("Call next") == "Panggil berikutnya"
    assert read.gettext("Cancel") == "Cancel"  # only under its context
    assert read.pgettext("QPlatformTheme", "Cancel") == "Batal"
    assert read.ngettext("{n} booking", "{n} bookings", 1) == "{n} pemesanan (satu)"
    assert read.ngettext("{n} booking", "{n} bookings", 3) == "{n} pemesanan (banyak)"
    assert read.gettext("guessed") == "guessed"  # fuzzy: not used
    assert read.gettext("ünïcode") == "uniкод"
    assert read.info()["plural-forms"] == "nplurals=2; plural=(n != 1);"


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_source_string_in_two_files_is_refused(tmp_path: Path) -> None:
    one = _write(tmp_path, "a.po", HEADER + '\nmsgid "x"\nmsgstr "y"\n')
    two = _write(tmp_path, "b.po", HEADER + '\n\nmsgid "x"\nmsgstr "z"\n')
    assert read_catalog([one], "id").messages[(None, "x")].msgstr == ("y",)
    with pytest.raises(PoError, match=r"^b\.po:8: 'x' is translated in a\.po:7 too"):
        read_catalog([one, two], "id")


def test_files_of_another_language_or_plural_rule_are_refused(tmp_path: Path) -> None:
    english = _write(tmp_path, "en.po", ENGLISH_PLURALS)
    with pytest.raises(PoError, match=r"^en\.po:1: the header needs 'Language: id'"):
        read_catalog([english], "id")
    ours = _write(tmp_path, "a.po", HEADER)
    other = _write(tmp_path, "b.po", HEADER.replace("nplurals=1; plural=0;", "nplurals=2; plural=(n != 1);"))
    with pytest.raises(PoError, match=r"^b\.po:1: Plural-Forms differs"):
        read_catalog([ours, other], "id")


def test_a_plural_entry_needs_every_form_of_the_language(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "a.po", HEADER + '\nmsgid "{n} row"\nmsgid_plural "{n} rows"\nmsgstr[0] "a"\nmsgstr[1] "b"\n'
    )
    with pytest.raises(PoError, match=r"^a\.po:7: a plural entry needs 1 msgstr\[n\] in 'id', not 2"):
        read_catalog([path], "id")


def test_n_in_english_follows_the_count() -> None:
    i18n.set_language("en")
    one, many = "{n} booking on {day}", "{n} bookings on {day}"
    assert i18n._n(one, many, 1, day="Monday") == "1 booking on Monday"
    assert i18n._n(one, many, 0, day="Monday") == "0 bookings on Monday"
    assert i18n._n(one, many, 2, day="Monday") == "2 bookings on Monday"
    # {n} is the count unless the caller names it otherwise (a count shown differently).
    assert i18n._n("{n} row", "{n} rows", 3, n="three") == "three rows"


def test_n_in_indonesian_has_one_form_for_every_count() -> None:
    i18n.set_language("id")
    one, many = "{n} booking on {day}", "{n} bookings on {day}"
    assert i18n._n(one, many, 1, day="Senin") == "1 booking pada Senin"
    assert i18n._n(one, many, 7, day="Senin") == "7 booking pada Senin"
    # Not in the catalog: English, with English's rule.
    assert i18n._n("{n} unknown thing", "{n} unknown things", 2) == "2 unknown things"


def test_importing_the_module_stays_cheap() -> None:
    """The CLI imports it for every command, --version included: no gettext, JSON or logging until a language is
    chosen (checked in a fresh interpreter)."""
    code = "import sys, counter_desk.i18n; print(sorted({'gettext', 'json', 'logging'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"

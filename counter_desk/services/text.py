"""Text from outside (a file, a scanner, the command line) checked after decoding, and text shown safely.

A control character in a stored value is at best a mistake and at worst an attack: ESC (U+001B) or the one-byte
CSI (U+009B) followed by a few letters rewrites a clerk's terminal when ``bookings list`` prints the value, and
the bidirectional overrides (U+202A-U+202E, U+2066-U+2069) make a name or a code read differently from what it
is. So every value a user or a file gives is checked *after* decoding (a JSON ``"\\u001b"`` is an ESC like any
other) and refused, and anything printed goes through :func:`printable` as a second line of defence for data
stored before these checks.
"""

from __future__ import annotations

import re

#: C0 and C1 control characters, DEL, lone surrogates (a JSON ``"\\ud800"``: not text, cannot be stored or
#: printed), bidirectional embeddings, overrides and isolates, and the line and paragraph separators.
_REFUSED = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069\u2028\u2029]")
#: The same, but allowing the tab, line feed and carriage return that a text file's layout is made of.
_REFUSED_IN_FILE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")


def find_refused(text: str, *, layout: bool = False) -> int | None:
    """The index of the first character a value may not hold, or None.

    Args:
        text: the decoded text.
        layout: whether tab, line feed and carriage return are allowed (a whole file's text).
    """
    found = (_REFUSED_IN_FILE if layout else _REFUSED).search(text)
    return None if found is None else found.start()


def describe(char: str) -> str:
    """``U+001B``: how a refused character is named in a message (never the character itself)."""
    return f"U+{ord(char):04X}"


def printable(text: str) -> str:
    """``text`` with every refused character replaced by U+FFFD, safe to print on a terminal or a screen."""
    return _REFUSED.sub("\ufffd", text)

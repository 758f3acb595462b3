"""One parser for everything a scanner can deliver: a keyboard-wedge burst, a serial line, a decoded image.

What the M-Paspor QR encodes is not public, so the payload is treated as opaque text that must *carry* a code:
a bare booking code or application number, a URL with it as a query parameter or last path segment, or a JSON
object with it under a known key. Anything else is refused with a message the clerk can act on.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, unquote, urlsplit

from counter_desk.errors import InvalidInput
from counter_desk.i18n import _

MAX_PAYLOAD = 2048
#: How deep a JSON payload may nest arrays and objects: a booking QR is one flat object; a payload of a
#: thousand nested arrays would exhaust Python's recursion limit inside ``json``.
MAX_NESTING = 4
#: Booking codes, application numbers, pickup codes: letters, digits and dashes.
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{3,63}$")
#: Keys that carry the code in a JSON payload or a URL query, in order of preference (case-insensitive).
KEYS = (
    "application_number",
    "nomor_permohonan",
    "no_permohonan",
    "booking_code",
    "kode_booking",
    "code",
    "kode",
    "id",
)
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# Scanners may prefix GS1 group separators or send stray control characters; drop them.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _pick(mapping: dict[str, object]) -> str | None:
    lowered = {str(k).lower(): v for k, v in mapping.items()}
    for key in KEYS:
        value = lowered.get(key)
        if isinstance(value, list) and value:
            value = value[0]
        if isinstance(value, str | int) and not isinstance(value, bool):
            return str(value).strip()
    return None


def _checked(code: str | None, raw: str) -> str:
    if code is None or not CODE.match(code):
        shown = raw if len(raw) <= 40 else raw[:37] + "..."
        msg = _("not a booking code or application number: {shown!r}; scan again or type the number", shown=shown)
        raise InvalidInput(msg)
    return code


def _nesting(text: str) -> int:
    """The deepest nesting of ``[`` and ``{`` in ``text`` outside JSON strings, counted without parsing."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def parse_payload(raw: str) -> str:
    """The code a scanned payload carries, or :class:`~counter_desk.errors.InvalidInput`."""
    if len(raw) > 2 * MAX_PAYLOAD:  # bounded before any work on it (a serial line or a wedge burst without end)
        msg = _("the scanned code is too long ({length} characters): scan again", length=len(raw))
        raise InvalidInput(msg)
    text = _CONTROL.sub("", raw).strip()
    if not text:
        msg = _("empty scan: scan again or type the application number")
        raise InvalidInput(msg)
    if len(text) > MAX_PAYLOAD:
        msg = _("the scanned code is too long ({length} characters): scan again", length=len(text))
        raise InvalidInput(msg)
    if text.startswith("{"):
        if _nesting(text) > MAX_NESTING:
            msg = _("the scanned code is not a booking QR (its data is nested too deeply): scan the M-Paspor QR again")
            raise InvalidInput(msg)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            msg = _("the scanned code was cut off (incomplete data): scan again")
            raise InvalidInput(msg) from exc
        return _checked(_pick(data) if isinstance(data, dict) else None, text)
    if _URL.match(text):
        try:
            parts = urlsplit(text)
        except ValueError as exc:  # e.g. "Invalid IPv6 URL": a garbled link
            msg = _("the scanned link is garbled: scan again or type the application number")
            raise InvalidInput(msg) from exc
        found = _pick(dict(parse_qs(parts.query)))
        if found is None:
            segments = [unquote(s) for s in parts.path.split("/") if s]
            found = segments[-1] if segments else None
        return _checked(found, text)
    return _checked(text, text)

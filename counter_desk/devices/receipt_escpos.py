"""A :class:`~counter_desk.receipt_layout.Receipt` as ESC/POS bytes for a thermal receipt printer.

The bytes are made with python-escpos's ``Dummy`` printer, so they can go to a file, a spooler or a raw device
(``/dev/usb/lp0``) alike. Text is sent in plain ASCII, which every code page prints: accented letters lose
their accents (``Ñoño Šimić`` -> ``Nono Simic``) and anything else becomes ``?`` -- a receipt never fails to
print over a name. The ticket number is printed large with the printer's own character scaling, the QR code
with its native QR command, a Code128 barcode with the native barcode command (``GS k``, code set C for runs of
digits so that a pickup code fits a 58 mm roll), and the paper is cut at the end.
"""

from __future__ import annotations

import contextlib
import io
import re
import textwrap
import unicodedata
from pathlib import Path

from escpos.printer import Dummy

from counter_desk.errors import InvalidInput
from counter_desk.i18n import _
from counter_desk.receipt_layout import BarcodeLine, QrLine, Receipt, Separator, TextLine

#: Characters per line of the printer's normal font (Font A, 12 dots) on each paper.
COLUMNS = {"80mm": 48, "58mm": 32}
DEFAULT_PAPER = "80mm"
#: QR module size in dots, per paper.
QR_MODULE = {"80mm": 6, "58mm": 5}
#: Printable width in dots (203 dpi), per paper.
DOTS = {"80mm": 576, "58mm": 384}
#: Code128 bar height in dots (10 mm).
BAR_HEIGHT = 80
_DIGIT_RUN = re.compile(r"(\d{4,})")
#: Letters NFKD does not decompose into an ASCII base letter.
_SPECIAL = str.maketrans(
    {
        "ß": "ss",
        "Æ": "AE",
        "æ": "ae",
        "Ø": "O",
        "ø": "o",
        "Đ": "D",
        "đ": "d",
        "Ł": "L",
        "ł": "l",
        "Œ": "OE",
        "œ": "oe",
        "Þ": "Th",
        "þ": "th",
        "ı": "i",
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "–": "-",
        "—": "-",
        "…": "...",
        "\u00a0": " ",
    }
)


def transliterate(text: str) -> str:
    """``text`` in printable ASCII: accents dropped, other characters replaced by ``?``."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(ch if " " <= ch <= "~" else ("?" if ch not in "\n\t" else " ") for ch in plain)


def code128_data(payload: str) -> tuple[str, int]:
    """``payload`` as the data of ESC/POS ``GS k 73`` (Code128 with ``{B``/``{C`` code set marks), and its width
    in modules (quiet zones included).

    Runs of four or more digits go in code set C (two digits a symbol); everything else in code set B.
    """
    text = transliterate(payload)
    out: list[str] = []
    symbols = 2  # start and check symbols
    current = ""
    for chunk in _DIGIT_RUN.split(text):
        pieces = [chunk]
        if _DIGIT_RUN.fullmatch(chunk):
            even = len(chunk) - len(chunk) % 2
            pieces = [chunk[:even], chunk[even:]]
        for piece in pieces:
            if not piece:
                continue
            wanted = "C" if piece.isdigit() and len(piece) % 2 == 0 and len(piece) >= 4 else "B"
            if current != wanted:
                out.append("{" + wanted)
                symbols += 1 if current else 0
                current = wanted
            if wanted == "C":
                out.extend(chr(int(piece[i : i + 2])) for i in range(0, len(piece), 2))
                symbols += len(piece) // 2
            else:
                out.append(piece.replace("{", "{{"))
                symbols += len(piece)
    return "".join(out), symbols * 11 + 13 + 20


def _columns(paper: str) -> int:
    try:
        return COLUMNS[paper.lower()]
    except KeyError:
        msg = _("unknown paper {paper!r}; choose one of: {papers}", paper=paper, papers=", ".join(COLUMNS))
        raise InvalidInput(msg) from None


def render_escpos(receipt: Receipt, paper: str = DEFAULT_PAPER) -> bytes:
    """The receipt as ESC/POS bytes for a printer with ``paper`` (``80mm`` or ``58mm``) rolls."""
    columns = _columns(paper)
    printer = Dummy()
    printer.hw("INIT")
    for line in receipt.lines:
        if isinstance(line, TextLine):
            size = max(1, min(line.size, 8))
            text = transliterate(line.text)
            if size > 1:
                printer.set(align=line.align, bold=line.bold, custom_size=True, width=size, height=size)
            else:
                printer.set(align=line.align, bold=line.bold, normal_textsize=True)
            for part in textwrap.wrap(text, max(1, columns // size)) or [""]:
                printer.text(part + "\n")
            printer.set_with_default()
        elif isinstance(line, QrLine):
            printer.set(align="center")
            printer.qr(line.payload, size=QR_MODULE[paper.lower()], native=True)
            printer.set_with_default()
        elif isinstance(line, BarcodeLine):
            bars, modules = code128_data(line.payload)
            width = next((w for w in (3, 2) if modules * w <= DOTS[paper.lower()]), 2)
            printer.set(align="center")
            # python-escpos print()s which renderer it chose; keep that off our stdout (``--json`` prints one object).
            with contextlib.redirect_stdout(io.StringIO()):
                printer.barcode(
                    bars, "CODE128", height=BAR_HEIGHT, width=width, pos="OFF", function_type="B", check=False
                )
            printer.text("\n")
            printer.set_with_default()
        elif isinstance(line, Separator):
            printer.set_with_default()
            printer.text("-" * columns + "\n")
    printer.cut()
    data: bytes = printer.output
    return data


def write_escpos(receipt: Receipt, path: Path, paper: str = DEFAULT_PAPER) -> None:
    """Write the receipt's ESC/POS bytes to ``path`` (a file, or a raw printer device such as /dev/usb/lp0)."""
    data = render_escpos(receipt, paper)
    path.write_bytes(data)

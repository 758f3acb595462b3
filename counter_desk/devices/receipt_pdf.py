"""A :class:`~counter_desk.receipt_layout.Receipt` as a PDF: a receipt roll (80 mm, 58 mm) or an A6 sheet.

A roll page is exactly as long as its content; A6 is a fixed page with the content at the top, continued on a
second sheet when it is longer than one (a pickup receipt is). Text is set in
DejaVu Sans (embedded, so any name prints as written) when the system has it, else in Helvetica.

Code128 bars are whole multiples of a 203-dpi printer dot (two dots, 0.25 mm, a module), so a thermal printer or a
203-dpi rendering draws every bar the same width and the code scans; reportlab switches to code set C for runs
of digits, which keeps a pickup code within a 58 mm roll.
"""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass
from pathlib import Path

from reportlab.graphics.barcode.code128 import Code128
from reportlab.graphics.barcode.qrencoder import QRCode, QRErrorCorrectLevel
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

from counter_desk.errors import InvalidInput
from counter_desk.i18n import _
from counter_desk.pdf_fonts import pdf_fonts
from counter_desk.receipt_layout import BarcodeLine, QrLine, Receipt, ReceiptLine, Separator, TextLine


@dataclass(frozen=True)
class Paper:
    width: float
    #: None: a roll, cut to the content's length.
    height: float | None
    margin: float
    font_size: float
    qr_size: float


PAPERS = {
    "80mm": Paper(80 * mm, None, 4 * mm, 9, 34 * mm),
    "58mm": Paper(58 * mm, None, 3 * mm, 8, 30 * mm),
    "a6": Paper(105 * mm, 148 * mm, 8 * mm, 10, 40 * mm),
}
DEFAULT_PAPER = "80mm"
LEADING = 1.25
#: One dot of a 203-dpi thermal printer, in points.
DOT = 72 / 203
#: A Code128 module (the narrowest bar): two dots; one dot if the code would not fit otherwise.
BAR_MODULE_DOTS = 2
BAR_HEIGHT = 12 * mm
#: The QR code's quiet zone, in modules.
QR_BORDER = 4


def paper(name: str) -> Paper:
    try:
        return PAPERS[name.lower()]
    except KeyError:
        msg = _("unknown paper {paper!r}; choose one of: {papers}", paper=name, papers=", ".join(PAPERS))
        raise InvalidInput(msg) from None


@dataclass(frozen=True)
class _Block:
    """One receipt line laid out: its height and how to draw it with its top at ``y``."""

    line: ReceiptLine
    height: float
    font: str = ""
    size: float = 0
    texts: tuple[str, ...] = ()


def _layout(receipt: Receipt, p: Paper, fonts: tuple[str, str]) -> list[_Block]:
    width = p.width - 2 * p.margin
    blocks = []
    for line in receipt.lines:
        if isinstance(line, TextLine):
            font = fonts[1] if line.bold else fonts[0]
            size = p.font_size * max(1, min(line.size, 8))
            if line.size > 1:
                # A big line (the number) stays on one line: shrink it to fit instead of wrapping.
                size = min(size, size * width / max(pdfmetrics.stringWidth(line.text, font, size), 1))
            texts = tuple(simpleSplit(line.text, font, size, width)) or ("",)
            blocks.append(_Block(line, len(texts) * size * LEADING, font, size, texts))
        elif isinstance(line, QrLine):
            blocks.append(_Block(line, p.qr_size + 2 * mm))
        elif isinstance(line, BarcodeLine):
            blocks.append(_Block(line, BAR_HEIGHT + 3 * mm))
        else:
            blocks.append(_Block(line, 3 * mm))
    return blocks


def _draw_qr(c: canvas.Canvas, payload: str, x: float, y: float, side: float) -> None:
    """The QR code of ``payload`` (level M, 4-module quiet zone) in a ``side`` square at (``x``, ``y``).

    Encoded once and drawn as one filled path of dark runs: reportlab's QrCodeWidget encodes twice and builds a
    shape per run, which cost most of a ticket's render time. Modules are whole 203-dpi dots where they fit.
    """
    qr = QRCode(None, QRErrorCorrectLevel.M)
    qr.addData(payload)
    qr.make()
    count = qr.getModuleCount()
    cells = count + 2 * QR_BORDER
    dots = int(side / DOT / cells)
    box = dots * DOT if dots >= 1 else side / cells
    left = round((x + (side - box * cells) / 2) / DOT) * DOT + QR_BORDER * box
    top = y + side - (side - box * cells) / 2 - QR_BORDER * box
    path = c.beginPath()
    for r, row in enumerate(qr.modules):
        col = 0
        for dark, run in itertools.groupby(bool(m) for m in row):
            length = len(list(run))
            if dark:
                path.rect(left + col * box, top - (r + 1) * box, length * box, box)
            col += length
    c.drawPath(path, stroke=0, fill=1)


def _barcode(payload: str, width: float) -> Code128:
    """The Code128 symbol of ``payload`` at the widest whole-dot module that fits ``width``."""
    for dots in range(BAR_MODULE_DOTS, 0, -1):
        symbol = Code128(payload, barWidth=dots * DOT, barHeight=BAR_HEIGHT, quiet=False, humanReadable=False)
        if symbol.width <= width or dots == 1:
            return symbol
    raise AssertionError  # pragma: no cover - the loop always returns


def render_pdf(receipt: Receipt, paper_name: str = DEFAULT_PAPER) -> bytes:
    """The receipt as PDF bytes on ``paper_name`` (``80mm``, ``58mm`` or ``a6``)."""
    p = paper(paper_name)
    fonts = pdf_fonts()
    blocks = _layout(receipt, p, fonts)
    content = sum(b.height for b in blocks)
    height = p.height if p.height is not None else content + 2 * p.margin
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=(p.width, height), invariant=True)
    c.setTitle(f"{receipt.office_name} {receipt.number}")
    c.setAuthor("Counter Desk")
    left, right = p.margin, p.width - p.margin
    y = height - p.margin
    for b in blocks:
        line = b.line
        if p.height is not None and y - b.height < p.margin and y < height - p.margin:
            # A fixed sheet (A6) is full: go on at the top of the next one rather than draw off the page.
            c.showPage()
            y = height - p.margin
        if isinstance(line, TextLine):
            c.setFont(b.font, b.size)
            for i, text in enumerate(b.texts):
                base = y - (i + 1) * b.size * LEADING + b.size * (LEADING - 1) + b.size * 0.2
                if line.align == "left":
                    c.drawString(left, base, text)
                elif line.align == "right":
                    c.drawRightString(right, base, text)
                else:
                    c.drawCentredString(p.width / 2, base, text)
        elif isinstance(line, QrLine):
            _draw_qr(c, line.payload, (p.width - p.qr_size) / 2, y - 1 * mm - p.qr_size, p.qr_size)
        elif isinstance(line, BarcodeLine):
            symbol = _barcode(line.payload, right - left)
            # On the dot grid (pixel columns of a 203-dpi page start at its left edge): crisp bars, clean scans.
            x = round((p.width - symbol.width) / 2 / DOT) * DOT
            symbol.drawOn(c, x, y - 1.5 * mm - BAR_HEIGHT)
        elif isinstance(line, Separator):
            c.setDash(2, 2)
            c.setLineWidth(0.5)
            c.line(left, y - b.height / 2, right, y - b.height / 2)
            c.setDash()
        y -= b.height
    c.showPage()
    c.save()
    return out.getvalue()


def write_pdf(receipt: Receipt, path: Path, paper_name: str = DEFAULT_PAPER) -> None:
    """Render first, then write: a bad paper name or a failed render leaves no file behind."""
    data = render_pdf(receipt, paper_name)
    path.write_bytes(data)

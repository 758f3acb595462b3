"""The fonts the PDFs are set in (receipts in ``devices/receipt_pdf.py``, the A4 report in
``services/report_pdf.py``): DejaVu Sans when the system has it, so any name prints as written, else Helvetica."""

from __future__ import annotations

from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def pdf_fonts() -> tuple[str, str]:
    """The regular and bold font names, registering DejaVu Sans with reportlab on first use when it is installed."""
    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    if not (regular.is_file() and bold.is_file()):
        return "Helvetica", "Helvetica-Bold"
    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
    return "DejaVuSans", "DejaVuSans-Bold"

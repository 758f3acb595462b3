"""The receipt renderers on a hand-made receipt: PDF on every paper, ESC/POS bytes that never fail over a name."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from counter_desk.devices import receipt_escpos, receipt_pdf
from counter_desk.errors import InvalidInput
from counter_desk.services.receipts import QrLine, Receipt, Separator, TextLine, ticket_payload

PAYLOAD = ticket_payload("JKT1", dt.date(2026, 11, 23), "A-001")


def _receipt(name: str = "Ñoño Šimić") -> Receipt:
    return Receipt(
        kind="ticket",
        office_code="JKT1",
        office_name="Kantor Imigrasi Jakarta Selatan",
        number="A-001",
        stage="reception",
        stage_name="Penerimaan",
        issued_at=dt.datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta")),
        ahead=3,
        estimated_wait_seconds=600,
        payload=PAYLOAD,
        lines=(
            TextLine("Kantor Imigrasi Jakarta Selatan", bold=True),
            Separator(),
            TextLine("A-001", size=4, bold=True),
            TextLine("Silakan menuju: Penerimaan", size=2, bold=True),
            TextLine(name, align="left"),
            TextLine("A long instruction line " * 6, align="right"),
            QrLine(PAYLOAD),
            Separator(),
        ),
    )


def test_ticket_payload_identifies_office_day_and_number() -> None:
    assert PAYLOAD == "CDT1|JKT1|2026-11-23|A-001"


@pytest.mark.parametrize("paper", ["80mm", "58mm", "a6", "A6"])
def test_pdf_on_every_paper(paper: str, tmp_path: Path) -> None:
    data = receipt_pdf.render_pdf(_receipt(), paper)
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    if shutil.which("pdftotext"):
        path = tmp_path / "r.pdf"
        path.write_bytes(data)
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        assert "A-001" in text and "Ñoño Šimić" in text  # an embedded Unicode font keeps the accents


def test_roll_pdf_is_as_long_as_its_content() -> None:
    short = _receipt()
    longer = Receipt(**{**short.__dict__, "lines": short.lines + (TextLine("one more line"),) * 10})
    assert _page_height(receipt_pdf.render_pdf(longer)) > _page_height(receipt_pdf.render_pdf(short))
    a6 = receipt_pdf.render_pdf(longer, "a6")
    assert _page_height(a6) == pytest.approx(148 * 72 / 25.4, abs=0.5)


def _page_height(pdf: bytes) -> float:
    start = pdf.index(b"/MediaBox [")
    box = pdf[start + len(b"/MediaBox [") : pdf.index(b"]", start)].split()
    return float(box[3])


def test_unknown_paper_is_refused() -> None:
    with pytest.raises(InvalidInput, match="unknown paper"):
        receipt_pdf.render_pdf(_receipt(), "letter")
    with pytest.raises(InvalidInput, match="unknown paper"):
        receipt_escpos.render_escpos(_receipt(), "a6")


@pytest.mark.parametrize("paper", ["80mm", "58mm"])
def test_escpos_bytes(paper: str) -> None:
    data = receipt_escpos.render_escpos(_receipt(), paper)
    assert data.startswith(b"\x1b@")  # initialise
    assert b"\x1d(k" in data  # native QR: store, print
    assert PAYLOAD.encode() in data
    assert b"\x1d!\x33" in data  # the number at 4x width and height
    assert b"A-001" in data
    assert b"\x1dV" in data[-8:]  # cut at the end


def test_escpos_transliterates_instead_of_failing() -> None:
    data = receipt_escpos.render_escpos(_receipt("Ñoño Šimić — Łódź ß 漢字"))
    assert b"Nono Simic - Lodz ss ??" in data
    assert all(b < 0x80 for b in data.split(b"Nono")[1][:30])


def test_transliterate() -> None:
    assert receipt_escpos.transliterate("Ñoño Šimić") == "Nono Simic"
    assert receipt_escpos.transliterate("Göksel “Ø” 😀") == 'Goksel "O" ?'


def test_escpos_file(tmp_path: Path) -> None:
    path = tmp_path / "ticket.bin"
    receipt_escpos.write_escpos(_receipt(), path, "58mm")
    assert path.read_bytes() == receipt_escpos.render_escpos(_receipt(), "58mm")

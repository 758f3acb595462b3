"""Queue ticket receipts on both engines: what the PDF says, what its QR code carries, and the CLI command."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from conftest import booking_code
from PIL import Image
from pyzbar.pyzbar import decode

from counter_desk import i18n
from counter_desk.cli import main
from counter_desk.clock import FixedClock
from counter_desk.devices import receipt_escpos, receipt_pdf
from counter_desk.errors import NotFound
from counter_desk.services.queue import QueueService
from counter_desk.services.receipts import QrLine, TextLine, ticket_receipt


def _pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())


def _qr_codes(path: Path, tmp_path: Path) -> list[str]:
    prefix = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "203", "-png", "-singlefile", str(path), str(prefix)], check=True)
    with Image.open(prefix.with_suffix(".png")) as image:
        return [symbol.data.decode() for symbol in decode(image)]


def test_ticket_receipt_pdf(queue: QueueService, tmp_path: Path) -> None:
    first = queue.check_in(booking_code(1)).ticket
    second = queue.check_in(booking_code(2)).ticket
    receipt = ticket_receipt(queue, second.number)
    stage = next(e for e in queue.estimates() if e.stage == second.stage)
    assert (receipt.number, receipt.stage, receipt.stage_name) == (second.number, second.stage, stage.stage_name)
    assert receipt.ahead == 1 and first.stage == second.stage
    assert receipt.payload == f"CDT1|{receipt.office_code}|{second.day.isoformat()}|{second.number}"
    assert receipt.issued_at.strftime("%Y-%m-%d %H:%M %Z") == "2026-11-23 09:00 WIB"
    # Nobody has been served yet: the wait is unknown, and the receipt says nothing rather than guess.
    assert receipt.estimated_wait_seconds is None
    assert not any(isinstance(line, TextLine) and "Estimated wait" in line.text for line in receipt.lines)
    assert [line.payload for line in receipt.lines if isinstance(line, QrLine)] == [receipt.payload]

    for paper in ("80mm", "58mm", "a6"):
        path = tmp_path / f"ticket-{paper}.pdf"
        receipt_pdf.write_pdf(receipt, path, paper)
        text = _pdf_text(path)
        assert second.number in text, paper
        assert stage.stage_name in text, paper
        assert receipt.office_name in text, paper
        assert "People ahead of you: 1" in text, paper
        assert _qr_codes(path, tmp_path) == [receipt.payload], paper
    assert b"\x1dV" in receipt_escpos.render_escpos(receipt)


def test_receipt_with_an_estimate_in_indonesian(queue: QueueService, clock: FixedClock) -> None:
    first = queue.check_in(booking_code(1)).ticket
    queue.check_in(booking_code(2))
    station = queue.status(stage=first.stage).stations[0].code
    queue.call_next(station)
    clock.advance(dt.timedelta(minutes=4))
    queue.finish(station, ticket=first.number)
    queue.call_next(station)
    queue.check_in(booking_code(3))
    last = queue.check_in(booking_code(4)).ticket
    i18n.set_language("id")
    receipt = ticket_receipt(queue, last.number)
    # One station serving, four minutes an applicant, one person ahead: (1 + 0.5) * 4 min.
    assert (receipt.ahead, receipt.estimated_wait_seconds) == (1, 360)
    texts = [line.text for line in receipt.lines if isinstance(line, TextLine)]
    assert "Perkiraan waktu tunggu: sekitar 6 menit" in texts
    assert "Antrean di depan Anda: 1" in texts
    assert "Tunggu nomor Anda dipanggil di layar." in texts
    assert f"Silakan menuju: {receipt.stage_name}" in texts
    assert "Dicetak 23 November 2026 pukul 09:04 WIB" in texts


def test_unknown_ticket(queue: QueueService) -> None:
    with pytest.raises(NotFound):
        ticket_receipt(queue, "Z-999")


def test_print_ticket_cli(db_url: str, queue: QueueService, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ticket = queue.check_in(booking_code(1)).ticket
    pdf = tmp_path / "out" / "ticket.pdf"
    pdf.parent.mkdir()
    assert main(["--db", db_url, "print", "ticket", ticket.number, "--pdf", str(pdf), "--paper", "58mm"]) == 0
    assert ticket.number in capsys.readouterr().out
    assert ticket.number in _pdf_text(pdf)

    raw = tmp_path / "ticket.bin"
    assert main(["--db", db_url, "print", "ticket", ticket.number, "--escpos-file", str(raw), "--json"]) == 0
    out = capsys.readouterr().out
    assert f'"number": "{ticket.number}"' in out and '"format": "escpos"' in out
    assert b"\x1dV" in raw.read_bytes()[-8:]

    missing = tmp_path / "missing.pdf"
    assert main(["--db", db_url, "print", "ticket", "Z-999", "--pdf", str(missing)]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Z-999" in err
    assert not missing.exists()

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
from counter_desk.devices.printing import print_receipt
from counter_desk.errors import InvalidTransition, NotFound
from counter_desk.services.pickups import PickupService
from counter_desk.services.queue import QueueService
from counter_desk.services.receipts import QrLine, TextLine, handover_receipt, pickup_receipt, ticket_receipt
from counter_desk.store.engine import Database


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


def test_a_check_in_hands_back_its_receipt_with_the_ahead_it_counted(queue: QueueService, tmp_path: Path) -> None:
    queue.check_in(booking_code(1))
    result = queue.check_in(booking_code(2))
    receipt = result.receipt
    assert receipt is not None and receipt.ahead == result.ahead == 1
    assert receipt == ticket_receipt(queue, result.ticket.number)  # at the same moment: what a read anew makes
    station = queue.status(stage=result.ticket.stage).stations[0].code
    queue.call_next(station)  # the first applicant is called: nobody is ahead any more
    assert ticket_receipt(queue, result.ticket.number).ahead == 0
    printed = print_receipt(receipt, pdf_dir=tmp_path, printer=None)
    assert printed.receipt is not None and printed.receipt.ahead == result.ahead == 1  # what the screen showed
    assert "People ahead of you: 1" in _pdf_text(printed.pdf)


def test_a_replayed_check_in_has_no_receipt_of_its_own(queue: QueueService) -> None:
    first = queue.check_in(booking_code(1), token="t" * 32)
    again = queue.check_in(booking_code(1), token="t" * 32)
    assert first.receipt is not None and not first.replayed
    assert again.replayed and again.receipt is None  # the window reads it anew (another attempt's ticket)
    assert again.ticket.number == first.ticket.number


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


# ---------------------------------------------------------------------- pickup and handover receipts


def _codes(path: Path, tmp_path: Path) -> list[tuple[str, str]]:
    """Every barcode and QR code pyzbar finds on the pages rendered at a thermal printer's 203 dpi."""
    folder = tmp_path / f"codes-{path.stem}"
    folder.mkdir()
    subprocess.run(["pdftoppm", "-r", "203", "-png", str(path), str(folder / "page")], check=True)
    found = []
    for page in sorted(folder.glob("page*.png")):
        with Image.open(page) as image:
            found += [(symbol.type, symbol.data.decode()) for symbol in decode(image)]
    kinds = {"QRCODE": "qr", "CODE128": "code128"}
    return sorted((kinds.get(kind, kind), data) for kind, data in found)


def test_pickup_and_handover_receipts_in_indonesian(
    db: Database, queue: QueueService, clock: FixedClock, tmp_path: Path
) -> None:
    service = PickupService(db, clock=clock)
    number = queue.check_in(booking_code(1)).ticket.number
    queue.call_next("interview-1")
    queue.transfer("adjudication", station="interview-1")
    pickup = service.issue(number).pickup
    assert pickup.applicant_name and pickup.nik
    i18n.set_language("id")
    receipt = pickup_receipt(pickup, printed_at=clock.now())
    assert receipt.codes() == [("code128", pickup.code), ("qr", pickup.code)]
    first, last = pickup.applicant_name.split()[0], pickup.applicant_name.split()[-1]
    for paper in ("80mm", "58mm", "a6"):
        path = tmp_path / f"pickup-{paper}.pdf"
        receipt_pdf.write_pdf(receipt, path, paper)
        text = _pdf_text(path)
        assert "TANDA TERIMA PENGAMBILAN PASPOR" in text, paper
        assert pickup.application_number in text, paper
        assert f"NIK: {pickup.nik[:4]}********{pickup.nik[-4:]}" in text, paper
        assert pickup.nik not in text and first not in text and last not in text, paper  # masked
        assert f"{first[:2]}{'*' * (len(first) - 2)}" in text, paper
        assert "Jumat, 27 November 2026" in text, paper  # interview Monday + 4 working days
        assert "paling lambat Senin, 28 Desember 2026" in text, paper
        assert "Ambil paspor dalam 30 hari" in text and "Kartu Keluarga (KK) yang sama" in text, paper
        assert _codes(path, tmp_path) == sorted(receipt.codes()), paper
    data = receipt_escpos.render_escpos(receipt)
    assert b"\x1dkI" in data and b"\x1d(k" in data and b"\x1dV" in data[-8:]
    assert pickup.code.encode() in data  # the human-readable line under the barcode

    i18n.set_language("en")
    _decide_and_hand_over(queue, service, clock, pickup.code)
    handed = service.find(pickup.code)
    i18n.set_language("id")
    receipt = handover_receipt(handed)
    path = tmp_path / "handover.pdf"
    receipt_pdf.write_pdf(receipt, path)
    text = _pdf_text(path)
    assert "TANDA TERIMA PENYERAHAN PASPOR" in text and "Diserahkan 27 November 2026 pukul 10:15 WIB" in text
    assert "Diambil oleh: anggota keluarga dalam KK yang sama (Si** Am****)" in text
    assert "Petugas Pengambilan" in text and "Tiket pengambilan: C-001" in text
    assert _codes(path, tmp_path) == [("code128", pickup.code)]
    assert b"\x1dkI" in receipt_escpos.render_escpos(receipt, "58mm")


def _decide_and_hand_over(queue: QueueService, service: PickupService, clock: FixedClock, code: str) -> None:
    queue.call_next("adjudicator")
    queue.finish("adjudicator", outcome="approved")
    clock.set(dt.datetime(2026, 11, 27, 3, 15, tzinfo=dt.UTC))
    service.scan(code, "pickup", user="pengambilan")
    service.handover("pickup", "family", "Siti Aminah", same_kk=True, user="pengambilan")


def test_handover_receipt_before_the_handover_is_refused(queue: QueueService, db: Database, clock: FixedClock) -> None:
    service = PickupService(db, clock=clock)
    number = queue.check_in(booking_code(2)).ticket.number
    queue.call_next("interview-1")
    queue.finish("interview-1")
    with pytest.raises(InvalidTransition, match="not been handed over"):
        handover_receipt(service.issue(number).pickup)

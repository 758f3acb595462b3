"""The receipt renderers on a hand-made receipt: PDF on every paper, ESC/POS bytes that never fail over a name."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from PIL import Image
from pyzbar.pyzbar import decode

from counter_desk.devices import printing, receipt_escpos, receipt_pdf
from counter_desk.errors import InvalidInput
from counter_desk.services import masking, pickups, receipts
from counter_desk.services.receipts import BarcodeLine, QrLine, Receipt, Separator, TextLine, ticket_payload

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


# ---------------------------------------------------------------------- pickup codes, masks, barcodes, printing


APPLICATION = "2026112300000005"


def test_pickup_code_format_and_check_character() -> None:
    code = pickups.pickup_code(APPLICATION)
    assert code[:-1] == "P" + APPLICATION and code[-1] in pickups.ALPHABET
    assert pickups.pickup_code("2026-1123-0000-0005") == code  # only letters and digits count
    assert pickups.parse_pickup_code(f" {code.lower()}\r\n") == code


def test_every_single_error_and_neighbour_swap_is_caught() -> None:
    code = pickups.pickup_code(APPLICATION)
    wrong = []
    for i, ch in enumerate(code[1:], start=1):
        wrong += [code[:i] + other + code[i + 1 :] for other in pickups.ALPHABET if other != ch]
    wrong += [
        code[:i] + code[i + 1] + code[i] + code[i + 2 :] for i in range(1, len(code) - 1) if code[i] != code[i + 1]
    ]
    assert len(wrong) > 600
    accepted = []
    for text in wrong:
        try:
            pickups.parse_pickup_code(text)
            accepted.append(text)
        except InvalidInput:
            pass
    assert accepted == []


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "is not a pickup code"),
        ("P1", "is not a pickup code"),
        ("Q20261123000000051", "is not a pickup code"),
        ("P2026-1123", "is not a pickup code"),
        ("P" + "1" * 40, "is not a pickup code"),
        ("P20261123000000050", "check character is wrong"),
    ],
)
def test_malformed_pickup_codes(raw: str, message: str) -> None:
    if message == "check character is wrong":
        good = pickups.pickup_code(APPLICATION)
        raw = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(InvalidInput, match=message):
        pickups.parse_pickup_code(raw)


def test_masks() -> None:
    assert masking.mask_nik("3505123456780001") == "3505********0001"
    assert masking.mask_nik("12345678") == "********"
    assert masking.mask_nik(None) == ""
    assert masking.mask_name("Budi Santoso") == "Bu** Sa*****"
    assert masking.mask_name("  Siti  Nur   Aminah ") == "Si** Nu* Am****"
    assert masking.mask_name("I Ba") == "I B*"
    assert masking.mask_name(None) == ""


def test_code128_escpos_data_uses_code_set_c_for_digits() -> None:
    code = pickups.pickup_code(APPLICATION)
    data, modules = receipt_escpos.code128_data(code)
    assert data == "{BP{C" + "".join(chr(int(APPLICATION[i : i + 2])) for i in range(0, 16, 2)) + "{B" + code[-1]
    # start, P, code C, 8 pairs, code B, check character, checksum: 14 symbols; stop 13; quiet zones 20.
    assert modules == 14 * 11 + 13 + 20
    assert modules * 2 <= receipt_escpos.DOTS["58mm"]  # fits a 58 mm roll at 2 dots a module
    assert receipt_escpos.code128_data("AB{1") == ("{BAB{{1", 4 * 11 + 2 * 11 + 13 + 20)
    assert receipt_escpos.code128_data("12345")[0] == "{C\x0c\x22{B5"


def _pickup_like(name: str) -> Receipt:
    code = pickups.pickup_code(APPLICATION)
    base = _receipt(name)
    return Receipt(
        **{**base.__dict__, "kind": "pickup", "payload": code, "lines": (*base.lines, BarcodeLine(code), QrLine(code))}
    )


@pytest.mark.parametrize("paper", ["80mm", "58mm"])
def test_escpos_barcode_command(paper: str) -> None:
    code = pickups.pickup_code(APPLICATION)
    data = receipt_escpos.render_escpos(_pickup_like("Nguyễn Thị Ánh 漢字"), paper)
    bars, _modules = receipt_escpos.code128_data(code)
    # GS h (height), GS w (module width), GS H 0 (no text: the layout prints it), GS k 73 n data.
    assert b"\x1dhP" in data and b"\x1dH\x00" in data
    assert b"\x1dkI" + bytes([len(bars)]) + bars.encode() in data
    assert (b"\x1dw\x03" if paper == "80mm" else b"\x1dw\x02") in data
    assert b"Nguyen Thi Anh ??" in data
    assert b"\x1dV" in data[-8:]


def test_escpos_barcode_of_a_name_is_transliterated_not_refused() -> None:
    data = receipt_escpos.render_escpos(Receipt(**{**_receipt().__dict__, "lines": (BarcodeLine("Ñoño-1"),)}))
    assert b"\x1dkI\x08{BNono-1" in data


def _decoded(pdf: bytes, tmp_path: Path) -> list[tuple[str, str]]:
    path = tmp_path / "page.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "203", "-png", str(path), str(tmp_path / "page")], check=True)
    found = []
    for page in sorted(tmp_path.glob("page*.png")):
        with Image.open(page) as image:
            found += [(s.type, s.data.decode()) for s in decode(image)]
        page.unlink()
    return sorted(found)


@pytest.mark.parametrize("paper", ["80mm", "58mm", "a6"])
def test_test_page_codes_decode_at_203_dpi(paper: str, tmp_path: Path) -> None:
    page = receipts.printer_test_page("Kantor Imigrasi", "kanim", dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC), paper)
    assert page.codes() == [("code128", receipts.TEST_BARCODE), ("qr", receipts.TEST_QR)]
    assert _decoded(receipt_pdf.render_pdf(page, paper), tmp_path) == [
        ("CODE128", receipts.TEST_BARCODE),
        ("QRCODE", receipts.TEST_QR),
    ]
    if paper != "a6":
        data = receipt_escpos.render_escpos(page, paper)
        assert b"\x1dkI" in data and b"\x1d(k" in data and b"\x1dV" in data[-8:]
        # A barcode wider than the paper is not printed at all: at 2 dots a module it must fit the roll.
        assert receipt_escpos.code128_data(receipts.TEST_BARCODE)[1] * 2 <= receipt_escpos.DOTS[paper]


def test_a_failed_printer_keeps_the_pdf_and_a_reprint_sends_the_same_receipt(tmp_path: Path) -> None:
    receipt = _pickup_like("Budi Santoso")
    dead = tmp_path / "unplugged" / "lp0"
    outcome = printing.print_receipt(receipt, pdf_dir=tmp_path / "pdf", printer=dead)
    assert outcome.printer_ok is False and outcome.printer_error and outcome.pdf.read_bytes().startswith(b"%PDF")
    assert list((tmp_path / "pdf").iterdir()) == [outcome.pdf]  # one PDF, nothing retried

    device = tmp_path / "printer.bin"
    again = printing.reprint(outcome, printer=device)
    assert again.printer_ok is True and again.pdf == outcome.pdf
    assert device.read_bytes() == receipt_escpos.render_escpos(receipt)  # exactly one copy


def test_printer_state_is_unknown_where_the_backend_cannot_tell(tmp_path: Path) -> None:
    assert printing.printer_state(None).printer is None
    missing = printing.printer_state(tmp_path / "nope")
    assert (missing.online, missing.paper) == ("offline", "unknown") and "offline" in missing.text()
    plain = tmp_path / "out.bin"
    plain.write_bytes(b"kept")
    assert (printing.printer_state(plain).online, printing.printer_state(plain).paper) == ("unknown", "unknown")
    assert plain.read_bytes() == b"kept"  # never opened for writing
    device = printing.printer_state(Path("/dev/null"))  # a device python-escpos's File backend cannot read from
    assert (device.online, device.paper, device.detail) == ("unknown", "unknown", "")


@given(
    number=st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=30),
    position=st.integers(min_value=1),
    replacement=st.sampled_from(pickups.ALPHABET),
)
def test_any_single_substitution_is_refused(number: str, position: int, replacement: str) -> None:
    code = pickups.pickup_code(number)
    assert pickups.parse_pickup_code(code) == code
    i = position % (len(code) - 1) + 1  # never the P
    assume(code[i] != replacement)
    with pytest.raises(InvalidInput):
        pickups.parse_pickup_code(code[:i] + replacement + code[i + 1 :])

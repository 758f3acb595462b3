"""Decoding codes from pictures with pyzbar: a real QR and Code128 rendered here, and bad pictures."""

from __future__ import annotations

from pathlib import Path

import pytest
import qrcode
from PIL import Image

from counter_desk.devices.imagescan import decode_file
from counter_desk.errors import InvalidInput


def _qr(path: Path, text: str, *, scale: int = 8) -> Path:
    qrcode.make(text, box_size=scale).save(path)
    return path


def test_a_qr_code_in_a_photo_like_picture(tmp_path: Path) -> None:
    code = _qr(tmp_path / "qr.png", '{"nomor_permohonan": "2026112300000005"}')
    # Paste it off-centre on a larger grey background, as a photo of a phone would be.
    photo = Image.new("RGB", (900, 700), (180, 180, 180))
    photo.paste(Image.open(code), (250, 120))
    photo.save(tmp_path / "photo.jpg", quality=85)
    assert decode_file(tmp_path / "photo.jpg") == '{"nomor_permohonan": "2026112300000005"}'


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.png", "does not exist"),
        (lambda d: (d / "blank.png", Image.new("L", (200, 200), 255).save(d / "blank.png"))[0], "no QR code"),
        (lambda d: (d / "text.png", (d / "text.png").write_text("not an image"))[0], "not an image"),
    ],
)
def test_pictures_without_a_readable_code(tmp_path: Path, make: object, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        decode_file(make(tmp_path))  # type: ignore[operator]


def test_two_different_codes_are_refused(tmp_path: Path) -> None:
    a = Image.open(_qr(tmp_path / "a.png", "MP2611230001"))
    b = Image.open(_qr(tmp_path / "b.png", "MP2611230002"))
    both = Image.new("L", (a.width + b.width + 40, max(a.height, b.height)), 255)
    both.paste(a, (0, 0))
    both.paste(b, (a.width + 40, 0))
    both.save(tmp_path / "both.png")
    with pytest.raises(InvalidInput, match="2 different codes"):
        decode_file(tmp_path / "both.png")

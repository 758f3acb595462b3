"""Decode the codes in an image (a photo of a phone screen, a scanned letter, a camera frame) with pyzbar.

Runs headless and may take a while on a big photo: windows call it on their worker thread.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, UnidentifiedImageError

from counter_desk.errors import InvalidInput
from counter_desk.i18n import _


def decode(image: Image.Image) -> list[str]:
    """Every QR code and barcode found in ``image``, as text, in reading order."""
    from pyzbar import pyzbar

    found = pyzbar.decode(image.convert("L"))
    ordered = sorted(found, key=lambda s: (s.rect.top, s.rect.left))
    return [s.data.decode("utf-8", errors="replace") for s in ordered]


def decode_gray(pixels: bytes, width: int, height: int, stride: int) -> list[str]:
    """The codes in one 8-bit greyscale picture held as raw rows of ``stride`` bytes (a camera frame)."""
    image = Image.frombuffer("L", (width, height), pixels, "raw", "L", stride, 1)
    return decode(image)


def decode_file(path: Path) -> str:
    """The payload of the one code in the image file ``path``; a clear error when there is none or several."""
    try:
        with Image.open(path) as image:
            codes = decode(image)
    except FileNotFoundError as exc:
        msg = _("the image {name} does not exist", name=path.name)
        raise InvalidInput(msg) from exc
    except (UnidentifiedImageError, OSError) as exc:
        msg = _("{name} is not an image that can be read", name=path.name)
        raise InvalidInput(msg) from exc
    if not codes:
        msg = _("no QR code or barcode found in {name}: take a sharper picture or type the number", name=path.name)
        raise InvalidInput(msg)
    if len(set(codes)) > 1:
        msg = _("{count} different codes in {name}: show one code at a time", count=len(set(codes)), name=path.name)
        raise InvalidInput(msg)
    return codes[0]

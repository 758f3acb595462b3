"""Decode the codes in an image (a photo of a phone screen, a scanned letter, a camera frame) with pyzbar.

Runs headless and may take a while on a big photo: windows call it on their worker thread.
"""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from counter_desk.errors import InvalidInput
from counter_desk.i18n import _

#: A phone photo is a few MB; anything far larger is not a picture of a QR code.
MAX_FILE_BYTES = 50 * 2**20


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


def _read(path: Path) -> bytes:
    """The bytes of a regular file of at most MAX_FILE_BYTES, opened without blocking (a FIFO never hangs)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            msg = _("{name} is not an image that can be read", name=path.name)
            raise InvalidInput(msg)
        chunks: list[bytes] = []
        size = 0
        while chunk := os.read(fd, 2**20):
            size += len(chunk)
            if size > MAX_FILE_BYTES or info.st_size > MAX_FILE_BYTES:
                msg = _(
                    "the picture {name} is too large ({size} MB; at most {limit} MB)",
                    name=path.name,
                    size=max(size, info.st_size) // 2**20,
                    limit=MAX_FILE_BYTES // 2**20,
                )
                raise InvalidInput(msg)
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def decode_file(path: Path) -> str:
    """The payload of the one code in the image file ``path``; a clear error when there is none or several.

    Only a regular file is read, and at most MAX_FILE_BYTES of it; a picture whose pixels would take more memory
    than Pillow allows (a "decompression bomb") is refused like any unreadable picture.
    """
    try:
        with Image.open(io.BytesIO(_read(path))) as image:
            codes = decode(image)
    except FileNotFoundError as exc:
        msg = _("the image {name} does not exist", name=path.name)
        raise InvalidInput(msg) from exc
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError) as exc:
        msg = _("{name} is not an image that can be read", name=path.name)
        raise InvalidInput(msg) from exc
    if not codes:
        msg = _("no QR code or barcode found in {name}: take a sharper picture or type the number", name=path.name)
        raise InvalidInput(msg)
    if len(set(codes)) > 1:
        msg = _("{count} different codes in {name}: show one code at a time", count=len(set(codes)), name=path.name)
        raise InvalidInput(msg)
    return codes[0]

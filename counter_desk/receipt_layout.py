"""A printed receipt as a plain layout: simple typed lines that every renderer (PDF, ESC/POS) draws the same way.

The services build receipts (:mod:`counter_desk.services.receipts`); the devices draw and print them
(:mod:`counter_desk.devices`). Both import this module, so the devices need no service to print.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

Align = Literal["left", "center", "right"]


@dataclass(frozen=True)
class TextLine:
    text: str
    #: A multiple of the paper's normal text size, 1 to 8.
    size: int = 1
    bold: bool = False
    align: Align = "center"


@dataclass(frozen=True)
class QrLine:
    payload: str


@dataclass(frozen=True)
class BarcodeLine:
    """A Code128 barcode of ``payload`` (printable ASCII), without its text: add a :class:`TextLine` for that."""

    payload: str


@dataclass(frozen=True)
class Separator:
    pass


ReceiptLine = TextLine | QrLine | BarcodeLine | Separator


@dataclass(frozen=True)
class Receipt:
    """A receipt's layout (``lines``) and the facts it was made from (for ``--json`` and tests)."""

    kind: str
    office_code: str
    office_name: str
    number: str
    stage: str
    stage_name: str
    issued_at: dt.datetime
    ahead: int | None
    estimated_wait_seconds: int | None
    payload: str
    lines: tuple[ReceiptLine, ...] = field(default_factory=tuple)
    #: More facts for ``--json`` (a pickup's, for the pickup and handover receipts).
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def file_stem(self) -> str:
        """A file name for the kept PDF: the day, the kind and the number."""
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in self.number)
        return f"{self.issued_at:%Y%m%d}-{self.kind}-{safe}"

    def codes(self) -> list[tuple[str, str]]:
        """Every code printed on the receipt, as (``qr`` or ``code128``, payload), top to bottom."""
        out = []
        for line in self.lines:
            if isinstance(line, QrLine):
                out.append(("qr", line.payload))
            elif isinstance(line, BarcodeLine):
                out.append(("code128", line.payload))
        return out

    def to_json(self) -> dict[str, Any]:
        return self.extra | {
            "kind": self.kind,
            "office": self.office_code,
            "office_name": self.office_name,
            "number": self.number,
            "stage": self.stage,
            "stage_name": self.stage_name,
            "issued_at": self.issued_at.isoformat(),
            "ahead": self.ahead,
            "estimated_wait_seconds": self.estimated_wait_seconds,
            "payload": self.payload,
        }

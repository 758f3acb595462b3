"""Personal data as a receipt prints it and a screen shows it: masked, so a bystander cannot read it off."""

from __future__ import annotations


def mask_nik(nik: str | None) -> str:
    """A NIK as printed: all but the first and last four digits hidden (``3505********0001``)."""
    if not nik:
        return ""
    text = nik.strip()
    if len(text) <= 8:
        return "*" * len(text)
    return text[:4] + "*" * (len(text) - 8) + text[-4:]


def mask_name(name: str | None) -> str:
    """A name as printed: the first two letters of each word (``Budi Santoso`` -> ``Bu** Sa*****``)."""
    words = (name or "").split()
    return " ".join(w[:2] + "*" * (len(w) - 2) if len(w) > 2 else w[:1] + "*" * (len(w) - 1) for w in words)

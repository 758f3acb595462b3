"""Find the data folders that ship with the program: ``db/``, ``ui/`` and ``resources/``.

In a source checkout (or an editable install) they sit at the top of the repository; in a wheel they are
packed under ``counter_desk/_data/``. This module is the only place that knows; nothing else guesses paths.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def _root() -> Path:
    packed = _PACKAGE_DIR / "_data"
    if (packed / "db").is_dir():
        return packed
    checkout = _PACKAGE_DIR.parent
    if (checkout / "db").is_dir():
        return checkout
    msg = f"Counter Desk data folders (db/, ui/, resources/) are missing next to {_PACKAGE_DIR}"
    raise RuntimeError(msg)


def db_dir() -> Path:
    """The Alembic environment, migrations and seed data."""
    return _root() / "db"


def seed_file(name: str) -> Path:
    """A seed file under ``db/seed/``."""
    return db_dir() / "seed" / name


def ui_file(name: str) -> Path:
    """A Qt Designer form under ``ui/``."""
    return _root() / "ui" / name


def resource(*parts: str) -> Path:
    """A file under ``resources/`` (icons, sounds, translations, fonts)."""
    return _root().joinpath("resources", *parts)


def source_checkout() -> Path | None:
    """The repository folder when running from a checkout (benchmarks live there), else None."""
    checkout = _PACKAGE_DIR.parent
    return checkout if (checkout / "bench").is_dir() else None

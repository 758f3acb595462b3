"""The virtual screen the end-to-end tests run the real program on (one per test module)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from xvfb import xvfb


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    with xvfb("1280x900x24") as name:
        yield name

"""The core runs headless: nothing outside the views and Qt adapters imports Qt (also checked by lint-imports)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import counter_desk

QT_ALLOWED = ("counter_desk.views", "counter_desk.qt")


def test_core_modules_import_without_qt() -> None:
    core = [
        m.name
        for m in pkgutil.walk_packages(counter_desk.__path__, "counter_desk.")
        if not m.name.startswith(QT_ALLOWED) and not m.name.startswith("counter_desk._data")
    ]
    assert "counter_desk.services.queue" in core and "counter_desk.cli" in core
    code = (
        "import importlib, sys\n"
        f"for name in {core!r}:\n"
        "    importlib.import_module(name)\n"
        "qt = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        "print(','.join(qt))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert proc.stdout.strip() == "", f"Qt imported by the core: {proc.stdout}"

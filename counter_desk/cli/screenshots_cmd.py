"""``counter-desk screenshots DIR``: every window and receipt, with sample data, rendered offscreen to PNG."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from counter_desk.i18n import _


def register(p: argparse.ArgumentParser) -> None:
    """The command's arguments and handler (its name and help: ``COMMANDS`` in ``counter_desk.cli``)."""
    p.add_argument("dir", type=Path, metavar="DIR", help="where the pictures go")
    p.add_argument("--language", choices=["id", "en"], default="id", help="the windows' language (default: id)")
    p.set_defaults(handler=_screenshots)


def _screenshots(args: argparse.Namespace) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from counter_desk.views.app import application
    from counter_desk.views.screenshots import render_all

    app = application(args.language)
    for path in render_all(args.dir, app):
        print(_("written: {path}", path=path))
    return 0

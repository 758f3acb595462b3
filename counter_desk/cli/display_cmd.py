"""``counter-desk display [--screen N] [--windowed]``: the waiting-room TV.

Like the station command, this module reaches into the Qt windows only when the command runs.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from counter_desk.cli import common

log = logging.getLogger(__name__)


def register(p: argparse.ArgumentParser) -> None:
    """The command's arguments and handler (its name and help: ``COMMANDS`` in ``counter_desk.cli``)."""
    p.add_argument("--screen", type=int, default=None, metavar="N", help="monitor number, 0 first (default: primary)")
    p.add_argument("--windowed", action="store_true", help="a normal window instead of full screen")
    p.add_argument("--no-speech", action="store_true", help="chime only, no spoken announcement")
    p.add_argument("--mute", action="store_true", help="no sound at all")
    p.add_argument(
        "--volume", type=int, choices=range(101), default=100, metavar="0-100", help="volume in percent (default 100)"
    )
    p.add_argument("--log-calls", type=Path, metavar="FILE", help="append each call shown as a JSON line to FILE")
    p.set_defaults(handler=_display)


def _display(args: argparse.Namespace) -> int:
    settings = common.settings(args)
    db = common.open_database(settings)
    try:
        from counter_desk.services.desk import Desk
        from counter_desk.services.display import load_config
        from counter_desk.services.queue import QueueService

        load_config(QueueService(db, office=settings.office))  # an unknown office fails here, not in a window
        from counter_desk.views.launch import open_display

        return open_display(
            Desk(db),
            language=settings.language,
            office=settings.office,
            screen=args.screen,
            windowed=args.windowed,
            speak=not args.no_speech,
            mute=args.mute,
            volume=args.volume / 100,
            log_calls=args.log_calls,
        )
    finally:
        db.dispose()

"""The ``counter-desk`` command. Every use case a window offers is a subcommand here.

Errors the user can act on print one line (``error: ...``) on stderr -- or, with ``--json``, one JSON object
``{"error": ..., "code": ...}`` on stdout -- and exit non-zero; they write nothing.

Messages and output lines are in the configured language (``[ui] language``, ``COUNTER_DESK_LANG``; Bahasa
Indonesia by default); argparse's help and usage errors stay English.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import pkgutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DBAPIError

from counter_desk import __version__, i18n, logs
from counter_desk.errors import UserError, bug_summary
from counter_desk.i18n import _
from counter_desk.services.text import printable

log = logging.getLogger("counter_desk")

#: Exit code of an unexpected error (BSD sysexits' EX_SOFTWARE).
EXIT_BUG = 70


def _add_globals(parser: argparse.ArgumentParser, default: Any) -> None:
    parser.add_argument(
        "--db", metavar="URL", default=default, help="database URL (postgresql://... or sqlite:///FILE)"
    )
    parser.add_argument("--config", metavar="FILE", type=Path, default=default, help="config file (TOML)")
    parser.add_argument("--office", metavar="CODE", default=default, help="office, when the database holds several")


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error in JSON too when the command asked for JSON.

    The global options (``--db``, ``--config``, ``--office``) are accepted before the command and after it:
    ``counter-desk --db URL queue status`` and ``counter-desk queue status --db URL`` are the same.
    """

    def __init__(self, *args: Any, root: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _add_globals(self, None if root else argparse.SUPPRESS)

    def error(self, message: str) -> Any:
        if "--json" in sys.argv[1:]:
            print(json.dumps({"error": message, "code": "usage"}))
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="counter-desk",
        description="Counter Desk: queue management for Indonesian passport offices.",
        root=True,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    parser.add_argument(
        "--log-level",
        choices=logs.LEVELS,
        type=str.lower,
        help="what reaches stderr (default: error; -v warning, -vv info, -vvv debug); the log file in the data "
        "folder keeps info and above",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)
    for name in command_modules():
        importlib.import_module(f"counter_desk.cli.{name}").register(sub)
    return parser


def command_modules() -> list[str]:
    """The modules that add subcommands: every ``counter_desk/cli/*_cmd.py``, each with ``register(sub)``."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.endswith("_cmd"))


def emit(args: argparse.Namespace, payload: dict[str, Any], human: str) -> None:
    """Print the command's result: one JSON object with ``--json``, else a line for people."""
    if getattr(args, "json", False):
        print(json.dumps(payload, ensure_ascii=False, default=str))
    else:
        print(human)


def _language(args: argparse.Namespace) -> str:
    """The configured language; when the settings cannot be read, ``COUNTER_DESK_LANG`` or the default.

    The handler reads the settings again and reports what is wrong with them -- in this language.
    """
    from counter_desk.config import load_settings

    try:
        return load_settings(
            db=getattr(args, "db", None), office=getattr(args, "office", None), config=getattr(args, "config", None)
        ).language
    except UserError:
        wanted = (os.environ.get("COUNTER_DESK_LANG") or "").lower()
        return wanted if wanted in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # stderr and the rotating file in the data folder, both without personal data (the windows log through
    # these too: gui, display, demo).
    logs.setup(logs.level_of(args.log_level, args.verbose))
    i18n.set_language(_language(args))
    try:
        result: int = args.handler(args)
    except UserError as exc:
        if getattr(args, "json", False):
            print(json.dumps({"error": exc.message, "code": exc.code}, ensure_ascii=False))
        else:
            # printable(): a message that quotes what the user typed must not drive the terminal either.
            print(_("error: {message}", message=printable(exc.message)), file=sys.stderr)
        return exc.exit_code
    except DBAPIError as exc:
        # A statement the database refused and no service turned into a UserError: a bug. No traceback: its text
        # would carry PostgreSQL's DETAIL, the failing row with names and NIKs.
        summary = bug_summary(exc)
        if getattr(args, "json", False):
            print(json.dumps({"error": summary, "code": "bug"}, ensure_ascii=False))
            return EXIT_BUG
        print(
            _(
                "error: the database refused the action ({summary}); this is a bug: please report it",
                summary=summary,
            ),
            file=sys.stderr,
        )
        return EXIT_BUG
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (``| head``): not our error. Silence the flush at exit, like other Unix tools.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    return result

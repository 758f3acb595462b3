"""The ``counter-desk`` command. Every use case a window offers is a subcommand here.

Errors the user can act on print one line (``error: ...``) on stderr -- or, with ``--json``, one JSON object
``{"error": ..., "code": ...}`` on stdout -- and exit non-zero; they write nothing.

Messages and output lines are in the configured language (``[ui] language``, ``COUNTER_DESK_LANG``; Bahasa
Indonesia by default); argparse's help and usage errors stay English.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys

from counter_desk import __version__

# Start-up: ``--version`` and ``--help`` import nothing but argparse (not even typing): see COMMANDS.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path
    from typing import Any

    _SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    _SubParsers = argparse._SubParsersAction

#: Exit code of an unexpected error (BSD sysexits' EX_SOFTWARE).
EXIT_BUG = 70


#: The commands: name -> (the module under ``counter_desk.cli`` whose ``register(parser)`` adds the command's
#: arguments and handler, the one-line help). A command's module is imported only when that command is chosen:
#: ``--version`` and ``--help`` import none of them (nor SQLAlchemy, alembic, Qt, reportlab), ``queue status`` only
#: ``queue_cmd``.
COMMANDS: dict[str, tuple[str, str]] = {
    "bench": ("bench_cmd", "benchmarks (from a source checkout)"),
    "bookings": ("bookings_cmd", "import the M-Paspor export; add, reschedule and list bookings"),
    "dashboard": ("dashboard_cmd", "today at a glance: queues, waits against targets, stations"),
    "db": ("db_cmd", "create, migrate, check and seed the database"),
    "demo": ("demo_cmd", "watch the reference office work: display, reception, a booth, the supervisor"),
    "display": ("display_cmd", "open the waiting-room display (full screen)"),
    "station": ("gui_cmd", "open a counter station's window"),
    "pickup": ("pickup_cmd", "passport pickup: issue the receipt's pickup, scan it at the counter, hand over"),
    "plan": ("plan_cmd", "staffing plan: interview booths per hour to meet the wait targets"),
    "print": ("print_cmd", "print receipts (queue ticket, pickup, handover, test page) as PDF or ESC/POS"),
    "purge": ("purge_cmd", "erase applicants' names and NIKs older than the retention period (rule)"),
    "queue": ("queue_cmd", "check in, call, serve, pass on, finish; queue status and events"),
    "report": ("report_cmd", "the office's report over some days: PDF (A4, charts), CSV or JSON"),
    "rules": ("rules_cmd", "show and change the office's rules, quotas, wait targets and holidays"),
    "screenshots": ("screenshots_cmd", "render every window and receipt with sample data to PNG (offscreen)"),
    "supervisor": ("supervisor_cmd", "open the supervisor's window: queues, stations, charts, actions, rules"),
    "users": ("users_cmd", "officers: add, set passwords and roles, unlock, disable, list"),
}


def _path(value: str) -> Path:
    from pathlib import Path

    return Path(value)


def _log_level(parser: argparse.ArgumentParser, value: str | None) -> str | None:
    """``--log-level`` as a name of ``logs.LEVELS``, or the usage error (exit 2) in the user's language: checked
    once the language is set, not by argparse (which reads the command line before the settings)."""
    from counter_desk import logs
    from counter_desk.i18n import _

    if value is None:
        return None
    level = value.lower()
    if level not in logs.LEVELS:
        choices = ", ".join(repr(name) for name in logs.LEVELS)
        parser.error(_("invalid log level {value!r} (choose from {choices})", value=value, choices=choices))
    return level


def _add_globals(parser: argparse.ArgumentParser, default: Any) -> None:
    parser.add_argument(
        "--db", metavar="URL", default=default, help="database URL (postgresql://... or sqlite:///FILE)"
    )
    parser.add_argument("--config", metavar="FILE", type=_path, default=default, help="config file (TOML)")
    parser.add_argument("--office", metavar="CODE", default=default, help="office, when the database holds several")


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error in JSON too when the command asked for JSON.

    The global options (``--db``, ``--config``, ``--office``) are accepted before the command and after it:
    ``counter-desk --db URL queue status`` and ``counter-desk queue status --db URL`` are the same.
    """

    def __init__(self, *args: Any, root: bool = False, command: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not command:  # a command's own parser gets them when the command is chosen (register_command)
            _add_globals(self, None if root else argparse.SUPPRESS)

    def error(self, message: str) -> Any:
        if "--json" in sys.argv[1:]:
            import json

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
        metavar="LEVEL",
        help="debug, info, warning or error: what reaches stderr (default: error; -v warning, -vv info, -vvv "
        "debug); the log file in the data folder keeps info and above",
    )
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser, action=_LazyCommands
    )
    for name, (_module, text) in COMMANDS.items():
        sub.add_parser(name, help=text, command=True)
    return parser


class _LazyCommands(_SubParsers):
    """The subcommands, each an empty parser until it is chosen: then its module is imported and its
    ``register(parser)`` adds the command's arguments, before the rest of the command line is parsed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._registered: set[str] = set()

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        name = values[0]
        if name not in self._registered:
            register_command(name, self._name_parser_map[name])
            self._registered.add(name)
        super().__call__(parser, namespace, values, option_string)


def register_command(name: str, parser: argparse.ArgumentParser) -> None:
    """Add the global options, the arguments and the handler of the command ``name`` to its (empty) ``parser``."""
    import importlib

    _add_globals(parser, argparse.SUPPRESS)
    importlib.import_module(f"counter_desk.cli.{COMMANDS[name][0]}").register(parser)


def emit(args: argparse.Namespace, payload: dict[str, Any], human: str) -> None:
    """Print the command's result: one JSON object with ``--json``, else a line for people."""
    if getattr(args, "json", False):
        import json

        print(json.dumps(payload, ensure_ascii=False, default=str))
    else:
        print(human)


def _language(args: argparse.Namespace) -> str:
    """The configured language; when the settings cannot be read, ``COUNTER_DESK_LANG`` or the default.

    The handler reads the settings again and reports what is wrong with them -- in this language.
    """
    from counter_desk import i18n
    from counter_desk.config import load_settings
    from counter_desk.errors import UserError

    try:
        return load_settings(
            db=getattr(args, "db", None), office=getattr(args, "office", None), config=getattr(args, "config", None)
        ).language
    except UserError:
        wanted = (os.environ.get("COUNTER_DESK_LANG") or "").lower()
        return wanted if wanted in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE


def main(argv: Sequence[str] | None = None) -> int:
    # Start-up makes some hundred thousand objects that live as long as the process (modules, classes, SQLAlchemy's
    # statements): the cyclic garbage collector would walk them again and again while they are made, for nothing
    # (a tenth of a ``queue status``). It waits until they are made, and then leaves them out of every later
    # collection (gc.freeze). Only as the program's entry point (no ``argv``) and once: a caller in Python (the
    # tests run hundreds of commands in one process) keeps its heap collectable.
    entry = argv is None and not gc.get_freeze_count()
    collecting = gc.isenabled()
    gc.disable()
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        import json

        from counter_desk import i18n, logs
        from counter_desk.errors import UserError, bug_summary
        from counter_desk.i18n import _
        from counter_desk.services.text import printable

        # stderr and the rotating file in the data folder, both without personal data (the windows log through
        # these too: gui, display, demo).
        i18n.set_language(_language(args))
        logs.setup(logs.level_of(_log_level(parser, args.log_level), args.verbose))
    finally:
        if entry:
            gc.freeze()
        if collecting:
            gc.enable()
    try:
        result: int = args.handler(args)
    except UserError as exc:
        if getattr(args, "json", False):
            print(json.dumps({"error": exc.message, "code": exc.code}, ensure_ascii=False))
        else:
            # printable(): a message that quotes what the user typed must not drive the terminal either.
            print(_("error: {message}", message=printable(exc.message)), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (``| head``): not our error. Silence the flush at exit, like other Unix tools.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as exc:
        if not _refused_by_database(exc):
            raise
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
    return result


def _refused_by_database(exc: Exception) -> bool:
    """Whether ``exc`` is SQLAlchemy's ``DBAPIError`` (only a command that imported SQLAlchemy can raise one: the
    others do not import it here either)."""
    if "sqlalchemy" not in sys.modules:
        return False
    from sqlalchemy.exc import DBAPIError

    return isinstance(exc, DBAPIError)

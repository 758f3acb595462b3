"""``counter-desk bench ...``: benchmarks. Their code lives in ``bench/`` of a source checkout."""

from __future__ import annotations

import argparse
import importlib.util
from types import ModuleType

from counter_desk import resources
from counter_desk.errors import InvalidInput
from counter_desk.i18n import _


def register(b: argparse.ArgumentParser) -> None:
    """The command's arguments and handler (its name and help: ``COMMANDS`` in ``counter_desk.cli``)."""
    verbs = b.add_subparsers(dest="verb", required=True, metavar="VERB")
    p = verbs.add_parser("call-next", help="stations calling next as fast as they can: claims/s, latency, doubles")
    p.add_argument("--stations", type=int, default=7, metavar="N", help="concurrent stations (OS processes)")
    p.add_argument("--seconds", type=float, default=10.0, metavar="S")
    p.add_argument("--save", metavar="NAME", help="also write bench/results/NAME.json")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--floor", action="store_true", help="the floor: only the claim statement and event append, not the service"
    )
    p.add_argument(
        "--compare", type=int, default=0, metavar="ROUNDS", help="the service and --floor alternately: medians, ratio"
    )
    p.set_defaults(handler=lambda a: _load("call_next").run_cli(a))

    p = verbs.add_parser("station-window", help="station window start-up, queue refresh and GUI stalls")
    p.add_argument("--history", type=int, default=100_000, metavar="N", help="past tickets in the database")
    p.add_argument("--waiting", type=int, default=500, metavar="N", help="tickets waiting in the queue")
    p.add_argument("--save", metavar="NAME", help="also write bench/results/NAME.json")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=lambda a: _load("station_window").run_cli(a))

    p = verbs.add_parser("display-latency", help="call committed -> waiting-room display updated: p50/p99, missed")
    p.add_argument("--calls", type=int, default=1000, metavar="N")
    p.add_argument("--kills", type=int, default=10, metavar="N", help="PostgreSQL: LISTEN kills in a second round")
    p.add_argument("--interval-ms", type=int, default=40, metavar="MS", help="pause between calls")
    p.add_argument("--save", metavar="NAME", help="also write (merge into) bench/results/NAME.json")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=lambda a: _load("display_latency").run_cli(a))

    p = verbs.add_parser("receipts", help="receipt render times and the 203-dpi decode rate of every printed code")
    p.add_argument("--applicants", type=int, default=10, metavar="N")
    p.add_argument("--rounds", type=int, default=200, metavar="N")
    p.add_argument("--save", metavar="NAME", help="also write bench/results/NAME.json")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=lambda a: _load("receipts").run_cli(a))

    p = verbs.add_parser("soak", help="a simulated office day with every window open: memory, errors, accounting")
    p.add_argument("--hours", type=float, default=8.5, metavar="H", help="simulated hours (from 07:45)")
    p.add_argument("--save", metavar="NAME", help="also write bench/results/NAME.json")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=lambda a: _load("soak").run_cli(a))


def _load(name: str) -> ModuleType:
    checkout = resources.source_checkout()
    if checkout is None:
        msg = _("benchmarks run from a source checkout (the bench/ folder is not installed with the package)")
        raise InvalidInput(msg)
    path = checkout / "bench" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"counter_desk_bench_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

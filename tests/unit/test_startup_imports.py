"""Start-up stays lean: ``--version`` and ``--help`` import no heavy package, a ``queue`` verb no Qt, reportlab or
alembic (issue 15). Each case runs the command in a fresh interpreter and lists what it had imported; how long that
takes is measured by ``bench/startup.py``, not here."""

from __future__ import annotations

import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

from counter_desk import cli
from counter_desk.store import migrate

REPO = Path(__file__).resolve().parents[2]
#: What a command that reads nothing must not load: Qt, the ORM models, the migration tool, the PDF library.
HEAVY = ("PySide6", "sqlalchemy", "counter_desk.store.models", "alembic", "reportlab")
#: A queue verb needs SQLAlchemy and the models, nothing for windows or paper, and not alembic to open the database.
NOT_FOR_QUEUE = ("PySide6", "reportlab", "alembic")
#: ``queue status`` reads rows: not the ORM either, nor the use cases or sign-in (argon2).
NOT_FOR_STATUS = (
    *NOT_FOR_QUEUE,
    "sqlalchemy.orm",
    "counter_desk.store.models",
    "counter_desk.services.queue",
    "argon2",
)

# Runs main(argv) as the entry point does, then prints which of the named packages were imported.
_PROBE = """
import contextlib, io, json, sys
names, argv = json.loads(sys.argv[1]), json.loads(sys.argv[2])
from counter_desk.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
print(json.dumps({"code": code, "output": out.getvalue(), "imported": [n for n in names if n in sys.modules]}))
"""


def _imported(argv: list[str], names: tuple[str, ...], tmp_path: Path) -> dict[str, object]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]),
        "COUNTER_DESK_DATA_DIR": str(tmp_path / "data"),
    }
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(names), json.dumps(argv)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    result: dict[str, object] = json.loads(proc.stdout.splitlines()[-1])
    return result


@pytest.mark.parametrize("argv", [["--version"], ["--help"]])
def test_version_and_help_import_no_heavy_package(argv: list[str], tmp_path: Path) -> None:
    result = _imported(argv, HEAVY, tmp_path)
    assert result["code"] == 0
    assert "counter-desk" in str(result["output"])
    assert result["imported"] == []


@pytest.mark.parametrize("argv", [["queue", "status", "--help"], ["queue", "--help"], ["station", "--help"]])
def test_a_commands_help_imports_no_qt_reportlab_or_alembic(argv: list[str], tmp_path: Path) -> None:
    result = _imported(argv, NOT_FOR_QUEUE, tmp_path)
    assert result["code"] == 0
    assert "usage: counter-desk" in str(result["output"])
    assert result["imported"] == []


def test_a_queue_verb_opens_the_database_without_alembic_qt_or_reportlab(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'office.sqlite3'}"
    # The first command creates and migrates the file (which needs alembic, once) and loads the reference office.
    first = _imported(["--db", url, "db", "seed"], ("alembic",), tmp_path)
    assert first["code"] == 0 and first["imported"] == ["alembic"]
    result = _imported(["--db", url, "queue", "status", "--stage", "interview", "--json"], NOT_FOR_STATUS, tmp_path)
    assert result["code"] == 0, result
    assert json.loads(str(result["output"]))["stage"] == "interview"
    assert result["imported"] == []
    # A verb that changes a ticket needs the ORM and the use cases, still without alembic, Qt or reportlab.
    walk_in = ["--db", url, "queue", "check-in", "--walk-in", "--category", "elderly", "--override-by", "kasi"]
    acted = _imported([*walk_in, "--json"], (*NOT_FOR_QUEUE, "sqlalchemy.orm"), tmp_path)
    assert acted["code"] == 0, acted
    assert json.loads(str(acted["output"]))["status"] == "waiting", acted
    assert acted["imported"] == ["sqlalchemy.orm"]


def test_the_garbage_collector_runs_again_once_the_command_started(tmp_path: Path) -> None:
    """Start-up runs without the cyclic collector (issue 15); the command itself, a window for hours, with it."""
    probe = (
        "import gc, sys\n"
        "from counter_desk.cli import main\n"
        "from counter_desk.cli import purge_cmd\n"
        "seen = []\n"
        "purge_cmd.register = lambda p: p.set_defaults(handler=lambda a: seen.append(gc.isenabled()) or 0)\n"
        "sys.argv = ['counter-desk', 'purge']\n"
        "code = main()\n"
        "frozen = gc.get_freeze_count()\n"
        "main(['purge'])\n"  # called from Python: nothing more frozen (some frozen ones freed)
        "assert gc.get_freeze_count() <= frozen, (frozen, gc.get_freeze_count())\n"
        "print(code, all(seen), len(seen), gc.isenabled(), frozen > 0)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO), "COUNTER_DESK_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    assert proc.stdout.split() == ["0", "True", "2", "True", "True"]


def test_every_command_module_is_in_the_table_and_registers() -> None:
    modules = {m.name for m in pkgutil.iter_modules(cli.__path__) if m.name.endswith("_cmd")}
    assert modules == {module for module, _help in cli.COMMANDS.values()}
    parser = cli.build_parser()
    for name in cli.COMMANDS:
        with pytest.raises(SystemExit) as done:
            parser.parse_args([name, "--help"])
        assert done.value.code == 0, name


def test_the_head_known_without_alembic_is_alembics_head() -> None:
    assert migrate.known_head() == migrate.head_revision()

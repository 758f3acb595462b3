"""The wheel carries ui/, db/ and resources/, and the installed program works from any directory."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        check=True,
        cwd=out,
    )
    (found,) = out.glob("counter_desk-*.whl")
    return found


def test_wheel_carries_the_data_folders(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    wanted = [
        "counter_desk/_data/db/env.py",
        "counter_desk/_data/db/seed/reference_office.toml",
        "counter_desk/_data/ui/station.ui",
        "counter_desk/_data/resources/icons/counter-desk.svg",
    ]
    wanted += [f"counter_desk/_data/db/versions/{p.name}" for p in (ROOT / "db" / "versions").glob("*.py")]
    wanted += [f"counter_desk/_data/resources/i18n/id/{p.name}" for p in (ROOT / "resources/i18n/id").glob("*.po")]
    missing = sorted(set(wanted) - names)
    assert not missing, f"not in the wheel: {missing}"
    assert not [n for n in names if n.startswith("tests/") or "/__pycache__/" in n]


def test_installed_wheel_runs_from_any_directory(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)], check=True
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COUNTER_DESK_")}
    env |= {"PYTHONPATH": str(target), "COUNTER_DESK_LANG": "en", "XDG_DATA_HOME": str(tmp_path / "data")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")

    def run(*args: str) -> str:
        code = "import sys; from counter_desk.cli import main; sys.exit(main(sys.argv[1:]))"
        done = subprocess.run(
            [sys.executable, "-c", code, *args], cwd=elsewhere, env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    where = subprocess.run(
        [sys.executable, "-c", "import counter_desk.resources as r; print(r.__file__, r.db_dir())"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(str(target)) and "/_data/db" in where, where
    run("db", "upgrade")  # the default embedded database, in the data folder
    run("db", "seed")
    run("rules", "set", "checkin_hours", "allow")  # the test may run at night or on a weekend
    out = run("queue", "check-in", "--walk-in", "--category", "elderly", "--json")
    assert '"number": "P-001"' in out
    assert (tmp_path / "data" / "counter-desk").is_dir()

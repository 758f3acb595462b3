"""Running the real program under Xvfb and driving it with xdotool, for the end-to-end tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

EXE = Path(sys.executable).parent / "counter-desk"


@contextmanager
def xvfb(size: str = "1280x800x24") -> Iterator[str]:
    """A virtual screen; yields its DISPLAY."""
    for tool in ("Xvfb", "xdotool"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing: make test installs xvfb and xdotool")
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", size, "-nolisten", "tcp"], pass_fds=(write,)
    )
    os.close(write)
    number = b""
    while not number.endswith(b"\n"):
        chunk = os.read(read, 16)
        if not chunk:
            server.kill()
            pytest.fail("Xvfb did not start")
        number += chunk
    os.close(read)
    try:
        yield f":{number.decode().strip()}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def xdotool(display: str, *args: str, timeout: float = 20) -> str:
    proc = subprocess.run(
        ["xdotool", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "DISPLAY": display},
        timeout=timeout,
        check=False,
    )
    assert proc.returncode == 0, f"xdotool {' '.join(args)}: {proc.stderr}"
    return proc.stdout.strip()


def find_window(display: str, title_regex: str, proc: subprocess.Popen[bytes], timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = subprocess.run(
            ["xdotool", "search", "--name", title_regex],
            capture_output=True,
            text=True,
            env={**os.environ, "DISPLAY": display},
            check=False,
        ).stdout.split()
        if found:
            return found[0]
        assert proc.poll() is None, f"the program exited with {proc.returncode}"
        time.sleep(0.2)
    proc.kill()
    pytest.fail(f"no window matching {title_regex!r} within {timeout} s")


def launch(display: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    full_env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "COUNTER_DESK_LANG": "en", **(env or {})}
    return subprocess.Popen([str(EXE), *args], env=full_env)


def wait_for(check: Callable[[], bool], timeout: float = 15, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    pytest.fail(f"{what}: not within {timeout} s")

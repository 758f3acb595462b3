"""Running the real program under Xvfb and driving it with xdotool, for the end-to-end tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from waiting import wait_until

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


def windows(display: str, title_regex: str) -> list[str]:
    """The ids of the windows whose title matches ``title_regex`` now (none: an empty list)."""
    return subprocess.run(
        ["xdotool", "search", "--name", title_regex],
        capture_output=True,
        text=True,
        env={**os.environ, "DISPLAY": display},
        check=False,
    ).stdout.split()


def find_window(display: str, title_regex: str, proc: subprocess.Popen[bytes], timeout: float = 30) -> str:
    """The first window whose title matches ``title_regex``, once there is one; fails if ``proc`` exits first."""

    def found() -> str | None:
        ids = windows(display, title_regex)
        if ids:
            return ids[0]
        if proc.poll() is not None:
            pytest.fail(f"the program exited with {proc.returncode} before a window matching {title_regex!r}")
        return None

    try:
        return wait_until(found, timeout, what=f"a window matching {title_regex!r}")
    except BaseException:
        if proc.poll() is None:
            proc.kill()
        raise


def launch(display: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    full_env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "COUNTER_DESK_LANG": "en", **(env or {})}
    return subprocess.Popen([str(EXE), *args], env=full_env)

"""Where the program's log lines go: stderr and a rotating file in the data folder.

A station started from its desktop menu entry has no terminal: without the file, every "action ... failed" and
every lost connection would vanish. The file is ``<data folder>/logs/counter-desk.log`` (``COUNTER_DESK_DATA_DIR``
or the platform's data folder), at most 1 MB, with the five files before it kept as ``.1`` ... ``.5``.

No log line carries personal data: statement parameters are hidden by the engine (``hide_parameters``) and
:class:`counter_desk.errors.HidePersonalData` drops PostgreSQL's DETAIL lines (a failing row) from every record,
on both handlers.

``counter-desk --log-level LEVEL`` (or ``-v``, ``-vv``, ``-vvv``; default: errors only) sets what reaches
stderr; the file takes INFO and above, or more
when the level asked is lower.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from counter_desk.errors import HidePersonalData

LEVELS = ("debug", "info", "warning", "error")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
FILE_BYTES = 1_000_000
FILE_BACKUPS = 5
_MARK = "_counter_desk_handler"


def log_file(env: Mapping[str, str] | None = None) -> Path:
    """The log file of this PC's data folder."""
    from counter_desk.config import data_dir

    return data_dir(os.environ if env is None else env) / "logs" / "counter-desk.log"


class _FolderMadeOnUse(logging.handlers.RotatingFileHandler):
    """Creates the log folder when the first line is written, not before (a command that logs nothing leaves
    nothing behind)."""

    def _open(self) -> Any:
        Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True)
        return super()._open()


def _writable(path: Path) -> bool:
    """Whether ``path`` can be created: its nearest existing ancestor is a folder we may write to."""
    for folder in (path, *path.parents):
        if folder.exists():
            return folder.is_dir() and os.access(folder, os.W_OK) if folder != path else os.access(path, os.W_OK)
    return False


def _ours(handler: logging.Handler) -> str | None:
    mark: str | None = getattr(handler, _MARK, None)
    return mark


def setup(level: int, *, file: Path | None = None) -> Path | None:
    """Send the program's log records to stderr at ``level`` and to ``file`` (default: :func:`log_file`) at INFO
    or ``level`` if lower. Idempotent: a second call (tests run many commands in one process) replaces the
    handlers it made before. Returns the file, or None when it cannot be written (then stderr says why, once)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if _ours(h)]:
        root.removeHandler(handler)
        handler.close()
    stream = logging.StreamHandler()
    stream.setLevel(level)
    setattr(stream, _MARK, "stderr")
    handlers: list[logging.Handler] = [stream]
    path = log_file() if file is None else file
    written: Path | None = path
    if not _writable(path):
        written = None
        sys.stderr.write(f"warning: log file {path} cannot be written; logging to stderr only\n")
    else:
        rotating = _FolderMadeOnUse(path, maxBytes=FILE_BYTES, backupCount=FILE_BACKUPS, encoding="utf-8", delay=True)
        rotating.setLevel(min(level, logging.INFO))
        setattr(rotating, _MARK, "file")
        handlers.append(rotating)
    formatter = logging.Formatter(FORMAT)
    for handler in handlers:
        handler.setFormatter(formatter)
        root.addHandler(handler)
    for handler in root.handlers:  # ours, and any other already there (a test's capture, an embedding program's)
        if not any(isinstance(f, HidePersonalData) for f in handler.filters):
            handler.addFilter(HidePersonalData())
    root.setLevel(min(h.level for h in handlers))
    return written


def level_of(name: str | None, verbose: int) -> int:
    """The stderr level from ``--log-level`` (a name of :data:`LEVELS`) or, without it, ``-v`` counts. By default
    only errors: a command says what went wrong in its own one line, and warnings go to the log file."""
    if name:
        return int(getattr(logging, name.upper()))
    return logging.ERROR - 10 * min(verbose, 3)

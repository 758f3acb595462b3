"""Settings: a TOML file, overridden by the environment, overridden by command-line flags.

The file is ``config.toml`` in the platform config folder (``COUNTER_DESK_CONFIG`` names another)::

    [database]
    url = "postgresql://counter_desk@db-server/counter_desk"   # default: a SQLite file in the data folder

    [office]
    code = "kanim-blitar"       # needed only when one database holds several offices

    [station]
    code = "interview-2"        # the station this PC runs
    sign_in = true              # officers sign in before the window opens (false: trial installs only)

    [ui]
    language = "id"             # "id" (Bahasa Indonesia) or "en"

    [scanner]
    serial_port = "/dev/ttyACM0"  # only for serial scanners; keyboard-wedge (USB HID) scanners need nothing
    baud = 9600

    [printer]
    escpos = "/dev/usb/lp0"     # a thermal printer taking raw ESC/POS; without it receipts are PDF files only
    paper = "80mm"              # or "58mm"

Environment: ``COUNTER_DESK_DB_URL``, ``COUNTER_DESK_OFFICE``, ``COUNTER_DESK_STATION``, ``COUNTER_DESK_LANG``,
``COUNTER_DESK_SCANNER_PORT``, ``COUNTER_DESK_PRINTER``, ``COUNTER_DESK_SIGN_IN`` (``0`` or ``1``),
``COUNTER_DESK_DATA_DIR`` (where the default SQLite file and logs go).

A database URL that carries a password may come from the environment, or from a config file only the owner can
read; it is never logged (see :func:`counter_desk.store.engine.safe_url`).
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from counter_desk.errors import InvalidInput
from counter_desk.i18n import _

APP = "counter-desk"
LANGUAGES = ("id", "en")


@dataclass(frozen=True)
class Settings:
    db_url: str
    #: True when no URL was configured anywhere: the embedded SQLite file in the data folder.
    db_is_default: bool
    office: str | None
    station: str | None
    language: str
    data_dir: Path
    config_file: Path
    #: A serial barcode scanner of this PC (e.g. /dev/ttyACM0), or None (keyboard-wedge scanners need nothing).
    scanner_port: str | None = None
    scanner_baud: int = 9600
    #: The receipt printer's device or file for raw ESC/POS (e.g. /dev/usb/lp0), or None (PDF only).
    printer: Path | None = None
    paper: str = "80mm"
    #: Station windows open only after an officer signs in.
    sign_in: bool = True


def config_path(env: Mapping[str, str]) -> Path:
    if env.get("COUNTER_DESK_CONFIG"):
        return Path(env["COUNTER_DESK_CONFIG"])
    return Path(platformdirs.user_config_dir(APP)) / "config.toml"


def data_dir(env: Mapping[str, str]) -> Path:
    if env.get("COUNTER_DESK_DATA_DIR"):
        return Path(env["COUNTER_DESK_DATA_DIR"])
    return Path(platformdirs.user_data_dir(APP))


def default_db_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'counter-desk.sqlite3'}"


def _read_file(path: Path, *, explicit: bool) -> dict[str, Any]:
    if not path.exists():
        if explicit:
            msg = _("config file {path} does not exist", path=path)
            raise InvalidInput(msg)
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        msg = _("config file {path} is not valid TOML: {error}", path=path, error=exc)
        raise InvalidInput(msg) from exc


def _section(data: dict[str, Any], name: str, path: Path) -> dict[str, Any]:
    section = data.get(name, {})
    if not isinstance(section, dict):
        msg = _("config file {path}: [{name}] must be a table", path=path, name=name)
        raise InvalidInput(msg)
    return section


def _check_url(url: str, origin: str, path: Path | None = None) -> str:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        msg = _(
            "{origin}: {scheme}://... is not a database URL (postgresql://... or sqlite:///FILE)",
            origin=origin,
            scheme=url.split("://", maxsplit=1)[0],
        )
        raise InvalidInput(msg) from exc
    if parsed.get_backend_name() not in ("postgresql", "sqlite"):
        msg = _(
            "{origin}: unsupported database {backend!r}; use postgresql:// or sqlite:///",
            origin=origin,
            backend=parsed.get_backend_name(),
        )
        raise InvalidInput(msg)
    if parsed.password and path is not None and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        msg = _(
            "{path} holds a database password but others can read it: run 'chmod 600 {path}' "
            "or put the URL in COUNTER_DESK_DB_URL",
            path=path,
        )
        raise InvalidInput(msg)
    return url


def load_settings(
    *,
    db: str | None = None,
    office: str | None = None,
    station: str | None = None,
    config: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve the settings: flags (the arguments) over environment over file over defaults."""
    env = os.environ if env is None else env
    path = config or config_path(env)
    data = _read_file(path, explicit=config is not None or bool(env.get("COUNTER_DESK_CONFIG")))
    db_section = _section(data, "database", path)
    folder = data_dir(env)

    url: str | None = None
    if db:
        url = _check_url(db, "--db")
    elif env.get("COUNTER_DESK_DB_URL"):
        url = _check_url(env["COUNTER_DESK_DB_URL"], "COUNTER_DESK_DB_URL")
    elif db_section.get("url"):
        url = _check_url(str(db_section["url"]), f"{path} [database] url", path)

    language = (env.get("COUNTER_DESK_LANG") or str(_section(data, "ui", path).get("language", "id"))).lower()
    if language not in LANGUAGES:
        msg = _("language must be one of {choices}, not {language!r}", choices=", ".join(LANGUAGES), language=language)
        raise InvalidInput(msg)

    def pick(flag: str | None, var: str, section: str) -> str | None:
        value = flag or env.get(var) or _section(data, section, path).get("code")
        return str(value) if value else None

    scanner = _section(data, "scanner", path)
    baud = scanner.get("baud", 9600)
    if not isinstance(baud, int) or isinstance(baud, bool) or baud <= 0:
        msg = _("[scanner] baud must be a positive number, not {baud!r}", baud=baud)
        raise InvalidInput(msg)
    scanner_port = env.get("COUNTER_DESK_SCANNER_PORT") or scanner.get("serial_port") or None
    printer_section = _section(data, "printer", path)
    printer = env.get("COUNTER_DESK_PRINTER") or printer_section.get("escpos") or None
    paper = str(printer_section.get("paper", "80mm"))
    if paper not in ("80mm", "58mm"):
        msg = _("[printer] paper must be 80mm or 58mm, not {paper!r}", paper=paper)
        raise InvalidInput(msg)
    sign_in = _section(data, "station", path).get("sign_in", True)
    if env.get("COUNTER_DESK_SIGN_IN"):
        sign_in = env["COUNTER_DESK_SIGN_IN"].strip().lower() not in ("0", "false", "no", "off")
    if not isinstance(sign_in, bool):
        msg = _("[station] sign_in must be true or false, not {value!r}", value=sign_in)
        raise InvalidInput(msg)
    return Settings(
        db_url=url or default_db_url(folder),
        sign_in=sign_in,
        db_is_default=url is None,
        office=pick(office, "COUNTER_DESK_OFFICE", "office"),
        station=pick(station, "COUNTER_DESK_STATION", "station"),
        language=language,
        scanner_port=str(scanner_port) if scanner_port else None,
        scanner_baud=baud,
        printer=Path(str(printer)) if printer else None,
        paper=paper,
        data_dir=folder,
        config_file=path,
    )

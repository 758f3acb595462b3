"""Settings: a TOML file, overridden by the environment, overridden by command-line flags.

The file is ``config.toml`` in the platform config folder (``COUNTER_DESK_CONFIG`` names another)::

    [database]
    url = "postgresql://counter_desk@db-server/counter_desk"   # default: a SQLite file in the data folder

    [office]
    code = "kanim-blitar"       # needed only when one database holds several offices

    [station]
    code = "interview-2"        # the station this PC runs
    sign_in = true              # officers sign in before the window opens (false: trial installs only)
    error_sound = true          # two low beeps when a scan is refused (false: silent)

    [ui]
    language = "id"             # "id" (Bahasa Indonesia) or "en"

    [scanner]
    serial_port = "/dev/ttyACM0"  # only for serial scanners; keyboard-wedge (USB HID) scanners need nothing
    baud = 9600

    [printer]
    escpos = "usb:0416:5011"    # the ESC/POS receipt printer; without it receipts are PDF files only
    paper = "80mm"              # or "58mm"

``[printer] escpos`` (and ``COUNTER_DESK_PRINTER``) names how the printer is reached (docs/PRINTERS.md):
``usb:VID:PID`` (hexadecimal, as ``lsusb`` shows them; ``?in_ep=0x81&out_ep=0x03`` where the printer's endpoints
differ from python-escpos's defaults), ``tcp:HOST`` or ``tcp:HOST:PORT`` (port 9100 by default),
``serial:PORT`` or ``serial:PORT?baudrate=19200`` (9600 by default), ``file:PATH`` or a plain device or file path
(``/dev/usb/lp0``).

Environment: ``COUNTER_DESK_DB_URL``, ``COUNTER_DESK_OFFICE``, ``COUNTER_DESK_STATION``, ``COUNTER_DESK_LANG``,
``COUNTER_DESK_SCANNER_PORT``, ``COUNTER_DESK_PRINTER``, ``COUNTER_DESK_SIGN_IN`` (``0`` or ``1``),
``COUNTER_DESK_DATA_DIR`` (where the default SQLite file and logs go).

A database URL that carries a password may come from the environment, or from a config file only the owner can
read; it is never logged (see :func:`counter_desk.store.engine.safe_url`).
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

import platformdirs
from sqlalchemy.exc import ArgumentError

from counter_desk.errors import InvalidInput
from counter_desk.i18n import LANGUAGES, _

APP = "counter-desk"


# ---------------------------------------------------------------------- the receipt printer's connection


@dataclass(frozen=True)
class UsbPrinter:
    """A printer on USB, found by its vendor and product id; endpoints None: python-escpos's defaults."""

    vendor: int
    product: int
    in_ep: int | None = None
    out_ep: int | None = None

    def __str__(self) -> str:
        options = "&".join(
            f"{name}=0x{value:02x}" for name, value in (("in_ep", self.in_ep), ("out_ep", self.out_ep)) if value
        )
        return f"usb:{self.vendor:04x}:{self.product:04x}" + (f"?{options}" if options else "")


@dataclass(frozen=True)
class NetworkPrinter:
    """A printer taking raw ESC/POS on a TCP port (9100, "JetDirect", on nearly every network receipt printer)."""

    host: str
    port: int = 9100

    def __str__(self) -> str:
        return f"tcp:{self.host}:{self.port}"


@dataclass(frozen=True)
class SerialPrinter:
    """A printer on a serial port (8 data bits, no parity, one stop bit)."""

    port: str
    baudrate: int = 9600

    def __str__(self) -> str:
        return f"serial:{self.port}?baudrate={self.baudrate}"


#: How a station reaches its receipt printer. A plain :class:`~pathlib.Path` is a device or file taking raw ESC/POS.
PrinterSpec: TypeAlias = Path | UsbPrinter | NetworkPrinter | SerialPrinter

#: The accepted forms, named in every refusal.
PRINTER_FORMS = (
    "usb:VID:PID[?in_ep=0x81&out_ep=0x03], tcp:HOST[:PORT], serial:PORT[?baudrate=9600], file:PATH or a device path"
)
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]+):(.*)", re.DOTALL)
_HEX_ID = re.compile(r"(?:0[xX])?([0-9A-Fa-f]{1,4})")
_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")


class _PrinterText:
    """One printer setting being read: its options (``?name=value&...``) and how to refuse it."""

    def __init__(self, value: object, origin: str, query: str) -> None:
        self.value, self.origin = value, origin
        self.options: dict[str, str] = {}
        for item in filter(None, query.split("&")):
            name, has_value, option = item.partition("=")
            if not has_value or not option.strip():
                raise self.bad(_("option {option!r} needs a value", option=name))
            self.options[name.strip().lower()] = option.strip()

    def bad(self, problem: str) -> InvalidInput:
        return InvalidInput(
            _(
                "{origin}: printer {value!r} not understood ({problem}); use {forms}",
                origin=self.origin,
                value=self.value,
                problem=problem,
                forms=PRINTER_FORMS,
            )
        )

    def number(self, name: str, low: int, high: int, *, base: int = 10) -> int | None:
        """The option ``name`` as a whole number in ``low..high`` (``base`` 0: ``0x81`` or ``129``), popped."""
        if name not in self.options:
            return None
        raw = self.options.pop(name)
        try:
            result = int(raw, base)
        except ValueError:
            result = low - 1
        if not low <= result <= high:
            msg = _(
                "{name} must be a number from {low} to {high}, not {value!r}", name=name, low=low, high=high, value=raw
            )
            raise self.bad(msg)
        return result

    def usb(self, rest: str) -> UsbPrinter:
        ids = [_HEX_ID.fullmatch(part.strip()) for part in rest.split(":")]
        if len(ids) != 2 or ids[0] is None or ids[1] is None:
            raise self.bad(_("give the vendor and product id in hexadecimal, as lsusb shows them: usb:0416:5011"))
        return UsbPrinter(
            int(ids[0].group(1), 16),
            int(ids[1].group(1), 16),
            self.number("in_ep", 1, 255, base=0),
            self.number("out_ep", 1, 255, base=0),
        )

    def tcp(self, rest: str) -> NetworkPrinter:
        host, has_port, port = rest.strip().removeprefix("//").partition(":")
        if not _HOST.fullmatch(host):
            raise self.bad(_("no host name or IPv4 address"))
        if has_port:
            self.options["port"] = port
        return NetworkPrinter(host, self.number("port", 1, 65535) or 9100)


def parse_printer(value: str, origin: str) -> PrinterSpec:
    """The printer named by ``value`` (see the module's docstring); ``origin`` says where it came from.

    Raises :class:`~counter_desk.errors.InvalidInput` naming the value and the accepted forms.
    """
    match = _SCHEME.fullmatch(value.strip())
    if match is None:  # a plain path (one letter before a colon is a Windows drive: C:\\...)
        if not value.strip():
            raise _PrinterText(value, origin, "").bad(_("it is empty"))
        return Path(value.strip())
    kind, (rest, _sep, query) = match.group(1).lower(), match.group(2).partition("?")
    text = _PrinterText(value, origin, query)
    spec: PrinterSpec
    if kind == "usb":
        spec = text.usb(rest)
    elif kind == "tcp":
        spec = text.tcp(rest)
    elif kind == "serial":
        if not rest.strip():
            raise text.bad(_("no serial port"))
        if re.search(r":\d+$", rest.strip()):
            raise text.bad(_("write the speed as ?baudrate={speed}", speed=rest.strip().rsplit(":", 1)[1]))
        spec = SerialPrinter(rest.strip(), text.number("baudrate", 1, 4_000_000) or 9600)
    elif kind == "file":
        path = (rest[2:] if rest.startswith("///") else rest).strip()
        if not path:
            raise text.bad(_("no path"))
        spec = Path(path)
    else:
        raise text.bad(_("unknown kind {kind!r}", kind=kind))
    if text.options:
        raise text.bad(_("unknown option {option!r}", option=next(iter(text.options))))
    return spec


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
    #: The ESC/POS receipt printer (a device or file path, or a USB, network or serial printer), or None (PDF only).
    printer: PrinterSpec | None = None
    paper: str = "80mm"
    #: Station windows open only after an officer signs in.
    sign_in: bool = True
    #: A refused scan or check-in beeps.
    error_sound: bool = True


def _switch(section: Mapping[str, Any], env: Mapping[str, str], key: str, variable: str) -> bool:
    """An on/off setting of [station]: true unless set off; the environment variable (0/1) wins."""
    value = section.get(key, True)
    if env.get(variable):
        value = env[variable].strip().lower() not in ("0", "false", "no", "off")
    if not isinstance(value, bool):
        msg = _("[station] {key} must be true or false, not {value!r}", key=key, value=value)
        raise InvalidInput(msg)
    return value


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
    from counter_desk.store.engine import normalise_url  # SQLAlchemy's engine parts only when a URL is checked

    try:
        parsed = normalise_url(url)  # also libpq's several-host form, postgresql://u@pc1:5432,pc2:5432/office
    except (ArgumentError, ValueError) as exc:
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
    printer: PrinterSpec | None = None
    if env.get("COUNTER_DESK_PRINTER", "").strip():
        printer = parse_printer(env["COUNTER_DESK_PRINTER"], "COUNTER_DESK_PRINTER")
    elif printer_section.get("escpos"):
        escpos = printer_section["escpos"]
        if not isinstance(escpos, str):
            raise _PrinterText(escpos, f"{path} [printer] escpos", "").bad(_("not a string"))
        printer = parse_printer(escpos, f"{path} [printer] escpos")
    paper = str(printer_section.get("paper", "80mm"))
    if paper not in ("80mm", "58mm"):
        msg = _("[printer] paper must be 80mm or 58mm, not {paper!r}", paper=paper)
        raise InvalidInput(msg)
    station_section = _section(data, "station", path)
    sign_in = _switch(station_section, env, "sign_in", "COUNTER_DESK_SIGN_IN")
    error_sound = _switch(station_section, env, "error_sound", "COUNTER_DESK_ERROR_SOUND")
    return Settings(
        db_url=url or default_db_url(folder),
        sign_in=sign_in,
        error_sound=error_sound,
        db_is_default=url is None,
        office=pick(office, "COUNTER_DESK_OFFICE", "office"),
        station=pick(station, "COUNTER_DESK_STATION", "station"),
        language=language,
        scanner_port=str(scanner_port) if scanner_port else None,
        scanner_baud=baud,
        printer=printer,
        paper=paper,
        data_dir=folder,
        config_file=path,
    )

"""The receipt printer's connection: python-escpos's ``Usb``, ``Network``, ``Serial`` and ``File`` backends.

:func:`send` hands finished ESC/POS bytes to the printer in one write and never retries: a job that fails part way
may have printed part of a receipt, and printing it again is the officer's click, not ours. Where the connection
can be read (network, serial, USB), the write is followed by the real-time status request ``DLE EOT 1``: its answer
arrives only after every byte before it, so it proves the printer took the whole receipt -- and a printer that
closed the connection, or went offline, is caught there instead of being reported as printed.

:func:`query` asks the same real-time requests (``DLE EOT 1``: online, ``DLE EOT 4``: the roll paper sensors)
within :data:`STATUS_BUDGET` seconds. python-escpos's ``is_online()``/``paper_status()`` read the answer with
``_read()`` but take no answer for "offline" and "paper ok"; here a printer that does not answer is ``unknown``,
and an answer that is not a status byte is not believed.

Every wait is bounded: a missing USB device, a refused or unreachable network printer, an absent serial port
come back within :data:`CONNECT_TIMEOUT` as offline with a short reason.
"""

from __future__ import annotations

import errno
import ipaddress
import logging
import os
import socket
import threading
import time
from pathlib import Path
from typing import Any

from escpos.constants import RT_MASK_LOWPAPER, RT_MASK_NOPAPER, RT_MASK_ONLINE, RT_STATUS_ONLINE, RT_STATUS_PAPER
from escpos.escpos import Escpos
from escpos.exceptions import Error as EscposError
from escpos.printer import File, Network, Serial, Usb

from counter_desk.config import NetworkPrinter, PrinterSpec, SerialPrinter, UsbPrinter
from counter_desk.i18n import _

log = logging.getLogger(__name__)

#: Seconds to reach a network printer.
CONNECT_TIMEOUT = 2.0
#: Seconds a printer has to take a receipt (a few kilobytes: a printer that needs longer is stuck).
WRITE_TIMEOUT = 5.0
#: Seconds to wait for the answer to one status request.
READ_TIMEOUT = 1.0
#: Seconds :func:`query` may take in all.
STATUS_BUDGET = 2.0

ONLINE = "online"
OFFLINE = "offline"
UNKNOWN = "unknown"
PAPER_OK = "ok"
PAPER_LOW = "low"
PAPER_OUT = "out"

#: Bits every ``DLE EOT`` answer has: bits 1 and 4 set, bits 0 and 7 clear.
_STATUS_FIXED_MASK, _STATUS_FIXED = 0x93, 0x12


class PrinterFailure(Exception):
    """The printer did not take the receipt; ``reason`` says why in a few words for the officer."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _ConnectionClosed(Exception):
    """The printer closed the connection (end of stream where a status byte was expected)."""


class _Serial(Serial):  # type: ignore[misc]  # python-escpos has no type information
    """python-escpos's serial printer reading one byte at a time: a status answer is one byte, and pyserial's
    ``read(16)`` would wait out the whole timeout for the fifteen that never come."""

    def _read(self) -> bytes:
        data: bytes = self.device.read(1)
        return data

    def close(self) -> None:
        """Close the port, without python-escpos's ``flush()`` first: ``tcdrain`` fails on a vanished port and
        waits without limit on a stalled one (the status answer already proved the receipt went out)."""
        device: Any = getattr(self, "_device", False)
        self._device = False
        if device and device.is_open:
            device.close()


# ---------------------------------------------------------------------- opening


def _reason(exc: BaseException) -> str:
    """A short reason from ``exc`` or the OS error behind it (python-escpos wraps them in DeviceNotFoundError)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, TimeoutError | socket.timeout) or type(seen).__name__ == "SerialTimeoutException":
            return _("no answer (timed out)")
        if isinstance(seen, ConnectionRefusedError):
            return _("connection refused")
        if isinstance(seen, socket.gaierror):
            return _("unknown host")
        if isinstance(seen, OSError) and isinstance(seen.errno, int) and seen.errno > 0:
            return os.strerror(seen.errno)
        if isinstance(seen, OSError) and seen.strerror:
            return str(seen.strerror)
        if type(seen).__module__.startswith("serial"):  # pyserial's errors without an OS error number
            return _("the serial port stopped answering")
        seen = seen.__cause__ or seen.__context__
    text = str(exc).strip().splitlines()
    return text[-1] if text else type(exc).__name__


def _open(target: PrinterSpec, *, timeout: float) -> Escpos:
    """An open python-escpos printer for ``target`` within ``timeout`` seconds; :class:`PrinterFailure` when it
    cannot be reached."""
    backend: Escpos
    if isinstance(target, NetworkPrinter):
        started = time.monotonic()
        address = _resolve(target.host, timeout)
        backend = Network(address, target.port, timeout=max(0.1, timeout - (time.monotonic() - started)))
    elif isinstance(target, SerialPrinter):
        backend = _Serial(target.port, baudrate=target.baudrate, timeout=READ_TIMEOUT)
    elif isinstance(target, UsbPrinter):
        ends = {"in_ep": target.in_ep, "out_ep": target.out_ep}
        backend = Usb(
            target.vendor,
            target.product,
            timeout=int(WRITE_TIMEOUT * 1000),
            **{name: value for name, value in ends.items() if value is not None},
        )
    else:
        backend = File(str(target), auto_flush=True)
    try:
        backend.open(raise_not_found=True)
    except RuntimeError as exc:  # python-escpos: the backend's library (pyusb, pyserial) is not installed
        raise PrinterFailure(_("{library} is not installed", library=_library(target))) from exc
    except (EscposError, OSError, ValueError) as exc:
        if isinstance(target, UsbPrinter) and type(exc).__name__ == "NoBackendError":  # pyusb found no libusb
            raise PrinterFailure(_("libusb is not installed (Debian/Ubuntu package libusb-1.0-0)")) from exc
        raise PrinterFailure(_not_reached(target, exc)) from exc
    if isinstance(target, SerialPrinter):
        backend.device.write_timeout = WRITE_TIMEOUT
    elif isinstance(target, UsbPrinter):
        backend.device.default_timeout = int(READ_TIMEOUT * 1000)
    elif isinstance(target, NetworkPrinter):
        backend.device.settimeout(WRITE_TIMEOUT)
    return backend


def _resolve(host: str, timeout: float) -> str:
    """The IPv4 address of ``host`` within ``timeout`` seconds (the socket timeout does not cover name lookups:
    a name server that does not answer would hold the station's worker for many seconds)."""
    try:
        return str(ipaddress.IPv4Address(host))
    except ValueError:
        pass
    found: list[str | OSError] = []

    def lookup() -> None:
        try:
            found.append(str(socket.getaddrinfo(host, None, socket.AF_INET, socket.SOCK_STREAM)[0][4][0]))
        except OSError as exc:
            found.append(exc)

    worker = threading.Thread(target=lookup, name=f"resolve {host}", daemon=True)
    worker.start()
    worker.join(timeout)
    if not found:
        raise PrinterFailure(_("no answer (timed out)"))
    if isinstance(found[0], OSError):
        raise PrinterFailure(_("unknown host"))
    return found[0]


def _library(target: PrinterSpec) -> str:
    return "pyusb" if isinstance(target, UsbPrinter) else "pyserial"


def _not_reached(target: PrinterSpec, exc: BaseException) -> str:
    if isinstance(target, UsbPrinter):
        if _usb_errno(exc) == errno.EACCES:
            return _("no permission to use the USB printer (see docs/PRINTERS.md: udev rule)")
        ids = f"{target.vendor:04x}:{target.product:04x}"
        return _("USB printer {printer} not found: unplugged or switched off?", printer=ids)
    return _reason(exc)


def _usb_errno(exc: BaseException) -> int | None:
    seen: BaseException | None = exc
    while seen is not None:
        number = getattr(seen, "errno", None)
        if isinstance(number, int):
            return number
        seen = seen.__cause__ or seen.__context__
    return None


def _close(backend: Escpos) -> None:
    try:
        backend.close()
    except Exception as exc:  # noqa: BLE001 - the job is decided; a failing close must not change the outcome
        log.warning("closing the printer connection failed: %s", exc)


# ---------------------------------------------------------------------- status requests


def _ask(backend: Escpos, request: bytes, timeout: float) -> int | None:
    """Send a real-time status request; its answer byte, or None when the printer does not answer in time.

    Raises :class:`_ConnectionClosed` when a network printer closed the connection, and the backend's error
    (OSError, pyserial's SerialException, pyusb's USBError) when the connection broke.
    """
    device: Any = backend.device
    if isinstance(backend, Network):
        device.settimeout(timeout)
    elif isinstance(backend, Serial):
        device.timeout = timeout
    elif isinstance(backend, Usb):
        device.default_timeout = max(1, int(timeout * 1000))
    try:
        answer = bytes(backend.query_status(request))
    except TimeoutError:
        return None
    except Exception as exc:
        if type(exc).__name__ == "USBTimeoutError":  # pyusb: no answer on the in endpoint
            return None
        raise
    if not answer:
        if isinstance(backend, Network):
            raise _ConnectionClosed
        return None  # serial: nothing within the timeout
    last = answer[-1]  # an answer that came late stands in front of this one
    if last & _STATUS_FIXED_MASK != _STATUS_FIXED:
        log.info("printer answered %r to a status request: not a status byte", answer)
        return None
    return last


def _paper(status: int) -> str:
    if status & RT_MASK_NOPAPER == RT_MASK_NOPAPER:
        return PAPER_OUT
    if status & RT_MASK_LOWPAPER == RT_MASK_LOWPAPER:
        return PAPER_LOW
    return PAPER_OK


def _readable(target: PrinterSpec) -> bool:
    return not isinstance(target, Path)


# ---------------------------------------------------------------------- the two operations


def send(target: PrinterSpec, data: bytes) -> None:
    """Write ``data`` to the printer once. Raises :class:`PrinterFailure` with the reason; never retries."""
    backend = _open(target, timeout=CONNECT_TIMEOUT)
    try:
        try:
            backend._raw(data)  # python-escpos's way to send ready-made bytes
        except Exception as exc:
            raise PrinterFailure(_broken(target, exc)) from exc
        if not _readable(target):
            return
        try:
            online = _ask(backend, RT_STATUS_ONLINE, READ_TIMEOUT)
            if online is None or not online & RT_MASK_ONLINE:
                return  # printer took it (or does not answer status requests: nothing more to know)
            paper = _ask(backend, RT_STATUS_PAPER, READ_TIMEOUT)
        except Exception as exc:
            raise PrinterFailure(_broken(target, exc)) from exc
        if paper is not None and _paper(paper) == PAPER_OUT:
            raise PrinterFailure(_("out of paper: load paper and the printer prints the receipt it holds"))
        raise PrinterFailure(_("the printer is offline (cover open?): it prints the receipt it holds once ready"))
    finally:
        _close(backend)


def _broken(target: PrinterSpec, exc: Exception) -> str:
    if isinstance(exc, PrinterFailure):
        return exc.reason
    if isinstance(target, UsbPrinter) and isinstance(exc, ValueError):  # pyusb: "Invalid endpoint address 0x1"
        return _("the printer's USB endpoints differ ({error}): set in_ep and out_ep, see docs/PRINTERS.md", error=exc)
    if _readable(target):
        return _(
            "the connection to the printer broke during the job ({error}); part of the receipt may have printed",
            error=_("closed by the printer") if isinstance(exc, _ConnectionClosed) else _reason(exc),
        )
    return _reason(exc)


def query(target: PrinterSpec) -> tuple[str, str, str]:
    """``(online, paper, detail)`` as the printer reports them, within :data:`STATUS_BUDGET` seconds.

    A printer that cannot be reached is ``offline`` with the reason as detail; one that does not answer status
    requests is ``unknown``. A path cannot be read (python-escpos's ``File`` backend reads nothing back): a
    missing device is ``offline``, one that opens is ``unknown``; a plain file is never opened (that would
    truncate it).
    """
    if isinstance(target, Path):
        return _query_path(target)
    deadline = time.monotonic() + STATUS_BUDGET
    try:
        backend = _open(target, timeout=min(CONNECT_TIMEOUT, STATUS_BUDGET / 2))
    except PrinterFailure as exc:
        return OFFLINE, UNKNOWN, exc.reason
    try:
        try:
            online = _ask(backend, RT_STATUS_ONLINE, max(0.1, min(READ_TIMEOUT, deadline - time.monotonic())))
            if online is None:
                return UNKNOWN, UNKNOWN, _("no answer to a status request")
            left = deadline - time.monotonic()
            paper = _ask(backend, RT_STATUS_PAPER, min(READ_TIMEOUT, left)) if left > 0.05 else None
        except _ConnectionClosed:
            return OFFLINE, UNKNOWN, _("closed by the printer")
        except Exception as exc:  # noqa: BLE001 - whatever broke the connection, the printer is not usable
            return OFFLINE, UNKNOWN, _reason(exc)
    finally:
        _close(backend)
    return (OFFLINE if online & RT_MASK_ONLINE else ONLINE), (UNKNOWN if paper is None else _paper(paper)), ""


def _query_path(path: Path) -> tuple[str, str, str]:
    if not path.exists():
        return OFFLINE, UNKNOWN, _("not found")
    if path.is_file():
        return UNKNOWN, UNKNOWN, _("a file, not a printer")
    try:
        backend = _open(path, timeout=CONNECT_TIMEOUT)
    except PrinterFailure as exc:
        return OFFLINE, UNKNOWN, exc.reason
    _close(backend)
    return UNKNOWN, UNKNOWN, ""

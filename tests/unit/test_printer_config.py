"""``[printer] escpos`` and ``COUNTER_DESK_PRINTER``: every accepted form, and refusals that name the bad value and
the accepted forms."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from counter_desk.cli import main
from counter_desk.config import (
    PRINTER_FORMS,
    NetworkPrinter,
    PrinterSpec,
    SerialPrinter,
    UsbPrinter,
    load_settings,
    parse_printer,
)
from counter_desk.errors import InvalidInput


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"COUNTER_DESK_CONFIG": str(tmp_path / "config.toml"), "COUNTER_DESK_DATA_DIR": str(tmp_path), **extra}


@pytest.mark.parametrize(
    ("text", "spec", "canonical"),
    [
        ("usb:0416:5011", UsbPrinter(0x0416, 0x5011), "usb:0416:5011"),
        ("USB:0x04B8:0x0E15", UsbPrinter(0x04B8, 0x0E15), "usb:04b8:0e15"),
        (
            "usb:0416:5011?in_ep=0x81&out_ep=3",
            UsbPrinter(0x0416, 0x5011, 0x81, 0x03),
            "usb:0416:5011?in_ep=0x81&out_ep=0x03",
        ),
        ("usb:0416:5011?out_ep=0x02", UsbPrinter(0x0416, 0x5011, None, 0x02), "usb:0416:5011?out_ep=0x02"),
        ("tcp:192.168.1.50", NetworkPrinter("192.168.1.50", 9100), "tcp:192.168.1.50:9100"),
        ("tcp:192.168.1.50:9100", NetworkPrinter("192.168.1.50"), "tcp:192.168.1.50:9100"),
        (
            "tcp:printer-2.kanim.local:4242",
            NetworkPrinter("printer-2.kanim.local", 4242),
            "tcp:printer-2.kanim.local:4242",
        ),
        ("serial:/dev/ttyUSB0", SerialPrinter("/dev/ttyUSB0", 9600), "serial:/dev/ttyUSB0?baudrate=9600"),
        ("serial:/dev/ttyS1?baudrate=19200", SerialPrinter("/dev/ttyS1", 19200), "serial:/dev/ttyS1?baudrate=19200"),
        ("serial:COM3?baudrate=38400", SerialPrinter("COM3", 38400), "serial:COM3?baudrate=38400"),
        ("file:/dev/usb/lp0", Path("/dev/usb/lp0"), "/dev/usb/lp0"),
        ("file:///dev/usb/lp1", Path("/dev/usb/lp1"), "/dev/usb/lp1"),
        ("/dev/usb/lp0", Path("/dev/usb/lp0"), "/dev/usb/lp0"),  # as before: a bare device or file path
        ("  receipts/out.bin ", Path("receipts/out.bin"), "receipts/out.bin"),
        ("C:\\printer\\out.bin", Path("C:\\printer\\out.bin"), "C:\\printer\\out.bin"),  # a drive letter, not a kind
    ],
)
def test_accepted_forms(text: str, spec: PrinterSpec, canonical: str) -> None:
    parsed = parse_printer(text, "test")
    assert parsed == spec and type(parsed) is type(spec)
    assert str(parsed) == canonical
    assert parse_printer(canonical, "test") == spec  # what the status line shows can be configured back


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "it is empty"),
        ("usb:0416", "give the vendor and product id in hexadecimal, as lsusb shows them"),
        ("usb:0416:5011:0", "give the vendor and product id in hexadecimal"),
        ("usb:vendor:product", "give the vendor and product id in hexadecimal"),
        ("usb:12345:0001", "give the vendor and product id in hexadecimal"),
        ("usb:0416:5011?in_ep=0x100", "in_ep must be a number from 1 to 255, not '0x100'"),
        ("usb:0416:5011?out_ep", "option 'out_ep' needs a value"),
        ("usb:0416:5011?interface=0", "unknown option 'interface'"),
        ("tcp:", "no host name or IPv4 address"),
        ("tcp:printer one", "no host name or IPv4 address"),
        ("tcp:192.168.1.50:0", "port must be a number from 1 to 65535, not '0'"),
        ("tcp:192.168.1.50:http", "port must be a number from 1 to 65535, not 'http'"),
        ("tcp:[fe80::1]:9100", "no host name or IPv4 address"),
        ("serial:", "no serial port"),
        ("serial:/dev/ttyUSB0?baud=9600", "unknown option 'baud'"),
        ("serial:/dev/ttyUSB0?baudrate=fast", "baudrate must be a number from 1 to 4000000, not 'fast'"),
        ("file:", "no path"),
        ("lpt:1", "unknown kind 'lpt'"),
        ("http://printer/", "unknown kind 'http'"),
    ],
)
def test_refusals_name_the_value_and_the_accepted_forms(text: str, problem: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_printer(text, "COUNTER_DESK_PRINTER")
    message = refused.value.message
    assert message.startswith(f"COUNTER_DESK_PRINTER: printer {text!r} not understood ({problem}")
    assert message.endswith(f"; use {PRINTER_FORMS}")
    assert refused.value.exit_code == 2


def test_file_environment_and_precedence(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[printer]\nescpos = "tcp:10.0.0.7"\npaper = "58mm"\n')
    settings = load_settings(env=_env(tmp_path))
    assert (settings.printer, settings.paper) == (NetworkPrinter("10.0.0.7"), "58mm")
    assert load_settings(env=_env(tmp_path, COUNTER_DESK_PRINTER="usb:0416:5011")).printer == UsbPrinter(0x416, 0x5011)
    assert load_settings(env=_env(tmp_path, COUNTER_DESK_PRINTER=" ")).printer == NetworkPrinter("10.0.0.7")

    config.write_text('[printer]\nescpos = "serial:/dev/ttyUSB0:19200"\n')
    match = r"config\.toml \[printer\] escpos: printer 'serial:/dev/ttyUSB0:19200' not understood \(write the speed as"
    with pytest.raises(InvalidInput, match=match):
        load_settings(env=_env(tmp_path))
    config.write_text("[printer]\nescpos = 9100\n")
    with pytest.raises(InvalidInput, match=r"printer 9100 not understood \(not a string\)"):
        load_settings(env=_env(tmp_path))
    config.write_text("[printer]\n")
    assert load_settings(env=_env(tmp_path)).printer is None


def test_a_bad_printer_setting_stops_the_command_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COUNTER_DESK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COUNTER_DESK_PRINTER", "usb:0416")
    assert main(["print", "status"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "COUNTER_DESK_PRINTER: printer 'usb:0416' not understood" in err
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_config_does_not_import_the_printer_backends() -> None:
    """Layers: the settings are plain values; devices/ builds python-escpos's backends from them."""
    code = "import sys, counter_desk.config; print(any(m.startswith(('escpos', 'usb', 'serial')) for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"

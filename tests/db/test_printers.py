"""Receipt printers on every connection python-escpos offers, against stand-in printers made of real sockets and
pseudo-terminals: a TCP server on 127.0.0.1 and a pty pair that take the bytes and answer the ESC/POS real-time
status requests the way a thermal printer does. USB has no device here: an absent printer must fail cleanly.

The printer is the only thing stood in for (the house rule allows it for hardware); python-escpos, pyserial, the
kernel's sockets and ttys, and our code all run for real.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import booking_code
from printer_standins import (
    DLE_EOT_1,
    DLE_EOT_4,
    OFFLINE,
    ONLINE,
    PAPER_NEAR_END,
    PAPER_OK,
    PAPER_OUT,
    PAPER_OUT_AND_NEAR_END,
    PtyPrinter,
    TcpPrinter,
)

from counter_desk.cli import main
from counter_desk.config import NetworkPrinter, SerialPrinter, UsbPrinter
from counter_desk.devices import printer as connection
from counter_desk.devices import printing
from counter_desk.devices.receipt_escpos import render_escpos
from counter_desk.services import receipts
from counter_desk.services.queue import QueueService
from counter_desk.services.receipts import Receipt


@pytest.fixture
def tcp_printer() -> Iterator[TcpPrinter]:
    printer = TcpPrinter()
    yield printer
    printer.stop()


def _test_page() -> Receipt:
    when = dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)
    return receipts.printer_test_page("Kantor Imigrasi Jakarta Selatan", "kanim-jaksel", when, "80mm")


def _escpos(receipt: Receipt, paper: str = "80mm") -> bytes:
    data = render_escpos(receipt, paper)
    # Otherwise the stand-in would answer a status request inside the receipt: the test would prove less.
    assert b"\x10\x04" not in data
    return data


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


# ---------------------------------------------------------------------- network


def test_network_printer_gets_the_receipt_once_and_a_reprint_once_more(tcp_printer: TcpPrinter, tmp_path: Path) -> None:
    receipt = _test_page()
    data = _escpos(receipt)
    assert data.count(b"\x1dV") == 1 and b"\x1d(k" in data and b"\x1dkI" in data  # cut, QR, Code128

    outcome = printing.print_receipt(receipt, pdf_dir=tmp_path, printer=tcp_printer.spec)
    assert (outcome.printer_ok, outcome.printer_error) == (True, None)
    assert outcome.pdf.read_bytes().startswith(b"%PDF")
    tcp_printer.wait_for(lambda: len(tcp_printer.jobs) == 1)
    # The receipt, then the status request whose answer proves the printer took all of it.
    assert tcp_printer.jobs == [data + DLE_EOT_1]

    again = printing.reprint(outcome, printer=NetworkPrinter("localhost", tcp_printer.spec.port))  # a host name
    assert again.printer_ok is True and again.pdf == outcome.pdf
    tcp_printer.stop()
    assert tcp_printer.jobs == [data + DLE_EOT_1] * 2  # one more copy for the one more click, no other


@pytest.mark.parametrize(
    ("online", "paper", "expected"),
    [
        (ONLINE, PAPER_OK, ("online", "ok")),
        (ONLINE, PAPER_NEAR_END, ("online", "low")),
        (OFFLINE, PAPER_OUT, ("offline", "out")),
        (OFFLINE, PAPER_OUT_AND_NEAR_END, ("offline", "out")),
        (OFFLINE, PAPER_OK, ("offline", "ok")),
    ],
)
def test_network_printer_state(online: int, paper: int, expected: tuple[str, str]) -> None:
    printer = TcpPrinter(online, paper)
    try:
        state = printing.printer_state(printer.spec)
        printer.wait_for(lambda: len(printer.jobs) == 1)
    finally:
        printer.stop()
    assert (state.online, state.paper, state.detail) == (*expected, "")
    assert printer.jobs == [DLE_EOT_1 + DLE_EOT_4]  # asked, nothing printed
    assert state.text().startswith(f"Printer tcp:127.0.0.1:{printer.spec.port}: {expected[0]}")


def test_a_printer_that_never_answers_is_unknown_and_still_prints(tmp_path: Path) -> None:
    printer = TcpPrinter(answer=False)
    try:
        started = time.monotonic()
        state = printing.printer_state(printer.spec)
        asked = time.monotonic() - started
        outcome = printing.print_receipt(_test_page(), pdf_dir=tmp_path, printer=printer.spec)
        printer.wait_for(lambda: len(printer.jobs) == 2)
    finally:
        printer.stop()
    assert (state.online, state.paper, state.detail) == ("unknown", "unknown", "no answer to a status request")
    # A ceiling against hanging, not a benchmark: python-escpos's own default would wait 60 s a read.
    assert asked < connection.STATUS_BUDGET + 3
    assert outcome.printer_ok is True  # everything went out; a printer that keeps silent is not a failure
    assert printer.jobs[1] == _escpos(_test_page()) + DLE_EOT_1


def test_out_of_paper_during_the_job_says_so_and_keeps_the_pdf(tmp_path: Path) -> None:
    printer = TcpPrinter(OFFLINE, PAPER_OUT_AND_NEAR_END)
    try:
        outcome = printing.print_receipt(_test_page(), pdf_dir=tmp_path, printer=printer.spec)
    finally:
        printer.stop()
    assert outcome.printer_ok is False and outcome.pdf.is_file()
    assert outcome.printer_error == "out of paper: load paper and the printer prints the receipt it holds"
    assert printer.jobs == [_escpos(_test_page()) + DLE_EOT_1 + DLE_EOT_4]  # sent once, not again


def test_a_printer_that_vanishes_mid_job(tmp_path: Path) -> None:
    printer = TcpPrinter(drop_after=64)
    try:
        outcome = printing.print_receipt(_test_page(), pdf_dir=tmp_path, printer=printer.spec)
    finally:
        printer.stop()
    assert outcome.printer_ok is False and outcome.pdf.read_bytes().startswith(b"%PDF")
    assert outcome.printer_error is not None
    assert outcome.printer_error.startswith("the connection to the printer broke during the job (")
    assert outcome.printer_error.endswith("); part of the receipt may have printed")
    # One attempt, no retry: what arrived before the reset is the start of the one copy (and its status request).
    assert len(printer.jobs) == 1 and (_escpos(_test_page()) + DLE_EOT_1).startswith(printer.jobs[0])
    assert list(tmp_path.iterdir()) == [outcome.pdf]


def test_a_refused_connection_is_offline(tmp_path: Path) -> None:
    spec = NetworkPrinter("127.0.0.1", _free_port())
    state = printing.printer_state(spec)
    assert (state.online, state.paper, state.detail) == ("offline", "unknown", "connection refused")
    outcome = printing.print_receipt(_test_page(), pdf_dir=tmp_path, printer=spec)
    assert (outcome.printer_ok, outcome.printer_error) == (False, "connection refused") and outcome.pdf.is_file()


def test_an_unknown_host_is_offline(tmp_path: Path) -> None:
    spec = NetworkPrinter("receipt-printer.invalid")  # a name that never resolves (RFC 6761)
    state = printing.printer_state(spec)
    # Without a name server the lookup may time out instead; either way within the budget, not the resolver's own.
    assert state.online == "offline" and state.detail in ("unknown host", "no answer (timed out)")
    outcome = printing.print_receipt(_test_page(), pdf_dir=tmp_path, printer=spec)
    assert outcome.printer_ok is False and outcome.pdf.is_file()
    assert outcome.printer_error in ("unknown host", "no answer (timed out)")


# ---------------------------------------------------------------------- serial


def test_serial_printer_on_a_pseudo_terminal(tmp_path: Path) -> None:
    printer = PtyPrinter(ONLINE, PAPER_NEAR_END)
    data = _escpos(_test_page(), "58mm")
    try:
        outcome = printing.print_receipt(_test_page(), pdf_dir=tmp_path, printer=printer.spec, paper="58mm")
        printer.wait_for(lambda: printer.received == data + DLE_EOT_1)
        state = printing.printer_state(printer.spec)
        printer.wait_for(lambda: printer.received == data + DLE_EOT_1 + DLE_EOT_1 + DLE_EOT_4)
    finally:
        printer.stop()
    assert (outcome.printer_ok, outcome.printer_error) == (True, None)
    assert (state.online, state.paper, state.printer) == ("online", "low", f"serial:{printer.path}?baudrate=19200")


def test_serial_printer_offline_and_out_of_paper() -> None:
    printer = PtyPrinter(OFFLINE, PAPER_OUT)
    try:
        state = printing.printer_state(printer.spec)
    finally:
        printer.stop()
    assert (state.online, state.paper) == ("offline", "out")
    assert "offline, paper out" in state.text()


def test_serial_cable_pulled_mid_job(tmp_path: Path) -> None:
    printer = PtyPrinter(drop_after=64)
    try:
        outcome = printing.print_receipt(_test_page(), pdf_dir=tmp_path, printer=printer.spec)
    finally:
        printer.stop()
    assert outcome.printer_ok is False and outcome.pdf.is_file()
    assert outcome.printer_error is not None
    assert outcome.printer_error.startswith("the connection to the printer broke during the job (")
    assert (_escpos(_test_page()) + DLE_EOT_1).startswith(printer.received)  # the start of the one copy, no more

    gone = printing.printer_state(printer.spec)  # the pty is gone with its master
    assert (gone.online, gone.paper) == ("offline", "unknown") and gone.detail


def test_an_absent_serial_port_is_offline(tmp_path: Path) -> None:
    spec = SerialPrinter(str(tmp_path / "ttyUSB9"))
    state = printing.printer_state(spec)
    assert (state.online, state.detail) == ("offline", "No such file or directory")
    outcome = printing.print_receipt(_test_page(), pdf_dir=tmp_path / "pdf", printer=spec)
    assert (outcome.printer_ok, outcome.printer_error) == (False, "No such file or directory")
    assert outcome.pdf.is_file()


# ---------------------------------------------------------------------- USB


def _libusb() -> bool:
    import usb.backend.libusb1  # type: ignore[import-untyped]  # pyusb ships no type information

    return usb.backend.libusb1.get_backend() is not None


def test_an_absent_usb_printer_is_offline_and_keeps_the_pdf(tmp_path: Path) -> None:
    spec = UsbPrinter(0xFFFE, 0xFFF1)  # no such device on any machine running the suite
    expected = (
        "USB printer fffe:fff1 not found: unplugged or switched off?"
        if _libusb()
        else "libusb is not installed (Debian/Ubuntu package libusb-1.0-0)"
    )
    state = printing.printer_state(spec)
    assert (state.printer, state.online, state.paper, state.detail) == ("usb:fffe:fff1", "offline", "unknown", expected)
    outcome = printing.print_receipt(_test_page(), pdf_dir=tmp_path, printer=spec)
    assert (outcome.printer_ok, outcome.printer_error) == (False, expected) and outcome.pdf.is_file()


# ---------------------------------------------------------------------- the command line


def _json(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    out = capsys.readouterr().out
    assert out.count("\n") == 1, out
    result: dict[str, object] = json.loads(out)
    return result


def test_print_commands_on_a_network_printer(  # noqa: PLR0917 - fixtures
    db_url: str,
    queue: QueueService,
    tcp_printer: TcpPrinter,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("COUNTER_DESK_DATA_DIR", str(tmp_path / "data"))
    number = queue.check_in(booking_code(1)).ticket.number
    spec = str(tcp_printer.spec)

    assert main(["--db", db_url, "print", "ticket", number, "--printer", spec, "--json"]) == 0
    printed = _json(capsys)
    assert (printed["number"], printed["printer"], printed["format"]) == (number, spec, "escpos")
    pdf = Path(str(printed["pdf"]))
    assert pdf.parent == tmp_path / "data" / "receipts" and pdf.read_bytes().startswith(b"%PDF")
    tcp_printer.wait_for(lambda: len(tcp_printer.jobs) == 1)
    job = tcp_printer.jobs[0]
    assert job.endswith(DLE_EOT_1) and number.encode() in job and job.count(b"\x1dV") == 1 and b"\x1d(k" in job

    assert main(["--db", db_url, "print", "status", "--printer", spec, "--json"]) == 0
    assert _json(capsys) == {"printer": spec, "online": "online", "paper": "ok", "detail": ""}

    assert main(["--db", db_url, "print", "test-page", "--printer", spec, "--paper", "58mm"]) == 0
    assert capsys.readouterr().out.startswith(f"test page written to {spec} (PDF kept at {tmp_path / 'data'}")
    tcp_printer.wait_for(lambda: len(tcp_printer.jobs) == 3)
    page = tcp_printer.jobs[2]
    assert page.endswith(DLE_EOT_1) and page.count(b"\x1dV") == 1 and b"\x1dkI" in page
    assert receipts.TEST_QR.encode() in page and b"Paper: 58mm" in page

    # The configured printer: --printer alone, and print status without it.
    monkeypatch.setenv("COUNTER_DESK_PRINTER", spec)
    assert main(["--db", db_url, "print", "ticket", number, "--printer"]) == 0
    assert capsys.readouterr().out.startswith(f"ticket {number} written to {spec} (PDF kept at ")
    assert main(["print", "status"]) == 0
    assert capsys.readouterr().out.strip() == f"Printer {spec}: online, paper ok"
    tcp_printer.stop()
    assert len(tcp_printer.jobs) == 5


def test_print_command_failures(
    db_url: str,
    queue: QueueService,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("COUNTER_DESK_DATA_DIR", str(tmp_path / "data"))
    number = queue.check_in(booking_code(1)).ticket.number
    refused = f"tcp:127.0.0.1:{_free_port()}"

    assert main(["--db", db_url, "print", "ticket", number, "--printer", refused]) == 8
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "connection refused" in err
    kept = sorted((tmp_path / "data" / "receipts").iterdir())
    assert len(kept) == 1 and str(kept[0]) in err

    assert main(["--db", db_url, "print", "status", "--printer", refused, "--json"]) == 0
    assert _json(capsys) == {
        "printer": refused,
        "online": "offline",
        "paper": "unknown",
        "detail": "connection refused",
    }

    assert main(["--db", db_url, "print", "ticket", number, "--printer", "usb:04b8", "--json"]) == 2
    error = _json(capsys)
    assert error["code"] == "invalid_input" and "--printer: printer 'usb:04b8' not understood" in str(error["error"])
    assert main(["--db", db_url, "print", "ticket", number, "--printer"]) == 2
    assert "no receipt printer configured" in capsys.readouterr().err
    assert main(["--db", db_url, "print", "ticket", number, "--printer", refused, "--paper", "a6"]) == 2
    assert len(list((tmp_path / "data" / "receipts").iterdir())) == 1  # refused before anything was written

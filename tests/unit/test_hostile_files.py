"""Hostile input that never reaches the database: booking files and scanner payloads refused with one clear line.

Each case was found by trying to break the program (issue 13): it used to end in a traceback, hang, exhaust
memory, or store text that drives a terminal. The database side (nothing written, both engines) is in
tests/db/test_hostile_bookings.py.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from PIL import Image

from counter_desk.devices import imagescan
from counter_desk.devices.scanner import parse_payload
from counter_desk.errors import InvalidInput
from counter_desk.services import bookings_file
from counter_desk.services.bookings_file import RowError, clean_name, clean_nik, parse, read_file, text_value
from counter_desk.services.text import find_refused, printable

GOOD = {"kode_booking": "MP2611250001", "nomor_permohonan": "2026112500000001", "tanggal": "2026-11-25"}


def _json(**extra: str) -> bytes:
    return json.dumps([GOOD | extra]).encode()


def _one_line(exc: pytest.ExceptionInfo[InvalidInput]) -> str:
    message = exc.value.message
    assert message and "\n" not in message
    return message


# -- JSON values, after decoding --------------------------------------------------------------------------------


def test_a_number_of_5000_digits_is_refused_not_a_traceback() -> None:
    data = b'[{"kode_booking": "MP2611250001", "nomor_permohonan": ' + b"9" * 5000 + b', "tanggal": "2026-11-25"}]'
    with pytest.raises(InvalidInput) as exc:
        parse(data)
    assert _one_line(exc) == "the file holds a number of 5000 characters; a booking's values are at most 64"


def test_a_long_fraction_is_refused_too() -> None:
    with pytest.raises(InvalidInput, match="a number of 5002 characters"):
        parse(b'[{"kode_booking": 1.' + b"5" * 5000 + b"}]")


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_json_constants_that_are_not_numbers_are_refused(constant: str) -> None:
    data = b'[{"kode_booking": "MP2611250001", "nomor_permohonan": ' + constant.encode() + b', "tanggal": "x"}]'
    with pytest.raises(InvalidInput, match=f"{constant} is not a number JSON allows"):
        parse(data)


@pytest.mark.parametrize(
    ("escaped", "char"),
    [
        ("\\u0000", "U+0000"),
        ("\\ud800", "U+D800"),  # half a surrogate pair: not text, cannot be stored or printed
        ("\\u001b[2J", "U+001B"),  # ESC: clears the terminal of whoever lists the bookings
        ("\\u009b31m", "U+009B"),  # the one-character CSI
        ("\\u202e", "U+202E"),  # right-to-left override: the name reads backwards
        ("\\u0007", "U+0007"),
    ],
)
def test_escaped_control_characters_are_refused_after_decoding(escaped: str, char: str) -> None:
    raw = json.dumps([GOOD | {"nama": "Budi SECRET"}]).replace("SECRET", escaped).encode()
    assert b"\\u" in raw  # the file itself is plain ASCII: only decoding makes the character

    with pytest.raises(InvalidInput) as exc:
        parse(raw)

    message = _one_line(exc)
    assert message == (
        f"item 1, field 'nama': a control or invalid character ({char}) once decoded; the file is refused, "
        "nothing was imported"
    )
    assert find_refused(message) is None  # the message itself is safe to print


def test_a_control_character_in_a_key_is_refused_and_not_echoed() -> None:
    raw = json.dumps([GOOD | {"x\u001b]0;owned\u0007": "1"}]).encode()
    with pytest.raises(InvalidInput) as exc:
        parse(raw)
    message = _one_line(exc)
    assert "U+001B" in message and find_refused(message) is None


def test_a_control_character_in_a_value_of_the_bookings_wrapper_is_refused() -> None:
    raw = json.dumps({"bookings": [GOOD | {"kode_booking": "MP2611250001\u001b"}]}).encode()
    with pytest.raises(InvalidInput, match=r"U\+001B"):
        parse(raw)


def test_tabs_and_newlines_inside_a_json_value_are_not_control_characters_of_the_file() -> None:
    # JSON escapes them; they are layout, and the name is normalised to single spaces when cleaned.
    source = parse(_json(nama="Budi\tSantoso\nputra"))
    assert clean_name(source.rows[0].values["applicant_name"]) == "Budi Santoso putra"


def test_a_deeply_nested_value_is_refused_without_a_recursion_error() -> None:
    value = "[" * 100_000 + "]" * 100_000
    data = b'[{"kode_booking": ' + value.encode() + b"}]"
    with pytest.raises(InvalidInput, match="nested too deeply"):
        parse(data)


def test_a_nested_value_a_row_error_shows_no_repr_of_it() -> None:
    with pytest.raises(RowError) as exc:
        text_value("name", [[["Budi", "3505123456780001"]]])
    assert exc.value.reason == "name: '[...]' is not a text value"


# -- CSV ------------------------------------------------------------------------------------------------------


def test_a_c1_control_character_in_a_csv_is_refused() -> None:
    text = "kode_booking,nomor_permohonan,tanggal,nama\nMP2611250001,2026112500000001,2026-11-25,Budi\u009b31m\n"
    with pytest.raises(InvalidInput, match=r"control characters \(line 2\)"):
        parse(text.encode())


HEADER = "kode_booking,nomor_permohonan,nama,nik,tanggal,jam\n"


def test_a_name_with_an_unquoted_comma_is_the_column_count_problem_even_with_an_empty_last_value() -> None:
    # The row of the issue: the slot is empty, so the comma's extra value looked like a trailing separator and
    # the name's second half was read as the NIK ("NIK 'InName' is not 16 digits").
    rows = (
        "MP2611250001,2026112500000001,Budi Santoso,3505123456780001,25/11/2026,\n"
        "MP2611250002,2026112500000002,Test,InName,3505123456780002,25/11/2026,\n"
        "MP2611250003,2026112500000003,Siti,3505123456780003,25/11/2026,\n"
    )
    source = parse((HEADER + rows).encode())
    problems = [row.problem for row in source.rows]
    assert problems[0] is None and problems[2] is None
    assert problems[1] is not None and problems[1].startswith("7 values where the header has 6 columns")


def test_a_single_row_with_an_unquoted_comma_is_the_column_count_problem() -> None:
    source = parse((HEADER + "MP2611250002,2026112500000002,Test,InName,3505123456780002,25/11/2026,\n").encode())
    assert source.rows[0].problem is not None and "header has 6 columns" in source.rows[0].problem


def test_rows_padded_by_a_spreadsheet_are_still_read() -> None:
    rows = "".join(f"MP261125000{n},202611250000000{n},Budi,350512345678000{n},25/11/2026,08:00,,\n" for n in (1, 2, 3))
    source = parse((HEADER + rows).encode())
    assert [row.problem for row in source.rows] == [None, None, None]
    assert source.rows[0].values["nik"] == "3505123456780001"


# -- values ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Budi\x1b[31mSantoso", "Budi\x9bSantoso", "Budi\u202eosotnaS", "Budi\x00"])
def test_a_name_with_a_control_character_is_a_row_error(name: str) -> None:
    with pytest.raises(RowError) as exc:
        clean_name(name)
    assert exc.value.reason.startswith("name: a control or invalid character (U+")
    assert "Budi" not in exc.value.reason


def test_a_wrong_nik_is_shown_by_its_shape_never_its_digits() -> None:
    with pytest.raises(RowError) as exc:
        clean_nik("350512345678000")
    assert exc.value.reason == "NIK '999999999999999' is not 16 digits"
    with pytest.raises(RowError) as exc:
        clean_nik("Budi")
    assert "Budi" not in exc.value.reason


def test_a_nik_of_other_digits_than_ascii_is_refused() -> None:
    with pytest.raises(RowError):
        clean_nik("\u0663" * 16)  # ARABIC-INDIC DIGIT THREE: \d would take it


def test_printable_replaces_what_would_drive_a_terminal() -> None:
    assert printable("a\x1b[2Jb\x9b\u202ec\ud800") == "a\ufffd[2Jb\ufffd\ufffdc\ufffd"
    assert printable("Budi Santoso, S.Kom.") == "Budi Santoso, S.Kom."


# -- the file itself ------------------------------------------------------------------------------------------


def test_a_fifo_is_refused_at_once_and_never_blocks(tmp_path: Path) -> None:
    fifo = tmp_path / "bookings.csv"
    os.mkfifo(fifo)
    outcome: list[BaseException | bytes] = []

    def read() -> None:
        try:
            outcome.append(read_file(fifo))
        except InvalidInput as exc:
            outcome.append(exc)

    worker = threading.Thread(target=read, daemon=True)
    worker.start()
    worker.join(timeout=10)
    if worker.is_alive():  # a blocking open: release it by opening the writing end, then fail
        with fifo.open("wb"):
            pass
        worker.join()
        pytest.fail("reading a FIFO blocked")
    [error] = outcome
    assert isinstance(error, InvalidInput)
    assert error.message == (
        f"{fifo} is not a regular file (a folder, a device or a pipe): save the export as a file and import that"
    )


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_an_endless_device_is_refused_before_a_byte_is_read(device: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bookings_file.os, "read", _no_read)
    with pytest.raises(InvalidInput, match="is not a regular file"):
        read_file(Path(device))


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="is not a regular file"):
        read_file(tmp_path)


def _no_read(_fd: int, _size: int) -> bytes:
    raise AssertionError("the file was read")


def test_a_file_too_large_is_refused_by_its_size_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    huge = tmp_path / "export.csv"
    with huge.open("wb") as fh:  # sparse: 1.5 GB that take no disk
        fh.truncate(1536 * 2**20)
    monkeypatch.setattr(bookings_file.os, "read", _no_read)

    with pytest.raises(InvalidInput) as exc:
        read_file(huge)
    assert _one_line(exc) == "the file is too large (1536 MB; at most 20 MB)"


def test_a_file_that_grows_past_the_limit_while_read_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = tmp_path / "export.csv"
    export.write_bytes(b"x" * 100)
    real_read = os.read
    monkeypatch.setattr(bookings_file, "MAX_BYTES", 150)
    # As if another program appended while the import read: every read returns a full chunk.
    monkeypatch.setattr(bookings_file.os, "read", lambda fd, size: real_read(fd, size) or b"y" * 64)
    with pytest.raises(InvalidInput, match="too large"):
        read_file(export)


def test_a_missing_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"cannot read .*missing\.csv: No such file or directory"):
        read_file(tmp_path / "missing.csv")


def test_a_regular_file_is_read_whole_in_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bookings_file, "_READ_CHUNK", 7)
    export = tmp_path / "export.csv"
    export.write_bytes(b"0123456789" * 10)
    assert read_file(export) == b"0123456789" * 10


# -- scanner payloads -----------------------------------------------------------------------------------------


def test_the_nested_arrays_payload_of_the_issue_is_refused_with_a_message_for_the_clerk() -> None:
    payload = '{"id":' + "[" * 1020 + "]" * 1019 + "}"
    assert len(payload) == 2046
    with pytest.raises(InvalidInput) as exc:
        parse_payload(payload)
    assert _one_line(exc) == (
        "the scanned code is not a booking QR (its data is nested too deeply): scan the M-Paspor QR again"
    )


@pytest.mark.parametrize(
    "payload",
    [
        '{"a":' * 300 + "1" + "}" * 300,  # nested objects
        '{"id":[' + "{" * 300 + "}" * 300 + "]}",
        '{"id":' + "[" * 1020,  # never closed
    ],
)
def test_nesting_of_any_kind_is_bounded(payload: str) -> None:
    with pytest.raises(InvalidInput, match="nested too deeply"):
        parse_payload(payload)


def test_brackets_inside_strings_are_not_nesting() -> None:
    assert parse_payload('{"note": "[[[[[[[[{{{{\\"", "kode_booking": "MP2611230001"}') == "MP2611230001"
    with pytest.raises(InvalidInput, match="not a booking code"):  # shallow nesting is parsed, then checked
        parse_payload('{"id": [["MP2611230001"]]}')


@pytest.mark.parametrize("payload", ['{"kode_booking": "MP26\\u001b11230001"}', '{"kode_booking": "MP\\u202e1234"}'])
def test_an_escaped_control_character_in_a_scan_is_not_a_code(payload: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_payload(payload)
    assert find_refused(_one_line(exc)) is None


# -- pictures to decode -----------------------------------------------------------------------------------------


def test_a_picture_fifo_is_refused_and_never_blocks(tmp_path: Path) -> None:
    fifo = tmp_path / "scan.png"
    os.mkfifo(fifo)
    with pytest.raises(InvalidInput, match=r"scan\.png is not an image that can be read"):
        imagescan.decode_file(fifo)


def test_dev_zero_as_a_picture_is_refused_before_a_byte_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imagescan.os, "read", _no_read)
    with pytest.raises(InvalidInput, match="is not an image that can be read"):
        imagescan.decode_file(Path("/dev/zero"))


def test_a_huge_picture_file_is_refused_by_its_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    huge = tmp_path / "photo.jpg"
    with huge.open("wb") as fh:
        fh.truncate(200 * 2**20)
    with pytest.raises(InvalidInput) as exc:
        imagescan.decode_file(huge)
    assert _one_line(exc) == "the picture photo.jpg is too large (200 MB; at most 50 MB)"


def test_a_decompression_bomb_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = tmp_path / "bomb.png"
    Image.new("1", (4000, 4000)).save(bomb)  # a few KB on disk, 16 megapixels once decoded
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1_000_000)
    with pytest.raises(InvalidInput, match=r"bomb\.png is not an image that can be read"):
        imagescan.decode_file(bomb)

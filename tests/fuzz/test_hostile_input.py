"""Hostile input: 100,000 generated inputs for each parser a stranger can reach, and random command lines.

What may come out: a value, or a :class:`~counter_desk.errors.UserError` (a clear message) -- never another
exception. Command lines that fail write nothing. The generator is seeded (reproducible) and mixes pure noise
with mutations of valid inputs, which reach deeper than noise alone.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
from collections.abc import Callable

import pytest
from helpers import snapshot

from counter_desk.cli import build_parser, main
from counter_desk.devices.scanner import CODE, parse_payload
from counter_desk.errors import UserError
from counter_desk.services import bookings_file
from counter_desk.services.pickups import parse_pickup_code, pickup_code
from counter_desk.services.text import find_refused
from counter_desk.store.engine import Database

N = 100_000
ALPHABET = (
    'MP0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_|:/?=&{}[]",;. \t\r\n\x00\x1b\u00e9\u0131\u200b'
)
VALID_PAYLOADS = [
    "MP2611230001",
    "2026112300000001",
    "https://m-paspor.imigrasi.go.id/booking?code=MP2611230001",
    '{"kode_booking": "MP2611230001"}',
    "CDT1|kanim-blitar|2026-11-23|A-001",
    pickup_code("2026112300000001"),
    # Hostile (issue 13): nesting that exhausted json's recursion, escapes that decode to control characters.
    '{"id":' + "[" * 1000 + "]" * 1000 + "}",
    '{"kode_booking": "MP26\\u001b11230001", "x": [[{"y": "\\ud800"}]]}',
]
VALID_CSV = (
    "\ufeffkode_booking;nomor_permohonan;nama;nik;tanggal;jam;layanan\r\n"
    "MP2611250001;2026112500000001;Budi Santoso;3505123456780001;25/11/2026;08:00-09:00;booked\r\n"
)


def _mutate(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _n in range(rng.randint(1, 4)):
        op = rng.random()
        pos = rng.randrange(len(chars) + 1)
        if op < 0.4 and chars:
            chars[min(pos, len(chars) - 1)] = rng.choice(ALPHABET)
        elif op < 0.7:
            chars.insert(pos, rng.choice(ALPHABET))
        elif chars:
            del chars[min(pos, len(chars) - 1)]
    return "".join(chars)


def _inputs(rng: random.Random, valid: list[str]) -> str:
    if rng.random() < 0.5:
        return _mutate(rng, rng.choice(valid))
    return "".join(rng.choice(ALPHABET) for _n in range(rng.randint(0, 80)))


def _only_clear_errors(parse: Callable[[str], object], valid: list[str], seed: int) -> int:
    rng = random.Random(seed)
    accepted = 0
    for _n in range(N):
        raw = _inputs(rng, valid)
        try:
            parse(raw)
            accepted += 1
        except UserError:
            pass
    return accepted


def _scanned_code(raw: str) -> str:
    code = parse_payload(raw)
    assert CODE.fullmatch(code), raw  # whatever is accepted is a plain code: nothing to drive a terminal
    return code


def test_scanner_payloads() -> None:
    accepted = _only_clear_errors(_scanned_code, VALID_PAYLOADS, seed=1)
    assert 0 < accepted < N  # the generator reaches both outcomes


def test_pickup_codes() -> None:
    # A single substitution never passes the check character, so nearly every mutation is refused.
    accepted = _only_clear_errors(parse_pickup_code, VALID_PAYLOADS, seed=2)
    assert accepted < N // 10


HOSTILE_JSON = [
    # Issue 13: escapes that decode to control characters or half a surrogate pair, a 5,000-digit number, NaN,
    # nesting deeper than json's recursion allows; a CSV name with an unquoted comma before an empty last value.
    '[{"kode_booking": "MP1\\u0000", "nomor_permohonan": "1", "nama": "\\u001b[2J\\ud800", "tanggal": "x"}]',
    '[{"kode_booking": "MP1", "nomor_permohonan": ' + "9" * 5000 + ', "tanggal": NaN}]',
    '[{"kode_booking": ' + "[" * 1100 + "]" * 1100 + "}]",
    "kode_booking,nomor_permohonan,nama,nik,tanggal,jam\nMP1234,12345,Test,InName,3505123456780001,2026-11-25,\n",
]


def _values_are_clean(source: bookings_file.SourceFile) -> None:
    """What the parser hands on is refused as a row (RowError) or comes out as text without control characters."""
    for row in source.rows:
        for fieldname, value in row.values.items():
            try:
                cleaned = bookings_file.text_value(fieldname, value)
            except bookings_file.RowError:
                continue
            assert find_refused(cleaned, layout=True) is None, (fieldname, cleaned)


def test_bookings_files() -> None:
    rng = random.Random(3)
    samples = [
        VALID_CSV,
        json.dumps([{"kode_booking": "MP1", "nomor_permohonan": "1", "tanggal": "2026-11-25"}]),
        *HOSTILE_JSON,
    ]
    parsed = 0
    for _n in range(N):
        text = _mutate(rng, rng.choice(samples)) if rng.random() < 0.8 else _inputs(rng, samples)
        data = text.encode("utf-8", "surrogatepass") if rng.random() < 0.9 else rng.randbytes(rng.randint(0, 64))
        try:
            source = bookings_file.parse(data)
            parsed += 1
        except UserError:
            continue
        _values_are_clean(source)
    assert parsed > 0


WORDS = [
    "queue",
    "check-in",
    "call-next",
    "call",
    "recall",
    "start",
    "no-show",
    "return",
    "transfer",
    "finish",
    "status",
    "events",
    "show",
    "print",
    "ticket",
    "pickup",
    "scan",
    "handover",
    "bookings",
    "import",
    "list",
    "rules",
    "set",
    "users",
    "report",
    "dashboard",
    "--station",
    "--ticket",
    "--stage",
    "--json",
    "--walk-in",
    "--category",
    "--reason",
    "--position",
    "--after",
    "--to-stage",
    "--outcome",
    "--from",
    "--to",
    "--date",
    "interview-1",
    "reception-1",
    "adjudicator",
    "elderly",
    "A-001",
    "P-001",
    "front",
    "end",
    "-1",
    "0",
    "99999999999999999999",
    "2026-13-45",
    "MP2611230001",
    "x" * 300,
    "'; DROP TABLE tickets; --",
    "\u00e9",
    "",
]


def test_random_command_lines_parse_or_give_a_usage_error() -> None:
    parser = build_parser()
    rng = random.Random(4)
    for _n in range(N):
        argv = [rng.choice(WORDS) for _w in range(rng.randint(0, 6))]
        with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
            try:
                parser.parse_args(argv)
            except SystemExit as exc:
                assert exc.code in (0, 2), argv


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_random_queue_commands_run_or_fail_cleanly_and_failures_write_nothing(db_url: str, db: Database) -> None:
    rng = random.Random(5)
    verbs = [
        ["check-in", rng.choice(["MP2611230001", "nonsense", ""])],
        ["check-in", "--walk-in", "--category"],
        ["call-next", "--station"],
        ["call", "--ticket", "A-001", "--station", "interview-1", "--reason"],
        ["recall", "--station"],
        ["start", "--station"],
        ["no-show", "--station"],
        ["return", "--position", "front", "--station"],
        ["transfer", "--to-stage", "adjudication", "--station"],
        ["finish", "--station"],
        ["status", "--stage"],
    ]
    values = [
        "interview-1",
        "interview-2",
        "reception-1",
        "adjudicator",
        "elderly",
        "booked",
        "mars",
        "",
        "\x00",
        "A-999",
    ]
    for _n in range(300):
        argv = ["--db", db_url, "queue", *rng.choice(verbs), rng.choice(values)]
        before = snapshot(db)
        with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
            try:
                code = main(argv)
            except SystemExit as exc:
                code = exc.code  # type: ignore[assignment]
        assert code in (0, 2, 3, 4, 5, 6, 7, 8), argv
        if code != 0:
            assert snapshot(db) == before, argv

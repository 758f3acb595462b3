"""The one scanner-payload parser: bare codes, URLs and JSON carrying them; anything else refused clearly."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from counter_desk.devices.scanner import parse_payload
from counter_desk.errors import InvalidInput


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ("MP2611230001", "MP2611230001"),
        ("  2026112300000002\r\n", "2026112300000002"),
        ("\x1dMP2611230001", "MP2611230001"),  # GS1 group separator prefix
        ('{"nomor_permohonan": "2026112300000005"}', "2026112300000005"),
        ('{"Booking_Code": "MP2611230009", "name": "x"}', "MP2611230009"),
        ('{"application_number": 2026112300000007}', "2026112300000007"),
        ("https://m-paspor.example/booking?kode_booking=MP2611230003", "MP2611230003"),
        ("https://m-paspor.example/b/MP2611230004", "MP2611230004"),
        ("https://m-paspor.example/b/MP2611230004/?utm=1", "MP2611230004"),
    ],
)
def test_codes_are_found(payload: str, code: str) -> None:
    assert parse_payload(payload) == code


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("", "empty scan"),
        ("   \r\n", "empty scan"),
        ("abc", "not a booking code"),
        ("%%garbage%%", "not a booking code"),
        ('{"nomor_permohonan": "2026', "cut off"),
        ('{"name": "Budi"}', "not a booking code"),
        ('["MP2611230001"]', "not a booking code"),
        ("https://m-paspor.example/", "not a booking code"),
        ("x" * 3000, "too long"),
        ('{"code": true}', "not a booking code"),
    ],
)
def test_garbage_is_refused_with_a_message(payload: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_payload(payload)


@given(st.text(max_size=300))
def test_any_input_gives_a_code_or_a_clear_error(payload: str) -> None:
    try:
        code = parse_payload(payload)
    except InvalidInput as exc:
        assert exc.message
    else:
        assert 4 <= len(code) <= 64 and code.replace("-", "").isalnum() and code.isascii()

"""The command line speaks the configured language: Bahasa Indonesia by default, English when asked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import LONG_AGO, MONDAY, booking_code

from counter_desk.cli import main


@pytest.fixture
def cli(db_url: str, capsys: pytest.CaptureFixture[str]) -> Any:
    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--db", db_url, *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_errors_and_output_in_indonesian(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COUNTER_DESK_LANG", "id")
    code, out, err = cli("queue", "call-next", "--station", "interview-9")
    assert (code, out) == (3, "")
    assert err.startswith("kesalahan: Loket 'interview-9' tidak ditemukan (yang tersedia: ")
    assert err.count("\n") == 1
    code, out, _ = cli("queue", "call-next", "--station", "interview-1", "--json")
    assert code == 5
    assert json.loads(out) == {"error": "tidak ada pemohon yang menunggu di interview", "code": "empty_queue"}

    code, out, _ = cli("queue", "check-in", "--walk-in", "--category", "lost")
    assert (code, out) == (0, "H-001 menunggu (interview), 0 orang di depan\n")
    code, out, _ = cli("queue", "status", "--stage", "interview")
    assert code == 0
    assert out.startswith("Wawancara (interview): 1 menunggu\n")
    assert "H-001" in out and "menunggu 0 menit" in out and "[interview-1] kosong" in out


def test_a_day_in_a_message_is_written_in_indonesian(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COUNTER_DESK_LANG", "id")
    code, _, err = cli("queue", "check-in", booking_code(1, LONG_AGO))
    assert code == 6
    assert f"pemesanan {booking_code(1, LONG_AGO)} untuk Kamis, 2 Januari 2020, bukan hari ini (" in err


def test_indonesian_is_the_default(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COUNTER_DESK_LANG", raising=False)
    code, _, err = cli("queue", "start", "--station", "interview-1")
    assert code == 4
    assert err == "kesalahan: Loket interview-1 tidak memegang nomor antrean: panggil dulu\n"


def test_english_when_configured(cli: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("COUNTER_DESK_LANG", raising=False)
    config = tmp_path / "config.toml"
    config.write_text('[ui]\nlanguage = "en"\n')
    monkeypatch.setenv("COUNTER_DESK_CONFIG", str(config))
    code, _, err = cli("queue", "start", "--station", "interview-1")
    assert code == 4
    assert err == "error: station interview-1 holds no ticket: call one first\n"


def test_bad_settings_are_reported_in_indonesian(
    cli: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COUNTER_DESK_LANG", "fr")
    code, _, err = cli("queue", "status", "--stage", "interview")
    assert code == 2
    assert err == "kesalahan: bahasa harus salah satu dari id, en, bukan 'fr'\n"
    monkeypatch.setenv("COUNTER_DESK_LANG", "id")
    assert main(["--db", "mysql://x@y/z", "queue", "status", "--stage", "interview"]) == 2
    err = capsys.readouterr().err
    assert err == "kesalahan: --db: basis data 'mysql' tidak didukung; gunakan postgresql:// atau sqlite:///\n"


def test_a_count_takes_the_form_its_language_needs(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """English says "1 booking" and "30 bookings"; Indonesian has one form ("30 booking")."""
    monkeypatch.setenv("COUNTER_DESK_LANG", "en")
    code, out, _ = cli("bookings", "list", "--date", MONDAY.isoformat())
    assert code == 0 and out.startswith("30 bookings on Monday 23 November 2026\n")
    code, out, _ = cli("bookings", "list", "--date", LONG_AGO.isoformat())
    assert code == 0 and out.startswith("1 booking on Thursday 02 January 2020\n")  # the conftest's old booking
    monkeypatch.setenv("COUNTER_DESK_LANG", "id")
    code, out, _ = cli("bookings", "list", "--date", MONDAY.isoformat())
    assert code == 0 and out.startswith("30 booking pada Senin, 23 November 2026\n")
    code, out, _ = cli("bookings", "list", "--date", LONG_AGO.isoformat())
    assert code == 0 and out.startswith("1 booking pada Kamis, 2 Januari 2020\n")

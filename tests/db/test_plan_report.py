"""The PDF report gains the staffing plan of the next working day: its booths per hour, the prediction and the
chart, in Bahasa Indonesia; without bookings for that day, the reason instead; ``--no-plan`` leaves it out."""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import MONDAY

from counter_desk import i18n
from counter_desk.cli import main
from counter_desk.clock import FixedClock
from counter_desk.services import plan, report_pdf, reports, seed
from counter_desk.services.plan.search import schedule_text
from counter_desk.store.engine import Database

TUESDAY = MONDAY + dt.timedelta(days=1)


@pytest.fixture
def indonesian() -> Iterator[None]:
    i18n.set_language("id")
    yield
    i18n.set_language("en")


def _text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_pdf_carries_the_next_working_days_plan(
    db: Database, clock: FixedClock, tmp_path: Path, indonesian: None
) -> None:
    seed.sample_bookings(db, 90, day=TUESDAY, clock=clock, seed=9)
    assert plan.next_working_day(db, MONDAY) == TUESDAY
    rec = plan.plan_day(db, TUESDAY, replications=10)
    report = reports.build(db, MONDAY, MONDAY, clock=clock)
    path = tmp_path / "laporan.pdf"
    path.write_bytes(report_pdf.render(report, rec))
    text = " ".join(_text(path).split())
    assert "Rencana petugas untuk hari kerja berikutnya" in text
    assert "Rencana untuk Selasa, 24 November 2026" in text
    assert f"loket wawancara yang disarankan: {schedule_text(rec.prediction.staffing)}" in text
    assert "Perkiraan waktu tunggu wawancara per jam" in text
    assert "Permohonan M-Paspor" in text  # the category by its name, not its code
    assert "15,0" in text  # the target in minutes with a decimal comma
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(report_pdf.render(report))
    assert "Rencana petugas" not in _text(plain)


def test_the_cli_says_why_there_is_no_plan(
    db_url: str, tmp_path: Path, indonesian: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The CLI runs on the real clock: its next working day has no bookings in the test database.
    monkeypatch.setenv("COUNTER_DESK_LANG", "id")
    path = tmp_path / "laporan.pdf"
    assert main(["--db", db_url, "report", "--from", MONDAY.isoformat(), "--pdf", str(path)]) == 0
    text = " ".join(_text(path).split())
    assert "Rencana petugas untuk hari kerja berikutnya" in text
    assert "belum ada booking yang diimpor untuk" in text
    bare = tmp_path / "tanpa.pdf"
    assert main(["--db", db_url, "report", "--from", MONDAY.isoformat(), "--pdf", str(bare), "--no-plan"]) == 0
    assert "Rencana petugas" not in _text(bare)

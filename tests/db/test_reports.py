"""Reports against the simulated morning worked out by hand (tests/dashboard_day.py), on both engines.

Waits at the interview: 10, 45, 5, 20 min = 600, 2700, 300, 1200 s. Sorted 300, 600, 1200, 2700: mean 1200, median
900, 90th percentile at rank 0.9 x 3 = 2.7: 1200 + 0.7 x 1500 = 2250. Services 480 and 600 s: mean and median
540, P90 480 + 0.9 x 120 = 588. Within the 15-minute target: 600 and 300 s, 2 of 4.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
from pathlib import Path

import pytest
from conftest import LONG_AGO, MONDAY
from dashboard_day import at, simulate_day
from helpers import snapshot

from counter_desk import i18n
from counter_desk.cli import main
from counter_desk.cli.report_cmd import csv_bytes
from counter_desk.clock import FixedClock
from counter_desk.errors import InvalidInput
from counter_desk.services import report_pdf, reports
from counter_desk.services.reports import Stats
from counter_desk.store import chain
from counter_desk.store.engine import Database


def test_stats_by_hand() -> None:
    assert Stats.of([]) == Stats(0, None, None, None)
    assert Stats.of([7.0]) == Stats(1, 7.0, 7.0, 7.0)
    s = Stats.of([10, 20, 30, 40, 50, 60, 70, 80, 90, 100])
    assert (s.count, s.mean, s.median, s.p90) == (10, 55, 55, pytest.approx(91))


def test_the_simulated_morning(db: Database, clock: FixedClock) -> None:
    simulate_day(db, clock)
    r = reports.build(db, MONDAY, MONDAY, clock=clock)
    assert (r.tickets, r.served, r.no_shows, r.hours, r.days) == (4, 2, 1, [8, 9], 1)
    stages = {s.code: s for s in r.stages}

    i = stages["interview"]
    assert (i.arrivals, i.calls, i.served, i.no_shows, i.no_shows_not_returned) == (4, 4, 2, 1, 0)
    assert (i.wait.count, i.wait.mean, i.wait.median, i.wait.p90) == pytest.approx((4, 1200, 900, 2250), abs=0.01)
    assert (i.service.count, i.service.mean, i.service.median, i.service.p90) == pytest.approx(
        (2, 540, 540, 588), abs=0.01
    )
    # A-002 still waits at 09:40: never called, it counts as not within target (2 of 5 queue entries).
    assert (i.within_target, i.never_called, i.within_target_share) == (2, 1, 0.4)
    assert i.arrivals_by_hour == {8: 4, 9: 0}
    assert i.wait_by_hour == pytest.approx({8: 1650, 9: 750}, abs=0.01)

    a = stages["adjudication"]
    assert (a.arrivals, a.calls, a.served, a.no_shows) == (1, 1, 1, 0)
    assert (a.wait.mean, a.wait.p90, a.service.median) == pytest.approx((1200, 1200, 1200), abs=0.01)
    assert (a.within_target, a.within_target_share) == (1, 1.0)
    assert a.arrivals_by_hour == {8: 1, 9: 0} and a.wait_by_hour[8] is None

    p = stages["pickup"]
    assert (p.arrivals, p.wait, p.within_target_share) == (0, Stats(0, None, None, None), None)

    officers = [(o.username, o.calls, o.served, o.no_shows, o.out_of_order_calls) for o in r.officers]
    assert officers == [
        ("ajudikator", 1, 1, 0, 0),
        ("kasi", 0, 0, 0, 1),
        ("wawancara1", 2, 2, 0, 1),
        (None, 2, 0, 1, 0),
    ]
    assert r.officers[2].service.mean == pytest.approx(540, abs=0.01)

    # Every reordering, with who and why: the call out of turn, and the supervisor putting A-001 at the front.
    assert [(c.at, c.kind, c.number, c.stage, c.station, c.officer, c.reason) for c in r.out_of_order] == [
        (at(9, 0), "call", "A-003", "interview", "interview-1", "wawancara1", "kursi roda"),
        (at(9, 10), "return", "A-001", "interview", None, "kasi", "datang kembali"),
    ]
    # The header's "served" agrees with the stage rows: applicants served anywhere, never below a stage's figure.
    assert r.served == i.served == 2 and all(s.served <= r.served for s in r.stages)
    json.dumps(r.to_json())  # serialisable


def test_a_call_by_number_in_turn_is_not_out_of_order_and_open_no_shows_count(db: Database, clock: FixedClock) -> None:
    q = simulate_day(db, clock)
    clock.set(at(9, 45))
    q.no_show("interview-2")  # A-001 again, never put back this time
    q.call("A-002", "interview-1", "dipanggil manual", user="wawancara1")  # the head of the queue anyway
    r = reports.build(db, MONDAY, MONDAY, clock=clock)
    assert [c.number for c in r.out_of_order] == ["A-003", "A-001"]  # the in-turn call of A-002 is not there
    interview = next(s for s in r.stages if s.code == "interview")
    assert (interview.no_shows, interview.no_shows_not_returned, interview.calls) == (2, 1, 5)


def test_days_are_picked_by_the_ticket_day(db: Database, clock: FixedClock) -> None:
    simulate_day(db, clock)
    old = reports.build(db, LONG_AGO, LONG_AGO, clock=clock)
    assert (old.tickets, old.served, old.hours) == (1, 1, [10])
    interview = next(s for s in old.stages if s.code == "interview")
    assert (interview.wait.mean, interview.service.mean) == pytest.approx((1800, 600), abs=0.01)
    assert [(o.username, o.calls, o.served) for o in old.officers] == [("wawancara1", 1, 1)]
    empty = reports.build(db, MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=7), clock=clock)
    assert (empty.tickets, empty.hours, empty.officers, empty.out_of_order) == (0, [], [], [])


def test_bad_ranges() -> None:
    with pytest.raises(InvalidInput, match="is after"):
        reports.check_range(MONDAY, MONDAY - dt.timedelta(days=1))
    with pytest.raises(InvalidInput, match="at most 366 days"):
        reports.check_range(LONG_AGO, MONDAY)
    with pytest.raises(InvalidInput, match="YYYY-MM-DD"):
        reports.parse_day("23/11/2026", "--from")


def test_csv_rows_parse_back(db: Database, clock: FixedClock) -> None:
    simulate_day(db, clock)
    r = reports.build(db, MONDAY, MONDAY, clock=clock)
    rows = list(csv.DictReader(io.StringIO(csv_bytes(r).decode("utf-8"))))
    assert list(rows[0]) == list(reports.CSV_COLUMNS)

    def value(section: str, metric: str, **where: str) -> str:
        found = [
            row["value"]
            for row in rows
            if row["section"] == section and row["metric"] == metric and all(row[k] == v for k, v in where.items())
        ]
        assert len(found) == 1, (section, metric, where, found)
        return found[0]

    assert value("office", "tickets") == "4"
    assert value("stage", "wait_p90_s", stage="interview") == "2250"
    assert value("stage", "service_p90_s", stage="interview") == "588"
    assert value("stage", "within_target_share", stage="interview") == "0.4"
    assert value("stage", "never_called", stage="interview") == "1"
    assert value("stage", "wait_mean_s", stage="pickup") == ""
    assert value("stage_hour", "wait_mean_s", stage="interview", hour="8") == "1650"
    assert value("officer", "out_of_order_calls", officer="wawancara1") == "1"
    assert value("officer", "calls", officer="") == "2"
    ooo = [row for row in rows if row["section"] == "out_of_order"]
    assert [(row["metric"], row["ticket"], row["officer"], row["time"], row["note"]) for row in ooo] == [
        ("call", "A-003", "wawancara1", "2026-11-23T09:00:00+07:00", "kursi roda"),
        ("return", "A-001", "kasi", "2026-11-23T09:10:00+07:00", "datang kembali"),
    ]


@pytest.fixture
def report_pdf_file(db: Database, clock: FixedClock, tmp_path: Path) -> Path:
    simulate_day(db, clock)
    i18n.set_language("id")
    r = reports.build(db, MONDAY, MONDAY, clock=clock)
    path = tmp_path / "laporan.pdf"
    path.write_bytes(report_pdf.render(r, chain_head=chain.head_hash(db)))
    return path


def test_pdf_reads_back_in_indonesian_on_a4(report_pdf_file: Path, tmp_path: Path) -> None:
    text = subprocess.run(
        ["pdftotext", "-layout", str(report_pdf_file), "-"], capture_output=True, text=True, check=True
    ).stdout
    for wanted in (
        "Laporan Layanan Antrean",
        "Kantor Imigrasi Kelas II Non TPI Blitar",
        "Senin, 23 November 2026",
        "Wawancara",
        "Ajudikasi",
        "20,0",  # interview mean wait in minutes, Indonesian decimal comma
        "37,5",  # its P90 (2250 s)
        "40% (2 dari 5)",  # 2 of 5 queue entries within target: A-002 was never called, so it is not within
        "tidak pernah dipanggil dihitung tidak dalam target",
        "dipanggil di luar",  # A-003's call by number: the kind of each reordering (the cell wraps)
        "dikembalikan ke",  # A-001 put back at the front by the supervisor
        "Kepala rantai hash",
        "kursi roda",
        "A-003",
        "Petugas Wawancara 1 (wawancara1)",
        "Kedatangan per jam",
    ):
        assert wanted in text, wanted
    info = subprocess.run(["pdfinfo", str(report_pdf_file)], capture_output=True, text=True, check=True).stdout
    assert "595.276 x 841.89 pts (A4)" in info
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(report_pdf_file), str(tmp_path / "p")], check=True
    )
    page = next(tmp_path.glob("p*.png"))
    assert page.stat().st_size > 5000


# -- the command line ---------------------------------------------------------------------------------------------


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_writes_pdf_and_csv(
    db_url: str, clock: FixedClock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = Database.connect(db_url)
    simulate_day(db, clock)
    db.dispose()
    pdf, table = tmp_path / "r.pdf", tmp_path / "r.csv"
    code, out, _err = _run(
        capsys,
        "--db",
        db_url,
        "report",
        "--from",
        "2026-11-23",
        "--to",
        "2026-11-23",
        "--pdf",
        str(pdf),
        "--csv",
        str(table),
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["tickets"] == 4 and data["files"] == [str(pdf), str(table)]
    db = Database.connect(db_url)
    try:  # the head of the event log's hash chain, for a copy kept elsewhere (db verify proves the past against it)
        assert data["chain_head"] == chain.head_hash(db) and data["chain_head"].startswith("events #")
    finally:
        db.dispose()
    assert pdf.read_bytes().startswith(b"%PDF") and table.read_text(encoding="utf-8").startswith("section,stage")
    code, out, _err = _run(capsys, "--db", db_url, "report", "--from", "2026-11-23")
    assert code == 0 and "4 tickets" in out and "Interview" not in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--from", "2026-11-24", "--to", "2026-11-23"], "is after"),
        (["--from", "23-11-2026"], "not a date"),
        (["--from", "2026-02-30"], "not a date"),
        (["--from", "2026-11-23", "--pdf", "{tmp}/no/such/folder/r.pdf"], "does not exist"),
        (["--from", "2026-11-23", "--csv", "{tmp}"], "is a folder"),
        (["--from", "2026-11-23", "--csv", "/proc/r.csv"], "cannot write /proc/r.csv"),  # even root cannot
    ],
)
def test_cli_bad_input_writes_nothing(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    db = Database.connect(db_url)
    before = snapshot(db)
    argv = [a.replace("{tmp}", str(out_dir)) for a in argv]
    # A good --pdf beside the bad option: it must not be written either.
    extra = [] if "--pdf" in argv else ["--pdf", str(out_dir / "ok.pdf")]
    code, out, err = _run(capsys, "--db", db_url, "report", *argv, *extra)
    assert code == 2, (out, err)
    assert message in err, err
    assert list(out_dir.iterdir()) == []
    assert snapshot(db) == before
    db.dispose()

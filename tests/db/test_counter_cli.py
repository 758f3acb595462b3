"""Issue 14's use cases from the command line, and issue 13's two queue-CLI items: a huge ``--after`` is a clear
error, and a retry after an ambiguous commit (the connection dropped after COMMIT reached the server) replays
instead of issuing a second walk-in ticket."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from tcpproxy import Proxy

from counter_desk.cli import main
from counter_desk.errors import DatabaseUnavailable
from counter_desk.services import rules
from counter_desk.services.queue import QueueService
from counter_desk.store.engine import Database


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _tickets(db: Database) -> list[str]:
    with db.read() as s:
        return list(s.scalars(text("SELECT number FROM tickets ORDER BY id")))


@pytest.mark.parametrize("after", ["99999999999999999999", "9223372036854775808"])
def test_events_after_a_huge_number_is_a_clear_error(
    db_url: str, capsys: pytest.CaptureFixture[str], after: str
) -> None:
    code, out, err = _run(capsys, "--db", db_url, "queue", "events", "--after", after)
    assert (code, out) == (2, "")
    assert err.strip() == "error: --after must be at most 9223372036854775807 and --limit at most 100000"
    code, out, _err = _run(capsys, "--db", db_url, "queue", "events", "--after", "9223372036854775807", "--json")
    assert code == 0 and json.loads(out)["events"] == []


def test_override_park_pause_and_dashboard_from_the_command_line(
    db_url: str, db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--db", db_url, "queue"]
    # The CLI runs on the real clock: whatever the hour, a supervisor's override lets the walk-in through.
    code, _out, err = _run(capsys, *base, "check-in", "--walk-in", "--category", "elderly", "--override")
    assert code == 2 and "--override needs --user" in err
    code, out, err = _run(
        capsys, *base, "check-in", "--walk-in", "--category", "elderly", "--override-by", "penerimaan1"
    )
    assert code != 0 and "needs the role supervisor" in err and _tickets(db) == []
    code, out, _err = _run(
        capsys, *base, "check-in", "--walk-in", "--category", "elderly", "--override", "--user", "kasi", "--json"
    )
    assert code == 0 and json.loads(out)["number"] == "P-001"
    rules.update(db, None, {"no_show_after_seconds": 0})
    assert _run(capsys, *base, "call-next", "--station", "interview-1")[0] == 0
    code, out, _err = _run(capsys, *base, "park", "--station", "interview-1", "--reason", "fotokopi KK")
    assert (code, out.strip()) == (0, "P-001 parked (interview at interview-1)")
    code, out, _err = _run(capsys, *base, "pause", "--station", "interview-1", "--reason", "prayer", "--json")
    assert code == 0 and (json.loads(out)["reason"], json.loads(out)["until"]) == ("prayer", None)
    code, _out, err = _run(capsys, *base, "resume", "--station", "interview-1")
    assert code == 4 and "is paused (prayer)" in err
    code, out, _err = _run(capsys, *base, "estimate")
    assert re.search(r"Wawancara\s+0 waiting, 0 open, wait unknown \(1 paused\)", out), out
    code, out, _err = _run(capsys, "--db", db_url, "dashboard")
    assert "interview-1: paused (prayer) 1 set aside" in out
    code, out, _err = _run(capsys, *base, "status", "--station", "interview-1")
    assert "[interview-1] paused (prayer); set aside: P-001" in out
    code, out, _err = _run(capsys, *base, "status", "--stage", "interview", "--json")
    [booth] = [st for st in json.loads(out)["stations"] if st["station"] == "interview-1"]
    assert (booth["pause_reason"], booth["parked"], booth["ticket"]) == ("prayer", ["P-001"], None)
    assert _run(capsys, *base, "unpause", "--station", "interview-1")[0] == 0
    code, out, _err = _run(capsys, *base, "resume", "--station", "interview-1")
    assert (code, out.strip()) == (0, "P-001 called (interview at interview-1)")


def test_dashboard_states_are_indonesian(
    db_url: str, db: Database, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COUNTER_DESK_LANG", "id")
    rules.update(db, None, {"checkin_hours": "allow"})
    _run(capsys, "--db", db_url, "queue", "check-in", "--walk-in", "--category", "elderly")
    _run(capsys, "--db", db_url, "queue", "call-next", "--station", "interview-2")
    _run(capsys, "--db", db_url, "queue", "pause", "--station", "interview-3", "--reason", "system")
    code, out, _err = _run(capsys, "--db", db_url, "dashboard")
    stations = dict(line.strip().split(": ", 1) for line in out.splitlines() if re.match(r"\s+[a-z]+-?\d*: ", line))
    assert code == 0
    assert stations["interview-1"] == "kosong"
    assert stations["interview-2"].startswith("dipanggil P-001")
    assert stations["interview-3"] == "jeda (gangguan sistem)"
    assert not re.search(r"\b(idle|called|serving|paused)\b", out)


@pytest.mark.slow
def test_a_retry_after_an_ambiguous_commit_issues_one_walk_in(pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Cut the line at every point of ``queue check-in`` (the connection through a proxy); each cut prints the
    command's token, the retry with it issues the ticket once (or replays the one the first attempt committed)."""
    url = make_url(pg_url)
    assert url.port is not None
    direct = Database.connect(pg_url)
    rules.update(direct, None, {"checkin_hours": "allow"})
    proxy = Proxy(url.port, url.host or "127.0.0.1")
    proxied = url.set(port=proxy.port).render_as_string(hide_password=False)
    replays = whole = 0
    try:
        for point in range(1, 200):
            before = len(_tickets(direct))
            proxy.cut_after(point, forward=True)
            code, out, err = _run(capsys, "--db", proxied, "queue", "check-in", "--walk-in", "--category", "lost")
            proxy.disarm()
            if code == 0:
                assert len(_tickets(direct)) == before + 1
                whole += 1
                if whole == 5:  # the whole command fits before these points: every point has been cut
                    break
                continue
            assert code == 7, err
            found = re.search(r"--token (cli-[0-9a-f]{32})", err)
            assert found is not None and "it never acts twice" in err, err
            code, out, err = _run(
                capsys, "--db", proxied, "queue", "check-in", "--walk-in", "--category", "lost", "--token", found[1]
            )
            assert code == 0, err
            replays += "repeated request" in out
            assert len(_tickets(direct)) == before + 1, f"cut at chunk {point}: {_tickets(direct)}"
    finally:
        proxy.close()
        direct.dispose()
    # Whether a cut lands after the server committed depends on timing (the proxy's hang-up may reset the line before
    # the server reads COMMIT); the next test makes that case certain.
    print("replayed after a cut:", replays)


def test_the_retry_the_cli_prints_after_a_commit_it_did_not_hear_of_replays(
    db_url: str, db: Database, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ambiguous commit made certain: the check-in commits, then the connection "drops" before the answer."""
    rules.update(db, None, {"checkin_hours": "allow"})
    real = QueueService.check_in

    def committed_then_lost(self: QueueService, *args: object, **kwargs: object) -> object:
        real(self, *args, **kwargs)  # type: ignore[arg-type]
        raise DatabaseUnavailable("the database cannot be reached; the action may not have been saved, try it again")

    monkeypatch.setattr(QueueService, "check_in", committed_then_lost)
    monkeypatch.setattr("sys.argv", ["/usr/bin/counter-desk"])  # as the installed program: the exact command
    argv = ["--db", db_url, "queue", "check-in", "--walk-in", "--category", "elderly", "--station", "reception-1"]
    code, out, err = _run(capsys, *argv)
    assert (code, out, _tickets(db)) == (7, "", ["P-001"])
    assert "Whether it was saved is unknown: run exactly this again (it never acts twice): counter-desk " in err
    found = re.search(r"--token (cli-[0-9a-f]{32})", err)
    assert found is not None
    monkeypatch.setattr(QueueService, "check_in", real)
    code, out, err = _run(capsys, *argv, "--token", found[1])
    assert code == 0 and "P-001" in out and "repeated request: nothing new done" in out
    assert _tickets(db) == ["P-001"]  # one walk-in, not two
    # Without the exact command line (a script calling main()), the message names the option and the token.
    monkeypatch.setattr(QueueService, "check_in", committed_then_lost)
    monkeypatch.setattr("sys.argv", ["pytest"])
    code, _out, err = _run(capsys, *argv)
    assert code == 7 and re.search(
        r"run the same command again with --token cli-[0-9a-f]{32} \(it never acts twice\)", err
    )


@pytest.mark.parametrize("value", ["Selamat \x1b[2J datang", "tab\there", "\u202eevil"])
def test_rules_set_refuses_control_characters(
    db_url: str, db: Database, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    before = rules.current(db)["display_text"]
    code, out, err = _run(capsys, "--db", db_url, "rules", "set", "display_text", value)
    assert (code, out) == (2, "")
    assert re.fullmatch(r"error: display_text: control character U\+[0-9A-F]{4} is not allowed; type plain text\n", err)
    assert "\x1b" not in err and rules.current(db)["display_text"] == before

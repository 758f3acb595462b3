"""``counter-desk users ...`` on both engines: passwords from stdin only, roles, unlock, disable, list."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from sqlalchemy import text

from counter_desk.cli import main
from counter_desk.services import auth
from counter_desk.store.engine import Database


@pytest.fixture
def cli(db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Any:
    def run(*args: str, stdin: str | None = None) -> tuple[int, Any, str]:
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(["--db", db_url, *args])
        out, err = capsys.readouterr()
        if "--json" in args:
            lines = out.strip().splitlines()
            assert len(lines) == 1, f"--json must print exactly one line, got {out!r}"
            return code, json.loads(lines[0]), err
        return code, out, err

    return run


def _users(db: Database) -> list[Any]:
    with db.read() as s:
        return s.execute(text("SELECT * FROM users ORDER BY id")).all()


def test_set_a_seeded_officers_password_and_sign_in(cli: Any, db: Database) -> None:
    code, view, _ = cli("users", "passwd", "kasi", "--password-stdin", "--json", stdin="kantor-blitar-1\n")

    assert code == 0 and view["has_password"] is True
    assert auth.authenticate(db, "kasi", "kantor-blitar-1").username == "kasi"


def test_add_roles_unlock_disable_and_list(cli: Any, db: Database) -> None:
    code, view, _ = cli(
        "users", "add", "loket3", "--name", "Petugas Loket 3", "--roles", "reception,pickup", "--password-stdin",
        "--user", "kasi", "--json", stdin="kantor-blitar-3\r\n",
    )  # fmt: skip
    assert code == 0 and view["roles"] == ["reception", "pickup"]
    assert auth.authenticate(db, "loket3", "kantor-blitar-3").roles == {"reception", "pickup"}

    code, view, _ = cli("users", "roles", "loket3", "--add", "interview", "--remove", "pickup", "--json")
    assert code == 0 and view["roles"] == ["reception", "interview"]
    code, out, _ = cli("users", "roles", "loket3")
    assert code == 0 and "reception, interview" in out

    code, view, _ = cli("users", "unlock", "loket3", "--json")
    assert code == 0 and view["locked_until"] is None
    code, view, _ = cli("users", "disable", "loket3", "--json")
    assert code == 0 and view["active"] is False
    code, listing, _ = cli("users", "list", "--json")
    assert {u["username"]: u["active"] for u in listing["users"]}["loket3"] is False
    code, out, _ = cli("users", "list")
    assert "loket3" in out and "[disabled]" in out


def test_no_officer_without_a_terminal_or_stdin_password(cli: Any, db: Database) -> None:
    before = _users(db)
    code, _out, err = cli("users", "add", "baru", "--name", "Baru", "--roles", "reception", stdin="")
    assert code == 2 and "use --password-stdin" in err
    code, _out, err = cli("users", "passwd", "kasi", "--password-stdin", stdin="")
    assert code == 2 and "no password on standard input" in err
    code, _out, err = cli("users", "passwd", "kasi", "--password-stdin", stdin="short\n")
    assert code == 2 and "at least 8 characters" in err
    assert _users(db) == before


def test_a_password_is_never_an_argument(cli: Any) -> None:
    with pytest.raises(SystemExit) as exited:
        cli("users", "passwd", "kasi", "--password", "kantor-blitar-1")
    assert exited.value.code == 2


def test_errors_name_what_is_wrong(cli: Any, db: Database) -> None:
    before = _users(db)
    code, err, _ = cli("users", "roles", "penerimaan1", "--set", "boss", "--json")
    assert code == 2 and err == {"error": err["error"], "code": "invalid_input"} and "unknown role boss" in err["error"]
    code, err, _ = cli("users", "disable", "nobody", "--json")
    assert code == 3 and err["code"] == "not_found"
    code, err, _ = cli("users", "disable", "wawancara1", "--user", "penerimaan1", "--json")
    assert code == 8 and err["code"] == "not_allowed"
    assert _users(db) == before

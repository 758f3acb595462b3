"""Settings: file < environment < flags, the default SQLite file, and refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from counter_desk.config import load_settings
from counter_desk.errors import InvalidInput


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "COUNTER_DESK_CONFIG": str(tmp_path / "config.toml"),
        "COUNTER_DESK_DATA_DIR": str(tmp_path / "data"),
        **extra,
    }


def test_defaults_to_a_sqlite_file_in_the_platform_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    s = load_settings(env={})
    assert s.db_url == f"sqlite:///{tmp_path / 'xdg-data' / 'counter-desk' / 'counter-desk.sqlite3'}"
    assert s.config_file == tmp_path / "xdg-config" / "counter-desk" / "config.toml"
    assert s.db_is_default
    assert s.language == "id"


def test_file_then_environment_then_flag(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        '[database]\nurl = "sqlite:////srv/file.sqlite3"\n[office]\ncode = "kanim-blitar"\n'
        '[station]\ncode = "interview-2"\n[ui]\nlanguage = "en"\n'
    )
    s = load_settings(env=_env(tmp_path))
    assert (s.db_url, s.office, s.station, s.language) == (
        "sqlite:////srv/file.sqlite3",
        "kanim-blitar",
        "interview-2",
        "en",
    )
    assert not s.db_is_default
    s = load_settings(env=_env(tmp_path, COUNTER_DESK_DB_URL="postgresql://cd@db/cd", COUNTER_DESK_STATION="pickup"))
    assert (s.db_url, s.station) == ("postgresql://cd@db/cd", "pickup")
    s = load_settings(
        db="sqlite:////tmp/flag.sqlite3",
        station="adjudicator",
        env=_env(tmp_path, COUNTER_DESK_DB_URL="postgresql://cd@db/cd"),
    )
    assert (s.db_url, s.station) == ("sqlite:////tmp/flag.sqlite3", "adjudicator")


def test_password_in_a_world_readable_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[database]\nurl = "postgresql://cd:secret@db/cd"\n')
    path.chmod(0o644)
    with pytest.raises(InvalidInput, match="chmod 600") as err:
        load_settings(env=_env(tmp_path))
    assert "secret" not in str(err.value)
    path.chmod(0o600)
    assert load_settings(env=_env(tmp_path)).db_url == "postgresql://cd:secret@db/cd"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[database\nurl=", "not valid TOML"),
        ('database = "x"', r"\[database\] must be a table"),
        ('[database]\nurl = "mysql://x@y/z"', "unsupported database 'mysql'"),
        ('[database]\nurl = "not a url"', "is not a database URL"),
        ('[ui]\nlanguage = "fr"', "language must be one of id, en"),
    ],
)
def test_bad_config_files_name_the_problem(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "config.toml").write_text(content)
    with pytest.raises(InvalidInput, match=message):
        load_settings(env=_env(tmp_path))


def test_an_explicit_config_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="does not exist"):
        load_settings(config=tmp_path / "missing.toml", env={})
    # The default location may be missing: first start.
    assert load_settings(env=_env(tmp_path) | {"COUNTER_DESK_CONFIG": ""}).db_is_default


def test_printer_and_scanner_settings(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        '[printer]\nescpos = "/dev/usb/lp0"\npaper = "58mm"\n[scanner]\nserial_port = "/dev/ttyACM0"\nbaud = 19200\n'
    )
    s = load_settings(env=_env(tmp_path))
    assert (s.printer, s.paper, s.scanner_port, s.scanner_baud) == (Path("/dev/usb/lp0"), "58mm", "/dev/ttyACM0", 19200)
    assert load_settings(env=_env(tmp_path, COUNTER_DESK_PRINTER="/dev/usb/lp1")).printer == Path("/dev/usb/lp1")
    (tmp_path / "config.toml").write_text('[printer]\npaper = "A4"\n')
    with pytest.raises(InvalidInput, match="paper must be 80mm or 58mm"):
        load_settings(env=_env(tmp_path))
    (tmp_path / "config.toml").write_text("[scanner]\nbaud = -1\n")
    with pytest.raises(InvalidInput, match="baud must be a positive number"):
        load_settings(env=_env(tmp_path))


def test_station_switches_sign_in_and_error_sound(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("[station]\n")
    settings = load_settings(env=_env(tmp_path))
    assert (settings.sign_in, settings.error_sound) == (True, True)
    (tmp_path / "config.toml").write_text("[station]\nsign_in = false\nerror_sound = false\n")
    settings = load_settings(env=_env(tmp_path))
    assert (settings.sign_in, settings.error_sound) == (False, False)
    settings = load_settings(env=_env(tmp_path, COUNTER_DESK_ERROR_SOUND="1", COUNTER_DESK_SIGN_IN="yes"))
    assert (settings.sign_in, settings.error_sound) == (True, True)
    (tmp_path / "config.toml").write_text('[station]\nerror_sound = "loud"\n')
    with pytest.raises(InvalidInput, match=r"\[station\] error_sound must be true or false, not 'loud'"):
        load_settings(env=_env(tmp_path))


def test_a_standby_pair_in_libpq_form_is_accepted(tmp_path: Path) -> None:
    """Two servers (primary and hot standby) in libpq's comma form, as docs/RELIABILITY.md shows."""
    url = "postgresql://penerimaan1@pc1:5432,pc2:5432/office"
    (tmp_path / "config.toml").write_text(f'[database]\nurl = "{url}"\n')
    assert load_settings(env=_env(tmp_path)).db_url == url

"""Officers on both engines: argon2 passwords, sign-in, lockout, roles, and the audit of every sign-in."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import text

from counter_desk.clock import FixedClock
from counter_desk.errors import Conflict, InvalidInput, NotFound
from counter_desk.services import auth, roles, rules
from counter_desk.services.auth import Officer, SignInFailed
from counter_desk.services.roles import NotAllowed
from counter_desk.store.engine import Database

PASSWORD = "rahasia-kantor-1"


def _audit(db: Database) -> list[dict[str, Any]]:
    with db.read() as s:
        rows = s.execute(text("SELECT * FROM audit_log ORDER BY id")).mappings().all()
    out = [dict(r) for r in rows]
    for row in out:
        if isinstance(row["detail"], str):
            row["detail"] = json.loads(row["detail"])
    return out


def _users(db: Database) -> list[Any]:
    with db.read() as s:
        return s.execute(text("SELECT * FROM users ORDER BY id")).all()


@pytest.fixture
def officer(db: Database, clock: FixedClock) -> str:
    """The seeded interview officer, with a password."""
    auth.set_password(db, "wawancara1", PASSWORD, clock=clock)
    return "wawancara1"


def test_a_password_is_stored_as_an_argon2id_hash(db: Database, officer: str) -> None:
    with db.read() as s:
        stored = s.execute(text("SELECT password_hash FROM users WHERE username = 'wawancara1'")).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_sign_in_returns_the_officer_and_is_audited(db: Database, clock: FixedClock, officer: str) -> None:
    signed = auth.authenticate(db, " Wawancara1 ", PASSWORD, "interview-2", clock=clock)

    assert signed == Officer(signed.id, "wawancara1", "Petugas Wawancara 1", frozenset({"interview"}))
    entry = _audit(db)[-1]
    assert (entry["kind"], entry["username"], entry["user_id"]) == ("signin", "wawancara1", signed.id)
    assert entry["station_id"] is not None and entry["created_at"] is not None


def test_a_wrong_password_and_an_unknown_user_get_the_same_message_and_both_are_audited(
    db: Database, clock: FixedClock, officer: str
) -> None:
    with pytest.raises(SignInFailed) as wrong:
        auth.authenticate(db, officer, "not-the-password", clock=clock)
    with pytest.raises(SignInFailed) as unknown:
        auth.authenticate(db, "nobody", "not-the-password", clock=clock)
    with pytest.raises(SignInFailed) as unset:
        auth.authenticate(db, "pengambilan", "whatever-it-is", clock=clock)  # seeded without a password

    assert wrong.value.message == unknown.value.message == unset.value.message == "wrong username or password"
    failures = [(a["kind"], a["username"], a["user_id"] is not None, a["detail"]["reason"]) for a in _audit(db)[-3:]]
    assert failures == [
        ("signin_failed", "wawancara1", True, "wrong_password"),
        ("signin_failed", "nobody", False, "unknown_user"),
        ("signin_failed", "pengambilan", True, "no_password"),
    ]


def test_lockout_after_the_office_rule_and_it_ends_after_the_set_minutes(
    db: Database, clock: FixedClock, officer: str
) -> None:
    rules.update(db, None, {"lockout_attempts": 3, "lockout_minutes": 10}, clock=clock)
    for _attempt in range(2):
        with pytest.raises(SignInFailed, match="wrong username or password"):
            auth.authenticate(db, officer, "bad-password", clock=clock)
    with pytest.raises(SignInFailed, match="locked until 09:10"):
        auth.authenticate(db, officer, "bad-password", clock=clock)

    clock.advance(dt.timedelta(minutes=9))
    with pytest.raises(SignInFailed, match="locked until 09:10"):
        auth.authenticate(db, officer, PASSWORD, clock=clock)  # the right password does not help while locked

    clock.advance(dt.timedelta(minutes=1))
    assert auth.authenticate(db, officer, PASSWORD, clock=clock).username == officer
    kinds = [(a["kind"], a["detail"].get("reason"), a["detail"].get("locked")) for a in _audit(db) if a["username"]]
    assert kinds[-5:] == [
        ("signin_failed", "wrong_password", False),
        ("signin_failed", "wrong_password", False),
        ("signin_failed", "wrong_password", True),
        ("signin_refused", "locked", None),
        ("signin", None, None),
    ]


def test_a_success_resets_the_count_of_failures(db: Database, clock: FixedClock, officer: str) -> None:
    rules.update(db, None, {"lockout_attempts": 2}, clock=clock)
    with pytest.raises(SignInFailed):
        auth.authenticate(db, officer, "bad-password", clock=clock)
    auth.authenticate(db, officer, PASSWORD, clock=clock)
    with pytest.raises(SignInFailed, match="wrong username"):
        auth.authenticate(db, officer, "bad-password", clock=clock)  # one failure again, not two


def test_unlock_and_a_new_password_lift_a_lockout(db: Database, clock: FixedClock, officer: str) -> None:
    rules.update(db, None, {"lockout_attempts": 1}, clock=clock)
    with pytest.raises(SignInFailed, match="locked"):
        auth.authenticate(db, officer, "bad-password", clock=clock)

    view = auth.unlock(db, officer, actor="kasi", clock=clock)

    assert view.locked_until is None and view.failed_logins == 0
    assert auth.authenticate(db, officer, PASSWORD, clock=clock).username == officer
    assert _audit(db)[-2]["kind"] == "user_unlocked"


def test_a_disabled_officer_cannot_sign_in(db: Database, clock: FixedClock, officer: str) -> None:
    auth.set_active(db, officer, False, actor="kasi", clock=clock)

    with pytest.raises(SignInFailed, match="disabled"):
        auth.authenticate(db, officer, PASSWORD, clock=clock)
    with pytest.raises(SignInFailed, match="wrong username or password"):
        auth.authenticate(db, officer, "bad-password", clock=clock)  # no hint without the password

    auth.set_active(db, officer, True, actor="kasi", clock=clock)
    assert auth.authenticate(db, officer, PASSWORD, clock=clock).username == officer


def test_an_unknown_station_refuses_the_sign_in_and_writes_nothing(
    db: Database, clock: FixedClock, officer: str
) -> None:
    before = _audit(db)
    with pytest.raises(NotFound, match="unknown station 'booth-9'"):
        auth.authenticate(db, officer, PASSWORD, "booth-9", clock=clock)
    assert _audit(db) == before


def test_sign_out_is_audited(db: Database, clock: FixedClock, officer: str) -> None:
    signed = auth.authenticate(db, officer, PASSWORD, "interview-1", clock=clock)
    auth.sign_out(db, signed, "interview-1", clock=clock)
    assert _audit(db)[-1]["kind"] == "signout"


# -- managing officers ---------------------------------------------------------------------------------------


def test_add_an_officer_and_sign_in(db: Database, clock: FixedClock) -> None:
    view = auth.add_user(
        db, "Loket3", " Petugas  Loket 3 ", ["pickup, reception"], password=PASSWORD, actor="kasi", clock=clock
    )

    assert (view.username, view.full_name, view.roles, view.has_password) == (
        "loket3",
        "Petugas Loket 3",
        ("reception", "pickup"),
        True,
    )
    assert auth.authenticate(db, "loket3", PASSWORD, clock=clock).roles == {"reception", "pickup"}
    added = next(a for a in _audit(db) if a["kind"] == "user_added")
    assert added["detail"] == {"username": "loket3", "roles": ["reception", "pickup"], "password_set": True}
    assert added["username"] == "kasi"


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"username": "kasi"}, Conflict, "exists already"),
        ({"username": "a b"}, InvalidInput, "lowercase letters"),
        ({"roles": ["reception,boss"]}, InvalidInput, "unknown role boss"),
        ({"password": "short"}, InvalidInput, "at least 8 characters"),
        ({"password": " padded password "}, InvalidInput, "start or end with a space"),
        ({"full_name": "  "}, InvalidInput, "full name"),
        ({"actor": "penerimaan1"}, NotAllowed, "needs the role admin"),
        ({"actor": "ghost"}, NotFound, "unknown or inactive user 'ghost'"),
    ],
)
def test_bad_officers_are_refused_and_nothing_is_written(
    db: Database, clock: FixedClock, kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    values: dict[str, Any] = {"username": "baru", "full_name": "Petugas Baru", "roles": ["reception"]} | kwargs
    values.setdefault("password", PASSWORD)
    before = (_users(db), _audit(db))

    with pytest.raises(error, match=message):
        auth.add_user(db, values.pop("username"), values.pop("full_name"), values.pop("roles"), clock=clock, **values)

    assert (_users(db), _audit(db)) == before


def test_roles_are_changed_and_audited(db: Database, clock: FixedClock) -> None:
    view = auth.set_roles(db, "penerimaan1", add=["interview"], actor="kasi", clock=clock)
    assert view.roles == ("reception", "interview")
    view = auth.set_roles(db, "penerimaan1", roles=["pickup"], clock=clock)
    assert view.roles == ("pickup",)
    changes = [a["detail"]["roles"] for a in _audit(db) if a["kind"] == "roles_changed"]
    assert changes == [[["reception"], ["reception", "interview"]], [["reception", "interview"], ["pickup"]]]


def test_the_last_administrator_cannot_be_removed(db: Database, clock: FixedClock) -> None:
    before = _users(db)
    with pytest.raises(Conflict, match="last active administrator"):
        auth.set_roles(db, "kasi", remove=["admin"], clock=clock)
    with pytest.raises(Conflict, match="last active administrator"):
        auth.set_active(db, "kasi", False, clock=clock)
    assert _users(db) == before

    auth.set_roles(db, "ajudikator", add=["admin"], clock=clock)
    assert auth.set_roles(db, "kasi", remove=["admin"], clock=clock).roles == ("supervisor",)


def test_an_officer_may_change_its_own_password_but_not_another(db: Database, clock: FixedClock, officer: str) -> None:
    auth.set_password(db, officer, "a-new-password", actor=officer, clock=clock)
    with pytest.raises(NotAllowed):
        auth.set_password(db, "kasi", "a-new-password", actor=officer, clock=clock)
    assert auth.authenticate(db, officer, "a-new-password", clock=clock).username == officer


def test_list_users(db: Database) -> None:
    views = {v.username: v for v in auth.list_users(db)}
    assert sorted(views) == ["ajudikator", "kasi", "penerimaan1", "pengambilan", "wawancara1"]
    assert views["kasi"].roles == ("supervisor", "admin") and not views["kasi"].has_password


# -- roles in the services -----------------------------------------------------------------------------------


def test_require_role() -> None:
    clerk = Officer(1, "penerimaan1", "Petugas", frozenset({"reception"}))
    assert auth.require_role(clerk, "reception", "supervisor") is clerk
    with pytest.raises(NotAllowed, match="penerimaan1 may not do this: it needs the role interview"):
        auth.require_role(clerk, roles.ROLE_FOR_STAGE_KIND["service"])
    with pytest.raises(NotAllowed, match="sign in first"):
        auth.require_role(None, "reception")


def test_every_stage_kind_has_a_role(db: Database) -> None:
    with db.read() as s:
        kinds = set(s.execute(text("SELECT DISTINCT kind FROM stages")).scalars())
    assert kinds <= set(roles.ROLE_FOR_STAGE_KIND)
    assert set(roles.ROLE_FOR_STAGE_KIND) == {"reception", "service", "adjudication", "pickup"}
    assert set(roles.ROLE_FOR_STAGE_KIND.values()) <= set(roles.ROLES)


def test_require_user_role_inside_a_transaction(db: Database, clock: FixedClock) -> None:
    with db.read() as s:
        assert roles.require_user_role(s, None, ["admin"]) is None
        assert isinstance(roles.require_user_role(s, "kasi", ["admin"]), int)
        with pytest.raises(NotAllowed):
            roles.require_user_role(s, "penerimaan1", ["admin", "supervisor"])
    auth.set_active(db, "penerimaan1", False, clock=clock)
    with db.read() as s, pytest.raises(NotFound, match="inactive"):
        roles.require_user_role(s, "penerimaan1", ["reception"])


def test_sign_in_for_a_station_needs_the_role_of_its_stage(db: Database, clock: FixedClock, officer: str) -> None:
    assert [auth.station_role(db, s) for s in ("reception-1", "interview-3", "adjudicator", "pickup")] == [
        "reception",
        "interview",
        "adjudicator",
        "pickup",
    ]

    with pytest.raises(NotAllowed, match="wawancara1 may not do this: it needs the role reception"):
        auth.authenticate(
            db, officer, PASSWORD, "reception-1", roles=[auth.station_role(db, "reception-1")], clock=clock
        )

    last = _audit(db)[-1]
    assert (last["kind"], last["detail"], last["station_id"] is not None) == (
        "signin_refused",
        {"reason": "role"},
        True,
    )
    signed = auth.authenticate(db, officer, PASSWORD, "interview-1", roles=["interview", "supervisor"], clock=clock)
    assert signed.username == officer

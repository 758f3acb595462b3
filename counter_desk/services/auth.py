"""Officers: sign-in with argon2-hashed passwords, lockout, officer management, and the audit of every sign-in.

The roles and the check the services make inside their transactions are :mod:`counter_desk.services.roles`;
:func:`require_role` here checks a signed-in :class:`Officer`.

A wrong password and an unknown username get the same message. After ``lockout_attempts`` failures in a row
(an office rule) the account is locked for ``lockout_minutes``. Every sign-in, failure and refusal is appended
to the audit log, and the failure's entry commits although the sign-in fails.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import exc, func, select, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from counter_desk.clock import Clock, SystemClock, office_local
from counter_desk.errors import Conflict, InvalidInput, NotFound, UserError
from counter_desk.i18n import _
from counter_desk.services import audit, directory, rules
from counter_desk.services.roles import (
    ROLE_FOR_STAGE_KIND,
    ROLES,
    USERS_ROLES,
    NotAllowed,
    not_allowed,
    parse_roles,
    require_user_role,
    role_set,
)
from counter_desk.store.engine import Database, normalise_url
from counter_desk.store.models import Office, Stage, User

MIN_PASSWORD = 8
MAX_PASSWORD = 200
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")

#: Argon2id with the library's defaults (RFC 9106 low-memory profile).
HASHER = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the username is unknown, so that both cases take as long (made on first use: a
    hash costs a quarter of a second, which every command would pay at start-up)."""
    return HASHER.hash("counter-desk: no such user")


class SignInFailed(UserError):
    """Wrong username or password, a locked or disabled account."""

    exit_code = 9
    code = "sign_in_failed"


@dataclass(frozen=True)
class Officer:
    """The signed-in officer, as the windows and the services pass it around."""

    id: int
    username: str
    full_name: str
    roles: frozenset[str]


@dataclass(frozen=True)
class UserView:
    username: str
    full_name: str
    roles: tuple[str, ...]
    active: bool
    has_password: bool
    failed_logins: int
    locked_until: dt.datetime | None
    #: The office's time zone, to show ``locked_until`` in.
    timezone: str = "UTC"

    def locked_until_local(self) -> str | None:
        """``locked_until`` as the office's HH:MM, or None when not locked."""
        if self.locked_until is None:
            return None
        return office_local(self.locked_until, self.timezone).strftime("%H:%M")

    def to_json(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "full_name": self.full_name,
            "roles": list(self.roles),
            "active": self.active,
            "has_password": self.has_password,
            "failed_logins": self.failed_logins,
            "locked_until": self.locked_until.isoformat() if self.locked_until else None,
        }


# -- roles ---------------------------------------------------------------------------------------------------


def require_role(officer: Officer | None, *roles: str) -> Officer:
    """``officer`` if it holds one of ``roles``; else :class:`NotAllowed` (also when nobody is signed in)."""
    if officer is None:
        raise NotAllowed(_("sign in first"))
    if not officer.roles.intersection(roles):
        raise not_allowed(officer.username, roles)
    return officer


# -- signing in ----------------------------------------------------------------------------------------------


def authenticate(
    db: Database,
    username: str,
    password: str,
    station: str | None = None,
    *,
    roles: Iterable[str] | None = None,
    office: str | None = None,
    clock: Clock | None = None,
) -> Officer:
    """The officer ``username`` signed in with ``password`` at ``station`` (a code), or :class:`SignInFailed`.

    With ``roles``, an officer holding none of them is refused (:class:`NotAllowed`), e.g. the roles of
    :func:`station_role` for a station window. The outcome -- sign-in, failure, refusal of a locked or disabled
    account or of a missing role -- is in the audit log either way.
    """
    wanted = tuple(roles) if roles is not None else None
    now = (clock or SystemClock()).now()
    name = username.strip().lower()
    failure: UserError | None = None
    officer: Officer | None = None
    with db.write() as session:
        user = session.scalars(select(User).where(func.lower(User.username) == name).with_for_update()).first()
        info = directory.office_info(session, office) if user is None else None
        office_id = user.office_id if user is not None else info.id  # type: ignore[union-attr]
        station_id = directory.station_info(session, office_id, station).id if station else None

        def entry(kind: str, username: str, user_id: int | None, **detail: Any) -> None:
            audit.record_sign_in(
                session,
                office_id,
                kind,
                username=username,
                user_id=user_id,
                station_id=station_id,
                now=now,
                detail=detail,
            )

        wrong = SignInFailed(_("wrong username or password"))
        if user is None or user.password_hash is None:
            _verify(_dummy_hash(), password)
            reason = "unknown_user" if user is None else "no_password"
            entry("signin_failed", name, user.id if user else None, reason=reason)
            failure = wrong
        elif user.locked_until is not None and user.locked_until > now:
            entry("signin_refused", user.username, user.id, reason="locked")
            failure = SignInFailed(_locked_message(session, user))
        elif not _verify(user.password_hash, password):
            limits = rules.rules_of(session, office_id)
            user.failed_logins += 1
            locked = user.failed_logins >= int(limits["lockout_attempts"])
            if locked:
                user.locked_until = now + dt.timedelta(minutes=int(limits["lockout_minutes"]))
                user.failed_logins = 0
            entry("signin_failed", user.username, user.id, reason="wrong_password", locked=locked)
            failure = SignInFailed(_locked_message(session, user)) if locked else wrong
        elif not user.active:
            entry("signin_refused", user.username, user.id, reason="disabled")
            failure = SignInFailed(_("this account is disabled: ask an administrator"))
        else:
            if HASHER.check_needs_rehash(user.password_hash):
                user.password_hash = HASHER.hash(password)
            user.failed_logins, user.locked_until = 0, None
            if wanted is not None and not role_set(user.roles).intersection(wanted):
                entry("signin_refused", user.username, user.id, reason="role")
                failure = not_allowed(user.username, wanted)
            else:
                entry("signin", user.username, user.id)
                officer = Officer(user.id, user.username, user.full_name, role_set(user.roles))
    if failure is not None:
        raise failure  # after the commit: the failure stays in the audit log
    assert officer is not None
    return officer


def station_role(db: Database, station: str, office: str | None = None) -> str:
    """The role an officer needs to work at ``station`` (from its stage's kind)."""
    with db.read() as session:
        info = directory.office_info(session, office)
        stage_id = directory.station_info(session, info.id, station).stage_id
        kind = session.scalars(select(Stage.kind).where(Stage.id == stage_id)).one()
    return ROLE_FOR_STAGE_KIND[kind]


def sign_out(db: Database, officer: Officer, station: str | None = None, *, clock: Clock | None = None) -> None:
    """Record that ``officer`` signed out (or the window closed)."""
    now = (clock or SystemClock()).now()
    with db.write() as session:
        office_id = session.get_one(User, officer.id).office_id
        station_id = directory.station_info(session, office_id, station).id if station else None
        audit.record_sign_in(
            session, office_id, "signout", username=officer.username, user_id=officer.id, station_id=station_id, now=now
        )


def _verify(hashed: str, password: str) -> bool:
    try:
        return HASHER.verify(hashed, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _locked_message(session: Session, user: User) -> str:
    assert user.locked_until is not None
    timezone = session.scalars(select(Office.timezone).where(Office.id == user.office_id)).one()
    until = office_local(user.locked_until, timezone).strftime("%H:%M")
    return _("too many failed sign-ins: the account is locked until {time}; an administrator can unlock it", time=until)


# -- managing officers ---------------------------------------------------------------------------------------


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(_("a password needs at least {count} characters", count=MIN_PASSWORD))
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(_("a password may have at most {count} characters", count=MAX_PASSWORD))
    if password != password.strip() or _has_control(password):
        raise InvalidInput(_("a password may not start or end with a space or hold control characters"))
    return password


def _has_control(text: str) -> bool:
    return any(ord(c) < 32 or ord(c) == 127 for c in text)


def _find(session: Session, username: str) -> User:
    user = session.scalars(select(User).where(User.username == username.strip().lower())).one_or_none()
    if user is None:
        known = list(session.scalars(select(User.username).order_by(User.username)))
        raise NotFound(_("unknown user {username!r} (known: {known})", username=username, known=", ".join(known)))
    return user


def _on_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _has_password(session: Session, user: User) -> bool:
    if _on_postgres(session):  # officers may not read the hash column: ask the owner's function
        return bool(session.execute(text("SELECT cd_has_password(:id)"), {"id": user.id}).scalar_one())
    return user.password_hash is not None


def _verifier(session: Session, username: str, password: str) -> str:
    """The SCRAM-SHA-256 verifier of ``password`` for the login role ``username``, made here by libpq: the clear
    password never travels to the server (nor into its statement log)."""
    driver = session.connection().connection.driver_connection
    raw: bytes = driver.pgconn.encrypt_password(password.encode(), username.encode(), b"scram-sha-256")  # type: ignore[union-attr]
    return raw.decode()


def _call(session: Session, statement: str, **params: Any) -> Any:
    """Run one of migration 0006's officer functions (they check on the server who is asking)."""
    value = session.execute(text(statement), params).scalar()
    session.expire_all()  # the function changed rows this session may hold
    return value


def _view(session: Session, user: User) -> UserView:
    roles = tuple(r for r in ROLES if r in role_set(user.roles))
    timezone = session.scalars(select(Office.timezone).where(Office.id == user.office_id)).one()
    return UserView(
        user.username,
        user.full_name,
        roles,
        user.active,
        _has_password(session, user),
        user.failed_logins,
        user.locked_until,
        timezone,
    )


def _admins_left(session: Session, office_id: int, without: int) -> int:
    rows = session.execute(
        select(User.id, User.roles).where(User.office_id == office_id, User.active.is_(True), User.id != without)
    ).all()
    return sum(1 for row in rows if "admin" in role_set(row.roles))


def _guard_last_admin(session: Session, user: User) -> None:
    if user.active and "admin" in role_set(user.roles) and not _admins_left(session, user.office_id, user.id):
        raise Conflict(_("{user} is the last active administrator: make someone else admin first", user=user.username))


def add_user(
    db: Database,
    username: str,
    full_name: str,
    roles: Iterable[str],
    *,
    password: str | None = None,
    office: str | None = None,
    actor: str | None = None,
    clock: Clock | None = None,
) -> UserView:
    """A new officer; without a password nobody can sign in as it until :func:`set_password`."""
    name = username.strip().lower()
    if not _USERNAME.match(name):
        raise InvalidInput(
            _(
                "username {username!r}: 2 to 32 lowercase letters, digits, dots, dashes or underscores",
                username=username,
            )
        )
    full = " ".join(full_name.split())
    if not full or len(full) > 200 or _has_control(full_name.replace("\n", " ")):
        raise InvalidInput(_("the full name must have 1 to 200 characters"))
    wanted = parse_roles(roles)
    hashed = HASHER.hash(check_password(password)) if password is not None else None
    now = (clock or SystemClock()).now()
    with db.write() as session:
        info = directory.office_info(session, office)
        require_user_role(session, actor, USERS_ROLES)
        if session.scalars(select(User.id).where(func.lower(User.username) == name)).first() is not None:
            raise Conflict(_("user {username!r} exists already", username=name))
        if _on_postgres(session):
            # The officer's database login is made with the row (cd_user_add refuses anyone but an admin).
            verifier = _verifier(session, name, password) if password is not None else None
            uid = _call(
                session,
                "SELECT cd_user_add(:office, :name, :full, :roles, :hash, :verifier, :at)",
                office=info.id,
                name=name,
                full=full,
                roles=" ".join(wanted),
                hash=hashed,
                verifier=verifier,
                at=now,
            )
            user = session.get_one(User, uid)
            detail = {"username": name, "roles": wanted, "password_set": hashed is not None}
            audit.record(session, info.id, "user_added", user=actor, now=now, detail=detail)
            return _view(session, user)
        user = User(
            office_id=info.id,
            username=name,
            full_name=full,
            password_hash=hashed,
            roles=" ".join(wanted),
            active=True,
            failed_logins=0,
            created_at=now,
        )
        session.add(user)
        try:
            session.flush()
        except IntegrityError:  # added at the same moment by someone else
            raise Conflict(_("user {username!r} exists already", username=name)) from None
        detail = {"username": name, "roles": wanted, "password_set": hashed is not None}
        audit.record(session, info.id, "user_added", user=actor, now=now, detail=detail)
        return _view(session, user)


def set_password(
    db: Database, username: str, password: str, *, actor: str | None = None, clock: Clock | None = None
) -> UserView:
    """Set (or reset) an officer's password; this also lifts a lockout."""
    hashed = HASHER.hash(check_password(password))
    now = (clock or SystemClock()).now()
    with db.write() as session:
        user = _find(session, username)
        if actor is not None and actor != user.username:
            require_user_role(session, actor, USERS_ROLES)
        if _on_postgres(session):
            verifier = _verifier(session, user.username, password)
            _call(
                session,
                "SELECT cd_user_passwd(:name, :hash, :verifier)",
                name=user.username,
                hash=hashed,
                verifier=verifier,
            )
        else:
            user.password_hash, user.failed_logins, user.locked_until = hashed, 0, None
        audit.record(session, user.office_id, "password_set", user=actor, now=now, detail={"username": user.username})
        return _view(session, user)


def set_roles(
    db: Database,
    username: str,
    *,
    roles: Iterable[str] | None = None,
    add: Iterable[str] = (),
    remove: Iterable[str] = (),
    actor: str | None = None,
    clock: Clock | None = None,
) -> UserView:
    """Replace an officer's roles (``roles``) or add and remove some."""
    now = (clock or SystemClock()).now()
    new_roles = parse_roles(roles) if roles is not None else None
    plus, minus = parse_roles(add), parse_roles(remove)
    with db.write() as session:
        user = _find(session, username)
        require_user_role(session, actor, USERS_ROLES)
        before = [r for r in ROLES if r in role_set(user.roles)]
        after = set(new_roles if new_roles is not None else before) | set(plus)
        after -= set(minus)
        ordered = [r for r in ROLES if r in after]
        if "admin" in before and "admin" not in ordered:
            _guard_last_admin(session, user)
        if _on_postgres(session):
            _call(session, "SELECT cd_user_roles(:name, :roles)", name=user.username, roles=" ".join(ordered))
        else:
            user.roles = " ".join(ordered)
        if ordered != before:
            detail = {"username": user.username, "roles": [before, ordered]}
            audit.record(session, user.office_id, "roles_changed", user=actor, now=now, detail=detail)
        return _view(session, user)


def unlock(db: Database, username: str, *, actor: str | None = None, clock: Clock | None = None) -> UserView:
    """Lift a lockout and forget the failed attempts."""
    now = (clock or SystemClock()).now()
    with db.write() as session:
        user = _find(session, username)
        require_user_role(session, actor, USERS_ROLES)
        if _on_postgres(session):
            _call(session, "SELECT cd_user_unlock(:name)", name=user.username)
        else:
            user.failed_logins, user.locked_until = 0, None
        audit.record(session, user.office_id, "user_unlocked", user=actor, now=now, detail={"username": user.username})
        return _view(session, user)


def set_active(
    db: Database, username: str, active: bool, *, actor: str | None = None, clock: Clock | None = None
) -> UserView:
    """Disable an officer (nobody can sign in as it; its history stays) or enable it again."""
    now = (clock or SystemClock()).now()
    with db.write() as session:
        user = _find(session, username)
        require_user_role(session, actor, USERS_ROLES)
        if not active:
            _guard_last_admin(session, user)
        if user.active != active:
            if _on_postgres(session):
                _call(session, "SELECT cd_user_active(:name, :active)", name=user.username, active=active)
            else:
                user.active = active
            kind = "user_enabled" if active else "user_disabled"
            audit.record(session, user.office_id, kind, user=actor, now=now, detail={"username": user.username})
        return _view(session, user)


def list_users(db: Database, office: str | None = None) -> list[UserView]:
    with db.read() as session:
        info = directory.office_info(session, office)
        users = session.scalars(select(User).where(User.office_id == info.id).order_by(User.username))
        return [_view(session, u) for u in users]


# -- signing in on PostgreSQL: the officer's own database login ----------------------------------------------

#: What PostgreSQL (or libpq) says when it refuses a login: wrong password, unknown role, expired (locked) or
#: NOLOGIN role. SQLSTATE 28P01/28000 where the driver has it; the texts for libpq's connection errors.
_AUTH_STATES = ("28P01", "28000")
_AUTH_TEXTS = ("password authentication failed", "is not permitted to log in", "does not exist")
_NO_PASSWORD_TEXT = "no password supplied"  # noqa: S105 - libpq's message, not a password


class PasswordNeeded(SignInFailed):
    """libpq found no password for the officer (none given, none in PGPASSWORD or PGPASSFILE)."""


def signin_failed_message() -> str:
    """The one answer to every refused sign-in on PostgreSQL: it does not tell a locked or disabled officer from an
    unknown name or a wrong password."""
    return _("sign-in failed: wrong username or password, or the account is locked or disabled (ask an administrator)")


def _auth_refusal(error: BaseException) -> str | None:
    """``"password"`` when libpq had no password, ``"refused"`` when the server refused the login, else None."""
    original = getattr(error, "orig", None) or error
    text_ = str(original)
    if _NO_PASSWORD_TEXT in text_:
        return "password"
    state = getattr(original, "sqlstate", None) or ""
    if state in _AUTH_STATES or any(t in text_ for t in _AUTH_TEXTS):
        return "refused"
    return None


def officer_url(url: str | URL, username: str, password: str | None = None) -> URL:
    """``url`` (a station's PostgreSQL URL) with the officer's login instead of the station's."""
    base = normalise_url(url)
    # URL.set() keeps the old password when given None: build it anew, so the station's never goes along.
    return URL.create(
        base.drivername,
        username=username.strip().lower(),
        password=password,
        host=base.host,
        port=base.port,
        database=base.database,
        query=base.query,
    )


def _report_failure(url: str | URL, username: str, station: str | None) -> str:
    """Tell the database (as the station's sign-in role) that a login of ``username`` failed; 'retry' or
    'failed'."""
    gate = Database.connect(url)
    try:
        with gate.write() as session:
            outcome = session.execute(
                text("SELECT cd_signin_failed(:name, :station)"), {"name": username, "station": station}
            ).scalar_one()
    finally:
        gate.dispose()
    return str(outcome)


def connect_officer(url: str | URL, username: str, password: str | None, station: str | None = None) -> Database:
    """A :class:`Database` logged in to PostgreSQL as the officer ``username`` (``password`` None: libpq looks in
    PGPASSWORD and PGPASSFILE).

    A refused login is reported through ``url``'s role (the station's sign-in role) so that five failures lock the
    officer, and ends in :class:`SignInFailed` with :func:`signin_failed_message`; :class:`PasswordNeeded` when
    there was no password at all.
    """
    name = username.strip().lower()
    for attempt in range(2):
        db = Database.connect(officer_url(url, name, password))
        try:
            with db.engine.connect():
                return db
        except exc.DBAPIError as error:
            db.dispose()
            kind = _auth_refusal(error)
            if kind is None:
                raise
            if kind == "password":
                raise PasswordNeeded(
                    _("no password for {user}: type it, or put it in PGPASSFILE for scripts", user=name)
                ) from None
            # A lockout that has run out is lifted by the report: then the same password is tried once more.
            if _report_failure(url, name, station) != "retry" or attempt:
                raise SignInFailed(signin_failed_message()) from None
    raise SignInFailed(signin_failed_message())  # pragma: no cover - the loop returns or raises


def sign_in_postgres(
    url: str | URL,
    username: str,
    password: str | None,
    station: str | None = None,
    *,
    roles: Iterable[str] | None = None,
    clock: Clock | None = None,
) -> tuple[Officer, Database]:
    """Sign ``username`` in at ``station`` with their own database login; the officer and the connection the
    window then works through. The sign-in is recorded by the database (``cd_signin``), under the officer's name."""
    wanted = tuple(roles) if roles is not None else None
    db = connect_officer(url, username, password, station)
    now = (clock or SystemClock()).now()
    try:
        with db.write() as session:
            row = session.execute(
                text("SELECT id, username, full_name, roles FROM cd_signin(:station, :at)"),
                {"station": station, "at": now},
            ).one()
        officer = Officer(int(row.id), str(row.username), str(row.full_name), role_set(row.roles))
        if wanted is not None and not officer.roles.intersection(wanted):
            raise not_allowed(officer.username, wanted)
    except BaseException:
        db.dispose()
        raise
    return officer, db

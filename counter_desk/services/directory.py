"""Looking up the office's configuration (offices, stages, stations, categories, users) by code.

Every lookup that fails raises :class:`~counter_desk.errors.NotFound` with a message naming what exists, so
the user can correct a typo without reading the source.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from counter_desk.errors import InvalidInput, NotFound
from counter_desk.i18n import _
from counter_desk.store.models import Category, Office, Stage, Station, User


@dataclass(frozen=True)
class OfficeInfo:
    """The office settings an action needs, read fresh for every action (a supervisor may change them); the
    fast call and finish take it from services.config_cache and use only its ``id``."""

    id: int
    code: str
    name: str
    timezone: str
    queue_order: str
    no_show_tolerance_minutes: int


@dataclass(frozen=True)
class StationInfo:
    id: int
    code: str
    name: str
    stage_id: int
    active: bool


# Prebuilt statements: every action runs them, so they are built (and compiled) once per process.
_offices = Office.__table__
_stations = Station.__table__
_OFFICE_COLUMNS = [
    _offices.c[name] for name in ("id", "code", "name", "timezone", "queue_order", "no_show_tolerance_minutes")
]
_OFFICE_BY_CODE = select(*_OFFICE_COLUMNS).where(_offices.c.code == bindparam("code"))
_FIRST_OFFICES = select(*_OFFICE_COLUMNS).order_by(_offices.c.id).limit(2)
_STATION_BY_CODE = select(
    _stations.c.id, _stations.c.code, _stations.c.name, _stations.c.stage_id, _stations.c.active
).where(_stations.c.office_id == bindparam("office_id"), _stations.c.code == bindparam("code"))


def office_info(session: Session, code: str | None) -> OfficeInfo:
    """Like :func:`office`, as plain values, with one prebuilt query."""
    conn = session.connection()
    if code is not None:
        row = conn.execute(_OFFICE_BY_CODE, {"code": code}).one_or_none()
        if row is None:
            office(session, code)  # raises NotFound naming the known offices
        assert row is not None
        return OfficeInfo(*row)
    rows = conn.execute(_FIRST_OFFICES).all()
    if len(rows) != 1:
        office(session, None)  # raises the right error for none or several
    return OfficeInfo(*rows[0])


def station_info(session: Session, office_id: int, code: str) -> StationInfo:
    """Like :func:`station`, as plain values, with one prebuilt query."""
    row = session.connection().execute(_STATION_BY_CODE, {"office_id": office_id, "code": code}).one_or_none()
    if row is None or not row.active:
        station(session, office_id, code)  # raises NotFound or InvalidInput with the full message
    assert row is not None
    return StationInfo(*row)


def _known(codes: list[str]) -> str:
    return ", ".join(codes) if codes else _("none")


def office(session: Session, code: str | None) -> Office:
    """The office named by ``code``, or the only office in the database when ``code`` is None."""
    if code is not None:
        found = session.scalars(select(Office).where(Office.code == code)).one_or_none()
        if found is None:
            known = list(session.scalars(select(Office.code).order_by(Office.code)))
            msg = _("unknown office {code!r} (known: {known})", code=code, known=_known(known))
            raise NotFound(msg)
        return found
    offices = list(session.scalars(select(Office).order_by(Office.id).limit(2)))
    if not offices:
        msg = _("this database has no office yet: run 'counter-desk db seed' to load the reference office")
        raise NotFound(msg)
    if len(offices) > 1:
        msg = _("this database holds several offices: choose one with --office CODE")
        raise InvalidInput(msg)
    return offices[0]


def stage(session: Session, office_id: int, code: str) -> Stage:
    found = session.scalars(select(Stage).where(Stage.office_id == office_id, Stage.code == code)).one_or_none()
    if found is None:
        known = session.scalars(select(Stage.code).where(Stage.office_id == office_id).order_by(Stage.position))
        msg = _("unknown stage {code!r} (known: {known})", code=code, known=_known(list(known)))
        raise NotFound(msg)
    return found


def station(session: Session, office_id: int, code: str) -> Station:
    found = session.scalars(select(Station).where(Station.office_id == office_id, Station.code == code)).one_or_none()
    if found is None:
        known = session.scalars(select(Station.code).where(Station.office_id == office_id).order_by(Station.code))
        msg = _("unknown station {code!r} (known: {known})", code=code, known=_known(list(known)))
        raise NotFound(msg)
    if not found.active:
        msg = _("station {code!r} is switched off in the configuration", code=code)
        raise InvalidInput(msg)
    return found


def category(session: Session, office_id: int, code: str) -> Category:
    found = session.scalars(
        select(Category).where(Category.office_id == office_id, Category.code == code)
    ).one_or_none()
    if found is None or not found.active:
        known = session.scalars(
            select(Category.code)
            .where(Category.office_id == office_id, Category.active.is_(True))
            .order_by(Category.code)
        )
        msg = _("unknown category {code!r} (known: {known})", code=code, known=_known(list(known)))
        raise NotFound(msg)
    return found


def walk_in_codes(session: Session, office_id: int) -> list[str]:
    return list(
        session.scalars(
            select(Category.code)
            .where(Category.office_id == office_id, Category.walk_in.is_(True), Category.active.is_(True))
            .order_by(Category.code)
        )
    )


def user(session: Session, username: str | None) -> User | None:
    if username is None:
        return None
    found = session.scalars(select(User).where(User.username == username)).one_or_none()
    if found is None or not found.active:
        msg = _("unknown or inactive user {username!r}", username=username)
        raise NotFound(msg)
    return found


class Names:
    """id -> code maps for the office's stages, stations, categories and users, read once per action."""

    def __init__(self, session: Session, office_id: int) -> None:
        def codes(model: type[Stage | Station | Category]) -> dict[int, str]:
            rows = session.execute(select(model.id, model.code).where(model.office_id == office_id))
            return {row.id: row.code for row in rows}

        self.stages = codes(Stage)
        self.stations = codes(Station)
        self.categories = codes(Category)
        users = session.execute(select(User.id, User.username).where(User.office_id == office_id))
        self.users = {row.id: row.username for row in users}

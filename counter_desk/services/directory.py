"""Looking up the office's configuration (offices, stages, stations, categories, users) by code.

Every lookup that fails raises :class:`~counter_desk.errors.NotFound` with a message naming what exists, so
the user can correct a typo without reading the source.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

from sqlalchemy import ColumnElement, Connection, Table, bindparam, select

from counter_desk.errors import InvalidInput, NotFound
from counter_desk.i18n import _
from counter_desk.store import schema

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from counter_desk.store.models import Category, Stage, User

#: Where a lookup reads: an ORM session, or a plain connection for a read that builds no ORM objects (the lookups
#: that return plain values take either; those that return ORM objects, to be changed, need a session).
Reader: TypeAlias = "Session | Connection"


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
class StageInfo:
    id: int
    code: str
    name: str
    wait_target_minutes: int
    kind: str


@dataclass(frozen=True)
class StationInfo:
    id: int
    code: str
    name: str
    stage_id: int
    active: bool


# Prebuilt statements: every action runs them, so they are built (and compiled) once per process.
_offices = schema.offices
_stages = schema.stages
_stations = schema.stations
_categories = schema.categories
_OFFICE_COLUMNS = [
    _offices.c[name] for name in ("id", "code", "name", "timezone", "queue_order", "no_show_tolerance_minutes")
]
_OFFICE_BY_CODE = select(*_OFFICE_COLUMNS).where(_offices.c.code == bindparam("code"))
_FIRST_OFFICES = select(*_OFFICE_COLUMNS).order_by(_offices.c.id).limit(2)
_STAGES = select(_stages.c.id, _stages.c.code, _stages.c.name, _stages.c.wait_target_minutes, _stages.c.kind)
_STAGE_BY_CODE = _STAGES.where(_stages.c.office_id == bindparam("office_id"), _stages.c.code == bindparam("code"))
_STATIONS = select(_stations.c.id, _stations.c.code, _stations.c.name, _stations.c.stage_id, _stations.c.active)
_STATION_BY_CODE = _STATIONS.where(
    _stations.c.office_id == bindparam("office_id"), _stations.c.code == bindparam("code")
)


def _connection(reader: Reader) -> Connection:
    return reader if isinstance(reader, Connection) else reader.connection()


def _known(codes: list[str]) -> str:
    return ", ".join(codes) if codes else _("none")


def _codes(conn: Connection, table: Table, office_id: int, order: ColumnElement[Any]) -> str:
    """The codes of ``table``'s rows of the office, for a message naming what exists."""
    query = select(table.c.code).where(table.c.office_id == office_id).order_by(order)
    return _known(list(conn.execute(query).scalars()))


def office_info(reader: Reader, code: str | None) -> OfficeInfo:
    """The office named by ``code``, or the only office in the database when ``code`` is None."""
    conn = _connection(reader)
    if code is not None:
        row = conn.execute(_OFFICE_BY_CODE, {"code": code}).one_or_none()
        if row is None:
            known = list(conn.execute(select(_offices.c.code).order_by(_offices.c.code)).scalars())
            msg = _("unknown office {code!r} (known: {known})", code=code, known=_known(known))
            raise NotFound(msg)
        return OfficeInfo(*row)
    rows = conn.execute(_FIRST_OFFICES).all()
    if not rows:
        msg = _("this database has no office yet: run 'counter-desk db seed' to load the reference office")
        raise NotFound(msg)
    if len(rows) > 1:
        msg = _("this database holds several offices: choose one with --office CODE")
        raise InvalidInput(msg)
    return OfficeInfo(*rows[0])


def stage_info(reader: Reader, office_id: int, code: str) -> StageInfo:
    conn = _connection(reader)
    row = conn.execute(_STAGE_BY_CODE, {"office_id": office_id, "code": code}).one_or_none()
    if row is None:
        known = _codes(conn, _stages, office_id, _stages.c.position)
        msg = _("unknown stage {code!r} (known: {known})", code=code, known=known)
        raise NotFound(msg)
    return StageInfo(*row)


def stage_of(reader: Reader, station: StationInfo) -> StageInfo:
    """The stage ``station`` serves."""
    return StageInfo(*_connection(reader).execute(_STAGES.where(_stages.c.id == station.stage_id)).one())


def stations_of(reader: Reader, stage: StageInfo) -> list[StationInfo]:
    """The active stations of ``stage``, by code."""
    query = _STATIONS.where(_stations.c.stage_id == stage.id, _stations.c.active.is_(True))
    return [StationInfo(*row) for row in _connection(reader).execute(query.order_by(_stations.c.code))]


def station_info(reader: Reader, office_id: int, code: str) -> StationInfo:
    conn = _connection(reader)
    row = conn.execute(_STATION_BY_CODE, {"office_id": office_id, "code": code}).one_or_none()
    if row is None:
        known = _codes(conn, _stations, office_id, _stations.c.code)
        msg = _("unknown station {code!r} (known: {known})", code=code, known=known)
        raise NotFound(msg)
    if not row.active:
        msg = _("station {code!r} is switched off in the configuration", code=code)
        raise InvalidInput(msg)
    return StationInfo(*row)


def stage(session: Session, office_id: int, code: str) -> Stage:
    """The stage as an ORM object (to be changed); :func:`stage_info` to read it."""
    from counter_desk.store.models import Stage  # only a session's callers need the ORM classes

    return session.get_one(Stage, stage_info(session, office_id, code).id)


def category(session: Session, office_id: int, code: str) -> Category:
    from counter_desk.store.models import Category

    found = session.scalars(
        select(Category).where(Category.office_id == office_id, Category.code == code)
    ).one_or_none()
    if found is None or not found.active:
        known = _category_codes(session, office_id, walk_in=None)
        msg = _("unknown category {code!r} (known: {known})", code=code, known=_known(known))
        raise NotFound(msg)
    return found


def walk_in_codes(reader: Reader, office_id: int) -> list[str]:
    """The codes of the office's active categories that may be issued without a booking."""
    return _category_codes(reader, office_id, walk_in=True)


def _category_codes(reader: Reader, office_id: int, *, walk_in: bool | None) -> list[str]:
    query = select(_categories.c.code).where(_categories.c.office_id == office_id, _categories.c.active.is_(True))
    if walk_in is not None:
        query = query.where(_categories.c.walk_in.is_(walk_in))
    return list(_connection(reader).execute(query.order_by(_categories.c.code)).scalars())


def user(session: Session, username: str | None) -> User | None:
    from counter_desk.store.models import User

    if username is None:
        return None
    found = session.scalars(select(User).where(User.username == username)).one_or_none()
    if found is None or not found.active:
        msg = _("unknown or inactive user {username!r}", username=username)
        raise NotFound(msg)
    return found


class Names:
    """id -> code maps for the office's stages, stations, categories and users, read once per action."""

    def __init__(self, reader: Reader, office_id: int) -> None:
        conn = _connection(reader)

        def codes(table: Table, code: str = "code") -> dict[int, str]:
            rows = conn.execute(select(table.c.id, table.c[code]).where(table.c.office_id == office_id))
            return {row[0]: row[1] for row in rows}

        self.stages = codes(_stages)
        self.stations = codes(_stations)
        self.categories = codes(_categories)
        self.users = codes(schema.users, "username")

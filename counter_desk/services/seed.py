"""Load an office's configuration from a TOML seed file, and make sample bookings for demos and tests.

Loading is an upsert keyed by codes: running it twice changes nothing, and nothing is ever deleted (tickets and
events refer to stages and stations). A malformed file is refused whole, naming the entry and field.
"""

from __future__ import annotations

import datetime as dt
import random
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from counter_desk import resources
from counter_desk.clock import DEFAULT_TIMEZONE, Clock, SystemClock, office_day
from counter_desk.errors import InvalidInput
from counter_desk.i18n import _
from counter_desk.services import directory, rules
from counter_desk.store.engine import Database
from counter_desk.store.models import Booking, Category, Holiday, Office, OfficeSetting, Stage, Station, User

REFERENCE_OFFICE = "reference_office.toml"


@dataclass(frozen=True)
class SeedReport:
    office: str
    created: int
    updated: int

    def to_json(self) -> dict[str, Any]:
        return {"office": self.office, "created": self.created, "updated": self.updated}


def _field(entry: dict[str, Any], key: str, kind: type, where: str, default: Any = ...) -> Any:
    if key not in entry:
        if default is ...:
            msg = _("{where}: missing field {key!r}", where=where, key=key)
            raise InvalidInput(msg)
        return default
    value = entry[key]
    if kind is int and isinstance(value, bool):
        value = None  # a bool is an int in Python, never in a config file
    if not isinstance(value, kind):
        msg = _(
            "{where}: field {key!r} must be {kind}, not {value!r}",
            where=where,
            key=key,
            kind=kind.__name__,
            value=value,
        )
        raise InvalidInput(msg)
    if isinstance(value, str) and not value.strip():
        msg = _("{where}: field {key!r} is empty", where=where, key=key)
        raise InvalidInput(msg)
    return value


def read_seed(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError as exc:
        msg = _("seed file {path} does not exist", path=path)
        raise InvalidInput(msg) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        msg = _("seed file {path} is not valid TOML: {error}", path=path, error=exc)
        raise InvalidInput(msg) from exc
    for table in ("office", "stages", "stations", "categories"):
        if table not in data:
            msg = _("seed file {path}: missing [{table}]", path=path, table=table)
            raise InvalidInput(msg)
    return data


def _office_values(o: dict[str, Any]) -> dict[str, Any]:
    timezone = _field(o, "timezone", str, "[office]", DEFAULT_TIMEZONE)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        msg = _("[office]: unknown time zone {timezone!r}", timezone=timezone)
        raise InvalidInput(msg) from exc
    queue_order = _field(o, "queue_order", str, "[office]", "slot")
    if queue_order not in ("slot", "arrival"):
        msg = _("[office]: queue_order must be 'slot' or 'arrival', not {order!r}", order=queue_order)
        raise InvalidInput(msg)
    return {
        "name": _field(o, "name", str, "[office]"),
        "timezone": timezone,
        "queue_order": queue_order,
        "no_show_tolerance_minutes": _field(o, "no_show_tolerance_minutes", int, "[office]", 30),
    }


STAGE_KINDS = ("reception", "service", "adjudication", "pickup")


def _stage_values(e: dict[str, Any], where: str, position: int) -> dict[str, Any]:
    kind = _field(e, "kind", str, where, "service")
    if kind not in STAGE_KINDS:
        msg = _(
            "{where}: kind must be one of {kinds}, not {kind!r}", where=where, kinds=", ".join(STAGE_KINDS), kind=kind
        )
        raise InvalidInput(msg)
    return {
        "kind": kind,
        "name": _field(e, "name", str, where),
        "name_en": _field(e, "name_en", str, where),
        "position": _field(e, "position", int, where, position),
        "announce": _field(e, "announce", bool, where, True),
        "wait_target_minutes": _field(e, "wait_target_minutes", int, where, 15),
    }


def _category_values(e: dict[str, Any], where: str, start_stage_id: int) -> dict[str, Any]:
    prefix = _field(e, "prefix", str, where)
    if not (prefix.isascii() and prefix.isalpha() and prefix.isupper() and len(prefix) <= 4):
        msg = _("{where}: prefix must be 1-4 capital letters, not {prefix!r}", where=where, prefix=prefix)
        raise InvalidInput(msg)
    return {
        "name": _field(e, "name", str, where),
        "name_en": _field(e, "name_en", str, where),
        "prefix": prefix,
        "priority_level": _field(e, "priority_level", int, where, 0),
        "walk_in": _field(e, "walk_in", bool, where, False),
        "start_stage_id": start_stage_id,
        "active": _field(e, "active", bool, where, True),
        "daily_quota": _field(e, "daily_quota", int, where, None),
        "min_age": _field(e, "min_age", int, where, None),
        "max_age": _field(e, "max_age", int, where, None),
    }


class _Loader:
    """Upserts one seed file's entries in one session, counting what it created and changed."""

    def __init__(self, session: Session, now: dt.datetime) -> None:
        self.s = session
        self.now = now
        self.created = 0
        self.updated = 0
        self.office_id = 0
        self.stages: dict[str, int] = {}

    def _apply(self, row: Any, values: dict[str, Any]) -> None:
        changed = False
        for key, value in values.items():
            if getattr(row, key) != value:
                setattr(row, key, value)
                changed = True
        self.updated += changed

    def office(self, code: str, values: dict[str, Any]) -> None:
        office = self.s.scalars(select(Office).where(Office.code == code)).one_or_none()
        if office is None:
            office = Office(code=code, **values)
            self.s.add(office)
            self.created += 1
        else:
            self._apply(office, values)
        self.s.flush()
        self.office_id = office.id

    def upsert(self, model: Any, key: str, values: dict[str, Any]) -> int:
        row = self.s.scalars(select(model).where(model.office_id == self.office_id, model.code == key)).one_or_none()
        if row is None:
            row = model(office_id=self.office_id, code=key, **values)
            self.s.add(row)
            self.created += 1
        else:
            self._apply(row, values)
        self.s.flush()
        return int(row.id)

    def stage_of(self, e: dict[str, Any], key: str, where: str) -> int:
        wanted = _field(e, key, str, where)
        if wanted not in self.stages:
            msg = _(
                "{where}: unknown stage {stage!r} (stages: {stages})",
                where=where,
                stage=wanted,
                stages=", ".join(self.stages),
            )
            raise InvalidInput(msg)
        return self.stages[wanted]

    def user(self, e: dict[str, Any], where: str) -> None:
        username = _field(e, "username", str, where)
        row = self.s.scalars(select(User).where(User.username == username)).one_or_none()
        values = {"full_name": _field(e, "full_name", str, where), "roles": _field(e, "roles", str, where, "")}
        if row is None:
            self.s.add(User(office_id=self.office_id, username=username, created_at=self.now, **values))
            self.created += 1
        elif row.office_id != self.office_id:
            msg = _("{where}: user {username!r} already belongs to another office", where=where, username=username)
            raise InvalidInput(msg)
        else:
            self._apply(row, values)

    def holiday(self, e: dict[str, Any], where: str) -> None:
        day = _field(e, "day", dt.date, where)
        name = _field(e, "name", str, where)
        row = self.s.get(Holiday, (self.office_id, day))
        if row is None:
            self.s.add(Holiday(office_id=self.office_id, day=day, name=name))
            self.created += 1
        else:
            self._apply(row, {"name": name})

    def rules(self, table: dict[str, Any]) -> None:
        """The office's first rules. A rule already set (by the supervisor) is kept: loading again resets nothing."""
        if not isinstance(table, dict):
            raise InvalidInput(_("seed data: [rules] must be a table"))
        unknown = sorted(set(table) - set(rules.RULES))
        if unknown:
            msg = _(
                "[rules]: unknown rule {rules}; known rules: {known}",
                rules=", ".join(unknown),
                known=", ".join(rules.RULES),
            )
            raise InvalidInput(msg)
        values = {key: rules.check(rules.RULES[key], value) for key, value in table.items()}
        have = set(self.s.scalars(select(OfficeSetting.key).where(OfficeSetting.office_id == self.office_id)))
        for key, value in values.items():
            if key not in have:
                self.s.add(OfficeSetting(office_id=self.office_id, key=key, value=value, updated_at=self.now))
                self.created += 1


def load(db: Database, path: Path | None = None, *, clock: Clock | None = None) -> SeedReport:
    """Create or update the office described by ``path`` (default: the reference office)."""
    return load_data(db, read_seed(path or resources.seed_file(REFERENCE_OFFICE)), clock=clock)


def reference_data() -> dict[str, Any]:
    """The reference office's seed, parsed: a starting point for a test or benchmark office."""
    return read_seed(resources.seed_file(REFERENCE_OFFICE))


def load_data(db: Database, data: dict[str, Any], *, clock: Clock | None = None) -> SeedReport:
    """Create or update the office described by ``data`` (a parsed seed file), validated as a file would be."""
    for table in ("office", "stages", "stations", "categories"):
        if table not in data:
            msg = _("seed data: missing [{table}]", table=table)
            raise InvalidInput(msg)
    code = _field(data["office"], "code", str, "[office]")
    office_values = _office_values(data["office"])
    with db.write() as s:
        loader = _Loader(s, (clock or SystemClock()).now())
        loader.office(code, office_values)
        for i, e in enumerate(data["stages"]):
            where = f"[[stages]] #{i + 1}"
            key = _field(e, "code", str, where)
            loader.stages[key] = loader.upsert(Stage, key, _stage_values(e, where, i + 1))
        for i, e in enumerate(data["stations"]):
            where = f"[[stations]] #{i + 1}"
            values = {
                "stage_id": loader.stage_of(e, "stage", where),
                "name": _field(e, "name", str, where),
                "name_en": _field(e, "name_en", str, where),
                "active": _field(e, "active", bool, where, True),
            }
            loader.upsert(Station, _field(e, "code", str, where), values)
        for i, e in enumerate(data["categories"]):
            where = f"[[categories]] #{i + 1}"
            values = _category_values(e, where, loader.stage_of(e, "start_stage", where))
            loader.upsert(Category, _field(e, "code", str, where), values)
        for i, e in enumerate(data.get("users", [])):
            loader.user(e, f"[[users]] #{i + 1}")
        for i, e in enumerate(data.get("holidays", [])):
            loader.holiday(e, f"[[holidays]] #{i + 1}")
        loader.rules(data.get("rules", {}))
        return SeedReport(office=code, created=loader.created, updated=loader.updated)


SLOTS = [(dt.time(h), dt.time(h + 1)) for h in range(8, 15)]


def sample_bookings(
    db: Database,
    count: int,
    *,
    day: dt.date | None = None,
    office: str | None = None,
    clock: Clock | None = None,
    seed: int = 2022,
) -> int:
    """Add ``count`` made-up M-Paspor bookings spread over the day's hourly slots; return how many were new.

    Codes are deterministic for a (day, seed): ``MP<yymmdd><nnnn>``, application numbers 16 digits. Names and
    NIKs are invented (sample data only).
    """
    if count < 0:
        msg = _("the number of sample bookings must be >= 0")
        raise InvalidInput(msg)
    now = (clock or SystemClock()).now()
    rng = random.Random(seed)  # noqa: S311 - made-up sample names, not secrets
    given = ["Budi", "Siti", "Agus", "Dewi", "Rina", "Joko", "Sri", "Eko", "Wahyu", "Putri", "Ayu", "Bambang"]
    family = ["Santoso", "Wulandari", "Pratama", "Lestari", "Hidayat", "Saputra", "Rahayu", "Kurniawan"]
    with db.write() as s:
        o = directory.office_info(s, office)
        booked = s.scalars(select(Category).where(Category.office_id == o.id, Category.code == "booked")).first()
        if booked is None:
            booked = s.scalars(select(Category).where(Category.office_id == o.id, Category.walk_in.is_(False))).first()
        if booked is None:
            msg = _("the office has no category for bookings (walk_in = false)")
            raise InvalidInput(msg)
        the_day = day or office_day(now, o.timezone)
        existing = set(s.scalars(select(Booking.code).where(Booking.office_id == o.id, Booking.slot_date == the_day)))
        new = 0
        for i in range(count):
            code = f"MP{the_day:%y%m%d}{i + 1:04d}"
            slot = SLOTS[i * len(SLOTS) // max(count, 1)]
            name = f"{rng.choice(given)} {rng.choice(family)}"
            nik = f"3505{rng.randrange(10**11, 10**12):012d}"
            if code in existing:
                continue
            s.add(
                Booking(
                    office_id=o.id,
                    code=code,
                    application_number=f"{the_day:%Y%m%d}{i + 1:08d}",
                    category_id=booked.id,
                    applicant_name=name,
                    nik=nik,
                    # Made up from the position alone (not from rng: the names and NIKs stay as they were).
                    birth_date=dt.date(1958 + (i * 7) % 60, 1 + (i * 5) % 12, 1 + (i * 11) % 28),
                    slot_date=the_day,
                    slot_start=slot[0],
                    slot_end=slot[1],
                    status="booked",
                    created_at=now,
                )
            )
            new += 1
        return new

"""Per-process cache of the configuration the busiest actions read on every click: the office, its stations
(code -> id, stage) and the call rule ``priority_ratio``.

The cache is never trusted on its own. A fast action sends what it took from the cache along with its one
statement, which re-checks it in the database (the station still belongs to that stage and is switched on, the
rule still has that stored value), in the same snapshot as the change it makes.
When the database disagrees the statement changes nothing, the action falls back to the careful path that reads
everything fresh, and the cache is refreshed from what it read. So a rule or configuration change committed
by a supervisor is obeyed by the very next claim, in every process, with no notification needed; the program has
no configuration-change events that the live feed could carry instead.

Of the cached office a fast path uses only its id, which never changes; its other settings (time zone, queue
order, no-show tolerance) are not re-checked by any statement, so an action that needs them takes the careful
path (``QueueCore._careful``), which reads the office fresh.

Entries are immutable and replaced whole; a dict assignment is atomic, so windows' worker threads share the
cache without a lock (two threads filling the same entry at once both store the same values).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, bindparam, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session

from counter_desk.services import directory, rules
from counter_desk.store import schema
from counter_desk.store.engine import Database

#: The rule a claim obeys (services.queue: "one priority per N regular").
PRIORITY_RATIO = "priority_ratio"

_settings = schema.office_settings

#: A rule's stored value as text (NULL when the office keeps the default): what the cache remembers and what
#: a fast statement compares, so no JSON comparison operator is needed on either engine.
RULE_TEXT = (
    select(sql_cast(_settings.c.value, String()))
    .where(_settings.c.office_id == bindparam("p_office"), _settings.c.key == bindparam("p_rule_key"))
    .scalar_subquery()
)
_RULE_TEXT = select(sql_cast(_settings.c.value, String())).where(
    _settings.c.office_id == bindparam("office_id"), _settings.c.key == bindparam("key")
)


@dataclass
class OfficeCache:
    """What one process remembers of one office (see the module's docstring for when it is believed)."""

    office: directory.OfficeInfo
    #: ``priority_ratio`` as stored (text; None: the default) and as the number it means.
    ratio_text: str | None
    ratio: int
    stations: dict[str, directory.StationInfo] = field(default_factory=dict)


_caches: weakref.WeakKeyDictionary[Database, dict[str | None, OfficeCache]] = weakref.WeakKeyDictionary()


def cached(db: Database, office_code: str | None) -> OfficeCache | None:
    """The cached office of ``db`` named ``office_code`` (None: the database's only office), if any."""
    return _caches.get(db, {}).get(office_code)


def refresh(session: Session, db: Database, office_code: str | None, office: directory.OfficeInfo) -> OfficeCache:
    """Cache ``office`` (read fresh by the caller in ``session``) and its claim rule, forgetting the stations."""
    ratio_text = session.connection().execute(_RULE_TEXT, {"office_id": office.id, "key": PRIORITY_RATIO}).scalar()
    ratio = int(rules.rules_of(session, office.id)[PRIORITY_RATIO])
    entry = OfficeCache(office, ratio_text, ratio)
    _caches.setdefault(db, {})[office_code] = entry
    return entry


def station(session: Session, entry: OfficeCache, code: str) -> directory.StationInfo:
    """The cached station ``code`` of ``entry``'s office, read (fresh, raising as a lookup does) when missing."""
    found = entry.stations.get(code)
    if found is None:
        found = directory.station_info(session, entry.office.id, code)
        entry.stations = {**entry.stations, code: found}
    return found


def rule_guard_params(entry: OfficeCache) -> dict[str, Any]:
    """Bind values for :data:`RULE_TEXT` compared with the cached text."""
    return {"p_office": entry.office.id, "p_rule_key": PRIORITY_RATIO, "p_rule_text": entry.ratio_text}

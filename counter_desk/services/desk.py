"""The desk: what a window is handed to act through -- the office's services over one connection.

A window never holds a :class:`~counter_desk.store.engine.Database` (warehouse's service objects; issue 15). It is
handed a :class:`Desk` and

* asks it for the queue and pickup use cases (:meth:`Desk.queue`, :meth:`Desk.pickups`);
* runs a service function on the desk's connection with ``desk(function, *args)`` -- ``desk(auth.list_users,
  office)`` is ``auth.list_users(connection, office)``, checked by mypy like the direct call;
* signs an officer in through it (:meth:`Desk.sign_in`), which gives the desk the officer then works at: the same
  one on SQLite, on PostgreSQL one over the officer's own database login (issue 13), so which connection a window
  works through is decided here, not in each window;
* follows the event feed where it is connected (:attr:`Desk.url`) and closes it (:meth:`Desk.close`).

The command that opened the connection closes it; a desk made by :meth:`Desk.sign_in` over the officer's own login
is closed by whoever asked for it (the window launcher).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.engine import URL

from counter_desk.clock import Clock
from counter_desk.services import auth
from counter_desk.services.auth import Officer
from counter_desk.services.pickups import PickupService
from counter_desk.services.queue import QueueService
from counter_desk.store import migrate
from counter_desk.store.engine import Database

P = ParamSpec("P")
R = TypeVar("R")


class Desk:
    """The office's services over one connection (see the module's text)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    @classmethod
    def open(cls, url: str | URL, *, upgrade: bool = False) -> Desk:
        """A desk over a new connection to ``url``; with ``upgrade``, the schema migrated to the newest revision
        first (a new office's database: the demo, the screenshots)."""
        desk = cls(Database.connect(url))
        if upgrade:
            migrate.upgrade(desk._db)
        return desk

    def __call__(self, function: Callable[Concatenate[Database, P], R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        """``function(connection, *args, **kwargs)``: a service function on this desk's connection."""
        return function(self._db, *args, **kwargs)

    def queue(self, *, office: str | None = None, clock: Clock | None = None) -> QueueService:
        """The queue's use cases for ``office`` (None: the database's only office)."""
        return QueueService(self._db, clock=clock, office=office)

    def pickups(self, *, office: str | None = None, clock: Clock | None = None) -> PickupService:
        """Passport pickups for ``office``."""
        return PickupService(self._db, clock=clock, office=office)

    @property
    def url(self) -> URL:
        """Where the desk is connected (for the live feed's wake-up source)."""
        return self._db.engine.url

    def sign_in(
        self,
        username: str,
        password: str,
        station: str | None = None,
        *,
        office: str | None = None,
        roles: Iterable[str] | None = None,
        own_login: str | None = None,
        clock: Clock | None = None,
    ) -> tuple[Officer, Desk]:
        """Sign ``username`` in at ``station``; the officer and the desk they then work at.

        The officer must hold one of ``roles``; with no ``roles`` and a ``station``, the role of the station's
        stage (and on PostgreSQL a supervisor may stand in). ``own_login``: on PostgreSQL with officers' own
        logins, the sign-in role's URL through which the officer's own login is opened; the desk returned is then
        a new one over that login (the caller closes it), else this desk. Refusals raise
        :class:`~counter_desk.errors.UserError` (a wrong password, a locked officer, a missing role).
        """
        if own_login is not None:
            return _sign_in_own_login(own_login, username, password, station, office, roles, clock)
        wanted = tuple(roles) if roles is not None else None
        if wanted is None and station is not None:  # a station window: the role of its stage
            wanted = (auth.station_role(self._db, station, office),)
        officer = auth.authenticate(self._db, username, password, station, roles=wanted, office=office, clock=clock)
        return officer, self

    def sign_out(self, officer: Officer, station: str | None = None) -> None:
        """Record that ``officer`` signed out of ``station`` (or the window closed)."""
        auth.sign_out(self._db, officer, station)

    def close(self) -> None:
        """Close the desk's pooled connections."""
        self._db.dispose()


def _sign_in_own_login(  # noqa: PLR0917 - Desk.sign_in's arguments, passed on
    url: str,
    username: str,
    password: str,
    station: str | None,
    office: str | None,
    roles: Iterable[str] | None,
    clock: Clock | None,
) -> tuple[Officer, Desk]:
    """The officer's own login, then the station's role checked through it (the sign-in role itself may read no
    more than station names)."""
    officer, db = auth.sign_in_postgres(url, username, password, station, clock=clock)
    try:
        needed = tuple(roles) if roles is not None else None
        if needed is None and station is not None:
            needed = (auth.station_role(db, station, office), "supervisor")
        if needed is not None:
            auth.require_role(officer, *needed)
    except BaseException:
        db.dispose()
        raise
    return officer, Desk(db)

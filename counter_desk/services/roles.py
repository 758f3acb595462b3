"""Who may do what: the officers' roles, the role each kind of station needs, and the check every service makes.

Roles are enforced in the services, not by hiding buttons: :func:`require_user_role` runs inside an action's
transaction with the username the action names. This module sits below the services that check roles
(``rules``, ``calendar``, ``bookings``, the queue actions, ``auth``) and imports none of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from counter_desk.errors import InvalidInput, NotFound, UserError
from counter_desk.i18n import N_, _, lookup
from counter_desk.store.models import User

#: Every role, with what it lets an officer do (marked for translation, shown with ``i18n.lookup``).
ROLES: dict[str, str] = {
    "reception": N_("check applicants in and issue tickets"),
    "interview": N_("call and serve at the interview booths"),
    "adjudicator": N_("approve or reject applications"),
    "pickup": N_("hand passports over"),
    "supervisor": N_("supervise the queues, change the rules, import bookings"),
    "admin": N_("manage officers and their passwords, purge personal data"),
}

#: The role an officer needs to act at a station of each stage kind (``Stage.kind``).
ROLE_FOR_STAGE_KIND: dict[str, str] = {
    "reception": "reception",
    "service": "interview",
    "adjudication": "adjudicator",
    "pickup": "pickup",
}
#: Roles that may change the office's rules and bookings; that may manage officers; that may purge.
RULES_ROLES = ("supervisor", "admin")
BOOKINGS_ROLES = ("supervisor", "admin")
USERS_ROLES = ("admin",)
PURGE_ROLES = ("admin",)


class NotAllowed(UserError):
    """The officer lacks the role the action needs, or is not signed in."""

    exit_code = 8
    code = "not_allowed"


def role_set(text: str | None) -> frozenset[str]:
    """``"supervisor admin"`` -> the roles (unknown words are ignored: they grant nothing)."""
    return frozenset(word for word in (text or "").split() if word in ROLES)


def parse_roles(values: Iterable[str]) -> list[str]:
    """Roles given by a person (``reception,interview`` or separate words), checked, in the order of ROLES."""
    wanted = {word.strip().lower() for value in values for word in re.split(r"[,\s]+", value) if word.strip()}
    unknown = sorted(wanted - set(ROLES))
    if unknown:
        msg = _("unknown role {roles} (known: {known})", roles=", ".join(unknown), known=", ".join(ROLES))
        raise InvalidInput(msg)
    return [role for role in ROLES if role in wanted]


def role_description(role: str) -> str:
    return lookup(ROLES[role])


def not_allowed(username: str, roles: Iterable[str]) -> NotAllowed:
    """The refusal of ``username``, naming the roles that would have been enough."""
    return NotAllowed(
        _("{user} may not do this: it needs the role {roles}", user=username, roles=_(" or ").join(roles))
    )


def require_user_role(session: Session, username: str | None, roles: Iterable[str]) -> int | None:
    """Inside an action's transaction: the id of ``username`` if it is active and holds one of ``roles``.

    ``None`` (no user given: a script run by someone with access to the database) passes and returns None.
    """
    if username is None:
        return None
    wanted = tuple(roles)
    row = session.execute(select(User.id, User.roles, User.active).where(User.username == username)).one_or_none()
    if row is None or not row.active:
        raise NotFound(_("unknown or inactive user {username!r}", username=username))
    if not role_set(row.roles).intersection(wanted):
        raise not_allowed(username, wanted)
    return int(row.id)

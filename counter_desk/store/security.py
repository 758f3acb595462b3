"""What PostgreSQL's refusals mean to the person at the station (issue 13: the database is the authority).

The grants, the triggers and the officer functions of migration 0006 refuse with SQLSTATE 42501
(insufficient_privilege) and a message that names the officer and what they lack; this turns such a refusal into
a :class:`DatabaseRefused` with one line the user can act on, instead of a traceback.
"""

from __future__ import annotations

from sqlalchemy import exc

from counter_desk.errors import UserError
from counter_desk.i18n import _

#: insufficient_privilege (grants, row security, our functions and triggers); must be owner of ...
REFUSED_STATES = ("42501",)


class DatabaseRefused(UserError):
    """The database refused the action: the signed-in officer's role does not allow it."""

    exit_code = 8
    code = "refused_by_database"


def refusal(error: exc.DBAPIError) -> DatabaseRefused | None:
    """A :class:`DatabaseRefused` when ``error`` is PostgreSQL refusing on privilege grounds, else None."""
    original = error.orig
    state = getattr(original, "sqlstate", None) or ""
    if state not in REFUSED_STATES:
        return None
    diag = getattr(original, "diag", None)
    reason = (getattr(diag, "message_primary", None) or str(original)).strip().splitlines()[0]
    return DatabaseRefused(_("the database refused this: {reason}", reason=reason))

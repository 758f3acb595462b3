"""Least-privilege PostgreSQL roles for an office's deployment.

Three roles, so that a station PC's credentials cannot rewrite history and the waiting-room TV's cannot write at
all:

- the **owner** (whoever runs ``counter-desk db upgrade``) owns the tables and migrates them;
- the **app** role (station, supervisor PCs) reads and writes the queue, but may only INSERT into the event log
  and the audit log: no UPDATE, DELETE or TRUNCATE there (the append-only triggers refuse those too, for every
  role, the owner included);
- the **display** role only reads (the TV: SELECT and LISTEN).

:func:`grant_sql` writes the statements; ``counter-desk db roles`` prints them for a database administrator or,
with ``--apply``, runs them as the owner. Run it again after every migration (new tables get their grants).
Passwords are never part of it: set them with psql's ``\\password ROLE``.
"""

from __future__ import annotations

import re

from counter_desk.store import models  # noqa: F401 - registers every table on Base.metadata
from counter_desk.store.base import Base

#: Tables whose rows are never changed once written.
APPEND_ONLY = ("events", "audit_log")
_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def valid_role(name: str) -> bool:
    return bool(_ROLE.match(name))


def grant_sql(app_role: str, display_role: str) -> list[str]:
    """The statements that create (if missing) and grant the app and display roles, in order."""
    for role in (app_role, display_role):
        if not valid_role(role):
            msg = f"not a plain role name: {role!r}"
            raise ValueError(msg)
    tables = sorted(Base.metadata.tables)
    statements = []
    for role in (app_role, display_role):
        statements.append(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN "
            f"CREATE ROLE {role} LOGIN; END IF; END $$"
        )
        statements.append(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}")
        statements.append(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {role}")
        statements.append(f"GRANT USAGE ON SCHEMA public TO {role}")
    for table in tables:
        if table in APPEND_ONLY:
            statements.append(f"GRANT SELECT, INSERT ON {table} TO {app_role}")
        else:
            statements.append(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {app_role}")
    statements.append(f"GRANT SELECT ON alembic_version TO {app_role}, {display_role}")
    statements.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app_role}")
    statements.append(f"GRANT SELECT ON {', '.join(tables)} TO {display_role}")
    return statements

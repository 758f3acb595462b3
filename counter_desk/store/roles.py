"""PostgreSQL roles of an office: officers sign in as themselves, group roles carry the grants.

- **group roles** (NOLOGIN), one per office role: ``cd_reception``, ``cd_interview``, ``cd_adjudicator``,
  ``cd_pickup``, ``cd_supervisor`` (member of the four station groups: a supervisor may stand in anywhere),
  ``cd_admin`` (member of ``cd_supervisor``); and ``cd_officer``, which every officer's login role belongs to;
- **officers**: one LOGIN role (SCRAM) per ``users`` row, made and kept in step by the officer functions of
  migration 0006 (``users add|passwd|roles|disable|unlock``);
- the **display** role (the TV) reads only the display views (:mod:`counter_desk.store.display_views`: numbers,
  stations, stages, times) and the schema's revision: no table at all;
- the **sign-in** role is what a station PC's configuration holds: it may report a failed sign-in
  (``cd_signin_failed``) and read station and stage names, nothing else;
- the **owner** (whoever runs ``counter-desk db upgrade``) owns the tables, the triggers and the SECURITY DEFINER
  functions. Nobody else can alter them.

:func:`grant_sql` writes the statements; ``counter-desk db roles`` prints them for a database administrator or,
with ``--apply``, runs them as the owner (who needs CREATEROLE). They are idempotent: run them again after every
upgrade (new tables get their grants). Passwords are never part of them.
"""

from __future__ import annotations

import re

from counter_desk.store import display_views, schema

_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

OFFICER_GROUP = "cd_officer"
#: The group role of each office role (``users.roles`` words).
GROUPS: dict[str, str] = {
    "reception": "cd_reception",
    "interview": "cd_interview",
    "adjudicator": "cd_adjudicator",
    "pickup": "cd_pickup",
    "supervisor": "cd_supervisor",
    "admin": "cd_admin",
}
DISPLAY_ROLE = "counter_desk_display"
SIGNIN_ROLE = "counter_desk_signin"
#: The shared login every station used before officers signed in as themselves.
LEGACY_APP_ROLE = "counter_desk_app"

#: Officers' own columns of ``users``: everything but the password hash.
USER_COLUMNS = (
    "id",
    "office_id",
    "username",
    "full_name",
    "roles",
    "active",
    "failed_logins",
    "locked_until",
    "created_at",
)
#: What officers may not read whole: ``users`` (read by column, without the hash) and the audit log (supervisors).
#: Every other table is the queue or the office's configuration, which every officer reads.
_OFFICER_UNREADABLE = ("users", "audit_log")
#: What the TV reads: the display views (numbers, stations, stages, times; no personal data, no user, no hash) and
#: the schema's revision (every program checks it at start-up). No table.
DISPLAY_READS = ("alembic_version", *display_views.VIEWS)
#: Group -> grants beyond reading (table privileges, column lists where a whole table is too much).
_GROUP_GRANTS: dict[str, tuple[str, ...]] = {
    OFFICER_GROUP: (
        "INSERT ON events",
        "INSERT ON audit_log",
        "INSERT ON idempotency_keys",
        f"SELECT ({', '.join(USER_COLUMNS)}) ON users",
    ),
    "cd_reception": (
        "INSERT ON tickets",
        "UPDATE ON tickets",
        "INSERT, UPDATE ON ticket_counters",
        "UPDATE (status) ON bookings",
    ),
    "cd_interview": ("UPDATE ON tickets", "INSERT ON pickups", "UPDATE (ready_on) ON pickups"),
    "cd_adjudicator": ("UPDATE ON tickets", "UPDATE (status, decided_at) ON pickups"),
    "cd_pickup": (
        "INSERT ON tickets",
        "UPDATE ON tickets",
        "INSERT, UPDATE ON ticket_counters",
        "UPDATE (status, handed_over_at, handed_over_by, pickup_ticket_id, recipient, recipient_name) ON pickups",
    ),
    "cd_supervisor": (
        "SELECT ON audit_log",
        "INSERT, UPDATE ON office_settings",
        "INSERT, UPDATE ON categories",
        "INSERT, UPDATE ON stages",
        "INSERT, UPDATE ON stations",
        "INSERT, UPDATE, DELETE ON holidays",
        "INSERT, UPDATE ON bookings",
        "UPDATE (ready_on, status) ON pickups",
    ),
    "cd_admin": ("UPDATE (applicant_name, nik) ON bookings", "UPDATE (recipient_name, recipient) ON pickups"),
}
#: Functions an officer may call (each checks who is asking); the sign-in role's one function.
OFFICER_FUNCTIONS = (
    "cd_signin(text, timestamptz)",
    "cd_has_password(integer)",
    "cd_user_add(integer, text, text, text, text, text, timestamptz)",
    "cd_user_passwd(text, text, text)",
    "cd_user_roles(text, text)",
    "cd_user_active(text, boolean)",
    "cd_user_unlock(text)",
)
SIGNIN_FUNCTIONS = ("cd_signin_failed(text, text)",)


def valid_role(name: str) -> bool:
    return bool(_ROLE.match(name))


def _create(role: str, login: bool) -> str:
    kind = "LOGIN" if login else "NOLOGIN"
    return (
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN "
        f"CREATE ROLE {role} {kind}; END IF; END $$"
    )


def grant_sql(display_role: str = DISPLAY_ROLE, signin_role: str = SIGNIN_ROLE, retire: str | None = None) -> list[str]:
    """The statements that create (if missing) and grant every role, in order.

    ``retire``: a shared station login of old (``counter_desk_app``) loses its grants and its login, if it exists.
    """
    for role in (display_role, signin_role, *([retire] if retire else [])):
        if not valid_role(role):
            msg = f"not a plain role name: {role!r}"
            raise ValueError(msg)
    groups = [OFFICER_GROUP, *GROUPS.values()]
    plain = [display_role, signin_role]
    statements = [_create(g, login=False) for g in groups]
    statements += [
        f"ALTER ROLE {g} NOLOGIN NOINHERIT" if g == OFFICER_GROUP else f"ALTER ROLE {g} NOLOGIN" for g in groups
    ]
    statements += [_create(r, login=True) for r in plain]
    statements.append("GRANT cd_reception, cd_interview, cd_adjudicator, cd_pickup TO cd_supervisor")
    statements.append("GRANT cd_supervisor TO cd_admin")
    every = [*groups, *plain]
    tables = sorted(schema.metadata.tables)
    views = display_views.VIEWS
    # Every grant of old goes first (a role's table grants of an earlier version included: the display role read
    # tables before migration 0009), then what each role needs now is granted again.
    statements.append(f"REVOKE ALL ON {', '.join([*tables, 'alembic_version', *views])} FROM {', '.join(every)}")
    statements.append(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {', '.join(every)}")
    # Nobody but the owner creates objects (older clusters let PUBLIC create in public), and no role but ours
    # connects to or makes temporary tables in this database.
    statements.append("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    database = "EXECUTE format('{} ON DATABASE %I {} ' || {}, current_database())"
    statements.append(
        "DO $$ BEGIN "
        + database.format("REVOKE CONNECT, TEMPORARY", "FROM", "'PUBLIC'")
        + "; "
        + database.format("GRANT CONNECT", "TO", repr(", ".join(every)))
        + "; END $$"
    )
    statements.append(f"GRANT USAGE ON SCHEMA public TO {', '.join(every)}")
    reads = [t for t in tables if t not in _OFFICER_UNREADABLE]
    # The display views too: officers' waiting-time estimates are read from them (services/estimate.py).
    statements.append(
        f"GRANT SELECT ON {', '.join([*reads, 'alembic_version', *views])} TO {', '.join(GROUPS.values())}"
    )
    if "station_pauses" in tables:  # a booth's pause (break, prayer): the station's officer starts and ends it
        stations_groups = "cd_reception, cd_interview, cd_adjudicator, cd_pickup"
        statements.append(f"GRANT INSERT, UPDATE ON station_pauses TO {stations_groups}")
    for group, grants in _GROUP_GRANTS.items():
        targets = ", ".join(GROUPS.values()) if group == OFFICER_GROUP else group
        statements.extend(f"GRANT {grant} TO {targets}" for grant in grants)
    statements.append(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {', '.join(GROUPS.values())}")
    statements.append(f"GRANT SELECT ON {', '.join(DISPLAY_READS)} TO {display_role}")
    statements.append(
        f"GRANT SELECT (id, office_id, code, name, name_en, stage_id, active) ON stations TO {signin_role}"
    )
    statements.append(f"GRANT SELECT (id, office_id, code, name, name_en, kind) ON stages TO {signin_role}")
    statements.append(f"GRANT SELECT (id, code, name, timezone) ON offices TO {signin_role}")
    statements.append(f"GRANT SELECT ON alembic_version TO {signin_role}")
    statements.append(f"GRANT EXECUTE ON FUNCTION {', '.join(OFFICER_FUNCTIONS)} TO {', '.join(GROUPS.values())}")
    statements.append(f"GRANT EXECUTE ON FUNCTION {', '.join(SIGNIN_FUNCTIONS)} TO {signin_role}")
    if retire:
        revoke = (
            f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {retire}; "
            f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {retire}; ALTER ROLE {retire} NOLOGIN;"
        )
        exists = f"SELECT FROM pg_roles WHERE rolname = '{retire}'"
        statements.append(f"DO $$ BEGIN IF EXISTS ({exists}) THEN {revoke} END IF; END $$")
    return statements

"""officers sign in as themselves: PostgreSQL group roles, grants, actor from the session (issue 13)

Only PostgreSQL gets objects here (SQLite has no roles: see docs/SECURITY.md). The functions are SECURITY DEFINER,
owned by the role that migrates (the owner), with ``search_path`` pinned, so an officer can run the privileged step
they implement and nothing more. Role names are looked up at run time, so this migration needs no role to exist:
``counter-desk db roles --apply`` creates the group roles and grants, and until it has run an office keeps working
as before (one shared login; the officer functions then only write the ``users`` table).

Triggers (BEFORE triggers fire in name order: ``cd_*`` before the hash chain's ``zz_chain_*``):

- ``cd_events_stamp``: the event's ``seq`` comes from the ``counters`` row (gap-free, commit order) whatever the
  client sent, and an officer's events carry that officer's user id, from ``session_user``;
- ``cd_audit_stamp``: an officer's audit rows carry that officer's name and id;
- ``cd_tickets_guard``: an officer may change a ticket only at a stage their role serves, and only a supervisor
  or an admin moves a waiting ticket or changes its priority;
- ``cd_tickets_evented`` (a deferred constraint trigger, at commit): an officer's change of a ticket comes with
  an event about that ticket in the same transaction.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 11:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# pg_temp named last: otherwise it is searched first, and a temporary table called `counters` or `users` would
# stand in for ours inside these functions.
_DEFINER = "LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp"

_FUNCTIONS = f"""
-- Who is asking. session_user is the role that authenticated; SET ROLE cannot change it.
CREATE FUNCTION cd_is_owner() RETURNS boolean {_DEFINER} STABLE AS $$
BEGIN
    RETURN (SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = session_user)
        OR pg_has_role(session_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = 'public.users'::regclass),
                       'MEMBER');
END $$;

CREATE FUNCTION cd_member(grp text) RETURNS boolean {_DEFINER} STABLE AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = grp) THEN
        RETURN false;
    END IF;
    RETURN pg_has_role(session_user, grp, 'MEMBER');
END $$;

CREATE FUNCTION cd_is_officer() RETURNS boolean {_DEFINER} STABLE AS $$
BEGIN
    RETURN cd_member('cd_officer') AND NOT cd_is_owner();
END $$;

CREATE FUNCTION cd_refuse(message text) RETURNS void {_DEFINER} AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = message;
END $$;

CREATE FUNCTION cd_require(grp text, what text) RETURNS void {_DEFINER} STABLE AS $$
BEGIN
    IF NOT (cd_is_owner() OR cd_member(grp)) THEN
        PERFORM cd_refuse(format('%s may not %s: it needs the role %s', session_user, what, substr(grp, 4)));
    END IF;
END $$;

-- Is the database role of this name one of ours (a plain login that belongs to cd_officer)?
CREATE FUNCTION cd_officer_role(p_name text) RETURNS boolean {_DEFINER} STABLE AS $$
BEGIN
    RETURN EXISTS (
        SELECT 1 FROM pg_auth_members m
        JOIN pg_roles g ON g.oid = m.roleid AND g.rolname = 'cd_officer'
        JOIN pg_roles r ON r.oid = m.member AND r.rolname = p_name
        WHERE NOT r.rolsuper AND NOT r.rolcreaterole AND NOT r.rolcreatedb AND NOT r.rolreplication
          AND NOT r.rolbypassrls);
END $$;

-- Make the officer's login role match its users row: exists, belongs to its groups, may log in unless
-- disabled or locked (VALID UNTIL -infinity: PostgreSQL then refuses every password alike), and takes a new
-- password (a SCRAM verifier made by the client: the clear password never reaches the server).
-- Does nothing before `db roles --apply` (no cd_officer role: one shared login, as before).
CREATE FUNCTION cd_sync_role(p_username text, p_verifier text) RETURNS void {_DEFINER} AS $$
DECLARE
    u users%ROWTYPE;
    grp text;
    wanted boolean;
    member boolean;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cd_officer') THEN
        RETURN;
    END IF;
    SELECT * INTO u FROM users WHERE username = p_username;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no officer %', p_username;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_username) THEN
        IF NOT cd_officer_role(p_username) THEN
            PERFORM cd_refuse(format('a database role named %s exists and is not an officer: choose another username',
                                     p_username));
        END IF;
    ELSE
        EXECUTE format('CREATE ROLE %I LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION '
                       'NOBYPASSRLS IN ROLE cd_officer', p_username);
    END IF;
    IF p_verifier IS NOT NULL THEN
        IF p_verifier !~ '^SCRAM-SHA-256\\$[0-9]+:' THEN
            RAISE EXCEPTION 'a password must arrive as a SCRAM-SHA-256 verifier';
        END IF;
        EXECUTE format('ALTER ROLE %I PASSWORD %L', p_username, p_verifier);
    END IF;
    FOREACH grp IN ARRAY ARRAY['reception', 'interview', 'adjudicator', 'pickup', 'supervisor', 'admin'] LOOP
        wanted := u.active AND grp = ANY (string_to_array(u.roles, ' '));
        member := EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                          JOIN pg_roles r ON r.oid = m.member
                          WHERE g.rolname = 'cd_' || grp AND r.rolname = p_username);
        IF wanted AND NOT member THEN
            EXECUTE format('GRANT %I TO %I', 'cd_' || grp, p_username);
        ELSIF member AND NOT wanted THEN
            EXECUTE format('REVOKE %I FROM %I', 'cd_' || grp, p_username);
        END IF;
    END LOOP;
    EXECUTE format('ALTER ROLE %I VALID UNTIL %L', p_username,
                   CASE WHEN NOT u.active OR u.locked_until > now() THEN '-infinity' ELSE 'infinity' END);
END $$;

CREATE FUNCTION cd_has_password(p_id integer) RETURNS boolean {_DEFINER} STABLE AS $$
BEGIN
    RETURN (SELECT password_hash IS NOT NULL FROM users WHERE id = p_id);
END $$;

CREATE FUNCTION cd_check_roles(p_roles text) RETURNS text {_DEFINER} IMMUTABLE AS $$
DECLARE word text;
BEGIN
    FOREACH word IN ARRAY string_to_array(coalesce(p_roles, ''), ' ') LOOP
        IF word <> '' AND word NOT IN ('reception', 'interview', 'adjudicator', 'pickup', 'supervisor', 'admin') THEN
            RAISE EXCEPTION 'unknown role %', word;
        END IF;
    END LOOP;
    RETURN coalesce(p_roles, '');
END $$;

-- Officer management: only an administrator (or the owner). The caller writes the audit row in the same
-- transaction; cd_audit_stamp puts the acting officer's name on it.
CREATE FUNCTION cd_user_add(p_office integer, p_username text, p_full_name text, p_roles text, p_hash text,
                            p_verifier text, p_at timestamptz) RETURNS integer {_DEFINER} AS $$
DECLARE uid integer;
BEGIN
    PERFORM cd_require('cd_admin', 'add officers');
    INSERT INTO users (office_id, username, full_name, password_hash, roles, active, failed_logins, created_at)
    VALUES (p_office, p_username, p_full_name, p_hash, cd_check_roles(p_roles), true, 0, p_at)
    RETURNING id INTO uid;
    PERFORM cd_sync_role(p_username, p_verifier);
    RETURN uid;
END $$;

CREATE FUNCTION cd_user_passwd(p_username text, p_hash text, p_verifier text) RETURNS void {_DEFINER} AS $$
BEGIN
    IF p_username IS DISTINCT FROM session_user::text OR NOT cd_is_officer() THEN
        PERFORM cd_require('cd_admin', 'set another officer''s password');
    END IF;
    UPDATE users SET password_hash = p_hash, failed_logins = 0, locked_until = NULL WHERE username = p_username;
    PERFORM cd_sync_role(p_username, p_verifier);
END $$;

CREATE FUNCTION cd_user_roles(p_username text, p_roles text) RETURNS void {_DEFINER} AS $$
BEGIN
    PERFORM cd_require('cd_admin', 'change officers'' roles');
    UPDATE users SET roles = cd_check_roles(p_roles) WHERE username = p_username;
    PERFORM cd_sync_role(p_username, NULL);
END $$;

CREATE FUNCTION cd_user_active(p_username text, p_active boolean) RETURNS void {_DEFINER} AS $$
BEGIN
    PERFORM cd_require('cd_admin', 'disable or enable officers');
    UPDATE users SET active = p_active WHERE username = p_username;
    PERFORM cd_sync_role(p_username, NULL);
END $$;

CREATE FUNCTION cd_user_unlock(p_username text) RETURNS void {_DEFINER} AS $$
BEGIN
    PERFORM cd_require('cd_admin', 'unlock officers');
    UPDATE users SET failed_logins = 0, locked_until = NULL WHERE username = p_username;
    PERFORM cd_sync_role(p_username, NULL);
END $$;

-- Signing in. PostgreSQL itself checks the password; when it refuses one, the station reports the failure
-- through the sign-in role (which may run only this). Returns 'retry' when the account's lockout had run out
-- (the lock is lifted: the station tries the password once more), else 'failed'.
CREATE FUNCTION cd_signin_failed(p_username text, p_station text) RETURNS text {_DEFINER} AS $$
DECLARE
    u users%ROWTYPE;
    v_name text := left(lower(btrim(coalesce(p_username, ''))), 64);
    v_station integer;
    attempts integer;
    minutes integer;
    failures integer;
BEGIN
    SELECT * INTO u FROM users WHERE username = v_name FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO audit_log (office_id, kind, user_id, username, station_id, detail, created_at)
        SELECT min(id), 'signin_failed', NULL, v_name, NULL, '{{"reason": "unknown_user", "via": "postgresql"}}', now()
        FROM offices HAVING min(id) IS NOT NULL;
        RETURN 'failed';
    END IF;
    v_station := (SELECT id FROM stations WHERE office_id = u.office_id AND code = p_station);
    IF u.active AND u.locked_until IS NOT NULL AND u.locked_until <= now() THEN
        UPDATE users SET locked_until = NULL, failed_logins = 0 WHERE id = u.id;
        PERFORM cd_sync_role(u.username, NULL);
        RETURN 'retry';
    END IF;
    IF NOT u.active OR u.locked_until > now() THEN
        INSERT INTO audit_log (office_id, kind, user_id, username, station_id, detail, created_at)
        VALUES (u.office_id, 'signin_refused', u.id, u.username, v_station,
                json_build_object('reason', CASE WHEN u.active THEN 'locked' ELSE 'disabled' END,
                                  'via', 'postgresql'), now());
        RETURN 'failed';
    END IF;
    attempts := coalesce((SELECT (value #>> '{{}}')::integer FROM office_settings
                          WHERE office_id = u.office_id AND key = 'lockout_attempts'), 5);
    minutes := coalesce((SELECT (value #>> '{{}}')::integer FROM office_settings
                         WHERE office_id = u.office_id AND key = 'lockout_minutes'), 15);
    failures := u.failed_logins + 1;
    IF failures >= attempts THEN
        UPDATE users SET failed_logins = 0, locked_until = now() + make_interval(mins => minutes) WHERE id = u.id;
        PERFORM cd_sync_role(u.username, NULL);
    ELSE
        UPDATE users SET failed_logins = failures WHERE id = u.id;
    END IF;
    INSERT INTO audit_log (office_id, kind, user_id, username, station_id, detail, created_at)
    VALUES (u.office_id, 'signin_failed', u.id, u.username, v_station,
            json_build_object('reason', 'wrong_password', 'locked', failures >= attempts, 'via', 'postgresql'), now());
    RETURN 'failed';
END $$;

-- An officer connected with their own password: record the sign-in at p_station, forget failed attempts.
CREATE FUNCTION cd_signin(p_station text, p_at timestamptz)
RETURNS TABLE (id integer, username text, full_name text, roles text) {_DEFINER} AS $$
DECLARE u users%ROWTYPE;
BEGIN
    SELECT * INTO u FROM users WHERE users.username = session_user::text FOR UPDATE;
    IF NOT FOUND OR NOT u.active THEN
        PERFORM cd_refuse(format('%s is not an active officer of this office', session_user));
    END IF;
    UPDATE users SET failed_logins = 0 WHERE users.id = u.id;
    INSERT INTO audit_log (office_id, kind, user_id, username, station_id, detail, created_at)
    VALUES (u.office_id, 'signin', u.id, u.username,
            (SELECT s.id FROM stations s WHERE s.office_id = u.office_id AND s.code = p_station),
            '{{"via": "postgresql"}}', p_at);
    RETURN QUERY SELECT u.id, u.username::text, u.full_name::text, u.roles::text;
END $$;

-- Triggers.
CREATE FUNCTION cd_events_stamp() RETURNS trigger {_DEFINER} AS $$
DECLARE next_seq bigint;
BEGIN
    UPDATE counters SET value = value + 1 WHERE name = 'events' RETURNING value INTO next_seq;
    IF next_seq IS NULL THEN
        RAISE EXCEPTION 'the events counter row is missing';
    END IF;
    NEW.seq := next_seq;
    IF cd_is_officer() THEN
        NEW.user_id := (SELECT u.id FROM users u WHERE u.username = session_user::text);
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION cd_audit_stamp() RETURNS trigger {_DEFINER} AS $$
BEGIN
    IF cd_is_officer() THEN
        NEW.user_id := (SELECT u.id FROM users u WHERE u.username = session_user::text);
        NEW.username := session_user::text;
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION cd_tickets_guard() RETURNS trigger {_DEFINER} AS $$
DECLARE
    stage_kind text;
    needed text;
BEGIN
    IF NOT cd_is_officer() OR cd_member('cd_supervisor') THEN
        RETURN NEW;
    END IF;
    IF NEW.priority_level IS DISTINCT FROM OLD.priority_level OR NEW.office_id IS DISTINCT FROM OLD.office_id
       OR NEW.number IS DISTINCT FROM OLD.number OR NEW.category_id IS DISTINCT FROM OLD.category_id THEN
        PERFORM cd_refuse(format('%s may not change a ticket''s number, category or priority: it needs the role '
                                 'supervisor', session_user));
    END IF;
    IF OLD.status = 'waiting' AND NEW.status = 'waiting'
       AND (NEW.stage_id IS DISTINCT FROM OLD.stage_id OR NEW.front IS DISTINCT FROM OLD.front
            OR NEW.queue_key IS DISTINCT FROM OLD.queue_key) THEN
        PERFORM cd_refuse(format('%s may not move a waiting ticket: it needs the role supervisor', session_user));
    END IF;
    stage_kind := (SELECT s.kind FROM stages s WHERE s.id = OLD.stage_id);
    needed := CASE stage_kind WHEN 'reception' THEN 'cd_reception' WHEN 'service' THEN 'cd_interview'
                              WHEN 'adjudication' THEN 'cd_adjudicator' WHEN 'pickup' THEN 'cd_pickup' END;
    IF needed IS NULL OR NOT cd_member(needed) THEN
        PERFORM cd_refuse(format('%s may not act on tickets at the %s stage: it needs the role %s',
                                 session_user, stage_kind, substr(coalesce(needed, 'cd_supervisor'), 4)));
    END IF;
    RETURN NEW;
END $$;

-- At commit: an officer's change of a ticket comes with an event about it, written in the same transaction
-- (calling out of order is allowed, silently is not: the event log stays the truth, with the officer's name).
CREATE FUNCTION cd_tickets_evented() RETURNS trigger {_DEFINER} AS $$
BEGIN
    IF cd_is_officer() AND NOT EXISTS (
        SELECT 1 FROM events e WHERE e.ticket_id = NEW.id AND e.xmin = pg_current_xact_id()::xid) THEN
        PERFORM cd_refuse(format('%s changed ticket %s without recording it in the event log',
                                 session_user, NEW.number));
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER cd_events_stamp BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION cd_events_stamp();
CREATE CONSTRAINT TRIGGER cd_tickets_evented AFTER INSERT OR UPDATE ON tickets DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION cd_tickets_evented();
CREATE TRIGGER cd_audit_stamp BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION cd_audit_stamp();
CREATE TRIGGER cd_tickets_guard BEFORE UPDATE ON tickets FOR EACH ROW EXECUTE FUNCTION cd_tickets_guard();

-- What the waiting-room TV shows: numbers, counters, stage names. No names, NIKs, reasons or hashes.
CREATE VIEW display_calls AS
    SELECT e.seq, e.office_id, e.kind, e.number, e.stage_id, e.station_id, e.created_at
    FROM events e;
CREATE VIEW display_stations AS
    SELECT st.id, st.office_id, st.code, st.name, st.name_en, st.active, sg.id AS stage_id, sg.code AS stage_code,
           sg.name AS stage_name, sg.name_en AS stage_name_en, sg.announce
    FROM stations st JOIN stages sg ON sg.id = st.stage_id;
CREATE VIEW display_waiting AS
    SELECT t.office_id, t.day, t.stage_id, t.status, count(*) AS tickets
    FROM tickets t GROUP BY t.office_id, t.day, t.stage_id, t.status;
"""  # noqa: S608 - only constants of this file are formatted in

_FUNCTION_NAMES = (
    "cd_tickets_evented()",
    "cd_tickets_guard()",
    "cd_audit_stamp()",
    "cd_events_stamp()",
    "cd_signin(text, timestamptz)",
    "cd_signin_failed(text, text)",
    "cd_user_unlock(text)",
    "cd_user_active(text, boolean)",
    "cd_user_roles(text, text)",
    "cd_user_passwd(text, text, text)",
    "cd_user_add(integer, text, text, text, text, text, timestamptz)",
    "cd_check_roles(text)",
    "cd_has_password(integer)",
    "cd_sync_role(text, text)",
    "cd_officer_role(text)",
    "cd_require(text, text)",
    "cd_refuse(text)",
    "cd_is_officer()",
    "cd_member(text)",
    "cd_is_owner()",
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_FUNCTIONS)
    # Nobody runs these functions unless `db roles --apply` grants it (PostgreSQL lets PUBLIC execute new ones).
    op.execute(f"REVOKE EXECUTE ON FUNCTION {', '.join(_FUNCTION_NAMES)} FROM PUBLIC")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP VIEW display_waiting, display_stations, display_calls")
    op.execute("DROP TRIGGER cd_tickets_evented ON tickets")
    op.execute("DROP TRIGGER cd_tickets_guard ON tickets")
    op.execute("DROP TRIGGER cd_audit_stamp ON audit_log")
    op.execute("DROP TRIGGER cd_events_stamp ON events")
    op.execute(f"DROP FUNCTION {', '.join(_FUNCTION_NAMES)}")

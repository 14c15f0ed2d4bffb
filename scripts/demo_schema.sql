-- The demo's tables, roles, policies and NOTIFY trigger. Idempotent: scripts/run and the
-- test harness apply it on every start, to a fresh or an existing database.
--   psql -X -v ON_ERROR_STOP=1 -f scripts/demo_schema.sql
SET client_min_messages = warning; -- "does not exist, skipping" is expected noise

BEGIN;

CREATE TABLE IF NOT EXISTS notes (
    id         bigserial   PRIMARY KEY,
    body       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Who wrote a note (the WAMP authid pgwamp sets for procedures that run as
-- the caller; NULL for notes written in psql) and whether everyone may read it.
ALTER TABLE notes ADD COLUMN IF NOT EXISTS owner text DEFAULT nullif(current_setting('pgwamp.authid', true), '');
ALTER TABLE notes ADD COLUMN IF NOT EXISTS public boolean NOT NULL DEFAULT true;
-- A delete's row-change event then carries the owner, so only they receive it.
ALTER TABLE notes REPLICA IDENTITY FULL;

-- Users of the demo: names and bcrypt hashes (pgcrypto), so no user secret
-- is in any file. pgwamp's ticket authenticator and signup use the two
-- functions below; nothing else reads the table.
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE TABLE IF NOT EXISTS app_users (
    name          text        PRIMARY KEY,
    password_hash text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
REVOKE ALL ON app_users FROM PUBLIC;
-- "Alice" and "alice" are one name to a reader: one account.
CREATE UNIQUE INDEX IF NOT EXISTS app_users_name_lower ON app_users (lower(name));

CREATE OR REPLACE FUNCTION app_signup(p_name text, p_password text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    IF p_name !~ '^[A-Za-z0-9_.-]{3,32}$' THEN
        RAISE EXCEPTION 'a name is 3 to 32 letters, digits, ".", "_" or "-"' USING ERRCODE = 'check_violation';
    END IF;
    -- The service's name (it hears every private event) and names that pass
    -- for an operator; pgwamp's authenticator refuses them too
    -- (service/reserved_names.cpp).
    IF lower(p_name) LIKE 'pgwamp%' OR lower(p_name) IN ('admin', 'administrator', 'root', 'system', 'service',
            'anonymous', 'trusted', 'crossbar', 'router', 'postgres') THEN
        RAISE EXCEPTION 'the name "%" is reserved', p_name USING ERRCODE = 'check_violation', HINT = 'choose another name';
    END IF;
    -- bcrypt reads at most 72 bytes: a longer password would be cut silently.
    IF length(p_password) < 8 OR octet_length(p_password) > 72 THEN
        RAISE EXCEPTION 'a password has 8 to 72 bytes' USING ERRCODE = 'check_violation';
    END IF;
    INSERT INTO app_users (name, password_hash) VALUES (p_name, crypt(p_password, gen_salt('bf', 8)));
    RETURN p_name;
EXCEPTION WHEN unique_violation THEN
    RAISE EXCEPTION 'the name "%" is taken', p_name USING ERRCODE = 'unique_violation', HINT = 'choose another name';
END
$$;

-- One row (role, authid) for a right name and password, none otherwise.
-- The same bcrypt work runs whether the name exists or not, so neither the
-- answer nor its time says which names exist.
CREATE OR REPLACE FUNCTION app_authenticate(p_name text, p_password text)
RETURNS TABLE (role text, authid text)
LANGUAGE plpgsql AS $$
DECLARE
    stored text;
BEGIN
    SELECT u.password_hash INTO stored FROM app_users u WHERE u.name = p_name;
    IF crypt(p_password, coalesce(stored, '$2a$08$pgwampdummysaltpgwampe')) = stored THEN
        RETURN QUERY SELECT 'user'::text, p_name;
    END IF;
END
$$;

-- The database roles WAMP roles map to (config identity.database_roles):
-- procedures with "as_caller" run as one of them, so the policies below apply.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pgwamp_user') THEN CREATE ROLE pgwamp_user NOLOGIN; END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pgwamp_anon') THEN CREATE ROLE pgwamp_anon NOLOGIN; END IF;
END
$$;
GRANT pgwamp_user, pgwamp_anon TO CURRENT_USER;  -- pgwamp's own login may SET ROLE to them

-- Anyone reads public notes; a signed-in user reads and writes their own;
-- anonymous writes nothing (no INSERT privilege at all).
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS notes_read ON notes;
CREATE POLICY notes_read ON notes FOR SELECT
    USING (public OR owner = current_setting('pgwamp.authid', true));
DROP POLICY IF EXISTS notes_insert ON notes;
CREATE POLICY notes_insert ON notes FOR INSERT TO pgwamp_user
    WITH CHECK (owner = current_setting('pgwamp.authid', true));
DROP POLICY IF EXISTS notes_update ON notes;
CREATE POLICY notes_update ON notes FOR UPDATE TO pgwamp_user
    USING (owner = current_setting('pgwamp.authid', true));
DROP POLICY IF EXISTS notes_delete ON notes;
CREATE POLICY notes_delete ON notes FOR DELETE TO pgwamp_user
    USING (owner = current_setting('pgwamp.authid', true));
GRANT SELECT ON notes TO pgwamp_anon, pgwamp_user;
GRANT INSERT (body, public), UPDATE (body, public), DELETE ON notes TO pgwamp_user;
GRANT USAGE ON SEQUENCE notes_id_seq TO pgwamp_user;

-- Every inserted row is announced on channel `notes` as JSON; pgwamp
-- republishes it as the WAMP event com.example.notes.on_insert.
-- A NOTIFY payload must stay under 8000 bytes, or the INSERT itself fails;
-- a row too large for that is announced with its body cut short and
-- "truncated": true, so a long note never breaks writing notes.
CREATE OR REPLACE FUNCTION notes_notify_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    payload text := row_to_json(NEW)::text;
BEGIN
    IF octet_length(payload) >= 8000 THEN
        payload := json_build_object(
            'id', NEW.id,
            'body', left(NEW.body, 1000),
            'created_at', NEW.created_at,
            'owner', NEW.owner,
            'public', NEW.public,
            'truncated', true)::text;
    END IF;
    PERFORM pg_notify('notes', payload);
    RETURN NEW;
END
$$;

-- DROP + CREATE rather than CREATE OR REPLACE TRIGGER, which needs
-- PostgreSQL 14 and `--dsn` may point at an older server.
DROP TRIGGER IF EXISTS notes_notify_insert ON notes;
CREATE TRIGGER notes_notify_insert
    AFTER INSERT ON notes
    FOR EACH ROW EXECUTE FUNCTION notes_notify_insert();

COMMIT;

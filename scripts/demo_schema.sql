-- The demo's table and its NOTIFY trigger. Idempotent: scripts/run and the
-- test harness apply it on every start, to a fresh or an existing database.
--   psql -X -v ON_ERROR_STOP=1 -f scripts/demo_schema.sql
SET client_min_messages = warning; -- "does not exist, skipping" is expected noise

BEGIN;

CREATE TABLE IF NOT EXISTS notes (
    id         bigserial   PRIMARY KEY,
    body       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

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

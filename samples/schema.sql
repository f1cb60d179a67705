-- chain-audit reference schema: what a Finnest-style migration for the event store contains.
--
-- Chain format v1 (docs/chain-format.md): per org, events carry seq = 1, 2, 3 ... with no gaps, and
--   prev_hash(1) = 32 zero bytes, prev_hash(n) = hash(n-1),
--   hash(n)      = sha256(prev_hash(n) || canonical(n)),
-- where canonical(n) is org_id, seq, event_type, aggregate_type, aggregate_id, actor_id, occurred_at and
-- payload, each as a 4-byte big-endian length and PostgreSQL's binary representation of the value
-- (ff ff ff ff for NULL), text as UTF-8 and jsonb as 0x01 || its text.
--
-- Writers only ever run
--   INSERT INTO events.domain_events (org_id, event_type, aggregate_type, aggregate_id, actor_id, payload,
--                                     occurred_at) VALUES (...)            -- or INSERT ... SELECT
-- and the triggers below assign seq, prev_hash and hash. Loading this file twice is harmless.
--
-- The file is ASCII only, so it loads into a database of any encoding.
-- Every name and operator is schema-qualified and no literal holds a backslash, so the functions behave
-- the same whatever the caller's search_path or standard_conforming_strings.

BEGIN;

CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;

CREATE SCHEMA IF NOT EXISTS events;
CREATE SCHEMA IF NOT EXISTS agents;

CREATE TABLE IF NOT EXISTS public.orgs (
    id   uuid PRIMARY KEY DEFAULT public.gen_random_uuid(),
    slug text UNIQUE NOT NULL,
    name text NOT NULL
);

CREATE TABLE IF NOT EXISTS public.users (
    id           uuid PRIMARY KEY DEFAULT public.gen_random_uuid(),
    org_id       uuid NOT NULL REFERENCES public.orgs,
    email        text NOT NULL,
    display_name text
);

CREATE TABLE IF NOT EXISTS agents.sessions (
    id         uuid PRIMARY KEY DEFAULT public.gen_random_uuid(),
    org_id     uuid NOT NULL REFERENCES public.orgs,
    user_id    uuid REFERENCES public.users,
    started_at timestamptz NOT NULL,
    ended_at   timestamptz
);

CREATE TABLE IF NOT EXISTS events.domain_events (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id         uuid NOT NULL REFERENCES public.orgs,
    seq            bigint NOT NULL,
    event_type     text NOT NULL,
    aggregate_type text NOT NULL,
    aggregate_id   uuid NOT NULL,
    actor_id       uuid,
    payload        jsonb NOT NULL DEFAULT '{}',
    occurred_at    timestamptz NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    prev_hash      bytea NOT NULL,
    hash           bytea NOT NULL,
    CONSTRAINT domain_events_org_id_seq_key UNIQUE (org_id, seq)
);

CREATE TABLE IF NOT EXISTS events.chain_heads (
    org_id    uuid PRIMARY KEY REFERENCES public.orgs,
    last_seq  bigint NOT NULL,
    last_hash bytea NOT NULL
);

-- One canonical field: a 4-byte big-endian length and the bytes, or ff ff ff ff for NULL.
CREATE OR REPLACE FUNCTION events.chain_v1_field(value bytea)
RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN value IS NULL THEN pg_catalog.decode('ffffffff', 'hex')
                ELSE pg_catalog.int4send(pg_catalog.length(value)) OPERATOR(pg_catalog.||) value END
$$;

-- canonical(n) from the hashed columns, in chain format v1 order. Anyone can recompute a hash in SQL:
--   SELECT public.digest(prev_hash || events.canonical_bytes(e), 'sha256') = hash
--   FROM events.domain_events e WHERE org_id = ... ;
-- STABLE, not IMMUTABLE, because convert_to is; the result depends on no session setting.
CREATE OR REPLACE FUNCTION events.canonical_bytes(
    org_id uuid, seq bigint, event_type text, aggregate_type text, aggregate_id uuid, actor_id uuid,
    occurred_at timestamptz, payload jsonb)
RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT events.chain_v1_field(pg_catalog.uuid_send(org_id))
        OPERATOR(pg_catalog.||) events.chain_v1_field(pg_catalog.int8send(seq))
        OPERATOR(pg_catalog.||) events.chain_v1_field(pg_catalog.convert_to(event_type, 'UTF8'))
        OPERATOR(pg_catalog.||) events.chain_v1_field(pg_catalog.convert_to(aggregate_type, 'UTF8'))
        OPERATOR(pg_catalog.||) events.chain_v1_field(pg_catalog.uuid_send(aggregate_id))
        OPERATOR(pg_catalog.||) events.chain_v1_field(pg_catalog.uuid_send(actor_id))
        OPERATOR(pg_catalog.||) events.chain_v1_field(pg_catalog.timestamptz_send(occurred_at))
        OPERATOR(pg_catalog.||) events.chain_v1_field(
            pg_catalog.decode('01', 'hex')
            OPERATOR(pg_catalog.||) pg_catalog.convert_to(payload::pg_catalog.text, 'UTF8'))
$$;

-- The same for a whole row.
CREATE OR REPLACE FUNCTION events.canonical_bytes(e events.domain_events)
RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT events.canonical_bytes(e.org_id, e.seq, e.event_type, e.aggregate_type, e.aggregate_id, e.actor_id,
                                  e.occurred_at, e.payload)
$$;

-- BEFORE INSERT, per row: serialise the org's writers, find the predecessor, assign seq, prev_hash, hash.
--
-- * An advisory transaction lock per org (key: hashtextextended of 'chain-audit:' || org_id) serialises
--   writers, including two at genesis, where there is no row to lock. It is held until commit, so the
--   next writer, once it has the lock, sees this writer's rows (READ COMMITTED takes a new snapshot per
--   statement). A REPEATABLE READ writer whose snapshot predates the commit computes a seq that is
--   taken and fails on the unique (org_id, seq) index: the backstop, never a fork.
-- * The predecessor is read through that index (last row by seq). Rows inserted earlier by the same
--   statement are visible to it, so INSERT ... SELECT of many rows chains them in insertion order.
-- * events.chain_heads is not touched here: updating one row once per inserted row is quadratic inside
--   a transaction. The statement-level trigger below updates it once per statement.
-- * Nothing depends on the session: binary sends for uuid, bigint and timestamptz, convert_to for text.
CREATE OR REPLACE FUNCTION events.domain_events_chain()
RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    last_seq  bigint;
    last_hash bytea;
BEGIN
    IF NEW.org_id IS NULL THEN
        RAISE EXCEPTION 'events.domain_events.org_id must not be NULL' USING ERRCODE = 'not_null_violation';
    END IF;
    PERFORM pg_catalog.pg_advisory_xact_lock(
        pg_catalog.hashtextextended('chain-audit:' OPERATOR(pg_catalog.||) NEW.org_id::text, 0));
    SELECT d.seq, d.hash INTO last_seq, last_hash
      FROM events.domain_events d
     WHERE d.org_id OPERATOR(pg_catalog.=) NEW.org_id
     ORDER BY d.seq DESC
     LIMIT 1;
    IF last_seq IS NULL THEN
        NEW.seq := 1;
        NEW.prev_hash := pg_catalog.decode(pg_catalog.repeat('00', 32), 'hex');
    ELSE
        NEW.seq := last_seq OPERATOR(pg_catalog.+) 1;
        NEW.prev_hash := last_hash;
    END IF;
    NEW.hash := public.digest(
        NEW.prev_hash OPERATOR(pg_catalog.||) events.canonical_bytes(
            NEW.org_id, NEW.seq, NEW.event_type, NEW.aggregate_type, NEW.aggregate_id, NEW.actor_id,
            NEW.occurred_at, NEW.payload),
        'sha256');
    RETURN NEW;
END
$$;

-- AFTER INSERT, per statement: set each touched org's chain head to its newest row, once.
CREATE OR REPLACE FUNCTION events.domain_events_heads()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO events.chain_heads AS h (org_id, last_seq, last_hash)
    SELECT DISTINCT ON (n.org_id) n.org_id, n.seq, n.hash
      FROM new_rows n
     ORDER BY n.org_id, n.seq DESC
    ON CONFLICT (org_id) DO UPDATE SET last_seq = EXCLUDED.last_seq, last_hash = EXCLUDED.last_hash;
    RETURN NULL;
END
$$;

-- The event store is append-only.
CREATE OR REPLACE FUNCTION events.domain_events_append_only()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    RAISE EXCEPTION 'events.domain_events is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE OR REPLACE TRIGGER domain_events_chain
    BEFORE INSERT ON events.domain_events
    FOR EACH ROW EXECUTE FUNCTION events.domain_events_chain();

CREATE OR REPLACE TRIGGER domain_events_heads
    AFTER INSERT ON events.domain_events
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION events.domain_events_heads();

CREATE OR REPLACE TRIGGER domain_events_no_update
    BEFORE UPDATE OR DELETE ON events.domain_events
    FOR EACH ROW EXECUTE FUNCTION events.domain_events_append_only();

CREATE OR REPLACE TRIGGER domain_events_no_truncate
    BEFORE TRUNCATE ON events.domain_events
    FOR EACH STATEMENT EXECUTE FUNCTION events.domain_events_append_only();

-- Tenant isolation at the database level: the application's role, and row level security on every table
-- that has an org_id column (docs/security.md).
--
-- The application connects as a login role that is a member of finnest_app and, at the start of every
-- transaction, names the org it acts for in the setting app.current_org_id:
--   SELECT pg_catalog.set_config('app.current_org_id', '<org uuid>', true);
-- Each table's policy then admits exactly that org's rows, for reading and for writing; with the setting
-- unset or empty it admits none. FORCE makes the policies bind the tables' owner too: only superusers and
-- roles with BYPASSRLS (the auditor) see every org. The chain triggers run as the inserting role, so they
-- see, chain and record the head of the org the application acts for. `chain-audit tenants` checks all of
-- this, and `--probe-role finnest_app` tries it live.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) 'finnest_app') THEN
        CREATE ROLE finnest_app NOLOGIN;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public, events, agents TO finnest_app;
GRANT SELECT ON public.orgs TO finnest_app;
GRANT SELECT, INSERT, UPDATE ON public.users, agents.sessions TO finnest_app;
-- INSERT for writing events; SELECT for reading them and for the trigger's look-up of the org's last row;
-- chain_heads takes the statement trigger's upsert, made as the inserting role.
GRANT SELECT, INSERT ON events.domain_events TO finnest_app;
GRANT SELECT, INSERT, UPDATE ON events.chain_heads TO finnest_app;

ALTER TABLE public.users ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.users FORCE ROW LEVEL SECURITY;
ALTER TABLE agents.sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE agents.sessions FORCE ROW LEVEL SECURITY;
ALTER TABLE events.domain_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE events.domain_events FORCE ROW LEVEL SECURITY;
ALTER TABLE events.chain_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE events.chain_heads FORCE ROW LEVEL SECURITY;

-- One policy per table, the same expression for USING and WITH CHECK. A setting that is not a uuid is an
-- error, never a wider view.
DROP POLICY IF EXISTS tenant_isolation ON public.users;
CREATE POLICY tenant_isolation ON public.users
    USING (org_id OPERATOR(pg_catalog.=)
           NULLIF(pg_catalog.current_setting('app.current_org_id', true), '')::pg_catalog.uuid)
    WITH CHECK (org_id OPERATOR(pg_catalog.=)
                NULLIF(pg_catalog.current_setting('app.current_org_id', true), '')::pg_catalog.uuid);
DROP POLICY IF EXISTS tenant_isolation ON agents.sessions;
CREATE POLICY tenant_isolation ON agents.sessions
    USING (org_id OPERATOR(pg_catalog.=)
           NULLIF(pg_catalog.current_setting('app.current_org_id', true), '')::pg_catalog.uuid)
    WITH CHECK (org_id OPERATOR(pg_catalog.=)
                NULLIF(pg_catalog.current_setting('app.current_org_id', true), '')::pg_catalog.uuid);
DROP POLICY IF EXISTS tenant_isolation ON events.domain_events;
CREATE POLICY tenant_isolation ON events.domain_events
    USING (org_id OPERATOR(pg_catalog.=)
           NULLIF(pg_catalog.current_setting('app.current_org_id', true), '')::pg_catalog.uuid)
    WITH CHECK (org_id OPERATOR(pg_catalog.=)
                NULLIF(pg_catalog.current_setting('app.current_org_id', true), '')::pg_catalog.uuid);
DROP POLICY IF EXISTS tenant_isolation ON events.chain_heads;
CREATE POLICY tenant_isolation ON events.chain_heads
    USING (org_id OPERATOR(pg_catalog.=)
           NULLIF(pg_catalog.current_setting('app.current_org_id', true), '')::pg_catalog.uuid)
    WITH CHECK (org_id OPERATOR(pg_catalog.=)
                NULLIF(pg_catalog.current_setting('app.current_org_id', true), '')::pg_catalog.uuid);

COMMIT;

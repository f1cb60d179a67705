-- The role chain-audit connects as: least privilege for an auditor. Load after samples/schema.sql, as a
-- superuser (BYPASSRLS can only be granted by one). Loading it twice is harmless.
--
-- * LOGIN, and CONNECT on this database (grant it on others yourself).
-- * USAGE on the schemas it reads and SELECT on the tables it reads; nothing else: no INSERT, UPDATE,
--   DELETE or TRUNCATE anywhere, and every transaction chain-audit opens is READ ONLY besides.
-- * BYPASSRLS: row level security is forced on the org-scoped tables, and chain-audit pins row_security
--   off so that a policy which would hide rows makes it fail rather than verify a shorter chain. BYPASSRLS
--   is an attribute of the role, not a privilege on any table: it lets the role read every org, nothing more.
-- * NOINHERIT, so that a role granted to it later lends it no privileges unless it SETs that role.
--
-- The live tenant probe (`chain-audit tenants`, `check`) acts as the application role, which needs one
-- grant more than least privilege gives: `GRANT finnest_app TO chain_auditor;`. With NOINHERIT the
-- application's privileges still do not apply to chain_auditor's own queries, but it could SET ROLE to the
-- application and write as it, so grant it only where the probe runs, or probe from a separate role.
--
-- Give it a password (ALTER ROLE chain_auditor PASSWORD '...') or a certificate as your pg_hba.conf needs.

BEGIN;

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'chain_auditor') THEN
        CREATE ROLE chain_auditor LOGIN BYPASSRLS NOINHERIT;
    ELSE
        ALTER ROLE chain_auditor LOGIN BYPASSRLS NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE;
    END IF;
    EXECUTE pg_catalog.format('GRANT CONNECT ON DATABASE %I TO chain_auditor', pg_catalog.current_database());
END
$$;

GRANT USAGE ON SCHEMA public, agents, events TO chain_auditor;
GRANT SELECT ON public.orgs, public.users, agents.sessions, events.domain_events, events.chain_heads
    TO chain_auditor;

COMMIT;

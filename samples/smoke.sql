-- The smoke-test org as Finnest's post-deploy smoke test (STORY-F-020) leaves it: the seeded smoke-test
-- user logs in, opens a session, chats with the agent (one message each way), and closes the session,
-- which sets agents.sessions.ended_at. Load samples/schema.sql first. Loading this twice is harmless:
-- it does nothing once the org exists.
--
-- Ids and times are fixed, so the chain's hashes are the same on every database (docs/chain-format.md
-- uses seq 1 as its worked example).

BEGIN;

DO $$
DECLARE
    smoke_org     constant uuid := '5e0c0a1d-0000-4000-8000-00000000f020';
    smoke_user    constant uuid := '5e0c0a1d-0000-4000-8000-000000000001';
    smoke_session constant uuid := '5e0c0a1d-0000-4000-8000-000000000002';
BEGIN
    IF EXISTS (SELECT 1 FROM public.orgs WHERE slug = 'smoke') THEN
        RAISE NOTICE 'org smoke exists already; nothing to do';
        RETURN;
    END IF;

    INSERT INTO public.orgs (id, slug, name) VALUES (smoke_org, 'smoke', 'Smoke Test Org');
    INSERT INTO public.users (id, org_id, email, display_name)
    VALUES (smoke_user, smoke_org, 'smoke-test@finnest.invalid', 'Smoke Test User');

    -- Login.
    INSERT INTO events.domain_events (org_id, event_type, aggregate_type, aggregate_id, actor_id, payload, occurred_at)
    VALUES (smoke_org, 'user.logged_in', 'user', smoke_user, smoke_user,
            '{"method": "password", "ip": "203.0.113.7", "user_agent": "Playwright"}',
            '2026-05-15 09:00:00.123456+10');

    -- The agent session: started, two chat messages, ended.
    INSERT INTO agents.sessions (id, org_id, user_id, started_at)
    VALUES (smoke_session, smoke_org, smoke_user, '2026-05-15 09:00:05+10');
    INSERT INTO events.domain_events (org_id, event_type, aggregate_type, aggregate_id, actor_id, payload, occurred_at)
    VALUES (smoke_org, 'session.started', 'session', smoke_session, smoke_user,
            '{"channel": "cmd_k", "user_id": "5e0c0a1d-0000-4000-8000-000000000001"}',
            '2026-05-15 09:00:05+10');
    INSERT INTO events.domain_events (org_id, event_type, aggregate_type, aggregate_id, actor_id, payload, occurred_at)
    VALUES (smoke_org, 'agent.message', 'session', smoke_session, smoke_user,
            '{"role": "user", "text": "who am I"}',
            '2026-05-15 09:00:07.5+10'),
           (smoke_org, 'agent.message', 'session', smoke_session, NULL,
            '{"role": "assistant", "tier": 1, "text": "You are Smoke Test User (smoke-test@finnest.invalid)."}',
            '2026-05-15 09:00:07.75+10');
    INSERT INTO events.domain_events (org_id, event_type, aggregate_type, aggregate_id, actor_id, payload, occurred_at)
    VALUES (smoke_org, 'session.ended', 'session', smoke_session, smoke_user,
            '{"reason": "closed_by_user"}',
            '2026-05-15 09:01:00+10');
    UPDATE agents.sessions SET ended_at = '2026-05-15 09:01:00+10' WHERE id = smoke_session;
END
$$;

COMMIT;

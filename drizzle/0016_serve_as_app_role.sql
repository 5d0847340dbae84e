-- The application serves as `stepwise_app`, under the row-level security policies, with the organization of
-- each request as its `app.org_id`. What must act across organizations, or before an organization is known,
-- goes through the functions below: each does one narrow thing (resolve a session by its token's hash, lease
-- due timers…), runs as `stepwise_system` (a role that cannot log in, and whose policies admit every row),
-- and is executable by the application role. Nothing turns the policies off.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stepwise_system') THEN
    BEGIN
      CREATE ROLE stepwise_system NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT;
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE NOTICE 'stepwise: cannot create the role stepwise_system (no CREATEROLE); create it as docs/security.md shows';
    END;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stepwise_system') THEN
    -- The migrating role hands the functions to it (ALTER … OWNER needs membership).
    IF NOT pg_has_role(current_user, 'stepwise_system', 'MEMBER') THEN
      EXECUTE format('GRANT stepwise_system TO %I', current_user);
    END IF;
    EXECUTE 'GRANT USAGE ON SCHEMA public TO stepwise_system';
    EXECUTE 'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO stepwise_system';
    EXECUTE 'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO stepwise_system';
    EXECUTE 'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO stepwise_system';
    EXECUTE 'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO stepwise_system';
  END IF;
END $$;
--> statement-breakpoint
-- Every table under the policies: FORCE binds the tables' owner too (a server started with the owner's URL by
-- mistake is still walled), and `stepwise_system` is admitted to every row.
DO $$
DECLARE t text;
BEGIN
  FOR t IN SELECT c.relname FROM pg_class c
            WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND c.relrowsecurity
  LOOP
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stepwise_system') THEN
      EXECUTE format('DROP POLICY IF EXISTS system_access ON %I', t);
      EXECUTE format('CREATE POLICY system_access ON %I TO stepwise_system USING (true) WITH CHECK (true)', t);
    END IF;
  END LOOP;
END $$;
--> statement-breakpoint
-- A session by its token's hash: the person, the organization and role it is signed in to (an unexpired
-- session of an enabled membership), marked seen at most once per `seen_ms`.
CREATE OR REPLACE FUNCTION stepwise_session(token_hash_ text, now_ timestamptz, seen_ms int)
RETURNS TABLE (user_id uuid, org_id uuid, role text, name text, email text, expires_at timestamptz)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_catalog AS $$
  WITH found AS (
    SELECT u.id AS user_id, m.org_id, m.role, u.name, u.email, s.expires_at, s.last_seen_at
      FROM sessions s
      JOIN memberships m ON m.org_id = s.org_id AND m.user_id = s.user_id
      JOIN users u ON u.id = s.user_id
     WHERE s.token_hash = token_hash_ AND s.expires_at > now_ AND m.disabled_at IS NULL),
  seen AS (
    UPDATE sessions SET last_seen_at = now_
     WHERE sessions.token_hash = token_hash_ AND EXISTS (SELECT 1 FROM found
       WHERE found.last_seen_at IS NULL OR found.last_seen_at < now_ - seen_ms * interval '1 millisecond'))
  SELECT found.user_id, found.org_id, found.role, found.name, found.email, found.expires_at FROM found
$$;
--> statement-breakpoint
-- An API token by its hash (unrevoked), marked used at most once a minute.
CREATE OR REPLACE FUNCTION stepwise_api_token(token_hash_ text, now_ timestamptz)
RETURNS TABLE (id uuid, org_id uuid, name text)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_catalog AS $$
  WITH tok AS (
    SELECT t.id, t.org_id, t.name, t.last_used_at FROM api_tokens t
     WHERE t.token_hash = token_hash_ AND t.revoked_at IS NULL),
  used AS (
    UPDATE api_tokens SET last_used_at = now_
     WHERE (api_tokens.org_id, api_tokens.id) = (SELECT tok.org_id, tok.id FROM tok)
       AND (api_tokens.last_used_at IS NULL OR api_tokens.last_used_at < now_ - interval '1 minute'))
  SELECT tok.id, tok.org_id, tok.name FROM tok
$$;
--> statement-breakpoint
-- Log-in: the account of an email (its password hash is checked by the server), and its enabled
-- memberships, oldest first.
CREATE OR REPLACE FUNCTION stepwise_account(email_ text)
RETURNS TABLE (id uuid, name text, email text, password_hash text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_catalog AS $$
  SELECT u.id, u.name, u.email, u.password_hash FROM users u WHERE lower(u.email) = lower(email_) LIMIT 1
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stepwise_memberships(user_id_ uuid)
RETURNS TABLE (org_id uuid, org_name text, role text, created_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_catalog AS $$
  SELECT m.org_id, o.name, m.role, m.created_at FROM memberships m JOIN organizations o ON o.id = m.org_id
   WHERE m.user_id = user_id_ AND m.disabled_at IS NULL
   ORDER BY m.created_at, m.org_id
$$;
--> statement-breakpoint
-- The background loops' leases: due rows of every organization, `FOR UPDATE SKIP LOCKED` (servers take
-- disjoint ones), each with its organization (the work on a row then acts for that organization only).
CREATE OR REPLACE FUNCTION stepwise_claim_timers(now_ timestamptz, batch int)
RETURNS TABLE (id text, org_id uuid, ticket_id uuid, seq int, kind text, node_id text)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_catalog AS $$
  SELECT tm.id::text, tm.org_id, tm.ticket_id, tm.seq, tm.kind, tm.node_id
    FROM timers tm JOIN tickets t ON t.org_id = tm.org_id AND t.id = tm.ticket_id
   WHERE tm.fired_at IS NULL AND tm.cancelled_at IS NULL AND tm.due_at <= now_
   ORDER BY tm.due_at, tm.id LIMIT batch
     FOR UPDATE OF tm, t SKIP LOCKED
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stepwise_lease_jobs(now_ timestamptz, batch int, lease_ms int)
RETURNS TABLE (id text, org_id uuid, ticket_id uuid, seq int, attempts int, effects jsonb)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_catalog AS $$
  WITH due AS (
    SELECT j.org_id, j.id FROM runtime_jobs j WHERE j.done_at IS NULL AND j.next_attempt_at <= now_
     ORDER BY j.next_attempt_at, j.id LIMIT batch FOR UPDATE SKIP LOCKED)
  UPDATE runtime_jobs j SET attempts = j.attempts + 1, next_attempt_at = now_ + make_interval(secs => lease_ms / 1000.0)
    FROM due WHERE j.org_id = due.org_id AND j.id = due.id
  RETURNING j.id::text, j.org_id, j.ticket_id, j.seq, j.attempts, j.effects
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stepwise_lease_webhooks(now_ timestamptz, batch int, lease_ms int)
RETURNS TABLE (id uuid, org_id uuid, url text, secret text, event_type text, payload jsonb, attempts int, created_at text)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_catalog AS $$
  WITH due AS (
    SELECT d.org_id, d.id FROM webhook_deliveries d
     WHERE d.status = 'pending' AND d.next_attempt_at <= now_
     ORDER BY d.next_attempt_at, d.id LIMIT batch FOR UPDATE SKIP LOCKED)
  UPDATE webhook_deliveries d SET attempts = d.attempts + 1,
         next_attempt_at = now_ + make_interval(secs => lease_ms / 1000.0)
    FROM due, webhook_endpoints e
   WHERE d.org_id = due.org_id AND d.id = due.id AND e.org_id = d.org_id AND e.id = d.endpoint_id
  RETURNING d.id, d.org_id, e.url, e.secret, d.event_type, d.payload, d.attempts,
    to_char(d.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stepwise_lease_mail(now_ timestamptz, batch int, lease_ms int)
RETURNS TABLE (id uuid, org_id uuid, kind text, to_address text, subject text, body text, attempts int)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_catalog AS $$
  WITH due AS (
    SELECT m.id FROM outgoing_mail m
     WHERE m.status = 'pending' AND m.next_attempt_at <= now_
     ORDER BY m.next_attempt_at, m.id LIMIT batch FOR UPDATE SKIP LOCKED)
  UPDATE outgoing_mail m SET attempts = m.attempts + 1, next_attempt_at = now_ + make_interval(secs => lease_ms / 1000.0)
    FROM due WHERE m.id = due.id
  RETURNING m.id, m.org_id, m.kind, m.to_address, m.subject, m.body, m.attempts
$$;
--> statement-breakpoint
-- What became of a leased message (mail of no organization, such as a sign-up's, is settled here too).
CREATE OR REPLACE FUNCTION stepwise_settle_mail(
  id_ uuid, status_ text, sent_at_ timestamptz, next_attempt_at_ timestamptz, last_error_ text)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_catalog AS $$
  UPDATE outgoing_mail SET status = status_, sent_at = coalesce(sent_at_, sent_at),
         next_attempt_at = coalesce(next_attempt_at_, next_attempt_at), last_error = last_error_
   WHERE outgoing_mail.id = id_
$$;
--> statement-breakpoint
-- A public link's organization (a feedback request, an invitation) by its token's hash: the page's work
-- then acts for that organization.
CREATE OR REPLACE FUNCTION stepwise_link_org(kind text, token_hash_ text)
RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_catalog AS $$
  SELECT CASE kind
    WHEN 'feedback' THEN (SELECT f.org_id FROM feedback_requests f WHERE f.token_hash = token_hash_)
    WHEN 'invitation' THEN (SELECT i.org_id FROM invitations i WHERE i.token_hash = token_hash_)
    WHEN 'sign_up' THEN (SELECT s.org_id FROM sign_up_requests s WHERE s.token_hash = token_hash_)
  END
$$;
--> statement-breakpoint
-- A sign-up before it is confirmed belongs to no organization (its link is mailed to the address): the
-- application may file and read it in any scope. Once confirmed it belongs to the organization it created.
CREATE POLICY unconfirmed ON sign_up_requests USING (org_id IS NULL) WITH CHECK (org_id IS NULL);
--> statement-breakpoint
-- Mail of no organization (a sign-up's confirmation) can be queued from any scope; only the mail loop's
-- functions read it back.
CREATE POLICY no_org_mail ON outgoing_mail FOR INSERT WITH CHECK (org_id IS NULL);
--> statement-breakpoint
-- A person's password changed (by themself, or by an admin of their only organization): every session of
-- theirs ends, in every organization, but the one they keep. Returns how many ended.
CREATE OR REPLACE FUNCTION stepwise_end_user_sessions(user_id_ uuid, keep_token_hash text)
RETURNS int
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_catalog AS $$
  WITH ended AS (
    DELETE FROM sessions s WHERE s.user_id = user_id_ AND s.token_hash IS DISTINCT FROM keep_token_hash
    RETURNING 1)
  SELECT count(*)::int FROM ended
$$;
--> statement-breakpoint
-- How many other organizations a person belongs to (an admin may set the password only of a person who
-- belongs to theirs alone).
CREATE OR REPLACE FUNCTION stepwise_other_memberships(user_id_ uuid, org_id_ uuid)
RETURNS int
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_catalog AS $$
  SELECT count(*)::int FROM memberships m WHERE m.user_id = user_id_ AND m.org_id <> org_id_
$$;
--> statement-breakpoint
-- Start-up housekeeping across organizations: the oldest organization (an empty database has none), the
-- demo organization (marked by its seed's audit entry), and every organization (an analytics rebuild
-- works through them one at a time).
CREATE OR REPLACE FUNCTION stepwise_first_org()
RETURNS TABLE (id uuid, name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_catalog AS $$
  SELECT o.id, o.name FROM organizations o ORDER BY o.created_at, o.id LIMIT 1
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stepwise_demo_org()
RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_catalog AS $$
  SELECT o.id FROM organizations o
   WHERE EXISTS (SELECT 1 FROM audit_log a WHERE a.org_id = o.id AND a.action = 'demo.seeded')
   ORDER BY o.created_at, o.id LIMIT 1
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stepwise_organization_ids()
RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_catalog AS $$
  SELECT o.id FROM organizations o ORDER BY o.id
$$;
--> statement-breakpoint
-- Every function above: executable by the application role alone, and owned by stepwise_system.
DO $$
DECLARE f text;
BEGIN
  -- A function's new owner needs CREATE on its schema, for the moment of the change only.
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stepwise_system') THEN
    EXECUTE 'GRANT CREATE ON SCHEMA public TO stepwise_system';
  END IF;
  FOR f IN SELECT p.oid::regprocedure::text FROM pg_proc p
            WHERE p.pronamespace = 'public'::regnamespace AND p.proname LIKE 'stepwise\_%' AND p.prosecdef
  LOOP
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stepwise_app') THEN
      EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO stepwise_app', f);
    END IF;
    -- Last: once it is stepwise_system's, the migrating role may no longer grant on it.
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stepwise_system') THEN
      EXECUTE format('ALTER FUNCTION %s OWNER TO stepwise_system', f);
    END IF;
  END LOOP;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stepwise_system') THEN
    EXECUTE 'REVOKE CREATE ON SCHEMA public FROM stepwise_system';
  END IF;
END $$;

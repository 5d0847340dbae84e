-- Scoped API tokens. A token carries the scopes it may use (packages/api/src/auth/tokenScopes.ts names
-- which procedure needs which) and may expire. Tokens made before scopes existed keep what they could do:
-- create tickets and add customer messages.
ALTER TABLE "api_tokens" ADD COLUMN "scopes" text[] DEFAULT ARRAY['tickets:create', 'tickets:reply']::text[] NOT NULL;
--> statement-breakpoint
ALTER TABLE "api_tokens" ALTER COLUMN "scopes" DROP DEFAULT;
--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_scopes_check" CHECK (
  cardinality("scopes") > 0 AND "scopes" <@ ARRAY['tickets:create', 'tickets:read', 'tickets:reply',
    'tickets:work', 'analytics:read', 'flows:read']::text[]);
--> statement-breakpoint
ALTER TABLE "api_tokens" ADD COLUMN "expires_at" timestamp with time zone;
--> statement-breakpoint
-- A move made by a token's bot (`tickets:work`) and a message it wrote (`tickets:reply`, as an agent) name
-- the token: a stable identity beside the person columns, which stay null for a bot.
ALTER TABLE "ticket_events" ADD COLUMN "actor_token_id" uuid;
--> statement-breakpoint
ALTER TABLE "ticket_events" ADD CONSTRAINT "ticket_events_actor_token_fk" FOREIGN KEY ("org_id","actor_token_id") REFERENCES "public"."api_tokens"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "ticket_messages" ADD COLUMN "author_token_id" uuid;
--> statement-breakpoint
ALTER TABLE "ticket_messages" ADD CONSTRAINT "ticket_messages_author_token_fk" FOREIGN KEY ("org_id","author_token_id") REFERENCES "public"."api_tokens"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
-- The token lookup now answers its scopes, and also a revoked or expired token (the server tells the caller
-- which, instead of a bare "not valid"); only a usable token is marked used. Its result type changes, so
-- the function is dropped and made again, and handed over below as 0016 hands over its functions.
DROP FUNCTION IF EXISTS stepwise_api_token(text, timestamptz);
--> statement-breakpoint
CREATE FUNCTION stepwise_api_token(token_hash_ text, now_ timestamptz)
RETURNS TABLE (id uuid, org_id uuid, name text, scopes text[], expires_at timestamptz, revoked_at timestamptz)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_catalog AS $$
  WITH tok AS (
    SELECT t.id, t.org_id, t.name, t.scopes, t.expires_at, t.revoked_at, t.last_used_at FROM api_tokens t
     WHERE t.token_hash = token_hash_),
  used AS (
    UPDATE api_tokens SET last_used_at = now_
     WHERE (api_tokens.org_id, api_tokens.id) IN (SELECT tok.org_id, tok.id FROM tok
             WHERE tok.revoked_at IS NULL AND (tok.expires_at IS NULL OR tok.expires_at > now_))
       AND (api_tokens.last_used_at IS NULL OR api_tokens.last_used_at < now_ - interval '1 minute'))
  SELECT tok.id, tok.org_id, tok.name, tok.scopes, tok.expires_at, tok.revoked_at FROM tok
$$;
--> statement-breakpoint
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stepwise_system') THEN
    EXECUTE 'GRANT CREATE ON SCHEMA public TO stepwise_system';
  END IF;
  REVOKE ALL ON FUNCTION stepwise_api_token(text, timestamptz) FROM PUBLIC;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stepwise_app') THEN
    GRANT EXECUTE ON FUNCTION stepwise_api_token(text, timestamptz) TO stepwise_app;
  END IF;
  -- Last: once it is stepwise_system's, the migrating role may no longer grant on it.
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stepwise_system') THEN
    ALTER FUNCTION stepwise_api_token(text, timestamptz) OWNER TO stepwise_system;
    EXECUTE 'REVOKE CREATE ON SCHEMA public FROM stepwise_system';
  END IF;
END $$;

-- Row-level security: a second wall behind the API's own organization filters. Every tenant table admits
-- only the rows of the organization named by the transaction's `app.org_id` setting
-- (set_config('app.org_id', <uuid>, true)); with no setting, a role under these policies sees nothing and
-- can write nothing. The policies bind every role that is not the tables' owner, a superuser or BYPASSRLS:
-- the application role `stepwise_app` created here (docs/security.md has the production setup).
CREATE OR REPLACE FUNCTION stepwise_org() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE AS
  $$ SELECT nullif(current_setting('app.org_id', true), '')::uuid $$;
--> statement-breakpoint
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stepwise_app') THEN
    BEGIN
      -- LOGIN without a password: it can log in only where the server trusts local connections (a
      -- development box); production gives it a password (docs/security.md).
      CREATE ROLE stepwise_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT;
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE NOTICE 'stepwise: cannot create the role stepwise_app (no CREATEROLE); create it as docs/security.md shows';
    END;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stepwise_app') THEN
    EXECUTE 'GRANT USAGE ON SCHEMA public TO stepwise_app';
    EXECUTE 'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO stepwise_app';
    EXECUTE 'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO stepwise_app';
    EXECUTE 'GRANT EXECUTE ON FUNCTION stepwise_org() TO stepwise_app';
    -- Tables and sequences later migrations create are granted the same way.
    EXECUTE 'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO stepwise_app';
    EXECUTE 'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO stepwise_app';
  END IF;
END $$;
--> statement-breakpoint
-- The event log and published versions stay append-only for the application too (the triggers refuse
-- changes; revoking the privileges says so up front).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stepwise_app') THEN
    EXECUTE 'REVOKE UPDATE, DELETE ON ticket_events FROM stepwise_app';
  END IF;
END $$;
--> statement-breakpoint
-- Every table with an org_id column: the organization's own rows only, for reading and for writing.
DO $$
DECLARE t text;
BEGIN
  FOR t IN
    SELECT c.table_name FROM information_schema.columns c
      JOIN information_schema.tables tb ON tb.table_schema = c.table_schema AND tb.table_name = c.table_name
     WHERE c.table_schema = 'public' AND c.column_name = 'org_id' AND tb.table_type = 'BASE TABLE'
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('DROP POLICY IF EXISTS tenant_isolation ON %I', t);
    EXECUTE format(
      'CREATE POLICY tenant_isolation ON %I USING (org_id = stepwise_org()) WITH CHECK (org_id = stepwise_org())', t);
  END LOOP;
END $$;
--> statement-breakpoint
-- The organization itself.
ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON organizations USING (id = stepwise_org()) WITH CHECK (id = stepwise_org());
--> statement-breakpoint
-- People: an account is seen (and its name changed) only by an organization it is a member of. Creating
-- an account reveals nothing, so any role may insert one; none may delete one.
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY member_read ON users FOR SELECT
  USING (EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id AND m.org_id = stepwise_org()));
--> statement-breakpoint
CREATE POLICY member_update ON users FOR UPDATE
  USING (EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id AND m.org_id = stepwise_org()));
--> statement-breakpoint
CREATE POLICY account_insert ON users FOR INSERT WITH CHECK (true);

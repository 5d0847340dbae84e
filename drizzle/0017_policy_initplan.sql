-- Tried: the tenant policies compare each row with the organization read once per statement
-- (`org_id = (SELECT stepwise_org())`, an init plan) instead of reading the setting per row. Measured on an
-- idle machine it made a move slower, not faster (each protected table a statement touches gets an init
-- plan, and a move touches one row of each), so 0022 puts the direct comparison back; kept for databases
-- that ran it.
DO $$
DECLARE t text;
BEGIN
  FOR t IN SELECT DISTINCT tablename FROM pg_policies WHERE schemaname = 'public' AND policyname = 'tenant_isolation'
  LOOP
    IF t = 'organizations' THEN
      EXECUTE 'ALTER POLICY tenant_isolation ON organizations USING (id = (SELECT stepwise_org())) WITH CHECK (id = (SELECT stepwise_org()))';
    ELSE
      EXECUTE format(
        'ALTER POLICY tenant_isolation ON %I USING (org_id = (SELECT stepwise_org())) WITH CHECK (org_id = (SELECT stepwise_org()))', t);
    END IF;
  END LOOP;
END $$;
--> statement-breakpoint
ALTER POLICY member_read ON users
  USING (EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id AND m.org_id = (SELECT stepwise_org())));
--> statement-breakpoint
ALTER POLICY member_update ON users
  USING (EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id AND m.org_id = (SELECT stepwise_org())));

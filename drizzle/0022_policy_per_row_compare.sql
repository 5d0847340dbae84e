-- Back to comparing each row with `stepwise_org()` directly (0017 wrapped it in a sub-select so PostgreSQL
-- would evaluate it once per statement, as an init plan). Measured on an idle 2-core box, the move under
-- the policies as the application role against the same move as the owner: with the init plans 0.855 of
-- the owner's rate warm and 0.875 cold (about 59 µs more database time a step: every protected table a
-- statement touches gets an init plan, and each costs executor set-up); with the direct comparison 0.943
-- warm and 0.938 cold (about 36 µs). A move touches one row of each table, so reading the setting per row
-- is the cheaper form; a scan over many rows still reads it once per row, which is cheap next to the scan.
DO $$
DECLARE t text;
BEGIN
  FOR t IN SELECT DISTINCT tablename FROM pg_policies WHERE schemaname = 'public' AND policyname = 'tenant_isolation'
  LOOP
    IF t = 'organizations' THEN
      EXECUTE 'ALTER POLICY tenant_isolation ON organizations USING (id = stepwise_org()) WITH CHECK (id = stepwise_org())';
    ELSE
      EXECUTE format(
        'ALTER POLICY tenant_isolation ON %I USING (org_id = stepwise_org()) WITH CHECK (org_id = stepwise_org())', t);
    END IF;
  END LOOP;
END $$;
--> statement-breakpoint
ALTER POLICY member_read ON users
  USING (EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id AND m.org_id = stepwise_org()));
--> statement-breakpoint
ALTER POLICY member_update ON users
  USING (EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id AND m.org_id = stepwise_org()));

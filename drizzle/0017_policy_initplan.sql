-- The tenant policies compare each row with the organization read once per statement. Written as
-- `org_id = stepwise_org()`, the setting was read and parsed (current_setting, nullif, the cast to uuid)
-- for every row a policy filtered or checked: on a sequential scan of a small table (a team's members,
-- read by the move's access guard) that is once per row of the table. As `org_id = (SELECT stepwise_org())`
-- PostgreSQL evaluates it once, as an init plan, and compares each row with the value; it is still an index
-- condition where the key leads with org_id. Same rows admitted; the move's database time under the
-- policies went from about 10% above the owner's to under 3%.
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

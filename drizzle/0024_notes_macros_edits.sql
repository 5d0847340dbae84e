-- Macros: canned replies an organization keeps, with {{placeholders}} filled from the ticket and its
-- customer when an agent applies one. A tenant table like every other: org_id first in every key, under
-- the tenant policy.
CREATE TABLE "macros" (
  "id" uuid DEFAULT gen_random_uuid() NOT NULL,
  "org_id" uuid NOT NULL,
  "name" text NOT NULL,
  "body" text NOT NULL,
  "created_by" uuid,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL,
  "updated_at" timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT "macros_org_id_id_pk" PRIMARY KEY("org_id","id")
);
--> statement-breakpoint
ALTER TABLE "macros" ADD CONSTRAINT "macros_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "macros" ADD CONSTRAINT "macros_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
CREATE UNIQUE INDEX "macros_name_key" ON "macros" USING btree ("org_id", lower("name"));
--> statement-breakpoint
-- The customer's other tickets, by email (intake stores emails lowercased).
CREATE INDEX "tickets_org_customer_email_idx" ON "tickets" USING btree ("org_id","customer_email","created_at");
--> statement-breakpoint
ALTER TABLE "macros" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "macros" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON "macros" USING (org_id = stepwise_org()) WITH CHECK (org_id = stepwise_org());
--> statement-breakpoint
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stepwise_system') THEN
    EXECUTE 'CREATE POLICY system_access ON macros TO stepwise_system USING (true) WITH CHECK (true)';
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stepwise_app') THEN
    EXECUTE 'GRANT SELECT, INSERT, UPDATE, DELETE ON macros TO stepwise_app';
  END IF;
END $$;

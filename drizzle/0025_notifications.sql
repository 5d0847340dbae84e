-- In-app notifications: a ticket assigned to a user, an SLA breach on their ticket, a customer's reply on
-- it. Written with their cause (a move's outbox row, the message's own statement) and keyed by it, so
-- writing one again adds nothing. Under the tenant policies like every other table.
CREATE TABLE "notifications" (
  "org_id" uuid NOT NULL,
  "id" uuid DEFAULT gen_random_uuid() NOT NULL,
  "user_id" uuid NOT NULL,
  "kind" text NOT NULL,
  "ticket_id" uuid NOT NULL,
  "source" text NOT NULL,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL,
  "read_at" timestamp with time zone,
  CONSTRAINT "notifications_org_id_id_pk" PRIMARY KEY("org_id","id"),
  CONSTRAINT "notifications_kind_check" CHECK ("kind" IN ('assigned', 'breached', 'customer_replied'))
);
--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_ticket_fk" FOREIGN KEY ("org_id","ticket_id") REFERENCES "public"."tickets"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
CREATE UNIQUE INDEX "notifications_cause_key" ON "notifications" USING btree ("org_id","user_id","ticket_id","kind","source");
--> statement-breakpoint
CREATE INDEX "notifications_user_idx" ON "notifications" USING btree ("org_id","user_id","created_at");
--> statement-breakpoint
CREATE INDEX "notifications_unread_idx" ON "notifications" USING btree ("org_id","user_id") WHERE read_at IS NULL;
--> statement-breakpoint
ALTER TABLE "notifications" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "notifications" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON "notifications" USING (org_id = stepwise_org()) WITH CHECK (org_id = stepwise_org());
--> statement-breakpoint
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stepwise_system') THEN
    EXECUTE 'CREATE POLICY system_access ON notifications TO stepwise_system USING (true) WITH CHECK (true)';
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stepwise_app') THEN
    EXECUTE 'GRANT SELECT, INSERT, UPDATE, DELETE ON notifications TO stepwise_app';
  END IF;
END $$;

-- Full-text search over tickets. One row per searchable part of a ticket: `part` = 'ticket' for its subject
-- (weight A), customer name and email (B, the email also split at "@" and "." so "ines" finds
-- ines@example.com) and description (C); one row per customer or agent message, `part` = the message id.
-- System messages (templated texts, feedback links carrying one-time tokens) are left out.
--
-- A table of its own rather than a generated column on `tickets`: every move of a ticket updates its row,
-- and a stored tsvector (or an expression index) would be recomputed and re-inserted into the GIN index on
-- each of them. The triggers below fire only when the searchable text itself is written (a ticket created,
-- its subject, description or customer changed, a message added), so a move pays nothing. The 'simple'
-- configuration (no stemming, no stop words) treats every language alike; searches match word prefixes.
CREATE TABLE "ticket_search" (
	"org_id" uuid NOT NULL,
	"ticket_id" uuid NOT NULL,
	"part" text NOT NULL,
	"document" tsvector NOT NULL,
	CONSTRAINT "ticket_search_pkey" PRIMARY KEY("org_id","ticket_id","part")
);
--> statement-breakpoint
ALTER TABLE "ticket_search" ADD CONSTRAINT "ticket_search_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "ticket_search" ADD CONSTRAINT "ticket_search_ticket_fk" FOREIGN KEY ("org_id","ticket_id") REFERENCES "public"."tickets"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
CREATE INDEX "ticket_search_document_idx" ON "ticket_search" USING gin ("document");
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stepwise_ticket_document(subject text, description text, customer_name text, customer_email text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT setweight(to_tsvector('simple'::regconfig, coalesce(subject, '')), 'A')
      || setweight(to_tsvector('simple'::regconfig, coalesce(customer_name, '') || ' ' || coalesce(customer_email, '')
           || ' ' || translate(coalesce(customer_email, ''), '@.', '  ')), 'B')
      || setweight(to_tsvector('simple'::regconfig, coalesce(description, '')), 'C')
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stepwise_index_ticket() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ticket_search (org_id, ticket_id, part, document)
  VALUES (NEW.org_id, NEW.id, 'ticket',
          stepwise_ticket_document(NEW.subject, NEW.description, NEW.customer_name, NEW.customer_email))
  ON CONFLICT (org_id, ticket_id, part) DO UPDATE SET document = EXCLUDED.document;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stepwise_index_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.author_kind IN ('customer', 'agent') THEN
    INSERT INTO ticket_search (org_id, ticket_id, part, document)
    VALUES (NEW.org_id, NEW.ticket_id, NEW.id::text, setweight(to_tsvector('simple'::regconfig, NEW.body), 'D'))
    ON CONFLICT (org_id, ticket_id, part) DO UPDATE SET document = EXCLUDED.document;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER ticket_search_on_ticket AFTER INSERT OR UPDATE OF subject, description, customer_name, customer_email
  ON tickets FOR EACH ROW EXECUTE FUNCTION stepwise_index_ticket();
--> statement-breakpoint
CREATE TRIGGER ticket_search_on_message AFTER INSERT OR UPDATE OF body
  ON ticket_messages FOR EACH ROW EXECUTE FUNCTION stepwise_index_message();
--> statement-breakpoint
-- Views saved by a person: filters and sort (`query`, checked by the API on every read), private to their
-- owner or shared with one team (its members see it in their queue).
CREATE TABLE "saved_views" (
	"org_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"owner_id" uuid NOT NULL,
	"team_id" uuid,
	"name" text NOT NULL,
	"query" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "saved_views_pkey" PRIMARY KEY("org_id","id")
);
--> statement-breakpoint
ALTER TABLE "saved_views" ADD CONSTRAINT "saved_views_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "saved_views" ADD CONSTRAINT "saved_views_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "saved_views" ADD CONSTRAINT "saved_views_team_fk" FOREIGN KEY ("org_id","team_id") REFERENCES "public"."teams"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
CREATE UNIQUE INDEX "saved_views_owner_name_key" ON "saved_views" USING btree ("org_id","owner_id",lower("name"));
--> statement-breakpoint
CREATE INDEX "saved_views_team_idx" ON "saved_views" USING btree ("org_id","team_id") WHERE "team_id" IS NOT NULL;
--> statement-breakpoint
-- Both tables under the tenant policies, like every other (0014, 0016, 0022).
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['ticket_search', 'saved_views'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format(
      'CREATE POLICY tenant_isolation ON %I USING (org_id = stepwise_org()) WITH CHECK (org_id = stepwise_org())', t);
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stepwise_system') THEN
      EXECUTE format('CREATE POLICY system_access ON %I TO stepwise_system USING (true) WITH CHECK (true)', t);
    END IF;
  END LOOP;
END $$;
--> statement-breakpoint
-- The tickets and messages already there. The policies bind the migrating owner too (FORCE), and no
-- organization is set while migrating: lifted on the three tables for this one statement, inside the
-- migration's transaction, and put back before it commits.
ALTER TABLE tickets NO FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE ticket_messages NO FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE ticket_search NO FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
INSERT INTO ticket_search (org_id, ticket_id, part, document)
SELECT org_id, id, 'ticket', stepwise_ticket_document(subject, description, customer_name, customer_email) FROM tickets
UNION ALL
SELECT org_id, ticket_id, id::text, setweight(to_tsvector('simple'::regconfig, body), 'D')
  FROM ticket_messages WHERE author_kind IN ('customer', 'agent');
--> statement-breakpoint
ALTER TABLE tickets FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE ticket_messages FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE ticket_search FORCE ROW LEVEL SECURITY;

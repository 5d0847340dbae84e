-- Tenant keys (docs/scale-out.md): every tenant table is keyed within its organization, so a
-- distributed PostgreSQL (Citus) can place all of an organization's rows on one shard. Each primary key
-- and unique index of a tenant table starts with org_id, and every foreign key between tenant tables is
-- the pair (org_id, …) → (org_id, id). Keys to organizations and users (global tables) stay as they were.
-- The token-hash indexes become unique per organization, with a plain index on the hash alone for the
-- lookups by link or bearer token (256-bit random tokens do not collide).
-- Order for a populated database: the foreign keys that depend on a primary key go first, then the
-- unique indexes and primary keys are replaced, then the foreign keys come back as pairs.
-- The reports' index of stays leads with org_id too: a report reads one organization's stays.
ALTER TABLE "feedback_requests" DROP CONSTRAINT "feedback_requests_ticket_id_tickets_id_fk";
--> statement-breakpoint
ALTER TABLE "flow_versions" DROP CONSTRAINT "flow_versions_flow_id_flows_id_fk";
--> statement-breakpoint
ALTER TABLE "runtime_jobs" DROP CONSTRAINT "runtime_jobs_ticket_id_tickets_id_fk";
--> statement-breakpoint
ALTER TABLE "team_members" DROP CONSTRAINT "team_members_team_id_teams_id_fk";
--> statement-breakpoint
ALTER TABLE "ticket_events" DROP CONSTRAINT "ticket_events_ticket_id_tickets_id_fk";
--> statement-breakpoint
ALTER TABLE "ticket_messages" DROP CONSTRAINT "ticket_messages_ticket_id_tickets_id_fk";
--> statement-breakpoint
ALTER TABLE "tickets" DROP CONSTRAINT "tickets_flow_id_flows_id_fk";
--> statement-breakpoint
ALTER TABLE "tickets" DROP CONSTRAINT "tickets_version_id_flow_versions_id_fk";
--> statement-breakpoint
ALTER TABLE "tickets" DROP CONSTRAINT "tickets_team_id_teams_id_fk";
--> statement-breakpoint
ALTER TABLE "timers" DROP CONSTRAINT "timers_ticket_id_tickets_id_fk";
--> statement-breakpoint
ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "webhook_deliveries_endpoint_id_webhook_endpoints_id_fk";
--> statement-breakpoint
DROP INDEX "ticket_visits_version_node_left_idx";
--> statement-breakpoint
DROP INDEX "api_tokens_hash_key";
--> statement-breakpoint
DROP INDEX "feedback_requests_hash_key";
--> statement-breakpoint
DROP INDEX "feedback_requests_ticket_key";
--> statement-breakpoint
DROP INDEX "flow_versions_flow_number_key";
--> statement-breakpoint
DROP INDEX "invitations_token_hash_key";
--> statement-breakpoint
DROP INDEX "runtime_jobs_event_key";
--> statement-breakpoint
DROP INDEX "tickets_parent_entry_key";
--> statement-breakpoint
DROP INDEX "timers_entry_key";
--> statement-breakpoint
DROP INDEX "webhook_deliveries_event_key";
--> statement-breakpoint
ALTER TABLE "team_members" DROP CONSTRAINT "team_members_team_id_user_id_pk";
--> statement-breakpoint
ALTER TABLE "ticket_events" DROP CONSTRAINT "ticket_events_ticket_id_seq_pk";
--> statement-breakpoint
ALTER TABLE "ticket_visits" DROP CONSTRAINT "ticket_visits_ticket_id_seq_ordinal_pk";
--> statement-breakpoint
ALTER TABLE "api_tokens" DROP CONSTRAINT "api_tokens_pkey";
--> statement-breakpoint
ALTER TABLE "audit_log" DROP CONSTRAINT "audit_log_pkey";
--> statement-breakpoint
ALTER TABLE "feedback_requests" DROP CONSTRAINT "feedback_requests_pkey";
--> statement-breakpoint
ALTER TABLE "flow_versions" DROP CONSTRAINT "flow_versions_pkey";
--> statement-breakpoint
ALTER TABLE "flows" DROP CONSTRAINT "flows_pkey";
--> statement-breakpoint
ALTER TABLE "invitations" DROP CONSTRAINT "invitations_pkey";
--> statement-breakpoint
ALTER TABLE "runtime_jobs" DROP CONSTRAINT "runtime_jobs_pkey";
--> statement-breakpoint
ALTER TABLE "teams" DROP CONSTRAINT "teams_pkey";
--> statement-breakpoint
ALTER TABLE "ticket_messages" DROP CONSTRAINT "ticket_messages_pkey";
--> statement-breakpoint
ALTER TABLE "tickets" DROP CONSTRAINT "tickets_pkey";
--> statement-breakpoint
ALTER TABLE "timers" DROP CONSTRAINT "timers_pkey";
--> statement-breakpoint
ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "webhook_deliveries_pkey";
--> statement-breakpoint
ALTER TABLE "webhook_endpoints" DROP CONSTRAINT "webhook_endpoints_pkey";
--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_org_id_id_pk" PRIMARY KEY("org_id","id");
--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_org_id_id_pk" PRIMARY KEY("org_id","id");
--> statement-breakpoint
ALTER TABLE "feedback_requests" ADD CONSTRAINT "feedback_requests_org_id_id_pk" PRIMARY KEY("org_id","id");
--> statement-breakpoint
ALTER TABLE "flow_versions" ADD CONSTRAINT "flow_versions_org_id_id_pk" PRIMARY KEY("org_id","id");
--> statement-breakpoint
ALTER TABLE "flows" ADD CONSTRAINT "flows_org_id_id_pk" PRIMARY KEY("org_id","id");
--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_org_id_id_pk" PRIMARY KEY("org_id","id");
--> statement-breakpoint
ALTER TABLE "runtime_jobs" ADD CONSTRAINT "runtime_jobs_org_id_id_pk" PRIMARY KEY("org_id","id");
--> statement-breakpoint
ALTER TABLE "team_members" ADD CONSTRAINT "team_members_org_id_team_id_user_id_pk" PRIMARY KEY("org_id","team_id","user_id");
--> statement-breakpoint
ALTER TABLE "teams" ADD CONSTRAINT "teams_org_id_id_pk" PRIMARY KEY("org_id","id");
--> statement-breakpoint
ALTER TABLE "ticket_events" ADD CONSTRAINT "ticket_events_org_id_ticket_id_seq_pk" PRIMARY KEY("org_id","ticket_id","seq");
--> statement-breakpoint
ALTER TABLE "ticket_messages" ADD CONSTRAINT "ticket_messages_org_id_id_pk" PRIMARY KEY("org_id","id");
--> statement-breakpoint
ALTER TABLE "ticket_visits" ADD CONSTRAINT "ticket_visits_org_id_ticket_id_seq_ordinal_pk" PRIMARY KEY("org_id","ticket_id","seq","ordinal");
--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_org_id_id_pk" PRIMARY KEY("org_id","id");
--> statement-breakpoint
ALTER TABLE "timers" ADD CONSTRAINT "timers_org_id_id_pk" PRIMARY KEY("org_id","id");
--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_org_id_id_pk" PRIMARY KEY("org_id","id");
--> statement-breakpoint
ALTER TABLE "webhook_endpoints" ADD CONSTRAINT "webhook_endpoints_org_id_id_pk" PRIMARY KEY("org_id","id");
--> statement-breakpoint
CREATE UNIQUE INDEX "api_tokens_hash_key" ON "api_tokens" USING btree ("org_id","token_hash");
--> statement-breakpoint
CREATE UNIQUE INDEX "feedback_requests_hash_key" ON "feedback_requests" USING btree ("org_id","token_hash");
--> statement-breakpoint
CREATE UNIQUE INDEX "feedback_requests_ticket_key" ON "feedback_requests" USING btree ("org_id","ticket_id");
--> statement-breakpoint
CREATE UNIQUE INDEX "flow_versions_flow_number_key" ON "flow_versions" USING btree ("org_id","flow_id","number");
--> statement-breakpoint
CREATE UNIQUE INDEX "invitations_token_hash_key" ON "invitations" USING btree ("org_id","token_hash");
--> statement-breakpoint
CREATE UNIQUE INDEX "runtime_jobs_event_key" ON "runtime_jobs" USING btree ("org_id","ticket_id","seq");
--> statement-breakpoint
CREATE UNIQUE INDEX "tickets_parent_entry_key" ON "tickets" USING btree ("org_id","parent_ticket_id","parent_seq");
--> statement-breakpoint
CREATE UNIQUE INDEX "timers_entry_key" ON "timers" USING btree ("org_id","ticket_id","seq","kind");
--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_deliveries_event_key" ON "webhook_deliveries" USING btree ("org_id","endpoint_id","ticket_id","seq","event_type");
--> statement-breakpoint
CREATE INDEX "api_tokens_token_hash_idx" ON "api_tokens" USING btree ("token_hash");
--> statement-breakpoint
CREATE INDEX "feedback_requests_token_hash_idx" ON "feedback_requests" USING btree ("token_hash");
--> statement-breakpoint
CREATE INDEX "invitations_token_hash_idx" ON "invitations" USING btree ("token_hash");
--> statement-breakpoint
CREATE INDEX "ticket_visits_org_version_node_left_idx" ON "ticket_visits" USING btree ("org_id","version_id","node_id","left_at","entered_at","breached","handle","next_node_id","ticket_id");
--> statement-breakpoint
ALTER TABLE "feedback_requests" ADD CONSTRAINT "feedback_requests_ticket_fk" FOREIGN KEY ("org_id","ticket_id") REFERENCES "public"."tickets"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "flow_versions" ADD CONSTRAINT "flow_versions_flow_fk" FOREIGN KEY ("org_id","flow_id") REFERENCES "public"."flows"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "runtime_jobs" ADD CONSTRAINT "runtime_jobs_ticket_fk" FOREIGN KEY ("org_id","ticket_id") REFERENCES "public"."tickets"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "team_members" ADD CONSTRAINT "team_members_team_fk" FOREIGN KEY ("org_id","team_id") REFERENCES "public"."teams"("org_id","id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "ticket_events" ADD CONSTRAINT "ticket_events_ticket_fk" FOREIGN KEY ("org_id","ticket_id") REFERENCES "public"."tickets"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "ticket_messages" ADD CONSTRAINT "ticket_messages_ticket_fk" FOREIGN KEY ("org_id","ticket_id") REFERENCES "public"."tickets"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_flow_fk" FOREIGN KEY ("org_id","flow_id") REFERENCES "public"."flows"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_version_fk" FOREIGN KEY ("org_id","version_id") REFERENCES "public"."flow_versions"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_team_fk" FOREIGN KEY ("org_id","team_id") REFERENCES "public"."teams"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "timers" ADD CONSTRAINT "timers_ticket_fk" FOREIGN KEY ("org_id","ticket_id") REFERENCES "public"."tickets"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_endpoint_fk" FOREIGN KEY ("org_id","endpoint_id") REFERENCES "public"."webhook_endpoints"("org_id","id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- The webhook outbox trigger reads the ticket by its key within the organization.
CREATE OR REPLACE FUNCTION stepwise_ticket_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.org_id = NEW.org_id AND e.disabled_at IS NULL) THEN
    INSERT INTO webhook_deliveries (org_id, endpoint_id, ticket_id, seq, event_type, payload, next_attempt_at, created_at)
    SELECT NEW.org_id, e.id, NEW.ticket_id, NEW.seq, NEW.type,
      jsonb_build_object(
        'type', NEW.type,
        'ticketId', NEW.ticket_id,
        'ticketNumber', t.number,
        'seq', NEW.seq,
        'fromNode', NEW.from_node,
        'toNode', NEW.to_node,
        'status', t.status,
        'endStatus', t.end_status,
        'priority', t.priority,
        'teamId', t.team_id,
        'assigneeId', t.assignee_id,
        'actorId', NEW.actor_id,
        'occurredAt', to_char(NEW.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
      NEW.created_at, NEW.created_at
    FROM webhook_endpoints e LEFT JOIN tickets t ON t.org_id = NEW.org_id AND t.id = NEW.ticket_id
    WHERE e.org_id = NEW.org_id AND e.disabled_at IS NULL;
  END IF;
  RETURN NULL;
END;
$$;

CREATE TABLE "analytics_backfill" (
	"id" integer PRIMARY KEY NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"done_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "ticket_visits" (
	"ticket_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"ordinal" integer NOT NULL,
	"org_id" uuid NOT NULL,
	"version_id" uuid NOT NULL,
	"node_id" text NOT NULL,
	"entered_at" timestamp with time zone NOT NULL,
	"left_at" timestamp with time zone NOT NULL,
	"exit" text NOT NULL,
	"handle" text,
	"next_node_id" text,
	"agent_id" uuid,
	"breached" boolean NOT NULL,
	CONSTRAINT "ticket_visits_ticket_id_seq_ordinal_pk" PRIMARY KEY("ticket_id","seq","ordinal")
);
--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "node_entered_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "first_response_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "ticket_visits_version_left_idx" ON "ticket_visits" USING btree ("version_id","left_at");--> statement-breakpoint
-- A database that already has tickets owes their facts: the server rebuilds them from the event log.
INSERT INTO "analytics_backfill" ("id") SELECT 1 WHERE EXISTS (SELECT 1 FROM "tickets");

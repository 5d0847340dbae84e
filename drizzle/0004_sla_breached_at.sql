ALTER TABLE "tickets" ADD COLUMN "sla_breached_at" timestamp with time zone;--> statement-breakpoint
-- Tickets that breached before the column existed: the time of their first recorded breach.
UPDATE "tickets" SET "sla_breached_at" = b.first_at
FROM (
  SELECT e.ticket_id, min(e.created_at) AS first_at FROM "ticket_events" e
  WHERE jsonb_path_exists(e.data, '$.trail[*] ? (@.type == "sla_breached")')
  GROUP BY e.ticket_id
) b
WHERE b.ticket_id = "tickets"."id";

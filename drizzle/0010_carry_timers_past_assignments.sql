-- A pending timer fires only at its ticket's sequence number. Assignments used to move the ticket's
-- number on without its timers, so an SLA never fired once the ticket was taken, handed over or released.
-- Moves now carry the timers along; this carries those left behind: pending timers whose ticket is still
-- at the timer's node and whose only moves since the timer were assignments.
UPDATE "timers" AS tm SET "seq" = t."seq"
  FROM "tickets" AS t
 WHERE tm."ticket_id" = t."id"
   AND tm."fired_at" IS NULL AND tm."cancelled_at" IS NULL
   AND tm."seq" < t."seq" AND tm."node_id" = t."node_id"
   AND NOT EXISTS (
     SELECT 1 FROM "ticket_events" e
      WHERE e."ticket_id" = t."id" AND e."seq" > tm."seq" AND e."type" <> 'ticket.assigned'
   );

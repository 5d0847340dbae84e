-- Live updates leave the commit path: the servers announce a change after its commit, coalesced per
-- process (one pg_notify statement per batch), instead of a NOTIFY in every move's transaction, which
-- serialises the commits of all servers. The event trigger keeps only the webhook outbox rows; the
-- message trigger, which only notified, goes.
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
    FROM webhook_endpoints e LEFT JOIN tickets t ON t.id = NEW.ticket_id
    WHERE e.org_id = NEW.org_id AND e.disabled_at IS NULL;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
DROP TRIGGER IF EXISTS ticket_messages_after_insert ON ticket_messages;
--> statement-breakpoint
DROP FUNCTION IF EXISTS stepwise_ticket_message();

-- Every ticket event, in the transaction that writes it (so only on commit, and never one without the other):
-- a NOTIFY for live updates in every server, an outbox row per active webhook endpoint of the organization,
-- and a runtime job when the move left work for after the commit (an action node, a subflow, an end).
CREATE OR REPLACE FUNCTION stepwise_ticket_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('stepwise_ticket', NEW.org_id::text || ':' || NEW.ticket_id::text || ':' || NEW.seq::text);
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
  IF jsonb_path_exists(NEW.data, '$.trail[*] ? (@.type == "action_performed" || @.type == "ended" || @.nodeType == "subflow")') THEN
    INSERT INTO runtime_jobs (org_id, ticket_id, seq, next_attempt_at, created_at)
    VALUES (NEW.org_id, NEW.ticket_id, NEW.seq, NEW.created_at, NEW.created_at)
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER ticket_events_after_insert AFTER INSERT ON ticket_events
  FOR EACH ROW EXECUTE FUNCTION stepwise_ticket_event();
--> statement-breakpoint
-- A message (agent reply, customer message) changes what a ticket page shows without a move: tell the servers.
CREATE OR REPLACE FUNCTION stepwise_ticket_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('stepwise_ticket', NEW.org_id::text || ':' || NEW.ticket_id::text || ':' ||
    coalesce((SELECT seq FROM tickets WHERE id = NEW.ticket_id), 0)::text);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER ticket_messages_after_insert AFTER INSERT ON ticket_messages
  FOR EACH ROW EXECUTE FUNCTION stepwise_ticket_message();

-- A move records its after-commit effects itself (runtime_jobs.effects, written by the move's statement):
-- the trigger no longer derives a runtime job from the event's trail. It keeps the NOTIFY and the
-- webhook outbox rows exactly as before.
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
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- Jobs still pending from before the outbox carry no effects: compute them once, here, from the event's
-- trail and the ticket's pinned version, as the job worker used to at run time — the webhooks of each
-- action node the move ran, the subflow its last entered node starts, the feedback request of a
-- feedback end, and the parent a finished subflow resumes. Done jobs keep no effects (history only).
UPDATE runtime_jobs j SET effects = coalesce((
  SELECT jsonb_agg(x.effect ORDER BY x.pos)
  FROM (
    SELECT a.ord * 1000 + o.ord AS pos,
      jsonb_build_object('type', 'call_webhook', 'url', o.op->>'url', 'nodeId', a.entry->>'nodeId') AS effect
      FROM jsonb_array_elements(e.data->'trail') WITH ORDINALITY AS a(entry, ord)
      JOIN jsonb_array_elements(v.document->'nodes') AS n(node)
        ON n.node->>'id' = a.entry->>'nodeId' AND n.node->>'type' = 'action'
      CROSS JOIN jsonb_array_elements(n.node->'data'->'ops') WITH ORDINALITY AS o(op, ord)
     WHERE a.entry->>'type' = 'action_performed' AND o.op->>'op' = 'webhook'
    UNION ALL
    SELECT 1000000000000,
      jsonb_build_object('type', 'start_subflow', 'flowId', n.node->'data'->>'flowId', 'nodeId', n.node->>'id')
      FROM (SELECT a.entry FROM jsonb_array_elements(e.data->'trail') WITH ORDINALITY AS a(entry, ord)
             WHERE a.entry->>'type' = 'node_entered' ORDER BY a.ord DESC LIMIT 1) AS last
      JOIN jsonb_array_elements(v.document->'nodes') AS n(node) ON n.node->>'id' = last.entry->>'nodeId'
     WHERE last.entry->>'nodeType' = 'subflow' AND n.node->>'type' = 'subflow'
       AND coalesce(n.node->'data'->>'flowId', '') <> ''
    UNION ALL
    SELECT 2000000000000, jsonb_build_object('type', 'request_feedback')
     WHERE EXISTS (
       SELECT 1 FROM jsonb_array_elements(e.data->'trail') AS a(entry)
         JOIN jsonb_array_elements(v.document->'nodes') AS n(node) ON n.node->>'id' = a.entry->>'nodeId'
        WHERE a.entry->>'type' = 'ended' AND n.node->>'type' = 'end' AND n.node->'data'->'feedback' = 'true'::jsonb)
    UNION ALL
    SELECT 3000000000000,
      jsonb_build_object('type', 'resume_parent', 'ticketId', t.parent_ticket_id, 'seq', t.parent_seq)
     WHERE t.parent_ticket_id IS NOT NULL AND t.parent_seq IS NOT NULL
       AND EXISTS (SELECT 1 FROM jsonb_array_elements(e.data->'trail') AS a(entry) WHERE a.entry->>'type' = 'ended')
  ) AS x), '[]'::jsonb)
FROM tickets t, ticket_events e, flow_versions v
WHERE j.done_at IS NULL AND j.effects IS NULL
  AND t.id = j.ticket_id AND e.ticket_id = j.ticket_id AND e.seq = j.seq AND v.id = t.version_id;
--> statement-breakpoint
-- A pending job whose ticket runs no version had nothing to do.
UPDATE runtime_jobs SET effects = '[]'::jsonb WHERE done_at IS NULL AND effects IS NULL;

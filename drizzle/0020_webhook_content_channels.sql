-- Webhooks with content: each endpoint chooses its event types (every type it could receive before, plus
-- the two new ones, for endpoints that exist already and by default), and a payload carries the ticket's
-- summary; agent and system messages and SLA breaches become events of their own.
ALTER TABLE "webhook_endpoints" ADD COLUMN "event_types" text[] DEFAULT ARRAY['ticket.created','flow.started','step.completed','timer.fired','customer.replied','subflow.completed','ticket.assigned','ticket.migrated','feedback.received','message.created','sla.breached']::text[] NOT NULL;
--> statement-breakpoint
-- A node's name in a version's document (a step's title, every other kind's label).
CREATE OR REPLACE FUNCTION stepwise_node_title(org_id_ uuid, version_id_ uuid, node_id_ text) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT coalesce(n->'data'->>'title', n->'data'->>'label')
    FROM flow_versions v, jsonb_array_elements(v.document->'nodes') n
   WHERE v.org_id = org_id_ AND v.id = version_id_ AND n->>'id' = node_id_
   LIMIT 1
$$;
--> statement-breakpoint
-- What a webhook says about a ticket, as it is at the moment of the event (read in the event's transaction).
CREATE OR REPLACE FUNCTION stepwise_ticket_summary(org_id_ uuid, ticket_id_ uuid) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'id', t.id,
    'number', t.number,
    'subject', t.subject,
    'channel', t.channel,
    'priority', t.priority,
    'category', t.category,
    'tags', t.tags,
    'status', t.status,
    'endStatus', t.end_status,
    'breached', t.sla_breached_at IS NOT NULL,
    'customer', jsonb_build_object('name', t.customer_name, 'email', t.customer_email, 'tier', t.customer_tier),
    'step', CASE WHEN t.node_id IS NULL THEN NULL ELSE jsonb_build_object(
      'id', t.node_id, 'title', stepwise_node_title(t.org_id, t.version_id, t.node_id)) END,
    'team', CASE WHEN tm.id IS NULL THEN NULL ELSE jsonb_build_object('id', tm.id, 'name', tm.name) END,
    'assignee', CASE WHEN u.id IS NULL THEN NULL ELSE jsonb_build_object('id', u.id, 'name', u.name) END,
    'flow', CASE WHEN f.id IS NULL THEN NULL ELSE jsonb_build_object(
      'id', f.id, 'name', f.name, 'versionId', v.id, 'version', v.number) END,
    'createdAt', to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
  FROM tickets t
  LEFT JOIN flow_versions v ON v.org_id = t.org_id AND v.id = t.version_id
  LEFT JOIN flows f ON f.org_id = t.org_id AND f.id = t.flow_id
  LEFT JOIN teams tm ON tm.org_id = t.org_id AND tm.id = t.team_id
  LEFT JOIN users u ON u.id = t.assignee_id
  WHERE t.org_id = org_id_ AND t.id = ticket_id_
$$;
--> statement-breakpoint
-- The webhook outbox trigger of a move: one delivery per endpoint that chose the event's type, and an
-- `sla.breached` delivery when the move is an SLA breach. The flat fields of earlier payloads stay.
CREATE OR REPLACE FUNCTION stepwise_ticket_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  base jsonb;
  breach jsonb;
  version_id_ uuid;
BEGIN
  IF EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.org_id = NEW.org_id AND e.disabled_at IS NULL) THEN
    base := (
      SELECT jsonb_build_object(
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
        'occurredAt', to_char(NEW.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'ticket', stepwise_ticket_summary(NEW.org_id, NEW.ticket_id))
      FROM (SELECT 1) one LEFT JOIN tickets t ON t.org_id = NEW.org_id AND t.id = NEW.ticket_id);
    INSERT INTO webhook_deliveries (org_id, endpoint_id, ticket_id, seq, event_type, payload, next_attempt_at, created_at)
    SELECT NEW.org_id, e.id, NEW.ticket_id, NEW.seq, NEW.type,
      jsonb_build_object('type', NEW.type) || base, NEW.created_at, NEW.created_at
    FROM webhook_endpoints e
    WHERE e.org_id = NEW.org_id AND e.disabled_at IS NULL AND NEW.type = ANY (e.event_types);
    IF NEW.type = 'timer.fired' THEN
      SELECT x INTO breach FROM jsonb_array_elements(NEW.data->'trail') x WHERE x->>'type' = 'sla_breached' LIMIT 1;
      IF breach IS NOT NULL THEN
        SELECT t.version_id INTO version_id_ FROM tickets t WHERE t.org_id = NEW.org_id AND t.id = NEW.ticket_id;
        INSERT INTO webhook_deliveries (org_id, endpoint_id, ticket_id, seq, event_type, payload, next_attempt_at, created_at)
        SELECT NEW.org_id, e.id, NEW.ticket_id, NEW.seq, 'sla.breached',
          jsonb_build_object('type', 'sla.breached') || base || jsonb_build_object('breach', jsonb_build_object(
            'stepId', breach->>'nodeId',
            'stepTitle', stepwise_node_title(NEW.org_id, version_id_, breach->>'nodeId'),
            'escalatedBy', breach->>'escalatedBy')),
          NEW.created_at, NEW.created_at
        FROM webhook_endpoints e
        WHERE e.org_id = NEW.org_id AND e.disabled_at IS NULL AND 'sla.breached' = ANY (e.event_types);
      END IF;
    END IF;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- What the customer is told (an agent's reply, a flow's message) is a `message.created` event, so that a
-- gateway (email, chat) can pass it on. Customers' own messages are not: the gateway brought them in.
CREATE OR REPLACE FUNCTION stepwise_ticket_message_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.author_kind IN ('agent', 'system') AND EXISTS (
       SELECT 1 FROM webhook_endpoints e
        WHERE e.org_id = NEW.org_id AND e.disabled_at IS NULL AND 'message.created' = ANY (e.event_types)) THEN
    -- seq stays null: several messages may come at one sequence number, and each is its own event.
    INSERT INTO webhook_deliveries (org_id, endpoint_id, ticket_id, seq, event_type, payload, next_attempt_at, created_at)
    SELECT NEW.org_id, e.id, NEW.ticket_id, NULL, 'message.created',
      jsonb_build_object(
        'type', 'message.created',
        'ticketId', NEW.ticket_id,
        'ticketNumber', (SELECT t.number FROM tickets t WHERE t.org_id = NEW.org_id AND t.id = NEW.ticket_id),
        'occurredAt', to_char(NEW.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'ticket', stepwise_ticket_summary(NEW.org_id, NEW.ticket_id),
        'message', jsonb_build_object(
          'id', NEW.id,
          'authorKind', NEW.author_kind,
          'author', (SELECT jsonb_build_object('id', u.id, 'name', u.name) FROM users u WHERE u.id = NEW.author_id),
          'body', NEW.body,
          'createdAt', to_char(NEW.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))),
      NEW.created_at, NEW.created_at
    FROM webhook_endpoints e
    WHERE e.org_id = NEW.org_id AND e.disabled_at IS NULL AND 'message.created' = ANY (e.event_types);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER ticket_messages_webhooks AFTER INSERT ON ticket_messages
  FOR EACH ROW EXECUTE FUNCTION stepwise_ticket_message_event();
--> statement-breakpoint
-- Slack and Microsoft Teams channels an organization posts to (notify nodes name them).
CREATE TABLE "notification_channels" (
  "id" uuid DEFAULT gen_random_uuid() NOT NULL,
  "org_id" uuid NOT NULL,
  "name" text NOT NULL,
  "kind" text NOT NULL,
  "url" text NOT NULL,
  "created_by" uuid,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT "notification_channels_org_id_id_pk" PRIMARY KEY("org_id","id"),
  CONSTRAINT "notification_channels_kind_check" CHECK ("kind" IN ('slack', 'teams'))
);
--> statement-breakpoint
ALTER TABLE "notification_channels" ADD CONSTRAINT "notification_channels_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "notification_channels" ADD CONSTRAINT "notification_channels_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
CREATE UNIQUE INDEX "notification_channels_name_key" ON "notification_channels" USING btree ("org_id", lower("name"));
--> statement-breakpoint
-- The channel outbox: one row per notify node entered (keyed by the move and the node, so performing the
-- move's effects again adds nothing), or per test message. `channel_id` is null when the node named no
-- channel the organization has: the row is failed at once, with the reason, and shows in the log.
CREATE TABLE "channel_deliveries" (
  "id" uuid DEFAULT gen_random_uuid() NOT NULL,
  "org_id" uuid NOT NULL,
  "channel_id" uuid,
  "channel_name" text NOT NULL,
  "ticket_id" uuid,
  "seq" integer,
  "node_id" text,
  "text" text NOT NULL,
  "status" text DEFAULT 'pending' NOT NULL,
  "attempts" integer DEFAULT 0 NOT NULL,
  "next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
  "last_status_code" integer,
  "last_error" text,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL,
  "delivered_at" timestamp with time zone,
  CONSTRAINT "channel_deliveries_org_id_id_pk" PRIMARY KEY("org_id","id"),
  CONSTRAINT "channel_deliveries_status_check" CHECK ("status" IN ('pending', 'delivered', 'failed'))
);
--> statement-breakpoint
ALTER TABLE "channel_deliveries" ADD CONSTRAINT "channel_deliveries_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "channel_deliveries" ADD CONSTRAINT "channel_deliveries_channel_fk" FOREIGN KEY ("org_id","channel_id") REFERENCES "public"."notification_channels"("org_id","id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "channel_deliveries" ADD CONSTRAINT "channel_deliveries_ticket_fk" FOREIGN KEY ("org_id","ticket_id") REFERENCES "public"."tickets"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
CREATE UNIQUE INDEX "channel_deliveries_move_key" ON "channel_deliveries" USING btree ("org_id","ticket_id","seq","node_id");
--> statement-breakpoint
CREATE INDEX "channel_deliveries_pending_idx" ON "channel_deliveries" USING btree ("next_attempt_at") WHERE status = 'pending';
--> statement-breakpoint
CREATE INDEX "channel_deliveries_org_idx" ON "channel_deliveries" USING btree ("org_id","created_at");
--> statement-breakpoint
-- Both tables under the tenant policies, like every other (0014, 0016).
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['notification_channels', 'channel_deliveries'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format(
      'CREATE POLICY tenant_isolation ON %I USING (org_id = (SELECT stepwise_org())) WITH CHECK (org_id = (SELECT stepwise_org()))', t);
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stepwise_system') THEN
      EXECUTE format('CREATE POLICY system_access ON %I TO stepwise_system USING (true) WITH CHECK (true)', t);
    END IF;
  END LOOP;
END $$;
--> statement-breakpoint
-- Due channel messages of every organization, leased like the webhooks (0016).
CREATE OR REPLACE FUNCTION stepwise_lease_channel_deliveries(now_ timestamptz, batch int, lease_ms int)
RETURNS TABLE (id uuid, org_id uuid, kind text, url text, text text, attempts int)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_catalog AS $$
  WITH due AS (
    SELECT d.org_id, d.id FROM channel_deliveries d
     WHERE d.status = 'pending' AND d.next_attempt_at <= now_
     ORDER BY d.next_attempt_at, d.id LIMIT batch FOR UPDATE SKIP LOCKED)
  UPDATE channel_deliveries d SET attempts = d.attempts + 1,
         next_attempt_at = now_ + make_interval(secs => lease_ms / 1000.0)
    FROM due, notification_channels c
   WHERE d.org_id = due.org_id AND d.id = due.id AND c.org_id = d.org_id AND c.id = d.channel_id
  RETURNING d.id, d.org_id, c.kind, c.url, d.text, d.attempts
$$;
--> statement-breakpoint
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stepwise_system') THEN
    EXECUTE 'GRANT CREATE ON SCHEMA public TO stepwise_system';
  END IF;
  EXECUTE 'REVOKE ALL ON FUNCTION stepwise_lease_channel_deliveries(timestamptz, int, int) FROM PUBLIC';
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stepwise_app') THEN
    EXECUTE 'GRANT EXECUTE ON FUNCTION stepwise_lease_channel_deliveries(timestamptz, int, int) TO stepwise_app';
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stepwise_system') THEN
    EXECUTE 'ALTER FUNCTION stepwise_lease_channel_deliveries(timestamptz, int, int) OWNER TO stepwise_system';
    EXECUTE 'REVOKE CREATE ON SCHEMA public FROM stepwise_system';
  END IF;
END $$;

import { sql } from 'drizzle-orm';
import {
  bigserial,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { organizations, users } from './organizations.ts';
import { tickets } from './tickets.ts';

/**
 * Organization API tokens for other systems (email gateway, chat widget, help desk, a bot): the table keeps
 * only the SHA-256. `scopes` says what the token may do (packages/api/src/auth/tokenScopes.ts).
 */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid('id').notNull().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    /** The first characters of the token, to tell tokens apart in the admin list. */
    prefix: text('prefix').notNull(),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    /** At least one of the known scopes (a check constraint holds the list). */
    scopes: text('scopes').array().notNull(),
    /** After this moment the token is refused; null = it does not expire. */
    expiresAt: timestamp('expires_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    check(
      'api_tokens_scopes_check',
      sql`cardinality(${t.scopes}) > 0 AND ${t.scopes} <@ ARRAY['tickets:create', 'tickets:read', 'tickets:reply', 'tickets:work', 'analytics:read', 'flows:read']::text[]`,
    ),
    // Unique within the organization (a distributed table allows no other unique key); the intake's
    // lookup by hash alone uses the plain index (a 256-bit random token does not collide).
    uniqueIndex('api_tokens_hash_key').on(t.orgId, t.tokenHash),
    index('api_tokens_token_hash_idx').on(t.tokenHash),
    index('api_tokens_org_idx').on(t.orgId),
  ],
);

/**
 * The event types an endpoint may choose: a ticket's moves, the messages it is sent, its SLA breaches.
 * `note.added` is deliberately never one: an internal note is for the organization's people only, so no
 * endpoint can choose it and the outbox trigger (which posts only chosen types) never sends one.
 */
export const WEBHOOK_EVENT_TYPES = [
  'ticket.created',
  'flow.started',
  'step.completed',
  'timer.fired',
  'customer.replied',
  'subflow.completed',
  'ticket.assigned',
  'ticket.migrated',
  'feedback.received',
  'message.created',
  'sla.breached',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Where an organization's ticket events are POSTed (signed with `secret`). */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: uuid('id').notNull().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id),
    url: text('url').notNull(),
    secret: text('secret').notNull(),
    description: text('description').notNull().default(''),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
    /** The event types POSTed to it (`WEBHOOK_EVENT_TYPES`); a flow's own webhook call always is. */
    eventTypes: text('event_types')
      .array()
      .notNull()
      .default(sql`ARRAY[${sql.raw(WEBHOOK_EVENT_TYPES.map((t) => `'${t}'`).join(','))}]::text[]`),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.id] }), index('webhook_endpoints_org_idx').on(t.orgId)],
);

/**
 * The outbox: one row per (event, endpoint), written in the same transaction as the event (a trigger on
 * `ticket_events`). `id` is the stable event id receivers deduplicate on.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid('id').notNull().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id),
    endpointId: uuid('endpoint_id').notNull(),
    ticketId: uuid('ticket_id'),
    seq: integer('seq'),
    eventType: text('event_type').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    status: text('status', { enum: ['pending', 'delivered', 'failed'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    foreignKey({
      name: 'webhook_deliveries_endpoint_fk',
      columns: [t.orgId, t.endpointId],
      foreignColumns: [webhookEndpoints.orgId, webhookEndpoints.id],
    }).onDelete('cascade'),
    index('webhook_deliveries_pending_idx').on(t.nextAttemptAt).where(sql`status = 'pending'`),
    index('webhook_deliveries_endpoint_idx').on(t.orgId, t.endpointId, t.createdAt),
    uniqueIndex('webhook_deliveries_event_key').on(t.orgId, t.endpointId, t.ticketId, t.seq, t.eventType),
  ],
);

/** One-time links that ask the customer for feedback when a ticket ends (the table keeps the SHA-256). */
export const feedbackRequests = pgTable(
  'feedback_requests',
  {
    id: uuid('id').notNull().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id),
    ticketId: uuid('ticket_id').notNull(),
    tokenHash: text('token_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    foreignKey({
      name: 'feedback_requests_ticket_fk',
      columns: [t.orgId, t.ticketId],
      foreignColumns: [tickets.orgId, tickets.id],
    }),
    // The public feedback page finds a link by its hash alone (the plain index); unique per organization.
    uniqueIndex('feedback_requests_hash_key').on(t.orgId, t.tokenHash),
    index('feedback_requests_token_hash_idx').on(t.tokenHash),
    uniqueIndex('feedback_requests_ticket_key').on(t.orgId, t.ticketId),
  ],
);

/**
 * The outbox of a move's after-commit effects (call a flow's webhook, start a subflow, ask for
 * feedback, resume a parent): one row per move that has any, written by the move's own statement so it
 * commits with the move or not at all, and done by the runtime loop (`FOR UPDATE SKIP LOCKED`) in
 * every server.
 */
export const runtimeJobs = pgTable(
  'runtime_jobs',
  {
    id: bigserial('id', { mode: 'number' }).notNull(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id),
    ticketId: uuid('ticket_id').notNull(),
    seq: integer('seq').notNull(),
    /** The effects to perform, in order (the runtime's `OutboxEffect` union). */
    effects: jsonb('effects').$type<Array<{ type: string; [key: string]: unknown }>>(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    doneAt: timestamp('done_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    foreignKey({
      name: 'runtime_jobs_ticket_fk',
      columns: [t.orgId, t.ticketId],
      foreignColumns: [tickets.orgId, tickets.id],
    }),
    uniqueIndex('runtime_jobs_event_key').on(t.orgId, t.ticketId, t.seq),
    index('runtime_jobs_pending_idx').on(t.nextAttemptAt).where(sql`done_at IS NULL`),
  ],
);

/** A Slack incoming webhook or a Microsoft Teams workflow an organization posts to (notify nodes name it). */
export const notificationChannels = pgTable(
  'notification_channels',
  {
    id: uuid('id').notNull().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id),
    name: text('name').notNull(),
    kind: text('kind', { enum: ['slack', 'teams'] }).notNull(),
    url: text('url').notNull(),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    uniqueIndex('notification_channels_name_key').on(t.orgId, sql`lower(${t.name})`),
  ],
);

/**
 * The channel outbox: one row per notify node entered (keyed by the move and the node) or test message,
 * delivered by the same loop as the webhooks. `channelId` is null when the node named a channel the
 * organization does not have: the row is failed at once, saying so.
 */
export const channelDeliveries = pgTable(
  'channel_deliveries',
  {
    id: uuid('id').notNull().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id),
    channelId: uuid('channel_id'),
    /** The channel as the node named it (or its name when it was found). */
    channelName: text('channel_name').notNull(),
    ticketId: uuid('ticket_id'),
    seq: integer('seq'),
    nodeId: text('node_id'),
    /** The message, its template filled in. */
    text: text('text').notNull(),
    status: text('status', { enum: ['pending', 'delivered', 'failed'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    foreignKey({
      name: 'channel_deliveries_channel_fk',
      columns: [t.orgId, t.channelId],
      foreignColumns: [notificationChannels.orgId, notificationChannels.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'channel_deliveries_ticket_fk',
      columns: [t.orgId, t.ticketId],
      foreignColumns: [tickets.orgId, tickets.id],
    }),
    uniqueIndex('channel_deliveries_move_key').on(t.orgId, t.ticketId, t.seq, t.nodeId),
    index('channel_deliveries_pending_idx').on(t.nextAttemptAt).where(sql`status = 'pending'`),
    index('channel_deliveries_org_idx').on(t.orgId, t.createdAt),
  ],
);

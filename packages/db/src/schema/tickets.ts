import type { TrailEntry } from '@stepwise/flow';
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
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
import { flows, flowVersions } from './flows.ts';
// A cycle with integrations.ts is safe: both read the other's tables only inside lazy key callbacks.
import { apiTokens } from './integrations.ts';
import { organizations, teams, users } from './organizations.ts';

/**
 * A customer request. `seq` counts its events: every move is a compare-and-set on it, so a ticket moves
 * at most once per step. The run columns (status, node, team, assignee, breached, fields…) are the
 * engine's RunState, kept as columns so queues can filter and sort on them.
 */
export const tickets = pgTable(
  'tickets',
  {
    id: uuid('id').notNull().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id),
    number: integer('number').notNull(),
    flowId: uuid('flow_id'),
    /** The version the ticket is pinned to. */
    versionId: uuid('version_id'),
    nodeId: text('node_id'),
    seq: integer('seq').notNull().default(0),
    status: text('status').notNull(),
    endStatus: text('end_status'),
    channel: text('channel').notNull(),
    priority: text('priority').notNull(),
    category: text('category').notNull().default(''),
    subject: text('subject').notNull(),
    description: text('description').notNull().default(''),
    customerName: text('customer_name').notNull(),
    customerEmail: text('customer_email').notNull(),
    customerTier: text('customer_tier').notNull(),
    tags: jsonb('tags').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    fields: jsonb('fields')
      .$type<Record<string, string | number | boolean | null>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    teamId: uuid('team_id'),
    assigneeId: uuid('assignee_id').references(() => users.id),
    /** The current step's SLA has passed (cleared when the ticket leaves the step). */
    breached: boolean('breached').notNull().default(false),
    /**
     * When an SLA of this ticket first passed (escalated by a breach edge or in place); null if none
     * ever did. Never cleared: the ticket stays marked breached for the rest of its life.
     */
    slaBreachedAt: timestamp('sla_breached_at', { withTimezone: true }),
    /** When the current step's SLA passes; null when none runs. */
    slaDueAt: timestamp('sla_due_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    /** A subflow's run: the ticket whose subflow node started it (it resumes when this one ends). */
    parentTicketId: uuid('parent_ticket_id'),
    /** The seq of the parent when it entered its subflow node (one child per entry). */
    parentSeq: integer('parent_seq'),
    csatScore: integer('csat_score'),
    csatComment: text('csat_comment'),
    /** When the ticket entered the node it is at (its visit in progress began); null outside a run. */
    nodeEnteredAt: timestamp('node_entered_at', { withTimezone: true }),
    /** When a person first completed a step of it (its first response); null until then. */
    firstResponseAt: timestamp('first_response_at', { withTimezone: true }),
    /**
     * The system another id of this ticket comes from (`zendesk`, or the channel by default) and that id:
     * unique per organization and source, so a retried create returns the ticket instead of a second one.
     */
    externalSource: text('external_source'),
    externalId: text('external_id'),
  },
  (t) => [
    // Keyed within the organization (docs/scale-out.md): every key, unique index and key between tenant
    // tables starts with org_id, so a ticket and all its rows live on one shard.
    primaryKey({ columns: [t.orgId, t.id] }),
    foreignKey({
      name: 'tickets_flow_fk',
      columns: [t.orgId, t.flowId],
      foreignColumns: [flows.orgId, flows.id],
    }),
    foreignKey({
      name: 'tickets_version_fk',
      columns: [t.orgId, t.versionId],
      foreignColumns: [flowVersions.orgId, flowVersions.id],
    }),
    foreignKey({
      name: 'tickets_team_fk',
      columns: [t.orgId, t.teamId],
      foreignColumns: [teams.orgId, teams.id],
    }),
    uniqueIndex('tickets_parent_entry_key').on(t.orgId, t.parentTicketId, t.parentSeq),
    uniqueIndex('tickets_org_number_key').on(t.orgId, t.number),
    uniqueIndex('tickets_external_key')
      .on(t.orgId, t.externalSource, t.externalId)
      .where(sql`external_id IS NOT NULL`),
    index('tickets_external_id_idx').on(t.orgId, t.externalId).where(sql`external_id IS NOT NULL`),
    check('tickets_external_pair', sql`(external_id IS NULL) = (external_source IS NULL)`),
    index('tickets_org_status_sla_idx').on(t.orgId, t.status, t.slaDueAt),
    index('tickets_org_team_idx').on(t.orgId, t.teamId),
    index('tickets_version_node_idx').on(t.versionId, t.nodeId),
    // The reports: a flow's tickets finished in a range, and those created in it (docs/analytics.md).
    index('tickets_flow_closed_idx').on(t.flowId, t.closedAt),
    index('tickets_flow_created_idx').on(t.flowId, t.createdAt),
    // The customer's other tickets on a ticket's page (emails are stored lowercased).
    index('tickets_org_customer_email_idx').on(t.orgId, t.customerEmail, t.createdAt),
  ],
);

/**
 * Append-only: one row per move of a ticket (who, when, from, to, why). `seq` is the ticket's sequence
 * after the move; (org_id, ticket_id, seq) is the primary key, so two moves from the same state cannot both land.
 */
export const ticketEvents = pgTable(
  'ticket_events',
  {
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id),
    ticketId: uuid('ticket_id').notNull(),
    seq: integer('seq').notNull(),
    type: text('type').notNull(),
    actorId: uuid('actor_id'),
    /** The API token whose bot made the move (`tickets:work`); `actor_id` is then null. */
    actorTokenId: uuid('actor_token_id'),
    fromNode: text('from_node'),
    toNode: text('to_node'),
    /** The input (outcome, values, checklist, timer) and the engine's trail. Replaying inputs rebuilds state. */
    data: jsonb('data').$type<{ input: unknown; trail: TrailEntry[] }>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.ticketId, t.seq] }),
    foreignKey({
      name: 'ticket_events_ticket_fk',
      columns: [t.orgId, t.ticketId],
      foreignColumns: [tickets.orgId, tickets.id],
    }),
    foreignKey({
      name: 'ticket_events_actor_token_fk',
      columns: [t.orgId, t.actorTokenId],
      foreignColumns: [apiTokens.orgId, apiTokens.id],
    }),
    index('ticket_events_org_time_idx').on(t.orgId, t.createdAt),
  ],
);

/**
 * Analytics facts: one row per stay of a ticket at a node, written when the stay ends, by the statement
 * of the move that ends it. Derived from the event log (the rebuild command writes the same rows), so
 * it is never the only record of anything. Keyed by the move that ended it and its place in that move.
 */
export const ticketVisits = pgTable(
  'ticket_visits',
  {
    // No foreign keys: the rows are derived (rebuilt from the event log), and a key check per row would
    // cost every move a lookup of the ticket and the organization it is already writing.
    ticketId: uuid('ticket_id').notNull(),
    seq: integer('seq').notNull(),
    ordinal: integer('ordinal').notNull(),
    orgId: uuid('org_id').notNull(),
    versionId: uuid('version_id').notNull(),
    nodeId: text('node_id').notNull(),
    enteredAt: timestamp('entered_at', { withTimezone: true }).notNull(),
    leftAt: timestamp('left_at', { withTimezone: true }).notNull(),
    /** outcome, branch, timer, sla_breach, reply, subflow, action, auto, end, migration. */
    exit: text('exit').notNull(),
    handle: text('handle'),
    nextNodeId: text('next_node_id'),
    agentId: uuid('agent_id'),
    breached: boolean('breached').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.ticketId, t.seq, t.ordinal] }),
    // The reports read one node's stays of a version (of one organization) that ended in a range, from
    // the index alone: the columns after `left_at` are there so the index covers the per-node figures,
    // the edge traffic and the join to the ticket a filtered report needs.
    index('ticket_visits_org_version_node_left_idx').on(
      t.orgId,
      t.versionId,
      t.nodeId,
      t.leftAt,
      t.enteredAt,
      t.breached,
      t.handle,
      t.nextNodeId,
      t.ticketId,
    ),
  ],
);

/**
 * Work the analytics facts still owe: a row with `done_at` null asks the server to rebuild the facts
 * of every ticket from the event log (written by the migration that introduced them, on a database
 * that already had tickets).
 */
export const analyticsBackfill = pgTable('analytics_backfill', {
  id: integer('id').primaryKey(),
  requestedAt: timestamp('requested_at', { withTimezone: true }).notNull().defaultNow(),
  doneAt: timestamp('done_at', { withTimezone: true }),
});

/** The conversation with the customer. */
export const ticketMessages = pgTable(
  'ticket_messages',
  {
    id: uuid('id').notNull().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id),
    ticketId: uuid('ticket_id').notNull(),
    authorKind: text('author_kind', { enum: ['customer', 'agent', 'system'] }).notNull(),
    authorId: uuid('author_id'),
    /** The API token that wrote an agent message (`tickets:reply`); `author_id` is then null. */
    authorTokenId: uuid('author_token_id'),
    body: text('body').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    foreignKey({
      name: 'ticket_messages_ticket_fk',
      columns: [t.orgId, t.ticketId],
      foreignColumns: [tickets.orgId, tickets.id],
    }),
    foreignKey({
      name: 'ticket_messages_author_token_fk',
      columns: [t.orgId, t.authorTokenId],
      foreignColumns: [apiTokens.orgId, apiTokens.id],
    }),
    index('ticket_messages_ticket_idx').on(t.ticketId, t.createdAt),
  ],
);

/**
 * SLA and wait timers. A timer belongs to one step entry (`seq` = the ticket's sequence when it entered
 * the node); firing is a compare-and-set on that sequence, so a timer never fires for a step left.
 */
export const timers = pgTable(
  'timers',
  {
    id: bigserial('id', { mode: 'number' }).notNull(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id),
    ticketId: uuid('ticket_id').notNull(),
    seq: integer('seq').notNull(),
    kind: text('kind', { enum: ['sla', 'wait', 'timeout'] }).notNull(),
    nodeId: text('node_id').notNull(),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    firedAt: timestamp('fired_at', { withTimezone: true }),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    foreignKey({
      name: 'timers_ticket_fk',
      columns: [t.orgId, t.ticketId],
      foreignColumns: [tickets.orgId, tickets.id],
    }),
    index('timers_pending_due_idx').on(t.dueAt).where(sql`fired_at IS NULL AND cancelled_at IS NULL`),
    index('timers_ticket_idx').on(t.ticketId),
    uniqueIndex('timers_entry_key').on(t.orgId, t.ticketId, t.seq, t.kind),
  ],
);

/** Stripe-style idempotency: the key stores the request's hash and the first response. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    response: jsonb('response').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.key] })],
);

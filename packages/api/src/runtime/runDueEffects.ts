import { randomBytes } from 'node:crypto';
import { type Database, withOrg } from '@stepwise/db';
import { fillTemplate, readField, templateText } from '@stepwise/flow';
import { noteChange } from '../live/hub.ts';
import { uniqueViolation } from '../services/dbErrors.ts';
import { applyEngineEvent } from './applyEvent.ts';
import { createTicket } from './createTicket.ts';
import { DEFAULT_PUBLIC_URL, FEEDBACK_TTL_MS, feedbackLink, hashFeedbackToken } from './feedbackLink.ts';
import type { OutboxEffect } from './planEffects.ts';
import { poolQuery, type Query } from './sql.ts';
import { fieldsOf, type TicketRow, tagsOf, ticketColumns, ticketDataOf } from './ticketState.ts';
import { type VersionCache, versionCache } from './versionCache.ts';

/** A claimed outbox row is leased this long (a crashed server's row is taken again after it). */
const LEASE_MS = 60_000;
/** A row that failed waits this long times its attempts (capped at 10 minutes) before the next try. */
const RETRY_STEP_MS = 10_000;

/** One claimed outbox row: the effects a move recorded, for the ticket at the sequence it moved to. */
type Claimed = {
  id: string;
  org_id: string;
  ticket_id: string;
  seq: number;
  attempts: number;
  effects: OutboxEffect[] | null;
};

export type EffectOptions = {
  cache?: VersionCache;
  onError?: (error: unknown) => void;
  batch?: number;
  /** Where customers reach this app (the server's `PUBLIC_URL`); feedback links are made absolute with it. */
  publicUrl?: string;
};

/**
 * One round of the outbox: leases up to `batch` due rows `FOR UPDATE SKIP LOCKED` (servers take
 * disjoint ones; no transaction stays open while effects run), performs each row's recorded effects in
 * order, then marks it done. Performing an effect again is harmless (every write below is keyed: the
 * delivery per endpoint and event, the child per parent entry, the feedback request per ticket, the
 * parent's resume by its sequence number), so a crash between performing and marking only repeats it.
 * Returns the number of rows claimed.
 */
export async function runDueEffects(
  database: Database,
  now: Date,
  options: EffectOptions = {},
): Promise<number> {
  const nowIso = now.toISOString();
  const onError = options.onError ?? defaultOnError;
  // Rows of every organization, through the narrowly granted lease function; each row's work then acts
  // for its own organization.
  const claimed = await withOrg(null, () =>
    database.query<Claimed>(
      'SELECT id, org_id, ticket_id, seq, attempts, effects FROM stepwise_lease_jobs($1::timestamptz, $2::int, $3::int)',
      [nowIso, options.batch ?? 50, LEASE_MS],
    ),
  );
  const context: EffectContext = {
    database,
    query: poolQuery(database),
    now,
    cache: options.cache ?? versionCache,
    publicUrl: options.publicUrl ?? DEFAULT_PUBLIC_URL,
  };
  for (const row of claimed.sort((a, b) => Number(a.id) - Number(b.id))) {
    await withOrg(row.org_id, () => settleJob(database, context, row, now, onError));
  }
  return claimed.length;
}

async function settleJob(
  database: Database,
  context: EffectContext,
  row: Claimed,
  now: Date,
  onError: (error: unknown) => void,
): Promise<void> {
  const nowIso = now.toISOString();
  try {
    await performAll(context, row);
    await database.query(
      'UPDATE runtime_jobs SET done_at = $2::timestamptz, last_error = NULL WHERE org_id = $3::uuid AND id = $1::bigint',
      [row.id, nowIso, row.org_id],
    );
  } catch (error) {
    onError(error);
    const wait = Math.min(row.attempts * RETRY_STEP_MS, 600_000);
    await database
      .query(
        'UPDATE runtime_jobs SET next_attempt_at = $2::timestamptz, last_error = $3 WHERE org_id = $4::uuid AND id = $1::bigint',
        [
          row.id,
          new Date(now.getTime() + wait).toISOString(),
          (error instanceof Error ? error.message : String(error)).slice(0, 1000),
          row.org_id,
        ],
      )
      .catch(onError);
  }
}

function defaultOnError(error: unknown): void {
  console.error('[stepwise effects] an after-commit effect failed; it will be retried:', error);
}

type EffectContext = {
  database: Database;
  query: Query;
  now: Date;
  cache: VersionCache;
  publicUrl: string;
};

/** The ticket an outbox row is for, as it is now. */
type EffectTicket = TicketRow;

async function performAll(context: EffectContext, row: Claimed): Promise<void> {
  // Rows written before the outbox got their effects from the upgrade's backfill: none is left null.
  const effects = row.effects ?? [];
  if (effects.length === 0) return;
  const tickets = await context.query<EffectTicket>(
    `SELECT ${ticketColumns('t')} FROM tickets t WHERE t.id = $1::uuid AND t.org_id = $2::uuid`,
    [row.ticket_id, row.org_id],
  );
  const ticket = tickets[0];
  if (!ticket) return;
  for (const effect of effects) await perform(context, ticket, row.seq, effect);
  // A notification is news to its user's open pages: announced as a change of the ticket (the top bar's
  // count listens for it), once the rows are there.
  if (effects.some((effect) => effect.type === 'notify_user'))
    noteChange(context.database, {
      orgId: row.org_id,
      ticketId: row.ticket_id,
      seq: ticket.seq,
      message: true,
    });
}

/** Performs one recorded effect. Every kind is handled: a new one does not compile until it is. */
async function perform(
  context: EffectContext,
  ticket: EffectTicket,
  seq: number,
  effect: OutboxEffect,
): Promise<void> {
  switch (effect.type) {
    case 'call_webhook':
      return callFlowWebhook(context, ticket, seq, effect);
    case 'notify_channel':
      return notifyChannel(context, ticket, seq, effect);
    case 'start_subflow':
      return startSubflow(context, ticket, seq, effect);
    case 'request_feedback':
      return requestFeedback(context, ticket);
    case 'notify_user':
      return notifyUser(context, ticket, seq, effect);
    case 'resume_parent':
      // The parent resumes only at the entry that started this child (else the move is refused as a conflict).
      await applyEngineEvent(context.database, context.cache, {
        ticketId: effect.ticketId,
        orgId: ticket.org_id,
        event: { type: 'subflow_completed' },
        actorId: null,
        now: context.now,
        expectedSeq: effect.seq,
      });
      return;
    default: {
      const unknown: never = effect;
      throw new Error(`Unknown outbox effect ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * An in-app notification for a member of the organization (one disabled since hears nothing), keyed by
 * the move: performing the effect again adds nothing.
 */
async function notifyUser(
  context: EffectContext,
  ticket: EffectTicket,
  seq: number,
  effect: Extract<OutboxEffect, { type: 'notify_user' }>,
): Promise<void> {
  await context.query(
    `INSERT INTO notifications (org_id, user_id, kind, ticket_id, source, created_at)
     SELECT m.org_id, m.user_id, $3, $4::uuid, $5, $6::timestamptz
       FROM memberships m WHERE m.org_id = $1::uuid AND m.user_id = $2::uuid AND m.disabled_at IS NULL
     ON CONFLICT DO NOTHING`,
    [ticket.org_id, effect.userId, effect.kind, ticket.id, `seq:${seq}`, context.now.toISOString()],
  );
}

/** A flow's `call_webhook`: one delivery, to the endpoint an admin registered with that URL. */
async function callFlowWebhook(
  context: EffectContext,
  ticket: EffectTicket,
  seq: number,
  effect: Extract<OutboxEffect, { type: 'call_webhook' }>,
): Promise<void> {
  const payload = {
    type: 'flow.webhook',
    nodeId: effect.nodeId,
    ticketId: ticket.id,
    ticketNumber: ticket.number,
    seq,
    subject: ticket.subject,
    status: ticket.status,
    priority: ticket.priority,
    category: ticket.category,
    customer: { name: ticket.customer_name, email: ticket.customer_email, tier: ticket.customer_tier },
    fields: fieldsOf(ticket.fields),
    tags: tagsOf(ticket.tags),
  };
  // Only URLs an admin registered as endpoints are called (their secret signs the request).
  await context.query(
    `INSERT INTO webhook_deliveries (org_id, endpoint_id, ticket_id, seq, event_type, payload, next_attempt_at, created_at)
     SELECT $1::uuid, e.id, $2::uuid, $3::int, 'flow.webhook', $4::jsonb, $5::timestamptz, $5::timestamptz
       FROM webhook_endpoints e WHERE e.org_id = $1::uuid AND e.disabled_at IS NULL AND e.url = $6
     ON CONFLICT DO NOTHING`,
    [ticket.org_id, ticket.id, seq, JSON.stringify(payload), context.now.toISOString(), effect.url],
  );
}

/**
 * A notify node: its message, filled in with the ticket as it is now and the step the move came from (an
 * SLA breach's step), queued for the organization's channel it names (by id, or by name whatever the
 * case). A channel the organization does not have gives a failed delivery that says so, in the log —
 * never a failed move. Keyed by the move and the node: performing the effect again adds nothing.
 */
async function notifyChannel(
  context: EffectContext,
  ticket: EffectTicket,
  seq: number,
  effect: Extract<OutboxEffect, { type: 'notify_channel' }>,
): Promise<void> {
  const rows = await context.query<{
    team_name: string | null;
    assignee_name: string | null;
    flow_name: string | null;
    step_title: string | null;
    current_title: string | null;
    channel_id: string | null;
    channel_name: string | null;
    channel_kind: 'slack' | 'teams' | null;
  }>(
    `SELECT tm.name AS team_name, u.name AS assignee_name, f.name AS flow_name,
            stepwise_node_title(t.org_id, t.version_id, coalesce(e.from_node, t.node_id)) AS step_title,
            stepwise_node_title(t.org_id, t.version_id, t.node_id) AS current_title,
            c.id AS channel_id, c.name AS channel_name, c.kind AS channel_kind
       FROM tickets t
       LEFT JOIN teams tm ON tm.org_id = t.org_id AND tm.id = t.team_id
       LEFT JOIN users u ON u.id = t.assignee_id
       LEFT JOIN flows f ON f.org_id = t.org_id AND f.id = t.flow_id
       LEFT JOIN ticket_events e ON e.org_id = t.org_id AND e.ticket_id = t.id AND e.seq = $3::int
       LEFT JOIN notification_channels c ON c.org_id = t.org_id
             AND (c.id::text = $4 OR lower(c.name) = lower($4))
      WHERE t.org_id = $1::uuid AND t.id = $2::uuid
      ORDER BY (c.id::text = $4) DESC
      LIMIT 1`,
    [ticket.org_id, ticket.id, seq, effect.channel],
  );
  const row = rows[0];
  if (!row) return;
  const values: Record<string, unknown> = {
    'ticket.id': ticket.id,
    'ticket.number': ticket.number,
    'ticket.subject': ticket.subject,
    'ticket.priority': ticket.priority,
    'ticket.channel': ticket.channel,
    'ticket.category': ticket.category,
    'ticket.status': ticket.status,
    'ticket.url': `${context.publicUrl}/tickets/${ticket.id}`,
    'customer.name': ticket.customer_name,
    'customer.email': ticket.customer_email,
    'customer.tier': ticket.customer_tier,
    'step.title': row.step_title,
    'ticket.step': row.current_title,
    'team.name': row.team_name,
    'assignee.name': row.assignee_name,
    'flow.name': row.flow_name,
  };
  const data = ticketDataOf(ticket);
  // What the ticket brings (a subject, a name) is text in Slack, never markup: `<!channel>` in a subject
  // must not notify everyone. The template's own markup stays.
  const asText = row.channel_kind === 'slack' ? escapeSlack : (text: string) => text;
  const text = fillTemplate(effect.template, (name) =>
    asText(templateText(Object.hasOwn(values, name) ? values[name] : readField(data, name))),
  );
  const now = context.now.toISOString();
  const missing = row.channel_id === null;
  await context.query(
    `INSERT INTO channel_deliveries (org_id, channel_id, channel_name, ticket_id, seq, node_id, text, status,
                                     last_error, next_attempt_at, created_at)
     VALUES ($1::uuid, $2::uuid, $3, $4::uuid, $5::int, $6, $7, $8, $9, $10::timestamptz, $10::timestamptz)
     ON CONFLICT DO NOTHING`,
    [
      ticket.org_id,
      row.channel_id,
      row.channel_name ?? effect.channel,
      ticket.id,
      seq,
      effect.nodeId,
      text.slice(0, 10_000),
      missing ? 'failed' : 'pending',
      missing
        ? effect.channel === ''
          ? 'The notify node names no channel.'
          : `No channel named "${effect.channel}" is set up: add it in Admin → Integrations.`
        : null,
      now,
    ],
  );
}

/** Slack's escaping of text in a message (`&`, `<`, `>`): https://api.slack.com/reference/surfaces/formatting */
function escapeSlack(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/**
 * A subflow node: a child ticket on the target flow's active version, linked to this entry of the
 * parent — only while the parent still waits at that entry (a ticket moved on by hand starts none).
 */
async function startSubflow(
  context: EffectContext,
  parent: EffectTicket,
  seq: number,
  effect: Extract<OutboxEffect, { type: 'start_subflow' }>,
): Promise<void> {
  if (parent.seq !== seq || parent.status !== 'in_subflow' || parent.node_id !== effect.nodeId) return;
  const existing = await context.query(
    'SELECT 1 FROM tickets WHERE org_id = $3::uuid AND parent_ticket_id = $1::uuid AND parent_seq = $2::int',
    [parent.id, seq, parent.org_id],
  );
  if (existing.length > 0) return;
  type Input = Parameters<typeof createTicket>[1];
  await createTicket(
    context.database,
    {
      channel: parent.channel as Input['channel'],
      subject: parent.subject,
      description: parent.description,
      customer: {
        name: parent.customer_name,
        email: parent.customer_email,
        tier: parent.customer_tier as Input['customer']['tier'],
      },
      category: parent.category,
      priority: parent.priority as Input['priority'],
      tags: tagsOf(parent.tags),
      fields: fieldsOf(parent.fields),
      flowId: effect.flowId,
    },
    {
      orgId: parent.org_id,
      actorId: null,
      now: context.now,
      cache: context.cache,
      parent: { ticketId: parent.id, seq },
    },
  ).catch((error: unknown) => {
    // Another server started this entry's child first: done.
    if (uniqueViolation(error)?.constraint === 'tickets_parent_entry_key') return null;
    throw error;
  });
}

/** A one-time feedback link for an ended ticket, sent to the customer as a system message (once per ticket). */
async function requestFeedback(context: EffectContext, ticket: EffectTicket): Promise<void> {
  const token = randomBytes(32).toString('base64url');
  const body = `How did we do? Tell us in one click: ${feedbackLink(context.publicUrl, token)}`;
  const { now } = context;
  await context.query(
    `WITH fr AS (
       INSERT INTO feedback_requests (org_id, ticket_id, token_hash, created_at, expires_at)
       VALUES ($1::uuid, $2::uuid, $3, $4::timestamptz, $5::timestamptz)
       ON CONFLICT (org_id, ticket_id) DO NOTHING RETURNING ticket_id)
     INSERT INTO ticket_messages (org_id, ticket_id, author_kind, author_id, body, created_at)
     SELECT $1::uuid, fr.ticket_id, 'system', NULL, $6, $4::timestamptz FROM fr`,
    [
      ticket.org_id,
      ticket.id,
      hashFeedbackToken(token),
      now.toISOString(),
      new Date(now.getTime() + FEEDBACK_TTL_MS).toISOString(),
      body,
    ],
  );
  noteChange(context.database, { orgId: ticket.org_id, ticketId: ticket.id, seq: ticket.seq, message: true });
}

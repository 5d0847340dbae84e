import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '@stepwise/db';
import type { FlowDocument, TrailEntry } from '@stepwise/flow';
import { noteChange } from '../live/hub.ts';
import { uniqueViolation } from '../services/dbErrors.ts';
import { startLoop, type Worker } from '../webhooks/worker.ts';
import { applyEngineEvent } from './applyEvent.ts';
import { createTicket } from './createTicket.ts';
import { poolQuery, type Query } from './sql.ts';
import { type TicketRow, tagsOf, ticketColumns, fieldsOf } from './ticketState.ts';
import { type VersionCache, versionCache } from './versionCache.ts';

/** A feedback link stays valid this long. */
export const FEEDBACK_TTL_MS = 30 * 24 * 60 * 60 * 1000;
const LEASE_MS = 60_000;
/** A job that failed waits this long times its attempts (capped at 10 minutes) before the next try. */
const RETRY_STEP_MS = 10_000;

type Job = { id: string; org_id: string; ticket_id: string; seq: number; attempts: number };

type JobTicket = TicketRow & {
  parent_ticket_id: string | null;
  parent_seq: number | null;
  trail: TrailEntry[];
};

export type JobOptions = {
  cache?: VersionCache;
  onError?: (error: unknown) => void;
  batch?: number;
  /** Where customers reach this app (the server's `PUBLIC_URL`); feedback links are made absolute with it. */
  publicUrl?: string;
};

/** The public address when none is configured: the server's default port on this machine. */
export const DEFAULT_PUBLIC_URL = 'http://localhost:3000';

/**
 * The absolute address of the public feedback page for a token: a customer opens it from an email or a
 * chat, outside the app, so a relative path would lead nowhere. A trailing slash of `publicUrl` is dropped.
 */
export function feedbackLink(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/feedback/${token}`;
}

export function hashFeedbackToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * One round of the runtime's after-commit work, leased `FOR UPDATE SKIP LOCKED` (every server runs it;
 * no transaction stays open while a job runs). A job is the event a move wrote; doing it again is
 * harmless (every write below is keyed), so a crash between doing and marking done only repeats it.
 */
export async function runDueJobs(database: Database, now: Date, options: JobOptions = {}): Promise<number> {
  const nowIso = now.toISOString();
  const jobs = await database.query<Job>(
    `WITH due AS (
       SELECT id FROM runtime_jobs WHERE done_at IS NULL AND next_attempt_at <= $1::timestamptz
        ORDER BY next_attempt_at, id LIMIT $2::int FOR UPDATE SKIP LOCKED)
     UPDATE runtime_jobs j SET attempts = j.attempts + 1,
            next_attempt_at = $1::timestamptz + make_interval(secs => $3::int / 1000.0)
       FROM due WHERE j.id = due.id
     RETURNING j.id::text AS id, j.org_id, j.ticket_id, j.seq, j.attempts`,
    [nowIso, options.batch ?? 50, LEASE_MS],
  );
  for (const job of jobs.sort((a, b) => Number(a.id) - Number(b.id))) {
    try {
      await runJob(
        database,
        job,
        now,
        options.cache ?? versionCache,
        options.publicUrl ?? DEFAULT_PUBLIC_URL,
      );
      await database.query(
        'UPDATE runtime_jobs SET done_at = $2::timestamptz, last_error = NULL WHERE id = $1::bigint',
        [job.id, nowIso],
      );
    } catch (error) {
      (options.onError ?? defaultOnError)(error);
      const wait = Math.min(job.attempts * RETRY_STEP_MS, 600_000);
      await database
        .query(
          'UPDATE runtime_jobs SET next_attempt_at = $2::timestamptz, last_error = $3 WHERE id = $1::bigint',
          [
            job.id,
            new Date(now.getTime() + wait).toISOString(),
            (error instanceof Error ? error.message : String(error)).slice(0, 1000),
          ],
        )
        .catch(options.onError ?? defaultOnError);
    }
  }
  return jobs.length;
}

function defaultOnError(error: unknown): void {
  console.error('[stepwise jobs] an after-commit job failed; it will be retried:', error);
}

async function runJob(
  database: Database,
  job: Job,
  now: Date,
  cache: VersionCache,
  publicUrl: string,
): Promise<void> {
  const query = poolQuery(database);
  const rows = await query<JobTicket>(
    `SELECT ${ticketColumns('t')}, t.parent_ticket_id, t.parent_seq, e.data->'trail' AS trail
       FROM tickets t JOIN ticket_events e ON e.ticket_id = t.id AND e.seq = $3::int
      WHERE t.id = $1::uuid AND t.org_id = $2::uuid`,
    [job.ticket_id, job.org_id, job.seq],
  );
  const ticket = rows[0];
  if (!ticket?.version_id) return;
  const version = await cache.get(query, ticket.org_id, ticket.version_id);
  if (!version)
    throw new Error(`Ticket ${ticket.id} is pinned to version ${ticket.version_id}, which is missing`);
  const trail = Array.isArray(ticket.trail) ? ticket.trail : [];
  await callFlowWebhooks(query, version.document, ticket, job, trail, now);
  const last = [...trail].reverse().find((entry) => entry.type === 'node_entered');
  if (
    last?.type === 'node_entered' &&
    last.nodeType === 'subflow' &&
    ticket.seq === job.seq &&
    ticket.status === 'in_subflow'
  ) {
    await startSubflow(database, version.document, ticket, last.nodeId, now, cache);
  }
  const ended = trail.find((entry) => entry.type === 'ended');
  if (ended?.type === 'ended') {
    const end = version.document.nodes.find((n) => n.id === ended.nodeId);
    if (end?.type === 'end' && end.data.feedback) {
      await requestFeedback(query, ticket, now, publicUrl);
      noteChange(database, { orgId: ticket.org_id, ticketId: ticket.id, seq: ticket.seq, message: true });
    }
    if (ticket.parent_ticket_id !== null && ticket.parent_seq !== null) {
      await applyEngineEvent(database, cache, {
        ticketId: ticket.parent_ticket_id,
        orgId: ticket.org_id,
        event: { type: 'subflow_completed' },
        actorId: null,
        now,
        expectedSeq: ticket.parent_seq,
      });
    }
  }
}

/** `call_webhook` ops of the action nodes the move ran: one outbox row each, to the registered endpoint. */
async function callFlowWebhooks(
  query: Query,
  document: FlowDocument,
  ticket: JobTicket,
  job: Job,
  trail: readonly TrailEntry[],
  now: Date,
): Promise<void> {
  for (const entry of trail) {
    if (entry.type !== 'action_performed') continue;
    const node = document.nodes.find((n) => n.id === entry.nodeId);
    if (node?.type !== 'action') continue;
    for (const op of node.data.ops) {
      if (op.op !== 'webhook') continue;
      const payload = {
        type: 'flow.webhook',
        nodeId: node.id,
        ticketId: ticket.id,
        ticketNumber: ticket.number,
        seq: job.seq,
        subject: ticket.subject,
        status: ticket.status,
        priority: ticket.priority,
        category: ticket.category,
        customer: { name: ticket.customer_name, email: ticket.customer_email, tier: ticket.customer_tier },
        fields: fieldsOf(ticket.fields),
        tags: tagsOf(ticket.tags),
      };
      // Only URLs an admin registered as endpoints are called (their secret signs the request).
      await query(
        `INSERT INTO webhook_deliveries (org_id, endpoint_id, ticket_id, seq, event_type, payload, next_attempt_at, created_at)
         SELECT $1::uuid, e.id, $2::uuid, $3::int, 'flow.webhook', $4::jsonb, $5::timestamptz, $5::timestamptz
           FROM webhook_endpoints e WHERE e.org_id = $1::uuid AND e.disabled_at IS NULL AND e.url = $6
         ON CONFLICT DO NOTHING`,
        [ticket.org_id, ticket.id, job.seq, JSON.stringify(payload), now.toISOString(), op.url],
      );
    }
  }
}

/** A subflow node: a child ticket on the target flow's active version, linked to this entry of the parent. */
async function startSubflow(
  database: Database,
  document: FlowDocument,
  parent: JobTicket,
  nodeId: string,
  now: Date,
  cache: VersionCache,
): Promise<void> {
  const node = document.nodes.find((n) => n.id === nodeId);
  if (node?.type !== 'subflow' || node.data.flowId === null) return;
  const existing = await database.query(
    'SELECT 1 FROM tickets WHERE parent_ticket_id = $1::uuid AND parent_seq = $2::int',
    [parent.id, parent.seq],
  );
  if (existing.length > 0) return;
  await createTicket(
    database,
    {
      channel: parent.channel as Parameters<typeof createTicket>[1]['channel'],
      subject: parent.subject,
      description: parent.description,
      customer: {
        name: parent.customer_name,
        email: parent.customer_email,
        tier: parent.customer_tier as Parameters<typeof createTicket>[1]['customer']['tier'],
      },
      category: parent.category,
      priority: parent.priority as Parameters<typeof createTicket>[1]['priority'],
      tags: tagsOf(parent.tags),
      fields: fieldsOf(parent.fields),
      flowId: node.data.flowId,
    },
    { orgId: parent.org_id, actorId: null, now, cache, parent: { ticketId: parent.id, seq: parent.seq } },
  ).catch((error: unknown) => {
    // Another server started this entry's child first: done.
    if (uniqueViolation(error)?.constraint === 'tickets_parent_entry_key') return null;
    throw error;
  });
}

/** A one-time feedback link for an ended ticket, sent to the customer as a system message (once per ticket). */
async function requestFeedback(query: Query, ticket: JobTicket, now: Date, publicUrl: string): Promise<void> {
  const token = randomBytes(32).toString('base64url');
  const body = `How did we do? Tell us in one click: ${feedbackLink(publicUrl, token)}`;
  await query(
    `WITH fr AS (
       INSERT INTO feedback_requests (org_id, ticket_id, token_hash, created_at, expires_at)
       VALUES ($1::uuid, $2::uuid, $3, $4::timestamptz, $5::timestamptz)
       ON CONFLICT (ticket_id) DO NOTHING RETURNING ticket_id)
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
}

export type JobWorker = Worker & { nudge(): void };

/** The after-commit worker of one server; `nudge()` (on a ticket NOTIFY) runs a round soon. */
export function startJobWorker(options: {
  db: Database;
  now: () => Date;
  intervalMs?: number;
  cache?: VersionCache;
  onError?: (error: unknown) => void;
  publicUrl?: string;
}): JobWorker {
  const onError = options.onError ?? defaultOnError;
  const run = () =>
    runDueJobs(options.db, options.now(), { cache: options.cache, onError, publicUrl: options.publicUrl });
  const worker = startLoop(run, {
    intervalMs: options.intervalMs ?? 1000,
    onError,
  });
  let pending = false;
  let stopped = false;
  return {
    tick: worker.tick,
    async stop() {
      stopped = true;
      await worker.stop();
    },
    nudge() {
      if (pending || stopped) return;
      pending = true;
      setTimeout(() => {
        pending = false;
        if (!stopped) worker.tick().catch(onError);
      }, 20).unref();
    },
  };
}

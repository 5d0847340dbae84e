import { randomUUID } from 'node:crypto';
import type { Database } from '@stepwise/db';
import { noteChange } from '../live/hub.ts';
import type { Caller } from '../trpc.ts';
import { advanceTicket, type Mover } from './advanceTicket.ts';
import { applyEngineEvent } from './applyEvent.ts';
import { routeTicket } from './createTicket.ts';
import { type IntakeKey, KEY_CONSTRAINT, pendingIntake, replayIntake, settleIntake } from './intakeKeys.ts';
import { refuse } from './runtimeError.ts';
import { constraintOf, iso, poolQuery, type Query, sqlState } from './sql.ts';
import { type TicketRow, ticketColumns, ticketDataOf } from './ticketState.ts';
import { ticketCache } from './ticketCache.ts';
import { getTicketDetail, type TicketDetail, type TicketMessageView } from './ticketView.ts';
import type { VersionCache } from './versionCache.ts';
import { versionCache } from './versionCache.ts';

const TICKET_NOT_FOUND = 'This ticket does not exist in your organization.';
const MOVED = 'This ticket changed while you were looking at it. Here is where it is now.';

export type RunLink = { id: string; number: number; status: string; flowName: string | null };

/** What the ticket page adds to the runtime's view. */
export type TicketExtras = {
  csat: { score: number; comment: string | null } | null;
  parent: RunLink | null;
  children: RunLink[];
  feedbackPending: boolean;
};

export type TicketPage = TicketDetail & {
  /** The conversation (customer, agents, system messages), with author names, oldest first. */
  conversation: TicketMessageView[];
  csat: TicketExtras['csat'];
  parent: RunLink | null;
  children: RunLink[];
  /**
   * The customer's one-time feedback link, masked (`…/feedback/••••3f2a`), while it waits for an answer:
   * enough to recognise it, not a link anyone in the app could open and spend.
   */
  feedbackLink: string | null;
};

export type UnroutedRow = {
  id: string;
  number: number;
  subject: string;
  customerName: string;
  channel: string;
  priority: string;
  category: string;
  createdAt: string;
};

export type AddMessageResult = {
  messageId: string;
  /** The ticket it was added to (a message may name it by number or external id). */
  ticketId: string;
  /** The ticket's sequence after the message (it moved on when it was waiting for this reply). */
  seq: number;
  movedOn: boolean;
};

export async function ticketExtras(
  query: Query,
  ticketId: string,
  orgId: string,
  now: Date,
): Promise<TicketExtras | null> {
  const rows = await query<{
    csat_score: number | null;
    csat_comment: string | null;
    parent: RunLink | null;
    children: RunLink[] | null;
    feedback_pending: boolean;
  }>(
    `SELECT t.csat_score, t.csat_comment,
       (SELECT json_build_object('id', p.id, 'number', p.number, 'status', p.status, 'flowName', pf.name)
          FROM tickets p LEFT JOIN flows pf ON pf.org_id = p.org_id AND pf.id = p.flow_id
         WHERE p.id = t.parent_ticket_id AND p.org_id = t.org_id) AS parent,
       (SELECT json_agg(json_build_object('id', c.id, 'number', c.number, 'status', c.status, 'flowName', cf.name)
                 ORDER BY c.created_at, c.number)
          FROM tickets c LEFT JOIN flows cf ON cf.org_id = c.org_id AND cf.id = c.flow_id
         WHERE c.parent_ticket_id = t.id AND c.org_id = t.org_id) AS children,
       EXISTS (SELECT 1 FROM feedback_requests fr WHERE fr.org_id = t.org_id AND fr.ticket_id = t.id AND fr.used_at IS NULL
                 AND fr.expires_at > $3::timestamptz) AS feedback_pending
     FROM tickets t WHERE t.id = $1::uuid AND t.org_id = $2::uuid`,
    [ticketId, orgId, now.toISOString()],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    csat: row.csat_score === null ? null : { score: row.csat_score, comment: row.csat_comment },
    parent: row.parent,
    children: row.children ?? [],
    feedbackPending: row.feedback_pending,
  };
}

/** A masked feedback link in a system message (the view masks them: see `MASKED_FEEDBACK_LINK_SQL`). */
const MASKED_FEEDBACK_LINK_RE = /…\/feedback\/••••[A-Za-z0-9_-]{4}/;

export function pageOf(detail: TicketDetail, extras: TicketExtras): TicketPage {
  let feedbackLink: string | null = null;
  if (extras.feedbackPending) {
    for (const message of detail.messages) {
      const match = message.authorKind === 'system' ? MASKED_FEEDBACK_LINK_RE.exec(message.body) : null;
      if (match) feedbackLink = match[0];
    }
  }
  return {
    ...detail,
    conversation: detail.messages,
    csat: extras.csat,
    parent: extras.parent,
    children: extras.children,
    feedbackLink,
  };
}

export async function readPage(
  database: Database,
  ticketId: string,
  orgId: string,
  now: Date,
): Promise<TicketPage> {
  const query = poolQuery(database);
  const [detail, extras] = await Promise.all([
    getTicketDetail(query, versionCache, { ticketId, orgId }, ticketCache),
    ticketExtras(query, ticketId, orgId, now),
  ]);
  if (!detail || !extras) refuse('not_found', TICKET_NOT_FOUND);
  return pageOf(detail, extras);
}

export async function listUnrouted(query: Query, orgId: string, limit: number): Promise<UnroutedRow[]> {
  return query<UnroutedRow>(
    `SELECT id, number, subject, customer_name AS "customerName", channel, priority, category,
            ${iso('created_at')} AS "createdAt"
       FROM tickets WHERE org_id = $1::uuid AND status = 'unrouted'
      ORDER BY created_at DESC, number DESC LIMIT $2::int`,
    [orgId, limit],
  );
}

async function readRow(query: Query, ticketId: string, orgId: string): Promise<TicketRow> {
  const rows = await query<TicketRow>(
    `SELECT ${ticketColumns('t')} FROM tickets t WHERE t.id = $1::uuid AND t.org_id = $2::uuid`,
    [ticketId, orgId],
  );
  const row = rows[0];
  if (!row) refuse('not_found', TICKET_NOT_FOUND);
  return row;
}

/**
 * A flow started by hand on an unrouted or ended ticket: a new run on the flow's active version (the
 * event's input is a start, so replay begins again there). The ticket is repinned and moved by the
 * same compare-and-set statement.
 */
export async function startFlowOn(
  database: Database,
  cache: VersionCache,
  input: { ticketId: string; orgId: string; flowId: string; mover: Mover; now: Date },
): Promise<number> {
  const query = poolQuery(database);
  const row = await readRow(query, input.ticketId, input.orgId);
  const route = await routeTicket(query, cache, input.orgId, ticketDataOf(row), input.flowId);
  if (!route) refuse('not_found', 'This flow does not exist in your organization.');
  const result = await advanceTicket(
    database,
    { ticketId: row.id },
    input.mover,
    { type: 'start', route: { flowId: route.flowId, version: route.version } },
    { now: input.now, expectedSeq: row.seq, versions: cache },
  );
  if (result.ok) return result.move.row.seq;
  switch (result.reason) {
    case 'not_found':
      return refuse('not_found', TICKET_NOT_FOUND);
    case 'forbidden':
      return refuse('forbidden', 'You may not start a flow on this ticket.');
    case 'conflict':
    case 'replay':
      return refuse('conflict', MOVED);
    case 'refused':
      if (result.error.code === 'ALREADY_STARTED') return refuse('conflict', result.error.message);
      return refuse('precondition', `This flow cannot start: ${result.error.message}`);
    case 'unmappable':
      throw new Error('Only a migration is unmappable');
    case 'unchanged':
      throw new Error('Only an edit or a reassignment can change nothing');
  }
}

/** Take / hand over / release: a move through the one pipeline, with its `ticket.assigned` event. */
export async function assignTicket(
  database: Database,
  caller: Caller & { userId: string },
  input: { ticketId: string; assigneeId: string | null; expectedSeq?: number | undefined },
  now: Date,
): Promise<number> {
  const query = poolQuery(database);
  if (input.assigneeId !== null) {
    const member = await query(
      `SELECT 1 FROM memberships WHERE org_id = $1::uuid AND user_id = $2::uuid AND disabled_at IS NULL`,
      [caller.orgId, input.assigneeId],
    );
    if (member.length === 0) refuse('not_found', 'This person is not an active member of your organization.');
  }
  const result = await advanceTicket(
    database,
    { ticketId: input.ticketId },
    caller,
    { type: 'assign', assigneeId: input.assigneeId },
    { now, expectedSeq: input.expectedSeq },
  );
  if (result.ok) return result.move.row.seq;
  switch (result.reason) {
    case 'not_found':
      return refuse('not_found', TICKET_NOT_FOUND);
    case 'forbidden':
      return refuse(
        'forbidden',
        'An agent can take a ticket of their team or release their own; ask a manager to reassign it.',
      );
    case 'conflict':
    case 'replay':
      return refuse('conflict', MOVED, result.reason === 'conflict' ? { seq: result.seq } : undefined);
    case 'refused':
      return refuse('conflict', result.error.message);
    case 'unmappable':
      throw new Error('Only a migration is unmappable');
    case 'unchanged':
      throw new Error('Only an edit or a reassignment can change nothing');
  }
}

/**
 * The customer's rating (1–5) and comment, once: a move through the one pipeline whose statement also
 * spends the link (it lands only while the link is unused and unexpired), with a `feedback.received`
 * event. A ticket that moves at the same moment is looked at again.
 */
export async function recordFeedback(
  database: Database,
  input: { tokenHash: string; score: number; comment: string | null; now: Date },
): Promise<{ state: 'recorded'; ticketNumber: number } | { state: 'answered' } | { state: 'invalid' }> {
  const query = poolQuery(database);
  for (let attempt = 0; attempt < 3; attempt++) {
    // The link's hash is all the customer has: found by it alone (its plain index; the one read here
    // without an organization), and from then on everything names the link's organization.
    const links = await query<{ org_id: string; ticket_id: string; used: boolean; expired: boolean }>(
      `SELECT org_id, ticket_id, used_at IS NOT NULL AS used, expires_at <= $2::timestamptz AS expired
         FROM feedback_requests WHERE token_hash = $1`,
      [input.tokenHash, input.now.toISOString()],
    );
    const link = links[0];
    if (!link || link.expired) return { state: 'invalid' };
    if (link.used) return { state: 'answered' };
    const result = await advanceTicket(
      database,
      { ticketId: link.ticket_id },
      { orgId: link.org_id, userId: null, role: 'system', name: null },
      { type: 'feedback', score: input.score, comment: input.comment, tokenHash: input.tokenHash },
      { now: input.now },
    );
    if (result.ok) return { state: 'recorded', ticketNumber: result.move.row.number };
    if (result.reason !== 'conflict') return { state: 'invalid' };
  }
  return { state: 'answered' };
}

/**
 * A message in the conversation; a customer's reply also moves a ticket waiting for it. With an
 * idempotency key, a retry gets the first answer and adds nothing (the key is written with the message).
 */
export async function addMessage(
  database: Database,
  cache: VersionCache,
  caller: Caller,
  input: { ticketId: string; body: string; from: 'agent' | 'customer' },
  now: Date,
  key?: IntakeKey,
): Promise<AddMessageResult> {
  const query = poolQuery(database);
  const replay = () =>
    key
      ? replayIntake<AddMessageResult, MessageRef>(query, caller.orgId, key, (ref) =>
          messageAfter(query, caller.orgId, ref),
        )
      : Promise.resolve(null);
  const earlier = await replay();
  if (earlier) return earlier;
  const messageId = randomUUID();
  const ref: MessageRef = { messageId, ticketId: input.ticketId };
  let rows: Array<{ id: string; ticket_id: string; seq: number; status: string }>;
  try {
    rows = await query<{ id: string; ticket_id: string; seq: number; status: string }>(
      `WITH t AS (SELECT id, org_id, seq, status, assignee_id FROM tickets WHERE id = $1::uuid AND org_id = $2::uuid),
       m AS (
         INSERT INTO ticket_messages (id, org_id, ticket_id, author_kind, author_id, author_token_id, body, created_at)
         SELECT $7::uuid, t.org_id, t.id, $3, $4::uuid, $8::uuid, $5, $6::timestamptz FROM t RETURNING id)${
           // The customer's reply is news to the ticket's assignee: written with the message.
           input.from === 'customer'
             ? `,
       n AS (
         INSERT INTO notifications (org_id, user_id, kind, ticket_id, source, created_at)
         SELECT t.org_id, t.assignee_id, 'customer_replied', t.id, 'message:' || m.id::text, $6::timestamptz
           FROM t, m, memberships ms
          WHERE ms.org_id = t.org_id AND ms.user_id = t.assignee_id AND ms.disabled_at IS NULL
         ON CONFLICT DO NOTHING)`
             : ''
         }${
           key
             ? `,
       idem AS (
         INSERT INTO idempotency_keys (org_id, key, request_hash, response, created_at)
         SELECT $2::uuid, $9, $10, to_jsonb($11::text), $6::timestamptz FROM m)`
             : ''
         }
       SELECT m.id, t.id AS ticket_id, t.seq, t.status FROM m, t`,
      [
        input.ticketId,
        caller.orgId,
        input.from,
        input.from === 'agent' ? caller.userId : null,
        input.body,
        now.toISOString(),
        messageId,
        // An agent message from an API token (`tickets:reply`) is signed by the token's bot.
        input.from === 'agent' ? (caller.token?.id ?? null) : null,
        ...(key ? [key.key, key.hash, pendingIntake(ref)] : []),
      ],
    );
  } catch (error) {
    // A concurrent retry wrote the message first (this statement wrote nothing): answer as it does.
    if (sqlState(error) === '23505' && constraintOf(error) === KEY_CONSTRAINT) {
      const first = await replay();
      if (first) return first;
    }
    throw error;
  }
  const row = rows[0];
  if (!row) refuse('not_found', TICKET_NOT_FOUND);
  noteChange(database, { orgId: caller.orgId, ticketId: row.ticket_id, seq: row.seq, message: true });
  const result = await moveOnReply(database, cache, caller, input, row, now);
  if (key) await settleIntake(query, caller.orgId, key, ref, result);
  return result;
}

/** What a message's key refers to while its answer is being made. */
type MessageRef = { messageId: string; ticketId: string };

/** The answer for a message whose request stopped before answering: the ticket's sequence now. */
async function messageAfter(query: Query, orgId: string, ref: MessageRef): Promise<AddMessageResult> {
  const rows = await query<{ seq: number }>(
    'SELECT seq FROM tickets WHERE org_id = $1::uuid AND id = $2::uuid',
    [orgId, ref.ticketId],
  );
  return { messageId: ref.messageId, ticketId: ref.ticketId, seq: rows[0]?.seq ?? 0, movedOn: false };
}

/** A customer's reply moves a ticket waiting for one (`customer_replied`); anything else leaves it. */
async function moveOnReply(
  database: Database,
  cache: VersionCache,
  caller: Caller,
  input: { from: 'agent' | 'customer' },
  row: { id: string; ticket_id: string; seq: number; status: string },
  now: Date,
): Promise<AddMessageResult> {
  const query = poolQuery(database);
  if (input.from !== 'customer' || row.status !== 'waiting')
    return { messageId: row.id, ticketId: row.ticket_id, seq: row.seq, movedOn: false };
  // A reply wait moves on (a duration wait refuses: NOT_WAITING). Lost to a concurrent move: look again.
  for (let attempt = 0; attempt < 3; attempt++) {
    const result = await applyEngineEvent(database, cache, {
      ticketId: row.ticket_id,
      orgId: caller.orgId,
      event: { type: 'customer_replied' },
      actorId: caller.userId,
      now,
    });
    if (result.ok) {
      return { messageId: row.id, ticketId: row.ticket_id, seq: result.seq, movedOn: true };
    }
    if (result.reason !== 'conflict') break;
  }
  const after = await query<{ seq: number }>(
    'SELECT seq FROM tickets WHERE org_id = $1::uuid AND id = $2::uuid',
    [caller.orgId, row.ticket_id],
  );
  return { messageId: row.id, ticketId: row.ticket_id, seq: after[0]?.seq ?? row.seq, movedOn: false };
}

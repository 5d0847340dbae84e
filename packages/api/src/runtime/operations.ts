import type { Database } from '@stepwise/db';
import { initialState, transition } from '@stepwise/flow';
import type { Caller } from '../trpc.ts';
import { fail } from '../trpc.ts';
import { applyEngineEvent } from './applyEvent.ts';
import { routeTicket } from './createTicket.ts';
import { prepareMove } from './prepareMove.ts';
import { inTransaction, iso, poolQuery, type Query } from './sql.ts';
import { type TicketRow, ticketColumns, ticketDataOf } from './ticketState.ts';
import { ticketCache } from './ticketCache.ts';
import { getTicketDetail, type TicketDetail, type TicketMessageView } from './ticketView.ts';
import type { VersionCache } from './versionCache.ts';
import { versionCache } from './versionCache.ts';
import { writeMove } from './writeMove.ts';

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
          FROM tickets p LEFT JOIN flows pf ON pf.id = p.flow_id
         WHERE p.id = t.parent_ticket_id AND p.org_id = t.org_id) AS parent,
       (SELECT json_agg(json_build_object('id', c.id, 'number', c.number, 'status', c.status, 'flowName', cf.name)
                 ORDER BY c.created_at, c.number)
          FROM tickets c LEFT JOIN flows cf ON cf.id = c.flow_id
         WHERE c.parent_ticket_id = t.id AND c.org_id = t.org_id) AS children,
       EXISTS (SELECT 1 FROM feedback_requests fr WHERE fr.ticket_id = t.id AND fr.used_at IS NULL
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
  if (!detail || !extras) fail('NOT_FOUND', TICKET_NOT_FOUND);
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
  if (!row) fail('NOT_FOUND', TICKET_NOT_FOUND);
  return row;
}

/**
 * A flow started by hand on an unrouted or ended ticket: a new run on the flow's active version (the
 * event's input is a start, so replay begins again there). The ticket is repinned and moved by the
 * same compare-and-set, in one transaction.
 */
export async function startFlowOn(
  database: Database,
  cache: VersionCache,
  input: { ticketId: string; orgId: string; flowId: string; actorId: string | null; now: Date },
): Promise<number> {
  const query = poolQuery(database);
  const row = await readRow(query, input.ticketId, input.orgId);
  if (row.status !== 'unrouted' && row.status !== 'ended') {
    fail(
      'CONFLICT',
      'This ticket is already in a flow: a flow can be started by hand only on an unrouted or ended ticket.',
    );
  }
  const ticket = ticketDataOf(row);
  const route = await routeTicket(query, cache, input.orgId, ticket, input.flowId);
  if (!route) fail('NOT_FOUND', 'This flow does not exist in your organization.');
  const result = transition(
    route.version.document,
    // A new run, but the breach mark is the ticket's for life.
    { ...initialState(ticket), everBreached: row.sla_breached_at !== null },
    { type: 'start' },
    { now: input.now.getTime() },
  );
  if (!result.ok) fail('PRECONDITION_FAILED', `This flow cannot start: ${result.error.message}`);
  const move = await prepareMove(query, {
    row: { ...row, sla_due_at: null, closed_at: null, status: 'new', node_id: null },
    state: result.state,
    effects: result.effects,
    trail: result.events,
    engineInput: { type: 'start' },
    eventType: 'flow.started',
    actorId: input.actorId,
    now: input.now,
  });
  const data = {
    ...move.data,
    input: { type: 'start', ticket },
    flowId: route.flowId,
    versionId: route.version.id,
  };
  const write = {
    ...move.write,
    event: { ...move.write.event, fromNode: row.node_id, data: JSON.stringify(data) },
  };
  const landed = await inTransaction(database, async (tx) => {
    const repinned = await tx(
      `UPDATE tickets SET flow_id = $3::uuid, version_id = $4::uuid WHERE id = $1::uuid AND org_id = $2::uuid AND seq = $5::int
       RETURNING id`,
      [row.id, row.org_id, route.flowId, route.version.id, row.seq],
    );
    if (repinned.length === 0) return null;
    return writeMove(tx, write);
  });
  if (!landed) fail('CONFLICT', MOVED);
  ticketCache.delete(row.id);
  return landed.seq;
}

const OPEN_RUN = new Set(['at_step', 'waiting', 'in_subflow', 'parked']);

/** Take / hand over / release: one compare-and-set statement with its `ticket.assigned` event. */
export async function assignTicket(
  database: Database,
  caller: Caller & { userId: string },
  input: { ticketId: string; assigneeId: string | null; expectedSeq?: number | undefined },
  now: Date,
): Promise<number> {
  const query = poolQuery(database);
  const rows = await query<TicketRow & { on_team: boolean; assignee_ok: boolean }>(
    `SELECT ${ticketColumns('t')},
       EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = t.team_id AND m.user_id = $3::uuid) AS on_team,
       ($4::uuid IS NULL OR EXISTS (SELECT 1 FROM memberships ms WHERE ms.org_id = t.org_id AND ms.user_id = $4::uuid
          AND ms.disabled_at IS NULL)) AS assignee_ok
     FROM tickets t WHERE t.id = $1::uuid AND t.org_id = $2::uuid`,
    [input.ticketId, caller.orgId, caller.userId, input.assigneeId],
  );
  const row = rows[0];
  if (!row) fail('NOT_FOUND', TICKET_NOT_FOUND);
  if (!row.assignee_ok) fail('NOT_FOUND', 'This person is not an active member of your organization.');
  if (!OPEN_RUN.has(row.status)) fail('CONFLICT', 'Only an open ticket in a flow can be assigned.');
  if (input.expectedSeq !== undefined && input.expectedSeq !== row.seq)
    fail('CONFLICT', MOVED, { seq: row.seq });
  if (caller.role === 'agent') {
    const takes = input.assigneeId === caller.userId && (row.on_team || row.assignee_id === caller.userId);
    const releases = input.assigneeId === null && row.assignee_id === caller.userId;
    if (!takes && !releases) {
      fail(
        'FORBIDDEN',
        'An agent can take a ticket of their team or release their own; ask a manager to reassign it.',
      );
    }
  }
  const data = JSON.stringify({ input: { type: 'assign', assigneeId: input.assigneeId }, trail: [] });
  const moved = await query<{ seq: number }>(
    `WITH moved AS (
       UPDATE tickets SET seq = seq + 1, assignee_id = $4::uuid, updated_at = $5::timestamptz
        WHERE id = $1::uuid AND org_id = $2::uuid AND seq = $3::int RETURNING id, seq, node_id),
     ev AS (
       INSERT INTO ticket_events (org_id, ticket_id, seq, type, actor_id, from_node, to_node, data, created_at)
       SELECT $2::uuid, moved.id, moved.seq, 'ticket.assigned', $6::uuid, moved.node_id, moved.node_id, $7::jsonb, $5::timestamptz
         FROM moved)
     SELECT seq FROM moved`,
    [row.id, row.org_id, row.seq, input.assigneeId, now.toISOString(), caller.userId, data],
  );
  const seq = moved[0]?.seq;
  if (seq === undefined) fail('CONFLICT', MOVED);
  ticketCache.delete(row.id);
  return seq;
}

/** A message in the conversation; a customer's reply also moves a ticket waiting for it. */
export async function addMessage(
  database: Database,
  cache: VersionCache,
  caller: Caller,
  input: { ticketId: string; body: string; from: 'agent' | 'customer' },
  now: Date,
): Promise<AddMessageResult> {
  const query = poolQuery(database);
  const rows = await query<{ id: string; ticket_id: string; seq: number; status: string }>(
    `WITH t AS (SELECT id, org_id, seq, status FROM tickets WHERE id = $1::uuid AND org_id = $2::uuid),
     m AS (
       INSERT INTO ticket_messages (org_id, ticket_id, author_kind, author_id, body, created_at)
       SELECT t.org_id, t.id, $3, $4::uuid, $5, $6::timestamptz FROM t RETURNING id)
     SELECT m.id, t.id AS ticket_id, t.seq, t.status FROM m, t`,
    [
      input.ticketId,
      caller.orgId,
      input.from,
      input.from === 'agent' ? caller.userId : null,
      input.body,
      now.toISOString(),
    ],
  );
  const row = rows[0];
  if (!row) fail('NOT_FOUND', TICKET_NOT_FOUND);
  if (input.from !== 'customer' || row.status !== 'waiting')
    return { messageId: row.id, seq: row.seq, movedOn: false };
  // A reply wait moves on (a duration wait refuses: NOT_WAITING). Lost to a concurrent move: look again.
  for (let attempt = 0; attempt < 3; attempt++) {
    const result = await applyEngineEvent(query, cache, {
      ticketId: row.ticket_id,
      orgId: caller.orgId,
      event: { type: 'customer_replied' },
      eventType: 'customer.replied',
      actorId: caller.userId,
      now,
    });
    if (result.ok) {
      ticketCache.delete(row.ticket_id);
      return { messageId: row.id, seq: result.seq, movedOn: true };
    }
    if (result.reason !== 'conflict') break;
  }
  const after = await query<{ seq: number }>('SELECT seq FROM tickets WHERE id = $1::uuid', [row.ticket_id]);
  return { messageId: row.id, seq: after[0]?.seq ?? row.seq, movedOn: false };
}

import type { StoredEvent, Visit } from '@stepwise/flow';
import type { OutboxEffect } from './planEffects.ts';
import type { Query } from './sql.ts';
import type { StateColumns } from './ticketState.ts';

/** One move of a ticket, written by one statement. */
export type MoveWrite = {
  ticketId: string;
  orgId: string;
  /** The compare-and-set: the move lands only if the ticket is still at this sequence number. */
  expectedSeq: number;
  columns: StateColumns;
  slaDueAt: string | null;
  closedAt: string | null;
  /** ISO time of the move: the event, timers, messages and key all carry it. */
  now: string;
  event: {
    type: string;
    actorId: string | null;
    /** The API token whose bot made the move (null for a person or the runtime). */
    actorTokenId: string | null;
    fromNode: string | null;
    toNode: string | null;
    data: string;
  };
  /** Timers of the node entered (their `seq` is the ticket's new sequence number). */
  timers: Array<{ kind: string; nodeId: string; dueAt: string }>;
  /** Messages to the customer from `send_message` effects. */
  messages: Array<{ id: string; body: string }>;
  /** An agent's reply to the customer made with the move ("reply and mark <outcome>"). */
  reply?: { id: string; body: string; authorId: string | null; authorTokenId: string | null };
  /** Void the ticket's pending timers (it left the node they were for). */
  cancelTimers: boolean;
  /**
   * The ticket stays where it is (an assignment, a breach handled in place): its pending timers move to
   * the move's sequence number, which a timer must find the ticket at to fire.
   */
  carryTimers: boolean;
  /** The timer this move fires (marked fired in the same statement). */
  firedTimerId: string | null;
  /** The move's after-commit effects: one outbox row (`runtime_jobs`) holds them, written with the move. */
  effects: OutboxEffect[];
  /**
   * The move ends the ticket's run: if the ticket is a subflow's child, the outbox row also resumes its
   * parent (`resume_parent`, from the row's parent_ticket_id and parent_seq).
   */
  endsRun: boolean;
  /** Round-robin bookkeeping: the member just assigned goes to the back of the line. */
  touchMember: { teamId: string; userId: string } | null;
  /** The idempotency key and the response it will replay. */
  key: { key: string; hash: string; response: string } | null;
  /**
   * Conditions a move made without reading the ticket first must also meet (else no row, and the
   * caller falls back to reading): the agent is on the ticket's team or its assignee. A used key needs
   * no guard: its unique index refuses the key row, so the statement writes nothing and fails with
   * 23505, and the caller reads and classifies.
   */
  guards?: { agentId: string | null; assigneeId?: string | null };
  /** A new run or a migration: the flow and version the ticket is pinned to from this move on. */
  repin?: { flowId: string; versionId: string };
  /** The customer's rating (a feedback move). */
  csat?: { score: number; comment: string | null };
  /**
   * The feedback link this move spends: the move lands only while the link is unused and unexpired,
   * and spends it in the same statement (a second answer finds it used).
   */
  feedbackTokenHash?: string;
  /** Return the names the view shows: the ticket's team and assignee after the move. */
  names?: boolean;
  /** Analytics: the visits the move ends (rows of `ticket_visits`, keyed by the move's seq). */
  visits: Visit[];
  /** When the visit left open began (null: none is open). */
  nodeEnteredAt: string | null;
  /** The move is the ticket's first response (a person completed a step, and none had before). */
  firstResponse: boolean;
};

export type MoveResult = {
  seq: number;
  team_name: string | null;
  assignee_name: string | null;
};

/**
 * Builds the one statement of a move: a compare-and-set UPDATE of the ticket's sequence number, and,
 * hanging off its RETURNING, the event, the timers, the messages, the outbox row of its after-commit
 * effects and the idempotency key. Only the parts a move needs are included; the text of each
 * combination is always the same, so the driver prepares each shape once. Returns the new sequence number, or no row when the compare-and-set lost.
 */
export function buildMoveStatement(move: MoveWrite): { text: string; params: unknown[] } {
  const params: unknown[] = [];
  const p = (value: unknown, cast = ''): string => {
    params.push(value);
    return `$${params.length}${cast}`;
  };
  const c = move.columns;
  const id = p(move.ticketId, '::uuid');
  const org = p(move.orgId, '::uuid');
  const now = p(move.now, '::timestamptz');
  const parts: string[] = [];
  parts.push(`moved AS (
  UPDATE tickets SET seq = seq + 1, status = ${p(c.status)}, node_id = ${p(c.nodeId, '::text')},
    team_id = ${p(c.teamId, '::uuid')}, assignee_id = ${p(c.assigneeId, '::uuid')}, breached = ${p(c.breached, '::boolean')},
    end_status = ${p(c.endStatus, '::text')}, channel = ${p(c.channel)}, priority = ${p(c.priority)},
    category = ${p(c.category)}, subject = ${p(c.subject)}, customer_name = ${p(c.customerName)},
    customer_email = ${p(c.customerEmail)}, customer_tier = ${p(c.customerTier)}, tags = ${p(c.tags, '::jsonb')},
    fields = ${p(c.fields, '::jsonb')}, sla_due_at = ${p(move.slaDueAt, '::timestamptz')}, updated_at = ${now},
    sla_breached_at = CASE WHEN ${p(c.everBreached, '::boolean')} THEN coalesce(tickets.sla_breached_at, ${now}) END,
    closed_at = ${p(move.closedAt, '::timestamptz')}, node_entered_at = ${p(move.nodeEnteredAt, '::timestamptz')}${optionalSets(move, p)}
  WHERE id = ${id} AND org_id = ${org} AND seq = ${p(move.expectedSeq, '::int')}${guardsOf(move, p)}
  RETURNING id, seq${move.endsRun ? ', parent_ticket_id, parent_seq' : ''})`);
  const e = move.event;
  parts.push(`ev AS (
  INSERT INTO ticket_events (org_id, ticket_id, seq, type, actor_id, actor_token_id, from_node, to_node, data, created_at)
  SELECT ${org}, moved.id, moved.seq, ${p(e.type)}, ${p(e.actorId, '::uuid')}, ${p(e.actorTokenId, '::uuid')},
    ${p(e.fromNode, '::text')}, ${p(e.toNode, '::text')}, ${p(e.data, '::jsonb')}, ${now} FROM moved)`);
  if (move.feedbackTokenHash !== undefined) {
    parts.push(`spent AS (
  UPDATE feedback_requests SET used_at = ${now}
  WHERE org_id = ${org} AND token_hash = ${p(move.feedbackTokenHash)} AND ticket_id IN (SELECT id FROM moved))`);
  }
  const fired = move.firedTimerId === null ? null : p(move.firedTimerId, '::bigint');
  if (move.cancelTimers) {
    parts.push(`cancelled AS (
  UPDATE timers SET cancelled_at = ${now}
  WHERE org_id = ${org} AND ticket_id IN (SELECT id FROM moved) AND fired_at IS NULL AND cancelled_at IS NULL${fired ? ` AND id <> ${fired}` : ''})`);
  }
  if (fired) {
    parts.push(
      `fired AS (UPDATE timers SET fired_at = ${now} WHERE org_id = ${org} AND id = ${fired} AND EXISTS (SELECT 1 FROM moved))`,
    );
  }
  if (move.carryTimers && !move.cancelTimers) {
    parts.push(`carried AS (
  UPDATE timers SET seq = moved.seq FROM moved
  WHERE timers.org_id = ${org} AND timers.ticket_id = moved.id AND timers.fired_at IS NULL AND timers.cancelled_at IS NULL${fired ? ` AND timers.id <> ${fired}` : ''})`);
  }
  if (move.timers.length > 0) {
    parts.push(`new_timers AS (
  INSERT INTO timers (org_id, ticket_id, seq, kind, node_id, due_at)
  SELECT ${org}, moved.id, moved.seq, r.kind, r.node_id, r.due_at
  FROM moved, jsonb_to_recordset(${p(JSON.stringify(move.timers.map((t) => ({ kind: t.kind, node_id: t.nodeId, due_at: t.dueAt }))), '::jsonb')})
    AS r(kind text, node_id text, due_at timestamptz))`);
  }
  if (move.messages.length > 0) {
    parts.push(`msgs AS (
  INSERT INTO ticket_messages (id, org_id, ticket_id, author_kind, author_id, body, created_at)
  SELECT r.id, ${org}, moved.id, 'system', NULL, r.body, ${now}
  FROM moved, jsonb_to_recordset(${p(JSON.stringify(move.messages), '::jsonb')}) AS r(id uuid, body text))`);
  }
  if (move.reply) {
    // A millisecond before the move's time: the reply reads before the messages its outcome sends.
    parts.push(`reply AS (
  INSERT INTO ticket_messages (id, org_id, ticket_id, author_kind, author_id, author_token_id, body, created_at)
  SELECT ${p(move.reply.id, '::uuid')}, ${org}, moved.id, 'agent', ${p(move.reply.authorId, '::uuid')},
    ${p(move.reply.authorTokenId, '::uuid')}, ${p(move.reply.body)}, ${now} - interval '1 millisecond' FROM moved)`);
  }
  if (move.touchMember) {
    parts.push(`touched AS (
  UPDATE team_members SET last_assigned_at = ${now}
  WHERE team_id = ${p(move.touchMember.teamId, '::uuid')} AND user_id = ${p(move.touchMember.userId, '::uuid')}
    AND org_id = ${org} AND EXISTS (SELECT 1 FROM moved))`);
  }
  if (move.visits.length > 0) parts.push(visitsPart('moved', 'moved.seq', move.visits, org, p));
  const outbox = outboxOf(move, org, now, p);
  if (outbox) parts.push(outbox);
  if (move.key) {
    parts.push(`idem AS (
  INSERT INTO idempotency_keys (org_id, key, request_hash, response, created_at)
  SELECT ${org}, ${p(move.key.key)}, ${p(move.key.hash)}, to_jsonb(${p(move.key.response, '::text')}), ${now} FROM moved)`);
  }
  const select = ['moved.seq'];
  if (move.names) {
    select.push(
      `(SELECT name FROM teams WHERE org_id = ${org} AND id = ${p(c.teamId, '::uuid')}) AS team_name`,
      `(SELECT name FROM users WHERE id = ${p(c.assigneeId, '::uuid')}) AS assignee_name`,
    );
  }
  return { text: `WITH ${parts.join(',\n')}\nSELECT ${select.join(', ')} FROM moved`, params };
}

/**
 * The outbox row of a move: its after-commit effects, plus resuming the parent when the move ends a
 * child's run. No row when there is nothing to do after the commit.
 */
function outboxOf(
  move: MoveWrite,
  org: string,
  now: string,
  p: (value: unknown, cast?: string) => string,
): string | null {
  if (move.effects.length === 0 && !move.endsRun) return null;
  const effects = p(JSON.stringify(move.effects), '::jsonb');
  if (!move.endsRun) {
    return `outbox AS (
  INSERT INTO runtime_jobs (org_id, ticket_id, seq, effects, next_attempt_at, created_at)
  SELECT ${org}, moved.id, moved.seq, ${effects}, ${now}, ${now} FROM moved)`;
  }
  return `outbox AS (
  INSERT INTO runtime_jobs (org_id, ticket_id, seq, effects, next_attempt_at, created_at)
  SELECT ${org}, r.id, r.seq, r.effects, ${now}, ${now}
  FROM (SELECT moved.id, moved.seq, ${effects} || CASE WHEN moved.parent_ticket_id IS NULL THEN '[]'::jsonb
          ELSE jsonb_build_array(jsonb_build_object('type', 'resume_parent', 'ticketId', moved.parent_ticket_id,
            'seq', moved.parent_seq)) END AS effects FROM moved) r
  WHERE r.effects <> '[]'::jsonb)`;
}

/** A visit as a `ticket_visits` record (the JSON a statement reads with `jsonb_to_recordset`). */
export function visitRecordOf(v: Visit): Record<string, unknown> {
  return {
    seq: v.seq,
    ordinal: v.ordinal,
    version_id: v.versionId,
    node_id: v.nodeId,
    entered_at: v.enteredAt,
    left_at: v.leftAt,
    exit: v.exit,
    handle: v.handle,
    next_node_id: v.nextNodeId,
    agent_id: v.agentId,
    breached: v.breached,
  };
}

/** The columns of a visit record, for `jsonb_to_recordset(…) AS r(${VISIT_RECORD})`. */
export const VISIT_RECORD = `seq int, ordinal int, version_id uuid, node_id text, entered_at timestamptz,
    left_at timestamptz, exit text, handle text, next_node_id text, agent_id uuid, breached boolean`;

/**
 * Up to this many visits a move ends are sent as plain parameters (one `VALUES` row each): nearly every
 * move ends one or two, and parsing them from one JSON document costs the database more than binding
 * them. Longer chains (a run through many automatic nodes) go as one `jsonb_to_recordset` document.
 */
const SCALAR_VISITS = 3;

/** The visits a move (or a creation) ends, inserted off the row the statement wrote. */
function visitsPart(
  from: string,
  seq: string,
  visits: readonly Visit[],
  org: string,
  p: (value: unknown, cast?: string) => string,
): string {
  const source =
    visits.length <= SCALAR_VISITS
      ? `(VALUES ${visits
          .map(
            (v) =>
              `(${p(v.ordinal, '::int')}, ${p(v.versionId, '::uuid')}, ${p(v.nodeId, '::text')}, ${p(v.enteredAt, '::timestamptz')}, ${p(v.leftAt, '::timestamptz')}, ${p(v.exit, '::text')}, ${p(v.handle, '::text')}, ${p(v.nextNodeId, '::text')}, ${p(v.agentId, '::uuid')}, ${p(v.breached, '::boolean')})`,
          )
          .join(
            ', ',
          )}) AS r(ordinal, version_id, node_id, entered_at, left_at, exit, handle, next_node_id, agent_id, breached)`
      : `jsonb_to_recordset(${p(JSON.stringify(visits.map(visitRecordOf)), '::jsonb')}) AS r(${VISIT_RECORD})`;
  return `visits AS (
  INSERT INTO ticket_visits (ticket_id, seq, ordinal, org_id, version_id, node_id, entered_at, left_at, exit, handle,
    next_node_id, agent_id, breached)
  SELECT ${from}.id, ${seq}, r.ordinal, ${org}, r.version_id, r.node_id, r.entered_at, r.left_at, r.exit, r.handle,
    r.next_node_id, r.agent_id, r.breached
  FROM ${from}, ${source})`;
}

function optionalSets(move: MoveWrite, p: (value: unknown, cast?: string) => string): string {
  let sql = '';
  if (move.firstResponse)
    sql += `, first_response_at = coalesce(tickets.first_response_at, ${p(move.now, '::timestamptz')})`;
  if (move.repin) {
    sql += `, flow_id = ${p(move.repin.flowId, '::uuid')}, version_id = ${p(move.repin.versionId, '::uuid')}`;
  }
  if (move.csat) {
    sql += `, csat_score = ${p(move.csat.score, '::int')}, csat_comment = ${p(move.csat.comment, '::text')}`;
  }
  return sql;
}

function guardsOf(move: MoveWrite, p: (value: unknown, cast?: string) => string): string {
  let sql = '';
  if (move.feedbackTokenHash !== undefined) {
    sql += `\n    AND EXISTS (SELECT 1 FROM feedback_requests fr WHERE fr.org_id = tickets.org_id
      AND fr.token_hash = ${p(move.feedbackTokenHash)} AND fr.ticket_id = tickets.id AND fr.used_at IS NULL AND fr.expires_at > ${p(move.now, '::timestamptz')})`;
  }
  const guards = move.guards;
  if (!guards) return sql;
  if (guards.agentId !== null) {
    const agent = p(guards.agentId, '::uuid');
    sql += `\n    AND (tickets.assignee_id = ${agent} OR EXISTS (
      SELECT 1 FROM team_members m WHERE m.org_id = tickets.org_id AND m.team_id = tickets.team_id
        AND m.user_id = ${agent}))`;
  }
  if (guards.assigneeId) sql += `\n    AND tickets.assignee_id = ${p(guards.assigneeId, '::uuid')}`;
  return sql;
}

/** Runs a move; returns the new sequence number (and what was asked for), or null when it did not land. */
export async function writeMove(query: Query, move: MoveWrite): Promise<MoveResult | null> {
  const { text, params } = buildMoveStatement(move);
  const rows = await query<MoveResult>(text, params);
  const row = rows[0];
  return row
    ? { seq: row.seq, team_name: row.team_name ?? null, assignee_name: row.assignee_name ?? null }
    : null;
}

/** A new ticket, written by one statement (sequence 1): its number, row, event, timers, messages, outbox. */
export type CreationWrite = {
  orgId: string;
  ticketId: string;
  /** ISO time of the creation: the ticket, event, timers and messages all carry it. */
  now: string;
  actorId: string | null;
  /** The flow and version it starts on; null when no flow takes it (it waits unrouted). */
  route: { flowId: string; versionId: string } | null;
  status: string;
  columns: StateColumns;
  description: string;
  slaDueAt: string | null;
  closedAt: string | null;
  /** The subflow entry that started this ticket, if it is a child. */
  parent: { ticketId: string; seq: number } | null;
  /** The `ticket.created` event's data. */
  data: StoredEvent;
  timers: Array<{ kind: string; node_id: string; due_at: string }>;
  messages: Array<{ id: string; body: string }>;
  effects: OutboxEffect[];
  touch: { teamId: string; userId: string } | null;
  /** Analytics: the visits the creation ends (nodes passed through) and when the open one began. */
  visits: Visit[];
  nodeEnteredAt: string | null;
  /** The id another system knows the ticket by, unique per organization and source (null: none). */
  external?: { source: string; id: string } | null;
  /** The intake's idempotency key, stored with the ticket; its response is filled in once it is read back. */
  key?: { key: string; hash: string; response: string } | null;
};

/**
 * Builds the creation statement: the organization's ticket counter, the ticket at sequence 1 and,
 * hanging off it, its `ticket.created` event, timers, messages, the outbox row of its after-commit
 * effects and the round-robin bookkeeping.
 */
export function buildCreationStatement(c: CreationWrite): { text: string; params: unknown[] } {
  const params: unknown[] = [];
  const p = (value: unknown, cast = ''): string => {
    params.push(value);
    return `$${params.length}${cast}`;
  };
  const org = p(c.orgId, '::uuid');
  const now = p(c.now, '::timestamptz');
  const parts = [
    `counter AS (UPDATE organizations SET ticket_counter = ticket_counter + 1 WHERE id = ${org} RETURNING ticket_counter)`,
    `t AS (
  INSERT INTO tickets (id, org_id, number, flow_id, version_id, node_id, seq, status, end_status, channel, priority,
    category, subject, description, customer_name, customer_email, customer_tier, tags, fields, team_id, assignee_id,
    breached, sla_due_at, created_at, updated_at, closed_at, parent_ticket_id, parent_seq, node_entered_at,
    external_source, external_id)
  SELECT ${p(c.ticketId, '::uuid')}, ${org}, counter.ticket_counter, ${p(c.route?.flowId ?? null, '::uuid')},
    ${p(c.route?.versionId ?? null, '::uuid')}, ${p(c.columns.nodeId, '::text')}, 1, ${p(c.status)}, ${p(c.columns.endStatus, '::text')},
    ${p(c.columns.channel)}, ${p(c.columns.priority)}, ${p(c.columns.category)}, ${p(c.columns.subject)}, ${p(c.description)},
    ${p(c.columns.customerName)}, ${p(c.columns.customerEmail)}, ${p(c.columns.customerTier)}, ${p(c.columns.tags, '::jsonb')},
    ${p(c.columns.fields, '::jsonb')}, ${p(c.columns.teamId, '::uuid')}, ${p(c.columns.assigneeId, '::uuid')},
    ${p(c.columns.breached, '::boolean')}, ${p(c.slaDueAt, '::timestamptz')}, ${now}, ${now}, ${p(c.closedAt, '::timestamptz')},
    ${p(c.parent?.ticketId ?? null, '::uuid')}, ${p(c.parent?.seq ?? null, '::int')}, ${p(c.nodeEnteredAt, '::timestamptz')},
    ${p(c.external?.source ?? null, '::text')}, ${p(c.external?.id ?? null, '::text')}
  FROM counter RETURNING id, number)`,
    `ev AS (
  INSERT INTO ticket_events (org_id, ticket_id, seq, type, actor_id, from_node, to_node, data, created_at)
  SELECT ${org}, t.id, 1, 'ticket.created', ${p(c.actorId, '::uuid')}, NULL, ${p(c.columns.nodeId, '::text')},
    ${p(JSON.stringify(c.data), '::jsonb')}, ${now} FROM t)`,
  ];
  if (c.timers.length > 0) {
    parts.push(`tm AS (
  INSERT INTO timers (org_id, ticket_id, seq, kind, node_id, due_at)
  SELECT ${org}, t.id, 1, r.kind, r.node_id, r.due_at
  FROM t, jsonb_to_recordset(${p(JSON.stringify(c.timers), '::jsonb')}) AS r(kind text, node_id text, due_at timestamptz))`);
  }
  if (c.messages.length > 0) {
    parts.push(`msgs AS (
  INSERT INTO ticket_messages (id, org_id, ticket_id, author_kind, author_id, body, created_at)
  SELECT r.id, ${org}, t.id, 'system', NULL, r.body, ${now}
  FROM t, jsonb_to_recordset(${p(JSON.stringify(c.messages), '::jsonb')}) AS r(id uuid, body text))`);
  }
  if (c.visits.length > 0) parts.push(visitsPart('t', '1', c.visits, org, p));
  if (c.effects.length > 0) {
    parts.push(`outbox AS (
  INSERT INTO runtime_jobs (org_id, ticket_id, seq, effects, next_attempt_at, created_at)
  SELECT ${org}, t.id, 1, ${p(JSON.stringify(c.effects), '::jsonb')}, ${now}, ${now} FROM t)`);
  }
  if (c.touch) {
    parts.push(`touched AS (
  UPDATE team_members SET last_assigned_at = ${now}
  WHERE team_id = ${p(c.touch.teamId, '::uuid')} AND user_id = ${p(c.touch.userId, '::uuid')} AND org_id = ${org}
    AND EXISTS (SELECT 1 FROM t))`);
  }
  if (c.key) {
    parts.push(`idem AS (
  INSERT INTO idempotency_keys (org_id, key, request_hash, response, created_at)
  SELECT ${org}, ${p(c.key.key)}, ${p(c.key.hash)}, to_jsonb(${p(c.key.response, '::text')}), ${now} FROM t)`);
  }
  return { text: `WITH ${parts.join(',\n')}\nSELECT id FROM t`, params };
}

/** Writes a new ticket; false when the organization does not exist (the counter matched no row). */
export async function writeCreation(query: Query, creation: CreationWrite): Promise<boolean> {
  const { text, params } = buildCreationStatement(creation);
  const rows = await query<{ id: string }>(text, params);
  return rows.length > 0;
}

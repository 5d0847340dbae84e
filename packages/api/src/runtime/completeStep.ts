import { createHash } from 'node:crypto';
import type { Database } from '@stepwise/db';
import { type EngineError, type EngineEvent, transition } from '@stepwise/flow';
import { canonicalJson } from '../services/canonicalJson.ts';
import { type Caller, fail } from '../trpc.ts';
import { jsonbOrder } from './jsonbOrder.ts';
import { type PreparedMove, prepareMove } from './prepareMove.ts';
import { inTransaction, isUuid, poolQuery, type Query, sqlState } from './sql.ts';
import { type CachedTicket, type TicketCache, ticketCache } from './ticketCache.ts';
import { rowOf, runStateOf, type TicketRow } from './ticketState.ts';
import {
  buildTicketDetail,
  detailFromRead,
  HOT_READ_SQL,
  type HotReadRow,
  readHistory,
  readTicket,
  type TicketDetail,
  type TicketEventView,
  type TicketMessageView,
  type TicketView,
  ticketViewOf,
  whereIs,
} from './ticketView.ts';
import { type CachedVersion, type VersionCache, versionCache } from './versionCache.ts';
import { type MoveResult, writeMove } from './writeMove.ts';

export type CompleteStepInput = {
  ticketId: string;
  /** The ticket's sequence number the agent saw: the move lands only if it is still the current one. */
  expectedSeq: number;
  nodeId: string;
  outcomeId: string;
  form: Record<string, unknown>;
  checklist: string[];
  /** 8–128 characters; a retry with the same key returns the first response and writes nothing. */
  idempotencyKey: string;
};

export type CompleteStepOptions = {
  cache?: VersionCache;
  /** The per-process ticket cache (default: the shared one; a capacity-0 cache turns it off). */
  tickets?: TicketCache;
  /**
   * Tests only (reliability test 5): run the move inside BEGIN … COMMIT and await this before COMMIT,
   * so two completions can be made to race deterministically.
   */
  pauseBeforeCommit?: () => Promise<void>;
};

export const KEY_REUSED_MESSAGE = 'This idempotency key was already used for a different request.';
const NOT_FOUND_MESSAGE = 'This ticket does not exist in your organization.';
const FORBIDDEN_MESSAGE =
  'This step belongs to a team you are not on, and the ticket is not assigned to you: ask its team or a manager.';

/** SHA-256 of the canonical request: what an idempotency key is bound to (the caller is part of it). */
export function requestHash(callerId: string | null, input: CompleteStepInput): string {
  const { idempotencyKey: _key, ...request } = input;
  return createHash('sha256')
    .update(canonicalJson({ op: 'tickets.complete', callerId, ...request }))
    .digest('hex');
}

/**
 * What an idempotency key stores: the ticket as the first response showed it (names aside) and
 * references to the immutable rest — the version (from the cache), events 1..seq, messages up to the
 * move's time. About 1 KB, where the whole view with its history is tens: the key row is written on
 * every step. A replay rebuilds the first response from it, byte for byte (only a team, person or flow
 * renamed in between would show its new name).
 */
type StoredResponse = {
  ticket: TicketView;
  flowId: string | null;
  version: { id: string; number: number } | null;
  messagesUpTo: string;
};

type Run = {
  database: Database;
  query: Query;
  caller: Caller;
  input: CompleteStepInput;
  now: Date;
  hash: string;
  versions: VersionCache;
  tickets: TicketCache;
  pause: (() => Promise<void>) | undefined;
};

/**
 * Completes the step a ticket is at — the hot path.
 *
 * When this process holds the ticket at the sequence number the client expects (it served the ticket
 * last), the move is ONE statement, with no read first: the compare-and-set on the sequence number, a
 * guard that the key is unused (and, for an agent, that the ticket is theirs), the event, timers,
 * messages and key, returning the names and any new messages. Otherwise (or when that statement does
 * not land) one read — the ticket, the key, the history this process lacks — then the same statement.
 * An `assign_agent` effect adds one read to pick the agent.
 *
 * Outcomes: the new view; the first response again for a retried key; UNPROCESSABLE_CONTENT for a key
 * reused on another request; CONFLICT with the fresh view when the ticket moved first; FORBIDDEN for
 * an agent outside the ticket's team; BAD_REQUEST for a form, checklist or outcome the step refuses.
 */
export async function completeStep(
  database: Database,
  caller: Caller,
  input: CompleteStepInput,
  now: Date,
  options: CompleteStepOptions = {},
): Promise<TicketDetail> {
  if (!isUuid(input.ticketId)) fail('NOT_FOUND', NOT_FOUND_MESSAGE);
  const run: Run = {
    database,
    query: poolQuery(database),
    caller,
    input,
    now,
    hash: requestHash(caller.userId, input),
    versions: options.cache ?? versionCache,
    tickets: options.tickets ?? ticketCache,
    pause: options.pauseBeforeCommit,
  };
  const cached = run.tickets.get(input.ticketId, caller.orgId);
  if (cached && cached.row.seq === input.expectedSeq && !run.pause) {
    const moved = await moveWithoutRead(run, cached);
    if (moved) return moved;
  }
  return moveAfterRead(run, cached);
}

/** The one-statement move from a cached state; null when anything needs a read to be decided. */
async function moveWithoutRead(run: Run, cached: CachedTicket): Promise<TicketDetail | null> {
  const { caller } = run;
  if (caller.role !== 'admin' && caller.role !== 'manager' && caller.role !== 'agent') return null;
  if (caller.role === 'agent' && caller.userId === null) return null;
  const planned = await plan(run, cached.row, true);
  if (!planned) return null;
  const lastMessage = cached.messages[cached.messages.length - 1];
  planned.move.write.guards = { keyUnused: true, agentId: caller.role === 'agent' ? caller.userId : null };
  planned.move.write.messagesAfter = lastMessage
    ? { createdAt: lastMessage.createdAt, id: lastMessage.id }
    : null;
  const result = await write(run, planned.move);
  if (!result) return null;
  return finish(run, planned, cached.events, withNew(cached.messages, result.messages ?? []), result);
}

/** The move after one read of the ticket, the key and the missing history. */
async function moveAfterRead(run: Run, cached: CachedTicket | undefined): Promise<TicketDetail> {
  const { input, caller } = run;
  const since = cached ? cached.row.seq : 0;
  const lastMessage = cached?.messages[cached.messages.length - 1];
  const rows = await run.query<HotReadRow>(HOT_READ_SQL, [
    input.ticketId,
    caller.orgId,
    caller.userId,
    input.idempotencyKey,
    since,
    lastMessage?.createdAt ?? null,
    lastMessage?.id ?? null,
  ]);
  const read = rows[0];
  if (!read) {
    run.tickets.delete(input.ticketId);
    fail('NOT_FOUND', NOT_FOUND_MESSAGE);
  }
  if (cached && read.seq < cached.row.seq) {
    // The database is behind what this process saw (restored?): forget it and read everything.
    run.tickets.delete(input.ticketId);
    return moveAfterRead(run, undefined);
  }
  const events = cached ? [...cached.events.filter((e) => e.seq <= since), ...read.events] : read.events;
  const messages = cached ? withNew(cached.messages, read.messages) : read.messages;
  run.tickets.set({ row: rowOf(read), events, messages });

  if (read.key_hash !== null) return replay(run, read);
  if (read.seq !== input.expectedSeq) return conflict(run);
  const mayWork =
    caller.role === 'admin' ||
    caller.role === 'manager' ||
    (caller.role === 'agent' &&
      caller.userId !== null &&
      (read.on_team || read.assignee_id === caller.userId));
  if (!mayWork) fail('FORBIDDEN', FORBIDDEN_MESSAGE);
  const planned = await plan(run, read, false);
  if (!planned) throw new Error('unreachable: plan refuses by throwing after a read');
  const result = await write(run, planned.move);
  if (result) return finish(run, planned, events, messages, result);

  // Lost the compare-and-set (or the key): the ticket or the key moved on since the read.
  const fresh = await readTicket(run.query, {
    ticketId: input.ticketId,
    orgId: caller.orgId,
    userId: caller.userId,
    key: input.idempotencyKey,
  });
  if (!fresh) fail('NOT_FOUND', NOT_FOUND_MESSAGE);
  if (fresh.key_hash !== null) return replay(run, fresh);
  return conflict(run);
}

type Planned = { move: PreparedMove; version: CachedVersion; ticket: TicketView; stored: StoredResponse };

/**
 * Runs the engine on a state and prepares the move's statement (with the key's response). Returns null
 * when the state has no step to complete or the engine refuses, if the state came from the cache (a
 * read decides then); after a read, those refusals are thrown as typed errors.
 */
async function plan(run: Run, row: TicketRow, fromCache: boolean): Promise<Planned | null> {
  const state = runStateOf(row);
  if (!state || !row.version_id) {
    if (fromCache) return null;
    fail('PRECONDITION_FAILED', 'This ticket is not in a flow yet, so it has no step to complete.');
  }
  const version = await run.versions.get(run.query, row.org_id, row.version_id);
  if (!version) throw new Error(`Ticket ${row.id} is pinned to version ${row.version_id}, which is missing`);
  const { input, caller } = run;
  const event: EngineEvent = {
    type: 'complete_step',
    nodeId: input.nodeId,
    outcomeId: input.outcomeId,
    form: input.form,
    checklist: input.checklist,
    actorId: caller.userId,
  };
  const result = transition(version.document, state, event, { now: run.now.getTime() });
  if (!result.ok) {
    if (fromCache) return null;
    return engineRefusal(run, result.error);
  }
  const move = await prepareMove(run.query, {
    row,
    state: result.state,
    effects: result.effects,
    trail: result.events,
    engineInput: event,
    eventType: 'step.completed',
    actorId: caller.userId,
    now: run.now,
    idempotencyKey: input.idempotencyKey,
  });
  // Names come back from the move statement; the key stores the ticket without them.
  const ticket = ticketViewOf(move.row, { teamName: null, assigneeName: null });
  const stored: StoredResponse = {
    ticket,
    flowId: row.flow_id,
    version: { id: version.id, number: version.number },
    messagesUpTo: move.write.now,
  };
  move.write.key = { key: input.idempotencyKey, hash: run.hash, response: JSON.stringify(stored) };
  move.write.names = { flowId: row.flow_id };
  return { move, version, ticket, stored };
}

/** Runs the move statement (inside BEGIN … hook … COMMIT for the race test). Null: it did not land. */
async function write(run: Run, move: PreparedMove): Promise<MoveResult | null> {
  try {
    const pause = run.pause;
    if (!pause) return await writeMove(run.query, move.write);
    return await inTransaction(run.database, async (tx) => {
      const landed = await writeMove(tx, move.write);
      await pause();
      return landed;
    });
  } catch (error) {
    // The same key, used at the same moment by a request on another ticket, landed first.
    if (sqlState(error) === '23505') return null;
    throw error;
  }
}

/** The view after a move, from the history held before it; the cache moves on to the new state. */
function finish(
  run: Run,
  planned: Planned,
  events: readonly TicketEventView[],
  messages: readonly TicketMessageView[],
  result: MoveResult,
): TicketDetail {
  const { move } = planned;
  const nowIso = move.write.now;
  const newEvent: TicketEventView = {
    seq: move.row.seq,
    type: 'step.completed',
    actorName: run.caller.name,
    fromNode: move.write.event.fromNode,
    toNode: move.row.node_id,
    // As it reads back from the jsonb column, so that a replay is byte-identical.
    data: jsonbOrder(move.data),
    createdAt: nowIso,
  };
  const newMessages: TicketMessageView[] = move.planned.messages.map((m) => ({
    id: m.id,
    authorKind: 'system',
    authorName: null,
    body: m.body,
    createdAt: nowIso,
  }));
  const allEvents = [...events, newEvent];
  const allMessages = [...messages, ...newMessages];
  run.tickets.set({ row: rowOf(move.row), events: allEvents, messages: allMessages });
  return buildTicketDetail({
    ticket: { ...planned.ticket, teamName: result.team_name, assigneeName: result.assignee_name },
    flow:
      planned.stored.flowId !== null && result.flow_name !== null
        ? { id: planned.stored.flowId, name: result.flow_name }
        : null,
    version: planned.version,
    events: allEvents,
    messages: allMessages,
  });
}

/** Messages after a cursor, minus any already held (a timestamp finer than the cursor's milliseconds). */
function withNew(
  held: readonly TicketMessageView[],
  after: readonly TicketMessageView[],
): TicketMessageView[] {
  if (after.length === 0) return [...held];
  const ids = new Set(held.map((m) => m.id));
  return [...held, ...after.filter((m) => !ids.has(m.id))];
}

/** The first response again, rebuilt from what the key stored. */
async function replay(
  run: Run,
  read: { org_id: string; key_hash: string | null; key_response: unknown },
): Promise<TicketDetail> {
  if (read.key_hash !== run.hash) fail('UNPROCESSABLE_CONTENT', KEY_REUSED_MESSAGE);
  if (typeof read.key_response !== 'string') throw new Error('An idempotency key holds no response');
  const stored = JSON.parse(read.key_response) as StoredResponse;
  const version = stored.version ? await run.versions.get(run.query, read.org_id, stored.version.id) : null;
  if (stored.version && !version)
    throw new Error(`The stored response names version ${stored.version.id}, which is missing`);
  const history = await readHistory(run.query, {
    ticketId: stored.ticket.id,
    upToSeq: stored.ticket.seq,
    messagesUpTo: stored.messagesUpTo,
    flowId: stored.flowId,
    teamId: stored.ticket.teamId,
    assigneeId: stored.ticket.assigneeId,
  });
  return buildTicketDetail({
    ticket: { ...stored.ticket, teamName: history.teamName, assigneeName: history.assigneeName },
    flow:
      stored.flowId !== null && history.flowName !== null
        ? { id: stored.flowId, name: history.flowName }
        : null,
    version,
    events: history.events,
    messages: history.messages,
  });
}

/** CONFLICT with the ticket as it is now. */
async function conflict(run: Run, extra: Record<string, unknown> = {}, message?: string): Promise<never> {
  const read = await readTicket(run.query, {
    ticketId: run.input.ticketId,
    orgId: run.caller.orgId,
    userId: run.caller.userId,
    key: null,
  });
  if (!read) fail('NOT_FOUND', NOT_FOUND_MESSAGE);
  const fresh = await detailFromRead(run.query, run.versions, read, run.tickets);
  fail('CONFLICT', message ?? `Someone else moved this ticket first (it is now at ${whereIs(fresh)}).`, {
    ...extra,
    fresh,
  });
}

async function engineRefusal(run: Run, error: EngineError): Promise<never> {
  const code = error.code;
  if (code === 'FORM_INVALID' || code === 'CHECKLIST_INCOMPLETE' || code === 'UNKNOWN_OUTCOME') {
    fail('BAD_REQUEST', error.message, { code, issues: error.details ?? {} });
  }
  if (code === 'NOT_AT_THIS_STEP' || code === 'TICKET_CLOSED') return conflict(run, { code }, error.message);
  // A published version is validated, so a broken flow here is a bug, not the caller's fault.
  if (code === 'BROKEN_FLOW')
    throw new Error(`The engine refused a move on ticket ${run.input.ticketId}: ${error.message}`);
  fail('PRECONDITION_FAILED', error.message, { code });
}

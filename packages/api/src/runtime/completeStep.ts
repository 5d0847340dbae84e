import { hash, randomUUID } from 'node:crypto';
import type { Database } from '@stepwise/db';
import type { EngineError, EngineEvent } from '@stepwise/flow';
import { canonicalJson } from '../services/canonicalJson.ts';
import type { Caller } from '../trpc.ts';
import { type Advanced, advanceTicket, eventViewOf, messageViewsOf } from './advanceTicket.ts';
import type { PreparedMove } from './prepareMove.ts';
import { refuse } from './runtimeError.ts';
import { poolQuery, type Query } from './sql.ts';
import { type TicketCache, ticketCache } from './ticketCache.ts';
import {
  detailFromRead,
  pathOf,
  readMoveRecord,
  readTicket,
  type StepView,
  stepViewOf,
  type TicketEventView,
  type TicketMessageView,
  type TicketView,
  ticketViewOf,
  whereIs,
} from './ticketView.ts';
import { type CachedVersion, type VersionCache, versionCache } from './versionCache.ts';

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
  /**
   * A reply to the customer sent with the completion ("reply and mark <outcome>"): written by the move's
   * own statement, so there is either both or neither.
   */
  reply?: string | undefined;
};

export type CompleteStepOptions = {
  cache?: VersionCache;
  /** The per-process ticket cache (default: the shared one; a capacity-0 cache turns it off). */
  tickets?: TicketCache;
};

export const KEY_REUSED_MESSAGE = 'This idempotency key was already used for a different request.';
const NOT_FOUND_MESSAGE = 'This ticket does not exist in your organization.';
const FORBIDDEN_MESSAGE =
  'This step belongs to a team you are not on, and the ticket is not assigned to you: ask its team or a manager.';

/**
 * SHA-256 of the canonical request: what an idempotency key is bound to (the caller is part of it: the
 * person, or for a bot its API token's id).
 */
export function requestHash(callerId: string | null, input: CompleteStepInput): string {
  // The canonical JSON of `{ op, callerId, ...input }` without the key (members in sorted order), written
  // out directly: the text `canonicalJson` gives for it (completeStep.test.ts holds the two equal, so keys
  // stored before stay comparable), without sorting and walking a generic object on every step.
  const reply = input.reply === undefined ? '' : `,"reply":${JSON.stringify(input.reply)}`;
  const text = `{"callerId":${JSON.stringify(callerId)},"checklist":${canonicalJson(input.checklist)},"expectedSeq":${JSON.stringify(input.expectedSeq)},"form":${canonicalJson(input.form)},"nodeId":${JSON.stringify(input.nodeId)},"op":"tickets.complete","outcomeId":${JSON.stringify(input.outcomeId)}${reply},"ticketId":${JSON.stringify(input.ticketId)}}`;
  return hash('sha256', text, 'hex');
}

/**
 * What `tickets.complete` answers: only what the move changed. The page already holds the rest (the
 * flow, the pinned version, the history before the move) and lays this over it.
 */
export type StepCompletion = StepView & {
  /** The ticket after the move: its new seq, status, node, team, assignee and SLA. */
  ticket: TicketView;
  /** The move's own event. */
  events: TicketEventView[];
  /** The messages the move sent: the reply made with it, then the flow's own. */
  messages: TicketMessageView[];
  /** The nodes the move entered, in order: the page's path goes on with them. */
  path: string[];
};

/**
 * What an idempotency key stores: the ticket as the first response showed it (names aside) and
 * references to the immutable rest — the version (from the cache), the event at the ticket's seq, the
 * move's messages by id. About 1 KB: the key row is written on every step. A replay rebuilds the first
 * response from it, byte for byte (only a team or person renamed in between would show the new name).
 * Keys stored before message ids were kept hold `messagesUpTo` (the move's time) instead: their replay
 * shows the system messages of that millisecond.
 */
type StoredResponse = {
  ticket: TicketView;
  version: { id: string; number: number } | null;
  messageIds?: string[];
  messagesUpTo?: string;
};

type Run = {
  query: Query;
  caller: Caller;
  input: CompleteStepInput;
  hash: string;
  versions: VersionCache;
  tickets: TicketCache;
};

/**
 * Completes the step a ticket is at — the hot path, through the one pipeline (`advanceTicket`).
 *
 * When this process holds the ticket at the sequence number the client expects (it served the ticket
 * last), the move is ONE statement, with no read first: the compare-and-set on the sequence number, a
 * guard that the key is unused (and, for an agent, that the ticket is theirs), the event, timers,
 * messages and key, returning the team and assignee names. Otherwise (or when that statement does not
 * land) one read — the ticket, the caller's team membership, the key — then the same statement.
 * An `assign_agent` effect adds one read to pick the agent.
 *
 * Outcomes: what the move changed; the first response again for a retried key; `key_reused` for a key reused on
 * another request; `conflict` with the fresh view when the ticket moved first; `forbidden` for an agent
 * outside the ticket's team; `invalid` for a form, checklist or outcome the step refuses.
 */
export async function completeStep(
  database: Database,
  caller: Caller,
  input: CompleteStepInput,
  now: Date,
  options: CompleteStepOptions = {},
): Promise<StepCompletion> {
  const run: Run = {
    query: poolQuery(database),
    caller,
    input,
    hash: requestHash(caller.userId ?? caller.token?.id ?? null, input),
    versions: options.cache ?? versionCache,
    tickets: options.tickets ?? ticketCache,
  };
  const event: EngineEvent = {
    type: 'complete_step',
    nodeId: input.nodeId,
    outcomeId: input.outcomeId,
    form: input.form,
    checklist: input.checklist,
    actorId: caller.userId,
  };
  const result = await advanceTicket(database, { ticketId: input.ticketId }, caller, event, {
    now,
    expectedSeq: input.expectedSeq,
    key: {
      key: input.idempotencyKey,
      hash: run.hash,
      response: (move, version) => JSON.stringify(storedOf(move, version)),
    },
    view: true,
    versions: run.versions,
    tickets: run.tickets,
    ...(input.reply !== undefined ? { reply: { id: randomUUID(), body: input.reply } } : {}),
  });
  if (result.ok) return completionOf(run.caller, result);
  switch (result.reason) {
    case 'not_found':
      return refuse('not_found', NOT_FOUND_MESSAGE);
    case 'forbidden':
      return refuse('forbidden', FORBIDDEN_MESSAGE);
    case 'conflict':
      return conflict(run);
    case 'replay':
      return replay(run, result);
    case 'refused':
      return engineRefusal(run, result.error);
    case 'unmappable':
      throw new Error('Only a migration is unmappable');
    case 'unchanged':
      throw new Error('Only an edit or a reassignment can change nothing');
  }
}

/** The key's stored response: the ticket after the move (names aside) and references to the rest. */
function storedOf(move: PreparedMove, version: CachedVersion | null): StoredResponse {
  return {
    ticket: ticketViewOf(move.row, { teamName: null, assigneeName: null }),
    version: version ? { id: version.id, number: version.number } : null,
    messageIds: [
      ...(move.write.reply ? [move.write.reply.id] : []),
      ...move.planned.messages.map((m) => m.id),
    ],
  };
}

/** The answer to a move that landed: the ticket after it, its step view, its own event and messages. */
function completionOf(caller: Caller, advanced: Advanced): StepCompletion {
  const { move, result } = advanced;
  const ticket = ticketViewOf(move.row, { teamName: result.team_name, assigneeName: result.assignee_name });
  return completion(
    ticket,
    advanced.version,
    [eventViewOf(move, caller.name)],
    messageViewsOf(move, caller.name),
  );
}

function completion(
  ticket: TicketView,
  version: CachedVersion | null,
  events: TicketEventView[],
  messages: TicketMessageView[],
): StepCompletion {
  return { ticket, ...stepViewOf(ticket, version), events, messages, path: pathOf(events) };
}

/** The first response again, rebuilt from what the key stored. */
async function replay(
  run: Run,
  used: { orgId: string; keyHash: string; response: unknown },
): Promise<StepCompletion> {
  if (used.keyHash !== run.hash) refuse('key_reused', KEY_REUSED_MESSAGE);
  if (typeof used.response !== 'string') throw new Error('An idempotency key holds no response');
  const stored = JSON.parse(used.response) as StoredResponse;
  const version = stored.version ? await run.versions.get(run.query, used.orgId, stored.version.id) : null;
  if (stored.version && !version)
    throw new Error(`The stored response names version ${stored.version.id}, which is missing`);
  const record = await readMoveRecord(run.query, {
    orgId: used.orgId,
    ticketId: stored.ticket.id,
    seq: stored.ticket.seq,
    messages: storedMessages(stored),
    teamId: stored.ticket.teamId,
    assigneeId: stored.ticket.assigneeId,
  });
  const ticket = { ...stored.ticket, teamName: record.teamName, assigneeName: record.assigneeName };
  return completion(ticket, version, record.events, record.messages);
}

function storedMessages(stored: StoredResponse): { ids: string[] } | { at: string } {
  if (stored.messageIds) return { ids: stored.messageIds };
  if (stored.messagesUpTo) return { at: stored.messagesUpTo };
  throw new Error('An idempotency key holds a response without its messages');
}

/** CONFLICT with the ticket as it is now. */
async function conflict(run: Run, extra: Record<string, unknown> = {}, message?: string): Promise<never> {
  const read = await readTicket(run.query, {
    ticketId: run.input.ticketId,
    orgId: run.caller.orgId,
    userId: run.caller.userId,
    key: null,
  });
  if (!read) refuse('not_found', NOT_FOUND_MESSAGE);
  const fresh = await detailFromRead(run.query, run.versions, read, run.tickets);
  refuse('conflict', message ?? `Someone else moved this ticket first (it is now at ${whereIs(fresh)}).`, {
    ...extra,
    fresh,
  });
}

async function engineRefusal(run: Run, error: EngineError): Promise<never> {
  const code = error.code;
  if (code === 'FORM_INVALID' || code === 'CHECKLIST_INCOMPLETE' || code === 'UNKNOWN_OUTCOME') {
    refuse('invalid', error.message, { code, issues: error.details ?? {} });
  }
  if (code === 'NOT_AT_THIS_STEP' || code === 'TICKET_CLOSED') return conflict(run, { code }, error.message);
  // A published version is validated, so a broken flow here is a bug, not the caller's fault.
  if (code === 'BROKEN_FLOW')
    throw new Error(`The engine refused a move on ticket ${run.input.ticketId}: ${error.message}`, {
      cause: error.cause,
    });
  if (code === 'NOT_STARTED') refuse('precondition', error.message);
  refuse('precondition', error.message, { code });
}

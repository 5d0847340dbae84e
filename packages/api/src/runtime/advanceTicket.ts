import type { Database, Role } from '@stepwise/db';
import {
  applyTicketEdit,
  type EngineError,
  type EngineEvent,
  type FlowDocument,
  initialState,
  type MigrationRefusal,
  planMigration,
  type RunState,
  type TicketData,
  type TicketEdit,
  type TransitionResult,
  transition,
} from '@stepwise/flow';
import { noteChange, type TicketChange } from '../live/hub.ts';
import {
  DatabaseUnavailableError,
  isConnectionError,
  retryOnConnectionError,
} from '../services/dbUnavailable.ts';
import { type PreparedMove, prepareMove, type StoredInput } from './prepareMove.ts';
import { constraintOf, isUuid, poolQuery, type Query, sqlState } from './sql.ts';
import { type CachedNames, type CachedTicket, type TicketCache, ticketCache } from './ticketCache.ts';
import { rowOf, runStateOf, type TicketRow, ticketDataOf } from './ticketState.ts';
import {
  LEAN_READ_SQL,
  type LeanReadRow,
  type TicketEventView,
  type TicketMessageView,
} from './ticketView.ts';
import { type CachedVersion, type VersionCache, versionCache } from './versionCache.ts';
import { type MoveResult, writeMove } from './writeMove.ts';

/** Who moves a ticket: a person (with their role), an API token, or the runtime itself (timers, workers). */
export type Mover = {
  orgId: string;
  userId: string | null;
  role: Role | 'api' | 'system';
  name: string | null;
  /** The API token of a bot's move (`tickets:work`): the event names it as its actor. */
  token?: { id: string } | undefined;
};

/** The ticket a move is for; its organization is the mover's. */
export type TicketRef = { ticketId: string };

/** A flow a ticket is started on by hand: its active version. */
export type StartRoute = { flowId: string; version: CachedVersion };

/** The migration of one ticket from one version to another, by a node mapping. */
export type MigrateTo = {
  from: { id: string; document: FlowDocument };
  to: { id: string; document: FlowDocument };
  mapping: Readonly<Record<string, string | null>>;
  /** When the ticket entered the node it sits at (a step's SLA keeps counting from it). */
  enteredAt: number | undefined;
};

/**
 * Everything that moves a ticket, whoever asks. The engine's own inputs (`complete_step`,
 * `timer_fired`, `customer_replied`, `subflow_completed`) go to `transition` on the pinned version; the
 * runtime's (`start`, `assign`, `migrate`, `feedback`) change the run state in the one way each allows.
 * Every one is written by the same compare-and-set statement with its event.
 */
export type AdvanceInput =
  | Exclude<EngineEvent, { type: 'start' }>
  | { type: 'start'; route: StartRoute }
  | { type: 'assign'; assigneeId: string | null }
  | { type: 'migrate'; migration: MigrateTo }
  | { type: 'feedback'; score: number; comment: string | null; tokenHash: string }
  /** An internal note (agents only): recorded in the log, never part of the customer's conversation. */
  | { type: 'note'; body: string }
  /** A hand edit of the ticket's attributes; `addTags` adds to the tags the ticket has when the move is made. */
  | { type: 'edit'; set: TicketEdit; addTags?: readonly string[] }
  /** The ticket handed to an agent (`teamId` absent: it keeps its team) or a team, with the reason. */
  | { type: 'reassign'; teamId?: string; assigneeId: string | null; reason: string };

export type AdvanceOptions = {
  now: Date;
  /** Refuse (as a conflict) unless the ticket is still at this sequence number. */
  expectedSeq?: number | undefined;
  /**
   * Idempotency: the key, the hash of the request it is bound to, and the response it will replay
   * (built from the prepared move). A key already used comes back as `replay`.
   */
  key?: {
    key: string;
    hash: string;
    response: (move: PreparedMove, version: CachedVersion | null) => string;
  };
  /** The timer this move fires (marked fired in the same statement). */
  firedTimerId?: string | undefined;
  /**
   * The connection of a transaction the caller holds (the runtime loop's timer claim). The move then runs in
   * it, reads first and leaves the cache alone. Default: the pool, with the per-process cache.
   */
  query?: Query;
  /** Also return the names the ticket page shows (team, assignee): the agent's completion answers with them. */
  view?: boolean;
  /**
   * A reply to the customer written by the same statement as the move (an agent's "reply and mark
   * <outcome>"): it exists exactly when the move does. Its author is the mover.
   */
  reply?: { id: string; body: string };
  versions?: VersionCache;
  tickets?: TicketCache;
};

/** A move that landed. */
export type Advanced = {
  ok: true;
  before: TicketRow;
  move: PreparedMove;
  result: MoveResult;
  /** The version the ticket runs on after the move (null for a move that needs no document). */
  version: CachedVersion | null;
};

/** Why a move did not land: the runtime's domain answers, mapped to errors by each caller. */
export type NotAdvanced =
  | { ok: false; reason: 'not_found' }
  | { ok: false; reason: 'forbidden' }
  /** The ticket is not (or no longer) where the move expects it; `seq` is where it is now. */
  | { ok: false; reason: 'conflict'; seq: number }
  /** The key was used before: its hash (to tell a retry from a reuse) and stored response. */
  | { ok: false; reason: 'replay'; keyHash: string; response: unknown; orgId: string }
  /** The engine (or the runtime's rule for this input) refused the move. */
  | { ok: false; reason: 'refused'; error: EngineError }
  /** A migration's mapping cannot place the ticket on the new version (its plan says why). */
  | { ok: false; reason: 'unmappable'; code: MigrationRefusal; message: string }
  /** An edit or reassignment that would change nothing: no event is written; `seq` is where the ticket is. */
  | { ok: false; reason: 'unchanged'; seq: number };

export type AdvanceResult = Advanced | NotAdvanced;

/** Who may make a move, as data: the cached branch turns it into a guard, the read branch checks it. */
export type Access =
  | { kind: 'any' }
  /** An agent: the ticket's team has them, or the ticket is assigned to them. */
  | { kind: 'team_or_assignee'; userId: string }
  /** Only the ticket's assignee (an agent releasing their own ticket). */
  | { kind: 'assignee'; userId: string }
  | { kind: 'none' };

/** The one access predicate of a move. */
export function accessOf(mover: Mover, input: AdvanceInput): Access {
  if (mover.role === 'admin' || mover.role === 'manager' || mover.role === 'system') return { kind: 'any' };
  // An API token moves a ticket as its customer (a reply, `tickets:reply`) or completes a step as its bot
  // (`tickets:work`), in any team of its organization; the scope check before the procedure decides which.
  if (mover.role === 'api')
    return input.type === 'customer_replied' || input.type === 'complete_step'
      ? { kind: 'any' }
      : { kind: 'none' };
  if (mover.userId === null) return { kind: 'none' };
  if (input.type === 'assign') {
    if (input.assigneeId === mover.userId) return { kind: 'team_or_assignee', userId: mover.userId };
    if (input.assigneeId === null) return { kind: 'assignee', userId: mover.userId };
    return { kind: 'none' };
  }
  if (input.type === 'migrate' || input.type === 'feedback') return { kind: 'none' };
  // Notes, edits and reassignments (to anyone, with a reason): whoever may work the ticket.
  // Any agent may start a flow by hand on an unrouted or ended ticket (it has no team to be on yet).
  if (input.type === 'start') return { kind: 'any' };
  return { kind: 'team_or_assignee', userId: mover.userId };
}

/** The access predicate over what a read shows. */
export function allows(access: Access, facts: { onTeam: boolean; assigneeId: string | null }): boolean {
  switch (access.kind) {
    case 'any':
      return true;
    case 'team_or_assignee':
      return facts.onTeam || facts.assigneeId === access.userId;
    case 'assignee':
      return facts.assigneeId === access.userId;
    case 'none':
      return false;
  }
}

const EVENT_TYPE = {
  complete_step: 'step.completed',
  timer_fired: 'timer.fired',
  customer_replied: 'customer.replied',
  subflow_completed: 'subflow.completed',
  start: 'flow.started',
  assign: 'ticket.assigned',
  migrate: 'ticket.migrated',
  feedback: 'feedback.received',
  note: 'note.added',
  edit: 'ticket.edited',
  reassign: 'ticket.reassigned',
} as const satisfies Record<AdvanceInput['type'], string>;

/** An open run: the ticket sits somewhere in its flow (not ended, not unrouted). */
const OPEN_RUN: ReadonlySet<string> = new Set(['at_step', 'waiting', 'in_subflow', 'parked']);

type Run = {
  database: Database;
  query: Query;
  ref: TicketRef;
  mover: Mover;
  input: AdvanceInput;
  options: AdvanceOptions;
  access: Access;
  versions: VersionCache;
  tickets: TicketCache;
  /** The cache is used only on the pool (a caller's transaction reads for itself). */
  cached: boolean;
};

/**
 * Moves one ticket: the one pipeline every mover goes through (agent, timer, customer, subflow, start,
 * assignment, migration, feedback), in the style of an actor's `send`.
 *
 * 1. The state: from this process's cache when it holds the ticket at `expectedSeq` (then nothing is
 *    read: the access predicate and the unused key become guards of the write), else one read.
 * 2. The next state: `transition` on the pinned version (or the runtime's rule for its own inputs).
 * 3. One compare-and-set statement writes the ticket, its event, timers, messages, effects and key.
 * 4. A lost compare-and-set is read again and classified: `replay` (the key landed first), `conflict`
 *    (the ticket moved), `forbidden`, `not_found`.
 * 5. A write whose answer was lost with its connection (a database restart) may or may not have
 *    committed: it is never sent again blindly. The ticket is read again (`settle`): the key there means
 *    it landed (`replay`); the ticket still at the expected sequence number means it did not, and the
 *    move is made once more from that read; the ticket past it is checked for this move's own event.
 *    Reads are retried once on a lost connection; a second loss is a `DatabaseUnavailableError`.
 *
 * It performs nothing else: the caller builds its answer from the result.
 */
export async function advanceTicket(
  database: Database,
  ref: TicketRef,
  mover: Mover,
  input: AdvanceInput,
  options: AdvanceOptions,
): Promise<AdvanceResult> {
  if (!isUuid(ref.ticketId)) return { ok: false, reason: 'not_found' };
  const run: Run = {
    database,
    query: options.query ?? poolQuery(database),
    ref,
    mover,
    input,
    options,
    access: accessOf(mover, input),
    versions: options.versions ?? versionCache,
    tickets: options.tickets ?? ticketCache,
    cached: options.query === undefined,
  };
  if (run.access.kind === 'none') return { ok: false, reason: 'forbidden' };
  const hit = run.cached ? run.tickets.get(ref.ticketId, mover.orgId) : undefined;
  if (hit && options.expectedSeq !== undefined && hit.row.seq === options.expectedSeq) {
    const moved = await moveWithoutRead(run, hit);
    if (moved) return moved;
  }
  return moveAfterRead(run);
}

/** The one-statement move from a cached state; null when anything needs a read to be decided. */
async function moveWithoutRead(run: Run, hit: CachedTicket): Promise<AdvanceResult | null> {
  const planned = await plan(run, hit.row);
  if (!planned.ok) return null;
  const { move } = planned;
  const { access } = run;
  move.write.guards = {
    agentId: access.kind === 'team_or_assignee' ? access.userId : null,
    assigneeId: access.kind === 'assignee' ? access.userId : null,
  };
  const known = move.write.names ? namesStillKnown(hit, move, run.options.now.getTime()) : null;
  if (known) move.write.names = false;
  const written = await write(run, move);
  if (written === UNKNOWN) return settle(run, hit.row, planned, false);
  if (!written) return null;
  const result = known
    ? { ...written, team_name: known.teamName, assignee_name: known.assigneeName }
    : written;
  landed(run, move, known ?? namesOf(move, result, run.options.now.getTime()));
  return { ok: true, before: hit.row, move, result, version: planned.version };
}

type Read = LeanReadRow;

/**
 * One read of the ticket, with the caller's team membership and the idempotency key. On the pool a read
 * lost with its connection is made once more; inside a caller's transaction the transaction is gone too.
 */
async function read(run: Run): Promise<Read | null> {
  const { ref, mover, options } = run;
  const once = async () => {
    const rows = await run.query<Read>(LEAN_READ_SQL, [
      ref.ticketId,
      mover.orgId,
      mover.userId,
      options.key?.key ?? null,
    ]);
    return rows[0] ?? null;
  };
  return run.cached ? retryOnConnectionError(once) : once();
}

/**
 * The move after one read; a lost compare-and-set is read again and classified. `again`: this is the
 * second attempt after a write that did not land when its connection was lost.
 */
async function moveAfterRead(run: Run, again = false): Promise<AdvanceResult> {
  const got = await read(run);
  if (!got) {
    run.tickets.delete(run.ref.ticketId);
    return { ok: false, reason: 'not_found' };
  }
  if (run.cached) run.tickets.observe(rowOf(got));
  const classified = classify(run, got);
  if (classified) {
    // A replay may be the retry of a move whose answer (and announcement) was lost with its connection:
    // announcing the ticket's sequence number again costs nothing (listeners drop what they have heard).
    if (classified.reason === 'replay' && run.cached)
      noteChange(run.database, { orgId: got.org_id, ticketId: got.id, seq: got.seq });
    return classified;
  }
  const planned = await plan(run, got);
  if (!planned.ok) return planned;
  const result = await write(run, planned.move);
  if (result === UNKNOWN) return settle(run, got, planned, again);
  if (result) {
    landed(run, planned.move, namesOf(planned.move, result, run.options.now.getTime()));
    return { ok: true, before: got, move: planned.move, result, version: planned.version };
  }
  // Lost the compare-and-set (or the key, or a guard): the ticket moved on since the read.
  const fresh = await read(run);
  if (!fresh) return { ok: false, reason: 'not_found' };
  if (run.cached) run.tickets.observe(rowOf(fresh));
  return classify(run, fresh) ?? { ok: false, reason: 'conflict', seq: fresh.seq };
}

/** What a read alone decides: a used key, a ticket that moved, a caller who may not move it. */
function classify(run: Run, got: Read): NotAdvanced | null {
  if (got.key_hash !== null)
    return {
      ok: false,
      reason: 'replay',
      keyHash: got.key_hash,
      response: got.key_response,
      orgId: got.org_id,
    };
  const expected = run.options.expectedSeq;
  if (expected !== undefined && got.seq !== expected) return { ok: false, reason: 'conflict', seq: got.seq };
  if (!allows(run.access, { onTeam: got.on_team, assigneeId: got.assignee_id }))
    return { ok: false, reason: 'forbidden' };
  return null;
}

type Planned = { ok: true; move: PreparedMove; version: CachedVersion | null };

/** The next state and the write of the move, from a state (cached or read). */
async function plan(run: Run, row: TicketRow): Promise<Planned | NotAdvanced> {
  const { input, options } = run;
  const now = options.now;
  const decided = await decide(run, row);
  if (!decided.ok) return decided;
  const move = await prepareMove(run.query, {
    row: decided.base ?? row,
    expectedSeq: row.seq,
    state: decided.next.state,
    effects: decided.next.effects,
    trail: decided.next.events,
    input: decided.stored,
    eventType: EVENT_TYPE[input.type],
    actorId: run.mover.userId,
    actorTokenId: run.mover.token?.id ?? null,
    now,
    firedTimerId: options.firedTimerId ?? null,
    idempotencyKey: options.key?.key,
    repin: decided.repin,
    csat: input.type === 'feedback' ? { score: input.score, comment: input.comment } : null,
    feedbackTokenHash: input.type === 'feedback' ? input.tokenHash : null,
    unrouted: row.status === 'unrouted',
  });
  if (options.reply) {
    move.write.reply = {
      id: options.reply.id,
      body: options.reply.body,
      authorId: run.mover.userId,
      authorTokenId: run.mover.token?.id ?? null,
    };
  }
  if (options.key) {
    move.write.key = {
      key: options.key.key,
      hash: options.key.hash,
      response: options.key.response(move, decided.version),
    };
  }
  if (options.view) move.write.names = true;
  return { ok: true, move, version: decided.version };
}

type Decided =
  | {
      ok: true;
      next: Extract<TransitionResult, { ok: true }>;
      stored: StoredInput;
      version: CachedVersion | null;
      /** The row the move starts from, when the input resets the run (a start by hand). */
      base?: TicketRow;
      repin?: { flowId: string; versionId: string };
    }
  | NotAdvanced;

function refused(code: EngineError['code'], message: string): NotAdvanced {
  return { ok: false, reason: 'refused', error: { code, message } };
}

/** The next state for an input: the engine's `transition`, or the runtime's rule for its own inputs. */
async function decide(run: Run, row: TicketRow): Promise<Decided> {
  const { input } = run;
  const now = run.options.now.getTime();
  const state = runStateOf(row);
  switch (input.type) {
    case 'complete_step':
    case 'timer_fired':
    case 'customer_replied':
    case 'subflow_completed': {
      if (!state || !row.version_id)
        return refused('NOT_STARTED', 'This ticket is not in a flow yet, so it has no step to complete.');
      const version = await pinned(run, row, row.version_id);
      const next = transition(version.document, state, input, { now });
      if (!next.ok) return { ok: false, reason: 'refused', error: next.error };
      return { ok: true, next, stored: input, version };
    }
    case 'start': {
      if (row.status !== 'unrouted' && row.status !== 'ended')
        return refused(
          'ALREADY_STARTED',
          'This ticket is already in a flow: a flow can be started by hand only on an unrouted or ended ticket.',
        );
      const ticket = ticketDataOf(row);
      const { route } = input;
      // A new run, but the breach mark is the ticket's for life.
      const fresh: RunState = { ...initialState(ticket), everBreached: row.sla_breached_at !== null };
      const next = transition(route.version.document, fresh, { type: 'start' }, { now });
      if (!next.ok) return { ok: false, reason: 'refused', error: next.error };
      return {
        ok: true,
        next,
        stored: { type: 'start', ticket, flowId: route.flowId, versionId: route.version.id },
        version: route.version,
        base: { ...row, sla_due_at: null, closed_at: null, status: 'new', node_id: null },
        repin: { flowId: route.flowId, versionId: route.version.id },
      };
    }
    case 'assign': {
      if (!state || !OPEN_RUN.has(row.status))
        return refused('TICKET_CLOSED', 'Only an open ticket in a flow can be assigned.');
      return {
        ok: true,
        next: { ok: true, state: { ...state, assigneeId: input.assigneeId }, effects: [], events: [] },
        stored: { type: 'assign', assigneeId: input.assigneeId },
        version: null,
      };
    }
    case 'migrate': {
      const { migration } = input;
      if (!state || row.version_id !== migration.from.id)
        return refused('NOT_STARTED', 'This ticket is no longer on the version it was to be moved from.');
      const planned = planMigration(
        migration.from.document,
        migration.to.document,
        migration.mapping,
        state,
        {
          now,
          enteredAt: migration.enteredAt,
        },
      );
      if (!planned.ok)
        return { ok: false, reason: 'unmappable', code: planned.code, message: planned.reason };
      if (row.flow_id === null) throw new Error(`Ticket ${row.id} runs a version but has no flow`);
      return {
        ok: true,
        next: { ok: true, state: planned.state, effects: planned.effects, events: [] },
        stored: {
          type: 'migrate',
          fromVersion: migration.from.id,
          toVersion: migration.to.id,
          state: planned.state,
        },
        version: null,
        repin: { flowId: row.flow_id, versionId: migration.to.id },
      };
    }
    case 'note': {
      // A note changes no run state (an unrouted ticket keeps waiting unrouted).
      const current = state ?? initialState(ticketDataOf(row));
      return {
        ok: true,
        next: { ok: true, state: current, effects: [], events: [] },
        stored: { type: 'note', body: input.body },
        version: null,
      };
    }
    case 'edit': {
      const current = state ?? initialState(ticketDataOf(row));
      const changed = editOf(current.ticket, input.set, input.addTags ?? []);
      if (!changed) return { ok: false, reason: 'unchanged', seq: row.seq };
      return {
        ok: true,
        next: {
          ok: true,
          state: { ...current, ticket: applyTicketEdit(current.ticket, changed.set) },
          effects: [],
          events: [],
        },
        stored: { type: 'edit', set: changed.set, previous: changed.previous },
        version: null,
      };
    }
    case 'reassign': {
      if (!state || !OPEN_RUN.has(row.status))
        return refused('TICKET_CLOSED', 'Only an open ticket in a flow can be reassigned.');
      const teamId = input.teamId ?? state.teamId;
      if (state.teamId === teamId && state.assigneeId === input.assigneeId)
        return { ok: false, reason: 'unchanged', seq: row.seq };
      return {
        ok: true,
        next: {
          ok: true,
          state: { ...state, teamId, assigneeId: input.assigneeId },
          effects: [],
          events: [],
        },
        stored: {
          type: 'reassign',
          teamId,
          assigneeId: input.assigneeId,
          reason: input.reason,
        },
        version: null,
      };
    }
    case 'feedback': {
      // A rating changes no run state; the ticket keeps it whatever it does next.
      const current = state ?? initialState(ticketDataOf(row));
      return {
        ok: true,
        next: { ok: true, state: current, effects: [], events: [] },
        stored: { type: 'feedback', score: input.score, comment: input.comment },
        version: null,
      };
    }
  }
}

/**
 * The part of an edit that changes the ticket (`set`), with the values it replaces (`previous`); null when
 * nothing would change. Tags added by `addTags` join the ticket's own, each once.
 */
export function editOf(
  ticket: TicketData,
  set: TicketEdit,
  addTags: readonly string[],
): { set: TicketEdit; previous: TicketEdit } | null {
  const out: TicketEdit = {};
  const previous: TicketEdit = {};
  if (set.priority !== undefined && set.priority !== ticket.priority) {
    out.priority = set.priority;
    previous.priority = ticket.priority;
  }
  if (set.category !== undefined && set.category !== ticket.category) {
    out.category = set.category;
    previous.category = ticket.category;
  }
  let tags = set.tags ?? ticket.tags;
  for (const tag of addTags) if (!tags.includes(tag)) tags = [...tags, tag];
  if (tags.length !== ticket.tags.length || tags.some((tag, i) => tag !== ticket.tags[i])) {
    out.tags = [...tags];
    previous.tags = [...ticket.tags];
  }
  if (set.fields !== undefined) {
    const fields: NonNullable<TicketEdit['fields']> = {};
    const before: NonNullable<TicketEdit['fields']> = {};
    for (const [key, value] of Object.entries(set.fields)) {
      const old = Object.hasOwn(ticket.fields, key) ? (ticket.fields[key] ?? null) : null;
      if (old === value) continue;
      fields[key] = value;
      before[key] = old;
    }
    if (Object.keys(fields).length > 0) {
      out.fields = fields;
      previous.fields = before;
    }
  }
  return Object.keys(out).length > 0 ? { set: out, previous } : null;
}

async function pinned(run: Run, row: TicketRow, versionId: string): Promise<CachedVersion> {
  const version = await run.versions.get(run.query, row.org_id, versionId);
  if (!version) throw new Error(`Ticket ${row.id} is pinned to version ${versionId}, which is missing`);
  return version;
}

const KEY_CONSTRAINT = 'idempotency_keys_org_id_key_pk';

/** A move statement whose answer was lost with its connection: it may or may not have committed. */
const UNKNOWN = Symbol('unknown outcome');

/**
 * Runs the move statement. Null: it did not land (the compare-and-set or a guard failed). A move on the
 * pool has committed when it returns: live updates hear of it now. A caller's transaction notes it
 * after its own commit (`changeOf`). `UNKNOWN`: the connection was lost before the answer (on the pool
 * only; a caller's transaction is lost with it, and the caller hears the error).
 */
async function write(run: Run, move: PreparedMove): Promise<MoveResult | null | typeof UNKNOWN> {
  try {
    const result = await writeMove(run.query, move.write);
    if (result && !run.options.query) noteChange(run.database, changeOf({ move }));
    return result;
  } catch (error) {
    // The key is used (a retry in flight, or a request on another ticket): its unique index refused
    // the key row, so nothing was written. The caller reads and classifies (replay or reuse).
    if (sqlState(error) === '23505' && move.write.key && constraintOf(error) === KEY_CONSTRAINT) return null;
    if (run.cached && isConnectionError(error)) {
      // What this process remembers of the ticket may be one move behind, or not: forget it.
      run.tickets.delete(run.ref.ticketId);
      return UNKNOWN;
    }
    throw error;
  }
}

/**
 * Decides a move whose statement's answer was lost with its connection, from a fresh read (never by
 * sending it again as it was):
 * - the key is used: the move (or a retry of the same request) landed — `replay` answers as the first;
 * - the ticket is still where the move started: it did not land, and is made once more from this read
 *   (the compare-and-set and the key still guard it); a second loss is `DatabaseUnavailableError`;
 * - the ticket moved on: the event at the move's sequence number is compared with this move's — its
 *   own means it landed (answered as landed, and announced now); anything else is a conflict.
 */
async function settle(
  run: Run,
  before: TicketRow,
  planned: { move: PreparedMove; version: CachedVersion | null },
  again: boolean,
): Promise<AdvanceResult> {
  const { move } = planned;
  const fresh = await read(run);
  if (!fresh) return { ok: false, reason: 'not_found' };
  run.tickets.observe(rowOf(fresh));
  if (fresh.key_hash !== null) {
    noteChange(run.database, { orgId: fresh.org_id, ticketId: fresh.id, seq: fresh.seq });
    return classify(run, fresh) ?? { ok: false, reason: 'conflict', seq: fresh.seq };
  }
  if (fresh.seq === move.write.expectedSeq) {
    if (again)
      throw new DatabaseUnavailableError(new Error('The connection was lost twice while writing a move'));
    return moveAfterRead(run, true);
  }
  if (fresh.seq >= move.row.seq) {
    const result = await retryOnConnectionError(() => ownEvent(run, move));
    if (result) {
      if (fresh.seq === move.row.seq) landed(run, move);
      noteChange(run.database, changeOf({ move }));
      return { ok: true, before, move, result, version: planned.version };
    }
  }
  return classify(run, fresh) ?? { ok: false, reason: 'conflict', seq: fresh.seq };
}

/**
 * The move's result when the event at its sequence number is its own (same type, actor, time and
 * data: the data carries the move's input and trail), else null.
 */
async function ownEvent(run: Run, move: PreparedMove): Promise<MoveResult | null> {
  const { event } = move.write;
  const rows = await run.query<{ ours: boolean; team_name: string | null; assignee_name: string | null }>(
    `SELECT (e.type = $3 AND e.actor_id IS NOT DISTINCT FROM $4::uuid
             AND e.actor_token_id IS NOT DISTINCT FROM $10::uuid AND e.created_at = $5::timestamptz AND e.data = $6::jsonb) AS ours,
            (SELECT name FROM teams WHERE org_id = $2::uuid AND id = $7::uuid) AS team_name,
            (SELECT name FROM users WHERE id = $8::uuid) AS assignee_name
       FROM ticket_events e WHERE e.ticket_id = $1::uuid AND e.org_id = $2::uuid AND e.seq = $9::int`,
    [
      move.row.id,
      move.row.org_id,
      event.type,
      event.actorId,
      move.write.now,
      event.data,
      move.row.team_id,
      move.row.assignee_id,
      move.row.seq,
      event.actorTokenId,
    ],
  );
  const row = rows[0];
  return row?.ours ? { seq: move.row.seq, team_name: row.team_name, assignee_name: row.assignee_name } : null;
}

/** The cache moves on to the state after a move (with the names its answer showed, when it read them). */
function landed(run: Run, move: PreparedMove, names: CachedNames | null = null): void {
  if (run.cached) run.tickets.set(names ? { row: rowOf(move.row), names } : { row: rowOf(move.row) });
}

/**
 * How long the team's and assignee's names a move read are reused by the ticket's next moves: a team or
 * person renamed meanwhile shows in a move's answer at most this late (every read of the ticket is fresh).
 */
const NAMES_REUSED_MS = 30_000;

/** The names cached with the ticket, when the move keeps its team and assignee and they are recent. */
function namesStillKnown(hit: CachedTicket, move: PreparedMove, now: number): CachedNames | null {
  const names = hit.names;
  if (!names || now - names.readAt > NAMES_REUSED_MS || now < names.readAt) return null;
  return names.teamId === move.row.team_id && names.assigneeId === move.row.assignee_id ? names : null;
}

/** The names a move's statement read, to be kept with the ticket's new state. */
function namesOf(move: PreparedMove, result: MoveResult, now: number): CachedNames | null {
  if (!move.write.names) return null;
  return {
    teamId: move.row.team_id,
    teamName: result.team_name,
    assigneeId: move.row.assignee_id,
    assigneeName: result.assignee_name,
    readAt: now,
  };
}

/** What live updates are told of a landed move. */
export function changeOf(advanced: Pick<Advanced, 'move'>): TicketChange {
  const { row } = advanced.move;
  return { orgId: row.org_id, ticketId: row.id, seq: row.seq };
}

/** The move's own event as the ticket page shows it. */
export function eventViewOf(move: PreparedMove, actorName: string | null): TicketEventView {
  return {
    seq: move.row.seq,
    type: move.write.event.type,
    actorName,
    fromNode: move.write.event.fromNode,
    toNode: move.row.node_id,
    data: move.view,
    createdAt: move.write.now,
  };
}

/** The move's messages as the conversation shows them: the reply made with it, then the flow's messages. */
export function messageViewsOf(move: PreparedMove, replyAuthor: string | null = null): TicketMessageView[] {
  const reply = move.write.reply;
  const replies: TicketMessageView[] = reply
    ? [
        {
          id: reply.id,
          authorKind: 'agent',
          authorName: replyAuthor,
          body: reply.body,
          createdAt: new Date(Date.parse(move.write.now) - 1).toISOString(),
        },
      ]
    : [];
  return replies.concat(
    move.planned.messages.map((m) => ({
      id: m.id,
      authorKind: 'system',
      authorName: null,
      body: m.body,
      createdAt: move.write.now,
    })),
  );
}

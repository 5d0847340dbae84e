import type { Database } from '@stepwise/db';
import type { Priority, TicketEdit } from '@stepwise/flow';
import type { Caller } from '../trpc.ts';
import { type AdvanceInput, type AdvanceResult, advanceTicket } from './advanceTicket.ts';
import { refuse } from './runtimeError.ts';
import { poolQuery } from './sql.ts';

const TICKET_NOT_FOUND = 'This ticket does not exist in your organization.';
const MOVED = 'This ticket changed while you were looking at it. Here is where it is now.';
/** A move made without an expected sequence number is tried again this often when another lands first. */
const ATTEMPTS = 3;

type Worker = Caller & { userId: string };

/**
 * One move of the agent workspace through the one pipeline. With `expectedSeq` it is a compare-and-set
 * on what the caller saw (a conflict is the caller's to resolve); without, a move that loses to another
 * is made again from the fresh state (a note, or an edit of one attribute, does not depend on the rest).
 */
async function workMove(
  database: Database,
  caller: Worker,
  ticketId: string,
  input: AdvanceInput,
  expectedSeq: number | undefined,
  now: Date,
): Promise<AdvanceResult> {
  let result: AdvanceResult = { ok: false, reason: 'not_found' };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    result = await advanceTicket(database, { ticketId }, caller, input, { now, expectedSeq });
    if (result.ok || result.reason !== 'conflict' || expectedSeq !== undefined) return result;
  }
  return result;
}

/** The ticket's sequence number after a move, or the runtime's refusal in the caller's words. */
function seqOrRefuse(result: AdvanceResult, forbidden: string): number {
  if (result.ok) return result.move.row.seq;
  switch (result.reason) {
    case 'unchanged':
      return result.seq;
    case 'not_found':
      return refuse('not_found', TICKET_NOT_FOUND);
    case 'forbidden':
      return refuse('forbidden', forbidden);
    case 'conflict':
      return refuse('conflict', MOVED, { seq: result.seq });
    case 'replay':
      return refuse('conflict', MOVED);
    case 'refused':
      return refuse('conflict', result.error.message);
    case 'unmappable':
      throw new Error('Only a migration is unmappable');
  }
}

const NOT_YOURS =
  'This ticket belongs to a team you are not on and is not assigned to you: ask its team or a manager.';

/**
 * An internal note: a `note.added` event, for the people of the organization only. It is never a message
 * of the conversation, so it is never sent to the customer nor posted as `message.created`.
 */
export async function addNote(
  database: Database,
  caller: Worker,
  input: { ticketId: string; body: string },
  now: Date,
): Promise<number> {
  const result = await workMove(
    database,
    caller,
    input.ticketId,
    { type: 'note', body: input.body },
    undefined,
    now,
  );
  return seqOrRefuse(result, NOT_YOURS);
}

/**
 * A hand edit of priority, category, tags or custom fields: one `ticket.edited` event holding the new
 * and the replaced values; the flow's decisions after it see the new ones. Nothing changed: no event.
 */
export async function editTicket(
  database: Database,
  caller: Worker,
  input: { ticketId: string; set: TicketEdit; expectedSeq?: number | undefined },
  now: Date,
): Promise<number> {
  const result = await workMove(
    database,
    caller,
    input.ticketId,
    { type: 'edit', set: input.set },
    input.expectedSeq,
    now,
  );
  return seqOrRefuse(result, NOT_YOURS);
}

/** The team and person a reassignment names, checked to be the organization's (an enabled member). */
async function checkTarget(
  database: Database,
  orgId: string,
  target: { teamId?: string | undefined; assigneeId?: string | null | undefined },
): Promise<void> {
  const query = poolQuery(database);
  if (target.teamId !== undefined) {
    const team = await query('SELECT 1 FROM teams WHERE org_id = $1::uuid AND id = $2::uuid', [
      orgId,
      target.teamId,
    ]);
    if (team.length === 0) refuse('not_found', 'This team does not exist in your organization.');
  }
  if (target.assigneeId) {
    const member = await query(
      'SELECT 1 FROM memberships WHERE org_id = $1::uuid AND user_id = $2::uuid AND disabled_at IS NULL',
      [orgId, target.assigneeId],
    );
    if (member.length === 0) refuse('not_found', 'This person is not an active member of your organization.');
  }
}

/**
 * Hands a ticket to a named agent (it keeps its team) or to a team (nobody on it yet, unless an agent
 * is named too), with the reason: one `ticket.reassigned` event.
 */
export async function reassignTicket(
  database: Database,
  caller: Worker,
  input: {
    ticketId: string;
    teamId?: string | undefined;
    assigneeId?: string | undefined;
    reason: string;
    expectedSeq?: number | undefined;
  },
  now: Date,
): Promise<number> {
  await checkTarget(database, caller.orgId, input);
  const move: AdvanceInput = {
    type: 'reassign',
    assigneeId: input.assigneeId ?? null,
    reason: input.reason,
    ...(input.teamId !== undefined ? { teamId: input.teamId } : {}),
  };
  const result = await workMove(database, caller, input.ticketId, move, input.expectedSeq, now);
  return seqOrRefuse(result, NOT_YOURS);
}

/** What a bulk action does to each selected ticket. */
export type BulkAction =
  | { kind: 'assign'; assigneeId: string }
  | { kind: 'take' }
  | { kind: 'priority'; priority: Priority }
  | { kind: 'tag'; tag: string };

/** How one selected ticket fared. */
export type BulkRowResult = {
  ticketId: string;
  /** `applied`: moved; `unchanged`: it already was so (no event); anything else: not moved, and why. */
  outcome: 'applied' | 'unchanged' | 'conflict' | 'forbidden' | 'not_found' | 'refused';
  /** The ticket's sequence number now, when known. */
  seq: number | null;
  message: string | null;
};

export type BulkResult = { results: BulkRowResult[]; applied: number; failed: number };

/** Tickets moved at once by one bulk action (each still its own compare-and-set). */
const BULK_CONCURRENCY = 4;

function bulkInputOf(caller: Worker, action: BulkAction): AdvanceInput {
  switch (action.kind) {
    case 'assign':
      return { type: 'assign', assigneeId: action.assigneeId };
    case 'take':
      return { type: 'assign', assigneeId: caller.userId };
    case 'priority':
      return { type: 'edit', set: { priority: action.priority } };
    case 'tag':
      return { type: 'edit', set: {}, addTags: [action.tag] };
  }
}

function rowResultOf(ticketId: string, result: AdvanceResult): BulkRowResult {
  if (result.ok) return { ticketId, outcome: 'applied', seq: result.move.row.seq, message: null };
  switch (result.reason) {
    case 'unchanged':
      return { ticketId, outcome: 'unchanged', seq: result.seq, message: null };
    case 'conflict':
      return { ticketId, outcome: 'conflict', seq: result.seq, message: MOVED };
    case 'replay':
      return { ticketId, outcome: 'conflict', seq: null, message: MOVED };
    case 'forbidden':
      return {
        ticketId,
        outcome: 'forbidden',
        seq: null,
        message: 'You may not change this ticket (an agent takes tickets of their teams; a manager assigns).',
      };
    case 'not_found':
      return { ticketId, outcome: 'not_found', seq: null, message: TICKET_NOT_FOUND };
    case 'refused':
      return { ticketId, outcome: 'refused', seq: null, message: result.error.message };
    case 'unmappable':
      throw new Error('Only a migration is unmappable');
  }
}

/**
 * One action on many tickets: each is its own compare-and-set at the sequence number the caller saw it
 * at, so a ticket that moved meanwhile is reported (not changed over what someone else just did), and
 * the others are applied.
 */
export async function bulkWork(
  database: Database,
  caller: Worker,
  input: { tickets: ReadonlyArray<{ ticketId: string; expectedSeq: number }>; action: BulkAction },
  now: Date,
): Promise<BulkResult> {
  if (input.action.kind === 'assign') await checkTarget(database, caller.orgId, input.action);
  const move = bulkInputOf(caller, input.action);
  const results: BulkRowResult[] = new Array(input.tickets.length);
  let next = 0;
  const worker = async () => {
    while (next < input.tickets.length) {
      const i = next++;
      const row = input.tickets[i];
      if (!row) continue;
      const result = await advanceTicket(database, { ticketId: row.ticketId }, caller, move, {
        now,
        expectedSeq: row.expectedSeq,
      });
      results[i] = rowResultOf(row.ticketId, result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(BULK_CONCURRENCY, input.tickets.length) }, worker));
  const applied = results.filter((r) => r.outcome === 'applied' || r.outcome === 'unchanged').length;
  return { results, applied, failed: results.length - applied };
}

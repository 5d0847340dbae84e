import type { Database } from '@stepwise/db';
import type { EngineError } from '@stepwise/flow';
import { advanceTicket } from './advanceTicket.ts';
import type { TicketRow } from './ticketState.ts';
import type { VersionCache } from './versionCache.ts';

export type ApplyResult =
  | { ok: true; seq: number; row: TicketRow }
  | { ok: false; reason: 'not_found' | 'not_running' | 'conflict' }
  | { ok: false; reason: 'refused'; error: EngineError };

/**
 * Feeds an event from outside the ticket's flow (a customer reply, a finished subflow) to a ticket,
 * through the one pipeline, as the runtime (no person's access applies). `expectedSeq`, when given,
 * refuses the move if the ticket moved on since (a subflow resumes only the entry that started it).
 */
export async function applyEngineEvent(
  database: Database,
  cache: VersionCache,
  input: {
    ticketId: string;
    orgId: string;
    event: { type: 'customer_replied' } | { type: 'subflow_completed' };
    actorId: string | null;
    now: Date;
    expectedSeq?: number;
  },
): Promise<ApplyResult> {
  const result = await advanceTicket(
    database,
    { ticketId: input.ticketId },
    { orgId: input.orgId, userId: input.actorId, role: 'system', name: null },
    input.event,
    { now: input.now, expectedSeq: input.expectedSeq, versions: cache },
  );
  if (result.ok) return { ok: true, seq: result.move.row.seq, row: result.move.row };
  switch (result.reason) {
    case 'not_found':
      return { ok: false, reason: 'not_found' };
    case 'conflict':
    case 'forbidden':
    case 'replay':
      return { ok: false, reason: 'conflict' };
    case 'unmappable':
      throw new Error('Only a migration is unmappable');
    case 'unchanged':
      throw new Error('Only an edit or a reassignment can change nothing');
    case 'refused':
      return result.error.code === 'NOT_STARTED'
        ? { ok: false, reason: 'not_running' }
        : { ok: false, reason: 'refused', error: result.error };
  }
}

import type { EngineError, EngineEvent } from '@stepwise/flow';
import { transition } from '@stepwise/flow';
import { prepareMove } from './prepareMove.ts';
import type { Query } from './sql.ts';
import { runStateOf, type TicketRow, ticketColumns } from './ticketState.ts';
import type { VersionCache } from './versionCache.ts';
import { writeMove } from './writeMove.ts';

export type ApplyResult =
  | { ok: true; seq: number; row: TicketRow }
  | { ok: false; reason: 'not_found' | 'not_running' | 'conflict' }
  | { ok: false; reason: 'refused'; error: EngineError };

/**
 * Feeds one engine event (a customer reply, a finished subflow) to a ticket and writes the move with
 * the same compare-and-set as a completion: read the ticket, run the engine, write the event, timers,
 * messages in one statement that lands only if the ticket is still at the sequence it was read at
 * (or at `expectedSeq`, when given).
 */
export async function applyEngineEvent(
  query: Query,
  cache: VersionCache,
  input: {
    ticketId: string;
    orgId: string;
    event: EngineEvent;
    eventType: string;
    actorId: string | null;
    now: Date;
    expectedSeq?: number;
  },
): Promise<ApplyResult> {
  const rows = await query<TicketRow>(
    `SELECT ${ticketColumns('t')} FROM tickets t WHERE t.id = $1::uuid AND t.org_id = $2::uuid`,
    [input.ticketId, input.orgId],
  );
  const row = rows[0];
  if (!row) return { ok: false, reason: 'not_found' };
  if (input.expectedSeq !== undefined && row.seq !== input.expectedSeq)
    return { ok: false, reason: 'conflict' };
  const state = runStateOf(row);
  if (!state || !row.version_id) return { ok: false, reason: 'not_running' };
  const version = await cache.get(query, row.org_id, row.version_id);
  if (!version) throw new Error(`Ticket ${row.id} is pinned to version ${row.version_id}, which is missing`);
  const result = transition(version.document, state, input.event, { now: input.now.getTime() });
  if (!result.ok) return { ok: false, reason: 'refused', error: result.error };
  const move = await prepareMove(query, {
    row,
    state: result.state,
    effects: result.effects,
    trail: result.events,
    engineInput: input.event,
    eventType: input.eventType,
    actorId: input.actorId,
    now: input.now,
  });
  const landed = await writeMove(query, move.write);
  if (!landed) return { ok: false, reason: 'conflict' };
  return { ok: true, seq: landed.seq, row: move.row };
}

import { type Database, withOrg } from '@stepwise/db';
import { noteChange, type TicketChange } from '../live/hub.ts';
import { advanceTicket, changeOf } from './advanceTicket.ts';
import { inSavepoint, inTransaction, type Query } from './sql.ts';
import { type VersionCache, versionCache } from './versionCache.ts';

type DueTimer = {
  id: string;
  org_id: string;
  ticket_id: string;
  seq: number;
  kind: 'sla' | 'wait' | 'timeout';
  node_id: string;
};

export type FireOptions = { batch?: number; cache?: VersionCache; onError?: (error: unknown) => void };

/**
 * Fires the timers due at `now`, at most `batch` of them, in one transaction. The claim is
 * `FOR UPDATE SKIP LOCKED`, so several servers polling at once take disjoint timers. Each timer fires
 * by the same compare-and-set as a completion (the ticket must still be at the timer's sequence number:
 * the move that entered the node, or a later one that kept the ticket there), and is marked fired in the same statement; a timer whose ticket moved on
 * is marked cancelled, never fired. Returns the number of timers fired.
 */
export async function fireDueTimers(
  database: Database,
  now: Date,
  options: FireOptions = {},
): Promise<number> {
  return (await fireTimerBatch(database, now, options)).fired;
}

/** One batch of `fireDueTimers`, also telling how many were claimed (a full batch: more may be due). */
export async function fireTimerBatch(
  database: Database,
  now: Date,
  options: FireOptions,
): Promise<{ claimed: number; fired: number }> {
  const cache = options.cache ?? versionCache;
  const batch = options.batch ?? 100;
  const nowIso = now.toISOString();
  const moved: TicketChange[] = [];
  const outcome = await inTransaction(database, async (tx) => {
    // The claim locks each timer's ticket with it. A move takes the ticket's row first and then its
    // timers (a completion voids them); a claim that took only the timers and reached for the ticket
    // later would wait on that move while the move waits on it: a deadlock. A ticket moving right now
    // is skipped, and its timer is left for the next round.
    // Timers of every organization, through the narrowly granted claim function (it takes the same
    // locks); each timer then fires acting for its own organization.
    const due = await tx<DueTimer>(
      'SELECT id, org_id, ticket_id, seq, kind, node_id FROM stepwise_claim_timers($1::timestamptz, $2::int)',
      [nowIso, batch],
    );
    let fired = 0;
    for (const timer of due) {
      try {
        // A savepoint per timer: one that fails is left for the next tick without undoing the others.
        const change = await inSavepoint(tx, 'fire_timer', async () => {
          // The claim's transaction acts for the timer's organization until the next timer.
          await tx(`SELECT set_config('app.org_id', $1, true)`, [timer.org_id]);
          return withOrg(timer.org_id, () => fireOne(database, tx, cache, timer, now));
        });
        if (change) {
          moved.push(change);
          fired++;
        }
      } catch (error) {
        (options.onError ?? defaultOnError)(error);
      }
    }
    return { claimed: due.length, fired };
  });
  // Committed: live updates hear of the moves now.
  for (const change of moved) noteChange(database, change);
  return outcome;
}

function defaultOnError(error: unknown): void {
  console.error('[stepwise timers] a timer failed to fire; it will be retried:', error);
}

async function cancel(tx: Query, timer: DueTimer, now: Date): Promise<null> {
  await tx('UPDATE timers SET cancelled_at = $2::timestamptz WHERE org_id = $3::uuid AND id = $1::bigint', [
    timer.id,
    now.toISOString(),
    timer.org_id,
  ]);
  return null;
}

async function fireOne(
  database: Database,
  tx: Query,
  cache: VersionCache,
  timer: DueTimer,
  now: Date,
): Promise<TicketChange | null> {
  const result = await advanceTicket(
    database,
    { ticketId: timer.ticket_id },
    { orgId: timer.org_id, userId: null, role: 'system', name: null },
    { type: 'timer_fired', kind: timer.kind, nodeId: timer.node_id },
    // The ticket must still be at the timer's sequence number: that of the move that entered the node,
    // carried along by moves that kept the ticket there (an assignment).
    // The claim's transaction: the move runs on its connection.
    { now, expectedSeq: timer.seq, firedTimerId: timer.id, query: tx, versions: cache },
  );
  // Moved on, gone, or a timer that no longer applies where the ticket is (STALE_TIMER): void.
  if (!result.ok) return cancel(tx, timer, now);
  return changeOf(result);
}

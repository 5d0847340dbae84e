import type { Database } from '@stepwise/db';
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
 * by the same compare-and-set as a completion (the ticket must still be at the sequence number it had
 * when it entered the node), and is marked fired in the same statement; a timer whose ticket moved on
 * is marked cancelled, never fired. Returns the number of timers fired.
 */
export async function fireDueTimers(
  database: Database,
  now: Date,
  options: FireOptions = {},
): Promise<number> {
  return (await fireBatch(database, now, options)).fired;
}

async function fireBatch(
  database: Database,
  now: Date,
  options: FireOptions,
): Promise<{ claimed: number; fired: number }> {
  const cache = options.cache ?? versionCache;
  const batch = options.batch ?? 100;
  const nowIso = now.toISOString();
  const moved: TicketChange[] = [];
  const outcome = await inTransaction(database, async (tx) => {
    const due = await tx<DueTimer>(
      `SELECT id::text AS id, org_id, ticket_id, seq, kind, node_id FROM timers
        WHERE fired_at IS NULL AND cancelled_at IS NULL AND due_at <= $1::timestamptz
        ORDER BY due_at, id LIMIT $2::int
        FOR UPDATE SKIP LOCKED`,
      [nowIso, batch],
    );
    let fired = 0;
    for (const timer of due) {
      try {
        // A savepoint per timer: one that fails is left for the next tick without undoing the others.
        const change = await inSavepoint(tx, 'fire_timer', () => fireOne(database, tx, cache, timer, now));
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
  await tx('UPDATE timers SET cancelled_at = $2::timestamptz WHERE id = $1::bigint', [
    timer.id,
    now.toISOString(),
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
    // The ticket must still be at the sequence number it had when it entered the timer's node.
    // The claim's transaction: the move runs on its connection.
    { now, expectedSeq: timer.seq, firedTimerId: timer.id, query: tx, versions: cache },
  );
  // Moved on, gone, or a timer that no longer applies where the ticket is (STALE_TIMER): void.
  if (!result.ok) return cancel(tx, timer, now);
  return changeOf(result);
}

export type TimerPoller = {
  /** Fires what is due now (tests: advance the clock, then tick). Resolves to the number fired. */
  tick(): Promise<number>;
  /** Stops polling and waits for a tick in progress. */
  stop(): Promise<void>;
};

/**
 * Polls for due timers every `intervalMs` (default 1 s, so timers fire to the minute with room to
 * spare). Safe to run in every server: the claim skips timers another poller holds.
 */
export function startTimerPoller(options: {
  db: Database;
  now: () => Date;
  intervalMs?: number;
  batch?: number;
  cache?: VersionCache;
  onError?: (error: unknown) => void;
}): TimerPoller {
  const intervalMs = options.intervalMs ?? 1000;
  const onError = options.onError ?? defaultOnError;
  let stopped = false;
  let running: Promise<number> | null = null;
  let timer: NodeJS.Timeout | null = null;

  const tick = async (): Promise<number> => {
    // One tick at a time per poller; a tick asked for during one waits for it, then runs.
    while (running) await running.catch(() => 0);
    const batch = options.batch ?? 100;
    const fire = async () => {
      let total = 0;
      // A full batch may mean more are due: keep going (a bounded number of rounds) before sleeping.
      for (let round = 0; round < 10 && !stopped; round++) {
        const { claimed, fired } = await fireBatch(options.db, options.now(), {
          batch,
          cache: options.cache,
          onError,
        });
        total += fired;
        if (claimed < batch) break;
      }
      return total;
    };
    running = fire();
    try {
      return await running;
    } finally {
      running = null;
    }
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      tick().then(schedule, (error: unknown) => {
        onError(error);
        schedule();
      });
    }, intervalMs);
    timer.unref();
  };
  schedule();

  return {
    tick,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (running) await running.catch(() => 0);
    },
  };
}

import { type Database, withOrg } from '@stepwise/db';
import { deliverDueMail, type SendMail } from '../mail/outgoingMail.ts';
import { deliverDueWebhooks } from '../webhooks/deliverDueWebhooks.ts';
import { fireTimerBatch } from './fireDueTimers.ts';
import { runDueEffects } from './runDueEffects.ts';
import type { VersionCache } from './versionCache.ts';

/** The kinds of background work, in the order a round does them. */
export type RuntimeStep = 'timers' | 'effects' | 'webhooks' | 'mail';

export type RuntimeLoopOptions = {
  now?: () => Date;
  /** How long the loop sleeps after a round that found nothing to do (default 1 s). */
  intervalMs?: number;
  /** Timers fired per transaction (default 100); a round takes up to 10 full batches. */
  timerBatch?: number;
  cache?: VersionCache;
  /** Where customers reach this app (the server's `PUBLIC_URL`): feedback links are built on it. */
  publicUrl?: string;
  /** The HTTP client of webhook deliveries (tests may inject one); default the global fetch. */
  fetch?: typeof fetch;
  /** Sends the outgoing-mail outbox (invitations, sign-up links); without it the outbox is left alone. */
  sendMail?: SendMail;
  onError?: (error: unknown, step: RuntimeStep) => void;
};

export type RuntimeLoop = {
  /** Runs one round now (after the one in progress, if any): due timers, then effects, then deliveries. */
  tick(): Promise<void>;
  /** Asks for a round soon (a committed move may have left effects): coalesces a burst into one round. */
  nudge(): void;
  /** Stops the loop and waits for the round in progress. */
  stop(): Promise<void>;
};

/** Rounds of full timer batches one round takes before it lets the other steps run. */
const TIMER_ROUNDS = 10;
const NUDGE_DELAY_MS = 20;

function defaultOnError(error: unknown, step: RuntimeStep): void {
  console.error(`[stepwise runtime] ${step} failed; the work will be retried:`, error);
}

/**
 * The one background loop of a server. A round fires the due SLA/wait timers (each through the move
 * pipeline), performs the outbox of moves' after-commit effects, delivers the due webhooks, then sends the
 * outgoing mail (when given a sender). Every step leases its work `FOR UPDATE SKIP LOCKED`, so any number
 * of servers run it against one database and each piece of work is done by one of them. A round that found work is followed by another at
 * once (a timer's move may leave effects, an effect a delivery); otherwise the loop sleeps
 * `intervalMs`. One step failing does not keep the others from running. A lost database connection is
 * one more failure: the work in flight stays due (its lease lapses with the connection), and a round at
 * most `intervalMs` later takes it up again once the database answers.
 */
export function startRuntimeLoop(database: Database, options: RuntimeLoopOptions = {}): RuntimeLoop {
  const now = options.now ?? (() => new Date());
  const intervalMs = options.intervalMs ?? 1000;
  const timerBatch = options.timerBatch ?? 100;
  const report = options.onError ?? defaultOnError;
  let stopped = false;
  let running: Promise<boolean> | null = null;
  let handle: NodeJS.Timeout | null = null;
  let nudged = false;

  /** One round; true when it did work (so the next round should not wait). */
  const round = async (): Promise<boolean> => {
    let busy = false;
    const onTimers = (error: unknown) => report(error, 'timers');
    try {
      for (let i = 0; i < TIMER_ROUNDS && !stopped; i++) {
        const { claimed, fired } = await fireTimerBatch(database, now(), {
          batch: timerBatch,
          cache: options.cache,
          onError: onTimers,
        });
        // A timer that failed stays due: only fired ones count as progress (no hot loop on a failure).
        if (fired > 0) busy = true;
        if (claimed < timerBatch) break;
      }
    } catch (error) {
      onTimers(error);
    }
    const onEffects = (error: unknown) => report(error, 'effects');
    try {
      const claimed = await runDueEffects(database, now(), {
        cache: options.cache,
        publicUrl: options.publicUrl,
        onError: onEffects,
      });
      if (claimed > 0) busy = true;
    } catch (error) {
      onEffects(error);
    }
    const onWebhooks = (error: unknown) => report(error, 'webhooks');
    try {
      const attempted = await deliverDueWebhooks(database, now(), {
        fetch: options.fetch,
        onError: onWebhooks,
      });
      if (attempted > 0) busy = true;
    } catch (error) {
      onWebhooks(error);
    }
    const onMail = (error: unknown) => report(error, 'mail');
    if (options.sendMail) {
      try {
        const attempted = await deliverDueMail(database, now(), { send: options.sendMail, onError: onMail });
        if (attempted > 0) busy = true;
      } catch (error) {
        onMail(error);
      }
    }
    return busy;
  };

  const run = async (): Promise<boolean> => {
    // One round at a time per loop; a round asked for during one waits for it, then runs.
    while (running) await running.catch(() => false);
    // The loop acts for no organization; each row it takes is worked acting for the row's own.
    running = withOrg(null, round);
    try {
      return await running;
    } finally {
      running = null;
    }
  };

  const schedule = (delay: number) => {
    if (stopped) return;
    if (handle) clearTimeout(handle);
    handle = setTimeout(() => {
      handle = null;
      run().then(
        (busy) => schedule(busy ? 0 : intervalMs),
        () => schedule(intervalMs),
      );
    }, delay);
    handle.unref();
  };
  schedule(intervalMs);

  return {
    async tick() {
      await run();
    },
    nudge() {
      if (nudged || stopped) return;
      nudged = true;
      setTimeout(() => {
        nudged = false;
        if (!stopped) schedule(0);
      }, NUDGE_DELAY_MS).unref();
    },
    async stop() {
      stopped = true;
      if (handle) clearTimeout(handle);
      handle = null;
      if (running) await running.catch(() => false);
    },
  };
}

import { isIP } from 'node:net';
import type { Database } from '@stepwise/db';
import { TRPCError } from '@trpc/server';
import { ErrorDetails, fail } from '../trpc.ts';
import { admitHash, type HashOptions, type HashTicket, PasswordCheckBusy } from './password.ts';

/**
 * Request limits kept in the database (`rate_limits`), so they hold across every server on one database
 * and across restarts.
 *
 * The design: one row per limit and key holds a fixed window — `hits` since the window began and
 * `resets_at`, when it ends. The window starts at the first counted attempt, so a key may spend `max`
 * attempts per window and then waits for `resets_at`. Checking and counting is ONE statement
 * (`INSERT … ON CONFLICT DO UPDATE … WHERE hits < max`) over every row an attempt touches: a row's count
 * moves only under its row lock and only while under its limit, so 40 parallel guesses at a limit of 10
 * get exactly 10 through, on any number of servers. The rows of one statement are always taken in the
 * same (scope, key) order, so two attempts never deadlock. An attempt is counted up front, before the
 * password is hashed (counting after the check would let every guess already in flight through); a
 * password that turns out right gives its count back, and clears the account's counts.
 *
 * Only the rows of keys in use exist, and rows whose window has passed are pruned (at most once a minute
 * per server, by whichever request comes then, in batches), so the table holds the keys used within the
 * last window: a flood refused by a limit writes nothing, and what log-ins count is bounded by the global
 * ceiling. A fixed window lets a patient guesser spend up to twice the limit around a window's end; the
 * long-run rate is the limit. docs/login-limits.md has the numbers and the trade-offs.
 */
export type Limit = {
  /** The row's scope (what is counted). */
  scope: string;
  /** Attempts a key may spend per window. */
  max: number;
  windowMs: number;
};

const MINUTE = 60_000;

/**
 * The log-in limits (also for a sign-up with an existing email and for a password change, which check a
 * password too). Failed attempts count; a right password gives its count back.
 */
export const LOGIN_LIMITS = {
  /** One email from one address: someone mistyping, or one attacker guessing one account. */
  pair: { scope: 'login:pair', max: 10, windowMs: 15 * MINUTE },
  /**
   * One email from any address: guessing one account from many addresses. Three times the pair's limit,
   * so a single address can never lock the owner out (its pair limit stops it first).
   */
  account: { scope: 'login:account', max: 30, windowMs: 15 * MINUTE },
  /** All failures from one address (an IPv6 address counts as its /64): one source guessing many accounts. */
  address: { scope: 'login:address', max: 50, windowMs: 15 * MINUTE },
  /** Distinct emails failing from one address: password spraying (a few guesses at many accounts). */
  spray: { scope: 'login:spray', max: 20, windowMs: 15 * MINUTE },
  /**
   * Failures across the whole service per minute: far above what people mistyping produce, it is reached
   * only by guessing from many addresses at once, and then slows everyone's log-in until the minute ends.
   */
  global: { scope: 'login:global', max: 300, windowMs: MINUTE },
} as const satisfies Record<string, Limit>;

export type LoginLimits = { [K in keyof typeof LOGIN_LIMITS]: Limit };

/** The public feedback page (opening and answering a link): per client address. */
export const FEEDBACK_LIMIT: Limit = { scope: 'feedback:address', max: 30, windowMs: 10 * MINUTE };

/**
 * The key of a client address: an IPv4 address (also when it arrives IPv4-mapped, `::ffff:a.b.c.d`) as
 * is; an IPv6 address as its /64, the block one subscriber gets (counting single IPv6 addresses would give
 * a client 2^64 fresh keys). Anything else (`local` for in-process callers) as is.
 */
export function addressKeyOf(address: string): string {
  const ip = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  if (isIP(ip) !== 6) return ip;
  const [head = '', tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => (Number.parseInt(g, 16) || 0).toString(16))
    .join(':')}::/64`;
}

/** One row an attempt counts on; `unlessLive`: counted only while the request's row of that scope has no count. */
type Count = { limit: Limit; key: string; unlessLive?: string };

/** A row an attempt counted on (to give it back): its window's end tells the window apart from a later one. */
type Counted = { scope: string; key: string; resetsAt: Date };

type Taken =
  | { ok: true; counted: Counted[] }
  | { ok: false; counted: Counted[]; blocking: Limit; retryAfterMs: number };

type TakeRow = {
  scope: string;
  key: string;
  max_hits: number;
  hits: number;
  resets_at: Date | string | null;
  bumped: boolean;
};

/**
 * Counts one attempt on every row at once, or on none: `live` reads the rows' current windows, `counted`
 * drops a spray row whose pair already has a count (that email is not new for this address), `verdict`
 * refuses when any row is at its limit (then nothing is written), and `bumped` counts — each row under its
 * own lock, and only while still under its limit (a concurrent attempt may have filled it since `live`
 * read it: then that row is not bumped and the caller gives the others back).
 */
const TAKE_SQL = `
WITH wanted AS (
  SELECT * FROM unnest($2::text[], $3::text[], $4::int[], $5::int[], $6::text[])
    AS w(scope, key, max_hits, window_ms, unless_live)
), live AS (
  SELECT w.scope, w.key, w.max_hits, w.window_ms, w.unless_live,
         CASE WHEN r.resets_at > $1 THEN r.hits ELSE 0 END AS hits,
         CASE WHEN r.resets_at > $1 THEN r.resets_at END AS resets_at
    FROM wanted w LEFT JOIN rate_limits r ON r.scope = w.scope AND r.key = w.key
), counted AS (
  SELECT l.* FROM live l
   WHERE l.unless_live IS NULL
      OR NOT EXISTS (SELECT 1 FROM live m WHERE m.scope = l.unless_live AND m.hits > 0)
), verdict AS (
  SELECT NOT EXISTS (SELECT 1 FROM counted WHERE hits >= max_hits) AS ok
), bumped AS (
  INSERT INTO rate_limits AS r (scope, key, hits, resets_at)
  SELECT c.scope, c.key, 1, $1::timestamptz + c.window_ms * interval '1 millisecond'
    FROM counted c
   WHERE (SELECT ok FROM verdict)
   ORDER BY c.scope, c.key
  ON CONFLICT (scope, key) DO UPDATE
     SET hits = CASE WHEN r.resets_at > $1 THEN r.hits + 1 ELSE 1 END,
         resets_at = CASE WHEN r.resets_at > $1 THEN r.resets_at ELSE excluded.resets_at END
   WHERE r.resets_at <= $1
      OR r.hits < (SELECT c.max_hits FROM counted c WHERE c.scope = r.scope AND c.key = r.key)
  RETURNING r.scope, r.key, r.hits, r.resets_at
)
SELECT c.scope, c.key, c.max_hits, coalesce(b.hits, c.hits) AS hits,
       coalesce(b.resets_at, c.resets_at) AS resets_at, b.key IS NOT NULL AS bumped
  FROM counted c LEFT JOIN bumped b ON b.scope = c.scope AND b.key = c.key`;

/**
 * Gives counts back: rows of the `clear` scopes are deleted, the others lose one hit — each only while it
 * is still the window the attempt counted in. Rows are locked in (scope, key) order, as `TAKE_SQL` takes them.
 */
const GIVE_BACK_SQL = `
WITH given AS (
  SELECT * FROM unnest($2::text[], $3::text[], $4::text[]) AS g(scope, key, resets_at)
), locked AS (
  SELECT r.scope, r.key FROM rate_limits r JOIN given g
      ON g.scope = r.scope AND g.key = r.key AND g.resets_at::timestamptz = r.resets_at
   ORDER BY r.scope, r.key
     FOR UPDATE OF r
), cleared AS (
  DELETE FROM rate_limits r USING locked l
   WHERE r.scope = l.scope AND r.key = l.key AND r.scope = ANY($5::text[])
  RETURNING 1
), returned AS (
  UPDATE rate_limits r SET hits = greatest(r.hits - 1, 0) FROM locked l
   WHERE r.scope = l.scope AND r.key = l.key AND NOT (r.scope = ANY($5::text[])) AND r.resets_at > $1
  RETURNING 1
)
SELECT (SELECT count(*) FROM cleared)::int + (SELECT count(*) FROM returned)::int AS n`;

/** Deletes up to `batch` rows whose window has passed; rows another statement holds are left for next time. */
const PRUNE_SQL = `
DELETE FROM rate_limits r USING (
  SELECT scope, key FROM rate_limits WHERE resets_at <= $1 ORDER BY resets_at LIMIT $2 FOR UPDATE SKIP LOCKED
) old
 WHERE r.scope = old.scope AND r.key = old.key`;

const PRUNE_EVERY_MS = MINUTE;
const PRUNE_BATCH = 5000;
/** Batches one pruning run deletes at most (the next run, a minute later, goes on). */
const PRUNE_BATCHES = 20;
const nextPruneAt = new WeakMap<Database, number>();

async function take(db: Database, counts: Count[], now: Date): Promise<Taken> {
  await pruneNow(db, now);
  const rows = await db.query<TakeRow>(TAKE_SQL, [
    now.toISOString(),
    counts.map((c) => c.limit.scope),
    counts.map((c) => c.key),
    counts.map((c) => c.limit.max),
    counts.map((c) => c.limit.windowMs),
    counts.map((c) => c.unlessLive ?? null),
  ]);
  const counted = rows
    .filter((r) => r.bumped && r.resets_at !== null)
    .map((r) => ({ scope: r.scope, key: r.key, resetsAt: new Date(r.resets_at as Date | string) }));
  if (counted.length === rows.length) return { ok: true, counted };
  // The row that refuses longest decides when to come back; one filled by a concurrent attempt since this
  // statement read it (not bumped, yet under its limit as read) waits for its window too.
  const atLimit = rows.filter((r) => !r.bumped && r.hits >= r.max_hits);
  let blocking: Limit | null = null;
  let retryAfterMs = 0;
  for (const row of atLimit.length > 0 ? atLimit : rows.filter((r) => !r.bumped)) {
    const limit = counts.find((c) => c.limit.scope === row.scope)?.limit;
    if (!limit) continue;
    const end = row.resets_at === null ? now.getTime() + limit.windowMs : new Date(row.resets_at).getTime();
    const wait = Math.max(1000, end - now.getTime());
    if (!blocking || wait > retryAfterMs) {
      blocking = limit;
      retryAfterMs = wait;
    }
  }
  if (!blocking) throw new Error('rate_limits: a refused attempt named no limit');
  return { ok: false, counted, blocking, retryAfterMs };
}

async function giveBack(db: Database, counted: Counted[], clear: string[], now: Date): Promise<void> {
  if (counted.length === 0) return;
  await db.query(GIVE_BACK_SQL, [
    now.toISOString(),
    counted.map((c) => c.scope),
    counted.map((c) => c.key),
    counted.map((c) => c.resetsAt.toISOString()),
    clear,
  ]);
}

/** Deletes rows whose window ended before `now` (up to `batch`); returns how many. */
export async function pruneRateLimits(db: Database, now: Date, batch = PRUNE_BATCH): Promise<number> {
  const rows = await db.query<{ scope: string }>(`${PRUNE_SQL} RETURNING r.scope`, [
    now.toISOString(),
    batch,
  ]);
  return rows.length;
}

async function pruneNow(db: Database, now: Date): Promise<void> {
  if ((nextPruneAt.get(db) ?? 0) > now.getTime()) return;
  nextPruneAt.set(db, now.getTime() + PRUNE_EVERY_MS);
  try {
    for (let i = 0; i < PRUNE_BATCHES; i++) {
      if ((await pruneRateLimits(db, now)) < PRUNE_BATCH) break;
    }
  } catch (error) {
    // Pruning is housekeeping: a failure must not refuse a log-in; the next minute tries again.
    console.error('[stepwise] pruning rate_limits failed; retrying in a minute:', error);
  }
}

/** "in 40 seconds", "in 1 minute", "in 15 minutes". */
export function inWords(ms: number): string {
  if (ms <= 60_000) {
    const seconds = Math.max(1, Math.ceil(ms / 1000));
    return `${seconds} ${seconds === 1 ? 'second' : 'seconds'}`;
  }
  const minutes = Math.ceil(ms / 60_000);
  return `${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`;
}

/** Details of every TOO_MANY_REQUESTS: the server turns `retryAfterSeconds` into a `Retry-After` header. */
export type TooManyRequests = { retryAfterSeconds: number; limit: string };

function refuse(message: string, retryAfterMs: number, limit: string): never {
  fail('TOO_MANY_REQUESTS', message, {
    retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)),
    limit,
  } satisfies TooManyRequests);
}

/** Seconds a refused request should wait (a TOO_MANY_REQUESTS from `refuse`), else undefined. */
export function retryAfterSecondsOf(error: unknown): number | undefined {
  if (!(error instanceof TRPCError) || error.code !== 'TOO_MANY_REQUESTS') return undefined;
  const details = error.cause instanceof ErrorDetails ? error.cause.details : undefined;
  const seconds =
    details && typeof details === 'object' && 'retryAfterSeconds' in details
      ? details.retryAfterSeconds
      : undefined;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0
    ? Math.ceil(seconds)
    : undefined;
}

/** A password attempt counted against the limits. */
export type PasswordAttempt = {
  /** The password was right: the attempt's counts go back and the email's counts are cleared. */
  succeeded(): Promise<void>;
};

/**
 * Counts a password attempt for `email` from `clientIp` against the log-in limits, before the password is
 * checked; refuses with TOO_MANY_REQUESTS (and when to retry) when any limit is reached. A wrong password
 * then needs nothing more: it was counted.
 */
export async function startPasswordAttempt(
  db: Database,
  who: { email: string; clientIp: string },
  now: Date,
  limits: LoginLimits = LOGIN_LIMITS,
): Promise<PasswordAttempt> {
  const email = who.email.trim().toLowerCase();
  const address = addressKeyOf(who.clientIp);
  const taken = await take(
    db,
    [
      { limit: limits.account, key: email },
      { limit: limits.address, key: address },
      { limit: limits.global, key: 'all' },
      { limit: limits.pair, key: `${email}|${address}` },
      { limit: limits.spray, key: address, unlessLive: limits.pair.scope },
    ],
    now,
  );
  if (!taken.ok) {
    // Counted on some rows by a race with another attempt: those counts go back.
    await giveBack(db, taken.counted, [], now);
    const when = inWords(taken.retryAfterMs);
    const { blocking } = taken;
    if (blocking.scope === limits.global.scope) {
      refuse(
        `Log-in is paused for a moment: there are unusually many failed attempts across the service. Try again in ${when}.`,
        taken.retryAfterMs,
        'service',
      );
    }
    if (blocking.scope === limits.address.scope || blocking.scope === limits.spray.scope) {
      refuse(
        `Too many failed log-in attempts from your network. Try again in ${when}.`,
        taken.retryAfterMs,
        'address',
      );
    }
    refuse(`Too many failed log-in attempts. Try again in ${when}.`, taken.retryAfterMs, 'account');
  }
  let settled = false;
  return {
    async succeeded() {
      if (settled) return;
      settled = true;
      await giveBack(db, taken.counted, [limits.account.scope, limits.pair.scope], now);
    },
  };
}

/**
 * Runs `work` (a password hash for a client, with no password to check: a sign-up request) in the client
 * address's lane of the hashing queue; a full lane is refused at once, like a password check.
 */
export async function inHashLane<T>(clientIp: string, work: (hash: HashOptions) => Promise<T>): Promise<T> {
  let ticket: HashTicket;
  try {
    ticket = admitHash(addressKeyOf(clientIp));
  } catch (error) {
    if (!(error instanceof PasswordCheckBusy)) throw error;
    refuse('Too many requests from your network at once. Try again in a moment.', error.retryAfterMs, 'busy');
  }
  try {
    return await work({ ticket });
  } finally {
    ticket.release();
  }
}

/**
 * A password check from a client, in the order that keeps a flood cheap: admission to the client
 * address's lane of the hashing queue (a full lane is refused at once: no database, no hashing), then the
 * attempt is counted against the limits (`startPasswordAttempt`), then `verify` runs with the ticket its
 * hashing must use. Returns what `verify` returned and the attempt, to call `succeeded()` on.
 */
export async function checkPassword<T>(
  db: Database,
  who: { email: string; clientIp: string },
  now: Date,
  verify: (hash: HashOptions) => Promise<T>,
  limits: LoginLimits = LOGIN_LIMITS,
): Promise<{ result: T; attempt: PasswordAttempt }> {
  let ticket: HashTicket;
  try {
    ticket = admitHash(addressKeyOf(who.clientIp));
  } catch (error) {
    if (!(error instanceof PasswordCheckBusy)) throw error;
    refuse(
      'Too many log-in attempts from your network at once. Try again in a moment.',
      error.retryAfterMs,
      'busy',
    );
  }
  try {
    const attempt = await startPasswordAttempt(db, who, now, limits);
    return { result: await verify({ ticket }), attempt };
  } finally {
    ticket.release();
  }
}

/**
 * Counts one request of the public feedback page from `clientIp`; refuses with TOO_MANY_REQUESTS once the
 * address has spent its requests for the window.
 */
export async function limitFeedback(
  db: Database,
  clientIp: string,
  now: Date,
  limit: Limit = FEEDBACK_LIMIT,
): Promise<void> {
  const taken = await take(db, [{ limit, key: addressKeyOf(clientIp) }], now);
  if (!taken.ok) {
    refuse(
      `Too many requests for feedback links from your network. Try again in ${inWords(taken.retryAfterMs)}.`,
      taken.retryAfterMs,
      'address',
    );
  }
}

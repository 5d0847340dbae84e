import type { Database } from '@stepwise/db';
import { demoHistoryStart, markSeededDemo, seedDemo, seedDemoHistory } from '@stepwise/api';
import { isIP } from 'node:net';
import { TrustedProxies } from './clientAddress.ts';
import type { Logger } from './logger.ts';

/** Environment variables, as the process receives them. */
export type Env = Readonly<Record<string, string | undefined>>;

export function parsePort(value: string | undefined): number {
  if (value === undefined || value === '') return 3000;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`PORT must be a whole number from 0 to 65535, got "${value}".`);
  }
  return port;
}

/**
 * `PUBLIC_URL`: the address customers and colleagues reach this server at (links sent out of the app —
 * the customer's feedback link — are built on it). An absolute http(s) URL, optionally with a path prefix;
 * trailing slashes are dropped. Unset: `http://localhost:<port>`, fine on one machine only; returned as
 * undefined so the server fills in the port it actually listens on.
 */
export function parsePublicUrl(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const given = value.trim();
  const problem = (why: string) =>
    new Error(
      `PUBLIC_URL must be the address people open this app at, like https://support.example.com — ${why} (got "${given}").`,
    );
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw problem('it is not an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw problem('it must start with http:// or https://');
  if (url.username || url.password) throw problem('it must not contain a user name or password');
  if (url.search || url.hash || given.includes('?') || given.includes('#'))
    throw problem('it must not have a query (?…) or a fragment (#…)');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * `TRUSTED_PROXY`: the reverse proxies (load balancers) in front of this server, as comma-separated
 * addresses or CIDR ranges (`127.0.0.1`, `10.0.0.0/8`, `2001:db8::/32`). A request whose peer is one of
 * them is counted under the client address its `X-Forwarded-For` names (the log-in and feedback limits
 * are per client address); unset, the header is ignored and the peer is the client. Behind a proxy, leave
 * it unset and every visitor shares the proxy's address — and its limits.
 */
export function parseTrustedProxy(value: string | undefined): TrustedProxies | null {
  if (value === undefined || value.trim() === '') return null;
  const entries = value.split(',').map((part) => {
    const given = part.trim();
    const [address = '', prefixText, extra] = given.split('/');
    const family = isIP(address);
    const max = family === 6 ? 128 : 32;
    const prefix = prefixText === undefined ? null : Number(prefixText);
    if (
      family === 0 ||
      extra !== undefined ||
      (prefix !== null && (!/^\d{1,3}$/.test(prefixText ?? '') || prefix > max))
    ) {
      throw new Error(
        `TRUSTED_PROXY must list the addresses of the proxies in front of this server, separated by commas, each an IP address or a range like 10.0.0.0/8 (got "${given}" in "${value}").`,
      );
    }
    return { address, prefix };
  });
  return new TrustedProxies(entries);
}

/**
 * An on/off setting: `1`, `true` or `on`; `0`, `false` or `off` (any case); unset or empty gives
 * `fallback`. Anything else stops the process with a message naming the setting and what each value does.
 */
function switchOf(env: Env, name: string, fallback: boolean, meaning: { on: string; off: string }): boolean {
  const value = env[name]?.trim().toLowerCase();
  if (value === undefined || value === '') return fallback;
  if (value === '1' || value === 'true' || value === 'on') return true;
  if (value === '0' || value === 'false' || value === 'off') return false;
  throw new Error(`${name} must be 1 (${meaning.on}) or 0 (${meaning.off}), got "${env[name]}".`);
}

/**
 * `STEPWISE_ALLOW_LOCAL_URLS`: whether Slack and Teams channel URLs may be plain http:// to this machine
 * (127.0.0.1, localhost) — for development and tests against a local receiver. Off by default: channel
 * URLs are secrets and must be https://.
 */
export function allowLocalUrlsOf(env: Env): boolean {
  return switchOf(env, 'STEPWISE_ALLOW_LOCAL_URLS', false, {
    on: 'allow http://127.0.0.1 channel URLs',
    off: 'https:// only',
  });
}

/**
 * Demo mode (`STEPWISE_DEMO`): whether an empty database gets the demo organization. On by default for
 * the embedded database (`npm start` is a one-command demo), off by default with `DATABASE_URL` (a real
 * deployment); `STEPWISE_DEMO=1` or `0` decides either way.
 */
export function demoModeOf(env: Env): boolean {
  return switchOf(env, 'STEPWISE_DEMO', !env.DATABASE_URL, { on: 'demo organization on', off: 'off' });
}

/**
 * `STEPWISE_DEMO_HISTORY`: whether a newly seeded demo organization also gets its history (weeks of
 * finished tickets, filled in the background after the server starts). On by default; `0` leaves it out.
 */
export function demoHistoryOf(env: Env): boolean {
  return switchOf(env, 'STEPWISE_DEMO_HISTORY', true, {
    on: "seed the demo's history",
    off: 'leave it out',
  });
}

/**
 * In demo mode, seeds the demo organization into an empty database (and logs its logins); else nothing.
 * With `history`, its first versions date from the history's first day: the caller then fills the history
 * with `fillDemoHistory` (at `now`, the same instant).
 */
export async function prepareDemo(
  db: Database,
  demo: boolean,
  logger: Logger,
  options: { history?: boolean; now?: Date } = {},
): Promise<boolean> {
  if (!demo) {
    logger.info('demo.off', {});
    return false;
  }
  const now = options.now ?? new Date();
  const seeded = await seedDemo(db, {
    now,
    ...(options.history ? { publishedAt: demoHistoryStart(now) } : {}),
  });
  if (!seeded) {
    // Not empty: a demo organization seeded by an older version gets the mark the log-in page looks for.
    if (await markSeededDemo(db)) logger.info('seed.marked', {});
    return false;
  }
  logger.info('seed.created', { org: seeded.orgName });
  for (const login of seeded.logins)
    logger.info('seed.login', { role: login.role, email: login.email, password: login.password });
  return true;
}

/**
 * Fills the demo organization's history up to `now` (the instant it was seeded at), logging its progress.
 * Aborted, it takes no new ticket and works the ones in flight to their end (a second or two), so the
 * history it leaves holds only finished tickets. Never rejects: a failure is logged.
 */
export async function fillDemoHistory(
  db: Database,
  options: { now: Date; logger: Logger; signal?: AbortSignal },
): Promise<void> {
  const { logger } = options;
  logger.info('demo.history_started', {});
  try {
    const result = await seedDemoHistory(db, {
      now: options.now,
      signal: options.signal,
      onProgress: (progress) => logger.info('demo.history_progress', { ...progress }),
    });
    if (!result) return logger.info('demo.history_skipped', {});
    logger.info('demo.history_seeded', {
      tickets: result.tickets,
      moves: result.moves,
      ratings: result.ratings,
      aborted: result.aborted,
      ms: result.ms,
      movesPerSecond: Math.round((result.moves / Math.max(1, result.ms)) * 1000),
    });
  } catch (error) {
    logger.error('demo.history_failed', { error });
  }
}

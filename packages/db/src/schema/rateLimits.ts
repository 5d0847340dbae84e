import { index, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Counters of the request limits that must hold across every server on one database and across restarts
 * (failed log-ins per account, per address, per address's distinct accounts, per minute overall; the public
 * feedback page per address). One row per (scope, key) and window: `hits` counted since the window began,
 * `resets_at` when it ends. A row whose window has passed counts as no row, and is pruned.
 *
 * Why a table of fixed windows rather than a log of attempts: each check is one `INSERT … ON CONFLICT DO
 * UPDATE` on one small row per limit (atomic under any concurrency, no read-then-write race), the table
 * holds at most one row per key in use, and pruning is a range delete on `resets_at`.
 * packages/api/src/auth/rateLimits.ts holds the statements; docs/login-limits.md the limits and their numbers.
 */
export const rateLimits = pgTable(
  'rate_limits',
  {
    /** What is counted: `login:account`, `login:pair`, `login:address`, `login:spray`, `login:global`, `feedback:address`. */
    scope: text('scope').notNull(),
    /** Whose count: an email, a client address (an IPv6 one as its /64), `email|address`, or `all`. */
    key: text('key').notNull(),
    hits: integer('hits').notNull(),
    resetsAt: timestamp('resets_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index('rate_limits_resets_at_idx').on(t.resetsAt)],
);

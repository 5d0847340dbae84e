import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '@stepwise/db';
import { TRPCError } from '@trpc/server';
import type { Caller } from '../trpc.ts';

/** `sw_` + 43 base64url characters (32 random bytes). */
const TOKEN_RE = /^sw_[A-Za-z0-9_-]{43}$/;

export function newApiToken(): { token: string; hash: string; prefix: string } {
  const token = `sw_${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashApiToken(token), prefix: token.slice(0, 10) };
}

export function hashApiToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The bearer token of an `Authorization` header, or null when there is none. */
export function bearerOf(header: string | null): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

/**
 * The caller behind an API token (role `api`, no user), in one round trip that also records when it
 * was last used (at most once a minute). An unknown, malformed or revoked token is UNAUTHORIZED.
 */
export async function resolveApiToken(db: Database, token: string, now: Date): Promise<Caller> {
  if (!TOKEN_RE.test(token)) {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'This API token is not valid.' });
  }
  const rows = await db.query<{ id: string; org_id: string; name: string }>(
    `WITH tok AS (
       SELECT id, org_id, name, last_used_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL),
     used AS (
       UPDATE api_tokens SET last_used_at = $2::timestamptz
        WHERE (org_id, id) = (SELECT org_id, id FROM tok)
          AND (last_used_at IS NULL OR last_used_at < $2::timestamptz - interval '1 minute'))
     SELECT id, org_id, name FROM tok`,
    [hashApiToken(token), now.toISOString()],
  );
  const row = rows[0];
  if (!row)
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'This API token is not valid or was revoked.' });
  return { userId: null, orgId: row.org_id, role: 'api', name: `API token “${row.name}”`, email: '' };
}

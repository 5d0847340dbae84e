import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '@stepwise/db';
import { TRPCError } from '@trpc/server';
import { iso } from '../runtime/sql.ts';
import type { Caller } from '../trpc.ts';
import { scopesOf } from './tokenScopes.ts';

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
 * The caller behind an API token (role `api`, no user, the token's scopes), in one round trip that also
 * records when it was last used (at most once a minute). An unknown, malformed, revoked or expired token
 * is UNAUTHORIZED, with a message that says which.
 */
export async function resolveApiToken(db: Database, token: string, now: Date): Promise<Caller> {
  if (!TOKEN_RE.test(token)) {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'This API token is not valid.' });
  }
  // Before the organization is known: through the narrowly granted `stepwise_api_token` function.
  const rows = await db.query<{
    id: string;
    org_id: string;
    name: string;
    scopes: string[];
    expires_at: string | null;
    revoked_at: string | null;
  }>(
    `SELECT id, org_id, name, scopes, ${iso('expires_at')} AS expires_at, ${iso('revoked_at')} AS revoked_at
       FROM stepwise_api_token($1, $2::timestamptz)`,
    [hashApiToken(token), now.toISOString()],
  );
  const row = rows[0];
  if (!row) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'This API token is not valid.' });
  if (row.revoked_at !== null) {
    throw new TRPCError({
      code: 'UNAUTHORIZED',
      message: `This API token was revoked (${row.revoked_at}); ask an admin for a new one.`,
    });
  }
  if (row.expires_at !== null && Date.parse(row.expires_at) <= now.getTime()) {
    throw new TRPCError({
      code: 'UNAUTHORIZED',
      message: `This API token expired at ${row.expires_at}; ask an admin for a new one.`,
    });
  }
  return {
    userId: null,
    orgId: row.org_id,
    role: 'api',
    name: botNameOf(row.name),
    email: '',
    token: { id: row.id, scopes: scopesOf(row.scopes) },
  };
}

/** How a token's moves and messages are signed: the same words the ticket page reads back. */
export function botNameOf(tokenName: string): string {
  return `Bot: ${tokenName}`;
}

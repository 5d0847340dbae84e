import { createHash, randomBytes } from 'node:crypto';
import { type Database, type Db, type Role, sessions } from '@stepwise/db';
import { and, eq, lt } from 'drizzle-orm';
import type { Caller } from '../trpc.ts';

export const SESSION_COOKIE = 'sw_session';
export const SESSION_TTL_MS = 14 * 24 * 60 * 60 * 1000;

/** 32 random bytes in base64url: 43 characters. */
const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Only the SHA-256 of a token is stored: a leaked sessions table opens no session. */
export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function cookieAttributes(): string {
  return `HttpOnly; SameSite=Lax; Path=/${process.env.COOKIE_SECURE === 'true' ? '; Secure' : ''}`;
}

export function sessionCookie(token: string, maxAgeMs = SESSION_TTL_MS): string {
  return `${SESSION_COOKIE}=${token}; Max-Age=${Math.floor(maxAgeMs / 1000)}; ${cookieAttributes()}`;
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Max-Age=0; ${cookieAttributes()}`;
}

/** Opens a session for a member of an organization; returns the raw token (for the cookie only). */
export async function createSession(
  db: Db,
  input: { orgId: string; userId: string; now: Date },
): Promise<{ token: string; expiresAt: Date }> {
  const token = newSessionToken();
  const expiresAt = new Date(input.now.getTime() + SESSION_TTL_MS);
  // Housekeeping: the user's expired sessions go when they open a new one.
  await db.delete(sessions).where(and(eq(sessions.userId, input.userId), lt(sessions.expiresAt, input.now)));
  await db.insert(sessions).values({
    tokenHash: hashSessionToken(token),
    orgId: input.orgId,
    userId: input.userId,
    createdAt: input.now,
    expiresAt,
  });
  return { token, expiresAt };
}

type SessionRow = { user_id: string; org_id: string; role: Role; name: string; email: string };

/**
 * The caller behind a session token, in one round trip: the session must be unexpired and the user's
 * membership in the session's organization not disabled.
 */
export async function resolveSession(
  db: Database,
  token: string | null,
  now: Date = new Date(),
): Promise<Caller | null> {
  if (!token || !TOKEN_RE.test(token)) return null;
  const rows = await db.query<SessionRow>(
    `SELECT u.id AS user_id, m.org_id, m.role, u.name, u.email
       FROM sessions s
       JOIN memberships m ON m.org_id = s.org_id AND m.user_id = s.user_id
       JOIN users u ON u.id = s.user_id
      WHERE s.token_hash = $1 AND s.expires_at > $2::timestamptz AND m.disabled_at IS NULL`,
    [hashSessionToken(token), now.toISOString()],
  );
  const row = rows[0];
  if (!row) return null;
  return { userId: row.user_id, orgId: row.org_id, role: row.role, name: row.name, email: row.email };
}

export async function deleteSession(db: Db, token: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.tokenHash, hashSessionToken(token)));
}

/** Ends every session of a user in one organization (their membership was disabled). */
export async function deleteMemberSessions(db: Db, orgId: string, userId: string): Promise<void> {
  await db.delete(sessions).where(and(eq(sessions.orgId, orgId), eq(sessions.userId, userId)));
}

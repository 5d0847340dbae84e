import { createHash, randomBytes } from 'node:crypto';
import { type Database, type Db, type Role, sessions } from '@stepwise/db';
import { and, eq, lt } from 'drizzle-orm';
import { iso } from '../runtime/sql.ts';
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

/** The browser a session was opened from, as its owner sees it in their list of sessions. */
export type SessionClient = { userAgent: string | null; clientIp: string | null };

/** Opens a session for a member of an organization; returns the raw token (for the cookie only). */
export async function createSession(
  db: Db,
  input: { orgId: string; userId: string; now: Date; client?: SessionClient },
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
    lastSeenAt: input.now,
    userAgent: input.client?.userAgent?.slice(0, MAX_USER_AGENT) ?? null,
    clientIp: input.client?.clientIp?.slice(0, 64) ?? null,
  });
  return { token, expiresAt };
}

const MAX_USER_AGENT = 512;

/** How stale a session's `last_seen_at` may get before a request writes it again. */
export const LAST_SEEN_GRANULARITY_MS = 5 * 60_000;

type SessionRow = {
  user_id: string;
  org_id: string;
  role: Role;
  name: string;
  email: string;
  expires_at: string;
};

/**
 * How long this process trusts a session it resolved without asking the database again. A request
 * then costs no session read, which matters on the hot path (an agent completing steps). What ends or
 * changes a session here (log out, a disabled member, a role change, a new password) clears the cache
 * after its commit, so this server stops honouring it at once; another server stops within this time.
 */
export const SESSION_CACHE_MS = 2_000;
const SESSION_CACHE_SIZE = 10_000;

type CachedSession = { caller: Caller; expiresAt: number; until: number };
const sessionCache = new Map<string, CachedSession>();
/** Bumped by every clear: a read that began before one must not store what it read. */
let sessionGeneration = 0;

/** Forgets every cached session (call after committing anything that ends or changes sessions). */
export function forgetSessions(): void {
  sessionGeneration++;
  sessionCache.clear();
}

/**
 * The caller behind a session token: the session must be unexpired and the user's membership in the
 * session's organization not disabled. One read, then trusted for `SESSION_CACHE_MS`.
 */
export async function resolveSession(
  db: Database,
  token: string | null,
  now: Date = new Date(),
): Promise<Caller | null> {
  if (!token || !TOKEN_RE.test(token)) return null;
  const hash = hashSessionToken(token);
  const hit = sessionCache.get(hash);
  if (hit && hit.until > performance.now() && hit.expiresAt > now.getTime()) return hit.caller;
  const generation = sessionGeneration;
  // The same statement marks the session seen, at most once per LAST_SEEN_GRANULARITY_MS (a write per
  // request would cost more than "last seen" is worth).
  // Before the organization is known: through the narrowly granted `stepwise_session` function.
  const rows = await db.query<SessionRow>(
    `SELECT user_id, org_id, role, name, email, ${iso('expires_at')} AS expires_at
       FROM stepwise_session($1, $2::timestamptz, $3::int)`,
    [hash, now.toISOString(), LAST_SEEN_GRANULARITY_MS],
  );
  const row = rows[0];
  if (!row) {
    sessionCache.delete(hash);
    return null;
  }
  const caller: Caller = {
    userId: row.user_id,
    orgId: row.org_id,
    role: row.role,
    name: row.name,
    email: row.email,
  };
  if (generation === sessionGeneration) {
    sessionCache.delete(hash);
    sessionCache.set(hash, {
      caller,
      expiresAt: Date.parse(row.expires_at),
      until: performance.now() + SESSION_CACHE_MS,
    });
    if (sessionCache.size > SESSION_CACHE_SIZE) {
      const oldest = sessionCache.keys().next().value;
      if (oldest !== undefined) sessionCache.delete(oldest);
    }
  }
  return caller;
}

export async function deleteSession(db: Db, token: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.tokenHash, hashSessionToken(token)));
  forgetSessions();
}

/**
 * Ends every session of a user in one organization (their membership was disabled). Inside a
 * transaction: the caller calls `forgetSessions` after its commit.
 */
export async function deleteMemberSessions(db: Db, orgId: string, userId: string): Promise<void> {
  await db.delete(sessions).where(and(eq(sessions.orgId, orgId), eq(sessions.userId, userId)));
  forgetSessions();
}

/** One of a person's sessions, as their list shows it. */
export type SessionView = {
  id: string;
  createdAt: string;
  lastSeenAt: string | null;
  expiresAt: string;
  userAgent: string | null;
  clientIp: string | null;
  /** The session of the request asking. */
  current: boolean;
};

/** A person's unexpired sessions in one organization, the current one first, then the most recently seen. */
export async function listSessions(
  db: Database,
  input: { orgId: string; userId: string; currentToken: string | null; now: Date },
): Promise<SessionView[]> {
  const current = input.currentToken ? hashSessionToken(input.currentToken) : null;
  return db.query<SessionView>(
    `SELECT id, ${iso('created_at')} AS "createdAt", ${iso('last_seen_at')} AS "lastSeenAt",
            ${iso('expires_at')} AS "expiresAt", user_agent AS "userAgent", client_ip AS "clientIp",
            token_hash = $3 AS current
       FROM sessions
      WHERE org_id = $1::uuid AND user_id = $2::uuid AND expires_at > $4::timestamptz
      ORDER BY token_hash = $3 DESC, coalesce(last_seen_at, created_at) DESC, id`,
    [input.orgId, input.userId, current ?? '', input.now.toISOString()],
  );
}

/**
 * Ends sessions of a person in one organization: one (`sessionId`), or all of them (`keepToken`: all but
 * the session with that token). Returns how many ended, and whether the one of `currentToken` was among
 * them. This server stops honouring them at once; other servers within SESSION_CACHE_MS.
 */
export async function endSessions(
  db: Database,
  input: {
    orgId: string;
    userId: string;
    sessionId?: string;
    keepToken?: string | null;
    currentToken: string | null;
  },
): Promise<{ ended: number; endedCurrent: boolean }> {
  const keep = input.keepToken ? hashSessionToken(input.keepToken) : null;
  const current = input.currentToken ? hashSessionToken(input.currentToken) : null;
  const rows = await db.query<{ token_hash: string }>(
    `DELETE FROM sessions
      WHERE org_id = $1::uuid AND user_id = $2::uuid
        AND ($3::uuid IS NULL OR id = $3::uuid)
        AND ($4::text IS NULL OR token_hash <> $4::text)
      RETURNING token_hash`,
    [input.orgId, input.userId, input.sessionId ?? null, keep],
  );
  forgetSessions();
  return { ended: rows.length, endedCurrent: current !== null && rows.some((r) => r.token_hash === current) };
}

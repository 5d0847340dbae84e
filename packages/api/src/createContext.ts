import { type Database, withOrg } from '@stepwise/db';
import { bearerOf, resolveApiToken } from './auth/apiTokens.ts';
import { resolveSession, SESSION_COOKIE } from './auth/sessions.ts';
import { isConnectionError, retryOnConnectionError, unavailableTrpcError } from './services/dbUnavailable.ts';
import type { Context } from './trpc.ts';

/**
 * The context of one request. `clientIp` (the socket's address, set by the server) keys the login rate
 * limit; it rides along on the context so procedures can read it with `clientIpOf`.
 */
export type RequestContext = Context & {
  clientIp: string;
  userAgent: string | null;
  /** The `Idempotency-Key` header (intake's retries), or null. */
  idempotencyKey: string | null;
};

export type ContextRequest = {
  headers: Headers;
  /** Receives Set-Cookie values (log in / log out); omitted = cookies are dropped. */
  setCookie?: (cookie: string) => void;
  /** The peer address; omitted = 'local' (in-process callers). */
  clientIp?: string;
};

export type ContextFactory = (request: ContextRequest) => Promise<RequestContext>;

/**
 * Builds the per-request context: an `Authorization: Bearer sw_…` API token (role `api`; an invalid or
 * revoked one is UNAUTHORIZED), else the session cookie, resolves into the caller.
 */
export function createContextFactory(options: {
  db: Database;
  now?: () => Date;
  /** The server's `PUBLIC_URL` (read per request: the server knows its port once it listens). */
  publicUrl?: () => string;
  /** Channel URLs may be http:// on this machine (development and tests only). */
  allowLocalUrls?: boolean;
}): ContextFactory {
  const { db } = options;
  const now = options.now ?? (() => new Date());
  return async (request) => {
    const bearer = bearerOf(request.headers.get('authorization'));
    const sessionToken = bearer
      ? null
      : (parseCookies(request.headers.get('cookie'))[SESSION_COOKIE] ?? null);
    // A read: retried once on a lost connection; still unreachable, the request is answered 503.
    const caller = await retryOnConnectionError(() =>
      withOrg(null, () =>
        bearer ? resolveApiToken(db, bearer, now()) : resolveSession(db, sessionToken, now()),
      ),
    ).catch((error: unknown) => {
      throw isConnectionError(error) ? unavailableTrpcError(error) : error;
    });
    return {
      db,
      caller,
      now,
      setCookie: request.setCookie ?? (() => {}),
      sessionToken,
      clientIp: request.clientIp ?? 'local',
      ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
      ...(options.allowLocalUrls ? { allowLocalUrls: true } : {}),
      userAgent: request.headers.get('user-agent'),
      idempotencyKey: request.headers.get('idempotency-key'),
    };
  };
}

/** The browser of a request (its User-Agent and address), recorded with a session it opens. */
export function clientOf(ctx: Context): { userAgent: string | null; clientIp: string | null } {
  const userAgent = 'userAgent' in ctx && typeof ctx.userAgent === 'string' ? ctx.userAgent : null;
  const ip = clientIpOf(ctx);
  return { userAgent, clientIp: ip === 'local' || ip === 'unknown' ? null : ip };
}

/** The request's `Idempotency-Key` header (null when absent, or the context did not come from the server). */
export function idempotencyHeaderOf(ctx: Context): string | null {
  return 'idempotencyKey' in ctx && typeof ctx.idempotencyKey === 'string' ? ctx.idempotencyKey : null;
}

/** The client address of a request context ('local' when the context did not come from the server). */
export function clientIpOf(ctx: Context): string {
  return 'clientIp' in ctx && typeof ctx.clientIp === 'string' ? ctx.clientIp : 'local';
}

const MAX_COOKIE_HEADER = 8192;

/**
 * Parses a Cookie header into a prototype-less record (a cookie named `__proto__` is just a key).
 * The first occurrence of a name wins, as browsers send the most specific cookie first.
 */
export function parseCookies(header: string | null | undefined): Record<string, string> {
  const cookies: Record<string, string> = Object.create(null);
  if (!header) return cookies;
  for (const part of header.slice(0, MAX_COOKIE_HEADER).split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || name in cookies) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    try {
      cookies[name] = decodeURIComponent(value);
    } catch {
      cookies[name] = value;
    }
  }
  return cookies;
}

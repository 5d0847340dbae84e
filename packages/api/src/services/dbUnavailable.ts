import { TRPCError } from '@trpc/server';
import { retryAfterSecondsOf } from '../auth/rateLimits.ts';

/** Seconds a client is asked to wait before trying again while the database is unreachable. */
export const RETRY_AFTER_SECONDS = 2;

export const UNAVAILABLE_MESSAGE =
  'The database cannot be reached right now (it may be restarting). Nothing was lost: try again in a few seconds.';

/**
 * Network errors of a connection to the database (Node's, on the socket) and the driver's own codes for a
 * connection that closed, timed out while connecting, or was ended.
 */
const CONNECTION_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
]);

/**
 * SQLSTATEs of a server that is going away or not there yet: 57P01 admin_shutdown, 57P02
 * crash_shutdown, 57P03 cannot_connect_now (starting up, in recovery), 53300 too_many_connections, and
 * class 08 (connection exceptions).
 */
function unavailableState(code: string): boolean {
  return (
    code === '57P01' || code === '57P02' || code === '57P03' || code === '53300' || code.startsWith('08')
  );
}

/**
 * The database could not be reached, or the connection was lost while a statement ran. Retrying later is
 * the right answer (the HTTP adapters send 503 with Retry-After); whether a write that was in flight
 * committed is unknown.
 */
export class DatabaseUnavailableError extends Error {
  readonly retryAfterSeconds = RETRY_AFTER_SECONDS;
  constructor(cause: unknown) {
    super(UNAVAILABLE_MESSAGE, { cause });
    this.name = 'DatabaseUnavailableError';
  }
}

/**
 * True when an error (or one of its causes: drizzle and tRPC wrap the driver's error) says the database
 * connection failed rather than the statement: the same work may succeed once the database is back.
 */
export function isConnectionError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth++) {
    if (current instanceof DatabaseUnavailableError) return true;
    const code = 'code' in current ? current.code : undefined;
    if (typeof code === 'string') {
      if (CONNECTION_CODES.has(code)) return true;
      // A socket that vanished (a Unix socket file removed by a restart) is ENOENT on `connect`.
      if (code === 'ENOENT' && 'syscall' in current && current.syscall === 'connect') return true;
      if (/^[0-9A-Z]{5}$/.test(code) && unavailableState(code)) return true;
    }
    current = 'cause' in current ? current.cause : undefined;
  }
  return false;
}

/** The tRPC error of an unreachable database: 503 with Retry-After over HTTP. */
export function unavailableTrpcError(cause: unknown): TRPCError {
  return new TRPCError({
    code: 'SERVICE_UNAVAILABLE',
    message: UNAVAILABLE_MESSAGE,
    cause: cause instanceof DatabaseUnavailableError ? cause : new DatabaseUnavailableError(cause),
  });
}

/** The pause before the one retry of idempotent work after a connection error. */
export const RETRY_DELAY_MS = 300;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs idempotent work (a read, or a write whose repetition is harmless), and once more after a short
 * pause when the database connection failed; a second connection failure is thrown as
 * `DatabaseUnavailableError`. Any other error is thrown as it is. Never use it for a write whose outcome
 * would be unknown after a lost connection: that must be read back and classified.
 */
export async function retryOnConnectionError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!isConnectionError(error)) throw error;
  }
  await sleep(RETRY_DELAY_MS);
  try {
    return await work();
  } catch (error) {
    if (isConnectionError(error)) throw new DatabaseUnavailableError(error);
    throw error;
  }
}

/**
 * The `Retry-After` (seconds) a refused call's answer carries: the wait of a limit (TOO_MANY_REQUESTS), or
 * RETRY_AFTER_SECONDS while the database is unreachable (SERVICE_UNAVAILABLE); none for anything else.
 */
export function retryAfterOf(error: TRPCError): number | undefined {
  return (
    retryAfterSecondsOf(error) ?? (error.code === 'SERVICE_UNAVAILABLE' ? RETRY_AFTER_SECONDS : undefined)
  );
}

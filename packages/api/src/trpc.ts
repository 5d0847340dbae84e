import { type Database, type Role, withOrg } from '@stepwise/db';
import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import { type ApiScope, scopeOf } from './auth/tokenScopes.ts';
import { RuntimeError, type RuntimeErrorCode } from './runtime/runtimeError.ts';
import {
  isConnectionError,
  RETRY_DELAY_MS,
  RETRY_AFTER_SECONDS,
  unavailableTrpcError,
} from './services/dbUnavailable.ts';

/** Who is calling: resolved from the session cookie (or an API token) by `createContext`. */
export type Caller = {
  userId: string | null;
  orgId: string;
  role: Role | 'api';
  name: string;
  email: string;
  /**
   * The API token behind a caller of role `api` (its moves and messages name it; its scopes gate each
   * procedure). Absent for people, and for the runtime's own intake callers.
   */
  token?: { id: string; scopes: readonly ApiScope[] };
};

/** Services the procedures use; built once per process by apps/server (and by tests). */
export type Context = {
  db: Database;
  caller: Caller | null;
  /** The injectable clock: every procedure reads time through it (tests advance it). */
  now: () => Date;
  /** Set-Cookie header values to send with the response (log in / log out). */
  setCookie: (cookie: string) => void;
  /** Raw session token from the request cookie, for log out. */
  sessionToken: string | null;
  /**
   * The address people reach this app at (the server's `PUBLIC_URL`): links sent by mail are built on it.
   * Omitted: http://localhost:3000.
   */
  publicUrl?: () => string;
  /**
   * Outbound URLs an admin enters (Slack and Teams channels) may be `http://` on this machine
   * (127.0.0.1, localhost): for development and tests only; otherwise https:// is required.
   */
  allowLocalUrls?: boolean;
};

/**
 * Who may call a procedure; the role matrix test reads it from every procedure's meta. `authenticated`
 * means any signed-in user. An API token is not a role here: the scope table (auth/tokenScopes.ts)
 * alone says which procedures a token may call.
 */
export type Access = 'public' | 'authenticated' | Role[];
export type Meta = { access: Access };

/** Structured detail attached to an error (validation issues, the fresh state on CONFLICT…). */
export class ErrorDetails extends Error {
  constructor(
    message: string,
    readonly details: unknown,
  ) {
    super(message);
  }
}

/** Throws a typed tRPC error with details a client can act on. */
export function fail(code: TRPCError['code'], message: string, details?: unknown): never {
  throw new TRPCError({
    code,
    message,
    cause: details === undefined ? undefined : new ErrorDetails(message, details),
  });
}

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    errorFormatter({ shape, error }) {
      const cause = error.cause;
      const zodIssues =
        cause instanceof ZodError
          ? cause.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))
          : undefined;
      return {
        ...shape,
        // An unexpected failure never shows its internals (SQL, parameters) to a client: the server logs them.
        message:
          error.code === 'INTERNAL_SERVER_ERROR'
            ? 'Something went wrong on our side. Please try again; if it keeps happening, contact support.'
            : zodIssues?.[0]
              ? `Invalid input${zodIssues[0].path ? ` at "${zodIssues[0].path}"` : ''}: ${zodIssues[0].message}`
              : shape.message,
        data: {
          ...shape.data,
          // Never leak a stack trace to a client.
          stack: undefined,
          details: cause instanceof ErrorDetails ? cause.details : undefined,
          retryAfterSeconds: error.code === 'SERVICE_UNAVAILABLE' ? RETRY_AFTER_SECONDS : undefined,
          zodIssues,
        },
      };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

/** The one mapping of the runtime's domain errors to tRPC codes. */
const RUNTIME_CODES = {
  not_found: 'NOT_FOUND',
  conflict: 'CONFLICT',
  forbidden: 'FORBIDDEN',
  invalid: 'BAD_REQUEST',
  precondition: 'PRECONDITION_FAILED',
  key_reused: 'UNPROCESSABLE_CONTENT',
} as const satisfies Record<RuntimeErrorCode, TRPCError['code']>;

/** A runtime refusal, as the client sees it (with its details, like `fail`). */
export function trpcErrorOf(error: RuntimeError): TRPCError {
  return new TRPCError({
    code: RUNTIME_CODES[error.code],
    message: error.message,
    cause: error.details === undefined ? undefined : new ErrorDetails(error.message, error.details),
  });
}

/**
 * Every procedure: a RuntimeError thrown below becomes its tRPC error (the runtime never throws
 * TRPCError), and a lost database connection becomes SERVICE_UNAVAILABLE (503 with Retry-After). A query
 * only reads, so one that failed on the connection runs once more after a short pause (a connection
 * dropped by a database restart is usually back by then); a mutation is not repeated here: the runtime's
 * moves read back and classify a write whose outcome is unknown themselves.
 */
const mapErrors = t.middleware(async ({ next, type }) => {
  // Acting for no organization until the caller's is known (the access check below names it).
  let result = await withOrg(null, () => next());
  if (!result.ok && type === 'query' && isConnectionError(result.error)) {
    await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
    result = await withOrg(null, () => next());
  }
  if (result.ok) return result;
  if (result.error.cause instanceof RuntimeError) throw trpcErrorOf(result.error.cause);
  if (result.error.code !== 'SERVICE_UNAVAILABLE' && isConnectionError(result.error))
    throw unavailableTrpcError(result.error.cause ?? result.error);
  return result;
});

const base = t.procedure.use(mapErrors);

/**
 * The only way to declare a procedure: `procedure('public')`, `procedure('authenticated')` or
 * `procedure(['admin', 'manager'])`. The access is checked here, before any input is read, and the
 * narrowed caller (with its organization) is in `ctx.caller`. A person is checked against the roles; an
 * API token against the scope its procedure needs (`SCOPE_OF_PROCEDURE`, by path).
 */
export function procedure(access: 'public'): typeof base;
export function procedure(access: 'authenticated' | Role[]): ReturnType<typeof authenticated>;
export function procedure(access: Access) {
  return access === 'public' ? base.meta({ access }) : authenticated(access);
}

function authenticated(access: 'authenticated' | Role[]) {
  // One middleware for both checks (each level of tRPC's chain copies the call's options).
  return base.meta({ access }).use(({ ctx, next, path }) => {
    const { caller } = ctx;
    if (!caller) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Log in to continue.' });
    if (caller.role === 'api') {
      checkTokenScope(caller, path);
    } else if (Array.isArray(access) && !access.includes(caller.role)) {
      throw new TRPCError({
        code: 'FORBIDDEN',
        message: `This needs the ${access.join(' or ')} role; you are an ${caller.role}.`,
      });
    }
    // Every statement from here on acts for the caller's organization: the row-level security policies
    // admit its rows only.
    return withOrg(caller.orgId, () => next({ ctx: { caller } }));
  });
}

/** An API token may call a procedure only with the scope the table names for it. */
function checkTokenScope(caller: Caller, path: string): void {
  const needed = scopeOf(path);
  if (needed === null) {
    throw new TRPCError({
      code: 'FORBIDDEN',
      message: `An API token cannot call ${path}: it needs a signed-in person.`,
    });
  }
  if (!caller.token?.scopes.includes(needed)) {
    throw new TRPCError({
      code: 'FORBIDDEN',
      message: `This API token lacks the scope "${needed}", which ${path} needs. An admin can create a token with it under Admin → API tokens.`,
    });
  }
}

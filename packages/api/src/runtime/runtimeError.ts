/**
 * Why the runtime refused a request, in its own words: the routers (one mapping, in trpc.ts) turn these
 * into tRPC error codes, so the runtime never speaks HTTP or tRPC.
 */
export type RuntimeErrorCode =
  /** No such ticket, flow or person in the caller's organization. */
  | 'not_found'
  /** The ticket moved first (or is not in a state that allows this); `details.fresh` may hold it now. */
  | 'conflict'
  /** The caller may not move this ticket. */
  | 'forbidden'
  /** The input itself is wrong (a form, checklist or outcome the step refuses). */
  | 'invalid'
  /** The request is well-formed but cannot apply to this ticket as it is. */
  | 'precondition'
  /** An idempotency key was already used for a different request. */
  | 'key_reused';

export class RuntimeError extends Error {
  constructor(
    readonly code: RuntimeErrorCode,
    message: string,
    /** Structured detail a client can act on (validation issues, the fresh state on a conflict). */
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'RuntimeError';
  }
}

/** Throws a RuntimeError. */
export function refuse(code: RuntimeErrorCode, message: string, details?: unknown): never {
  throw new RuntimeError(code, message, details);
}

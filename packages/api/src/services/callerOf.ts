import { type Caller, fail } from '../trpc.ts';

/**
 * The caller of a procedure declared `authenticated` or with roles. `procedure()` has already refused
 * anonymous calls, but its return type does not narrow `ctx.caller`; this narrows it (and would refuse,
 * were a procedure ever mis-declared).
 */
export function callerOf(ctx: { caller: Caller | null }): Caller {
  if (!ctx.caller) fail('UNAUTHORIZED', 'Log in to continue.');
  return ctx.caller;
}

/** The caller as a user (API tokens are refused: these procedures act for a person). */
export function userOf(ctx: { caller: Caller | null }): Caller & { userId: string } {
  const caller = callerOf(ctx);
  if (caller.userId === null) fail('FORBIDDEN', 'This needs a user session; an API token cannot do it.');
  return { ...caller, userId: caller.userId };
}

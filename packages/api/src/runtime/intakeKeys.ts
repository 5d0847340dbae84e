import { createHash } from 'node:crypto';
import { canonicalJson } from '../services/canonicalJson.ts';
import { KEY_REUSED_MESSAGE } from './completeStep.ts';
import { refuse } from './runtimeError.ts';
import type { Query } from './sql.ts';

/**
 * Idempotency keys of intake (`tickets.create`, `tickets.addMessage`), in the same table and with the
 * same promise as a step's completion: a retry with the key gets the first response and writes nothing;
 * the key on another request is refused (`key_reused`). The key row is written in the statement that
 * writes the ticket or the message (its primary key lets only one of concurrent retries land); it holds a
 * reference first (`pending`) and the response once the request has its answer — a retry that finds it
 * pending waits for it.
 */
export type IntakeKey = { key: string; hash: string };

/** The request an intake key is bound to: the operation, the caller and the input (without the key). */
export function intakeHash(op: string, callerId: string | null, request: Record<string, unknown>): string {
  return createHash('sha256')
    .update(canonicalJson({ op, callerId, ...request }))
    .digest('hex');
}

/** What the key row holds: the reference written with the ticket or message, then the response. */
export type StoredIntake<R, P> = { state: 'pending'; ref: P } | { state: 'done'; ref: P; response: R };

/** The key's row, or null when the key is unused in the organization. */
async function readKey(
  query: Query,
  orgId: string,
  key: string,
): Promise<{ hash: string; stored: unknown } | null> {
  const rows = await query<{ request_hash: string; response: unknown }>(
    'SELECT request_hash, response FROM idempotency_keys WHERE org_id = $1::uuid AND key = $2',
    [orgId, key],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    hash: row.request_hash,
    stored: typeof row.response === 'string' ? (JSON.parse(row.response) as unknown) : row.response,
  };
}

/** How long a retry waits for the first request's answer while the key is pending. */
const PENDING_WAIT_MS = 5000;
const PENDING_POLL_MS = 20;

/**
 * The first response to a used key: null when the key is unused; `key_reused` when it was used for
 * another request. While the first request is still answering, waits for it (up to 5 s); a key left
 * pending (its request's process stopped between writing and answering) is answered by `fallback` from
 * the reference.
 */
export async function replayIntake<R, P>(
  query: Query,
  orgId: string,
  key: IntakeKey,
  fallback: (ref: P) => Promise<R>,
): Promise<R | null> {
  const deadline = Date.now() + PENDING_WAIT_MS;
  for (;;) {
    const used = await readKey(query, orgId, key.key);
    if (!used) return null;
    if (used.hash !== key.hash) refuse('key_reused', KEY_REUSED_MESSAGE);
    const stored = used.stored as StoredIntake<R, P>;
    if (stored.state === 'done') return stored.response;
    if (Date.now() >= deadline) return fallback(stored.ref);
    await new Promise((resolve) => setTimeout(resolve, PENDING_POLL_MS));
  }
}

/** The text the key row holds while its request is answering. */
export function pendingIntake<P>(ref: P): string {
  return JSON.stringify({ state: 'pending', ref } satisfies StoredIntake<never, P>);
}

/** Stores the request's answer in its key row: from now on a retry gets it at once. */
export async function settleIntake<R, P>(
  query: Query,
  orgId: string,
  key: IntakeKey,
  ref: P,
  response: R,
): Promise<void> {
  await query(
    `UPDATE idempotency_keys SET response = to_jsonb($3::text)
      WHERE org_id = $1::uuid AND key = $2 AND request_hash = $4`,
    [orgId, key.key, JSON.stringify({ state: 'done', ref, response } satisfies StoredIntake<R, P>), key.hash],
  );
}

/** The idempotency key's primary key: a concurrent retry's insert fails on it. */
export const KEY_CONSTRAINT = 'idempotency_keys_org_id_key_pk';

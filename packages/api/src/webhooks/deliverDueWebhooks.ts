import { type Database, withOrg } from '@stepwise/db';
import { signWebhook } from './sign.ts';

/** Waits before attempts 2…7 (then the delivery is failed): 10 s, 1 min, 5 min, 30 min, 2 h, 6 h. */
export const RETRY_DELAYS_MS = [10_000, 60_000, 300_000, 1_800_000, 7_200_000, 21_600_000] as const;
/** A delivery being attempted is leased for this long (a crashed server's attempt is retried after it). */
const LEASE_MS = 60_000;
const TIMEOUT_MS = 10_000;

type Claimed = {
  id: string;
  org_id: string;
  url: string;
  secret: string;
  event_type: string;
  payload: Record<string, unknown>;
  attempts: number;
  created_at: string;
};

export type DeliverOptions = {
  batch?: number;
  /** The HTTP client (tests may inject one); default the global fetch. */
  fetch?: typeof fetch;
  onError?: (error: unknown) => void;
};

/**
 * One round: leases up to `batch` due deliveries (`FOR UPDATE SKIP LOCKED`, so servers take disjoint
 * ones, and no transaction stays open during the HTTP calls), POSTs each, then records the outcome.
 * Returns how many were attempted.
 */
export async function deliverDueWebhooks(
  db: Database,
  now: Date,
  options: DeliverOptions = {},
): Promise<number> {
  const nowIso = now.toISOString();
  // Deliveries of every organization, through the narrowly granted lease function; each one's outcome is
  // then written acting for its own organization.
  const claimed = await withOrg(null, () =>
    db.query<Claimed>(
      `SELECT id, org_id, url, secret, event_type, payload, attempts, created_at
         FROM stepwise_lease_webhooks($1::timestamptz, $2::int, $3::int)`,
      [nowIso, options.batch ?? 20, LEASE_MS],
    ),
  );
  await Promise.all(
    claimed.map((delivery) => withOrg(delivery.org_id, () => attempt(db, delivery, now, options))),
  );
  return claimed.length;
}

async function attempt(db: Database, delivery: Claimed, now: Date, options: DeliverOptions): Promise<void> {
  const body = JSON.stringify({
    id: delivery.id,
    type: delivery.event_type,
    createdAt: delivery.created_at,
    data: delivery.payload,
  });
  const timestamp = Math.floor(now.getTime() / 1000);
  let status: number | null = null;
  let error: string | null = null;
  try {
    const response = await (options.fetch ?? fetch)(delivery.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Stepwise-Webhooks/1',
        'webhook-id': delivery.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook(delivery.secret, delivery.id, timestamp, body),
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    status = response.status;
    await response.body?.cancel().catch(() => {});
    if (status < 200 || status >= 300) error = `The endpoint answered HTTP ${status}.`;
  } catch (cause) {
    error =
      cause instanceof Error && cause.name === 'TimeoutError'
        ? 'The endpoint did not answer within 10 seconds.'
        : `The request failed: ${cause instanceof Error ? cause.message : String(cause)}`.slice(0, 500);
  }
  try {
    if (error === null) {
      await db.query(
        `UPDATE webhook_deliveries SET status = 'delivered', delivered_at = $2::timestamptz,
                last_status_code = $3::int, last_error = NULL WHERE org_id = $4::uuid AND id = $1::uuid`,
        [delivery.id, now.toISOString(), status, delivery.org_id],
      );
    } else {
      const delay = RETRY_DELAYS_MS[delivery.attempts - 1];
      await db.query(
        `UPDATE webhook_deliveries SET status = $2, next_attempt_at = $3::timestamptz,
                last_status_code = $4::int, last_error = $5 WHERE org_id = $6::uuid AND id = $1::uuid`,
        [
          delivery.id,
          delay === undefined ? 'failed' : 'pending',
          new Date(now.getTime() + (delay ?? 0)).toISOString(),
          status,
          error,
          delivery.org_id,
        ],
      );
    }
  } catch (cause) {
    // The lease runs out and the delivery is attempted again: at least once.
    (options.onError ?? defaultOnError)(cause);
  }
}

function defaultOnError(error: unknown): void {
  console.error('[stepwise webhooks] recording a delivery failed; it will be retried:', error);
}

import { type Database, withOrg } from '@stepwise/db';
import { channelBody } from './channelBody.ts';
import { signWebhook } from './sign.ts';

/** Waits before attempts 2…7 (then the delivery is failed): 10 s, 1 min, 5 min, 30 min, 2 h, 6 h. */
export const RETRY_DELAYS_MS = [10_000, 60_000, 300_000, 1_800_000, 7_200_000, 21_600_000] as const;
/** A delivery being attempted is leased for this long (a crashed server's attempt is retried after it). */
export const LEASE_MS = 60_000;
const TIMEOUT_MS = 10_000;
/** The version of the webhook body (`"v": 1`): a receiver can tell a later shape from this one. */
export const WEBHOOK_PAYLOAD_VERSION = 1;

/** A webhook delivery, leased: its endpoint's URL and secret, its event and content. */
export type ClaimedWebhook = {
  id: string;
  org_id: string;
  url: string;
  secret: string;
  event_type: string;
  payload: Record<string, unknown>;
  attempts: number;
  created_at: string;
};

/** A channel message, leased: its channel's kind and URL, and the text. */
export type ClaimedChannelMessage = {
  id: string;
  org_id: string;
  kind: 'slack' | 'teams';
  url: string;
  text: string;
  attempts: number;
};

export type DeliverOptions = {
  batch?: number;
  /** The HTTP client (tests may inject one); default the global fetch. */
  fetch?: typeof fetch;
  onError?: (error: unknown) => void;
};

/** What one attempt came to: the HTTP status (null: no answer) and, unless it was a 2xx, why it failed. */
export type AttemptResult = { status: number | null; error: string | null };

/**
 * One round of outbound deliveries: leases up to `batch` due webhook deliveries and up to `batch` due
 * channel messages (`FOR UPDATE SKIP LOCKED`, so servers take disjoint ones, and no transaction stays open
 * during the HTTP calls), POSTs each, then records the outcome. Both outboxes are written with the moves
 * that cause them; this is the one place they are sent from. Returns how many were attempted.
 */
export async function deliverDueWebhooks(
  db: Database,
  now: Date,
  options: DeliverOptions = {},
): Promise<number> {
  const nowIso = now.toISOString();
  const batch = options.batch ?? 20;
  // Deliveries of every organization, through the narrowly granted lease functions; each one's outcome is
  // then written acting for its own organization.
  const [webhooks, messages] = await withOrg(null, () =>
    Promise.all([
      db.query<ClaimedWebhook>(
        `SELECT id, org_id, url, secret, event_type, payload, attempts, created_at
           FROM stepwise_lease_webhooks($1::timestamptz, $2::int, $3::int)`,
        [nowIso, batch, LEASE_MS],
      ),
      db.query<ClaimedChannelMessage>(
        `SELECT id, org_id, kind, url, text, attempts
           FROM stepwise_lease_channel_deliveries($1::timestamptz, $2::int, $3::int)`,
        [nowIso, batch, LEASE_MS],
      ),
    ]),
  );
  const onError = options.onError ?? defaultOnError;
  await Promise.all([
    ...webhooks.map((delivery) =>
      withOrg(delivery.org_id, async () => {
        const result = await postWebhook(delivery, now, options.fetch);
        await recordOutcome(db, 'webhook_deliveries', delivery, now, result, true).catch(onError);
      }),
    ),
    ...messages.map((message) =>
      withOrg(message.org_id, async () => {
        const result = await postChannelMessage(message, options.fetch);
        await recordOutcome(db, 'channel_deliveries', message, now, result, true).catch(onError);
      }),
    ),
  ]);
  return webhooks.length + messages.length;
}

/** The body a webhook receiver gets: versioned, with the delivery's stable id (receivers deduplicate on it). */
export function webhookBody(delivery: Pick<ClaimedWebhook, 'id' | 'event_type' | 'created_at' | 'payload'>) {
  return JSON.stringify({
    v: WEBHOOK_PAYLOAD_VERSION,
    id: delivery.id,
    type: delivery.event_type,
    createdAt: delivery.created_at,
    data: delivery.payload,
  });
}

/** POSTs a webhook delivery, signed with its endpoint's secret (Standard Webhooks headers). */
export async function postWebhook(
  delivery: ClaimedWebhook,
  now: Date,
  client: typeof fetch = fetch,
): Promise<AttemptResult> {
  const body = webhookBody(delivery);
  const timestamp = Math.floor(now.getTime() / 1000);
  return post(client, delivery.url, body, {
    'user-agent': 'Stepwise-Webhooks/1',
    'webhook-id': delivery.id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook(delivery.secret, delivery.id, timestamp, body),
  });
}

/** POSTs a channel message in the shape its service reads (Slack's `text`, a Teams Adaptive Card). */
export async function postChannelMessage(
  message: Pick<ClaimedChannelMessage, 'kind' | 'url' | 'text'>,
  client: typeof fetch = fetch,
): Promise<AttemptResult> {
  return post(client, message.url, JSON.stringify(channelBody(message.kind, message.text)), {
    'user-agent': 'Stepwise-Notify/1',
  });
}

async function post(
  client: typeof fetch,
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<AttemptResult> {
  try {
    const response = await client(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const status = response.status;
    await response.body?.cancel().catch(() => {});
    return { status, error: status >= 200 && status < 300 ? null : `The endpoint answered HTTP ${status}.` };
  } catch (cause) {
    return {
      status: null,
      error:
        cause instanceof Error && cause.name === 'TimeoutError'
          ? 'The endpoint did not answer within 10 seconds.'
          : `The request failed: ${cause instanceof Error ? cause.message : String(cause)}`.slice(0, 500),
    };
  }
}

/**
 * Records an attempt's outcome on its outbox row: delivered, or pending again after the next delay of
 * `RETRY_DELAYS_MS` (failed once they are used up, or at once when `retry` is false — a test send).
 * A failure to record leaves the lease to run out: the delivery is attempted again (at least once).
 */
export async function recordOutcome(
  db: Database,
  table: 'webhook_deliveries' | 'channel_deliveries',
  delivery: { id: string; org_id: string; attempts: number },
  now: Date,
  result: AttemptResult,
  retry: boolean,
): Promise<void> {
  if (result.error === null) {
    await db.query(
      `UPDATE ${table} SET status = 'delivered', delivered_at = $2::timestamptz,
              last_status_code = $3::int, last_error = NULL WHERE org_id = $4::uuid AND id = $1::uuid`,
      [delivery.id, now.toISOString(), result.status, delivery.org_id],
    );
    return;
  }
  const delay = retry ? RETRY_DELAYS_MS[delivery.attempts - 1] : undefined;
  await db.query(
    `UPDATE ${table} SET status = $2, next_attempt_at = $3::timestamptz,
            last_status_code = $4::int, last_error = $5 WHERE org_id = $6::uuid AND id = $1::uuid`,
    [
      delivery.id,
      delay === undefined ? 'failed' : 'pending',
      new Date(now.getTime() + (delay ?? 0)).toISOString(),
      result.status,
      result.error,
      delivery.org_id,
    ],
  );
}

function defaultOnError(error: unknown): void {
  console.error('[stepwise webhooks] recording a delivery failed; it will be retried:', error);
}

import type { Database } from '@stepwise/db';
import {
  type ClaimedChannelMessage,
  type ClaimedWebhook,
  LEASE_MS,
  postChannelMessage,
  postWebhook,
  recordOutcome,
} from './deliverDueWebhooks.ts';

/** What a test send came to (recorded in the delivery log like any delivery, and not retried). */
export type TestSendResult = {
  deliveryId: string;
  ok: boolean;
  statusCode: number | null;
  error: string | null;
};

const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The content of a `webhook.test` event: the shape of a real one, with a sample ticket and message. */
export function samplePayload(now: Date): Record<string, unknown> {
  const at = now.toISOString();
  return {
    type: 'webhook.test',
    test: true,
    ticketId: '00000000-0000-4000-8000-000000000000',
    ticketNumber: 0,
    occurredAt: at,
    ticket: {
      id: '00000000-0000-4000-8000-000000000000',
      number: 0,
      subject: 'Sample ticket: this is a test event',
      channel: 'email',
      priority: 'normal',
      category: 'billing',
      tags: ['sample'],
      status: 'at_step',
      endStatus: null,
      breached: false,
      customer: { name: 'Sample Customer', email: 'customer@example.com', tier: 'existing' },
      step: { id: 'triage', title: 'Triage the request' },
      team: { id: '00000000-0000-4000-8000-000000000001', name: 'Billing' },
      assignee: null,
      flow: { id: '00000000-0000-4000-8000-000000000002', name: 'Sample flow', versionId: null, version: 1 },
      createdAt: at,
    },
    message: {
      id: '00000000-0000-4000-8000-000000000003',
      authorKind: 'agent',
      author: { id: '00000000-0000-4000-8000-000000000004', name: 'Sample Agent' },
      body: 'This is what an agent reply looks like.',
      createdAt: at,
    },
  };
}

/**
 * Sends an endpoint a signed `webhook.test` event now: recorded as a delivery already leased (the loop
 * leaves it alone), posted, and settled without retries. Null when the organization has no such endpoint.
 */
export async function sendTestWebhook(
  db: Database,
  orgId: string,
  endpointId: string,
  now: Date,
  client: typeof fetch = fetch,
): Promise<TestSendResult | null> {
  const rows = await db.query<ClaimedWebhook>(
    `WITH d AS (
       INSERT INTO webhook_deliveries (org_id, endpoint_id, ticket_id, seq, event_type, payload, attempts,
                                       next_attempt_at, created_at)
       SELECT e.org_id, e.id, NULL, NULL, 'webhook.test', $3::jsonb, 1,
              $4::timestamptz + make_interval(secs => $5::int / 1000.0), $4::timestamptz
         FROM webhook_endpoints e WHERE e.org_id = $1::uuid AND e.id = $2::uuid
       RETURNING id, org_id, endpoint_id, event_type, payload, attempts, created_at)
     SELECT d.id, d.org_id, e.url, e.secret, d.event_type, d.payload, d.attempts, ${iso('d.created_at')} AS created_at
       FROM d JOIN webhook_endpoints e ON e.org_id = d.org_id AND e.id = d.endpoint_id`,
    [orgId, endpointId, JSON.stringify(samplePayload(now)), now.toISOString(), LEASE_MS],
  );
  const delivery = rows[0];
  if (!delivery) return null;
  const result = await postWebhook(delivery, now, client);
  await recordOutcome(db, 'webhook_deliveries', delivery, now, result, false);
  return {
    deliveryId: delivery.id,
    ok: result.error === null,
    statusCode: result.status,
    error: result.error,
  };
}

/** Posts a test message to a channel now, recorded in its log and not retried. Null: no such channel. */
export async function sendTestChannelMessage(
  db: Database,
  orgId: string,
  channelId: string,
  now: Date,
  client: typeof fetch = fetch,
): Promise<TestSendResult | null> {
  const rows = await db.query<ClaimedChannelMessage>(
    `INSERT INTO channel_deliveries (org_id, channel_id, channel_name, text, attempts, next_attempt_at, created_at)
     SELECT c.org_id, c.id, c.name, 'Stepwise test message: notify nodes can post to ' || c.name || '.', 1,
            $3::timestamptz + make_interval(secs => $4::int / 1000.0), $3::timestamptz
       FROM notification_channels c WHERE c.org_id = $1::uuid AND c.id = $2::uuid
     RETURNING id, org_id, text, attempts,
       (SELECT c.kind FROM notification_channels c WHERE c.org_id = $1::uuid AND c.id = $2::uuid) AS kind,
       (SELECT c.url FROM notification_channels c WHERE c.org_id = $1::uuid AND c.id = $2::uuid) AS url`,
    [orgId, channelId, now.toISOString(), LEASE_MS],
  );
  const message = rows[0];
  if (!message) return null;
  const result = await postChannelMessage(message, client);
  await recordOutcome(db, 'channel_deliveries', message, now, result, false);
  return {
    deliveryId: message.id,
    ok: result.error === null,
    statusCode: result.status,
    error: result.error,
  };
}

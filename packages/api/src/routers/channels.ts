import { z } from 'zod';
import { inTransaction } from '../runtime/sql.ts';
import { userOf } from '../services/callerOf.ts';
import { uniqueViolation } from '../services/dbErrors.ts';
import { RowId, SafeString, Title } from '../services/inputs.ts';
import { type Context, fail, procedure, router } from '../trpc.ts';
import { sendTestChannelMessage, type TestSendResult } from '../webhooks/testSend.ts';
import { auditRaw } from './admin.ts';

const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export type ChannelKind = 'slack' | 'teams';

export type ChannelRow = {
  id: string;
  name: string;
  kind: ChannelKind;
  /** The URL without its path and query (they are the channel's secret): `https://hooks.slack.com/…`. */
  urlHint: string;
  createdByName: string | null;
  createdAt: string;
  delivered: number;
  pending: number;
  failed: number;
};

export type ChannelDeliveryRow = {
  id: string;
  channelId: string | null;
  channelName: string;
  ticketId: string | null;
  ticketNumber: number | null;
  nodeId: string | null;
  text: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: string;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
};

const CHANNEL_NOT_FOUND = 'This channel does not exist in your organization.';
const MAX_CHANNELS = 50;
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

const ChannelUrl = SafeString.trim()
  .max(2000, 'A URL is at most 2,000 characters.')
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
    } catch {
      return false;
    }
  }, 'Enter the https:// URL Slack or Teams gave you.');

/**
 * A channel's URL carries its secret (anyone holding it can post), so only https:// is accepted; plain
 * http:// only to this machine, and only where the server allows it (development and tests).
 */
function checkChannelUrl(ctx: Context, value: string): void {
  const url = new URL(value);
  if (url.protocol === 'https:') return;
  if (ctx.allowLocalUrls && LOCAL_HOSTS.has(url.hostname)) return;
  fail('BAD_REQUEST', 'url: enter an https:// URL (a channel URL is a secret and travels encrypted).');
}

function urlHint(value: string): string {
  try {
    const url = new URL(value);
    return `${url.protocol}//${url.host}/…`;
  } catch {
    return '…';
  }
}

/** Slack and Microsoft Teams channels the organization's notify nodes post to (Admin → Integrations). */
export const channelsRouter = router({
  list: procedure(['admin']).query(async ({ ctx }): Promise<ChannelRow[]> => {
    const { orgId } = userOf(ctx);
    const rows = await ctx.db.query<Omit<ChannelRow, 'urlHint'> & { url: string }>(
      `SELECT c.id, c.name, c.kind, c.url, u.name AS "createdByName", ${iso('c.created_at')} AS "createdAt",
              (SELECT count(*)::int FROM channel_deliveries d WHERE d.org_id = c.org_id AND d.channel_id = c.id AND d.status = 'delivered') AS delivered,
              (SELECT count(*)::int FROM channel_deliveries d WHERE d.org_id = c.org_id AND d.channel_id = c.id AND d.status = 'pending') AS pending,
              (SELECT count(*)::int FROM channel_deliveries d WHERE d.org_id = c.org_id AND d.channel_id = c.id AND d.status = 'failed') AS failed
         FROM notification_channels c LEFT JOIN users u ON u.id = c.created_by
        WHERE c.org_id = $1::uuid ORDER BY lower(c.name), c.id`,
      [orgId],
    );
    return rows.map(({ url, ...row }) => ({ ...row, urlHint: urlHint(url) }));
  }),

  /** The channels' names, for the builder's notify node (managers draw flows; the URLs stay with admins). */
  names: procedure(['admin', 'manager']).query(
    async ({ ctx }): Promise<Array<{ id: string; name: string; kind: ChannelKind }>> => {
      const { orgId } = userOf(ctx);
      return ctx.db.query(
        'SELECT id, name, kind FROM notification_channels WHERE org_id = $1::uuid ORDER BY lower(name), id',
        [orgId],
      );
    },
  ),

  create: procedure(['admin'])
    .input(
      z.strictObject({
        name: Title,
        kind: z.enum(['slack', 'teams'], { error: 'Choose Slack or Microsoft Teams.' }),
        url: ChannelUrl,
      }),
    )
    .mutation(async ({ ctx, input }): Promise<{ id: string; name: string; kind: ChannelKind }> => {
      const { orgId, userId } = userOf(ctx);
      checkChannelUrl(ctx, input.url);
      const now = ctx.now().toISOString();
      const count = await ctx.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM notification_channels WHERE org_id = $1::uuid',
        [orgId],
      );
      if ((count[0]?.n ?? 0) >= MAX_CHANNELS)
        fail('PRECONDITION_FAILED', `An organization has at most ${MAX_CHANNELS} channels.`);
      const id = await inTransaction(ctx.db, async (tx) => {
        const rows = await tx<{ id: string }>(
          `INSERT INTO notification_channels (org_id, name, kind, url, created_by, created_at)
           VALUES ($1::uuid, $2, $3, $4, $5::uuid, $6::timestamptz) RETURNING id`,
          [orgId, input.name, input.kind, input.url, userId, now],
        );
        const row = rows[0];
        if (!row) throw new Error('INSERT … RETURNING returned no row');
        await auditRaw(
          tx,
          orgId,
          userId,
          'channel.created',
          'notification_channel',
          row.id,
          { name: input.name, kind: input.kind },
          now,
        );
        return row.id;
      }).catch((error: unknown) => {
        if (uniqueViolation(error)?.constraint === 'notification_channels_name_key')
          fail('CONFLICT', `name: a channel named "${input.name}" exists already; choose another name.`);
        throw error;
      });
      return { id, name: input.name, kind: input.kind };
    }),

  /** Removes a channel and its delivery log; notify nodes naming it then record a failed delivery. */
  delete: procedure(['admin'])
    .input(z.strictObject({ channelId: RowId }))
    .mutation(async ({ ctx, input }): Promise<{ id: string }> => {
      const { orgId, userId } = userOf(ctx);
      const now = ctx.now().toISOString();
      const id = await inTransaction(ctx.db, async (tx) => {
        const rows = await tx<{ id: string; name: string }>(
          'DELETE FROM notification_channels WHERE id = $1::uuid AND org_id = $2::uuid RETURNING id, name',
          [input.channelId, orgId],
        );
        const row = rows[0];
        if (!row) fail('NOT_FOUND', CHANNEL_NOT_FOUND);
        await auditRaw(
          tx,
          orgId,
          userId,
          'channel.deleted',
          'notification_channel',
          row.id,
          { name: row.name },
          now,
        );
        return row.id;
      });
      return { id };
    }),

  /** Posts a test message to the channel now and answers what the service said (logged, not retried). */
  test: procedure(['admin'])
    .input(z.strictObject({ channelId: RowId }))
    .mutation(async ({ ctx, input }): Promise<TestSendResult> => {
      const { orgId } = userOf(ctx);
      const result = await sendTestChannelMessage(ctx.db, orgId, input.channelId, ctx.now());
      if (!result) fail('NOT_FOUND', CHANNEL_NOT_FOUND);
      return result;
    }),

  /** The delivery log, newest first: every channel's (with the ones naming a missing channel), or one's. */
  deliveries: procedure(['admin'])
    .input(
      z.strictObject({ channelId: RowId.optional(), limit: z.number().int().min(1).max(200).default(50) }),
    )
    .query(async ({ ctx, input }): Promise<ChannelDeliveryRow[]> => {
      const { orgId } = userOf(ctx);
      if (input.channelId) {
        const found = await ctx.db.query(
          'SELECT 1 FROM notification_channels WHERE id = $1::uuid AND org_id = $2::uuid',
          [input.channelId, orgId],
        );
        if (found.length === 0) fail('NOT_FOUND', CHANNEL_NOT_FOUND);
      }
      return ctx.db.query<ChannelDeliveryRow>(
        `SELECT d.id, d.channel_id AS "channelId", d.channel_name AS "channelName", d.ticket_id AS "ticketId",
                t.number AS "ticketNumber", d.node_id AS "nodeId", d.text, d.status, d.attempts,
                ${iso('d.next_attempt_at')} AS "nextAttemptAt", d.last_status_code AS "lastStatusCode",
                d.last_error AS "lastError", ${iso('d.created_at')} AS "createdAt", ${iso('d.delivered_at')} AS "deliveredAt"
           FROM channel_deliveries d
           LEFT JOIN tickets t ON t.org_id = d.org_id AND t.id = d.ticket_id
          WHERE d.org_id = $1::uuid AND ($2::uuid IS NULL OR d.channel_id = $2::uuid)
          ORDER BY d.created_at DESC, d.id LIMIT $3::int`,
        [orgId, input.channelId ?? null, input.limit],
      );
    }),
});

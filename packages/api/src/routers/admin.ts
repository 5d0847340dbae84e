import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { newApiToken } from '../auth/apiTokens.ts';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '@stepwise/db';
import { API_SCOPES, type ApiScope, LEGACY_SCOPES, scopesOf } from '../auth/tokenScopes.ts';
import { inTransaction } from '../runtime/sql.ts';
import { userOf } from '../services/callerOf.ts';
import { IsoDateTime, RowId, SafeString, Title } from '../services/inputs.ts';
import { fail, procedure, router } from '../trpc.ts';
import { sendTestWebhook, type TestSendResult } from '../webhooks/testSend.ts';
import { channelsRouter } from './channels.ts';

const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export type ApiTokenRow = {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiScope[];
  createdByName: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  /** Null: the token does not expire. */
  expiresAt: string | null;
  revokedAt: string | null;
  /** Revoked wins over expired: a revoked token stays revoked whatever its date. */
  status: 'active' | 'expired' | 'revoked';
};

export type WebhookEndpointRow = {
  id: string;
  url: string;
  description: string;
  createdAt: string;
  disabledAt: string | null;
  eventTypes: WebhookEventType[];
  pending: number;
  failed: number;
};

export type WebhookDeliveryRow = {
  id: string;
  endpointId: string;
  eventType: string;
  ticketId: string | null;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: string;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
};

export type AuditRow = {
  id: string;
  actorName: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  data: Record<string, unknown> | null;
  createdAt: string;
};

const WebhookUrl = SafeString.trim()
  .max(2000, 'A URL is at most 2,000 characters.')
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
    } catch {
      return false;
    }
  }, 'Enter an http:// or https:// URL.');

const EventTypes = z
  .array(z.enum(WEBHOOK_EVENT_TYPES, { error: 'Choose event types from the list.' }))
  .max(WEBHOOK_EVENT_TYPES.length)
  .transform((types) => WEBHOOK_EVENT_TYPES.filter((type) => types.includes(type)));

const TOKEN_NOT_FOUND = 'This API token does not exist in your organization.';
const ENDPOINT_NOT_FOUND = 'This webhook endpoint does not exist in your organization.';

const tokensRouter = router({
  /** The organization's API tokens (never the token itself: only its first characters). */
  list: procedure(['admin']).query(async ({ ctx }): Promise<ApiTokenRow[]> => {
    const { orgId } = userOf(ctx);
    const rows = await ctx.db.query<Omit<ApiTokenRow, 'scopes'> & { scopes: string[] }>(
      `SELECT t.id, t.name, t.prefix, t.scopes, u.name AS "createdByName", ${iso('t.created_at')} AS "createdAt",
              ${iso('t.last_used_at')} AS "lastUsedAt", ${iso('t.expires_at')} AS "expiresAt",
              ${iso('t.revoked_at')} AS "revokedAt",
              CASE WHEN t.revoked_at IS NOT NULL THEN 'revoked'
                   WHEN t.expires_at IS NOT NULL AND t.expires_at <= $2::timestamptz THEN 'expired'
                   ELSE 'active' END AS status
         FROM api_tokens t LEFT JOIN users u ON u.id = t.created_by
        WHERE t.org_id = $1::uuid ORDER BY t.created_at DESC, t.id`,
      [orgId, ctx.now().toISOString()],
    );
    return rows.map((row) => ({ ...row, scopes: scopesOf(row.scopes) }));
  }),

  /**
   * A new token: `token` (`sw_…`) is returned this once and never again. `scopes` say what it may do
   * (without them: create tickets and add customer messages, what tokens did before scopes);
   * `expiresAt`, when given, is a moment in the future after which it is refused.
   */
  create: procedure(['admin'])
    .input(
      z.strictObject({
        name: Title,
        scopes: z
          .array(z.enum(API_SCOPES, { error: `A scope is one of: ${API_SCOPES.join(', ')}.` }))
          .min(1, 'Choose at least one scope.')
          .max(API_SCOPES.length * 2, 'Name each scope once.')
          .optional(),
        expiresAt: IsoDateTime('expiresAt is a date-time such as 2030-03-01T00:00:00Z.', true).nullish(),
      }),
    )
    .mutation(async ({ ctx, input }): Promise<CreatedToken> => {
      const { orgId, userId } = userOf(ctx);
      const scopes = scopesOf(input.scopes ?? LEGACY_SCOPES);
      const now = ctx.now();
      const expiresAt = input.expiresAt ? new Date(input.expiresAt).toISOString() : null;
      if (expiresAt !== null && Date.parse(expiresAt) <= now.getTime())
        fail(
          'BAD_REQUEST',
          'The expiry must be in the future (or leave it out for a token that does not expire).',
        );
      const { token, hash, prefix } = newApiToken();
      const id = await inTransaction(ctx.db, async (tx) => {
        const rows = await tx<{ id: string }>(
          `INSERT INTO api_tokens (org_id, name, token_hash, prefix, scopes, expires_at, created_by, created_at)
           VALUES ($1::uuid, $2, $3, $4, ARRAY(SELECT jsonb_array_elements_text($5::jsonb)), $6::timestamptz,
                   $7::uuid, $8::timestamptz) RETURNING id`,
          [orgId, input.name, hash, prefix, JSON.stringify(scopes), expiresAt, userId, now.toISOString()],
        );
        const row = rows[0];
        if (!row) throw new Error('INSERT … RETURNING returned no row');
        await auditRaw(
          tx,
          orgId,
          userId,
          'api_token.created',
          'api_token',
          row.id,
          { name: input.name, prefix, scopes, expiresAt },
          now.toISOString(),
        );
        return row.id;
      });
      return { id, name: input.name, prefix, scopes, expiresAt, token };
    }),

  /** Revokes a token at once: its next request is UNAUTHORIZED. */
  revoke: procedure(['admin'])
    .input(z.strictObject({ tokenId: RowId }))
    .mutation(async ({ ctx, input }): Promise<{ id: string; revokedAt: string }> => {
      const { orgId, userId } = userOf(ctx);
      const now = ctx.now().toISOString();
      return inTransaction(ctx.db, async (tx) => {
        const rows = await tx<{ id: string; name: string; revoked_at: string }>(
          `UPDATE api_tokens SET revoked_at = coalesce(revoked_at, $3::timestamptz)
            WHERE id = $1::uuid AND org_id = $2::uuid RETURNING id, name, ${iso('revoked_at')} AS revoked_at`,
          [input.tokenId, orgId, now],
        );
        const row = rows[0];
        if (!row) fail('NOT_FOUND', TOKEN_NOT_FOUND);
        await auditRaw(tx, orgId, userId, 'api_token.revoked', 'api_token', row.id, { name: row.name }, now);
        return { id: row.id, revokedAt: row.revoked_at };
      });
    }),
});

export type CreatedToken = {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiScope[];
  expiresAt: string | null;
  /** The secret itself, shown this once. */
  token: string;
};

const webhooksRouter = router({
  list: procedure(['admin']).query(async ({ ctx }): Promise<WebhookEndpointRow[]> => {
    const { orgId } = userOf(ctx);
    return ctx.db.query<WebhookEndpointRow>(
      `SELECT e.id, e.url, e.description, ${iso('e.created_at')} AS "createdAt", ${iso('e.disabled_at')} AS "disabledAt",
              e.event_types AS "eventTypes",
              (SELECT count(*)::int FROM webhook_deliveries d WHERE d.org_id = e.org_id AND d.endpoint_id = e.id AND d.status = 'pending') AS pending,
              (SELECT count(*)::int FROM webhook_deliveries d WHERE d.org_id = e.org_id AND d.endpoint_id = e.id AND d.status = 'failed') AS failed
         FROM webhook_endpoints e WHERE e.org_id = $1::uuid ORDER BY e.created_at, e.id`,
      [orgId],
    );
  }),

  /**
   * A new endpoint: the ticket events of the chosen types (default: every type) are POSTed to it from now
   * on, signed with `secret` (shown once).
   */
  create: procedure(['admin'])
    .input(
      z.strictObject({
        url: WebhookUrl,
        description: SafeString.trim().max(500).optional(),
        eventTypes: EventTypes.optional(),
      }),
    )
    .mutation(async ({ ctx, input }): Promise<{ id: string; url: string; secret: string }> => {
      const { orgId, userId } = userOf(ctx);
      const secret = `whsec_${randomBytes(32).toString('base64')}`;
      const now = ctx.now().toISOString();
      const count = await ctx.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM webhook_endpoints WHERE org_id = $1::uuid',
        [orgId],
      );
      if ((count[0]?.n ?? 0) >= 20)
        fail('PRECONDITION_FAILED', 'An organization has at most 20 webhook endpoints.');
      const id = await inTransaction(ctx.db, async (tx) => {
        const rows = await tx<{ id: string }>(
          `INSERT INTO webhook_endpoints (org_id, url, secret, description, created_by, created_at, event_types)
           VALUES ($1::uuid, $2, $3, $4, $5::uuid, $6::timestamptz, ARRAY(SELECT jsonb_array_elements_text($7::jsonb))) RETURNING id`,
          [
            orgId,
            input.url,
            secret,
            input.description ?? '',
            userId,
            now,
            JSON.stringify(input.eventTypes ?? WEBHOOK_EVENT_TYPES),
          ],
        );
        const row = rows[0];
        if (!row) throw new Error('INSERT … RETURNING returned no row');
        await auditRaw(
          tx,
          orgId,
          userId,
          'webhook.created',
          'webhook_endpoint',
          row.id,
          { url: input.url, eventTypes: input.eventTypes ?? [...WEBHOOK_EVENT_TYPES] },
          now,
        );
        return row.id;
      });
      return { id, url: input.url, secret };
    }),

  /** The event types an endpoint receives from now on (a flow's own webhook call is always sent). */
  setEventTypes: procedure(['admin'])
    .input(z.strictObject({ endpointId: RowId, eventTypes: EventTypes }))
    .mutation(async ({ ctx, input }): Promise<{ id: string; eventTypes: WebhookEventType[] }> => {
      const { orgId, userId } = userOf(ctx);
      const now = ctx.now().toISOString();
      return inTransaction(ctx.db, async (tx) => {
        const rows = await tx<{ id: string; url: string }>(
          `UPDATE webhook_endpoints SET event_types = ARRAY(SELECT jsonb_array_elements_text($3::jsonb))
            WHERE id = $1::uuid AND org_id = $2::uuid RETURNING id, url`,
          [input.endpointId, orgId, JSON.stringify(input.eventTypes)],
        );
        const row = rows[0];
        if (!row) fail('NOT_FOUND', ENDPOINT_NOT_FOUND);
        await auditRaw(
          tx,
          orgId,
          userId,
          'webhook.event_types_set',
          'webhook_endpoint',
          row.id,
          { url: row.url, eventTypes: input.eventTypes },
          now,
        );
        return { id: row.id, eventTypes: input.eventTypes };
      });
    }),

  /**
   * Sends the endpoint a signed `webhook.test` event now (a sample ticket, marked as such) and answers
   * what the endpoint said. It is recorded in the delivery log and not retried.
   */
  test: procedure(['admin'])
    .input(z.strictObject({ endpointId: RowId }))
    .mutation(async ({ ctx, input }): Promise<TestSendResult> => {
      const { orgId } = userOf(ctx);
      const result = await sendTestWebhook(ctx.db, orgId, input.endpointId, ctx.now());
      if (!result) fail('NOT_FOUND', ENDPOINT_NOT_FOUND);
      return result;
    }),

  /** Stops sending to an endpoint (events from now on get no delivery for it; pending ones still go). */
  disable: procedure(['admin'])
    .input(z.strictObject({ endpointId: RowId }))
    .mutation(async ({ ctx, input }): Promise<{ id: string; disabledAt: string }> => {
      const { orgId, userId } = userOf(ctx);
      const now = ctx.now().toISOString();
      return inTransaction(ctx.db, async (tx) => {
        const rows = await tx<{ id: string; url: string; disabled_at: string }>(
          `UPDATE webhook_endpoints SET disabled_at = coalesce(disabled_at, $3::timestamptz)
            WHERE id = $1::uuid AND org_id = $2::uuid RETURNING id, url, ${iso('disabled_at')} AS disabled_at`,
          [input.endpointId, orgId, now],
        );
        const row = rows[0];
        if (!row) fail('NOT_FOUND', ENDPOINT_NOT_FOUND);
        await auditRaw(
          tx,
          orgId,
          userId,
          'webhook.disabled',
          'webhook_endpoint',
          row.id,
          { url: row.url },
          now,
        );
        return { id: row.id, disabledAt: row.disabled_at };
      });
    }),

  /** Deletes an endpoint and its delivery history. */
  delete: procedure(['admin'])
    .input(z.strictObject({ endpointId: RowId }))
    .mutation(async ({ ctx, input }): Promise<{ id: string }> => {
      const { orgId, userId } = userOf(ctx);
      const now = ctx.now().toISOString();
      const id = await inTransaction(ctx.db, async (tx) => {
        const rows = await tx<{ id: string; url: string }>(
          'DELETE FROM webhook_endpoints WHERE id = $1::uuid AND org_id = $2::uuid RETURNING id, url',
          [input.endpointId, orgId],
        );
        const row = rows[0];
        if (!row) fail('NOT_FOUND', ENDPOINT_NOT_FOUND);
        await auditRaw(
          tx,
          orgId,
          userId,
          'webhook.deleted',
          'webhook_endpoint',
          row.id,
          { url: row.url },
          now,
        );
        return row.id;
      });
      return { id };
    }),

  /** Recent deliveries, newest first (of one endpoint, or all). */
  deliveries: procedure(['admin'])
    .input(
      z.strictObject({ endpointId: RowId.optional(), limit: z.number().int().min(1).max(200).default(50) }),
    )
    .query(async ({ ctx, input }): Promise<WebhookDeliveryRow[]> => {
      const { orgId } = userOf(ctx);
      if (input.endpointId) {
        const found = await ctx.db.query(
          'SELECT 1 FROM webhook_endpoints WHERE id = $1::uuid AND org_id = $2::uuid',
          [input.endpointId, orgId],
        );
        if (found.length === 0) fail('NOT_FOUND', ENDPOINT_NOT_FOUND);
      }
      return ctx.db.query<WebhookDeliveryRow>(
        `SELECT id, endpoint_id AS "endpointId", event_type AS "eventType", ticket_id AS "ticketId", status, attempts,
                ${iso('next_attempt_at')} AS "nextAttemptAt", last_status_code AS "lastStatusCode", last_error AS "lastError",
                ${iso('created_at')} AS "createdAt", ${iso('delivered_at')} AS "deliveredAt"
           FROM webhook_deliveries
          WHERE org_id = $1::uuid AND ($2::uuid IS NULL OR endpoint_id = $2::uuid)
          ORDER BY created_at DESC, id LIMIT $3::int`,
        [orgId, input.endpointId ?? null, input.limit],
      );
    }),
});

export async function auditRaw(
  tx: <T extends Record<string, unknown>>(text: string, params?: unknown[]) => Promise<T[]>,
  orgId: string,
  actorId: string,
  action: string,
  targetType: string,
  targetId: string,
  data: Record<string, unknown>,
  at: string,
): Promise<void> {
  await tx(
    `INSERT INTO audit_log (org_id, actor_id, action, target_type, target_id, data, created_at)
     VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6::jsonb, $7::timestamptz)`,
    [orgId, actorId, action, targetType, targetId, JSON.stringify(data), at],
  );
}

export const adminRouter = router({
  tokens: tokensRouter,
  webhooks: webhooksRouter,
  channels: channelsRouter,

  /**
   * Who changed what (flows, versions, users, roles, teams, tokens, webhooks), newest first, a page at a
   * time. `cursor` is the previous page's `nextCursor`: the position (time to the microsecond, then id)
   * of its last entry, so entries that share a timestamp are never skipped nor shown twice.
   */
  audit: procedure(['admin'])
    .input(
      z
        .strictObject({
          limit: z.number().int().min(1).max(200).default(50),
          /** Where the previous page ended (its `nextCursor`); none for the first page. */
          cursor: SafeString.max(200, 'This cursor is not valid.').nullish(),
        })
        .default({ limit: 50 }),
    )
    .query(async ({ ctx, input }): Promise<AuditPage> => {
      const { orgId } = userOf(ctx);
      const after = input.cursor ? parseAuditCursor(input.cursor) : null;
      const rows = await ctx.db.query<AuditRow & { position: string }>(
        `SELECT a.id, u.name AS "actorName", a.action, a.target_type AS "targetType", a.target_id AS "targetId",
                a.data, ${iso('a.created_at')} AS "createdAt",
                to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS position
           FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
          WHERE a.org_id = $1::uuid
            AND ($2::timestamptz IS NULL OR (a.created_at, a.id) < ($2::timestamptz, $3::uuid))
          ORDER BY a.created_at DESC, a.id DESC LIMIT $4::int`,
        [orgId, after?.at ?? null, after?.id ?? null, input.limit + 1],
      );
      const page = rows.slice(0, input.limit);
      const last = page.at(-1);
      return {
        entries: page.map(({ position: _, ...entry }) => entry),
        nextCursor: rows.length > input.limit && last ? auditCursorOf(last.position, last.id) : null,
      };
    }),
});

export type AuditPage = { entries: AuditRow[]; nextCursor: string | null };

/** A page position as an opaque token: the entry's time (microseconds, UTC) and id. */
function auditCursorOf(at: string, id: string): string {
  return Buffer.from(`${at}|${id}`, 'utf8').toString('base64url');
}

const CURSOR_RE =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

function parseAuditCursor(cursor: string): { at: string; id: string } {
  const match = CURSOR_RE.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match?.[1] || !match[2])
    fail(
      'BAD_REQUEST',
      'This page cursor is not one the audit log gave out: start again from the first page.',
    );
  return { at: match[1], id: match[2] };
}

import { withOrg } from '@stepwise/db';
import { tracked } from '@trpc/server';
import { z } from 'zod';
import { liveHubOf, subscribeChanges, subscribeTicket } from '../live/hub.ts';
import { isUuid } from '../runtime/sql.ts';
import { callerOf } from '../services/callerOf.ts';
import { SafeString } from '../services/inputs.ts';
import { fail, procedure, router } from '../trpc.ts';

const WORKERS = ['admin', 'manager', 'agent'] as const;
const TICKET_NOT_FOUND = 'This ticket does not exist in your organization.';
const EventId = SafeString.max(100).optional();

export type LiveTicketChange = { ticketId: string; seq: number; message?: true };

/**
 * Live updates over server-sent events (tRPC subscriptions; `httpSubscriptionLink` on the client). Each
 * event is `{ ticketId, seq }` (`message: true` for a message, which leaves `seq` as it was) — the client
 * refetches what it shows when it is behind; nothing else crosses the wire.
 */
export const liveRouter = router({
  /**
   * One ticket: an event whenever it moves or gets a message (from any server), carrying its sequence
   * number. `lastEventId` is the sequence number the client shows (its first subscription) or last
   * heard (a reconnect): when the ticket is already past it, an event comes at once. A notification
   * lost between servers is made up by the hub's reconcile within seconds, so a page never stays
   * behind a move.
   */
  ticket: procedure([...WORKERS])
    .input(z.strictObject({ ticketId: SafeString.min(1).max(64), lastEventId: EventId.nullable() }))
    .subscription(async function* ({ ctx, input, signal }) {
      const { orgId } = callerOf(ctx);
      const ticketId = input.ticketId.toLowerCase();
      if (!isUuid(ticketId)) fail('NOT_FOUND', TICKET_NOT_FOUND);
      // A mark that is not a sequence number counts as 0: the client hears the current one at once.
      const last = input.lastEventId == null ? null : Number(input.lastEventId);
      const from = last === null ? null : Number.isSafeInteger(last) && last >= 0 ? last : 0;
      const hub = liveHubOf(ctx.db);
      await hub.start();
      const changes = subscribeTicket(hub, orgId, ticketId, from ?? 0, signal);
      try {
        // A subscription's body runs when the stream is read, outside the procedure's scope: it names its own.
        const rows = await withOrg(orgId, () =>
          ctx.db.query<{ seq: number }>('SELECT seq FROM tickets WHERE id = $1::uuid AND org_id = $2::uuid', [
            ticketId,
            orgId,
          ]),
        );
        const row = rows[0];
        if (!row) fail('NOT_FOUND', TICKET_NOT_FOUND);
        // Without a mark the client is taken to show the ticket as it is now.
        let sent = from ?? row.seq;
        const event = (change: LiveTicketChange) => tracked(String(change.seq), change);
        if (row.seq > sent) {
          sent = row.seq;
          yield event({ ticketId, seq: row.seq });
        }
        changes.advance(sent);
        for await (const change of changes) {
          if (change.message) {
            yield event({ ticketId, seq: Math.max(sent, change.seq), message: true });
            continue;
          }
          if (change.seq <= sent) continue;
          sent = change.seq;
          yield event({ ticketId, seq: change.seq });
        }
      } finally {
        changes.close();
      }
    }),

  /**
   * Every ticket of the caller's organization (events carry only ids, sequence numbers and the `message`
   * mark of a new message or notification; what a caller may open is still decided by `tickets.get`).
   * With `lastEventId`, tickets changed since then are sent first (at most 500).
   */
  queue: procedure([...WORKERS])
    .input(z.strictObject({ lastEventId: EventId.nullable() }).default({ lastEventId: null }))
    .subscription(async function* ({ ctx, input, signal }) {
      const { orgId } = callerOf(ctx);
      const hub = liveHubOf(ctx.db);
      await hub.start();
      const changes = subscribeChanges(hub, orgId, () => true, signal);
      const id = (seq: number) => `${ctx.now().getTime()}.${seq}`;
      try {
        const since = input.lastEventId == null ? Number.NaN : Number(input.lastEventId.split('.')[0]);
        if (Number.isFinite(since)) {
          const missed = await withOrg(orgId, () =>
            ctx.db.query<{ id: string; seq: number }>(
              `SELECT id, seq FROM tickets WHERE org_id = $1::uuid AND updated_at > $2::timestamptz
                ORDER BY updated_at, id LIMIT 500`,
              [orgId, new Date(since - 5000).toISOString()],
            ),
          );
          for (const row of missed) {
            const change: LiveTicketChange = { ticketId: row.id, seq: row.seq };
            yield tracked(id(row.seq), change);
          }
        }
        for await (const change of changes) {
          // `message` also announces a notification written for the ticket (the top bar's count hears it).
          const heard: LiveTicketChange = { ticketId: change.ticketId, seq: change.seq };
          if (change.message) heard.message = true;
          yield tracked(id(change.seq), heard);
        }
      } finally {
        changes.close();
      }
    }),
});

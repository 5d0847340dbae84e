import { z } from 'zod';
import { userOf } from '../services/callerOf.ts';
import { RowId } from '../services/inputs.ts';
import {
  listNotifications,
  markNotificationsRead,
  type NotificationList,
} from '../services/notifications.ts';
import { fail, procedure, router } from '../trpc.ts';

const WORKERS = ['admin', 'manager', 'agent'] as const;
const NOT_FOUND = 'These notifications are not yours, or do not exist.';

/**
 * A person's in-app notifications in their organization: tickets assigned to them, SLA breaches and
 * customers' replies on their tickets (written by the runtime with what caused them; see
 * docs/runtime.md). Each user sees and marks only their own.
 */
export const notificationsRouter = router({
  /** The newest notifications (20 unless `limit`, at most 50) and how many are unread. */
  list: procedure([...WORKERS])
    .input(z.strictObject({ limit: z.number().int().min(1).max(50).default(20) }).default({ limit: 20 }))
    .query(
      ({ ctx, input }): Promise<NotificationList> => listNotifications(ctx.db, userOf(ctx), input.limit),
    ),

  /** Marks the named notifications read; NOT_FOUND when none of them is the caller's. */
  markRead: procedure([...WORKERS])
    .input(z.strictObject({ notificationIds: z.array(RowId).min(1).max(100) }))
    .mutation(async ({ ctx, input }): Promise<{ found: number }> => {
      const result = await markNotificationsRead(ctx.db, userOf(ctx), input.notificationIds, ctx.now());
      if (result.found === 0) fail('NOT_FOUND', NOT_FOUND);
      return result;
    }),

  /** Marks every notification of the caller read. */
  markAllRead: procedure([...WORKERS]).mutation(async ({ ctx }): Promise<{ ok: true }> => {
    await markNotificationsRead(ctx.db, userOf(ctx), 'all', ctx.now());
    return { ok: true };
  }),
});

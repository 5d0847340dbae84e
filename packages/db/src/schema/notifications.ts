import { sql } from 'drizzle-orm';
import {
  check,
  foreignKey,
  index,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { organizations, users } from './organizations.ts';
import { tickets } from './tickets.ts';

/** What a notification tells its user. */
export const NOTIFICATION_KINDS = ['assigned', 'breached', 'customer_replied'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/**
 * A user's in-app notifications: a ticket assigned to them (by someone else or by the flow), an SLA
 * breach on a ticket assigned to them, a customer's reply on one. Written with what caused them — a
 * move's outbox row, or the customer's message's own statement — and keyed by that cause (`source`: the
 * move's sequence number or the message's id), so writing one again adds nothing.
 */
export const notifications = pgTable(
  'notifications',
  {
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id),
    id: uuid('id').notNull().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    kind: text('kind', { enum: NOTIFICATION_KINDS }).notNull(),
    ticketId: uuid('ticket_id').notNull(),
    /** What caused it: `seq:<n>` for a move, `message:<id>` for a message. */
    source: text('source').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    readAt: timestamp('read_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    foreignKey({
      name: 'notifications_ticket_fk',
      columns: [t.orgId, t.ticketId],
      foreignColumns: [tickets.orgId, tickets.id],
    }),
    uniqueIndex('notifications_cause_key').on(t.orgId, t.userId, t.ticketId, t.kind, t.source),
    index('notifications_user_idx').on(t.orgId, t.userId, t.createdAt),
    index('notifications_unread_idx').on(t.orgId, t.userId).where(sql`read_at IS NULL`),
    check('notifications_kind_check', sql`${t.kind} IN ('assigned', 'breached', 'customer_replied')`),
  ],
);

import type { Database, NotificationKind } from '@stepwise/db';

/** One notification as its user sees it, with the ticket it is about. */
export type NotificationView = {
  id: string;
  kind: NotificationKind;
  ticketId: string;
  ticketNumber: number;
  subject: string;
  customerName: string;
  createdAt: string;
  readAt: string | null;
};

export type NotificationList = {
  /** How many of the user's notifications are unread (all of them, not only those listed). */
  unread: number;
  /** The newest first. */
  items: NotificationView[];
};

const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** A user's newest notifications in an organization and their unread count. */
export async function listNotifications(
  db: Database,
  who: { orgId: string; userId: string },
  limit: number,
): Promise<NotificationList> {
  const rows = await db.query<{
    id: string;
    kind: NotificationKind;
    ticket_id: string;
    number: number;
    subject: string;
    customer_name: string;
    created_at: string;
    read_at: string | null;
    unread: number;
  }>(
    `SELECT n.id, n.kind, n.ticket_id, t.number, t.subject, t.customer_name,
            ${iso('n.created_at')} AS created_at, ${iso('n.read_at')} AS read_at,
            (SELECT count(*)::int FROM notifications u
              WHERE u.org_id = $1::uuid AND u.user_id = $2::uuid AND u.read_at IS NULL) AS unread
       FROM (SELECT 1) one
       LEFT JOIN notifications n ON n.org_id = $1::uuid AND n.user_id = $2::uuid
       LEFT JOIN tickets t ON t.org_id = n.org_id AND t.id = n.ticket_id
      ORDER BY n.created_at DESC NULLS LAST, n.id
      LIMIT $3::int`,
    [who.orgId, who.userId, limit],
  );
  return {
    unread: rows[0]?.unread ?? 0,
    items: rows.flatMap((r) =>
      r.id === null
        ? []
        : [
            {
              id: r.id,
              kind: r.kind,
              ticketId: r.ticket_id,
              ticketNumber: r.number,
              subject: r.subject,
              customerName: r.customer_name,
              createdAt: r.created_at,
              readAt: r.read_at,
            },
          ],
    ),
  };
}

/**
 * Marks the user's notifications read: those named (others' ids are skipped, as if they did not exist),
 * or all of them. Returns how many of the named ones are the user's (read already or now).
 */
export async function markNotificationsRead(
  db: Database,
  who: { orgId: string; userId: string },
  ids: readonly string[] | 'all',
  now: Date,
): Promise<{ found: number }> {
  if (ids === 'all') {
    await db.query(
      `UPDATE notifications SET read_at = $3::timestamptz
        WHERE org_id = $1::uuid AND user_id = $2::uuid AND read_at IS NULL`,
      [who.orgId, who.userId, now.toISOString()],
    );
    return { found: 0 };
  }
  const rows = await db.query<{ id: string }>(
    `WITH mine AS (
       SELECT id, read_at FROM notifications
        WHERE org_id = $1::uuid AND user_id = $2::uuid AND id = ANY ($3::uuid[])),
     marked AS (
       UPDATE notifications n SET read_at = $4::timestamptz FROM mine
        WHERE n.org_id = $1::uuid AND n.id = mine.id AND mine.read_at IS NULL RETURNING n.id)
     SELECT id FROM mine`,
    [who.orgId, who.userId, ids, now.toISOString()],
  );
  return { found: rows.length };
}

/** What a notification says, by kind (the top bar's list and the browser's notification). */
export const NOTIFICATION_WORDS = {
  assigned: 'Assigned to you',
  breached: 'SLA breached on your ticket',
  customer_replied: 'The customer replied',
} as const;

export type NotificationKind = keyof typeof NOTIFICATION_WORDS;

/** Where the browser-notification choice is kept (per browser: it goes with the browser's permission). */
export const BROWSER_CHOICE_KEY = 'stepwise.browserNotifications';

/** The ids in `latest` that are unread and were not in `known`: what is new since the last answer. */
export function freshUnread(
  known: ReadonlySet<string> | null,
  latest: ReadonlyArray<{ id: string; readAt: string | null }>,
): string[] {
  if (known === null) return [];
  return latest.filter((n) => n.readAt === null && !known.has(n.id)).map((n) => n.id);
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export type SlaTone = 'none' | 'ok' | 'soon' | 'overdue';
export type SlaText = { text: string; tone: SlaTone };

/** Under this much time left, a clock turns amber. */
export const SLA_SOON_MS = 15 * MINUTE;

const pad = (n: number) => String(n).padStart(2, '0');

/** A duration in the two largest units that matter: `2 d 3 h`, `1 h 05 min`, `12 min 05 s`, `40 s`. */
export function formatDuration(ms: number): string {
  const abs = Math.max(0, Math.floor(Math.abs(ms) / 1000) * 1000);
  const days = Math.floor(abs / DAY);
  const hours = Math.floor((abs % DAY) / HOUR);
  const minutes = Math.floor((abs % HOUR) / MINUTE);
  const seconds = Math.floor((abs % MINUTE) / 1000);
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours} h ${pad(minutes)} min`;
  if (minutes > 0) return `${minutes} min ${pad(seconds)} s`;
  return `${seconds} s`;
}

/** An overdue span in whole units, as a person says it: `overdue 5 min`, `overdue 2 h 10 min`, `overdue 40 s`. */
function formatOverdue(ms: number): string {
  const days = Math.floor(ms / DAY);
  const hours = Math.floor((ms % DAY) / HOUR);
  const minutes = Math.floor((ms % HOUR) / MINUTE);
  if (days > 0) return `overdue ${days} d ${hours} h`;
  if (hours > 0) return `overdue ${hours} h ${minutes} min`;
  if (minutes > 0) return `overdue ${minutes} min`;
  return `overdue ${Math.floor(ms / 1000)} s`;
}

/**
 * The SLA clock of a ticket at `now`: time left (`due in 12 min 05 s`), time past (`overdue 5 min`), or
 * `No SLA`. A ticket the server already marked breached reads as overdue even if the clock disagrees.
 */
export function formatSla(dueAt: string | null, now: number, breached = false): SlaText {
  if (dueAt === null)
    return breached ? { text: 'SLA breached', tone: 'overdue' } : { text: 'No SLA', tone: 'none' };
  const due = Date.parse(dueAt);
  if (Number.isNaN(due)) return { text: 'No SLA', tone: 'none' };
  const left = due - now;
  if (left <= 0) return { text: formatOverdue(-left), tone: 'overdue' };
  if (breached) return { text: 'SLA breached', tone: 'overdue' };
  return { text: `due in ${formatDuration(left)}`, tone: left <= SLA_SOON_MS ? 'soon' : 'ok' };
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const absolute = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });

/** `5 minutes ago`, `yesterday`, `in 2 hours`. */
export function formatRelative(iso: string, now: number): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const diff = t - now;
  const abs = Math.abs(diff);
  if (abs < 45_000) return 'just now';
  if (abs < HOUR) return relative.format(Math.round(diff / MINUTE), 'minute');
  if (abs < DAY) return relative.format(Math.round(diff / HOUR), 'hour');
  if (abs < 30 * DAY) return relative.format(Math.round(diff / DAY), 'day');
  return absolute.format(t);
}

/** `Nov 22, 2025, 8:40 PM`. */
export function formatDateTime(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? '' : absolute.format(t);
}

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

/**
 * Where and how this person reads times: their browser's language and time zone. Fixed values make
 * the formatting testable; the app passes nothing and gets the person's own.
 */
export type Clock = { locale?: string | undefined; timeZone?: string | undefined };

const formatters = new Map<string, Intl.DateTimeFormat | Intl.RelativeTimeFormat>();

function dateFormat(clock: Clock, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = JSON.stringify(['date', clock.locale, clock.timeZone, options]);
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(clock.locale, { ...options, timeZone: clock.timeZone });
    formatters.set(key, format);
  }
  return format as Intl.DateTimeFormat;
}

function relativeFormat(clock: Clock): Intl.RelativeTimeFormat {
  const key = JSON.stringify(['relative', clock.locale]);
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.RelativeTimeFormat(clock.locale, { numeric: 'auto' });
    formatters.set(key, format);
  }
  return format as Intl.RelativeTimeFormat;
}

const MEDIUM: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'short' };

/** `5 minutes ago`, `yesterday`, `in 2 hours` — in the person's language. */
export function formatRelative(iso: string, now: number, clock: Clock = {}): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const diff = t - now;
  const abs = Math.abs(diff);
  const relative = relativeFormat(clock);
  if (abs < 45_000) return relative.format(0, 'second');
  if (abs < HOUR) return relative.format(Math.round(diff / MINUTE), 'minute');
  if (abs < DAY) return relative.format(Math.round(diff / HOUR), 'hour');
  if (abs < 30 * DAY) return relative.format(Math.round(diff / DAY), 'day');
  return dateFormat(clock, MEDIUM).format(t);
}

/** `Nov 22, 2025, 8:40 PM` (en-US), `22.11.2025, 20:40` (de-DE): the person's language and zone. */
export function formatDateTime(iso: string, clock: Clock = {}): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? '' : dateFormat(clock, MEDIUM).format(t);
}

/**
 * When an SLA falls due, with the zone it is read in, since a deadline is where a misread hour costs:
 * `4:30 PM GMT+1` the same day, `Tue 9:00 AM EST` within the week, `Mar 14, 9:00 AM EST` beyond it.
 */
export function formatDueAt(iso: string, now: number, clock: Clock = {}): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const time = dateFormat(clock, { hour: 'numeric', minute: '2-digit', timeZoneName: 'short' }).format(t);
  const day = dateFormat(clock, { year: 'numeric', month: '2-digit', day: '2-digit' });
  if (day.format(t) === day.format(now)) return time;
  if (Math.abs(t - now) < 6 * DAY) return `${dateFormat(clock, { weekday: 'short' }).format(t)} ${time}`;
  return `${dateFormat(clock, { month: 'short', day: 'numeric' }).format(t)}, ${time}`;
}

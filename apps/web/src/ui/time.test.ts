import { describe, expect, it } from 'vitest';
import { formatDateTime, formatDueAt, formatDuration, formatRelative, formatSla } from './time.ts';

const NOW = Date.parse('2025-03-01T12:00:00.000Z');
const at = (ms: number) => new Date(NOW + ms).toISOString();
const MIN = 60_000;

describe('formatSla', () => {
  it('given no due time, when formatted, then it says there is no SLA', () => {
    expect(formatSla(null, NOW)).toEqual({ text: 'No SLA', tone: 'none' });
  });

  it('given a due time 12 min 5 s away, when formatted, then it counts down in minutes and seconds', () => {
    expect(formatSla(at(12 * MIN + 5_000), NOW)).toEqual({ text: 'due in 12 min 05 s', tone: 'soon' });
  });

  it('given a due time hours away, when formatted, then it is calm and shows hours and minutes', () => {
    expect(formatSla(at(2 * 60 * MIN + 5 * MIN), NOW)).toEqual({ text: 'due in 2 h 05 min', tone: 'ok' });
  });

  it('given a due time 5 minutes past, when formatted, then it reads "overdue 5 min"', () => {
    expect(formatSla(at(-5 * MIN - 20_000), NOW)).toEqual({ text: 'overdue 5 min', tone: 'overdue' });
  });

  it('given a due time 40 s past, when formatted, then it counts the seconds', () => {
    expect(formatSla(at(-40_000), NOW)).toEqual({ text: 'overdue 40 s', tone: 'overdue' });
  });

  it('given a due time a day and more past, when formatted, then it uses days and hours', () => {
    expect(formatSla(at(-(26 * 60 + 10) * MIN), NOW).text).toBe('overdue 1 d 2 h');
  });

  it('given a ticket the server marked breached, when its clock still runs, then it reads as breached', () => {
    expect(formatSla(at(10 * MIN), NOW, true)).toEqual({ text: 'SLA breached', tone: 'overdue' });
  });

  it('given a clock one second later, when formatted again, then the countdown moves by one second', () => {
    const due = at(90_000);
    expect(formatSla(due, NOW).text).toBe('due in 1 min 30 s');
    expect(formatSla(due, NOW + 1000).text).toBe('due in 1 min 29 s');
  });

  it('given a malformed date, when formatted, then it does not invent a clock', () => {
    expect(formatSla('not a date', NOW)).toEqual({ text: 'No SLA', tone: 'none' });
  });
});

describe('formatDuration', () => {
  it('given durations across units, when formatted, then the two largest units show', () => {
    expect(formatDuration(40_000)).toBe('40 s');
    expect(formatDuration(3 * MIN)).toBe('3 min 00 s');
    expect(formatDuration(61 * MIN)).toBe('1 h 01 min');
    expect(formatDuration(49 * 60 * MIN)).toBe('2 d 1 h');
  });
});

describe('dates in the person’s language and time zone', () => {
  const at = '2025-03-01T15:30:00.000Z';
  const now = Date.parse('2025-03-01T12:00:00.000Z');

  it('given a person in Berlin reading German, when a date is formatted, then it is German and in Berlin time', () => {
    const clock = { locale: 'de-DE', timeZone: 'Europe/Berlin' };
    expect(formatDateTime(at, clock)).toBe('01.03.2025, 16:30');
    expect(formatRelative('2025-03-01T11:55:00.000Z', now, clock)).toBe('vor 5 Minuten');
  });

  it('given a person in New York reading US English, when a date is formatted, then it is in New York time', () => {
    const clock = { locale: 'en-US', timeZone: 'America/New_York' };
    expect(formatDateTime(at, clock)).toBe('Mar 1, 2025, 10:30 AM');
    expect(formatRelative('2025-03-01T11:55:00.000Z', now, clock)).toBe('5 minutes ago');
    expect(formatRelative('2025-03-01T11:59:50.000Z', now, clock)).toBe('now');
  });

  it('given an SLA due later today, tomorrow and next month, then the deadline names its day and its zone', () => {
    const ny = { locale: 'en-US', timeZone: 'America/New_York' };
    expect(formatDueAt(at, now, ny)).toBe('10:30 AM EST');
    expect(formatDueAt('2025-03-02T14:00:00.000Z', now, ny)).toBe('Sun 9:00 AM EST');
    expect(formatDueAt('2025-04-10T14:00:00.000Z', now, ny)).toBe('Apr 10, 10:00 AM EDT');
    const berlin = { locale: 'de-DE', timeZone: 'Europe/Berlin' };
    expect(formatDueAt(at, now, berlin)).toBe('16:30 MEZ');
  });

  it('given the same instant, when read in two zones, then the day can differ: the same day is the reader’s own', () => {
    const late = '2025-03-02T04:30:00.000Z';
    const evening = Date.parse('2025-03-01T23:00:00.000Z');
    expect(formatDueAt(late, evening, { locale: 'en-US', timeZone: 'America/New_York' })).toBe(
      '11:30 PM EST',
    );
    expect(formatDueAt(late, evening, { locale: 'en-GB', timeZone: 'Europe/London' })).toBe('Sun 04:30 GMT');
  });
});

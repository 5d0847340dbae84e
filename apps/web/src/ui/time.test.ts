import { describe, expect, it } from 'vitest';
import { formatDuration, formatSla } from './time.ts';

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

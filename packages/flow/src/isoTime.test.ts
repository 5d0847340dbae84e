import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIsoTime } from './isoTime.ts';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

describe('parseIsoTime', () => {
  it('given any valid date-time with a zone, when parsed, then it is the instant Date.UTC gives', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date(Date.UTC(1, 0, 1)),
          max: new Date(Date.UTC(9999, 11, 31)),
          noInvalidDate: true,
        }),
        fc.integer({ min: -14 * 60, max: 14 * 60 }),
        (date, offset) => {
          const sign = offset < 0 ? '-' : '+';
          const abs = Math.abs(offset);
          const local = new Date(date.getTime() + offset * 60_000);
          const text = `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}.${pad(local.getUTCMilliseconds(), 3)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
          expect(parseIsoTime(text)).toBe(date.getTime());
        },
      ),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['a date, as UTC midnight', '2024-05-01', Date.UTC(2024, 4, 1)],
    ['a zone-less date-time, as UTC', '2024-05-01T09:30', Date.UTC(2024, 4, 1, 9, 30)],
    ['a space separator and a fraction', ' 2024-05-01 09:30:15.250 ', Date.UTC(2024, 4, 1, 9, 30, 15, 250)],
    [
      'nanoseconds, truncated to milliseconds',
      '2024-05-01T09:30:15.123456789Z',
      Date.UTC(2024, 4, 1, 9, 30, 15, 123),
    ],
    ['a compact offset', '2024-05-01T09:30+0200', Date.UTC(2024, 4, 1, 7, 30)],
    ['29 February of a leap year', '2024-02-29', Date.UTC(2024, 1, 29)],
  ])('given %s, when parsed, then it is that instant', (_name, text, expected) => {
    expect(parseIsoTime(text)).toBe(expected);
  });

  it.each([
    ['an impossible day', '2024-02-30'],
    ['29 February of a common year', '2023-02-29'],
    ['month 13', '2024-13-01'],
    ['hour 24', '2024-05-01T24:00'],
    ['minute 60', '2024-05-01T09:60'],
    ['a bad offset', '2024-05-01T09:30+25:00'],
    ['words', 'tomorrow'],
    ['a US date', '05/01/2024'],
    ['nothing', ''],
  ])('given %s, when parsed, then NaN', (_name, text) => {
    expect(parseIsoTime(text)).toBeNaN();
  });

  it('given the host in UTC and in New York, when the engine reads zone-less date-times, then both answer the same', () => {
    // The probe runs in a fresh process per zone: TZ is read once, when a process starts.
    const probe = join(dirname(fileURLToPath(import.meta.url)), '../scripts/tzProbe.ts');
    const run = (tz: string) => {
      const result = spawnSync(process.execPath, ['--import', 'tsx', probe], {
        encoding: 'utf8',
        env: { ...process.env, TZ: tz },
      });
      expect(result.stderr).toBe('');
      return JSON.parse(result.stdout) as { instants: number[]; branches: boolean[] };
    };
    const utc = run('UTC');
    const newYork = run('America/New_York');
    expect(newYork).toEqual(utc);
    // and zone-less means UTC: 09:30 on 1 May is after 05:00, 2024-05-01 midnight is not
    expect(utc.branches).toEqual([false, true, true, false, true, true, true]);
    expect(utc.instants[1]).toBe(Date.UTC(2024, 4, 1, 9, 30));
  });
});

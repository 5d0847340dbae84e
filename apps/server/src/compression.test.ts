import { describe, expect, it } from 'vitest';
import { acceptedEncoding } from './compression.ts';

describe('acceptedEncoding', () => {
  it.each([
    ['gzip, deflate, br, zstd', 'br'],
    ['gzip, deflate', 'gzip'],
    ['br', 'br'],
    ['', null],
    [undefined, null],
    ['identity', null],
    ['br;q=0, gzip', 'gzip'],
    ['br;q=0, gzip;q=0', null],
    ['*', 'br'],
    ['*;q=0.5, br;q=0', 'gzip'],
    ['gzip;q=1.0, br;q=0.5', 'gzip'],
    ['GZIP', 'gzip'],
    ['br;q=abc, gzip', 'gzip'],
  ] as const)('given Accept-Encoding %j, then %s', (header, expected) => {
    expect(acceptedEncoding(header)).toBe(expected);
  });

  it('given only gzip is offered, then a browser that prefers brotli still gets gzip', () => {
    expect(acceptedEncoding('br, gzip', ['gzip'])).toBe('gzip');
  });

  it('given the header arrives repeated, then the lines are read as one list', () => {
    expect(acceptedEncoding(['br;q=0', 'gzip'])).toBe('gzip');
  });
});

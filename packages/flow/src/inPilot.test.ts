import { describe, expect, it } from 'vitest';
import { fnv1a32, inPilot } from './inPilot.ts';

const keys = Array.from({ length: 10_000 }, (_, i) => `ticket-${i}`);

describe('fnv1a32', () => {
  it.each([
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
  ])('hashes %j to the published FNV-1a value', (text, hash) => {
    expect(fnv1a32(text)).toBe(hash);
  });

  it('hashes the UTF-8 bytes of non-ASCII text', () => {
    // Given the reference algorithm over explicit bytes
    const overBytes = (bytes: number[]) =>
      bytes.reduce((hash, b) => Math.imul(hash ^ b, 0x01000193) >>> 0, 0x811c9dc5);
    // Then "é" (C3 A9), "€" (E2 82 AC) and "😀" (F0 9F 98 80) hash as their UTF-8 bytes
    expect(fnv1a32('é')).toBe(overBytes([0xc3, 0xa9]));
    expect(fnv1a32('€')).toBe(overBytes([0xe2, 0x82, 0xac]));
    expect(fnv1a32('😀')).toBe(overBytes([0xf0, 0x9f, 0x98, 0x80]));
  });
});

describe('inPilot', () => {
  it('puts 30% ± 2% of 10,000 tickets in a 30% pilot', () => {
    const share = keys.filter((k) => inPilot(k, 30)).length / keys.length;
    expect(share).toBeGreaterThanOrEqual(0.28);
    expect(share).toBeLessThanOrEqual(0.32);
  });

  it('gives the same ticket the same answer every time', () => {
    for (const key of keys.slice(0, 200)) expect(inPilot(key, 50)).toBe(inPilot(key, 50));
  });

  it('never selects at 0% (or below, or NaN) and always at 100% (or above)', () => {
    for (const key of keys.slice(0, 1000)) {
      expect(inPilot(key, 0)).toBe(false);
      expect(inPilot(key, -20)).toBe(false);
      expect(inPilot(key, Number.NaN)).toBe(false);
      expect(inPilot(key, 100)).toBe(true);
      expect(inPilot(key, 250)).toBe(true);
    }
  });

  it('only adds tickets when the percentage grows (a pilot widens without reshuffling)', () => {
    for (const key of keys.slice(0, 1000)) if (inPilot(key, 10)) expect(inPilot(key, 40)).toBe(true);
  });

  it('buckets by the hash mod 100', () => {
    const key = 'ticket-42';
    const bucket = fnv1a32(key) % 100;
    expect(inPilot(key, bucket)).toBe(false);
    expect(inPilot(key, bucket + 1)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import {
  meanDifference,
  meanInterval,
  medianChange,
  medianOfSorted,
  percentileOfSorted,
  rateDifference,
  wilson,
} from './stats.ts';

describe('stats', () => {
  it('given proportions, when Wilson intervals are computed, then they match the published reference values', () => {
    // Newcombe (1998), table I: 81/263 → 0.2553–0.3662; 15/148 → 0.0624–0.1605; 0/10 → 0–0.2775
    const a = wilson(81, 263);
    expect(a?.low).toBeCloseTo(0.2553, 4);
    expect(a?.high).toBeCloseTo(0.3662, 4);
    const b = wilson(15, 148);
    expect(b?.low).toBeCloseTo(0.0624, 4);
    expect(b?.high).toBeCloseTo(0.1605, 4);
    expect(wilson(0, 10)?.low).toBe(0);
    expect(wilson(0, 10)?.high).toBeCloseTo(0.2775, 4);
    expect(wilson(0, 0)).toBeNull();
  });

  it('given two proportions, when their difference is bounded, then it matches Newcombe’s method 10', () => {
    // Newcombe (1998), table II, example (a): 56/70 − 48/80 = 0.2; method 10 gives 0.0524 to 0.3339
    const d = rateDifference({ k: 48, n: 80 }, { k: 56, n: 70 });
    expect(d?.low).toBeCloseTo(0.0524, 3);
    expect(d?.high).toBeCloseTo(0.3339, 3);
  });

  it('given values, when medians, percentiles and means are taken, then they are exact', () => {
    expect(medianOfSorted([1, 2, 3, 4])).toBe(2.5);
    expect(medianOfSorted([])).toBeNull();
    expect(percentileOfSorted([10, 20, 60], 0.9)).toBe(52);
    const m = meanInterval([2, 4, 4, 4, 5, 5, 7, 9]);
    // mean 5, sample sd 2.138: 5 ± 1.96 × 2.138 / √8
    expect(m?.mean).toBe(5);
    expect(m?.interval.low).toBeCloseTo(5 - 1.959964 * (2.13809 / Math.sqrt(8)), 4);
    const d = meanDifference([1, 2, 3, 4], [3, 4, 5, 6]);
    expect(d?.difference).toBe(2);
  });

  it('given two groups, when the median change is bootstrapped, then the interval holds the change and is the same every time', () => {
    const a = Array.from({ length: 300 }, (_, i) => 60 + (i % 50));
    const b = a.map((v) => v * 0.8);
    const first = medianChange(a, b);
    const again = medianChange(a, b);
    expect(first?.change).toBeCloseTo(-0.2, 10);
    expect(first?.interval.low).toBeLessThanOrEqual(-0.2);
    expect(first?.interval.high).toBeGreaterThanOrEqual(-0.2);
    expect(first?.interval.high).toBeLessThan(0);
    expect(again).toEqual(first);
    // the same data in both groups: the interval straddles 0
    const same = medianChange(a, a);
    expect(same?.change).toBe(0);
    expect(same?.interval.low).toBeLessThan(0.0001);
    expect(same?.interval.high).toBeGreaterThan(-0.0001);
    expect(medianChange([], a)).toBeNull();
  });
});

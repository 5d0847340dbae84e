/**
 * The statistics behind version comparisons and pilot readouts: 95% intervals for medians (bootstrap),
 * rates (Wilson) and means (normal), and for the difference between two groups. Pure and deterministic:
 * the bootstrap draws from a seeded generator, so the same data always gives the same interval.
 */
import { seededRandom } from '@stepwise/flow';

/** z for a two-sided 95% interval. */
const Z = 1.959963984540054;

export type Interval = { low: number; high: number };

/** The median of sorted values (the mean of the two middle ones for an even count); null when empty. */
export function medianOfSorted(sorted: readonly number[]): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const mid = n >> 1;
  return n % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** A percentile of sorted values by linear interpolation between the closest ranks (as `percentile_cont`). */
export function percentileOfSorted(sorted: readonly number[], p: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const x = p * (n - 1);
  const i = Math.floor(x);
  const a = sorted[i] as number;
  const b = sorted[Math.min(n - 1, i + 1)] as number;
  return a + (b - a) * (x - i);
}

/** Wilson's 95% interval for a proportion `successes / n` (null when n is 0). */
export function wilson(successes: number, n: number): Interval | null {
  if (n === 0) return null;
  const p = successes / n;
  const z2 = Z * Z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (Z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * Newcombe's 95% interval for the difference of two proportions (b − a), from each one's Wilson
 * interval (method 10: better coverage than the normal one for small counts and rates near 0 or 1).
 */
export function rateDifference(a: { k: number; n: number }, b: { k: number; n: number }): Interval | null {
  const wa = wilson(a.k, a.n);
  const wb = wilson(b.k, b.n);
  if (!wa || !wb) return null;
  const pa = a.k / a.n;
  const pb = b.k / b.n;
  const d = pb - pa;
  return {
    low: d - Math.sqrt((pb - wb.low) ** 2 + (wa.high - pa) ** 2),
    high: d + Math.sqrt((wb.high - pb) ** 2 + (pa - wa.low) ** 2),
  };
}

/** The mean and its normal 95% interval (null below two values). */
export function meanInterval(values: readonly number[]): { mean: number; interval: Interval } | null {
  const n = values.length;
  if (n < 2) return null;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1);
  const half = Z * Math.sqrt(variance / n);
  return { mean, interval: { low: mean - half, high: mean + half } };
}

/** The difference of two means (b − a) with Welch's normal 95% interval. */
export function meanDifference(
  a: readonly number[],
  b: readonly number[],
): { difference: number; interval: Interval } | null {
  const ma = meanInterval(a);
  const mb = meanInterval(b);
  if (!ma || !mb) return null;
  const va = ((ma.interval.high - ma.mean) / Z) ** 2;
  const vb = ((mb.interval.high - mb.mean) / Z) ** 2;
  const d = mb.mean - ma.mean;
  const half = Z * Math.sqrt(va + vb);
  return { difference: d, interval: { low: d - half, high: d + half } };
}

function resampledMedian(values: readonly number[], next: () => number, buffer: Float64Array): number {
  const n = values.length;
  for (let i = 0; i < n; i++) buffer[i] = values[Math.floor(next() * n)] as number;
  buffer.sort();
  const mid = n >> 1;
  return n % 2 === 1 ? (buffer[mid] as number) : ((buffer[mid - 1] as number) + (buffer[mid] as number)) / 2;
}

/**
 * The relative change of the median from a to b ((median b − median a) ÷ median a) with a percentile
 * bootstrap 95% interval: both groups resampled with replacement `rounds` times. Null when a group is
 * empty or a's median is 0.
 */
export function medianChange(
  a: readonly number[],
  b: readonly number[],
  options: { rounds?: number; seed?: number } = {},
): { change: number; interval: Interval } | null {
  const sa = [...a].sort((x, y) => x - y);
  const sb = [...b].sort((x, y) => x - y);
  const ma = medianOfSorted(sa);
  const mb = medianOfSorted(sb);
  if (ma === null || mb === null || ma === 0) return null;
  const rounds = options.rounds ?? 1000;
  const next = seededRandom(options.seed ?? 20240601);
  const bufferA = new Float64Array(sa.length);
  const bufferB = new Float64Array(sb.length);
  const changes = new Float64Array(rounds);
  for (let r = 0; r < rounds; r++) {
    const ra = resampledMedian(sa, next, bufferA);
    const rb = resampledMedian(sb, next, bufferB);
    changes[r] = ra === 0 ? 0 : (rb - ra) / ra;
  }
  changes.sort();
  return {
    change: (mb - ma) / ma,
    interval: {
      low: percentileOfSorted(changes as unknown as number[], 0.025) ?? 0,
      high: percentileOfSorted(changes as unknown as number[], 0.975) ?? 0,
    },
  };
}

import type { Database } from '@stepwise/db';
import { refuse } from '../runtime/runtimeError.ts';
import { poolQuery } from '../runtime/sql.ts';
import { filterParams, type TicketFilters, ticketFilters } from './flowReport.ts';
import { pilotStarted } from '../services/versionOps.ts';
import {
  type Interval,
  meanDifference,
  meanInterval,
  medianChange,
  medianOfSorted,
  rateDifference,
  wilson,
} from './stats.ts';

/**
 * Below this many finished tickets on either side, a comparison says "not enough data yet": with fewer,
 * the bootstrap interval of a median rests on a handful of distinct values and swings from one ticket to
 * the next, and a rate's interval is wider than most differences worth acting on.
 */
export const MIN_SAMPLE = 30;

/** The most recent finished tickets of each side a comparison reads (the bootstrap's cost grows with it). */
export const MAX_SAMPLE = 20_000;

export type CompareScope = {
  orgId: string;
  flowId: string;
  a: string;
  b: string;
  from: string;
  to: string;
  /** Only tickets created from this instant (a pilot's window: both arms were randomised from then on). */
  createdFrom?: string | undefined;
} & TicketFilters;

type Side = {
  versionId: string;
  number: number;
  /** Finished tickets in the range. */
  n: number;
  resolution: { p50: number | null };
  firstResponse: { n: number; p50: number | null };
  breach: { k: number; rate: number | null; interval: Interval | null };
  csat: { n: number; mean: number | null; interval: Interval | null };
  /** The mix of the finished tickets, so a reader sees when one side simply got easier ones. */
  mix: {
    channel: Record<string, number>;
    priority: Record<string, number>;
    category: Record<string, number>;
  };
};

export type Comparison = {
  a: Side;
  b: Side;
  enough: boolean;
  /** B against A: relative change of the median (resolution, first response), difference of rates and means. */
  resolution: { change: number; interval: Interval } | null;
  firstResponse: { change: number; interval: Interval } | null;
  breachRate: { difference: number; interval: Interval } | null;
  csat: { difference: number; interval: Interval } | null;
  /** Plain-words reading of each measure. */
  verdicts: string[];
};

type Row = {
  version_id: string;
  resolution: number;
  first_response: number | null;
  breached: boolean;
  csat: number | null;
  channel: string;
  priority: string;
  category: string;
};

const ROWS_SQL = `SELECT * FROM (
  SELECT t.version_id, extract(epoch FROM t.closed_at - t.created_at) * 1000 AS resolution,
         extract(epoch FROM t.first_response_at - t.created_at) * 1000 AS first_response,
         t.sla_breached_at IS NOT NULL AS breached, t.csat_score AS csat, t.channel, t.priority, t.category,
         row_number() OVER (PARTITION BY t.version_id ORDER BY t.closed_at DESC) AS r
    FROM tickets t
   WHERE t.org_id = $1::uuid AND t.flow_id = $2::uuid AND t.version_id IN ($3::uuid, $4::uuid)
     AND t.status = 'ended' AND t.closed_at >= $5::timestamptz AND t.closed_at < $6::timestamptz
     ${ticketFilters('t', 7)}
     AND ($12::timestamptz IS NULL OR t.created_at >= $12::timestamptz)
) x WHERE r <= $11::int`;

function count(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

function sideOf(versionId: string, number: number, rows: readonly Row[]): Side {
  const resolution = rows.map((r) => Number(r.resolution)).sort((x, y) => x - y);
  const responses = rows
    .filter((r) => r.first_response !== null)
    .map((r) => Number(r.first_response))
    .sort((x, y) => x - y);
  const breached = rows.filter((r) => r.breached).length;
  const ratings = rows.filter((r) => r.csat !== null).map((r) => Number(r.csat));
  const csat = meanInterval(ratings);
  return {
    versionId,
    number,
    n: rows.length,
    resolution: { p50: medianOfSorted(resolution) },
    firstResponse: { n: responses.length, p50: medianOfSorted(responses) },
    breach: {
      k: breached,
      rate: rows.length ? breached / rows.length : null,
      interval: wilson(breached, rows.length),
    },
    csat: {
      n: ratings.length,
      mean: csat?.mean ?? (ratings.length === 1 ? (ratings[0] ?? null) : null),
      interval: csat?.interval ?? null,
    },
    mix: {
      channel: count(rows.map((r) => r.channel)),
      priority: count(rows.map((r) => r.priority)),
      category: count(rows.map((r) => r.category)),
    },
  };
}

const pct = (x: number) => `${x > 0 ? '+' : x < 0 ? '−' : ''}${Math.abs(Math.round(x * 100))}%`;
const points = (x: number) =>
  `${x > 0.0005 ? '+' : x < -0.0005 ? '−' : ''}${Math.abs(x * 100).toFixed(1)} points`;
const excludesZero = (i: Interval) => i.low > 0 || i.high < 0;

/**
 * Two versions of a flow on the same measures over the same range and filters: each side's figures,
 * B's change against A with 95% intervals, the mix of tickets on each side, and a verdict in words —
 * or "not enough data yet" while either side has fewer than `MIN_SAMPLE` finished tickets.
 */
export async function compareVersionResults(database: Database, scope: CompareScope): Promise<Comparison> {
  const query = poolQuery(database);
  const versions = await query<{ id: string; number: number }>(
    `SELECT v.id, v.number FROM flow_versions v JOIN flows f ON f.org_id = v.org_id AND f.id = v.flow_id
      WHERE f.id = $1::uuid AND f.org_id = $2::uuid AND v.id IN ($3::uuid, $4::uuid)`,
    [scope.flowId, scope.orgId, scope.a, scope.b],
  );
  const numberOf = new Map(versions.map((v) => [v.id, v.number]));
  const na = numberOf.get(scope.a);
  const nb = numberOf.get(scope.b);
  if (na === undefined || nb === undefined)
    refuse('not_found', 'These versions do not belong to this flow in your organization.');
  if (scope.a === scope.b) refuse('invalid', 'Pick two different versions to compare.');
  const rows = await query<Row>(ROWS_SQL, [
    scope.orgId,
    scope.flowId,
    scope.a,
    scope.b,
    scope.from,
    scope.to,
    ...filterParams(scope),
    MAX_SAMPLE,
    scope.createdFrom ?? null,
  ]);
  const ra = rows.filter((r) => r.version_id === scope.a);
  const rb = rows.filter((r) => r.version_id === scope.b);
  const a = sideOf(scope.a, na, ra);
  const b = sideOf(scope.b, nb, rb);
  const enough = a.n >= MIN_SAMPLE && b.n >= MIN_SAMPLE;
  const resolution = medianChange(
    ra.map((r) => Number(r.resolution)),
    rb.map((r) => Number(r.resolution)),
  );
  const firstResponse = medianChange(
    ra.filter((r) => r.first_response !== null).map((r) => Number(r.first_response)),
    rb.filter((r) => r.first_response !== null).map((r) => Number(r.first_response)),
  );
  const breachInterval = rateDifference({ k: a.breach.k, n: a.n }, { k: b.breach.k, n: b.n });
  const breachRate =
    breachInterval && a.breach.rate !== null && b.breach.rate !== null
      ? { difference: b.breach.rate - a.breach.rate, interval: breachInterval }
      : null;
  const csat = meanDifference(
    ra.filter((r) => r.csat !== null).map((r) => Number(r.csat)),
    rb.filter((r) => r.csat !== null).map((r) => Number(r.csat)),
  );
  const va = `v${a.number}`;
  const vb = `v${b.number}`;
  const verdicts: string[] = [];
  if (!enough) {
    verdicts.push(
      `Not enough data yet: a comparison needs ${MIN_SAMPLE} finished tickets on each side (${va}: ${a.n}, ${vb}: ${b.n}).`,
    );
  } else {
    const sizes = `n = ${b.n} vs ${a.n}`;
    if (resolution) {
      const ci = `95% CI ${pct(resolution.interval.low)} to ${pct(resolution.interval.high)}`;
      verdicts.push(
        excludesZero(resolution.interval)
          ? `${vb} resolves ${resolution.change < 0 ? 'faster' : 'slower'}: p50 ${pct(resolution.change)} (${ci}), ${sizes}.`
          : `No clear difference in resolution time: p50 ${pct(resolution.change)} (${ci}), ${sizes}.`,
      );
    }
    if (breachRate) {
      const ci = `95% CI ${points(breachRate.interval.low)} to ${points(breachRate.interval.high)}`;
      verdicts.push(
        excludesZero(breachRate.interval)
          ? `${vb} breaches its SLAs ${breachRate.difference < 0 ? 'less' : 'more'}: ${points(breachRate.difference)} (${ci}).`
          : `No clear difference in SLA breaches: ${points(breachRate.difference)} (${ci}).`,
      );
    }
    if (csat && a.csat.n >= MIN_SAMPLE && b.csat.n >= MIN_SAMPLE) {
      const ci = `95% CI ${csat.interval.low.toFixed(2)} to ${csat.interval.high.toFixed(2)}`;
      verdicts.push(
        excludesZero(csat.interval)
          ? `Customers rate ${vb} ${csat.difference > 0 ? 'higher' : 'lower'}: ${csat.difference > 0 ? '+' : '−'}${Math.abs(csat.difference).toFixed(2)} on 5 (${ci}), ${b.csat.n} vs ${a.csat.n} ratings.`
          : `No clear difference in ratings: ${csat.difference >= 0 ? '+' : '−'}${Math.abs(csat.difference).toFixed(2)} on 5 (${ci}).`,
      );
    } else {
      verdicts.push(`Not enough ratings yet to compare CSAT (${va}: ${a.csat.n}, ${vb}: ${b.csat.n}).`);
    }
  }
  return { a, b, enough, resolution, firstResponse, breachRate, csat, verdicts };
}

export type PilotReadout = {
  pilot: { versionId: string; number: number; percent: number };
  control: { versionId: string; number: number };
  /** When the pilot started: both arms count the tickets created since. */
  since: string;
  comparison: Comparison;
  recommendation: { action: 'promote' | 'roll_back' | 'keep_collecting'; reason: string };
};

/**
 * The running pilot read as an experiment: new tickets were bucketed at random between the pilot and
 * the active version, so the tickets of each created since the pilot started are comparable. Pilot (B)
 * against control (A) on every measure, and a recommendation: roll back when the pilot is clearly worse
 * on any measure, promote when it is clearly better on one and worse on none, else keep collecting.
 * Null when the flow has no pilot running.
 */
export async function pilotReadout(
  database: Database,
  input: { orgId: string; flowId: string; now: Date },
): Promise<PilotReadout | null> {
  const query = poolQuery(database);
  const [flow] = await query<{
    active: string | null;
    active_number: number | null;
    pilot: string | null;
    pilot_number: number | null;
    percent: number;
  }>(
    `SELECT f.active_version_id AS active, av.number AS active_number, f.pilot_version_id AS pilot,
            pv.number AS pilot_number, f.pilot_percent AS percent
       FROM flows f
       LEFT JOIN flow_versions av ON av.org_id = f.org_id AND av.id = f.active_version_id
       LEFT JOIN flow_versions pv ON pv.org_id = f.org_id AND pv.id = f.pilot_version_id
      WHERE f.id = $1::uuid AND f.org_id = $2::uuid`,
    [input.flowId, input.orgId],
  );
  if (!flow) refuse('not_found', 'This flow does not exist in your organization.');
  if (!flow.pilot || !flow.active || flow.pilot_number === null || flow.active_number === null) return null;
  const started = await pilotStarted(database, input.orgId, input.flowId, flow.pilot);
  const since = started?.at ?? input.now.toISOString();
  const comparison = await compareVersionResults(database, {
    orgId: input.orgId,
    flowId: input.flowId,
    a: flow.active,
    b: flow.pilot,
    from: since,
    to: new Date(input.now.getTime() + 1).toISOString(),
    createdFrom: since,
  });
  return {
    pilot: { versionId: flow.pilot, number: flow.pilot_number, percent: flow.percent },
    control: { versionId: flow.active, number: flow.active_number },
    since,
    comparison,
    recommendation: recommend(comparison),
  };
}

/** Promote, roll back or keep collecting — and why, in words. */
export function recommend(c: Comparison): PilotReadout['recommendation'] {
  const pilot = `v${c.b.number}`;
  if (!c.enough)
    return {
      action: 'keep_collecting',
      reason: `Keep collecting: ${MIN_SAMPLE} finished tickets are needed on each side (pilot ${c.b.n}, control ${c.a.n}).`,
    };
  const worse: string[] = [];
  const better: string[] = [];
  const judge = (interval: Interval | undefined, lowerIsBetter: boolean, words: [string, string]) => {
    if (!interval || !excludesZero(interval)) return;
    const improved = lowerIsBetter ? interval.high < 0 : interval.low > 0;
    (improved ? better : worse).push(improved ? words[0] : words[1]);
  };
  judge(c.resolution?.interval, true, ['resolves faster', 'resolves slower']);
  judge(c.breachRate?.interval, true, ['breaches its SLAs less', 'breaches its SLAs more']);
  if (c.a.csat.n >= MIN_SAMPLE && c.b.csat.n >= MIN_SAMPLE)
    judge(c.csat?.interval, false, ['is rated higher', 'is rated lower']);
  if (worse.length > 0)
    return { action: 'roll_back', reason: `Roll back: ${pilot} ${worse.join(' and ')} than the control.` };
  if (better.length > 0)
    return {
      action: 'promote',
      reason: `Promote: ${pilot} ${better.join(' and ')}, and is worse on nothing measured.`,
    };
  return {
    action: 'keep_collecting',
    reason: `Keep collecting: no clear difference yet between ${pilot} and the control.`,
  };
}

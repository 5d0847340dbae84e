/**
 * The analytics benchmarks, on a data set shaped as the runtime writes it (`analyticsData.ts`):
 *
 * - K0 the generated facts equal what `rebuildAnalytics` computes from the generated events (2k tickets).
 * - K1 the flow dashboard: every figure `analytics.flow` computes (`flowReport`: started, finished, open,
 *   resolution mean/p50/p90, first response p50/p90, breach rate overall and per step, CSAT, end
 *   statuses, tickets per day) for one flow, one version, 30 days — over 1M finished tickets (~8M
 *   events) on PostgreSQL, warm, median of the runs. Target ≤ 300 ms. Baseline: the plain `count(*)` of
 *   the same rows (the tickets finished in the range, the stays ended in it).
 * - K2 the heatmap: `nodeHeat` (waiting now, time per node p50/p90, breach rate per step, edge traffic)
 *   and `waitingAt` (the longest-waiting tickets of the busiest node), as the page asks them. ≤ 200 ms.
 * - K1/K2 on embedded PGlite over 50k tickets: the dashboard ≤ 1 s.
 * - With `--scale`: K1/K2 again at 3M tickets, and the projection to 10M (linear in the tickets: the
 *   rows a report reads grow with the tickets per day).
 *
 * The 1M data set lives in its own database, `stepwise_bench_k1m` (generated once, reused while its
 * fingerprint matches; `--fresh` regenerates it). `--quick` uses 20k tickets (`stepwise_bench_k20k`) and
 * 10k on PGlite. The 3M one (`stepwise_bench_k3m`) is dropped after the run unless `--keep`.
 *
 *   npx tsx tests/bench/analytics.ts [--quick] [--fresh] [--scale] [--keep]
 *
 * `npm run bench` runs it after the runtime benchmark (tests/bench/run.ts), with the same flags.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDb, type Database } from '@stepwise/db';
import postgres from 'postgres';
import {
  flowReport,
  nodeHeat,
  type ReportScope,
  waitingAt,
} from '../../packages/api/src/analytics/flowReport.ts';
import { rebuildAnalytics } from '../../packages/api/src/analytics/rebuild.ts';
import {
  type AnalyticsDataSet,
  DATA_NOW,
  describeDataSet,
  GENERATOR_VERSION,
  generateAnalyticsData,
} from './analyticsData.ts';

/** One row of the benchmark's table (the shape tests/bench/run.ts prints). */
export type BenchRow = {
  metric: string;
  raw: number;
  baseline: number | null;
  ratio: number | null;
  target: string;
  pass: boolean | null;
  unit: string;
  note?: string;
};

export type AnalyticsOptions = {
  quick?: boolean;
  fresh?: boolean;
  /** Also measure at 3M tickets and project 10M. */
  scale?: boolean;
  /** Keep the 3M database after the run. */
  keep?: boolean;
  adminUrl?: string;
  log?: (...args: unknown[]) => void;
};

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const REPS = 7;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
const millions = (n: number) => (n >= 1_000_000 ? `${round(n / 1_000_000, 1)}M` : `${round(n / 1000, 0)}k`);

const withDatabase = (url: string, name: string) => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

/**
 * The data set of `tickets` tickets in the database `name` on the PostgreSQL at `adminUrl`: created and
 * migrated (as the app does at start) if missing, generated if its fingerprint (generator version, size)
 * does not match or `fresh` — else reused as it is. `generatedMs` is null when it was reused.
 */
export async function openAnalyticsDatabase(options: {
  adminUrl: string;
  name: string;
  tickets: number;
  fresh?: boolean;
  log?: (line: string) => void;
}): Promise<{ db: Database; data: AnalyticsDataSet; generatedMs: number | null; url: string }> {
  const log = options.log ?? (() => {});
  const admin = postgres(options.adminUrl, { max: 1, onnotice: () => {} });
  const url = withDatabase(options.adminUrl, options.name);
  try {
    const exists = await admin`SELECT 1 FROM pg_database WHERE datname = ${options.name}`;
    if (exists.length > 0 && !options.fresh) {
      const db = await createDb({ url, maxConnections: 10, ownerOutsideScopes: true });
      const [print] = await db
        .query<{ generator: number; tickets: number; org_id: string; flow_id: string }>(
          'SELECT generator, tickets, org_id, flow_id FROM bench_fingerprint',
        )
        .catch(() => [undefined]);
      if (print && print.generator === GENERATOR_VERSION && print.tickets === options.tickets) {
        log(
          `  ${options.name}: reusing the ${millions(options.tickets)}-ticket data set (--fresh regenerates it)`,
        );
        const data = await describeDataSet(db, { orgId: print.org_id, flowId: print.flow_id });
        return { db, data, generatedMs: null, url };
      }
      await db.close();
    }
    await admin.unsafe(`DROP DATABASE IF EXISTS ${options.name} WITH (FORCE)`);
    await admin.unsafe(`CREATE DATABASE ${options.name}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  log(`  ${options.name}: generating ${millions(options.tickets)} tickets`);
  const db = await createDb({ url, maxConnections: 10, ownerOutsideScopes: true });
  const t0 = performance.now();
  const data = await generateAnalyticsData(db, options.tickets, log);
  const generatedMs = performance.now() - t0;
  await db.query(`CREATE TABLE bench_fingerprint (generator int NOT NULL, tickets int NOT NULL, org_id uuid NOT NULL,
    flow_id uuid NOT NULL, generated_ms int NOT NULL, generated_at timestamptz NOT NULL DEFAULT now())`);
  await db.query(
    'INSERT INTO bench_fingerprint (generator, tickets, org_id, flow_id, generated_ms) VALUES ($1, $2, $3::uuid, $4::uuid, $5)',
    [GENERATOR_VERSION, options.tickets, data.orgId, data.flowId, Math.round(generatedMs)],
  );
  log(
    `  generated in ${round(generatedMs / 1000)} s: ${data.tickets} tickets, ${data.events} events, ${data.visits} stays`,
  );
  return { db, data, generatedMs, url };
}

/** The reports' scope in the benchmarks: the active version (v2), the data set's last 30 days. */
export function benchScope(data: AnalyticsDataSet): ReportScope & { versionId: string } {
  const version = data.versions[data.versions.length - 1];
  if (!version) throw new Error('the data set has no version');
  return {
    orgId: data.orgId,
    flowId: data.flowId,
    versionId: version.id,
    from: new Date(Date.parse(DATA_NOW) - 30 * 86_400_000).toISOString(),
    to: DATA_NOW,
  };
}

/** A Database whose statements are timed: the slowest is the one to EXPLAIN. */
function timed(db: Database): Database & { log: Array<{ text: string; params: unknown[]; ms: number }> } {
  const log: Array<{ text: string; params: unknown[]; ms: number }> = [];
  return {
    ...db,
    log,
    async query(text, params = []) {
      const t0 = performance.now();
      const rows = await db.query(text, params);
      log.push({ text, params, ms: performance.now() - t0 });
      return rows as never;
    },
  };
}

/** K1: the dashboard's figures, as `analytics.flow` reads them. */
const k1 = (db: Database, scope: ReportScope) => () => flowReport(db, scope);

/** K2: the heatmap and the waiting list of the node with the most tickets waiting, as the canvas asks them. */
const k2 = (db: Database, scope: ReportScope & { versionId: string }, nodeId: string) => () =>
  Promise.all([nodeHeat(db, scope), waitingAt(db, { ...scope, nodeId, limit: 50 })]);

/**
 * The baseline: the plain count(*) of the rows each report reads, by the same indexes — the tickets
 * finished and those created in the range (K1) or those open now (K2), and the stays that ended in the
 * range, counted node by node as the reports read them (the stays' index leads with organization, version
 * and node).
 */
const counts = (db: Database, scope: ReportScope & { versionId: string }, kind: 'k1' | 'k2') => () =>
  Promise.all([
    kind === 'k1'
      ? db.query(
          `SELECT (SELECT count(*) FROM tickets WHERE org_id = $1::uuid AND flow_id = $2::uuid AND version_id = $3::uuid
                     AND status = 'ended' AND closed_at >= $4::timestamptz AND closed_at < $5::timestamptz)
                + (SELECT count(*) FROM tickets WHERE org_id = $1::uuid AND flow_id = $2::uuid AND version_id = $3::uuid
                     AND created_at >= $4::timestamptz AND created_at < $5::timestamptz)`,
          [scope.orgId, scope.flowId, scope.versionId, scope.from, scope.to],
        )
      : db.query(
          `SELECT count(*) FROM tickets WHERE org_id = $1::uuid AND flow_id = $2::uuid AND version_id = $3::uuid
              AND status IN ('at_step', 'waiting', 'in_subflow', 'parked')`,
          [scope.orgId, scope.flowId, scope.versionId],
        ),
    db.query(
      `WITH RECURSIVE seen AS (
         SELECT (SELECT node_id FROM ticket_visits WHERE org_id = $4::uuid AND version_id = $1::uuid
                  ORDER BY node_id LIMIT 1) AS node_id
         UNION ALL
         SELECT (SELECT v.node_id FROM ticket_visits v
                  WHERE v.org_id = $4::uuid AND v.version_id = $1::uuid AND v.node_id > s.node_id
                  ORDER BY v.node_id LIMIT 1)
         FROM seen s WHERE s.node_id IS NOT NULL)
       SELECT sum(c) FROM seen s CROSS JOIN LATERAL (SELECT count(*) AS c FROM ticket_visits v
         WHERE v.org_id = $4::uuid AND v.version_id = $1::uuid AND v.node_id = s.node_id
           AND v.left_at >= $2::timestamptz AND v.left_at < $3::timestamptz) x`,
      [scope.versionId, scope.from, scope.to, scope.orgId],
    ),
  ]);

/** Warm (two runs first), then baseline and subject interleaved: the median of each, in ms. */
async function timeWarm(
  subject: () => Promise<unknown>,
  baseline: (() => Promise<unknown>) | null,
  reps = REPS,
) {
  const clock = async (fn: () => Promise<unknown>) => {
    const t0 = performance.now();
    await fn();
    return performance.now() - t0;
  };
  await subject();
  await subject();
  if (baseline) await baseline();
  const s: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < reps; i++) {
    if (baseline) b.push(await clock(baseline));
    s.push(await clock(subject));
  }
  return { subject: median(s), baseline: baseline ? median(b) : null, runs: s };
}

/** The busiest node now (most tickets waiting) of the scope's version. */
async function busiestNode(db: Database, scope: ReportScope & { versionId: string }): Promise<string> {
  const [row] = await db.query<{ node_id: string }>(
    `SELECT node_id FROM tickets WHERE version_id = $1::uuid AND node_id IS NOT NULL
        AND status IN ('at_step', 'waiting', 'in_subflow', 'parked')
      GROUP BY node_id ORDER BY count(*) DESC, node_id LIMIT 1`,
    [scope.versionId],
  );
  return row?.node_id ?? 'triage';
}

type Measured = { k1: number; k1Base: number; k2: number; k2Base: number; data: AnalyticsDataSet };

/** K1 and K2 on one database, with their baselines; the slowest statement's plan when asked. */
async function measureReports(
  db: Database,
  data: AnalyticsDataSet,
  explain: boolean,
  log: (...a: unknown[]) => void,
) {
  const scope = benchScope(data);
  const node = await busiestNode(db, scope);
  const one = await timeWarm(k1(db, scope), counts(db, scope, 'k1'));
  const two = await timeWarm(k2(db, scope, node), counts(db, scope, 'k2'));
  const measured: Measured = {
    k1: one.subject,
    k1Base: one.baseline ?? 0,
    k2: two.subject,
    k2Base: two.baseline ?? 0,
    data,
  };
  if (explain) {
    // Each statement once more, timed on its own; the slowest is explained.
    const probe = timed(db);
    await k1(probe, scope)();
    await k2(probe, scope, node)();
    const slowest = [...probe.log].sort((a, b) => b.ms - a.ms)[0];
    if (slowest) {
      const plan = await db.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (ANALYZE, BUFFERS) ${slowest.text}`,
        slowest.params,
      );
      log(`\n  The slowest statement (${round(slowest.ms)} ms alone), EXPLAIN (ANALYZE, BUFFERS):`);
      log(slowest.text.replace(/^/gm, '    '));
      for (const line of plan) log(`    ${line['QUERY PLAN']}`);
    }
  }
  return measured;
}

/** K0: the generator's facts against `rebuildAnalytics` on the same events (a small set). */
async function checkFacts(
  db: Database,
  data: AnalyticsDataSet,
): Promise<{ differences: number; visits: number }> {
  const snapshot = async () => ({
    visits: await db.query<Record<string, unknown>>(
      `SELECT ticket_id, seq, ordinal, version_id, node_id, entered_at, left_at, exit, handle, next_node_id, agent_id,
              breached FROM ticket_visits WHERE org_id = $1::uuid ORDER BY ticket_id, seq, ordinal`,
      [data.orgId],
    ),
    tickets: await db.query<Record<string, unknown>>(
      'SELECT id, node_entered_at, first_response_at FROM tickets WHERE org_id = $1::uuid ORDER BY id',
      [data.orgId],
    ),
  });
  const generated = await snapshot();
  await db.query('DELETE FROM ticket_visits WHERE org_id = $1::uuid', [data.orgId]);
  await db.query(
    'UPDATE tickets SET node_entered_at = NULL, first_response_at = NULL WHERE org_id = $1::uuid',
    [data.orgId],
  );
  await rebuildAnalytics(db, { orgId: data.orgId });
  const rebuilt = await snapshot();
  const key = (r: Record<string, unknown>) =>
    JSON.stringify(r, (_k, v) => (v instanceof Date ? v.toISOString() : v));
  let differences = Math.abs(generated.visits.length - rebuilt.visits.length);
  const n = Math.min(generated.visits.length, rebuilt.visits.length);
  for (let i = 0; i < n; i++)
    if (key(generated.visits[i] ?? {}) !== key(rebuilt.visits[i] ?? {})) differences++;
  for (let i = 0; i < generated.tickets.length; i++)
    if (key(generated.tickets[i] ?? {}) !== key(rebuilt.tickets[i] ?? {})) differences++;
  return { differences, visits: generated.visits.length };
}

/** The analytics rows of the benchmark. */
export async function benchAnalytics(options: AnalyticsOptions = {}): Promise<BenchRow[]> {
  const log = options.log ?? console.log;
  const adminUrl = options.adminUrl ?? (process.env.DATABASE_URL || DEFAULT_URL);
  const rows: BenchRow[] = [];
  const quick = options.quick ?? false;
  const line = (text: string) => log(text);
  log(`  K1 flow dashboard: every figure analytics.flow computes (started, finished, open; resolution mean/p50/p90;
     first response p50/p90; breach rate overall and per step; CSAT mean, response rate, spread; end statuses;
     tickets per day) for one flow, one version, the data set's last 30 days. Target ≤ 300 ms at 1M tickets.
  K2 heatmap: nodeHeat (waiting now, time per node p50/p90, breach rate per step, edge traffic) and waitingAt
     of the busiest node, same scope. Target ≤ 200 ms. PGlite: both over 50k tickets, ≤ 1 s.
  Warm (two runs first), median of ${REPS}, each against the plain count(*) of the same rows.`);

  // K0: the generated facts are the rebuild's.
  {
    const name = `stepwise_bench_k0_${process.pid}`;
    const opened = await openAnalyticsDatabase({ adminUrl, name, tickets: 2_000, fresh: true });
    try {
      const check = await checkFacts(opened.db, opened.data);
      rows.push({
        metric: 'K0 generated facts = rebuildAnalytics from the generated events (2k tickets)',
        raw: check.differences,
        baseline: null,
        ratio: null,
        target: '0 rows differ',
        pass: check.differences === 0,
        unit: 'rows differ',
        note: `${check.visits} stays and ${opened.data.tickets} tickets' first response and open stay compared`,
      });
    } finally {
      await opened.db.close();
      const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end({ timeout: 5 });
    }
  }

  // K1/K2 on PostgreSQL: 1M tickets (20k with --quick), in a database kept for the next run.
  const size = quick ? 20_000 : 1_000_000;
  const measured: Measured[] = [];
  const sets = [{ tickets: size, name: quick ? 'stepwise_bench_k20k' : 'stepwise_bench_k1m', keep: true }];
  if (options.scale && !quick)
    sets.push({ tickets: 3_000_000, name: 'stepwise_bench_k3m', keep: options.keep ?? false });
  for (const set of sets) {
    const opened = await openAnalyticsDatabase({
      adminUrl,
      name: set.name,
      tickets: set.tickets,
      fresh: options.fresh,
      log: line,
    });
    try {
      const m = await measureReports(opened.db, opened.data, set === sets[sets.length - 1], log);
      measured.push(m);
      const d = opened.data;
      const label = `${millions(d.finished)} finished tickets, ${millions(d.events)} events, ${millions(d.visits)} stays`;
      const generated =
        opened.generatedMs === null ? 'reused' : `generated in ${round(opened.generatedMs / 1000)} s`;
      rows.push(
        {
          metric: `K1 flow dashboard (analytics.flow: one version, 30 days), ${millions(set.tickets)} tickets, PostgreSQL`,
          raw: round(m.k1),
          baseline: round(m.k1Base),
          ratio: round(m.k1 / m.k1Base, 1),
          target: '≤ 300 ms',
          pass: m.k1 <= 300,
          unit: 'ms',
          note: `${label} (${set.name}, ${generated}); baseline: count(*) of the tickets finished and created in the range and of the stays ended in it; warm, median of ${REPS}`,
        },
        {
          metric: `K2 heatmap (nodeHeat + waitingAt), ${millions(set.tickets)} tickets, PostgreSQL`,
          raw: round(m.k2),
          baseline: round(m.k2Base),
          ratio: round(m.k2 / m.k2Base, 1),
          target: '≤ 200 ms',
          pass: m.k2 <= 200,
          unit: 'ms',
          note: `baseline: count(*) of the open tickets and the stays in the range; warm, median of ${REPS}`,
        },
      );
    } finally {
      await opened.db.close();
      if (!set.keep) {
        const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
        await admin.unsafe(`DROP DATABASE IF EXISTS ${set.name} WITH (FORCE)`);
        await admin.end({ timeout: 5 });
      }
    }
  }
  const [m1, m3] = measured;
  if (m1 && m3) {
    // Linear in the tickets: the reports read the range's rows, which grow with the tickets per day.
    const project = (a: number, b: number) =>
      a + ((b - a) * (10_000_000 - m1.data.tickets)) / (m3.data.tickets - m1.data.tickets);
    for (const [k, target] of [
      ['k1', 300],
      ['k2', 200],
    ] as const) {
      const at10 = project(m1[k], m3[k]);
      const base = project(m1[`${k}Base`], m3[`${k}Base`]);
      rows.push({
        metric: `${k.toUpperCase()} projected to 10M tickets (linear from 1M and 3M)`,
        raw: round(at10),
        baseline: round(base),
        ratio: round(at10 / base, 1),
        target: `≤ ${target} ms`,
        pass: at10 <= target,
        unit: 'ms',
        note: `1M: ${round(m1[k])} ms, 3M: ${round(m3[k])} ms`,
      });
    }
  }

  // The embedded database: the dashboard over 50k tickets (10k with --quick).
  {
    const tickets = quick ? 10_000 : 50_000;
    const db = await createDb({ dataDir: 'memory://', ownerOutsideScopes: true });
    try {
      const t0 = performance.now();
      const data = await generateAnalyticsData(db, tickets);
      const generated = performance.now() - t0;
      const m = await measureReports(db, data, false, log);
      rows.push(
        {
          metric: `K1 flow dashboard, ${millions(tickets)} tickets, PGlite`,
          raw: round(m.k1),
          baseline: round(m.k1Base),
          ratio: round(m.k1 / m.k1Base, 1),
          target: '≤ 1 s (50k tickets)',
          pass: m.k1 <= 1000,
          unit: 'ms',
          note: `${millions(data.events)} events, ${millions(data.visits)} stays, generated in ${round(generated / 1000)} s; warm, median of ${REPS}`,
        },
        {
          metric: `K2 heatmap, ${millions(tickets)} tickets, PGlite`,
          raw: round(m.k2),
          baseline: round(m.k2Base),
          ratio: round(m.k2 / m.k2Base, 1),
          target: '≤ 1 s (50k tickets)',
          pass: m.k2 <= 1000,
          unit: 'ms',
        },
      );
    } finally {
      await db.close();
    }
  }
  return rows;
}

/** Prints result rows as one table, then their notes (the whole benchmark and this file alone). */
export function printRows(rows: BenchRow[], log: (...a: unknown[]) => void = console.log): void {
  const cells = rows.map((r) => [
    r.metric,
    `${r.raw} ${r.unit}`,
    r.baseline === null ? '' : String(r.baseline),
    r.ratio === null ? '' : String(r.ratio),
    r.target,
    r.pass === null ? '' : r.pass ? 'PASS' : 'MISS',
  ]);
  const header = ['metric', 'raw', 'baseline', 'ratio', 'target', ''];
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((r) => (r[c] ?? '').length)));
  const format = (row: string[]) => row.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ');
  log(`\n${format(header)}`);
  log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of cells) log(format(row));
  for (const r of rows) if (r.note) log(`  · ${r.metric}: ${r.note}`);
}

if (resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) {
  const flag = (name: string) => process.argv.includes(name);
  log0();
  benchAnalytics({
    quick: flag('--quick'),
    fresh: flag('--fresh'),
    scale: flag('--scale'),
    keep: flag('--keep'),
  }).then(
    (rows) => {
      printRows(rows);
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

function log0() {
  console.log(`Stepwise analytics benchmark: ${new Date().toISOString()}`);
}

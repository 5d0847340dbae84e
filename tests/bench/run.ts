/**
 * The runtime benchmark, every subject interleaved with its baseline (baseline, subject, baseline, …),
 * median of the repetitions, reported raw and as a ratio:
 *
 * - E1 the engine's transition on a 200-node flow (µs per step).
 * - D0 the same work as a step in minimal SQL: cold, one read (ticket and key) then one statement writing
 *   the ticket, its event and the idempotency key; warm, that statement alone. D1 the runtime
 *   (`completeStep` → `advanceTicket`) cold (no cached ticket: read, then write) and warm (the ticket
 *   cached at the expected sequence number: one statement), as a ratio of D0 at 8 and 16 workers,
 *   with live updates off (D0 announces nothing; N1 measures them). D2 the latency of one worker.
 * - R1 what row-level security costs a step: D1 as the application role under the policies ÷ D1 connected
 *   as the owner (no policy applies), cold and warm, 8 workers (target ≥ 0.95).
 * - N1 throughput with live updates on (every move announced after its commit, a second server
 *   listening) ÷ off, and how long a move takes to reach the listening server (p99).
 * - A1/A2 the browser's path: unbatched `POST /trpc/tickets.complete` through the shipped server (its own
 *   process), throughput ÷ D1 cold and latency. A3 correctness after all of it.
 *
 * - K0–K2 the analytics reports (tests/bench/analytics.ts): the generated data set's facts against a
 *   rebuild, the flow dashboard (K1) and the heatmap (K2) over 1M tickets on PostgreSQL and 50k on PGlite
 *   (20k and 10k with --quick); with --scale also at 3M, projected to 10M. Its data set is kept in its
 *   own database between runs (--fresh regenerates it).
 * - K3 a backtest of 10,000 finished tickets (2,000 with --quick) on a 50-node draft, the pure engine
 *   (tests/bench/backtest.ts), against the engine alone for as many steps.
 *
 * A missed target is followed by what limits it: CPU per step, split between Node (this process and
 * the server's) and the PostgreSQL backends of the bench database (from /proc).
 *
 *   npm run bench            full (100k tickets)
 *   npm run bench:ci         --quick (10k tickets, shorter runs)
 *
 * DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) names the server; a throwaway
 * database `<BENCH_DB_PREFIX>_<pid>` (default prefix `stepwise_bench`) is created there and dropped at
 * the end.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDb, type Database, withOrg } from '@stepwise/db';
import {
  type EngineEvent,
  type FlowDocument,
  type FlowNode,
  generateFlow,
  type RunState,
  type StepNode,
  transition,
} from '@stepwise/flow';
import postgres from 'postgres';
import { LiveHub, liveHubOf } from '../../packages/api/src/live/hub.ts';
import { completeStep } from '../../packages/api/src/runtime/completeStep.ts';
import { poolQuery } from '../../packages/api/src/runtime/sql.ts';
import { getTicketDetail } from '../../packages/api/src/runtime/ticketView.ts';
import { versionCache } from '../../packages/api/src/runtime/versionCache.ts';
import { createTicket } from '../../packages/api/src/runtime/createTicket.ts';
import { type BenchRow, benchAnalytics, printRows } from './analytics.ts';
import { benchBacktest } from './backtest.ts';
import { TicketCache } from '../../packages/api/src/runtime/ticketCache.ts';
import {
  cookieFor,
  createRuntimeOrg,
  loopDocument,
  publishFlow,
  type RuntimeOrg,
  ticketInput,
} from '../support/runtimeFixture.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const QUICK = process.argv.includes('--quick');
const ADMIN_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_PREFIX = (process.env.BENCH_DB_PREFIX || 'stepwise_bench').toLowerCase().replace(/[^a-z0-9_]/g, '_');
const DB_NAME = `${DB_PREFIX}_${process.pid}`;
const TICKETS = QUICK ? 10_000 : 100_000;
const RUN_MS = QUICK ? 2_000 : 5_000;
const REPS = 3;

type Result = BenchRow & {
  /** CPU per step of the subject and its baseline (printed when the target is missed). */
  cpu?: { subject: CpuPerStep; baseline: CpuPerStep | null };
};
const results: Result[] = [];
let environmentInfo: Record<string, unknown> = {};

// ---------------------------------------------------------------------------------------------------
// Helpers

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};
const percentile = (xs: Float64Array | number[], p: number): number => {
  const s = Float64Array.from(xs).sort();
  if (s.length === 0) return 0;
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
const log = (...args: unknown[]) => console.log(...args);

/** Baseline, subject, baseline, … (REPS subjects, REPS + 1 baselines): the medians of each. */
async function interleave<T>(baseline: () => Promise<T>, subject: () => Promise<T>, reps = REPS) {
  const base: T[] = [await baseline()];
  const subj: T[] = [];
  for (let i = 0; i < reps; i++) {
    subj.push(await subject());
    base.push(await baseline());
  }
  return { base, subj };
}

/** CPU per step, in µs: this process, the server process (HTTP runs), the PostgreSQL backends. */
type CpuPerStep = { node: number; server: number; postgres: number };

type LoadRun = {
  opsPerSec: number;
  p50: number;
  p99: number;
  ops: number;
  conflicts: number;
  errors: string[];
  cpu: CpuPerStep;
};

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU of a process in µs (from /proc/<pid>/stat), or null when it cannot be read. */
function processCpuUs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name (which may hold spaces) start at state (field 3).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks / CLOCK_TICKS) * 1e6 : null;
  } catch {
    return null;
  }
}

/** Where the CPU of a run is read: the bench database's backends, and the server process when one runs. */
const probe: { backends: (() => Promise<number[]>) | null; serverPid: number | null } = {
  backends: null,
  serverPid: null,
};

type CpuSnapshot = { node: NodeJS.CpuUsage; server: number; postgres: Map<number, number> };

async function cpuSnapshot(): Promise<CpuSnapshot> {
  const pids = probe.backends ? await probe.backends() : [];
  const postgres = new Map<number, number>();
  for (const pid of pids) {
    const us = processCpuUs(pid);
    if (us !== null) postgres.set(pid, us);
  }
  return {
    node: process.cpuUsage(),
    server: probe.serverPid === null ? 0 : (processCpuUs(probe.serverPid) ?? 0),
    postgres,
  };
}

function cpuPerStep(before: CpuSnapshot, after: CpuSnapshot, ops: number): CpuPerStep {
  const nodeUs = after.node.user - before.node.user + (after.node.system - before.node.system);
  let postgresUs = 0;
  // A backend that started during the run counts from zero.
  for (const [pid, us] of after.postgres) postgresUs += us - (before.postgres.get(pid) ?? 0);
  const per = (us: number) => (ops > 0 ? round(us / ops, 1) : 0);
  return {
    node: per(nodeUs),
    server: per(after.server - before.server),
    postgres: per(postgresUs),
  };
}

const medianCpu = (runs: LoadRun[]): CpuPerStep => ({
  node: round(median(runs.map((r) => r.cpu.node)), 1),
  server: round(median(runs.map((r) => r.cpu.server)), 1),
  postgres: round(median(runs.map((r) => r.cpu.postgres)), 1),
});

/** `workers` loops calling `op` until the deadline; latency in milliseconds. */
async function load(
  workers: number,
  durationMs: number,
  op: (worker: number) => Promise<'ok' | 'conflict'>,
): Promise<LoadRun> {
  const cpuBefore = await cpuSnapshot();
  const latencies: number[] = [];
  const errors: string[] = [];
  let conflicts = 0;
  let ops = 0;
  const start = performance.now();
  const deadline = start + durationMs;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        try {
          const outcome = await op(w);
          if (outcome === 'conflict') conflicts++;
          else ops++;
        } catch (error) {
          if (errors.length < 5) errors.push(String(error));
          else errors.length++;
        }
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const cpuAfter = await cpuSnapshot();
  return {
    cpu: cpuPerStep(cpuBefore, cpuAfter, ops + conflicts),
    opsPerSec: ops / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    ops,
    conflicts,
    errors,
  };
}

// ---------------------------------------------------------------------------------------------------
// Environment

async function environment(sql: postgres.Sql) {
  const [version] = await sql<{ v: string }[]>`SELECT version() AS v`;
  const [sync] = await sql<{ s: string }[]>`SELECT current_setting('synchronous_commit') AS s`;
  const [buffers] = await sql<{ s: string }[]>`SELECT current_setting('shared_buffers') AS s`;
  let pgbench: string | null = null;
  try {
    pgbench = execFileSync('pgbench', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    pgbench = null;
  }
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGb: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    postgres: version?.v ?? 'unknown',
    synchronousCommit: sync?.s ?? 'unknown',
    sharedBuffers: buffers?.s ?? 'unknown',
    pgbench,
    mode: QUICK ? 'quick' : 'full',
    tickets: TICKETS,
    runMs: RUN_MS,
    reps: REPS,
  };
}

// ---------------------------------------------------------------------------------------------------
// E1: the pure engine on a 200-node generated document

function sampleValue(field: StepNode['data']['form'][number]): string | number {
  switch (field.type) {
    case 'number':
      return 42;
    case 'email':
      return 'someone@example.com';
    case 'date':
      return '2030-01-15';
    case 'choice':
      return field.options?.[0] ?? 'Yes';
    default:
      return 'noted';
  }
}

function benchEngine(): void {
  const document: FlowDocument = generateFlow(200, 7);
  const ticket: RunState['ticket'] = {
    channel: 'email',
    priority: 'high',
    category: 'billing',
    subject: 'Bench',
    customer: { name: 'Bench', email: 'bench@example.com', tier: 'vip' },
    tags: ['vip'],
    fields: { amount: 250, region: 'EU' },
  };
  const cases: Array<{ state: RunState; event: EngineEvent }> = [];
  for (const node of document.nodes) {
    if (node.type !== 'step') continue;
    const outcome = node.data.outcomes[0];
    if (!outcome) continue;
    const state: RunState = {
      status: 'at_step',
      nodeId: node.id,
      ticket,
      teamId: node.data.teamId,
      assigneeId: null,
      breached: false,
      everBreached: false,
      endStatus: null,
    };
    const event: EngineEvent = {
      type: 'complete_step',
      nodeId: node.id,
      outcomeId: outcome.id,
      form: Object.fromEntries(node.data.form.map((f) => [f.key, sampleValue(f)])),
      checklist: node.data.checklist.map((c) => c.id),
      actorId: null,
    };
    if (transition(document, state, event, { now: 0 }).ok) cases.push({ state, event });
  }
  // The baseline: the least a step needs — find the node, check it, follow edges through automatic
  // nodes with Map lookups until the next waiting node.
  const nodes = new Map<string, FlowNode>(document.nodes.map((n) => [n.id, n]));
  const targets = new Map<string, Map<string, string>>();
  for (const e of document.edges) {
    const m = targets.get(e.source) ?? new Map<string, string>();
    if (!m.has(e.sourceHandle)) m.set(e.sourceHandle, e.target);
    targets.set(e.source, m);
  }
  const baselineStep = (state: RunState, event: EngineEvent): RunState | null => {
    if (event.type !== 'complete_step' || state.status !== 'at_step' || state.nodeId !== event.nodeId)
      return null;
    let current = nodes.get(event.nodeId);
    if (current?.type !== 'step') return null;
    let handle = `outcome:${event.outcomeId}`;
    for (let guard = 0; guard < 100; guard++) {
      const nextId: string | undefined = targets.get(current.id)?.get(handle);
      const next: FlowNode | undefined = nextId === undefined ? undefined : nodes.get(nextId);
      if (!next) return null;
      if (next.type === 'step' || next.type === 'wait' || next.type === 'end' || next.type === 'subflow') {
        return { ...state, nodeId: next.id };
      }
      handle = next.type === 'decision' ? 'default' : 'next';
      current = next;
    }
    return null;
  };
  const iterations = QUICK ? 100_000 : 400_000;
  let sink = 0;
  const timeIt = (fn: (k: number) => void) => {
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < iterations; k++) fn(k);
    return Number(process.hrtime.bigint() - t0) / 1000 / iterations;
  };
  const subject = () =>
    timeIt((k) => {
      const c = cases[k % cases.length];
      if (c && transition(document, c.state, c.event, { now: k }).ok) sink++;
    });
  const baseline = () =>
    timeIt((k) => {
      const c = cases[k % cases.length];
      if (c && baselineStep(c.state, c.event)) sink++;
    });
  subject();
  baseline(); // warm-up
  const base: number[] = [baseline()];
  const subj: number[] = [];
  for (let i = 0; i < REPS; i++) {
    subj.push(subject());
    base.push(baseline());
  }
  const raw = median(subj);
  const b = median(base);
  results.push({
    metric: 'E1 engine step (200-node flow)',
    raw: round(raw, 3),
    baseline: round(b, 3),
    ratio: round(raw / b, 1),
    target: '≤ 2 µs per step',
    pass: raw <= 2,
    unit: 'µs/step',
    note: `${cases.length} steps cycled; ratio = times the Map.get baseline (informational)${sink < 0 ? '' : ''}`,
  });
}

// ---------------------------------------------------------------------------------------------------
// Database tiers

type Population = { ids: string[]; seqs: Int32Array };

/** D0 cold: the read a step needs (the ticket, and whether its key was used). */
const D0_READ_SQL = `SELECT t.seq, t.status, t.node_id, t.team_id, t.assignee_id, k.request_hash
  FROM tickets t LEFT JOIN idempotency_keys k ON k.org_id = t.org_id AND k.key = $3::text
 WHERE t.id = $1::uuid AND t.org_id = $2::uuid`;

/** D0: the write of a step — the ticket's compare-and-set, its event and the idempotency key. */
const D0_WRITE_SQL = `WITH u AS (
  UPDATE tickets SET seq = seq + 1, updated_at = now()
   WHERE id = $1::uuid AND org_id = $8::uuid AND seq = $2::int RETURNING id, org_id, seq),
ev AS (
  INSERT INTO ticket_events (org_id, ticket_id, seq, type, actor_id, from_node, to_node, data, created_at)
  SELECT org_id, id, seq, 'bench.reference', $3::uuid, 'work', 'work', $4::jsonb, now() FROM u),
k AS (
  INSERT INTO idempotency_keys (org_id, key, request_hash, response, created_at)
  SELECT org_id, $5::text, $6::text, $7::jsonb, now() FROM u)
SELECT seq FROM u`;

/** Picks a random ticket of the worker's share (tickets are split between workers: no two race). */
function pick(pop: Population, worker: number, workers: number): number {
  const share = Math.floor(pop.ids.length / workers);
  return worker + workers * Math.floor(Math.random() * share);
}

/** The first `n` tickets of a population (sharing its sequence numbers). */
function hotPart(pop: Population, n: number): Population {
  return { ids: pop.ids.slice(0, n), seqs: pop.seqs.subarray(0, n) };
}

/** Clones one real ticket (created through the runtime) `n` times, with its first event. */
async function clonePopulation(
  sql: postgres.Sql,
  templateId: string,
  n: number,
  label: string,
): Promise<Population> {
  const [counter] = await sql<{ c: number }[]>`
    UPDATE organizations SET ticket_counter = ticket_counter + ${n}
     WHERE id = (SELECT org_id FROM tickets WHERE id = ${templateId}) RETURNING ticket_counter - ${n} AS c`;
  const base = counter?.c ?? 0;
  const rows = await sql<{ id: string }[]>`
    WITH src AS (SELECT * FROM tickets WHERE id = ${templateId}),
    made AS (
      INSERT INTO tickets (id, org_id, number, flow_id, version_id, node_id, seq, status, end_status, channel, priority,
        category, subject, description, customer_name, customer_email, customer_tier, tags, fields, team_id, assignee_id,
        breached, sla_due_at, created_at, updated_at, node_entered_at)
      SELECT gen_random_uuid(), src.org_id, ${base} + g, src.flow_id, src.version_id, src.node_id, 1, src.status,
        src.end_status, src.channel, src.priority, src.category, src.subject, ${label}, src.customer_name,
        src.customer_email, src.customer_tier, src.tags, src.fields, src.team_id, src.assignee_id, src.breached,
        src.sla_due_at, src.created_at, src.updated_at, src.node_entered_at
      FROM src, generate_series(1, ${n}) g
      RETURNING id, org_id, created_at),
    ev AS (
      INSERT INTO ticket_events (org_id, ticket_id, seq, type, actor_id, from_node, to_node, data, created_at)
      SELECT made.org_id, made.id, 1, e.type, e.actor_id, e.from_node, e.to_node, e.data, e.created_at
      FROM made, ticket_events e WHERE e.ticket_id = ${templateId} AND e.seq = 1)
    SELECT id FROM made ORDER BY id`;
  return { ids: rows.map((r) => r.id), seqs: new Int32Array(rows.length).fill(1) };
}

/** The shipped server, as its own process (tsx apps/server/src/main.ts) on the bench database. */
async function spawnServer(url: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'apps/server/src/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolvePromise, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${buffer}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (const line of buffer.split('\n')) {
        if (!line.includes('"server.listening"')) continue;
        const parsed = JSON.parse(line) as { url: string };
        clearTimeout(timer);
        resolvePromise({ url: parsed.url, child });
        return;
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${buffer}`)));
  });
}

function post(
  agent: Agent,
  url: string,
  body: string,
  cookie: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolvePromise, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), cookie },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolvePromise({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const ratioResult = (
  metric: string,
  base: LoadRun[],
  subj: LoadRun[],
  target: string,
  threshold: number,
  unit = 'steps/s',
): Result => {
  const b = median(base.map((r) => r.opsPerSec));
  const s = median(subj.map((r) => r.opsPerSec));
  const errors = subj.flatMap((r) => r.errors);
  return {
    metric,
    raw: round(s, 0),
    baseline: round(b, 0),
    ratio: round(s / b, 3),
    target,
    pass: s / b >= threshold,
    unit,
    note: `p99 ${round(median(subj.map((r) => r.p99)))} ms (baseline ${round(median(base.map((r) => r.p99)))} ms)${
      errors.length ? `; errors: ${errors.slice(0, 2).join(' | ')}` : ''
    }`,
    cpu: { subject: medianCpu(subj), baseline: medianCpu(base) },
  };
};

async function benchDatabase(): Promise<void> {
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  const env = await environment(admin);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${DB_NAME}`;
  const benchUrl = url.toString();
  await admin.unsafe(`DROP DATABASE IF EXISTS ${DB_NAME}`);
  await admin.unsafe(`CREATE DATABASE ${DB_NAME}`);
  let server: { url: string; child: ChildProcess } | null = null;
  const pools: Database[] = [];
  const open = async (max: number) => {
    // The runtime serves as the application role (as the server does); the seeding below, made outside any
    // organization scope, runs as the owner.
    const db = await createDb({
      url: benchUrl,
      maxConnections: max,
      migrate: pools.length === 0,
      ownerOutsideScopes: true,
    });
    pools.push(db);
    return db;
  };
  const raw = postgres(benchUrl, { max: 32, onnotice: () => {} });
  let listenerDb: Database | null = null;
  let listener: LiveHub | null = null;
  try {
    // Seed: one organization, the loop flow, one real ticket cloned into two populations.
    const setup = await open(4);
    environmentInfo = { ...env, database: DB_NAME };
    log('\nEnvironment');
    for (const [k, v] of Object.entries(environmentInfo)) log(`  ${k.padEnd(18)} ${v}`);
    probe.backends = async () =>
      (await raw<{ pid: number }[]>`SELECT pid FROM pg_stat_activity WHERE datname = ${DB_NAME}`).map(
        (r) => r.pid,
      );
    const now = new Date();
    const org: RuntimeOrg = await createRuntimeOrg(setup, 'Bench Org', now);
    const { flowId } = await publishFlow(setup, org, 'Bench loop', loopDocument({ slaMinutes: null }), 1);
    const template = await createTicket(setup, ticketInput({ flowId }), {
      orgId: org.orgId,
      actorId: null,
      now,
    });
    const t0 = performance.now();
    const reference = await clonePopulation(raw, template.ticket.id, TICKETS, 'reference');
    const run = await clonePopulation(raw, template.ticket.id, TICKETS, 'runtime');
    await raw`ANALYZE`;
    log(`\nSeeded 2 × ${TICKETS} tickets in ${round((performance.now() - t0) / 1000, 1)} s`);
    const checkpoint = () => raw`CHECKPOINT`;
    const agent = org.people.agent1;

    // D0 writes what a real step writes, byte for byte: the event data and key response of one.
    await completeStep(
      setup,
      agent,
      {
        ticketId: template.ticket.id,
        expectedSeq: template.ticket.seq,
        nodeId: 'work',
        outcomeId: 'again',
        form: {},
        checklist: [],
        idempotencyKey: `sample-${process.pid}`,
      },
      new Date(),
    );
    const [sample] = await raw<{ data: string; response: string; hash: string }[]>`
      SELECT e.data::text AS data, k.response::text AS response, k.request_hash AS hash
        FROM ticket_events e, idempotency_keys k
       WHERE e.org_id = ${org.orgId} AND e.ticket_id = ${template.ticket.id} AND e.seq = 2
         AND k.org_id = e.org_id AND k.key = ${`sample-${process.pid}`}`;
    if (!sample) throw new Error('the sample step left no event or key');

    let keyCounter = 0;
    const d0 = (workers: number, pop: Population, cold: boolean) => (): Promise<LoadRun> =>
      load(workers, RUN_MS, async (w) => {
        const i = pick(pop, w, workers);
        const id = pop.ids[i] ?? '';
        const key = `ref-${process.pid}-${keyCounter++}`;
        let seq = pop.seqs[i] ?? 0;
        if (cold) {
          const [row] = await raw.unsafe<{ seq: number; request_hash: string | null }[]>(
            D0_READ_SQL,
            [id, org.orgId, key],
            { prepare: true },
          );
          if (!row || row.request_hash !== null) return 'conflict';
          seq = row.seq;
        }
        const rows = await raw.unsafe(
          D0_WRITE_SQL,
          [id, seq, agent.userId, sample.data, key, sample.hash, sample.response, org.orgId],
          { prepare: true },
        );
        if (rows.count !== 1) return 'conflict';
        pop.seqs[i] = seq + 1;
        return 'ok';
      });
    const dbs = new Map<number, Database>();
    const poolFor = async (workers: number) => {
      const existing = dbs.get(workers);
      if (existing) return existing;
      const db = await open(workers);
      // D0 announces nothing, so D1 runs with live updates off; N1 measures what turning them on costs.
      liveHubOf(db).announce = false;
      dbs.set(workers, db);
      return db;
    };
    const d1 =
      (workers: number, pop: Population, tickets: TicketCache, sent?: Map<string, number>) =>
      async (): Promise<LoadRun> => {
        const db = await poolFor(workers);
        return load(workers, RUN_MS, async (w) => {
          const i = pick(pop, w, workers);
          // Acting for the agent's organization, as a request does once its caller is known.
          const view = await withOrg(agent.orgId, () =>
            completeStep(
              db,
              agent,
              {
                ticketId: pop.ids[i] ?? '',
                expectedSeq: pop.seqs[i] ?? 0,
                nodeId: 'work',
                outcomeId: 'again',
                form: {},
                checklist: [],
                idempotencyKey: `bench-${process.pid}-${keyCounter++}`,
              },
              new Date(),
              { tickets },
            ),
          );
          pop.seqs[i] = view.ticket.seq;
          sent?.set(`${view.ticket.id}:${view.ticket.seq}`, performance.now());
          return 'ok';
        });
      };
    // Cold: no ticket is cached (every step reads first). Warm: a hot set this process served last,
    // cached at the sequence number the step expects (every step is one statement).
    const noCache = new TicketCache(0);
    const hotSize = QUICK ? 1_000 : 5_000;
    const hotRef = hotPart(reference, hotSize);
    const hotRun = hotPart(run, hotSize);
    const hotCache = new TicketCache(hotSize * 2);

    const coldRuns = new Map<number, LoadRun[]>();
    for (const workers of [8, 16]) {
      await checkpoint();
      await poolFor(workers);
      const cold = await interleave(d0(workers, reference, true), d1(workers, run, noCache));
      coldRuns.set(workers, cold.subj);
      results.push(
        ratioResult(
          `D1 cold step (read + write) ÷ D0 cold, ${workers} workers`,
          cold.base,
          cold.subj,
          '≥ 0.85 of D0',
          0.85,
        ),
      );
      // The hot set is cached the way a ticket page caches it: the agent opens the ticket first.
      if (workers === 8) {
        const db = await poolFor(workers);
        for (const id of hotRun.ids)
          await getTicketDetail(poolQuery(db), versionCache, { ticketId: id, orgId: org.orgId }, hotCache);
      }
      await d1(workers, hotRun, hotCache)(); // a first round, so every step below expects a cached seq
      const warm = await interleave(d0(workers, hotRef, false), d1(workers, hotRun, hotCache));
      results.push(
        ratioResult(
          `D1 warm step (cached, one statement) ÷ D0 warm, ${workers} workers`,
          warm.base,
          warm.subj,
          '≥ 0.85 of D0',
          0.85,
        ),
      );
    }

    // R1: what row-level security costs the step. The same runtime, steps and pool size, once connected
    // as the owner (no policy applies to it) and once as the application role under the policies, with its
    // organization set per connection.
    {
      const workers = 8;
      const ownerDb = await createDb({
        url: benchUrl,
        maxConnections: workers,
        migrate: false,
        access: 'owner',
      });
      pools.push(ownerDb);
      liveHubOf(ownerDb).announce = false;
      const asOwner = (tickets: TicketCache, pop: Population) => async (): Promise<LoadRun> => {
        const appDb = dbs.get(workers);
        dbs.set(workers, ownerDb);
        try {
          return await d1(workers, pop, tickets)();
        } finally {
          if (appDb) dbs.set(workers, appDb);
        }
      };
      await checkpoint();
      const cold = await interleave(asOwner(noCache, run), d1(workers, run, noCache));
      results.push(
        ratioResult(
          `R1 cold step as the application role (row-level security) ÷ as the owner, ${workers} workers`,
          cold.base,
          cold.subj,
          '≥ 0.95',
          0.95,
        ),
      );
      const warm = await interleave(asOwner(hotCache, hotRun), d1(workers, hotRun, hotCache));
      results.push(
        ratioResult(
          `R1 warm step as the application role (row-level security) ÷ as the owner, ${workers} workers`,
          warm.base,
          warm.subj,
          '≥ 0.95',
          0.95,
        ),
      );
    }

    // D2: one worker's latency (cold), and 16 workers' from the runs above.
    await checkpoint();
    const one = await d1(1, run, noCache)();
    results.push({
      metric: 'D2 step latency p99, 1 worker (cold)',
      raw: round(one.p99, 3),
      baseline: null,
      ratio: null,
      target: '≤ 2 ms',
      pass: one.p99 <= 2,
      unit: 'ms',
      note: `p50 ${round(one.p50, 3)} ms, ${round(one.opsPerSec, 0)} steps/s`,
      cpu: { subject: one.cpu, baseline: null },
    });
    const sixteen = coldRuns.get(16) ?? [];
    results.push({
      metric: 'D2 step latency p99, 16 workers (cold)',
      raw: round(median(sixteen.map((r) => r.p99)), 3),
      baseline: null,
      ratio: null,
      target: 'informational',
      pass: null,
      unit: 'ms',
      note: `p50 ${round(median(sixteen.map((r) => r.p50)), 3)} ms`,
    });

    // N1: live updates on (every move announced after its commit, another server listening) ÷ off.
    // Listening: the shipped server process, and a second hub in this process on its own connection
    // (it times the delivery; like every server, this process then both announces and hears).
    server = await spawnServer(benchUrl);
    probe.serverPid = null;
    listenerDb = await createDb({ url: benchUrl, maxConnections: 1, migrate: false });
    listener = new LiveHub(listenerDb, { reconcileMs: 3_600_000 });
    await listener.start();
    const sent = new Map<string, number>();
    const delays: number[] = [];
    listener.onAny((change) => {
      const at = sent.get(`${change.ticketId}:${change.seq}`);
      if (at !== undefined) delays.push(performance.now() - at);
    });
    const liveWorkers = 8;
    const liveDb = await poolFor(liveWorkers);
    const hub = liveHubOf(liveDb);
    const liveRun = (announce: boolean) => async () => {
      hub.announce = announce;
      try {
        return await d1(liveWorkers, run, noCache, announce ? sent : undefined)();
      } finally {
        hub.announce = false;
      }
    };
    await checkpoint();
    const batchesBefore = hub.stats.batches;
    const announcedBefore = hub.stats.announced;
    const live = await interleave(liveRun(false), liveRun(true));
    const batches = hub.stats.batches - batchesBefore;
    const announced = hub.stats.announced - announcedBefore;
    results.push(
      ratioResult(
        `N1 steps with live updates on ÷ off, ${liveWorkers} workers (cold)`,
        live.base,
        live.subj,
        '≥ 0.9',
        0.9,
      ),
    );
    await new Promise((r) => setTimeout(r, 200));
    const heardShare = sent.size > 0 ? delays.length / sent.size : 0;
    results.push({
      metric: 'N1 cross-server delivery p99 (commit → the listening server)',
      raw: round(percentile(delays, 99), 2),
      baseline: null,
      ratio: null,
      target: 'informational',
      pass: null,
      unit: 'ms',
      note: `p50 ${round(percentile(delays, 50), 2)} ms; ${delays.length} of ${sent.size} moves heard (${round(heardShare * 100, 1)}%, the rest coalesced into a later sequence number of their ticket); ${announced} moves announced in ${batches} pg_notify statements (hub failures: ${hub.stats.sendFailures})`,
    });

    // A1/A2: the browser's path, over HTTP through the shipped server (its own process).
    probe.serverPid = server.child.pid ?? null;
    const cookie = await cookieFor(setup, agent, new Date());
    const a1 = (connections: number) => async () => {
      const httpAgent = new Agent({ keepAlive: true, maxSockets: connections });
      const target = `${server?.url}/trpc/tickets.complete`;
      try {
        return await load(connections, RUN_MS, async (w) => {
          const i = pick(run, w, connections);
          const input = {
            ticketId: run.ids[i],
            expectedSeq: run.seqs[i],
            nodeId: 'work',
            outcomeId: 'again',
            form: {},
            checklist: [],
            idempotencyKey: `bench-http-${process.pid}-${keyCounter++}`,
          };
          const res = await post(httpAgent, target, JSON.stringify(input), cookie);
          if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.body.slice(0, 200)}`);
          run.seqs[i] = (run.seqs[i] ?? 0) + 1;
          return 'ok';
        });
      } finally {
        httpAgent.destroy();
      }
    };
    await checkpoint();
    await a1(32)(); // warm-up (prepared statements, JIT)
    // The server announces every move (live updates on), so its baseline does too.
    const d1Live = (workers: number) => async (): Promise<LoadRun> => {
      const hub16 = liveHubOf(await poolFor(workers));
      hub16.announce = true;
      try {
        return await d1(workers, run, noCache)();
      } finally {
        hub16.announce = false;
      }
    };
    const http = await interleave(d1Live(16), a1(32));
    results.push(
      ratioResult(
        'A1 POST /trpc/tickets.complete over HTTP, 32 connections ÷ D1 cold 16 workers (both live)',
        http.base,
        http.subj,
        '≥ 0.8 of D1',
        0.8,
      ),
    );
    const a2p50 = median(http.subj.map((r) => r.p50));
    const a2p99 = median(http.subj.map((r) => r.p99));
    results.push({
      metric: 'A2 HTTP latency p99 ÷ p50, 32 connections',
      raw: round(a2p99, 3),
      baseline: round(a2p50, 3),
      ratio: round(a2p99 / a2p50, 2),
      target: 'p99 ≤ 4 × p50',
      pass: a2p99 <= 4 * a2p50,
      unit: 'ms',
      cpu: { subject: medianCpu(http.subj), baseline: null },
    });
    const a2one = await a1(1)();
    results.push({
      metric: 'A2 HTTP latency p99, 1 connection',
      raw: round(a2one.p99, 3),
      baseline: null,
      ratio: null,
      target: 'informational',
      pass: null,
      unit: 'ms',
      note: `p50 ${round(a2one.p50, 3)} ms`,
    });
    probe.serverPid = null;

    // A3: correctness after the load.
    const [bad] = await raw<{ seq_mismatch: number; gaps: number; events: number; keys: number }[]>`
      SELECT
        (SELECT count(*)::int FROM tickets t
          WHERE t.seq <> (SELECT count(*) FROM ticket_events e WHERE e.org_id = t.org_id AND e.ticket_id = t.id)) AS seq_mismatch,
        (SELECT count(*)::int FROM (SELECT ticket_id FROM ticket_events GROUP BY ticket_id
          HAVING max(seq) <> count(*) OR min(seq) <> 1) g) AS gaps,
        (SELECT count(*)::int FROM ticket_events e JOIN tickets t ON t.org_id = e.org_id AND t.id = e.ticket_id
          WHERE e.type = 'step.completed' AND t.description = 'runtime') AS events,
        (SELECT count(*)::int FROM idempotency_keys WHERE key LIKE 'bench-%') AS keys`;
    const tracked = run.seqs.reduce((a, s) => a + (s - 1), 0);
    const measured = [...coldRuns.values()].flat().concat(http.subj, live.subj, live.base, [one, a2one]);
    const allErrors = measured.reduce((a, r) => a + r.errors.length, 0);
    const correct =
      bad?.seq_mismatch === 0 &&
      bad.gaps === 0 &&
      bad.events === tracked &&
      bad.keys === bad.events &&
      allErrors === 0;
    results.push({
      metric: 'A3 correctness after the load',
      raw: bad?.seq_mismatch ?? -1,
      baseline: null,
      ratio: null,
      target: 'seq = event count everywhere; 0 lost, 0 duplicated; 0 errors',
      pass: correct,
      unit: 'tickets wrong',
      note: `${bad?.events} steps acknowledged = ${tracked} tracked; ${bad?.keys} keys; ${bad?.gaps} gapped; ${allErrors} errors`,
    });
  } finally {
    probe.backends = null;
    probe.serverPid = null;
    if (server) {
      server.child.kill('SIGTERM');
      await new Promise((r) => server?.child.once('exit', r));
    }
    await listener?.stop();
    await listenerDb?.close();
    await raw.end({ timeout: 5 });
    for (const db of pools) await db.close();
    await admin.unsafe(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
    await admin.end({ timeout: 5 });
  }
}

/** For each missed target: CPU per step of the subject against its baseline, and where it goes. */
function limits(): void {
  const missed = results.filter((r) => r.pass === false && r.cpu);
  if (missed.length === 0) return;
  log(
    '\nWhat limits the missed targets (CPU per step, µs: Node = this process, server = the HTTP server process, PostgreSQL = the bench database backends)',
  );
  const fmt = (c: CpuPerStep) =>
    `Node ${c.node} + server ${c.server} + PostgreSQL ${c.postgres} = ${round(c.node + c.server + c.postgres, 1)}`;
  for (const r of missed) {
    if (!r.cpu) continue;
    log(`  · ${r.metric}`);
    log(`      subject:  ${fmt(r.cpu.subject)}`);
    if (r.cpu.baseline) {
      log(`      baseline: ${fmt(r.cpu.baseline)}`);
      const s = r.cpu.subject;
      const b = r.cpu.baseline;
      const nodeExtra = s.node + s.server - (b.node + b.server);
      const pgExtra = s.postgres - b.postgres;
      log(
        `      extra per step: Node ${round(nodeExtra, 1)} µs, PostgreSQL ${round(pgExtra, 1)} µs → ${
          Math.abs(nodeExtra) >= Math.abs(pgExtra)
            ? 'mostly Node (the runtime)'
            : 'mostly PostgreSQL (what the statements do)'
        }`,
      );
    } else {
      const c = r.cpu.subject;
      log(
        `      ${c.node + c.server >= c.postgres ? 'mostly Node' : 'mostly PostgreSQL'}; cores: ${os.cpus().length}, load average ${os
          .loadavg()
          .map((x) => round(x, 1))
          .join(' ')}`,
      );
    }
  }
}

function report(): void {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dir = join(ROOT, '.bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `results-${stamp}.json`);
  writeFileSync(
    file,
    `${JSON.stringify(
      results.map(({ metric, raw, baseline, ratio, target, pass, unit, note }) => ({
        metric,
        raw,
        baseline,
        ratio,
        target,
        pass,
        unit,
        ...(note ? { note } : {}),
      })),
      null,
      2,
    )}\n`,
  );
  // The environment goes beside the results (the results file keeps the agreed array shape).
  writeFileSync(join(dir, `environment-${stamp}.json`), `${JSON.stringify(environmentInfo, null, 2)}\n`);
  printRows(results, log);
  limits();
  log(`\nResults: ${file} (environment beside it)`);
}

async function main(): Promise<void> {
  log(`Stepwise runtime benchmark (${QUICK ? 'quick' : 'full'}): ${new Date().toISOString()}`);
  benchEngine();
  await benchDatabase();
  log('\nAnalytics (K0–K2)');
  results.push(
    ...(await benchAnalytics({
      quick: QUICK,
      fresh: process.argv.includes('--fresh'),
      scale: process.argv.includes('--scale'),
      keep: process.argv.includes('--keep'),
      adminUrl: ADMIN_URL,
      log,
    })),
  );
  log('\nBacktest (K3)');
  results.push(benchBacktest({ quick: QUICK }));
  report();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    report();
    process.exit(1);
  },
);

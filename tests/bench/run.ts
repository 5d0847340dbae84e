/**
 * The runtime benchmark: E1 engine step, D0 database calibration, D1/D2 in-process
 * ticket steps on PostgreSQL, A1/A2 the same steps over HTTP through the shipped server, A3 correctness
 * after the load. Every subject is measured interleaved with its baseline (baseline, subject, baseline,
 * …), median of the repetitions, and reported raw and as a ratio.
 *
 *   npm run bench            full (100k tickets)
 *   npm run bench:ci         --quick (10k tickets, shorter runs)
 *
 * DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) names the server; a throwaway
 * database `stepwise_bench_<pid>` is created there and dropped at the end.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDb, type Database } from '@stepwise/db';
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
import { completeStep } from '../../packages/api/src/runtime/completeStep.ts';
import { createTicket } from '../../packages/api/src/runtime/createTicket.ts';
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
const DB_NAME = `stepwise_bench_${process.pid}`;
const TICKETS = QUICK ? 10_000 : 100_000;
const RUN_MS = QUICK ? 2_000 : 5_000;
const REPS = 3;

type Result = {
  metric: string;
  raw: number;
  baseline: number | null;
  ratio: number | null;
  target: string;
  pass: boolean | null;
  unit: string;
  note?: string;
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

type LoadRun = {
  opsPerSec: number;
  p50: number;
  p99: number;
  ops: number;
  conflicts: number;
  errors: string[];
};

/** `workers` loops calling `op` until the deadline; latency in milliseconds. */
async function load(
  workers: number,
  durationMs: number,
  op: (worker: number) => Promise<'ok' | 'conflict'>,
): Promise<LoadRun> {
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
  return {
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

const D0_SQL = `WITH u AS (
  UPDATE tickets SET seq = seq + 1, updated_at = now() WHERE id = $1::uuid AND seq = $2::int RETURNING id, org_id, seq)
INSERT INTO ticket_events (org_id, ticket_id, seq, type, actor_id, from_node, to_node, data, created_at)
SELECT org_id, id, seq, 'bench.reference', NULL, 'work', 'work', '{"input":{},"trail":[]}'::jsonb, now() FROM u`;

/** Picks a random ticket of the worker's share (tickets are split between workers: no two race). */
function pick(pop: Population, worker: number, workers: number): number {
  const share = Math.floor(pop.ids.length / workers);
  return worker + workers * Math.floor(Math.random() * share);
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
        breached, sla_due_at, created_at, updated_at)
      SELECT gen_random_uuid(), src.org_id, ${base} + g, src.flow_id, src.version_id, src.node_id, 1, src.status,
        src.end_status, src.channel, src.priority, src.category, src.subject, ${label}, src.customer_name,
        src.customer_email, src.customer_tier, src.tags, src.fields, src.team_id, src.assignee_id, src.breached,
        src.sla_due_at, src.created_at, src.updated_at
      FROM src, generate_series(1, ${n}) g
      RETURNING id, org_id, created_at),
    ev AS (
      INSERT INTO ticket_events (org_id, ticket_id, seq, type, actor_id, from_node, to_node, data, created_at)
      SELECT made.org_id, made.id, 1, e.type, e.actor_id, e.from_node, e.to_node, e.data, e.created_at
      FROM made, ticket_events e WHERE e.ticket_id = ${templateId} AND e.seq = 1)
    SELECT id FROM made ORDER BY id`;
  return { ids: rows.map((r) => r.id), seqs: new Int32Array(rows.length).fill(1) };
}

async function pgbenchTps(url: string, clients: number): Promise<number | null> {
  try {
    execFileSync('pgbench', ['-i', '-q', '-s', '1', url], { stdio: 'ignore' });
    const script = join(os.tmpdir(), `stepwise-pgbench-${process.pid}.sql`);
    writeFileSync(
      script,
      '\\set aid random(1, 100000)\nUPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid = :aid;\n',
    );
    const out = execFileSync(
      'pgbench',
      [
        '-n',
        '-f',
        script,
        '-c',
        String(clients),
        '-j',
        '2',
        '-T',
        String(Math.max(2, Math.round(RUN_MS / 1000))),
        url,
      ],
      { encoding: 'utf8' },
    );
    const m = /tps = ([\d.]+) \(without initial connection time\)/.exec(out) ?? /tps = ([\d.]+)/.exec(out);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
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

async function benchDatabase(): Promise<void> {
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  const env = await environment(admin);
  environmentInfo = env;
  log('\nEnvironment');
  for (const [k, v] of Object.entries(env)) log(`  ${k.padEnd(18)} ${v}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${DB_NAME}`;
  const benchUrl = url.toString();
  await admin.unsafe(`DROP DATABASE IF EXISTS ${DB_NAME}`);
  await admin.unsafe(`CREATE DATABASE ${DB_NAME}`);
  let server: { url: string; child: ChildProcess } | null = null;
  const pools: Database[] = [];
  const open = async (max: number) => {
    const db = await createDb({ url: benchUrl, maxConnections: max, migrate: pools.length === 0 });
    pools.push(db);
    return db;
  };
  const raw = postgres(benchUrl, { max: 32, onnotice: () => {} });
  try {
    // Seed: one organization, the loop flow, one real ticket cloned into two populations.
    const setup = await open(4);
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

    // D0: calibration.
    await checkpoint();
    const tps8 = await pgbenchTps(benchUrl, 8);
    if (tps8 !== null) {
      results.push({
        metric: 'D0 pgbench single-row UPDATE, 8 clients',
        raw: round(tps8, 0),
        baseline: null,
        ratio: null,
        target: '—',
        pass: null,
        unit: 'tps',
      });
    }
    const agent = org.people.agent1;
    let keyCounter = 0;
    const d0 = (workers: number) => () =>
      load(workers, RUN_MS, async (w) => {
        const i = pick(reference, w, workers);
        const rows = await raw.unsafe(D0_SQL, [reference.ids[i] ?? '', reference.seqs[i] ?? 0], {
          prepare: true,
        });
        if (rows.count !== 1) return 'conflict';
        reference.seqs[i] = (reference.seqs[i] ?? 0) + 1;
        return 'ok';
      });
    const dbs = new Map<number, Database>();
    const poolFor = async (workers: number) => {
      const existing = dbs.get(workers);
      if (existing) return existing;
      const db = await open(workers);
      dbs.set(workers, db);
      return db;
    };
    const d1 =
      (workers: number, pop: Population = run, tickets?: TicketCache) =>
      async () => {
        const db = await poolFor(workers);
        return load(workers, RUN_MS, async (w) => {
          const i = pick(pop, w, workers);
          const view = await completeStep(
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
            tickets ? { tickets } : {},
          );
          pop.seqs[i] = view.ticket.seq;
          return 'ok';
        });
      };

    const d1Runs = new Map<number, LoadRun[]>();
    for (const workers of [8, 16]) {
      await checkpoint();
      await poolFor(workers);
      const { base, subj } = await interleave(d0(workers), d1(workers));
      d1Runs.set(workers, subj);
      const b = median(base.map((r) => r.opsPerSec));
      const s = median(subj.map((r) => r.opsPerSec));
      results.push({
        metric: `D0 reference one-statement step, ${workers} workers`,
        raw: round(b, 0),
        baseline: null,
        ratio: null,
        target: '—',
        pass: null,
        unit: 'steps/s',
        note: `p99 ${round(median(base.map((r) => r.p99)))} ms`,
      });
      const errors = subj.flatMap((r) => r.errors);
      results.push({
        metric: `D1 completeStep in-process, ${workers} workers`,
        raw: round(s, 0),
        baseline: round(b, 0),
        ratio: round(s / b, 3),
        target: '≥ 0.85 of D0 (floor 0.5)',
        pass: s / b >= 0.85,
        unit: 'steps/s',
        note: errors.length ? `errors: ${errors.slice(0, 2).join(' | ')}` : undefined,
      });
    }
    // D2: latency at 1 and 16 workers.
    await checkpoint();
    const one = await d1(1)();
    const sixteen = d1Runs.get(16) ?? [];
    results.push({
      metric: 'D2 step latency p99, 1 worker',
      raw: round(one.p99, 3),
      baseline: null,
      ratio: null,
      target: '≤ 1 ms',
      pass: one.p99 <= 1,
      unit: 'ms',
      note: `p50 ${round(one.p50, 3)} ms, ${round(one.opsPerSec, 0)} steps/s`,
    });
    const p99at16 = median(sixteen.map((r) => r.p99));
    results.push({
      metric: 'D2 step latency p99, 16 workers',
      raw: round(p99at16, 3),
      baseline: null,
      ratio: null,
      target: '≤ 8 ms',
      pass: p99at16 <= 8,
      unit: 'ms',
      note: `p50 ${round(median(sixteen.map((r) => r.p50)), 3)} ms`,
    });

    // D1c: the per-process ticket cache, measured where it can matter: a hot set of tickets (those this
    // server served last), 16 workers, cache off (baseline) vs on.
    const hotSize = 1000;
    const hot: Population = { ids: run.ids.slice(0, hotSize), seqs: run.seqs.subarray(0, hotSize) };
    const hotCache = new TicketCache(hotSize * 2);
    await checkpoint();
    await d1(16, hot, hotCache)(); // fills the cache
    const cacheRuns = await interleave(d1(16, hot, new TicketCache(0)), d1(16, hot, hotCache));
    const off = median(cacheRuns.base.map((r) => r.opsPerSec));
    const on = median(cacheRuns.subj.map((r) => r.opsPerSec));
    results.push({
      metric: `D1c ticket cache on vs off (${hotSize} hot tickets, 16 workers)`,
      raw: round(on, 0),
      baseline: round(off, 0),
      ratio: round(on / off, 3),
      target: 'informational: the cache is kept only if > 1',
      pass: null,
      unit: 'steps/s',
      note: `p99 on ${round(median(cacheRuns.subj.map((r) => r.p99)))} ms, off ${round(median(cacheRuns.base.map((r) => r.p99)))} ms`,
    });

    // A1/A2: over HTTP through the shipped server (its own process), 32 keep-alive connections.
    server = await spawnServer(benchUrl);
    const cookie = await cookieFor(setup, agent, new Date());
    const a1 = (connections: number, batched: boolean) => async () => {
      const httpAgent = new Agent({ keepAlive: true, maxSockets: connections });
      const target = `${server?.url}/trpc/tickets.complete${batched ? '?batch=1' : ''}`;
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
          const res = await post(httpAgent, target, JSON.stringify(batched ? { 0: input } : input), cookie);
          if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.body.slice(0, 200)}`);
          run.seqs[i] = (run.seqs[i] ?? 0) + 1;
          return 'ok';
        });
      } finally {
        httpAgent.destroy();
      }
    };
    await checkpoint();
    await a1(32, false)(); // warm-up (prepared statements, JIT)
    const http = await interleave(d1(16), a1(32, false));
    const d1ops = median(http.base.map((r) => r.opsPerSec));
    const a1ops = median(http.subj.map((r) => r.opsPerSec));
    const a1errors = http.subj.flatMap((r) => r.errors);
    results.push({
      metric: 'A1 complete over HTTP (fast path), 32 connections',
      raw: round(a1ops, 0),
      baseline: round(d1ops, 0),
      ratio: round(a1ops / d1ops, 3),
      target: '≥ 0.8 of D1 (16 workers, same run)',
      pass: a1ops / d1ops >= 0.8,
      unit: 'steps/s',
      note: a1errors.length ? `errors: ${a1errors.slice(0, 2).join(' | ')}` : undefined,
    });
    await checkpoint();
    const std = await interleave(d1(16), a1(32, true));
    const stdBase = median(std.base.map((r) => r.opsPerSec));
    const stdOps = median(std.subj.map((r) => r.opsPerSec));
    results.push({
      metric: 'A1′ complete over HTTP (standard tRPC adapter, ?batch=1), 32 connections',
      raw: round(stdOps, 0),
      baseline: round(stdBase, 0),
      ratio: round(stdOps / stdBase, 3),
      target: 'informational: the lean path is kept only if A1 beats this',
      pass: null,
      unit: 'steps/s',
    });
    const a2one = await a1(1, false)();
    results.push({
      metric: 'A2 HTTP latency p99, 1 connection',
      raw: round(a2one.p99, 3),
      baseline: null,
      ratio: null,
      target: '≤ 3 ms',
      pass: a2one.p99 <= 3,
      unit: 'ms',
      note: `p50 ${round(a2one.p50, 3)} ms`,
    });
    const a2p99 = median(http.subj.map((r) => r.p99));
    results.push({
      metric: 'A2 HTTP latency p99, 32 connections',
      raw: round(a2p99, 3),
      baseline: null,
      ratio: null,
      target: '≤ 15 ms',
      pass: a2p99 <= 15,
      unit: 'ms',
      note: `p50 ${round(median(http.subj.map((r) => r.p50)), 3)} ms`,
    });

    // A3: correctness after the load.
    const [bad] = await raw<{ seq_mismatch: number; gaps: number; events: number; keys: number }[]>`
      SELECT
        (SELECT count(*)::int FROM tickets t
          WHERE t.seq <> (SELECT count(*) FROM ticket_events e WHERE e.ticket_id = t.id)) AS seq_mismatch,
        (SELECT count(*)::int FROM (SELECT ticket_id FROM ticket_events GROUP BY ticket_id
          HAVING max(seq) <> count(*) OR min(seq) <> 1) g) AS gaps,
        (SELECT count(*)::int FROM ticket_events WHERE type = 'step.completed') AS events,
        (SELECT count(*)::int FROM idempotency_keys) AS keys`;
    const tracked = run.seqs.reduce((a, s) => a + (s - 1), 0);
    const allErrors = [
      ...[...d1Runs.values()].flat(),
      ...cacheRuns.base,
      ...cacheRuns.subj,
      ...http.subj,
      ...http.base,
      ...std.subj,
      a2one,
    ].reduce((a, r) => a + r.errors.length, 0);
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
    if (server) {
      server.child.kill('SIGTERM');
      await new Promise((r) => server?.child.once('exit', r));
    }
    await raw.end({ timeout: 5 });
    for (const db of pools) await db.close();
    await admin.unsafe(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
    await admin.end({ timeout: 5 });
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
  const rows = results.map((r) => [
    r.metric,
    `${r.raw} ${r.unit}`,
    r.baseline === null ? '' : String(r.baseline),
    r.ratio === null ? '' : String(r.ratio),
    r.target,
    r.pass === null ? '' : r.pass ? 'PASS' : 'MISS',
  ]);
  const header = ['metric', 'raw', 'baseline', 'ratio', 'target', ''];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ');
  log(`\n${line(header)}`);
  log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) log(line(r));
  for (const r of results) if (r.note) log(`  · ${r.metric}: ${r.note}`);
  log(`\nResults: ${file} (environment beside it)`);
}

async function main(): Promise<void> {
  log(`Stepwise runtime benchmark (${QUICK ? 'quick' : 'full'}): ${new Date().toISOString()}`);
  benchEngine();
  await benchDatabase();
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

/**
 * The unbatched mutation path against tRPC's standard Node adapter, on `tickets.complete`: one server
 * process serves both (the app's server, and the standard adapter alone on a second port, same
 * database pool, same caches); this process drives them in turn (standard, served, standard, …) with
 * keep-alive connections and reports each run's rate and latency and the medians' ratio.
 *
 *   npx tsx tests/bench/adapter.ts [--connections 16] [--ms 4000] [--reps 3] [--tickets 3000]
 *
 * DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) names the server; a throwaway
 * database is created there and dropped at the end. PORTS (default 3413,3414) are the two listeners.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { type AppRouter, appRouter, createContextFactory } from '@stepwise/api';
import { createDb } from '@stepwise/db';
import { nodeHTTPRequestHandler } from '@trpc/server/adapters/node-http';
import postgres from 'postgres';
import { startServer } from '../../apps/server/src/server.ts';
import { headersOf, MAX_BATCH_SIZE, MAX_BODY_BYTES } from '../../apps/server/src/trpcHttp.ts';
import { createTicket } from '../../packages/api/src/runtime/createTicket.ts';
import {
  apiAs,
  cookieFor,
  createRuntimeOrg,
  loopDocument,
  publishFlow,
  ticketInput,
} from '../support/runtimeFixture.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const ADMIN_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const [SERVED_PORT, STANDARD_PORT] = (process.env.PORTS ?? '3413,3414').split(',').map(Number);

/** The child: the app's server and the standard adapter alone, on one pool. */
async function serve(url: string): Promise<void> {
  const db = await createDb({ url, migrate: false, maxConnections: 16, ownerOutsideScopes: true });
  await startServer({ db, port: SERVED_PORT ?? 3413, timers: false });
  const createContext = createContextFactory({ db });
  const standard = createServer((req: IncomingMessage, res: ServerResponse) => {
    void nodeHTTPRequestHandler<AppRouter, IncomingMessage, ServerResponse>({
      router: appRouter,
      req,
      res,
      path: new URL(req.url ?? '/', 'http://x').pathname.slice('/trpc/'.length),
      allowBatching: true,
      maxBatchSize: MAX_BATCH_SIZE,
      maxBodySize: MAX_BODY_BYTES,
      createContext: ({ req: request, res: response }) =>
        createContext({
          headers: headersOf(request),
          setCookie: (c) => response.appendHeader('set-cookie', c),
          clientIp: request.socket.remoteAddress ?? 'unknown',
        }),
    });
  });
  await new Promise<void>((resolve) => standard.listen(STANDARD_PORT, '127.0.0.1', resolve));
  console.log('ready');
}

type Run = { perSec: number; p50: number; p99: number; requests: number; bytes: number };

function post(agent: Agent, url: string, body: string, cookie: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
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
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function main(): Promise<void> {
  const connections = option('connections', 16);
  const durationMs = option('ms', 4000);
  const reps = option('reps', 3);
  const ticketCount = option('tickets', 3000);
  const name = `stepwise_adapter_${process.pid}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  let child: ChildProcess | null = null;
  try {
    const db = await createDb({
      url: url.toString(),
      migrate: true,
      maxConnections: 8,
      ownerOutsideScopes: true,
    });
    const now = new Date();
    const org = await createRuntimeOrg(db, 'Adapter Bench', now);
    const { flowId } = await publishFlow(db, org, 'Loop', loopDocument({ slaMinutes: null }), 1);
    const ids: string[] = [];
    const seqs: number[] = [];
    for (let i = 0; i < ticketCount; i += 16) {
      const made = await Promise.all(
        Array.from({ length: Math.min(16, ticketCount - i) }, () =>
          createTicket(db, ticketInput({ flowId }), { orgId: org.orgId, actorId: null, now }),
        ),
      );
      for (const t of made) {
        ids.push(t.ticket.id);
        seqs.push(t.ticket.seq);
      }
    }
    const cookie = await cookieFor(db, org.people.agent1, new Date());
    // For scale: the whole ticket (what the answer was before it carried only the move) at its start.
    const whole = await apiAs(db, org.people.agent1, { now: () => now, set() {}, advance() {} }).tickets.get({
      ticketId: ids[0] ?? '',
    });
    const { conversation: _c, csat: _s, parent: _p, children: _k, feedbackLink: _f, ...view } = whole;
    console.log(`the whole ticket view: ${JSON.stringify({ result: { data: view } }).length} B`);
    await db.close();

    const script = fileURLToPath(import.meta.url);
    const spawned = spawn(process.execPath, ['--import', 'tsx', script, '--serve', url.toString()], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child = spawned;
    await new Promise<void>((resolve, reject) => {
      spawned.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve();
      });
      spawned.once('exit', (code) => reject(new Error(`server exited (${code})`)));
    });

    let key = 0;
    const drive = async (port: number): Promise<Run> => {
      const agent = new Agent({ keepAlive: true, maxSockets: connections });
      const target = `http://127.0.0.1:${port}/trpc/tickets.complete`;
      const latencies: number[] = [];
      let bytes = 0;
      const deadline = performance.now() + durationMs;
      const start = performance.now();
      await Promise.all(
        Array.from({ length: connections }, async (_, w) => {
          const share = Math.floor(ids.length / connections);
          while (performance.now() < deadline) {
            const i = w + connections * Math.floor(Math.random() * share);
            const body = JSON.stringify({
              ticketId: ids[i],
              expectedSeq: seqs[i],
              nodeId: 'work',
              outcomeId: 'again',
              form: {},
              checklist: [],
              idempotencyKey: `adapter-${process.pid}-${key++}`,
            });
            const t0 = performance.now();
            const res = await post(agent, target, body, cookie);
            latencies.push(performance.now() - t0);
            if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.body.slice(0, 200)}`);
            bytes += res.body.length;
            seqs[i] = (seqs[i] ?? 0) + 1;
          }
        }),
      );
      agent.destroy();
      const elapsed = (performance.now() - start) / 1000;
      latencies.sort((a, b) => a - b);
      const at = (p: number) =>
        latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
      return {
        perSec: latencies.length / elapsed,
        p50: at(0.5),
        p99: at(0.99),
        requests: latencies.length,
        bytes: bytes / latencies.length,
      };
    };

    const show = (label: string, r: Run) =>
      console.log(
        `${label.padEnd(9)} ${r.perSec.toFixed(0).padStart(6)}/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  ${r.requests} requests  ${r.bytes.toFixed(0)} B/response`,
      );
    const standardPort = STANDARD_PORT ?? 3414;
    const subjects = [{ label: 'served', port: SERVED_PORT ?? 3413 }];
    // Warm-up: JIT, prepared statements, caches.
    for (const port of [standardPort, ...subjects.map((s) => s.port)]) await drive(port);
    // standard, subjects…, standard, subjects…, standard: each subject run is set against the mean of
    // the standard runs on either side of it, so a load that drifts during the run cancels out.
    const standard: Run[] = [await drive(standardPort)];
    show('standard', standard[0] as Run);
    const runs = new Map<string, Run[]>(subjects.map((s) => [s.label, []]));
    for (let r = 0; r < reps; r++) {
      for (const subject of subjects) {
        const run = await drive(subject.port);
        runs.get(subject.label)?.push(run);
        show(subject.label, run);
      }
      standard.push(await drive(standardPort));
      show('standard', standard.at(-1) as Run);
    }
    const median = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      const mid = Math.floor(s.length / 2);
      return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
    };
    const total = (xs: Run[]) => xs.reduce((n, r) => n + r.requests, 0);
    console.log(
      `\n${connections} connections, ${durationMs} ms a run, ${reps} rounds, ${ticketCount} tickets; standard: ` +
        `median ${median(standard.map((r) => r.perSec)).toFixed(0)}/s, p50 ${median(standard.map((r) => r.p50)).toFixed(2)} ms, ` +
        `p99 ${median(standard.map((r) => r.p99)).toFixed(2)} ms, ${total(standard)} requests`,
    );
    for (const subject of subjects) {
      const mine = runs.get(subject.label) ?? [];
      const ratios = mine.map((run, i) => {
        const around = ((standard[i]?.perSec ?? 0) + (standard[i + 1]?.perSec ?? 0)) / 2;
        return run.perSec / around;
      });
      console.log(
        `${subject.label} ÷ standard: median ratio ${median(ratios).toFixed(3)} (per round ${ratios.map((x) => x.toFixed(2)).join(', ')}); ` +
          `median ${median(mine.map((r) => r.perSec)).toFixed(0)}/s, p50 ${median(mine.map((r) => r.p50)).toFixed(2)} ms, ` +
          `p99 ${median(mine.map((r) => r.p99)).toFixed(2)} ms, ${total(mine)} requests`,
      );
    }
  } finally {
    child?.kill();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

if (args[0] === '--serve') await serve(args[1] ?? '');
else await main();

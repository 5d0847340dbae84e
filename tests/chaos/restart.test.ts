import { createServer } from 'node:net';
import { createDb, type Database } from '@stepwise/db';
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketDetail } from '../../packages/api/src/runtime/ticketView.ts';
import { checkInvariants } from '../support/invariants.ts';
import {
  createPrivateCluster,
  type PrivateCluster,
  privateClusterUnavailable,
} from '../support/privateCluster.ts';
import {
  apiAs,
  cookieFor,
  createRuntimeOrg,
  fakeClock,
  loopDocument,
  newKey,
  publishFlow,
  type RuntimeOrg,
  ticketInput,
} from '../support/runtimeFixture.ts';
import { type ServerProcess, spawnServer } from '../support/serverProcess.ts';

const unavailable = privateClusterUnavailable();
if (unavailable) console.warn(`[stepwise tests] database restart test SKIPPED: ${unavailable}.`);

/** A port for the private cluster: STEPWISE_TEST_PG_PORT, else one the system says is free. */
async function clusterPort(): Promise<number> {
  if (process.env.STEPWISE_TEST_PG_PORT) return Number(process.env.STEPWISE_TEST_PG_PORT);
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** One HTTP request as the client saw it. */
type Attempt = { kind: 'read' | 'complete'; start: number; end: number; status: number | 'network' };

const WORKERS = 8;
const WARM_MS = 1500;
const DOWN_MS = 1500;
const AFTER_MS = 5000;
const REQUEST_TIMEOUT_MS = 15_000;

describe.skipIf(unavailable !== null)('a database restarted under load (private PostgreSQL cluster)', () => {
  let cluster: PrivateCluster;
  let db: Database;
  let server: ServerProcess;
  let org: RuntimeOrg;
  let flowId: string;
  const logLines: string[] = [];
  let stopping = false;
  const clock = fakeClock(new Date());

  beforeAll(async () => {
    cluster = await createPrivateCluster(await clusterPort());
    db = await createDb({ url: cluster.url, ownerOutsideScopes: true });
    org = await createRuntimeOrg(db, 'Restart Ltd', clock.now());
    flowId = (await publishFlow(db, org, 'Loop', loopDocument({ slaMinutes: null }), 1)).flowId;
    server = await spawnServer(cluster.url, 60_000, { STEPWISE_DEMO: '0' });
    server.child.stdout?.on('data', (chunk: Buffer) => logLines.push(...chunk.toString('utf8').split('\n')));
    server.child.stderr?.on('data', (chunk: Buffer) => logLines.push(...chunk.toString('utf8').split('\n')));
    server.child.once('exit', (code, signal) => {
      if (!stopping)
        console.error(`[restart] the server exited (${code ?? signal}):\n${logLines.join('\n')}`);
    });
  }, 90_000);

  afterAll(async () => {
    stopping = true;
    await server?.stop();
    await db?.close();
    await cluster?.destroy();
  });

  it('given reads and step completions in flight, when the database is restarted immediately, then nothing answers 500, every request after it is back answers within 5 s, and no move is lost or made twice', async () => {
    // given: a ticket per worker (so a worker always knows the sequence number it completes at)
    const api = apiAs(db, org.people.manager, clock);
    const tickets: TicketDetail[] = [];
    for (let i = 0; i < WORKERS; i++) tickets.push(await api.tickets.create(ticketInput({ flowId })));
    const cookie = await cookieFor(db, org.people.agent1, new Date());
    const attempts: Attempt[] = [];
    const confirmed = new Map<string, number>();
    let stop = false;

    const call = async (kind: Attempt['kind'], path: string, init: RequestInit): Promise<Response | null> => {
      const start = performance.now();
      try {
        const res = await fetch(`${server.url}/trpc/${path}`, {
          ...init,
          headers: { cookie, 'content-type': 'application/json' },
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        await res.clone().arrayBuffer();
        attempts.push({ kind, start, end: performance.now(), status: res.status });
        return res;
      } catch {
        attempts.push({ kind, start, end: performance.now(), status: 'network' });
        return null;
      }
    };
    /** The client's rule: a 503 or a network error is tried again (same idempotency key), after Retry-After. */
    const untilAnswered = async (kind: Attempt['kind'], path: string, init: () => RequestInit) => {
      for (;;) {
        const res = await call(kind, path, init());
        if (res && res.status !== 503) return res;
        const wait = Number(res?.headers.get('retry-after') ?? 0.2) * 1000;
        await new Promise((r) => setTimeout(r, Math.min(wait, 500)));
      }
    };

    const worker = async (ticket: TicketDetail) => {
      const id = ticket.ticket.id;
      let seq = ticket.ticket.seq;
      let moves = 0;
      for (let i = 0; !stop; i++) {
        if (i % 2 === 0) {
          const input = encodeURIComponent(JSON.stringify({ ticketId: id }));
          const res = await untilAnswered('read', `tickets.get?input=${input}`, () => ({ method: 'GET' }));
          expect(res.status).toBe(200);
          continue;
        }
        const body = JSON.stringify({
          ticketId: id,
          expectedSeq: seq,
          nodeId: 'work',
          outcomeId: 'again',
          form: {},
          checklist: [],
          idempotencyKey: newKey(),
        });
        const res = await untilAnswered('complete', 'tickets.complete', () => ({ method: 'POST', body }));
        const answer = (await res.json()) as { result?: { data: { ticket: { seq: number } } } };
        expect(res.status, JSON.stringify(answer)).toBe(200);
        seq = answer.result?.data.ticket.seq ?? seq;
        moves++;
      }
      confirmed.set(id, moves);
    };

    // when
    const load = Promise.all(tickets.map(worker));
    await new Promise((r) => setTimeout(r, WARM_MS));
    const downAt = performance.now();
    await cluster.stopImmediately();
    await new Promise((r) => setTimeout(r, DOWN_MS / 2));
    const health = await fetch(`${server.url}/healthz`);
    await new Promise((r) => setTimeout(r, DOWN_MS / 2));
    await cluster.start();
    const backAt = performance.now();
    await new Promise((r) => setTimeout(r, AFTER_MS));
    stop = true;
    await load;

    // then
    const after = attempts.filter((a) => a.start >= backAt);
    const slowest = (list: Attempt[]) => Math.round(Math.max(0, ...list.map((a) => a.end - a.start)));
    const count = (status: Attempt['status']) => attempts.filter((a) => a.status === status).length;
    const p99 = (list: Attempt[]) => {
      const sorted = list.map((a) => a.end - a.start).sort((x, y) => x - y);
      return Math.round(sorted[Math.floor(sorted.length * 0.99)] ?? 0);
    };
    const slow = after
      .filter((a) => a.end - a.start > 1000)
      .map(
        (a) =>
          `${a.kind} +${Math.round(a.start - backAt)} ms took ${Math.round(a.end - a.start)} ms (${a.status})`,
      );
    if (slow.length > 0) console.info(`[restart] slow after the restart: ${slow.join('; ')}`);
    const around = attempts.filter((a) => a.start < backAt && a.end > downAt);
    console.info(
      `[restart] ${attempts.length} requests (${attempts.filter((a) => a.kind === 'complete').length} completions): ` +
        `${count(200)} × 200, ${count(503)} × 503, ${count('network')} network errors, ${count(500)} × 500; ` +
        `down ${Math.round(backAt - downAt)} ms; in flight while down: ${around.length}, slowest ${slowest(around)} ms; ` +
        `after it was back: ${after.length} requests, slowest ${slowest(after)} ms, p99 ${p99(after)} ms`,
    );
    expect(health.status).toBe(503);
    expect(health.headers.get('retry-after')).toBe('2');
    expect(
      attempts.filter((a) => typeof a.status === 'number' && a.status >= 500 && a.status !== 503),
    ).toEqual([]);
    expect(count('network')).toBe(0);
    expect(after.length).toBeGreaterThan(20);
    expect(slowest(after)).toBeLessThan(5000);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    // No move lost or made twice: each ticket is one event past its creation per confirmed completion.
    const rows = await db.query<{ id: string; seq: number }>(
      'SELECT id, seq FROM tickets WHERE org_id = $1::uuid',
      [org.orgId],
    );
    for (const row of rows) expect(row.seq, `ticket ${row.id}`).toBe(1 + (confirmed.get(row.id) ?? 0));
    expect(await checkInvariants(db, { orgId: org.orgId })).toEqual([]);
    if (logLines.some((l) => l.includes('"db.unreachable"')))
      expect(logLines.some((l) => l.includes('"db.reachable"'))).toBe(true);
  }, 60_000);

  it('given a live subscription open through the restart, when a ticket is moved by another process afterwards, then the stream hears it (the LISTEN came back by itself)', async () => {
    // given: the restart of the previous test is over; the stream opens before a second one
    const t = await apiAs(db, org.people.manager, clock).tickets.create(ticketInput({ flowId }));
    const cookie = await cookieFor(db, org.people.agent1, new Date());
    const heard: number[] = [];
    const url = `${server.url}/trpc/live.ticket?input=${encodeURIComponent(JSON.stringify({ ticketId: t.ticket.id }))}`;
    const source = new EventSource(url, {
      fetch: (target, init) => fetch(target, { ...init, headers: { ...init.headers, cookie } }),
    });
    try {
      await new Promise<void>((resolve) => source.addEventListener('connected', () => resolve()));
      source.onmessage = (event) => heard.push((JSON.parse(event.data) as { seq: number }).seq);
      await cluster.stopImmediately();
      await cluster.start();
      // when: this process moves the ticket; the server hears of it only through NOTIFY/LISTEN (or its
      // reconcile after reconnecting)
      const started = Date.now();
      let moved = false;
      while (!moved) {
        try {
          await apiAs(db, org.people.agent1, clock).tickets.complete({
            ticketId: t.ticket.id,
            expectedSeq: t.ticket.seq,
            nodeId: 'work',
            outcomeId: 'again',
            form: {},
            checklist: [],
            idempotencyKey: 'restart-live-move',
          });
          moved = true;
        } catch (error) {
          if (Date.now() - started > 5000) throw error;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      // then
      const deadline = Date.now() + 4000;
      while (!heard.includes(t.ticket.seq + 1) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      expect(heard).toContain(t.ticket.seq + 1);
      console.info(`[restart] the live stream heard the move ${Date.now() - started} ms after the restart`);
    } finally {
      source.close();
    }
  }, 30_000);
});

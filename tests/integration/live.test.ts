import { Agent } from 'node:http';
import { createDb, type Database } from '@stepwise/db';
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../apps/server/src/server.ts';
import {
  LiveHub,
  liveHubOf,
  parsePayload,
  payloadsOf,
  type TicketChange,
} from '../../packages/api/src/live/hub.ts';
import { advanceTicket } from '../../packages/api/src/runtime/advanceTicket.ts';
import { fireDueTimers } from '../../packages/api/src/runtime/fireDueTimers.ts';
import { poolQuery } from '../../packages/api/src/runtime/sql.ts';
import {
  apiAs,
  cookieFor,
  createRuntimeOrg,
  fakeClock,
  loopDocument,
  newKey,
  postJson,
  publishFlow,
  type RuntimeOrg,
  ticketInput,
} from '../support/runtimeFixture.ts';
import { type ServerProcess, spawnServer } from '../support/serverProcess.ts';
import { backends, hasPostgres, openTestDb, type TestDb } from '../support/testDb.ts';

type Change = { ticketId: string; seq: number; eventId: string };

/** An SSE subscription to a tRPC procedure, authenticated by cookie; collects the data events. */
function subscribe(baseUrl: string, path: string, input: unknown, cookie: string) {
  const changes: Change[] = [];
  const url = `${baseUrl}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`;
  const source = new EventSource(url, {
    fetch: (target, init) => fetch(target, { ...init, headers: { ...init.headers, cookie } }),
  });
  const opened = new Promise<void>((resolve, reject) => {
    source.addEventListener('connected', () => resolve());
    source.onerror = (event) => reject(new Error(`SSE error: ${event.message ?? 'unknown'}`));
  });
  source.onmessage = (event) => {
    const data = JSON.parse(event.data) as { ticketId?: string; seq?: number };
    if (typeof data.ticketId === 'string' && typeof data.seq === 'number') {
      changes.push({ ticketId: data.ticketId, seq: data.seq, eventId: event.lastEventId });
    }
  };
  return { changes, opened, close: () => source.close() };
}

async function until(check: () => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - started;
}

describe.each(backends())('live updates over SSE, one server (%s)', (backend) => {
  let db: TestDb;
  let org: RuntimeOrg;
  let server: RunningServer;
  let flowId: string;
  const clock = fakeClock(new Date());
  const agent = new Agent({ keepAlive: true });

  beforeAll(async () => {
    db = await openTestDb(backend);
    org = await createRuntimeOrg(db, 'Live One', clock.now());
    flowId = (await publishFlow(db, org, 'Loop', loopDocument(), 1)).flowId;
    server = await startServer({ db, port: 0, now: clock.now, timers: false });
  });
  afterAll(async () => {
    agent.destroy();
    await server.close();
    await db.dispose();
  });

  it('given a subscription to a ticket and to the queue, when the ticket moves and gets a message, then both streams get events; another organization gets none', async () => {
    // given
    const t = await apiAs(db, org.people.manager, clock).tickets.create(ticketInput({ flowId }));
    const cookie = await cookieFor(db, org.people.agent1, clock.now());
    const other = await createRuntimeOrg(db, 'Live Other', clock.now());
    const ticketStream = subscribe(server.url, 'live.ticket', { ticketId: t.ticket.id }, cookie);
    const queueStream = subscribe(server.url, 'live.queue', {}, cookie);
    const otherStream = subscribe(
      server.url,
      'live.queue',
      {},
      await cookieFor(db, other.people.agent1, clock.now()),
    );
    try {
      await Promise.all([ticketStream.opened, queueStream.opened, otherStream.opened]);
      // when
      await apiAs(db, org.people.agent1, clock).tickets.complete({
        ticketId: t.ticket.id,
        expectedSeq: t.ticket.seq,
        nodeId: 'work',
        outcomeId: 'again',
        form: {},
        checklist: [],
        idempotencyKey: newKey(),
      });
      await apiAs(db, org.people.agent1, clock).tickets.addMessage({
        ticketId: t.ticket.id,
        body: 'On it',
        from: 'agent',
      });
      // then
      await until(() => ticketStream.changes.length >= 2 && queueStream.changes.length >= 2, 2000);
      expect(ticketStream.changes[0]).toMatchObject({ ticketId: t.ticket.id, seq: 2, eventId: '2' });
      expect(queueStream.changes.map((c) => c.ticketId)).toContain(t.ticket.id);
      await new Promise((r) => setTimeout(r, 100));
      expect(otherStream.changes).toEqual([]);
    } finally {
      ticketStream.close();
      queueStream.close();
      otherStream.close();
    }
  });

  it('given a reconnect with a last event id the ticket is past, then an event arrives at once; a ticket of another organization is NOT_FOUND', async () => {
    // given
    const t = await apiAs(db, org.people.manager, clock).tickets.create(ticketInput({ flowId }));
    const cookie = await cookieFor(db, org.people.agent1, clock.now());
    await apiAs(db, org.people.manager, clock).tickets.assign({
      ticketId: t.ticket.id,
      assigneeId: org.people.agent2.userId,
    });
    // when
    const resumed = subscribe(server.url, 'live.ticket', { ticketId: t.ticket.id, lastEventId: '1' }, cookie);
    try {
      await resumed.opened;
      // then
      await until(() => resumed.changes.length >= 1, 2000);
      expect(resumed.changes[0]).toMatchObject({ seq: 2, eventId: '2' });
    } finally {
      resumed.close();
    }
    const outsider = await createRuntimeOrg(db, 'Live Outsider', clock.now());
    const caller = apiAs(db, outsider.people.agent1, clock);
    const iterable = await caller.live.ticket({ ticketId: t.ticket.id });
    await expect(
      (async () => {
        for await (const _ of iterable) break;
      })(),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe.skipIf(!hasPostgres())('live updates across two server processes (postgres)', () => {
  let db: TestDb;
  let org: RuntimeOrg;
  let a: ServerProcess;
  let b: ServerProcess;
  let flowId: string;
  const clock = fakeClock(new Date());
  const agent = new Agent({ keepAlive: true });

  beforeAll(async () => {
    db = await openTestDb('postgres');
    org = await createRuntimeOrg(db, 'Live Two', clock.now());
    flowId = (await publishFlow(db, org, 'Loop', loopDocument(), 1)).flowId;
    if (!db.url) throw new Error('no database URL');
    [a, b] = await Promise.all([spawnServer(db.url), spawnServer(db.url)]);
  }, 60_000);
  afterAll(async () => {
    agent.destroy();
    await Promise.all([a?.stop(), b?.stop()]);
    await db.dispose();
  });

  it('given a client subscribed to a ticket on server B, when the ticket moves through server A, then B streams it within 2 s', async () => {
    // given
    const t = await apiAs(db, org.people.manager, clock).tickets.create(ticketInput({ flowId }));
    const cookie = await cookieFor(db, org.people.agent1, clock.now());
    const stream = subscribe(b.url, 'live.ticket', { ticketId: t.ticket.id }, cookie);
    try {
      await stream.opened;
      // when
      const moved = await postJson(
        agent,
        a.url,
        '/trpc/tickets.complete',
        {
          ticketId: t.ticket.id,
          expectedSeq: t.ticket.seq,
          nodeId: 'work',
          outcomeId: 'again',
          form: {},
          checklist: [],
          idempotencyKey: newKey(),
        },
        { cookie, origin: a.url },
      );
      expect(moved.status).toBe(200);
      // then
      const ms = await until(() => stream.changes.length >= 1, 2000);
      expect(stream.changes[0]).toMatchObject({ ticketId: t.ticket.id, seq: 2 });
      console.info(`[live] a move through server A reached a client of server B in ${ms} ms`);
    } finally {
      stream.close();
    }
  });
});

/** A move the caller makes in "its own transaction" and never announces: a notification lost. */
async function moveUnannounced(
  db: Database,
  person: RuntimeOrg['people']['agent1'],
  ticketId: string,
  seq: number,
) {
  const moved = await advanceTicket(
    db,
    { ticketId },
    person,
    {
      type: 'complete_step',
      nodeId: 'work',
      outcomeId: 'again',
      form: {},
      checklist: [],
      actorId: person.userId,
    },
    { now: new Date(), expectedSeq: seq, query: poolQuery(db) },
  );
  if (!moved.ok) throw new Error(`the move did not land: ${moved.reason}`);
  return moved.move.row.seq;
}

describe('live update payloads', () => {
  const orgId = '7d1c3a52-0000-4000-8000-000000000001';
  const ticket = (n: number) => `7d1c3a52-0000-4000-8000-${String(n).padStart(12, '0')}`;

  it('given a batch, when it is split into payloads, then each stays under the NOTIFY limit, names its origin and parses back to the same changes', () => {
    // given
    const changes: TicketChange[] = Array.from({ length: 300 }, (_, n) => ({
      orgId,
      ticketId: ticket(n),
      seq: n + 1,
      ...(n % 7 === 0 ? { message: true } : {}),
    }));
    // when
    const payloads = payloadsOf('abc123', changes);
    // then
    expect(payloads.length).toBeGreaterThan(1);
    for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThan(8000);
    const parsed = payloads.map((p) => parsePayload(p));
    expect(parsed.every((p) => p?.origin === 'abc123')).toBe(true);
    expect(parsed.flatMap((p) => p?.changes ?? [])).toEqual(changes);
  });

  it('given the bare payload an older trigger sends, then it parses as one change without an origin; garbage parses as nothing', () => {
    expect(parsePayload(`${orgId}:${ticket(1)}:42`)).toEqual({
      origin: null,
      changes: [{ orgId, ticketId: ticket(1), seq: 42 }],
    });
    expect(parsePayload('DROP TABLE tickets')).toBeNull();
    expect(parsePayload(`~zz ${orgId}:${ticket(1)}:x`)).toBeNull();
  });
});

describe.skipIf(!hasPostgres())('live updates after the commit, two hubs on one database (postgres)', () => {
  let db: TestDb;
  let other: Database;
  let hub: LiveHub;
  let org: RuntimeOrg;
  let flowId: string;
  const clock = fakeClock(new Date());

  beforeAll(async () => {
    db = await openTestDb('postgres');
    org = await createRuntimeOrg(db, 'Live Hubs', clock.now());
    flowId = (await publishFlow(db, org, 'Loop', loopDocument(), 1)).flowId;
    // A second server: its own pool and hub on the same database.
    other = await createDb({ url: db.url, migrate: false, maxConnections: 2, ownerOutsideScopes: true });
    hub = new LiveHub(other, { reconcileMs: 60_000 });
    await hub.start();
  }, 60_000);
  afterAll(async () => {
    await hub.stop();
    await other.close();
    await db.dispose();
  });

  it('given another server watching 8 tickets, when each moves 5 times through this server at once, then every move reaches it, in order, without a reconcile', async () => {
    // given
    const api = apiAs(db, org.people.agent1, clock);
    const created = await Promise.all(
      Array.from({ length: 8 }, () =>
        apiAs(db, org.people.manager, clock).tickets.create(ticketInput({ flowId })),
      ),
    );
    const heard = new Map<string, Array<{ seq: number; at: number }>>();
    const sentAt = new Map<string, number>();
    const offs = created.map((t) =>
      hub.watchTicket(org.orgId, t.ticket.id, t.ticket.seq, (change: TicketChange) => {
        const list = heard.get(change.ticketId) ?? [];
        list.push({ seq: change.seq, at: performance.now() });
        heard.set(change.ticketId, list);
      }),
    );
    const reconciledBefore = hub.stats.reconciled;
    try {
      // when
      await Promise.all(
        created.map(async (t) => {
          let seq = t.ticket.seq;
          for (let i = 0; i < 5; i++) {
            const view = await api.tickets.complete({
              ticketId: t.ticket.id,
              expectedSeq: seq,
              nodeId: 'work',
              outcomeId: 'again',
              form: {},
              checklist: [],
              idempotencyKey: newKey(),
            });
            seq = view.ticket.seq;
            sentAt.set(`${t.ticket.id}:${seq}`, performance.now());
            // Each move is heard before the next: none is coalesced away.
            await until(() => (heard.get(t.ticket.id) ?? []).some((h) => h.seq === seq), 2000);
          }
        }),
      );
      // then
      const delays: number[] = [];
      for (const t of created) {
        const seqs = (heard.get(t.ticket.id) ?? []).map((h) => h.seq);
        expect(seqs).toEqual([2, 3, 4, 5, 6]);
        for (const h of heard.get(t.ticket.id) ?? [])
          delays.push(h.at - (sentAt.get(`${t.ticket.id}:${h.seq}`) ?? h.at));
      }
      expect(hub.stats.reconciled).toBe(reconciledBefore);
      delays.sort((x, y) => x - y);
      console.info(
        `[live] cross-server delivery of ${delays.length} moves: p99 ${delays[Math.floor(delays.length * 0.99)]?.toFixed(1)} ms`,
      );
    } finally {
      for (const w of offs) w.off();
    }
  });

  it('given a burst of 30 changes on 6 tickets, when a server announces them, then the first goes at once and the rest share one batch in the next window, each ticket at its latest number', async () => {
    // given: a sending hub with a window long enough to see (the server's is 10 ms)
    const sender = new LiveHub(db, { coalesceMs: 300, reconcileMs: 60_000 });
    const tickets = Array.from({ length: 6 }, (_, i) => `00000000-0000-4000-8000-00000000000${i}`);
    const heard = new Map<string, number[]>();
    const offs = tickets.map((ticketId) =>
      hub.watchTicket(org.orgId, ticketId, 1, (change: TicketChange) => {
        heard.set(ticketId, [...(heard.get(ticketId) ?? []), change.seq]);
      }),
    );
    try {
      // when: one ticket moves after a quiet spell, then, while its batch goes out, every ticket moves
      // from seq 2 to 6
      const first = tickets[0] ?? '';
      const started = performance.now();
      sender.note({ orgId: org.orgId, ticketId: first, seq: 2 });
      await new Promise((r) => setImmediate(r));
      for (let seq = 2; seq <= 6; seq++)
        for (const ticketId of tickets)
          if (ticketId !== first || seq > 2) sender.note({ orgId: org.orgId, ticketId, seq });
      // then: the first change went alone, at once; the other 29 waited for the window and went as one
      // statement carrying each ticket once, at its latest sequence number
      await until(() => tickets.every((t) => (heard.get(t) ?? []).includes(6)), 5_000);
      const elapsed = performance.now() - started;
      expect(sender.stats.batches).toBe(2);
      expect(elapsed).toBeGreaterThanOrEqual(250);
      expect(heard.get(first)).toEqual([2, 6]);
      for (const t of tickets.slice(1)) expect(heard.get(t)).toEqual([6]);
    } finally {
      for (const w of offs) w.off();
    }
  });

  it('given another server watching a ticket, when a message is added here, then it hears a message change at the same sequence number', async () => {
    // given
    const t = await apiAs(db, org.people.manager, clock).tickets.create(ticketInput({ flowId }));
    const heard: TicketChange[] = [];
    const watch = hub.watchTicket(org.orgId, t.ticket.id, t.ticket.seq, (change) => heard.push(change));
    try {
      // when
      await apiAs(db, org.people.agent1, clock).tickets.addMessage({
        ticketId: t.ticket.id,
        body: 'Looking',
        from: 'agent',
      });
      // then
      await until(() => heard.length >= 1, 2000);
      expect(heard[0]).toMatchObject({ ticketId: t.ticket.id, seq: t.ticket.seq, message: true });
    } finally {
      watch.off();
    }
  });

  it('given another server watching a ticket, when its SLA timer fires here, then the other server hears the move after the poller commits', async () => {
    // given
    const t = await apiAs(db, org.people.manager, clock).tickets.create(ticketInput({ flowId }));
    const heard: TicketChange[] = [];
    const watch = hub.watchTicket(org.orgId, t.ticket.id, t.ticket.seq, (change) => heard.push(change));
    try {
      // when
      const fired = await fireDueTimers(db, new Date(clock.now().getTime() + 61 * 60_000));
      // then
      expect(fired).toBeGreaterThanOrEqual(1);
      await until(() => heard.length >= 1, 2000);
      expect(heard[0]).toEqual({ orgId: org.orgId, ticketId: t.ticket.id, seq: t.ticket.seq + 1 });
    } finally {
      watch.off();
    }
  });

  it('given a move whose notification is lost, when the other server reconciles, then its watcher still hears the move', async () => {
    // given
    const t = await apiAs(db, org.people.manager, clock).tickets.create(ticketInput({ flowId }));
    const heard: TicketChange[] = [];
    const watch = hub.watchTicket(org.orgId, t.ticket.id, t.ticket.seq, (change) => heard.push(change));
    try {
      const seq = await moveUnannounced(db, org.people.agent1, t.ticket.id, t.ticket.seq);
      await new Promise((r) => setTimeout(r, 200));
      expect(heard).toEqual([]);
      // when
      await hub.reconcile();
      // then
      expect(heard).toEqual([{ orgId: org.orgId, ticketId: t.ticket.id, seq }]);
      await hub.reconcile();
      expect(heard).toHaveLength(1);
    } finally {
      watch.off();
    }
  });
});

describe.each(backends())('live updates resynchronise by sequence number (%s)', (backend) => {
  let db: TestDb;
  let org: RuntimeOrg;
  let server: RunningServer;
  let flowId: string;
  const clock = fakeClock(new Date());

  beforeAll(async () => {
    db = await openTestDb(backend);
    org = await createRuntimeOrg(db, 'Live Resync', clock.now());
    flowId = (await publishFlow(db, org, 'Loop', loopDocument(), 1)).flowId;
    server = await startServer({ db, port: 0, now: clock.now, timers: false });
    liveHubOf(db).reconcileEvery(150);
  });
  afterAll(async () => {
    await server.close();
    await db.dispose();
  });

  it('given a page subscribed from the sequence number it shows, when a move is never announced, then the stream still brings it within the reconcile interval', async () => {
    // given
    const t = await apiAs(db, org.people.manager, clock).tickets.create(ticketInput({ flowId }));
    const cookie = await cookieFor(db, org.people.agent1, clock.now());
    const stream = subscribe(
      server.url,
      'live.ticket',
      { ticketId: t.ticket.id, lastEventId: String(t.ticket.seq) },
      cookie,
    );
    try {
      await stream.opened;
      await new Promise((r) => setTimeout(r, 100));
      expect(stream.changes).toEqual([]);
      // when
      const seq = await moveUnannounced(db, org.people.agent1, t.ticket.id, t.ticket.seq);
      // then
      await until(() => stream.changes.length >= 1, 3000);
      expect(stream.changes).toEqual([{ ticketId: t.ticket.id, seq, eventId: String(seq) }]);
    } finally {
      stream.close();
    }
  });

  it('given a page that loaded a ticket before a move, when it subscribes from the sequence number it shows, then it hears the move at once; from the current one, nothing', async () => {
    // given
    const t = await apiAs(db, org.people.manager, clock).tickets.create(ticketInput({ flowId }));
    const cookie = await cookieFor(db, org.people.agent1, clock.now());
    const seq = await moveUnannounced(db, org.people.agent1, t.ticket.id, t.ticket.seq);
    // when
    const behind = subscribe(
      server.url,
      'live.ticket',
      { ticketId: t.ticket.id, lastEventId: String(t.ticket.seq) },
      cookie,
    );
    const current = subscribe(
      server.url,
      'live.ticket',
      { ticketId: t.ticket.id, lastEventId: String(seq) },
      cookie,
    );
    try {
      await Promise.all([behind.opened, current.opened]);
      // then
      await until(() => behind.changes.length >= 1, 2000);
      expect(behind.changes).toEqual([{ ticketId: t.ticket.id, seq, eventId: String(seq) }]);
      await new Promise((r) => setTimeout(r, 400));
      expect(current.changes).toEqual([]);
      expect(behind.changes).toHaveLength(1);
    } finally {
      behind.close();
      current.close();
    }
  });

  it('given a subscription, when the ticket moves through the runtime, then the stream hears each sequence number once although a reconcile runs', async () => {
    // given
    const t = await apiAs(db, org.people.manager, clock).tickets.create(ticketInput({ flowId }));
    const cookie = await cookieFor(db, org.people.agent1, clock.now());
    const stream = subscribe(
      server.url,
      'live.ticket',
      { ticketId: t.ticket.id, lastEventId: String(t.ticket.seq) },
      cookie,
    );
    try {
      await stream.opened;
      // when
      let seq = t.ticket.seq;
      for (let i = 0; i < 3; i++) {
        const view = await apiAs(db, org.people.agent1, clock).tickets.complete({
          ticketId: t.ticket.id,
          expectedSeq: seq,
          nodeId: 'work',
          outcomeId: 'again',
          form: {},
          checklist: [],
          idempotencyKey: newKey(),
        });
        seq = view.ticket.seq;
      }
      // then
      await until(() => stream.changes.some((c) => c.seq === seq), 2000);
      await new Promise((r) => setTimeout(r, 400));
      const seqs = stream.changes.map((c) => c.seq);
      expect(seqs).toEqual([...new Set(seqs)].sort((x, y) => x - y));
      expect(seqs.at(-1)).toBe(seq);
    } finally {
      stream.close();
    }
  });
});

import { Agent } from 'node:http';
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../apps/server/src/server.ts';
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

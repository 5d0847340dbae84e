import { Agent } from 'node:http';
import { createDb, type Database } from '@stepwise/db';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../apps/server/src/server.ts';
import type { TicketDetail } from '../../packages/api/src/runtime/ticketView.ts';
import { checkInvariants } from '../support/invariants.ts';
import {
  apiAs,
  cookieFor,
  createRuntimeOrg,
  eventCount,
  fakeClock,
  loopDocument,
  newKey,
  postJson,
  publishFlow,
  type RuntimeOrg,
  ticketInput,
} from '../support/runtimeFixture.ts';
import { hasPostgres, openTestDb, type TestDb } from '../support/testDb.ts';

const KEY_REUSED = 'This idempotency key was already used for a different request.';

// Concurrent retries prove nothing on PGlite (it serialises transactions): PostgreSQL only, skipped
// explicitly when it is not configured. (The sequential retry is covered on both in tickets.test.ts.)
describe.skipIf(!hasPostgres())('idempotency keys under concurrency (postgres)', () => {
  let db: TestDb;
  let org: RuntimeOrg;
  let flowId: string;
  const clock = fakeClock();

  beforeAll(async () => {
    db = await openTestDb('postgres', { maxConnections: 24 });
    org = await createRuntimeOrg(db, 'Retry Ltd', clock.now());
    flowId = (await publishFlow(db, org, 'Loop', loopDocument(), 1)).flowId;
  });
  afterAll(async () => {
    await db.dispose();
  });

  const newTicket = () => apiAs(db, org.people.manager, clock).tickets.create(ticketInput({ flowId }));
  const again = (t: TicketDetail, key: string) => ({
    ticketId: t.ticket.id,
    expectedSeq: t.ticket.seq,
    nodeId: 'work',
    outcomeId: 'again',
    form: {},
    checklist: [],
    idempotencyKey: key,
  });

  it('reliability 7: given 50 parallel identical requests with one key, then exactly 1 event and every response is the first', async () => {
    for (let round = 0; round < 10; round++) {
      // given
      const t = await newTicket();
      const input = again(t, newKey());
      // when
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, () => apiAs(db, org.people.agent1, clock).tickets.complete(input)),
      );
      // then
      const fulfilled = results.flatMap((r) => (r.status === 'fulfilled' ? [JSON.stringify(r.value)] : []));
      const rejected = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
      expect(rejected).toEqual([]);
      expect(new Set(fulfilled).size).toBe(1);
      expect(JSON.parse(fulfilled[0] ?? '{}')).toMatchObject({ ticket: { id: t.ticket.id, seq: 2 } });
      expect(await eventCount(db, t.ticket.id)).toBe(2);
      // and the same key with another payload is refused, writing nothing
      const other = await apiAs(db, org.people.agent1, clock)
        .tickets.complete({ ...input, outcomeId: 'done', expectedSeq: 2 })
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(other).toBeInstanceOf(TRPCError);
      expect((other as TRPCError).code).toBe('UNPROCESSABLE_CONTENT');
      expect((other as TRPCError).message).toBe(KEY_REUSED);
      expect(await eventCount(db, t.ticket.id)).toBe(2);
    }
    expect(await checkInvariants(db)).toEqual([]);
  });

  it('reliability 7: given one key used at once on two different tickets, then one moves and the other is refused', async () => {
    // given
    const [a, b] = await Promise.all([newTicket(), newTicket()]);
    if (!a || !b) throw new Error('no tickets');
    const key = newKey();
    // when
    const results = await Promise.allSettled([
      apiAs(db, org.people.agent1, clock).tickets.complete(again(a, key)),
      apiAs(db, org.people.agent1, clock).tickets.complete(again(b, key)),
    ]);
    // then
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected');
    expect(refused?.status === 'rejected' && refused.reason instanceof TRPCError && refused.reason.code).toBe(
      'UNPROCESSABLE_CONTENT',
    );
    expect((await eventCount(db, a.ticket.id)) + (await eventCount(db, b.ticket.id))).toBe(3);
    expect(await checkInvariants(db)).toEqual([]);
  });

  describe('over HTTP, across two servers', () => {
    let pools: Database[] = [];
    let servers: Array<{ url: string; close(): Promise<void> }> = [];
    let cookie = '';
    const agent = new Agent({ keepAlive: true, maxSockets: 64 });

    beforeAll(async () => {
      if (!db.url) throw new Error('no database url');
      const url = db.url;
      pools = await Promise.all(
        [0, 1].map(() => createDb({ url, migrate: false, maxConnections: 12, ownerOutsideScopes: true })),
      );
      servers = await Promise.all(
        pools.map((pool) => startServer({ db: pool, port: 0, now: clock.now, timers: false })),
      );
      cookie = await cookieFor(db, org.people.agent1, clock.now());
    });
    afterAll(async () => {
      agent.destroy();
      await Promise.all(servers.map((s) => s.close()));
      await Promise.all(pools.map((p) => p.close()));
    });

    it('reliability 7 (HTTP): given 50 parallel identical POSTs with one key over two servers, then 1 event and byte-identical 200 bodies', async () => {
      // given
      const t = await newTicket();
      const input = again(t, newKey());
      // when
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          postJson(agent, servers[i % 2]?.url ?? '', '/trpc/tickets.complete', input, { cookie }),
        ),
      );
      const otherPayload = await postJson(
        agent,
        servers[0]?.url ?? '',
        '/trpc/tickets.complete',
        { ...input, outcomeId: 'done', expectedSeq: 2 },
        { cookie },
      );
      // then
      expect(responses.map((r) => r.status)).toEqual(Array.from({ length: 50 }, () => 200));
      expect(new Set(responses.map((r) => r.body)).size).toBe(1);
      expect(await eventCount(db, t.ticket.id)).toBe(2);
      expect(otherPayload.status).toBe(422);
      expect(JSON.parse(otherPayload.body)).toMatchObject({
        error: { message: KEY_REUSED, data: { code: 'UNPROCESSABLE_CONTENT' } },
      });
      expect(await checkInvariants(db)).toEqual([]);
    });
  });
});

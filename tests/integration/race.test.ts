import { Agent } from 'node:http';
import { createDb, type Database, type Row } from '@stepwise/db';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../apps/server/src/server.ts';
import { completeStep } from '../../packages/api/src/runtime/completeStep.ts';
import { RuntimeError } from '../../packages/api/src/runtime/runtimeError.ts';
import { poolQuery, queryOn } from '../../packages/api/src/runtime/sql.ts';
import { TicketCache } from '../../packages/api/src/runtime/ticketCache.ts';
import { getTicketDetail, type TicketDetail } from '../../packages/api/src/runtime/ticketView.ts';
import { versionCache } from '../../packages/api/src/runtime/versionCache.ts';
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

// Races prove nothing on PGlite (it serialises transactions): these run on PostgreSQL only, and the
// skip is explicit when no PostgreSQL is configured.
describe.skipIf(!hasPostgres())('races on one step (postgres)', () => {
  let db: TestDb;
  let org: RuntimeOrg;
  let flowId: string;
  const clock = fakeClock();

  beforeAll(async () => {
    db = await openTestDb('postgres', { maxConnections: 24 });
    org = await createRuntimeOrg(db, 'Race Co', clock.now());
    flowId = (await publishFlow(db, org, 'Loop', loopDocument(), 1)).flowId;
  });
  afterAll(async () => {
    await db.dispose();
  });

  const newTicket = () => apiAs(db, org.people.manager, clock).tickets.create(ticketInput({ flowId }));
  const again = (t: TicketDetail) => ({
    ticketId: t.ticket.id,
    expectedSeq: t.ticket.seq,
    nodeId: 'work',
    outcomeId: 'again',
    form: {},
    checklist: [],
    idempotencyKey: newKey(),
  });

  /** Backends of this database waiting on a lock (the second completion, blocked on the row). */
  const lockWaiters = async () =>
    (
      await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      )
    )[0]?.n ?? 0;

  /**
   * The injected transaction hook: a handle on the same database whose move statements run inside
   * BEGIN … COMMIT and wait for `hold` before COMMIT (holding the row lock), so two completions can be
   * made to race deterministically. Every other statement goes to the pool as usual.
   */
  const holdingBeforeCommit = (hold: () => Promise<void>): Database => ({
    ...db,
    query: async <T extends Row>(text: string, params: unknown[] = []): Promise<T[]> => {
      if (!text.startsWith('WITH moved AS')) return db.query<T>(text, params);
      return db.db.transaction(async (tx) => {
        const rows = await queryOn(tx)<T>(text, params);
        await hold();
        return rows;
      });
    },
  });

  for (const branch of ['cached', 'read'] as const) {
    it(`reliability 5 (${branch} branch): given two completions paused before commit, when the first commits, then the second gets CONFLICT and there is one event`, async () => {
      // given: the first completion has written its move and waits, uncommitted, holding the row lock.
      // The cached branch: this process served the ticket at its seq (it created it), so each completion
      // is one statement with no read; the read branch: no cache, each reads the ticket first.
      const tickets = branch === 'cached' ? new TicketCache(100) : new TicketCache(0);
      const t = await newTicket();
      if (branch === 'cached') {
        const row = await getTicketDetail(
          poolQuery(db),
          versionCache,
          { ticketId: t.ticket.id, orgId: org.orgId },
          tickets,
        );
        expect(row?.ticket.seq).toBe(t.ticket.seq);
        expect(tickets.get(t.ticket.id, org.orgId)?.row.seq).toBe(t.ticket.seq);
      }
      let paused!: () => void;
      const firstPaused = new Promise<void>((r) => {
        paused = r;
      });
      let release!: () => void;
      const released = new Promise<void>((r) => {
        release = r;
      });
      const first = completeStep(
        holdingBeforeCommit(async () => {
          paused();
          await released;
        }),
        org.people.agent1,
        again(t),
        clock.now(),
        { tickets },
      );
      await firstPaused;
      // when: the second runs the same statement, and blocks on the row lock
      const second = completeStep(
        holdingBeforeCommit(async () => {}),
        org.people.manager,
        again(t),
        clock.now(),
        { tickets },
      );
      const settled = second.then(
        () => 'resolved',
        () => 'rejected',
      );
      let waited = 0;
      while ((await lockWaiters()) === 0) {
        if (++waited > 500) throw new Error('the second completion never waited on the row lock');
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(await Promise.race([settled, new Promise((r) => setTimeout(() => r('pending'), 50))])).toBe(
        'pending',
      );
      release();
      // then
      const applied = await first;
      const error = await second.then(
        () => null,
        (e: unknown) => e,
      );
      expect(applied.ticket.seq).toBe(2);
      expect(error).toBeInstanceOf(RuntimeError);
      expect((error as RuntimeError).code).toBe('conflict');
      expect((error as RuntimeError).message).toBe(
        'Someone else moved this ticket first (it is now at "Work the ticket").',
      );
      expect(await eventCount(db, t.ticket.id)).toBe(2);
      expect(await checkInvariants(db)).toEqual([]);
    });
  }

  it('reliability 6: given 200 concurrent completions of one step, repeated on 50 fresh tickets, then exactly 1 applies and 199 get CONFLICT each time', async () => {
    const outcomes: Array<{ applied: number; conflicts: number; other: string[]; events: number }> = [];
    for (let round = 0; round < 50; round++) {
      // given
      const t = await newTicket();
      const callers = [org.people.manager, org.people.agent1, org.people.admin];
      // when
      const results = await Promise.allSettled(
        Array.from({ length: 200 }, (_, i) =>
          apiAs(db, callers[i % 3] ?? null, clock).tickets.complete(again(t)),
        ),
      );
      // then (collected; asserted below so one message shows every round)
      outcomes.push({
        applied: results.filter((r) => r.status === 'fulfilled').length,
        conflicts: results.filter(
          (r) => r.status === 'rejected' && r.reason instanceof TRPCError && r.reason.code === 'CONFLICT',
        ).length,
        other: results.flatMap((r) =>
          r.status === 'rejected' && !(r.reason instanceof TRPCError && r.reason.code === 'CONFLICT')
            ? [String(r.reason)]
            : [],
        ),
        events: await eventCount(db, t.ticket.id),
      });
    }
    expect(outcomes).toEqual(
      Array.from({ length: 50 }, () => ({ applied: 1, conflicts: 199, other: [], events: 2 })),
    );
    expect(await checkInvariants(db)).toEqual([]);
  });

  describe('over HTTP, across two servers', () => {
    // "Two servers": two startServer() instances in this process, each with its own connection pool
    // on the same database (in-process; they share nothing but the database).
    let pools: Database[] = [];
    let servers: Array<{ url: string; close(): Promise<void> }> = [];
    let cookies: string[] = [];
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
      cookies = await Promise.all(
        [org.people.manager, org.people.agent1, org.people.admin].map((p) => cookieFor(db, p, clock.now())),
      );
    });
    afterAll(async () => {
      agent.destroy();
      await Promise.all(servers.map((s) => s.close()));
      await Promise.all(pools.map((p) => p.close()));
    });

    it('reliability 6 (HTTP): given 200 concurrent POSTs of one step split over two servers, repeated 50 times, then 1 × 200, 199 × 409, 0 × 5xx', async () => {
      const outcomes: Array<{ ok: number; conflicts: number; other: number[]; events: number }> = [];
      for (let round = 0; round < 50; round++) {
        // given
        const t = await newTicket();
        // when
        const responses = await Promise.all(
          Array.from({ length: 200 }, (_, i) =>
            postJson(agent, servers[i % 2]?.url ?? '', '/trpc/tickets.complete', again(t), {
              cookie: cookies[i % 3] ?? '',
            }),
          ),
        );
        // then
        outcomes.push({
          ok: responses.filter((r) => r.status === 200).length,
          conflicts: responses.filter((r) => r.status === 409).length,
          other: responses.filter((r) => r.status !== 200 && r.status !== 409).map((r) => r.status),
          events: await eventCount(db, t.ticket.id),
        });
      }
      expect(outcomes).toEqual(
        Array.from({ length: 50 }, () => ({ ok: 1, conflicts: 199, other: [], events: 2 })),
      );
      expect(await checkInvariants(db)).toEqual([]);
    });
  });
});

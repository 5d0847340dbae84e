import { randomUUID } from 'node:crypto';
import { startRuntimeLoop } from '@stepwise/api';
import { createDb, type Database } from '@stepwise/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../apps/server/src/server.ts';
import type { TicketDetail } from '../../packages/api/src/runtime/ticketView.ts';
import { checkInvariants } from '../support/invariants.ts';
import { cyclicDocument } from '../support/runtimeDocs.ts';
import {
  apiAs,
  createRuntimeOrg,
  fakeClock,
  loopDocument,
  newKey,
  publishFlow,
  type RuntimeOrg,
  ticketInput,
} from '../support/runtimeFixture.ts';
import { backends, hasPostgres, openTestDb, type TestDb } from '../support/testDb.ts';

const MINUTE = 60_000;
const REFUSALS = new Set([
  'BAD_REQUEST',
  'CONFLICT',
  'FORBIDDEN',
  'NOT_FOUND',
  'PRECONDITION_FAILED',
  'UNPROCESSABLE_CONTENT',
]);

describe.each(backends())('reliability 8 and 9 (%s)', (backend) => {
  let db: TestDb;
  let org: RuntimeOrg;
  let flowId: string;
  const clock = fakeClock();

  beforeAll(async () => {
    db = await openTestDb(backend);
    org = await createRuntimeOrg(db, 'Reliable Ltd', clock.now());
    flowId = (await publishFlow(db, org, 'Loop', loopDocument(), 1)).flowId;
  });
  afterAll(async () => {
    await db.dispose();
  });

  const create = () => apiAs(db, org.people.manager, clock).tickets.create(ticketInput({ flowId }));
  const events = async () =>
    (
      await db.query<{ n: number }>('SELECT count(*)::int AS n FROM ticket_events WHERE org_id = $1::uuid', [
        org.orgId,
      ])
    )[0]?.n ?? 0;

  it('reliability 8: given an open ticket and a closed one, when 500 illegal moves are tried (unknown outcome, closed ticket, step of another team), then 0 are accepted and nothing is written', async () => {
    // given
    const open = await create();
    const closed = await create();
    await apiAs(db, org.people.agent1, clock).tickets.complete({
      ticketId: closed.ticket.id,
      expectedSeq: closed.ticket.seq,
      nodeId: 'work',
      outcomeId: 'done',
      form: {},
      checklist: [],
      idempotencyKey: newKey(),
    });
    const before = await events();
    const attempt = (i: number): Promise<unknown> => {
      const kind = i % 3;
      const base = { form: {}, checklist: [], idempotencyKey: newKey(), nodeId: 'work' };
      if (kind === 0) {
        return apiAs(db, org.people.agent1, clock).tickets.complete({
          ...base,
          ticketId: open.ticket.id,
          expectedSeq: open.ticket.seq,
          outcomeId: `not-an-outcome-${i}`,
        });
      }
      if (kind === 1) {
        return apiAs(db, org.people.agent1, clock).tickets.complete({
          ...base,
          ticketId: closed.ticket.id,
          expectedSeq: closed.ticket.seq + 1,
          outcomeId: 'again',
        });
      }
      // agent2 is on Technical only; the step belongs to Billing.
      return apiAs(db, org.people.agent2, clock).tickets.complete({
        ...base,
        ticketId: open.ticket.id,
        expectedSeq: open.ticket.seq,
        outcomeId: 'again',
      });
    };
    // when
    const results = [];
    for (let i = 0; i < 500; i += 50) {
      results.push(...(await Promise.allSettled(Array.from({ length: 50 }, (_, j) => attempt(i + j)))));
    }
    // then
    const accepted = results.filter((r) => r.status === 'fulfilled');
    expect(accepted).toHaveLength(0);
    const codes = results.map((r) => (r.status === 'rejected' ? (r.reason as { code?: string }).code : 'OK'));
    expect(codes.filter((c) => !REFUSALS.has(String(c)))).toEqual([]);
    expect(await events()).toBe(before);
    expect(await checkInvariants(db, { orgId: org.orgId })).toEqual([]);
  });

  it('reliability 9: given a version with a loop of automatic nodes forced into the database, when a ticket starts on it, then it parks at the bound with an error event and the server still answers', async () => {
    // given: a version row written directly (the validator would refuse to publish it)
    const loopFlow = randomUUID();
    const versionId = randomUUID();
    const document = cyclicDocument();
    await db.query(
      `INSERT INTO flows (id, org_id, name, draft, route_order) VALUES ($1::uuid, $2::uuid, 'Forced loop', $3::jsonb, 999)`,
      [loopFlow, org.orgId, JSON.stringify(document)],
    );
    await db.query(
      `INSERT INTO flow_versions (id, org_id, flow_id, number, document, content_hash, message)
       VALUES ($1::uuid, $2::uuid, $3::uuid, 1, $4::jsonb, 'forced', 'forced into the database')`,
      [versionId, org.orgId, loopFlow, JSON.stringify(document)],
    );
    await db.query('UPDATE flows SET active_version_id = $1::uuid WHERE id = $2::uuid', [
      versionId,
      loopFlow,
    ]);
    const server = await startServer({ db, port: 0, now: clock.now, timers: false });
    try {
      // when
      const started = Date.now();
      const t = await apiAs(db, org.people.manager, clock).tickets.create(ticketInput({ flowId: loopFlow }));
      const took = Date.now() - started;
      // then
      expect(t.ticket.status).toBe('parked');
      const trail = t.events.at(-1)?.data.trail ?? [];
      expect(trail.at(-1)).toMatchObject({ type: 'parked' });
      expect(JSON.stringify(trail.at(-1))).toMatch(/loop/i);
      expect(took).toBeLessThan(2000);
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(200);
      const again = await apiAs(db, org.people.manager, clock).tickets.get({ ticketId: t.ticket.id });
      expect(again.ticket.status).toBe('parked');
    } finally {
      await server.close();
    }
  });
});

describe.skipIf(!hasPostgres())(
  'reliability 10: 1,000 timers due at once, two runtime loops (postgres)',
  () => {
    let db: TestDb;
    /** The second "server": its own connection pool on the same PostgreSQL database. */
    let second: Database;
    let org: RuntimeOrg;
    let flowId: string;
    const clock = fakeClock();

    beforeAll(async () => {
      db = await openTestDb('postgres', { maxConnections: 12 });
      if (!db.url) throw new Error('no database URL');
      second = await createDb({ url: db.url, migrate: false, maxConnections: 12, ownerOutsideScopes: true });
      org = await createRuntimeOrg(db, 'Timers at scale', clock.now());
      flowId = (await publishFlow(db, org, 'Loop', loopDocument({ slaMinutes: 60 }), 1)).flowId;
    }, 60_000);
    afterAll(async () => {
      await second.close();
      await db.dispose();
    });

    it('given 1,000 tickets whose SLAs fall due at the same instant and 200 of them moved just before, when the runtime loops of two servers race, then the 800 fire exactly once and the 200 never', async () => {
      // given
      const api = apiAs(db, org.people.manager, clock);
      const tickets: TicketDetail[] = [];
      for (let i = 0; i < 1000; i += 50) {
        tickets.push(
          ...(await Promise.all(
            Array.from({ length: 50 }, () => api.tickets.create(ticketInput({ flowId }))),
          )),
        );
      }
      clock.advance(60 * MINUTE - 1000);
      const moved = tickets.slice(0, 200);
      for (let i = 0; i < moved.length; i += 50) {
        await Promise.all(
          moved.slice(i, i + 50).map((t) =>
            apiAs(db, org.people.agent1, clock).tickets.complete({
              ticketId: t.ticket.id,
              expectedSeq: t.ticket.seq,
              nodeId: 'work',
              outcomeId: 'again',
              form: {},
              checklist: [],
              idempotencyKey: newKey(),
            }),
          ),
        );
      }
      clock.advance(2000);
      const p1 = startRuntimeLoop(db, { now: clock.now, intervalMs: 3_600_000, timerBatch: 100 });
      const p2 = startRuntimeLoop(second, { now: clock.now, intervalMs: 3_600_000, timerBatch: 100 });
      // when
      const started = Date.now();
      try {
        await Promise.all([p1.tick(), p2.tick()]);
        // Anything left (a round stops after 10 full batches of timers) goes on the next tick.
        await p1.tick();
        await p2.tick();
      } finally {
        await Promise.all([p1.stop(), p2.stop()]);
      }
      const took = Date.now() - started;
      // then
      const rows = await db.query<{ ticket_id: string; n: number }>(
        `SELECT ticket_id, count(*)::int AS n FROM ticket_events WHERE org_id = $1::uuid AND type = 'timer.fired' GROUP BY ticket_id`,
        [org.orgId],
      );
      const byTicket = new Map(rows.map((r) => [r.ticket_id, r.n]));
      const movedIds = new Set(moved.map((t) => t.ticket.id));
      expect([...movedIds].filter((id) => byTicket.has(id))).toEqual([]);
      const rest = tickets.filter((t) => !movedIds.has(t.ticket.id));
      expect(rest.filter((t) => byTicket.get(t.ticket.id) !== 1).map((t) => t.ticket.id)).toEqual([]);
      expect(rows.reduce((sum, r) => sum + r.n, 0)).toBe(800);
      console.info(`[reliability 10] 800 of 1,000 due timers fired by two runtime loops in ${took} ms`);
      expect(await checkInvariants(db, { orgId: org.orgId })).toEqual([]);
    }, 120_000);
  },
);

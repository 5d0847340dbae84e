import { createTicket } from '../../packages/api/src/runtime/createTicket.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInvariants } from '../support/invariants.ts';
import {
  cookieFor,
  createRuntimeOrg,
  loopDocument,
  publishFlow,
  type RuntimeOrg,
  ticketInput,
} from '../support/runtimeFixture.ts';
import { hasPostgres, openTestDb, type TestDb } from '../support/testDb.ts';
import { completeUnderChaos, FULL, Fleet, sleep, TIER } from './chaosSupport.ts';

if (!hasPostgres()) {
  console.info(
    '[chaos] kill -9 during load SKIPPED: it needs PostgreSQL (two server processes share one database); set DATABASE_URL.',
  );
}

describe.skipIf(!hasPostgres())(`chaos: kill -9 during load (${FULL ? 'full' : 'short'} tier)`, () => {
  let db: TestDb;
  let org: RuntimeOrg;
  let fleet: Fleet | null = null;

  beforeAll(async () => {
    db = await openTestDb('postgres', { maxConnections: 4 });
    org = await createRuntimeOrg(db, 'Chaos Ltd', new Date());
  });
  afterAll(async () => {
    await fleet?.stop();
    await db.dispose();
  });

  it('given two servers under a load of step completions retried by idempotency key, when one is killed with SIGKILL every few seconds, then no acknowledged step is lost or duplicated, sequences have no gaps and replay equals state', async () => {
    // given
    if (!db.url) throw new Error('no database URL');
    const { flowId } = await publishFlow(db, org, 'Loop', loopDocument({ slaMinutes: null }), 1);
    const tickets: Array<{ id: string; seq: number }> = [];
    for (let i = 0; i < TIER.tickets; i++) {
      const created = await createTicket(db, ticketInput({ flowId }), {
        orgId: org.orgId,
        actorId: null,
        now: new Date(),
      });
      tickets.push({ id: created.ticket.id, seq: created.ticket.seq });
    }
    const before = new Map(tickets.map((t) => [t.id, t.seq]));
    const cookie = await cookieFor(db, org.people.agent1, new Date());
    fleet = await Fleet.start(db.url, 2);
    const running = fleet;

    // when
    const started = Date.now();
    const deadline = started + TIER.loadMs;
    const load = completeUnderChaos(running, cookie, tickets, TIER.workers, () => Date.now() >= deadline);
    while (Date.now() + TIER.killEveryMs < deadline) {
      await sleep(TIER.killEveryMs);
      await running.killOne();
    }
    const log = await load;
    const seconds = (Date.now() - started) / 1000;

    // then
    expect(log.anomalies).toEqual([]);
    // A kill waits for its replacement to listen (seconds under load), so the count is below loadMs / killEveryMs.
    expect(running.kills).toBeGreaterThanOrEqual(FULL ? 8 : 2);
    expect(log.retries).toBeGreaterThan(0);
    const rows = await db.query<{ ticket_id: string; seq: number }>(
      `SELECT ticket_id, seq FROM ticket_events WHERE org_id = $1::uuid AND type = 'step.completed'`,
      [org.orgId],
    );
    const stored = new Set(rows.map((r) => `${r.ticket_id}:${r.seq}`));
    const lost = [...log.acknowledged].filter((id) => !stored.has(id));
    const unacknowledged = [...stored].filter((id) => !log.acknowledged.has(id));
    expect(lost).toEqual([]);
    expect(unacknowledged).toEqual([]);
    for (const t of tickets) expect(t.seq).toBe((before.get(t.id) ?? 0) + (log.perTicket.get(t.id) ?? 0));
    expect(await checkInvariants(db, { orgId: org.orgId })).toEqual([]);
    console.info(
      `[chaos] kill -9: ${log.acknowledged.size} steps acknowledged in ${seconds.toFixed(1)} s over ${running.kills} kills of 2 servers; ${log.retries} requests sent again with their key; 0 lost, 0 duplicated, invariants hold`,
    );
  }, 300_000);
});

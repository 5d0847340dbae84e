import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTicket } from '../../packages/api/src/runtime/createTicket.ts';
import { checkInvariants } from '../support/invariants.ts';
import {
  createRuntimeOrg,
  loopDocument,
  publishFlow,
  type RuntimeOrg,
  ticketInput,
} from '../support/runtimeFixture.ts';
import { hasPostgres, openTestDb, type TestDb } from '../support/testDb.ts';
import { FULL, Fleet, sleep } from './chaosSupport.ts';

const TIMERS = FULL ? 5_000 : 1_000;

if (!hasPostgres()) {
  console.info(
    '[chaos] timers under kill SKIPPED: it needs PostgreSQL (two server processes); set DATABASE_URL.',
  );
}

describe.skipIf(!hasPostgres())(`chaos: timers under kill (${FULL ? 'full' : 'short'} tier)`, () => {
  let db: TestDb;
  let org: RuntimeOrg;
  let fleet: Fleet | null = null;

  beforeAll(async () => {
    db = await openTestDb('postgres', { maxConnections: 8 });
    org = await createRuntimeOrg(db, 'Timer Chaos Ltd', new Date());
  });
  afterAll(async () => {
    await fleet?.stop();
    await db.dispose();
  });

  const fired = async () =>
    (
      await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ticket_events WHERE org_id = $1::uuid AND type = 'timer.fired'`,
        [org.orgId],
      )
    )[0]?.n ?? 0;

  it(`given ${TIMERS} SLA timers due at once and two servers polling them, when servers are killed with SIGKILL while they fire, then every timer fires exactly once and the invariants hold`, async () => {
    // given
    if (!db.url) throw new Error('no database URL');
    const { flowId } = await publishFlow(db, org, 'Loop', loopDocument({ slaMinutes: 60 }), 1);
    const ids: string[] = [];
    for (let i = 0; i < TIMERS; i += 20) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(20, TIMERS - i) }, () =>
          createTicket(db, ticketInput({ flowId }), { orgId: org.orgId, actorId: null, now: new Date() }),
        ),
      );
      ids.push(...batch.map((t) => t.ticket.id));
    }
    await db.query(
      `UPDATE timers SET due_at = now() - interval '1 second' WHERE org_id = $1::uuid AND fired_at IS NULL`,
      [org.orgId],
    );

    // when: kill a server as soon as the timers are being fired (mid-batch), again after it is back
    fleet = await Fleet.start(db.url, 2);
    const firedAtKill: number[] = [];
    const deadline = Date.now() + 120_000;
    let last = 0;
    while (firedAtKill.length < (FULL ? 6 : 2) && Date.now() < deadline) {
      const now = await fired();
      if (now >= TIMERS) break;
      if (now > last) {
        firedAtKill.push(now);
        await fleet.killOne();
        last = await fired();
      } else await sleep(5);
    }
    while ((await fired()) < TIMERS && Date.now() < deadline) await sleep(250);

    // then
    const perTicket = await db.query<{ ticket_id: string; n: number }>(
      `SELECT t.id AS ticket_id, (SELECT count(*)::int FROM ticket_events e
          WHERE e.ticket_id = t.id AND e.type = 'timer.fired') AS n
         FROM tickets t WHERE t.org_id = $1::uuid`,
      [org.orgId],
    );
    expect(perTicket).toHaveLength(ids.length);
    expect(perTicket.filter((r) => r.n !== 1)).toEqual([]);
    const timers = await db.query<{ pending: number; fired: number }>(
      `SELECT count(*) FILTER (WHERE fired_at IS NULL AND cancelled_at IS NULL)::int AS pending,
              count(*) FILTER (WHERE fired_at IS NOT NULL)::int AS fired
         FROM timers WHERE org_id = $1::uuid AND kind = 'sla'`,
      [org.orgId],
    );
    expect(timers[0]).toEqual({ pending: 0, fired: TIMERS });
    expect(await checkInvariants(db, { orgId: org.orgId })).toEqual([]);
    console.info(
      `[chaos] timers under kill: ${TIMERS} due timers fired exactly once across ${fleet.kills} kills (fired when each kill came: ${firedAtKill.join(', ')})`,
    );
  }, 300_000);
});

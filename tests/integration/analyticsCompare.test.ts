import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTicket } from '../../packages/api/src/runtime/createTicket.ts';
import { trpcError } from '../support/apiSession.ts';
import {
  apiAs,
  createRuntimeOrg,
  fakeClock,
  loopDocument,
  newKey,
  publishFlow,
  publishNextVersion,
  type RuntimeOrg,
  ticketInput,
} from '../support/runtimeFixture.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

const MINUTE = 60_000;

/**
 * v1 and v2 of the loop flow (v2 differs by its SLA, which no ticket reaches), 40 tickets each, all
 * finished: on v1 each takes 20–29 minutes (four of
 * each), on v2 10–19. Medians 24.5 and 14.5 minutes: v2 is 41% faster. Every tenth ticket is a chat.
 */
describe.each(backends())('analytics: version against version (%s)', (backend) => {
  let db: TestDb;
  let org: RuntimeOrg;
  let flowId = '';
  let v1 = '';
  let v2 = '';
  const clock = fakeClock(new Date('2030-03-04T09:00:00.000Z'));
  const range = { from: '2030-03-01T00:00:00Z', to: '2030-03-10T00:00:00Z' };

  async function run(minutes: (i: number) => number) {
    const agent = apiAs(db, org.people.agent1, clock);
    for (let i = 0; i < 40; i++) {
      const created = await createTicket(
        db,
        ticketInput({ flowId, channel: i % 10 === 0 ? 'chat' : 'email' }),
        {
          orgId: org.orgId,
          actorId: null,
          now: clock.now(),
        },
      );
      clock.advance(minutes(i) * MINUTE);
      await agent.tickets.complete({
        ticketId: created.ticket.id,
        expectedSeq: created.ticket.seq,
        nodeId: 'work',
        outcomeId: 'done',
        idempotencyKey: newKey(),
      });
      clock.advance(MINUTE);
    }
  }

  beforeAll(async () => {
    db = await openTestDb(backend);
    org = await createRuntimeOrg(db, 'Compare Org', clock.now());
    ({ flowId, versionId: v1 } = await publishFlow(
      db,
      org,
      'Compared loop',
      loopDocument({ slaMinutes: null }),
      1,
    ));
    await run((i) => 20 + (i % 10));
    v2 = (await publishNextVersion(db, org, flowId, loopDocument({ slaMinutes: 600 }), 'v2')).id;
    await run((i) => 10 + (i % 10));
  });
  afterAll(async () => {
    await db.dispose();
  });

  const manager = () => apiAs(db, org.people.manager, clock);

  it('given 40 finished tickets on each version, when v2 is compared with v1, then the figures, the interval and the verdict are right', async () => {
    const result = await manager().analytics.compare({ flowId, a: v1, b: v2, ...range });
    expect(result.a).toMatchObject({ number: 1, n: 40, resolution: { p50: 24.5 * MINUTE } });
    expect(result.b).toMatchObject({ number: 2, n: 40, resolution: { p50: 14.5 * MINUTE } });
    expect(result.a.mix.channel).toEqual({ chat: 4, email: 36 });
    expect(result.enough).toBe(true);
    expect(result.resolution?.change).toBeCloseTo(-10 / 24.5, 10);
    // the bootstrap interval holds the change and excludes no change
    expect(result.resolution?.interval.low).toBeLessThan(-10 / 24.5);
    expect(result.resolution?.interval.high).toBeLessThan(0);
    expect(result.verdicts[0]).toMatch(
      /^v2 resolves faster: p50 −41% \(95% CI −\d+% to −\d+%\), n = 40 vs 40\.$/,
    );
    expect(result.breachRate).toEqual({ difference: 0, interval: expect.any(Object) });
    expect(result.verdicts).toContain('Not enough ratings yet to compare CSAT (v1: 0, v2: 0).');
    // the same question gives the same answer (the bootstrap is seeded)
    expect(await manager().analytics.compare({ flowId, a: v1, b: v2, ...range })).toEqual(result);
  });

  it('given only the chats (4 a side), then it says there is not enough data yet', async () => {
    const result = await manager().analytics.compare({ flowId, a: v1, b: v2, ...range, channel: 'chat' });
    expect(result.enough).toBe(false);
    expect(result.verdicts).toEqual([
      'Not enough data yet: a comparison needs 30 finished tickets on each side (v1: 4, v2: 4).',
    ]);
  });

  it('given a pilot of v1 against v2, when tickets arrive and v1 is slower, then the readout compares the arms since the pilot began and says roll back', async () => {
    // given: no pilot yet
    expect(await manager().analytics.pilot({ flowId })).toBeNull();
    clock.advance(60 * MINUTE);
    await manager().versions.startPilot({ flowId, versionId: v1, percent: 50 });
    const empty = await manager().analytics.pilot({ flowId });
    expect(empty?.recommendation.action).toBe('keep_collecting');
    expect(empty?.comparison.a.n).toBe(0);
    // when: 120 tickets are bucketed at random; those on the pilot (v1) take twice as long
    clock.advance(MINUTE);
    const agent = apiAs(db, org.people.agent1, clock);
    for (let i = 0; i < 120; i++) {
      const created = await createTicket(db, ticketInput({ flowId }), {
        orgId: org.orgId,
        actorId: null,
        now: clock.now(),
      });
      const onPilot = (await manager().tickets.get({ ticketId: created.ticket.id })).version?.id === v1;
      clock.advance((onPilot ? 30 : 15) * MINUTE + (i % 5) * MINUTE);
      await agent.tickets.complete({
        ticketId: created.ticket.id,
        expectedSeq: created.ticket.seq,
        nodeId: 'work',
        outcomeId: 'done',
        idempotencyKey: newKey(),
      });
    }
    // then: only the tickets created since the pilot began count, on both arms
    const readout = await manager().analytics.pilot({ flowId });
    expect(readout?.pilot).toMatchObject({ versionId: v1, number: 1, percent: 50 });
    expect(readout?.control).toMatchObject({ versionId: v2, number: 2 });
    expect((readout?.comparison.a.n ?? 0) + (readout?.comparison.b.n ?? 0)).toBe(120);
    expect(readout?.comparison.b.n).toBeGreaterThanOrEqual(30);
    expect(readout?.comparison.a.n).toBeGreaterThanOrEqual(30);
    expect(readout?.recommendation).toEqual({
      action: 'roll_back',
      reason: 'Roll back: v1 resolves slower than the control.',
    });
  });

  it('given the same version twice or a version of another flow, then a clear refusal', async () => {
    const same = await trpcError(manager().analytics.compare({ flowId, a: v1, b: v1, ...range }));
    expect(same).toMatchObject({ code: 'BAD_REQUEST', message: 'Pick two different versions to compare.' });
    const backwards = await trpcError(
      manager().analytics.compare({ flowId, a: v1, b: v2, from: range.to, to: range.from }),
    );
    expect(backwards).toMatchObject({ code: 'BAD_REQUEST', message: 'The range must end after it starts.' });
    const other = await publishFlow(db, org, 'Another flow', loopDocument({ slaMinutes: null }), 2);
    const foreign = await trpcError(
      manager().analytics.compare({ flowId, a: v1, b: other.versionId, ...range }),
    );
    expect(foreign.code).toBe('NOT_FOUND');
  });
});

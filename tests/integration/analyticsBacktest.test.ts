import { type BacktestSummary, type FlowDocument, mergeBacktest } from '@stepwise/flow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTicket } from '../../packages/api/src/runtime/createTicket.ts';
import { mapTeams } from '../../packages/api/src/seed/seedDemo.ts';
import { trpcError } from '../support/apiSession.ts';
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
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

const MINUTE = 60_000;

/**
 * The loop flow with a decision in front: VIP customers go straight to a "Fast lane" end; everyone
 * else is worked at "Work the ticket" (Done ends it, Again loops back through an action).
 */
function triagedLoop(fastTier: 'vip' | 'existing'): FlowDocument {
  const loop = loopDocument({ slaMinutes: null });
  return {
    ...loop,
    nodes: [
      ...loop.nodes,
      {
        id: 'vip',
        type: 'decision',
        position: { x: 0, y: 75 },
        data: {
          label: 'VIP customer?',
          branches: [
            {
              id: 'is_vip',
              label: 'VIP',
              condition: {
                kind: 'group',
                combinator: 'all',
                rules: [{ kind: 'comparison', field: 'customer.tier', operator: 'equals', value: fastTier }],
              },
            },
          ],
        },
      },
      {
        id: 'fast',
        type: 'end',
        position: { x: 250, y: 75 },
        data: { label: 'Fast lane', status: 'resolved', feedback: false },
      },
    ],
    edges: [
      { id: 'e-start', source: 'start', sourceHandle: 'next', target: 'vip' },
      { id: 'e-vip', source: 'vip', sourceHandle: 'branch:is_vip', target: 'fast' },
      { id: 'e-default', source: 'vip', sourceHandle: 'default', target: 'work' },
      ...loop.edges.filter((e) => e.id !== 'e-start'),
    ],
  };
}

/**
 * 30 finished tickets of the triaged loop: 10 VIPs (straight to the fast lane), 10 worked once (Done)
 * and 10 worked twice (Again, then Done). The draft then sends existing customers to the fast lane
 * instead of VIPs: each of the 30 parts from its path right after the decision; the 20 existing
 * customers end in the fast lane (resolved, as before) and the 10 VIPs would wait at the step they never
 * went through.
 */
describe.each(backends())('analytics: backtest a draft over finished tickets (%s)', (backend) => {
  let db: TestDb;
  let org: RuntimeOrg;
  let flowId = '';
  let v1 = '';
  const clock = fakeClock(new Date('2030-03-04T09:00:00.000Z'));

  beforeAll(async () => {
    db = await openTestDb(backend);
    org = await createRuntimeOrg(db, 'Backtest Org', clock.now());
    ({ flowId, versionId: v1 } = await publishFlow(db, org, 'Triaged loop', triagedLoop('vip'), 1));
    const agent = apiAs(db, org.people.agent1, clock);
    for (let i = 0; i < 30; i++) {
      const tier = i < 10 ? 'vip' : 'existing';
      let ticket = (
        await createTicket(
          db,
          ticketInput({
            flowId,
            subject: `Ticket ${i}`,
            customer: { name: 'C', email: `c${i}@example.com`, tier },
          }),
          { orgId: org.orgId, actorId: null, now: clock.now() },
        )
      ).ticket;
      const outcomes = i < 10 ? [] : i < 20 ? ['done'] : ['again', 'done'];
      for (const outcomeId of outcomes) {
        clock.advance(5 * MINUTE);
        ticket = (
          await agent.tickets.complete({
            ticketId: ticket.id,
            expectedSeq: ticket.seq,
            nodeId: 'work',
            outcomeId,
            idempotencyKey: newKey(),
          })
        ).ticket;
      }
      clock.advance(MINUTE);
    }
    // The draft: the fast lane is for existing customers now.
    const manager = apiAs(db, org.people.manager, clock);
    await manager.flows.saveDraft({
      flowId,
      document: mapTeams(triagedLoop('existing'), { 'team-billing': org.teams.billing }),
      revision: (await manager.flows.get({ flowId })).draftRevision,
    });
  });
  afterAll(async () => {
    await db.dispose();
  });

  const manager = () => apiAs(db, org.people.manager, clock);

  it('given 30 finished tickets, when their own version is backtested, then every one takes the same path to the same end', async () => {
    const result = await manager().analytics.backtest({ flowId, source: v1, take: 100 });
    expect(result).toMatchObject({
      available: 30,
      next: null,
      unreadable: 0,
      summary: { tickets: 30, differentPath: 0, endsDifferently: 0, waiting: 0, parked: 0, samples: [] },
    });
    expect(result.summary.before).toEqual(result.summary.after);
    expect(result.summary.before).toEqual({ start: 30, vip: 30, fast: 10, work: 20, note: 10, end: 20 });
  });

  it('given the edited draft, when it is backtested, then the tickets part after the decision and the VIPs would wait at the step', async () => {
    const { summary, sampled } = await manager().analytics.backtest({ flowId, source: 'draft', take: 100 });
    expect(summary).toMatchObject({
      tickets: 30,
      differentPath: 30,
      divergedAfter: { vip: 30 },
      waiting: 10,
      waitingAt: { work: 10 },
      endsDifferently: 0,
      endings: { 'resolved→resolved': 20, 'resolved→waiting': 10 },
      before: { fast: 10, work: 20, note: 10, end: 20 },
      after: { start: 30, vip: 30, fast: 20, work: 10 },
    });
    // the most recently closed first: the worked-twice tickets, then the worked-once ones
    expect(summary.samples).toHaveLength(30);
    expect(sampled[summary.samples[0]?.ticketId ?? '']).toMatchObject({ subject: 'Ticket 29' });
    expect(summary.samples.filter((s) => s.waitingAt === 'work')).toHaveLength(10);
  });

  it('given batches of 7, when they are merged, then they equal the backtest in one batch', async () => {
    const whole = await manager().analytics.backtest({ flowId, source: 'draft', take: 30 });
    let merged: BacktestSummary | null = null;
    let after: { closedAt: string; id: string } | null = null;
    let calls = 0;
    do {
      const batch = await manager().analytics.backtest({ flowId, source: 'draft', take: 7, after });
      if (calls === 0) expect(batch.available).toBe(30);
      else expect(batch.available).toBeNull();
      merged = merged ? mergeBacktest(merged, batch.summary) : batch.summary;
      after = batch.next;
      calls++;
    } while (after !== null);
    expect(calls).toBe(5);
    expect(merged).toEqual(whole.summary);
  });

  it('given an agent, or a batch too big, or another flow’s version, then it is refused with a clear error', async () => {
    const agent = apiAs(db, org.people.agent1, clock);
    expect(await trpcError(agent.analytics.backtest({ flowId, source: 'draft', take: 10 }))).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(
      await trpcError(manager().analytics.backtest({ flowId, source: 'draft', take: 1001 })),
    ).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('at most 1000') });
    const other = await publishFlow(db, org, 'Other flow', loopDocument(), 2);
    expect(
      await trpcError(manager().analytics.backtest({ flowId, source: other.versionId, take: 10 })),
    ).toMatchObject({ code: 'NOT_FOUND' });
  });
});

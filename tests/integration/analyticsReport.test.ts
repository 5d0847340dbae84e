import type { FlowDocument } from '@stepwise/flow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTicket } from '../../packages/api/src/runtime/createTicket.ts';
import { fireDueTimers } from '../../packages/api/src/runtime/fireDueTimers.ts';
import { runDueEffects } from '../../packages/api/src/runtime/runDueEffects.ts';
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

/** The loop flow (a 30-minute step, "Again" loops through an action, "Done" ends) ending with a rating request. */
function ratedLoop(): FlowDocument {
  const document = loopDocument({ slaMinutes: 30 });
  return {
    ...document,
    nodes: document.nodes.map((n) =>
      n.type === 'end' ? { ...n, data: { ...n.data, feedback: true } } : n,
    ) as FlowDocument['nodes'],
  };
}

/**
 * A hand-computed history (times on 2030-03-04, UTC):
 *
 *   09:00 A (email, normal) and B (chat, high) arrive; 09:05 C (email, normal) arrives
 *   09:10 the agent completes A: Done          → A ends: resolution 10 min, first response 10 min
 *   09:20 the agent completes B: Again         → B's first response 20 min; B back at the step, SLA due 09:50
 *   09:55 the SLA timers fire                  → C (due 09:35) and B (due 09:50) breach in place
 *   10:00 the agent completes B: Done          → B ends: resolution 60 min, breached
 *   10:05 the agent completes C: Done          → C ends: resolution 60 min, first response 60 min, breached
 *   10:10 D (email, low) arrives and stays open
 *   A rates 5, B rates 2, C does not answer (all three were asked).
 */
describe.each(backends())('analytics: the flow report (%s)', (backend) => {
  let db: TestDb;
  let org: RuntimeOrg;
  let flowId = '';
  let versionId = '';
  const clock = fakeClock(new Date('2030-03-04T09:00:00.000Z'));
  const range = { from: '2030-03-04T00:00:00Z', to: '2030-03-06T00:00:00Z' };

  beforeAll(async () => {
    db = await openTestDb(backend);
    org = await createRuntimeOrg(db, 'Report Org', clock.now());
    ({ flowId, versionId } = await publishFlow(db, org, 'Rated loop', ratedLoop(), 1));
    const agent = apiAs(db, org.people.agent1, clock);
    const arrive = (overrides: Record<string, unknown>) =>
      createTicket(db, ticketInput({ flowId, ...overrides }), {
        orgId: org.orgId,
        actorId: null,
        now: clock.now(),
      });
    const complete = async (ticketId: string, outcomeId: string) => {
      const page = await apiAs(db, org.people.manager, clock).tickets.get({ ticketId });
      return agent.tickets.complete({
        ticketId,
        expectedSeq: page.ticket.seq,
        nodeId: 'work',
        outcomeId,
        idempotencyKey: newKey(),
      });
    };
    const at = (hhmm: string) => clock.set(new Date(`2030-03-04T${hhmm}:00.000Z`));

    const a = await arrive({ channel: 'email', priority: 'normal' });
    const b = await arrive({ channel: 'chat', priority: 'high' });
    at('09:05');
    const c = await arrive({ channel: 'email', priority: 'normal' });
    at('09:10');
    await complete(a.ticket.id, 'done');
    at('09:20');
    await complete(b.ticket.id, 'again');
    at('09:55');
    await fireDueTimers(db, clock.now());
    at('10:00');
    await complete(b.ticket.id, 'done');
    at('10:05');
    await complete(c.ticket.id, 'done');
    at('10:10');
    await arrive({ channel: 'email', priority: 'low' });
    for (let i = 0; i < 5; i++)
      await runDueEffects(db, clock.now(), { publicUrl: 'https://support.example' });
    const anon = apiAs(db, null, clock);
    for (const [ticket, score] of [
      [a, 5],
      [b, 2],
    ] as const) {
      const [message] = await db.query<{ body: string }>(
        `SELECT body FROM ticket_messages WHERE ticket_id = $1::uuid AND body LIKE '%/feedback/%'`,
        [ticket.ticket.id],
      );
      const token = /\/feedback\/([A-Za-z0-9_-]{43})/.exec(message?.body ?? '')?.[1] ?? '';
      await anon.feedback.submit({ token, score });
    }
  });
  afterAll(async () => {
    await db.dispose();
  });

  const manager = () => apiAs(db, org.people.manager, clock);

  it('given the hand-computed history, when a manager reads the flow report, then every figure is exact', async () => {
    // when
    const report = await manager().analytics.flow({ flowId, ...range });
    // then
    expect(report).toMatchObject({ started: 4, finished: 3, openNow: 1, breached: 2 });
    expect(report.breachRate).toBeCloseTo(2 / 3, 10);
    expect(report.resolution).toEqual({ n: 3, mean: (130 / 3) * MINUTE, p50: 60 * MINUTE, p90: 60 * MINUTE });
    // first responses 10, 20, 60 min: p90 interpolates between 20 and 60 (0.9 × 2 = 1.8 → 20 + 0.8 × 40)
    expect(report.firstResponse).toEqual({ n: 3, mean: 30 * MINUTE, p50: 20 * MINUTE, p90: 52 * MINUTE });
    expect(report.csat).toEqual({
      asked: 3,
      rated: 2,
      responseRate: 2 / 3,
      mean: 3.5,
      distribution: [0, 1, 0, 0, 1],
    });
    expect(report.endStatuses).toEqual({ resolved: 3 });
    expect(report.perDay).toEqual([
      { day: '2030-03-04', started: 4, finished: 3 },
      { day: '2030-03-05', started: 0, finished: 0 },
    ]);
    // the step: A 10 min, B 20 then 40 min (breached), C 60 min (breached): p50 30, p90 54 (2.7 → 40 + 0.7 × 20)
    const work = report.steps.find((s) => s.nodeId === 'work');
    expect(work).toEqual({
      nodeId: 'work',
      visits: 4,
      breached: 2,
      breachRate: 0.5,
      p50: 30 * MINUTE,
      p90: 54 * MINUTE,
    });
    expect(report.steps.map((s) => [s.nodeId, s.visits])).toEqual([
      ['end', 3],
      ['note', 1],
      ['start', 4],
      ['work', 4],
    ]);
  });

  it('given the version, when the heatmap is read, then waiting now, per-node figures and edge traffic are exact', async () => {
    // when
    const heat = await manager().analytics.nodes({ flowId, versionId, ...range });
    // then: D waits at the step; the stays are the report's; the edges carry what left each node
    expect(heat.waiting).toEqual([{ nodeId: 'work', tickets: 1, breached: 0 }]);
    expect(heat.nodes.find((n) => n.nodeId === 'work')).toMatchObject({ visits: 4, breached: 2 });
    expect(heat.edges).toEqual([
      { source: 'note', handle: null, target: 'work', count: 1 },
      { source: 'start', handle: null, target: 'work', count: 4 },
      { source: 'work', handle: 'outcome:again', target: 'note', count: 1 },
      { source: 'work', handle: 'outcome:done', target: 'end', count: 3 },
    ]);
    // and the ticket waiting there, by name
    const waiting = await manager().analytics.waiting({ flowId, versionId, nodeId: 'work' });
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toMatchObject({ since: '2030-03-04T10:10:00.000Z', breached: false });
    expect(await manager().analytics.waiting({ flowId, versionId, nodeId: 'end' })).toEqual([]);
  });

  it('given filters, when the report is read for chat tickets only, then only B counts', async () => {
    const report = await manager().analytics.flow({ flowId, ...range, channel: 'chat' });
    expect(report).toMatchObject({ started: 1, finished: 1, openNow: 0, breached: 1 });
    expect(report.resolution.p50).toBe(60 * MINUTE);
    expect(report.csat).toMatchObject({ asked: 1, rated: 1, mean: 2 });
    expect(report.steps.find((s) => s.nodeId === 'work')).toMatchObject({ visits: 2, breached: 1 });
  });

  it('given a range before anything happened, then zeros and no figures rather than made-up ones', async () => {
    const report = await manager().analytics.flow({
      flowId,
      from: '2030-02-01T00:00:00Z',
      to: '2030-02-02T00:00:00Z',
    });
    expect(report).toMatchObject({ started: 0, finished: 0, openNow: 1, breachRate: null, steps: [] });
    expect(report.resolution).toEqual({ n: 0, mean: null, p50: null, p90: null });
    expect(report.csat).toMatchObject({ asked: 0, rated: 0, responseRate: null, mean: null });
  });

  it('given a bad range, another organization’s flow or an agent, then a clear refusal', async () => {
    const backwards = await trpcError(
      manager().analytics.flow({ flowId, from: '2030-03-06T00:00:00Z', to: '2030-03-04T00:00:00Z' }),
    );
    expect(backwards).toMatchObject({ code: 'BAD_REQUEST', message: 'The range must end after it starts.' });
    const tooLong = await trpcError(
      manager().analytics.flow({ flowId, from: '2029-01-01T00:00:00Z', to: '2030-03-04T00:00:00Z' }),
    );
    expect(tooLong.message).toBe('A report covers at most 366 days.');
    const other = await createRuntimeOrg(db, 'Other Org', clock.now());
    const foreign = await trpcError(
      apiAs(db, other.people.manager, clock).analytics.flow({ flowId, ...range }),
    );
    expect(foreign.code).toBe('NOT_FOUND');
    const agent = await trpcError(apiAs(db, org.people.agent1, clock).analytics.flow({ flowId, ...range }));
    expect(agent.code).toBe('FORBIDDEN');
  });
});

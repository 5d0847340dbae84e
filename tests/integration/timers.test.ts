import { fireDueTimers, startRuntimeLoop } from '@stepwise/api';
import { createDb, type Database } from '@stepwise/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketDetail } from '../../packages/api/src/runtime/ticketView.ts';
import { checkInvariants } from '../support/invariants.ts';
import {
  apiAs,
  createRuntimeOrg,
  fakeClock,
  loopDocument,
  newKey,
  publishFlow,
  type RuntimeOrg,
  TRIAGE_CHECKLIST,
  template,
  ticketInput,
} from '../support/runtimeFixture.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

const MINUTE = 60_000;

describe.each(backends())('timers (%s)', (backend) => {
  let db: TestDb;
  /** A second connection pool on PostgreSQL, standing for a second server (the same handle on PGlite). */
  let second: Database;
  let org: RuntimeOrg;
  const clock = fakeClock();

  beforeAll(async () => {
    db = await openTestDb(backend);
    second = db.url
      ? await createDb({ url: db.url, migrate: false, maxConnections: 4, ownerOutsideScopes: true })
      : db;
    org = await createRuntimeOrg(db, 'Timers Inc', clock.now());
    await publishFlow(db, org, 'Refund request', template('refund-request'), 10);
    await publishFlow(db, org, 'Ticket resolution', template('ticket-resolution'), 20);
  });
  afterAll(async () => {
    if (second !== db) await second.close();
    await db.dispose();
  });

  const api = () => apiAs(db, org.people.manager, clock);
  /** A server's runtime loop, driven by tick() (its own interval never comes in a test). */
  const loop = () => startRuntimeLoop(db, { now: clock.now, intervalMs: 3_600_000 });
  /** The timer step of two servers at once (two connection pools on PostgreSQL): how many each fired. */
  const fireOnTwoServers = (times = 1) =>
    Promise.all(
      Array.from({ length: times }, () => [
        fireDueTimers(db, clock.now()),
        fireDueTimers(second, clock.now()),
      ]).flat(),
    );
  const events = (ticketId: string) =>
    db.query<{ seq: number; type: string; to_node: string | null }>(
      'SELECT seq, type, to_node FROM ticket_events WHERE ticket_id = $1::uuid ORDER BY seq',
      [ticketId],
    );
  const timersOf = (ticketId: string) =>
    db.query<{ seq: number; kind: string; node_id: string; fired: boolean; cancelled: boolean }>(
      `SELECT seq, kind, node_id, fired_at IS NOT NULL AS fired, cancelled_at IS NOT NULL AS cancelled
         FROM timers WHERE ticket_id = $1::uuid ORDER BY seq, kind`,
      [ticketId],
    );
  const complete = (
    t: Pick<TicketDetail, 'ticket'>,
    nodeId: string,
    outcomeId: string,
    checklist: string[],
    form: Record<string, unknown>,
  ) =>
    api().tickets.complete({
      ticketId: t.ticket.id,
      expectedSeq: t.ticket.seq,
      nodeId,
      outcomeId,
      checklist,
      form: form as Record<string, string>,
      idempotencyKey: newKey(),
    });

  it('given a ticket at triage (60-minute SLA, no breach edge), when the clock passes due and two servers fire timers twice, then it fires once and escalates by priority', async () => {
    // given
    const t = await api().tickets.create(ticketInput({ priority: 'normal' }));
    clock.advance(59 * MINUTE);
    expect(await fireOnTwoServers()).toEqual([0, 0]);
    // when
    clock.advance(2 * MINUTE);
    const first = await fireOnTwoServers();
    const again = await fireOnTwoServers();
    // then
    expect([...first, ...again].reduce((a, b) => a + b, 0)).toBe(1);
    const got = await api().tickets.get({ ticketId: t.ticket.id });
    expect(got.ticket).toMatchObject({
      seq: 2,
      status: 'at_step',
      nodeId: 'triage',
      breached: true,
      priority: 'high',
    });
    expect(got.events[1]).toMatchObject({
      type: 'timer.fired',
      actorName: null,
      fromNode: 'triage',
      toNode: 'triage',
    });
    expect(got.events[1]?.data.trail).toEqual([
      { type: 'timer_fired', nodeId: 'triage', kind: 'sla' },
      { type: 'sla_breached', nodeId: 'triage', escalatedBy: 'priority' },
    ]);
    expect(await timersOf(t.ticket.id)).toEqual([
      { seq: 1, kind: 'sla', node_id: 'triage', fired: true, cancelled: false },
    ]);
  });

  it('given a ticket at triage that agents take, hand over and release before its SLA, when the SLA passes, then it still fires (the assignments carry the timer along)', async () => {
    // given: three assignments while the ticket waits at triage; none leaves the step
    const t = await api().tickets.create(ticketInput({ priority: 'normal' }));
    const agent = apiAs(db, org.people.agent1, clock);
    clock.advance(10 * MINUTE);
    await agent.tickets.assign({ ticketId: t.ticket.id, assigneeId: org.people.agent1.userId });
    clock.advance(10 * MINUTE);
    await api().tickets.assign({ ticketId: t.ticket.id, assigneeId: org.people.agent2.userId });
    clock.advance(10 * MINUTE);
    await api().tickets.assign({ ticketId: t.ticket.id, assigneeId: null });
    expect(await timersOf(t.ticket.id)).toEqual([
      { seq: 4, kind: 'sla', node_id: 'triage', fired: false, cancelled: false },
    ]);
    // when
    clock.advance(31 * MINUTE);
    const fired = await fireOnTwoServers();
    // then
    expect(fired.reduce((a, b) => a + b, 0)).toBe(1);
    const got = await api().tickets.get({ ticketId: t.ticket.id });
    expect(got.ticket).toMatchObject({ seq: 5, nodeId: 'triage', breached: true, priority: 'high' });
    expect(await timersOf(t.ticket.id)).toEqual([
      { seq: 4, kind: 'sla', node_id: 'triage', fired: true, cancelled: false },
    ]);
  });

  it('given a technical step with a breach edge, when its SLA passes, then the ticket follows the edge once to the overdue step, which keeps the team', async () => {
    // given
    const t = await api().tickets.create(ticketInput());
    const atTechnical = await complete(t, 'triage', 'triaged', TRIAGE_CHECKLIST, { issue_type: 'Technical' });
    expect(atTechnical.ticket.nodeId).toBe('resolve_technical');
    // when
    clock.advance(241 * MINUTE);
    const fired = (await fireOnTwoServers(2)).reduce((a, b) => a + b, 0);
    // then (this ticket's timer fired once; the first test's ticket is already breached, nothing more)
    expect(fired).toBeGreaterThanOrEqual(1);
    const got = await api().tickets.get({ ticketId: t.ticket.id });
    expect(got.ticket).toMatchObject({
      seq: 3,
      nodeId: 'resolve_overdue',
      teamId: atTechnical.ticket.teamId,
      priority: 'urgent',
      breached: false,
    });
    expect(got.ticket.tags).toContain('sla-escalated');
    expect(got.ticket.assigneeId).not.toBeNull();
    expect(got.events[2]?.type).toBe('timer.fired');
    expect(got.events[2]?.data.trail).toContainEqual({
      type: 'sla_breached',
      nodeId: 'resolve_technical',
      escalatedBy: 'edge',
    });
    expect(got.path.slice(-4)).toEqual([
      'resolve_technical',
      'escalate_breach',
      'notify_breach',
      'resolve_overdue',
    ]);
    expect(await timersOf(t.ticket.id)).toEqual([
      { seq: 1, kind: 'sla', node_id: 'triage', fired: false, cancelled: true },
      { seq: 2, kind: 'sla', node_id: 'resolve_technical', fired: true, cancelled: false },
      { seq: 3, kind: 'sla', node_id: 'resolve_overdue', fired: false, cancelled: false },
    ]);
    expect(got.ticket.slaDueAt).toBe(new Date(clock.now().getTime() + 120 * MINUTE).toISOString());
  });

  it('given a ticket escalated by its breach edge, when it moves on and closes, then it stays marked breached and under the queue filter', async () => {
    // given a ticket at the technical step whose SLA has passed
    const t = await api().tickets.create(ticketInput());
    const atTechnical = await complete(t, 'triage', 'triaged', TRIAGE_CHECKLIST, { issue_type: 'Technical' });
    expect(atTechnical.ticket.slaBreachedAt).toBeNull();
    const p1 = loop();
    try {
      clock.advance(241 * MINUTE);
      await p1.tick();
      await p1.tick();
    } finally {
      await p1.stop();
    }
    const breachedAt = clock.now().toISOString();
    // (and a ticket that has not breached)
    const calm = await api().tickets.create(ticketInput());
    // when the escalated step is completed and the ticket closes
    const escalated = await api().tickets.get({ ticketId: t.ticket.id });
    expect(escalated.ticket).toMatchObject({ nodeId: 'resolve_overdue', breached: false });
    expect(escalated.ticket.slaBreachedAt).toBe(breachedAt);
    clock.advance(5 * MINUTE);
    const closed = await complete(
      escalated,
      'resolve_overdue',
      'resolved',
      ['reproduced', 'customer_answered'],
      { root_cause: 'Bug' },
    );
    // then the mark (with its first time) outlives the step and the run
    expect(closed.ticket).toMatchObject({ status: 'ended', breached: false, slaBreachedAt: breachedAt });
    // and the queue's breach filter finds it (closed tickets with the ended status), not the calm one
    const open = await api().tickets.queue({ scope: 'all', breachedOnly: true, limit: 200 });
    const ended = await api().tickets.queue({
      scope: 'all',
      status: ['ended'],
      breachedOnly: true,
      limit: 200,
    });
    expect(ended.map((r) => r.id)).toContain(t.ticket.id);
    expect(ended.find((r) => r.id === t.ticket.id)).toMatchObject({
      breached: false,
      slaBreachedAt: breachedAt,
    });
    expect([...open, ...ended].map((r) => r.id)).not.toContain(calm.ticket.id);
    for (const row of open) expect(row.slaBreachedAt).not.toBeNull();
    // and a new run started on it by hand keeps the mark
    const restarted = await api().tickets.startFlow({
      ticketId: t.ticket.id,
      flowId: org.flows['Refund request']?.flowId ?? '',
    });
    expect(restarted.ticket).toMatchObject({ breached: false, slaBreachedAt: breachedAt });
    expect(restarted.ticket.status).not.toBe('ended');
    // and replaying its events (the last run, with the breach before it) gives the same state as the row
    expect(await checkInvariants(db)).toEqual([]);
  });

  it('given a ticket that moved before its SLA was due, when the clock passes the old due time, then nothing fires for it', async () => {
    // given
    const t = await api().tickets.create(ticketInput());
    clock.advance(30 * MINUTE);
    const moved = await complete(t, 'triage', 'triaged', TRIAGE_CHECKLIST, { issue_type: 'Billing' });
    const runtime = loop();
    try {
      // when
      clock.advance(31 * MINUTE);
      await runtime.tick();
    } finally {
      await runtime.stop();
    }
    // then
    expect((await events(t.ticket.id)).map((e) => e.type)).toEqual(['ticket.created', 'step.completed']);
    expect(await timersOf(t.ticket.id)).toEqual([
      { seq: 1, kind: 'sla', node_id: 'triage', fired: false, cancelled: true },
      { seq: 2, kind: 'sla', node_id: 'resolve_billing', fired: false, cancelled: false },
    ]);
    expect((await api().tickets.get({ ticketId: t.ticket.id })).ticket.seq).toBe(moved.ticket.seq);
  });

  it('given a pending timer for a step entry the ticket has left, when it comes due, then it is cancelled, never fired', async () => {
    // given: a timer row for entry seq 1, though the ticket is at seq 2 (as if the move's cancel had missed it)
    const t = await api().tickets.create(ticketInput());
    const moved = await complete(t, 'triage', 'triaged', TRIAGE_CHECKLIST, { issue_type: 'Billing' });
    await db.query(`UPDATE timers SET cancelled_at = NULL WHERE ticket_id = $1::uuid AND seq = 1`, [
      t.ticket.id,
    ]);
    // when
    clock.advance(61 * MINUTE);
    const fired = await fireDueTimers(db, clock.now());
    // then
    expect(fired).toBe(0);
    expect((await timersOf(t.ticket.id))[0]).toMatchObject({ seq: 1, fired: false, cancelled: true });
    expect((await events(t.ticket.id)).length).toBe(moved.ticket.seq);
  });

  it('given a refund waiting for the customer’s reply, when the reply timeout passes, then the wait times out to its end', async () => {
    // given
    let t: Pick<TicketDetail, 'ticket' | 'currentStep'> = await api().tickets.create(
      ticketInput({ category: 'refund' }),
    );
    t = await complete(t, 'verify', 'eligible', ['order_found', 'within_window', 'no_prior_refund'], {
      order_number: 'A-1',
      amount: 20,
      arrived_damaged: false,
    });
    expect(t.currentStep?.id).toBe('issue_refund');
    t = await complete(t, 'issue_refund', 'refunded', ['refund_issued', 'order_updated'], {
      refund_reference: 'PAY-1',
    });
    expect(t.ticket).toMatchObject({ status: 'waiting', nodeId: 'follow_up', slaDueAt: null });
    // when
    clock.advance(4320 * MINUTE + 1);
    const runtime = loop();
    try {
      await runtime.tick();
    } finally {
      await runtime.stop();
    }
    // then
    const got = await api().tickets.get({ ticketId: t.ticket.id });
    expect(got.ticket).toMatchObject({ status: 'ended', endStatus: 'resolved', nodeId: 'end_no_reply' });
    expect((await timersOf(t.ticket.id)).filter((x) => x.kind === 'timeout')).toEqual([
      { seq: 3, kind: 'timeout', node_id: 'follow_up', fired: true, cancelled: false },
    ]);
  });

  it('given a running runtime loop, when a timer comes due, then it fires on the loop’s own interval', async () => {
    // given
    const t = await api().tickets.create(ticketInput());
    clock.advance(61 * MINUTE);
    // when
    const runtime = startRuntimeLoop(db, { now: clock.now, intervalMs: 20 });
    try {
      for (let i = 0; i < 100 && (await events(t.ticket.id)).length < 2; i++)
        await new Promise((r) => setTimeout(r, 20));
    } finally {
      await runtime.stop();
    }
    // then
    expect((await events(t.ticket.id)).map((e) => e.type)).toEqual(['ticket.created', 'timer.fired']);
  });

  it('given 40 tickets whose SLA passes while agents complete them, when two servers fire the timers at the same moment, then nothing deadlocks: each completion lands or is told the ticket moved', async () => {
    // given
    const { flowId } = await publishFlow(db, org, 'Race loop', loopDocument({ slaMinutes: 30 }), 30);
    const tickets = [];
    for (let i = 0; i < 40; i++) tickets.push(await api().tickets.create(ticketInput({ flowId })));
    clock.advance(31 * MINUTE);
    // when: the timer claims and the completions race on the same tickets
    const settled = await Promise.allSettled([
      fireOnTwoServers(),
      ...tickets.map((t) => complete(t, 'work', 'done', [], {})),
    ]);
    // then: no error but "someone moved it first" (a deadlock would fail a move with a server error)
    const failures = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as { code?: string }] : []));
    expect(failures.filter((f) => f.code !== 'CONFLICT')).toEqual([]);
    // and every ticket either ended by its completion or breached by its timer (then still at the step)
    for (const t of tickets) {
      const page = await api().tickets.get({ ticketId: t.ticket.id });
      expect(page.ticket.status === 'ended' || page.ticket.slaBreachedAt !== null).toBe(true);
    }
  });

  it('given everything above, when the invariants are checked, then they hold (each timer fired at most once)', async () => {
    expect(await checkInvariants(db)).toEqual([]);
  });
});

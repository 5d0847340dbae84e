import { describe, expect, it } from 'vitest';
import { planMigration } from './planMigration.ts';
import { proposeMapping } from './proposeMapping.ts';
import type { FlowDocument } from './schema.ts';
import { endNode, flow, startNode, stepNode, subflowNode, waitNode } from './testFlows.ts';
import type { RunState } from './types.ts';

const NOW = Date.UTC(2024, 4, 1, 12, 0);
const MINUTE = 60_000;

/** v1: triage (billing, 30 min) and a reply wait; v2: triage moved to technical with 60 min, plus more. */
const v1: FlowDocument = flow(
  [
    startNode(),
    stepNode('triage', { title: 'Triage', teamId: 'team-billing', slaMinutes: 30 }),
    waitNode('await', 'reply', 1440),
    subflowNode('child', 'flow-a'),
    stepNode('legacy', { title: 'Legacy check' }),
    endNode(),
  ],
  [],
);
const v2: FlowDocument = flow(
  [
    startNode(),
    stepNode('triage', { title: 'Triage', teamId: 'team-technical', slaMinutes: 60 }),
    waitNode('await', 'reply', 2880),
    waitNode('pause', 'duration', 120),
    waitNode('pause_broken', 'duration', null),
    subflowNode('child', 'flow-a'),
    subflowNode('other_child', 'flow-b'),
    stepNode('no_sla', { title: 'No SLA', slaMinutes: null, teamId: 'team-billing' }),
    endNode(),
  ],
  [],
);

const ticket = {
  channel: 'email',
  priority: 'normal',
  category: '',
  subject: 'S',
  customer: { name: 'A', email: 'a@example.com', tier: 'new' },
  tags: [],
  fields: {},
} as const;

function at(nodeId: string, status: RunState['status'], over: Partial<RunState> = {}): RunState {
  return {
    status,
    nodeId,
    ticket: structuredClone(ticket) as unknown as RunState['ticket'],
    teamId: 'team-billing',
    assigneeId: 'agent-7',
    breached: true,
    everBreached: true,
    endStatus: null,
    ...over,
  };
}

const same = (...ids: string[]) => Object.fromEntries(ids.map((id) => [id, id]));

describe('planMigration', () => {
  it('moves a ticket to the same step of the new version, with the new team and a fresh SLA', () => {
    // Given a ticket at triage in v1 (billing, 30-minute SLA, breached, assigned)
    const state = at('triage', 'at_step');
    // When migrated to v2 where triage belongs to technical with a 60-minute SLA
    const plan = planMigration(v1, v2, proposeMapping(v1, v2).mapping, state, { now: NOW });
    // Then it lands there, handed to the new team, its old timers cancelled and a new SLA scheduled
    expect(plan).toEqual({
      ok: true,
      state: { ...state, teamId: 'team-technical', assigneeId: null, breached: false },
      effects: [
        { type: 'cancel_timers' },
        { type: 'schedule_timer', kind: 'sla', nodeId: 'triage', dueAt: NOW + 60 * MINUTE },
      ],
      changes: {
        team: { from: 'team-billing', to: 'team-technical' },
        sla: { fromMinutes: 30, toMinutes: 60 },
      },
      slaDueAt: NOW + 60 * MINUTE,
    });
    // And the input state is untouched
    expect(state.breached).toBe(true);
  });

  it('keeps the SLA clock: the new SLA counts from when the ticket entered its step', () => {
    // Given a ticket that entered triage 40 minutes ago
    const enteredAt = NOW - 40 * MINUTE;
    // When migrated to v2 where triage has a 60-minute SLA
    const plan = planMigration(v1, v2, same('triage'), at('triage', 'at_step'), { now: NOW, enteredAt });
    // Then it is due 60 minutes after it entered, not 60 minutes after the migration
    expect(plan.ok && plan.slaDueAt).toBe(enteredAt + 60 * MINUTE);
    expect(plan.ok && plan.effects).toContainEqual({
      type: 'schedule_timer',
      kind: 'sla',
      nodeId: 'triage',
      dueAt: enteredAt + 60 * MINUTE,
    });
  });

  it('schedules an SLA already past when the ticket waited longer than the new SLA', () => {
    // Given a ticket that entered triage 90 minutes ago, migrated to a 60-minute SLA
    const enteredAt = NOW - 90 * MINUTE;
    const plan = planMigration(v1, v2, same('triage'), at('triage', 'at_step'), { now: NOW, enteredAt });
    // Then its SLA is due in the past (the timer fires at once and the breach runs as on any step)
    expect(plan.ok && plan.slaDueAt).toBe(NOW - 30 * MINUTE);
  });

  it('counts from now when the entry time is unknown or in the future', () => {
    const unknown = planMigration(v1, v2, same('triage'), at('triage', 'at_step'), {
      now: NOW,
      enteredAt: Number.NaN,
    });
    expect(unknown.ok && unknown.slaDueAt).toBe(NOW + 60 * MINUTE);
    const future = planMigration(v1, v2, same('triage'), at('triage', 'at_step'), {
      now: NOW,
      enteredAt: NOW + 5 * MINUTE,
    });
    expect(future.ok && future.slaDueAt).toBe(NOW + 60 * MINUTE);
  });

  it('keeps the team and assignee when the team does not change, and reports no changes', () => {
    const plan = planMigration(
      v1,
      v2,
      { triage: 'no_sla' },
      at('triage', 'at_step', { teamId: 'team-billing' }),
      { now: NOW },
    );
    expect(plan.ok && plan.state).toMatchObject({
      nodeId: 'no_sla',
      teamId: 'team-billing',
      assigneeId: 'agent-7',
    });
    expect(plan.ok && plan.effects).toEqual([{ type: 'cancel_timers' }]);
    expect(plan.ok && plan.changes).toEqual({ sla: { fromMinutes: 30, toMinutes: null } });
    expect(plan.ok && plan.slaDueAt).toBeNull();
  });

  it('reschedules a reply wait timeout from now', () => {
    const plan = planMigration(v1, v2, same('await'), at('await', 'waiting'), { now: NOW });
    expect(plan.ok && plan.effects).toEqual([
      { type: 'cancel_timers' },
      { type: 'schedule_timer', kind: 'timeout', nodeId: 'await', dueAt: NOW + 2880 * MINUTE },
    ]);
    expect(plan.ok && plan.changes).toEqual({});
  });

  it('lands a ticket from a step on a duration wait, which it then waits out', () => {
    const plan = planMigration(v1, v2, { legacy: 'pause' }, at('legacy', 'at_step'), { now: NOW });
    expect(plan).toMatchObject({
      ok: true,
      state: { status: 'waiting', nodeId: 'pause', teamId: 'team-billing' },
      effects: [
        { type: 'cancel_timers' },
        { type: 'schedule_timer', kind: 'wait', nodeId: 'pause', dueAt: NOW + 120 * MINUTE },
      ],
      changes: { sla: { fromMinutes: 60, toMinutes: null } },
    });
  });

  it('starts the subflow of a subflow node a ticket lands on from a step', () => {
    const plan = planMigration(v1, v2, { legacy: 'other_child' }, at('legacy', 'at_step'), { now: NOW });
    expect(plan).toMatchObject({
      ok: true,
      state: { status: 'in_subflow', nodeId: 'other_child' },
      effects: [
        { type: 'cancel_timers' },
        { type: 'start_subflow', flowId: 'flow-b', nodeId: 'other_child' },
      ],
    });
  });

  it('lets a ticket running a subflow move only to a subflow node running the same flow', () => {
    const ok = planMigration(v1, v2, same('child'), at('child', 'in_subflow'), { now: NOW });
    expect(ok).toMatchObject({
      ok: true,
      state: { nodeId: 'child', status: 'in_subflow' },
      effects: [{ type: 'cancel_timers' }],
    });
    const other = planMigration(v1, v2, { child: 'other_child' }, at('child', 'in_subflow'), { now: NOW });
    expect(other).toMatchObject({ ok: false, code: 'SUBFLOW_RUNNING' });
    const step = planMigration(v1, v2, { child: 'triage' }, at('child', 'in_subflow'), { now: NOW });
    expect(step).toMatchObject({ ok: false, code: 'SUBFLOW_RUNNING' });
  });

  it.each<[string, Record<string, string | null>, RunState, string]>([
    ['an ended ticket', same('triage'), at('end', 'ended', { endStatus: 'resolved' }), 'TICKET_CLOSED'],
    ['a parked ticket', same('triage'), at('triage', 'parked'), 'TICKET_CLOSED'],
    ['a ticket not started', same('triage'), at('triage', 'new', { nodeId: null }), 'NOT_STARTED'],
    ['a ticket at a node its version lacks', same('ghost'), at('ghost', 'at_step'), 'UNKNOWN_NODE'],
    ['a ticket whose state does not match its node', same('triage'), at('triage', 'waiting'), 'BROKEN_STATE'],
    ['an unmapped node', { legacy: null }, at('legacy', 'at_step'), 'NOT_MAPPED'],
    ['a node missing from the mapping', {}, at('legacy', 'at_step'), 'NOT_MAPPED'],
    ['a target the new version lacks', { legacy: 'gone' }, at('legacy', 'at_step'), 'UNKNOWN_TARGET'],
    ['a target no ticket can wait at', { legacy: 'end' }, at('legacy', 'at_step'), 'TARGET_NOT_WAITING'],
    [
      'a duration wait without minutes',
      { legacy: 'pause_broken' },
      at('legacy', 'at_step'),
      'TARGET_INCOMPLETE',
    ],
  ])('refuses %s', (_, mapping, state, code) => {
    const plan = planMigration(v1, v2, mapping, state, { now: NOW });
    expect(plan).toMatchObject({ ok: false, code });
    expect(plan.ok === false && plan.reason.length).toBeGreaterThan(20);
  });

  it('refuses, without throwing, when given malformed input', () => {
    const broken = { nodes: null } as unknown as FlowDocument;
    expect(planMigration(broken, v2, {}, at('triage', 'at_step'), { now: NOW })).toMatchObject({ ok: false });
    expect(planMigration(v1, v2, same('triage'), at('triage', 'at_step'), { now: Number.NaN })).toMatchObject(
      {
        ok: false,
      },
    );
  });

  it('keeps what an internal failure threw as the cause of its refusal', () => {
    // Given a mapping whose lookup throws
    const boom = new Error('mapping unreadable');
    const mapping = new Proxy(
      {},
      {
        getOwnPropertyDescriptor: () => {
          throw boom;
        },
      },
    );
    const plan = planMigration(v1, v2, mapping, at('triage', 'at_step'), { now: NOW });
    expect(plan).toMatchObject({ ok: false, code: 'BROKEN_STATE' });
    expect(plan.ok === false && plan.cause).toBe(boom);
  });

  it('names the node in the reason', () => {
    const plan = planMigration(v1, v2, {}, at('legacy', 'at_step'), { now: NOW });
    expect(plan.ok === false && plan.reason).toContain('Step "Legacy check"');
  });
});

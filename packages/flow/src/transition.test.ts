import { describe, expect, it } from 'vitest';
import { type ActionOp, type FlowDocument, type FlowNode, LIMITS } from './schema.ts';
import {
  actionNode,
  all,
  branch,
  comparison,
  decisionNode,
  edge,
  endNode,
  flow,
  startNode,
  stepNode,
  subflowNode,
  waitNode,
} from './testFlows.ts';
import { initialState, transition } from './transition.ts';
import type { EngineEvent, RunState, TicketData, TransitionResult } from './types.ts';

const NOW = 1_700_000_000_000;
const MIN = 60_000;

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

const ticket = (over: Partial<TicketData> = {}): TicketData => ({
  channel: 'email',
  priority: 'normal',
  category: 'billing',
  subject: 'Charged twice',
  customer: { name: 'Ada', email: 'ada@example.com', tier: 'existing' },
  tags: [],
  fields: {},
  ...over,
});

/** Runs a transition on frozen inputs (a mutation would throw and surface as a failed result). */
function run(doc: FlowDocument, state: RunState, event: EngineEvent, now = NOW): TransitionResult {
  return transition(deepFreeze(doc), deepFreeze(state), event, { now });
}

function ok(result: TransitionResult) {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result;
}

const entered = (result: TransitionResult) =>
  ok(result).events.flatMap((e) => (e.type === 'node_entered' ? [e.nodeId] : []));

const start = (doc: FlowDocument, t: TicketData = ticket()) =>
  ok(run(doc, initialState(t), { type: 'start' }));

const complete = (
  nodeId: string,
  outcomeId = 'done',
  form: Record<string, unknown> = {},
  checklist: string[] = [],
) => ({ type: 'complete_step', nodeId, outcomeId, form, checklist, actorId: 'agent-1' }) as const;

/** start → [middle…] → s1 (step) → end */
function through(middle: FlowNode[], tail: FlowNode = stepNode('s1')): FlowDocument {
  const nodes = [startNode(), ...middle, tail, endNode('end', true)];
  const edges = [];
  for (let i = 0; i < nodes.length - 2; i++) {
    const node = nodes[i]!;
    const handle = node.type === 'decision' ? 'default' : 'next';
    edges.push(edge(`e${i}`, node.id, handle, nodes[i + 1]!.id));
  }
  if (tail.type === 'step') edges.push(edge('e-tail', tail.id, 'outcome:done', 'end'));
  else if (tail.type !== 'end') edges.push(edge('e-tail', tail.id, 'next', 'end'));
  return flow(nodes, edges);
}

describe('initialState', () => {
  it('is a new ticket nowhere yet', () => {
    const t = ticket();
    expect(initialState(t)).toEqual({
      status: 'new',
      nodeId: null,
      ticket: t,
      teamId: null,
      assigneeId: null,
      breached: false,
      everBreached: false,
      endStatus: null,
    });
  });
});

describe('transition: start', () => {
  it('enters the start and runs automatic nodes until a step', () => {
    // Given start → action → step → end
    const doc = through([actionNode('a1')]);
    // When the ticket starts
    const result = start(doc);
    // Then it sits at the step, in the step's team, with an SLA timer
    expect(entered(result)).toEqual(['start', 'a1', 's1']);
    expect(result.state).toMatchObject({
      status: 'at_step',
      nodeId: 's1',
      teamId: 'team-billing',
      breached: false,
    });
    expect(result.effects).toContainEqual({
      type: 'schedule_timer',
      kind: 'sla',
      nodeId: 's1',
      dueAt: NOW + 60 * MIN,
    });
  });

  it('refuses a ticket already started', () => {
    // Given a ticket at a step, when started again, then ALREADY_STARTED
    const doc = through([]);
    const state = start(doc).state;
    expect(run(doc, state, { type: 'start' })).toMatchObject({
      ok: false,
      error: { code: 'ALREADY_STARTED' },
    });
  });

  it('parks when the flow has no start', () => {
    // Given a flow without a start, when started, then the ticket is parked with a reason
    const result = ok(run(flow([endNode()], []), initialState(ticket()), { type: 'start' }));
    expect(result.state.status).toBe('parked');
    expect(result.events).toEqual([
      { type: 'parked', nodeId: null, reason: expect.stringContaining('no Start') },
    ]);
  });

  it('returns a new state object and leaves the input alone', () => {
    // Given a frozen initial state, when started, then a different object comes back
    const state = initialState(ticket());
    const result = ok(run(through([]), state, { type: 'start' }));
    expect(result.state).not.toBe(state);
    expect(state.status).toBe('new');
  });

  it('reaches an end directly: ended, end status, feedback requested', () => {
    // Given start → end (feedback on)
    const doc = flow([startNode(), endNode('end', true)], [edge('e1', 'start', 'next', 'end')]);
    // When started
    const result = start(doc);
    // Then it ended, resolved, with the feedback request
    expect(result.state).toMatchObject({ status: 'ended', nodeId: 'end', endStatus: 'resolved' });
    expect(result.events).toContainEqual({ type: 'ended', nodeId: 'end', status: 'resolved' });
    expect(result.effects).toEqual([{ type: 'request_feedback' }]);
  });

  it('does not request feedback from an end without it', () => {
    const doc = flow([startNode(), endNode('end', false)], [edge('e1', 'start', 'next', 'end')]);
    expect(start(doc).effects).toEqual([]);
  });
});

describe('transition: decisions', () => {
  const doc = flow(
    [
      startNode(),
      decisionNode('d', [
        branch('urgent', all(comparison('priority', 'equals', 'urgent'))),
        branch('vip', all(comparison('customer.tier', 'equals', 'vip'))),
      ]),
      stepNode('s_urgent'),
      stepNode('s_vip'),
      stepNode('s_other'),
      endNode(),
    ],
    [
      edge('e1', 'start', 'next', 'd'),
      edge('e2', 'd', 'branch:urgent', 's_urgent'),
      edge('e3', 'd', 'branch:vip', 's_vip'),
      edge('e4', 'd', 'default', 's_other'),
      edge('e5', 's_urgent', 'outcome:done', 'end'),
      edge('e6', 's_vip', 'outcome:done', 'end'),
      edge('e7', 's_other', 'outcome:done', 'end'),
    ],
  );

  it('takes the first matching branch, in order', () => {
    // Given an urgent VIP ticket (both branches match), when started
    const result = start(
      doc,
      ticket({ priority: 'urgent', customer: { name: 'A', email: 'a@b.co', tier: 'vip' } }),
    );
    // Then the first branch wins, and only it was tried
    expect(result.state.nodeId).toBe('s_urgent');
    const decision = result.events.find((e) => e.type === 'decision_evaluated');
    expect(decision).toMatchObject({ nodeId: 'd', branchId: 'urgent', handle: 'branch:urgent' });
    expect(decision?.type === 'decision_evaluated' && decision.tried.map((t) => t.branchId)).toEqual([
      'urgent',
    ]);
  });

  it('takes the second branch when only it matches', () => {
    const result = start(doc, ticket({ customer: { name: 'A', email: 'a@b.co', tier: 'vip' } }));
    expect(result.state.nodeId).toBe('s_vip');
  });

  it('takes the default when nothing matches, with every branch traced', () => {
    // Given a normal ticket of an existing customer, when started
    const result = start(doc);
    // Then the default is taken and both branches are in the trace with the values seen
    expect(result.state.nodeId).toBe('s_other');
    expect(result.events.find((e) => e.type === 'decision_evaluated')).toEqual({
      type: 'decision_evaluated',
      nodeId: 'd',
      branchId: null,
      handle: 'default',
      tried: [
        {
          branchId: 'urgent',
          matched: false,
          comparisons: [
            { field: 'priority', operator: 'equals', expected: 'urgent', actual: 'normal', result: false },
          ],
        },
        {
          branchId: 'vip',
          matched: false,
          comparisons: [
            {
              field: 'customer.tier',
              operator: 'equals',
              expected: 'vip',
              actual: 'existing',
              result: false,
            },
          ],
        },
      ],
    });
  });
});

describe('transition: actions', () => {
  const act = (ops: ActionOp[], t: TicketData = ticket()) => start(through([actionNode('a', ops)]), t);

  it.each([
    ['priority', 'urgent', { priority: 'urgent' }],
    ['channel', 'chat', { channel: 'chat' }],
    ['category', 'refunds', { category: 'refunds' }],
    ['subject', 'New subject', { subject: 'New subject' }],
    ['customer.tier', 'vip', { customer: { name: 'Ada', email: 'ada@example.com', tier: 'vip' } }],
    ['customer.name', 'Ada L.', { customer: { name: 'Ada L.', email: 'ada@example.com', tier: 'existing' } }],
    ['order_number', 'A-1', { fields: { order_number: 'A-1' } }],
  ] as const)('set_field %s sets it and emits set_fields', (field, value, expected) => {
    // Given an action setting a field, when run
    const result = act([{ op: 'set_field', field, value }]);
    // Then the ticket has it and the runtime is told
    expect(result.state.ticket).toMatchObject(expected);
    expect(result.effects).toContainEqual({ type: 'set_fields', values: { [field]: value } });
    expect(result.events).toContainEqual({
      type: 'action_performed',
      nodeId: 'a',
      ops: [`set_field ${field}`],
      changes: [{ op: 'set_field', field, value }],
    });
  });

  it.each([
    ['priority', 'critical'],
    ['channel', 'pigeon'],
    ['customer.tier', 'gold'],
    ['category', 5],
    ['tags', 'vip'],
  ] as const)('set_field %s to an invalid value %j is skipped', (field, value) => {
    // Given an action setting a built-in field to a value it cannot hold, when run
    const result = act([{ op: 'set_field', field, value }]);
    // Then the ticket is unchanged, no effect is emitted, and the trail says it was skipped
    expect(result.state.ticket).toEqual(ticket());
    expect(result.effects.some((e) => e.type === 'set_fields')).toBe(false);
    const performed = result.events.find((e) => e.type === 'action_performed');
    expect(performed?.type === 'action_performed' && performed.ops[0]).toContain('skipped');
  });

  it('adds a tag once', () => {
    // Given a ticket tagged "vip" and an action adding "vip" and "refund"
    const result = act(
      [
        { op: 'add_tag', tag: 'VIP' },
        { op: 'add_tag', tag: 'refund' },
      ],
      ticket({ tags: ['vip'] }),
    );
    // Then only "refund" is added
    expect(result.state.ticket.tags).toEqual(['vip', 'refund']);
    expect(result.effects.filter((e) => e.type === 'set_fields')).toEqual([
      { type: 'set_fields', values: { tags: ['vip', 'refund'] } },
    ]);
  });

  it('assigns to a team, and to an agent when a strategy is set', () => {
    // Given a ticket assigned to someone, and an action assigning round-robin in the technical team
    const state = { ...initialState(ticket()), assigneeId: 'agent-7' };
    const doc = through(
      [actionNode('a', [{ op: 'assign', teamId: 'team-technical', strategy: 'round_robin' }])],
      stepNode('s1', { teamId: null }),
    );
    const result = ok(run(doc, state, { type: 'start' }));
    // Then team set, assignee cleared for the runtime to pick, both effects emitted
    expect(result.state).toMatchObject({ teamId: 'team-technical', assigneeId: null });
    expect(result.effects.slice(0, 2)).toEqual([
      { type: 'assign_team', teamId: 'team-technical' },
      { type: 'assign_agent', teamId: 'team-technical', strategy: 'round_robin' },
    ]);
  });

  it('assigns to the team queue without an agent effect for the team strategy', () => {
    const result = act([{ op: 'assign', teamId: 'team-technical', strategy: 'team' }]);
    expect(result.effects.filter((e) => e.type === 'assign_agent')).toEqual([]);
    expect(result.effects).toContainEqual({ type: 'assign_team', teamId: 'team-technical' });
  });

  it('fills message placeholders from the ticket, missing ones empty', () => {
    // Given a template naming built-in, custom and missing fields
    const result = act(
      [
        {
          op: 'send_message',
          template: 'Hi {{customer.name}}, about {{ subject }} ({{order_number}}){{missing}}. Tags: {{tags}}',
        },
      ],
      ticket({ fields: { order_number: 'A-1' }, tags: ['a', 'b'] }),
    );
    // Then the body is filled in
    expect(result.effects).toContainEqual({
      type: 'send_message',
      body: 'Hi Ada, about Charged twice (A-1). Tags: a, b',
    });
  });

  it('calls a webhook with the node id', () => {
    const result = act([{ op: 'webhook', url: 'https://hooks.example.com/x' }]);
    expect(result.effects).toContainEqual({
      type: 'call_webhook',
      url: 'https://hooks.example.com/x',
      nodeId: 'a',
    });
  });

  it('applies ops in order: a message sees the field set before it', () => {
    const result = act([
      { op: 'set_field', field: 'priority', value: 'high' },
      { op: 'send_message', template: 'Priority {{priority}}' },
    ]);
    expect(result.effects).toContainEqual({ type: 'send_message', body: 'Priority high' });
  });
});

describe('transition: steps, waits, subflows, ends', () => {
  it('keeps the current team when a step has none, and resets the assignee on a team change', () => {
    // Given a ticket of team-technical with an assignee, entering a team-less step
    const state = { ...initialState(ticket()), teamId: 'team-technical', assigneeId: 'agent-1' };
    const keep = ok(run(through([], stepNode('s1', { teamId: null })), state, { type: 'start' }));
    // Then team and assignee are kept
    expect(keep.state).toMatchObject({ teamId: 'team-technical', assigneeId: 'agent-1' });
    // Given the same ticket entering a billing step, then the team changes and the assignee is cleared
    const change = ok(run(through([]), state, { type: 'start' }));
    expect(change.state).toMatchObject({ teamId: 'team-billing', assigneeId: null });
  });

  it('schedules no SLA timer for a step without SLA', () => {
    const result = start(through([], stepNode('s1', { slaMinutes: null })));
    expect(result.effects.filter((e) => e.type === 'schedule_timer')).toEqual([]);
  });

  it('waits for a duration with a wait timer', () => {
    const result = start(through([], waitNode('w', 'duration', 30)));
    expect(result.state).toMatchObject({ status: 'waiting', nodeId: 'w' });
    expect(result.effects).toEqual([
      { type: 'schedule_timer', kind: 'wait', nodeId: 'w', dueAt: NOW + 30 * MIN },
    ]);
  });

  it('waits for a reply with a timeout timer when it has minutes, none otherwise', () => {
    expect(start(through([], waitNode('w', 'reply', 120))).effects).toEqual([
      { type: 'schedule_timer', kind: 'timeout', nodeId: 'w', dueAt: NOW + 120 * MIN },
    ]);
    expect(start(through([], waitNode('w', 'reply', null))).effects).toEqual([]);
  });

  it('parks at a duration wait without minutes', () => {
    const result = start(through([], waitNode('w', 'duration', null)));
    expect(result.state).toMatchObject({ status: 'parked', nodeId: 'w' });
  });

  it('starts a subflow and continues when it completes', () => {
    // Given start → subflow → s1
    const doc = through([subflowNode('sf', 'flow-child')]);
    // When started, then it waits in the subflow
    const inSub = start(doc);
    expect(inSub.state).toMatchObject({ status: 'in_subflow', nodeId: 'sf' });
    expect(inSub.effects).toEqual([{ type: 'start_subflow', flowId: 'flow-child', nodeId: 'sf' }]);
    // When the subflow completes, then timers are cancelled and it moves on to the step
    const after = ok(run(doc, inSub.state, { type: 'subflow_completed' }));
    expect(after.effects[0]).toEqual({ type: 'cancel_timers' });
    expect(after.state).toMatchObject({ status: 'at_step', nodeId: 's1' });
  });

  it('parks at a subflow without a target', () => {
    const result = start(through([subflowNode('sf', null)]));
    expect(result.state).toMatchObject({ status: 'parked', nodeId: 'sf' });
    expect(result.effects).toEqual([]);
  });

  it.each([
    ['at a step', 'NOT_WAITING'],
    ['ended', 'TICKET_CLOSED'],
    ['new', 'NOT_STARTED'],
  ] as const)('refuses subflow_completed when %s', (where, code) => {
    const doc = through([]);
    const state =
      where === 'new'
        ? initialState(ticket())
        : where === 'ended'
          ? { ...initialState(ticket()), status: 'ended' as const, nodeId: 'end' }
          : start(doc).state;
    expect(run(doc, state, { type: 'subflow_completed' })).toMatchObject({ ok: false, error: { code } });
  });
});

describe('transition: the bound on automatic nodes', () => {
  const loop = flow(
    [
      startNode(),
      decisionNode('check', [branch('ready', all(comparison('tags', 'contains', 'ready')))]),
      actionNode('bump'),
      endNode(),
    ],
    [
      edge('e1', 'start', 'next', 'check'),
      edge('e2', 'check', 'branch:ready', 'end'),
      edge('e3', 'check', 'default', 'bump'),
      edge('e4', 'bump', 'next', 'check'),
    ],
  );

  it(`parks a looping ticket after ${LIMITS.maxAutomaticRun} automatic nodes, naming the loop`, () => {
    // Given a loop of a decision and an action that never exits, when started
    const result = start(loop);
    // Then exactly the bound of automatic nodes was entered, and the ticket is parked with a reason
    expect(entered(result)).toHaveLength(LIMITS.maxAutomaticRun);
    expect(result.state.status).toBe('parked');
    const parked = result.events.at(-1);
    expect(parked).toMatchObject({ type: 'parked', nodeId: result.state.nodeId });
    expect(parked?.type === 'parked' && parked.reason).toMatch(
      /Decision "Decision check" → Action "Action bump"/,
    );
  });

  it('runs a chain of exactly the bound without parking', () => {
    // Given start + 98 actions + a decision = 100 automatic nodes, then an end
    const actions = Array.from({ length: LIMITS.maxAutomaticRun - 2 }, (_, i) => actionNode(`a${i}`));
    const doc = through([...actions, decisionNode('d', [])], endNode('last'));
    // When started, then it ends
    expect(start(doc).state.status).toBe('ended');
    // And one more automatic node parks it
    const longer = through([...actions, actionNode('extra'), decisionNode('d', [])], endNode('last'));
    expect(start(longer).state.status).toBe('parked');
  });

  it('parks on an unconnected output, naming it', () => {
    // Given a decision whose default goes nowhere
    const doc = flow([startNode(), decisionNode('d', [])], [edge('e1', 'start', 'next', 'd')]);
    // When started, then parked at the decision, saying which output is missing
    const result = start(doc);
    expect(result.state).toMatchObject({ status: 'parked', nodeId: 'd' });
    expect(result.events.at(-1)).toMatchObject({
      type: 'parked',
      reason: expect.stringContaining('"Otherwise" (default)'),
    });
  });

  it('parks on an edge to a missing node', () => {
    const doc = flow([startNode()], [edge('e1', 'start', 'next', 'ghost')]);
    const result = start(doc);
    expect(result.state).toMatchObject({ status: 'parked', nodeId: 'start' });
    expect(result.events.at(-1)).toMatchObject({
      type: 'parked',
      reason: expect.stringContaining('"ghost"'),
    });
  });
});

describe('transition: complete_step', () => {
  const verify = stepNode('verify', {
    title: 'Verify eligibility',
    checklist: [
      { id: 'order_found', label: 'Order found', required: true },
      { id: 'in_window', label: 'Within 30 days', required: true },
      { id: 'photos', label: 'Photos received', required: false },
    ],
    form: [
      { key: 'order_number', label: 'Order number', type: 'text', required: true },
      { key: 'amount', label: 'Amount', type: 'number', required: true },
      { key: 'contact', label: 'Contact email', type: 'email', required: false },
      { key: 'delivered', label: 'Delivered on', type: 'date', required: false },
      { key: 'reason', label: 'Reason', type: 'choice', required: false, options: ['Damaged', 'Late'] },
    ],
    outcomes: [
      { id: 'eligible', label: 'Eligible' },
      { id: 'not_eligible', label: 'Not eligible' },
    ],
  });
  const doc = flow(
    [startNode(), verify, stepNode('refund'), endNode()],
    [
      edge('e1', 'start', 'next', 'verify'),
      edge('e2', 'verify', 'outcome:eligible', 'refund'),
      edge('e3', 'verify', 'outcome:not_eligible', 'end'),
      edge('e4', 'refund', 'outcome:done', 'end'),
    ],
  );
  const atVerify = () => start(doc).state;
  const ticks = ['order_found', 'in_window'];
  const form = { order_number: 'A-1001', amount: '250.50' };

  it('captures the form into the ticket, cancels timers first, and follows the outcome', () => {
    // Given a ticket at "Verify eligibility"
    const state = atVerify();
    // When completed as eligible with a valid form and the required items ticked
    const result = ok(
      run(
        doc,
        state,
        complete('verify', 'eligible', { ...form, reason: 'damaged', extra: 'ignored' }, ticks),
      ),
    );
    // Then values are coerced and captured, unknown keys ignored, and the ticket is at the refund step
    expect(result.effects[0]).toEqual({ type: 'cancel_timers' });
    expect(result.state.ticket.fields).toEqual({ order_number: 'A-1001', amount: 250.5, reason: 'Damaged' });
    expect(result.events[0]).toEqual({
      type: 'step_completed',
      nodeId: 'verify',
      outcomeId: 'eligible',
      values: { order_number: 'A-1001', amount: 250.5, reason: 'Damaged' },
      checklist: ticks,
    });
    expect(result.state).toMatchObject({ status: 'at_step', nodeId: 'refund' });
    expect(entered(result)).toEqual(['refund']);
  });

  it.each([
    ['ended', 'TICKET_CLOSED'],
    ['parked', 'TICKET_CLOSED'],
    ['waiting', 'NOT_AT_THIS_STEP'],
    ['new', 'NOT_AT_THIS_STEP'],
  ] as const)('refuses a ticket that is %s with %s', (status, code) => {
    const state = { ...atVerify(), status };
    expect(run(doc, state, complete('verify', 'eligible', form, ticks))).toMatchObject({
      ok: false,
      error: { code },
    });
  });

  it('refuses a completion for another step (stale or duplicate submission)', () => {
    // Given a ticket at verify, when someone completes "refund", then NOT_AT_THIS_STEP
    expect(run(doc, atVerify(), complete('refund', 'done'))).toMatchObject({
      ok: false,
      error: { code: 'NOT_AT_THIS_STEP' },
    });
  });

  it('refuses an outcome the step does not have', () => {
    const result = run(doc, atVerify(), complete('verify', 'done', form, ticks));
    expect(result).toMatchObject({ ok: false, error: { code: 'UNKNOWN_OUTCOME' } });
    if (!result.ok) expect(result.error.message).toContain('"Eligible", "Not eligible"');
  });

  it('refuses an incomplete checklist, listing the missing items', () => {
    // Given only one of two required items ticked (plus the optional one)
    const result = run(doc, atVerify(), complete('verify', 'eligible', form, ['order_found', 'photos']));
    // Then CHECKLIST_INCOMPLETE names the missing one
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'CHECKLIST_INCOMPLETE',
        message: expect.any(String),
        details: { in_window: 'Within 30 days' },
      },
    });
  });

  it('refuses an invalid form with a message per field', () => {
    // Given a form with every kind of mistake
    const bad = {
      order_number: '   ',
      amount: 'twelve',
      contact: 'not-an-email',
      delivered: '2024-02-30',
      reason: 'Bored',
    };
    // When submitted, then each field gets its own message
    const result = run(doc, atVerify(), complete('verify', 'eligible', bad, ticks));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('FORM_INVALID');
    expect(Object.keys(result.error.details ?? {}).sort()).toEqual([
      'amount',
      'contact',
      'delivered',
      'order_number',
      'reason',
    ]);
    expect(result.error.details?.order_number).toBe('Order number is required.');
  });

  it.each([
    ['amount', Number.POSITIVE_INFINITY],
    ['amount', ''],
    ['amount', { n: 1 }],
    ['delivered', '2024-13-01'],
    ['delivered', '01/02/2024'],
    ['contact', 'a@b'],
    ['order_number', 'x'.repeat(LIMITS.maxString + 1)],
  ])('refuses %s = %j', (key, value) => {
    const result = run(doc, atVerify(), complete('verify', 'eligible', { ...form, [key]: value }, ticks));
    expect(result).toMatchObject({ ok: false, error: { code: 'FORM_INVALID' } });
  });

  it('accepts valid optional values and leaves blank optional ones out', () => {
    const result = ok(
      run(
        doc,
        atVerify(),
        complete(
          'verify',
          'eligible',
          { ...form, contact: ' ada@example.com ', delivered: '2024-02-29', reason: '' },
          ticks,
        ),
      ),
    );
    expect(result.state.ticket.fields).toEqual({
      order_number: 'A-1001',
      amount: 250.5,
      contact: 'ada@example.com',
      delivered: '2024-02-29',
    });
  });

  it('never copies __proto__ or constructor from the submitted form', () => {
    // Given a form carrying hostile keys as own properties
    const hostile = JSON.parse(
      '{"__proto__":{"polluted":true},"constructor":"x","order_number":"A-1","amount":5}',
    );
    // When submitted
    const result = ok(run(doc, atVerify(), complete('verify', 'eligible', hostile, ticks)));
    // Then only the step's fields are captured and no prototype changed
    expect(Object.keys(result.state.ticket.fields)).toEqual(['order_number', 'amount']);
    expect(Object.getPrototypeOf(result.state.ticket.fields)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('survives a garbage form and checklist', () => {
    const event = {
      ...complete('verify', 'eligible'),
      form: null,
      checklist: 'all',
    } as unknown as EngineEvent;
    expect(run(doc, atVerify(), event)).toMatchObject({ ok: false, error: { code: 'CHECKLIST_INCOMPLETE' } });
  });

  it('answers BROKEN_FLOW when the state points at a node the version lacks', () => {
    const state = { ...atVerify(), nodeId: 'gone' };
    expect(run(doc, state, complete('gone', 'done'))).toMatchObject({
      ok: false,
      error: { code: 'BROKEN_FLOW' },
    });
  });
});

describe('transition: timers', () => {
  const withBreachEdge = flow(
    [startNode(), stepNode('s1'), stepNode('senior', { teamId: 'team-technical' }), endNode()],
    [
      edge('e1', 'start', 'next', 's1'),
      edge('e2', 's1', 'outcome:done', 'end'),
      edge('e3', 's1', 'sla_breach', 'senior'),
      edge('e4', 'senior', 'outcome:done', 'end'),
    ],
  );
  const noBreachEdge = through([]);

  it('follows the SLA breach edge when there is one', () => {
    // Given a ticket at s1 whose breach output leads to a senior step
    const state = start(withBreachEdge).state;
    // When the SLA timer fires
    const result = ok(
      run(withBreachEdge, state, { type: 'timer_fired', kind: 'sla', nodeId: 's1' }, NOW + 60 * MIN),
    );
    // Then it escalates along the edge: timers cancelled, senior step entered with a fresh SLA
    expect(result.events.slice(0, 2)).toEqual([
      { type: 'timer_fired', nodeId: 's1', kind: 'sla' },
      { type: 'sla_breached', nodeId: 's1', escalatedBy: 'edge' },
    ]);
    expect(result.effects[0]).toEqual({ type: 'cancel_timers' });
    expect(result.state).toMatchObject({
      status: 'at_step',
      nodeId: 'senior',
      teamId: 'team-technical',
      breached: false,
    });
    expect(result.effects).toContainEqual({
      type: 'schedule_timer',
      kind: 'sla',
      nodeId: 'senior',
      dueAt: NOW + 120 * MIN,
    });
  });

  it('marks the ticket breached for good when it escalates along the edge', () => {
    // Given a ticket at s1 whose breach output leads to a senior step
    const state = start(withBreachEdge).state;
    expect(state.everBreached).toBe(false);
    // When the SLA timer fires, and the senior step is then completed
    const escalated = ok(
      run(withBreachEdge, state, { type: 'timer_fired', kind: 'sla', nodeId: 's1' }),
    ).state;
    const ended = ok(run(withBreachEdge, escalated, complete('senior'))).state;
    // Then the step's breach guard is clear but the ticket stays marked breached, to the end
    expect(escalated).toMatchObject({ nodeId: 'senior', breached: false, everBreached: true });
    expect(ended).toMatchObject({ status: 'ended', breached: false, everBreached: true });
  });

  it('keeps the team an escalation assigned when the next step keeps the ticket team', () => {
    // Given s1 (Billing) whose breach path assigns Senior, then enters a step set to the ticket's current team
    const doc = flow(
      [
        startNode(),
        stepNode('s1'),
        actionNode('escalate', [
          { op: 'set_field', field: 'priority', value: 'urgent' },
          { op: 'assign', teamId: 'team-senior', strategy: 'team' },
        ]),
        stepNode('senior', { teamId: null, teamSource: 'current' }),
        endNode(),
      ],
      [
        edge('e1', 'start', 'next', 's1'),
        edge('e2', 's1', 'outcome:done', 'end'),
        edge('e3', 's1', 'sla_breach', 'escalate'),
        edge('e4', 'escalate', 'next', 'senior'),
        edge('e5', 'senior', 'outcome:done', 'end'),
      ],
    );
    const state = start(doc).state;
    expect(state.teamId).toBe('team-billing');
    // When the SLA breaches
    const result = ok(run(doc, state, { type: 'timer_fired', kind: 'sla', nodeId: 's1' }));
    // Then the ticket waits at the next step with Senior, and the trail records the changes as data
    expect(result.state).toMatchObject({ nodeId: 'senior', teamId: 'team-senior', everBreached: true });
    expect(result.events).toContainEqual({
      type: 'action_performed',
      nodeId: 'escalate',
      ops: ['set_field priority', 'assign team-senior team'],
      changes: [
        { op: 'set_field', field: 'priority', value: 'urgent' },
        { op: 'assign', teamId: 'team-senior', strategy: 'team' },
      ],
    });
  });

  it('moves the ticket to a named step team even after an escalation assigned another', () => {
    // Given the same path, but the next step names Technical
    const doc = flow(
      [
        startNode(),
        stepNode('s1'),
        actionNode('escalate', [{ op: 'assign', teamId: 'team-senior', strategy: 'team' }]),
        stepNode('tech', { teamId: 'team-technical' }),
        endNode(),
      ],
      [
        edge('e1', 'start', 'next', 's1'),
        edge('e2', 's1', 'outcome:done', 'end'),
        edge('e3', 's1', 'sla_breach', 'escalate'),
        edge('e4', 'escalate', 'next', 'tech'),
        edge('e5', 'tech', 'outcome:done', 'end'),
      ],
    );
    // When the SLA breaches, then the named team wins (that is what a named team means)
    const result = ok(run(doc, start(doc).state, { type: 'timer_fired', kind: 'sla', nodeId: 's1' }));
    expect(result.state).toMatchObject({ nodeId: 'tech', teamId: 'team-technical' });
  });

  it('raises the priority and marks the ticket breached when there is no edge', () => {
    // Given a normal-priority ticket at a step without a breach edge
    const state = start(noBreachEdge).state;
    // When the SLA timer fires
    const result = ok(run(noBreachEdge, state, { type: 'timer_fired', kind: 'sla', nodeId: 's1' }));
    // Then it stays, breached (for good), one priority level up
    expect(result.state).toMatchObject({
      status: 'at_step',
      nodeId: 's1',
      breached: true,
      everBreached: true,
    });
    expect(result.state.ticket.priority).toBe('high');
    expect(result.effects).toEqual([{ type: 'set_fields', values: { priority: 'high' } }]);
    expect(result.events).toContainEqual({ type: 'sla_breached', nodeId: 's1', escalatedBy: 'priority' });
  });

  it.each([
    ['low', 'normal'],
    ['high', 'urgent'],
    ['urgent', 'urgent'],
  ] as const)('raises %s to %s', (from, to) => {
    const state = start(noBreachEdge, ticket({ priority: from })).state;
    const result = ok(run(noBreachEdge, state, { type: 'timer_fired', kind: 'sla', nodeId: 's1' }));
    expect(result.state.ticket.priority).toBe(to);
  });

  it('refuses a second SLA firing for the same stay', () => {
    const state = start(noBreachEdge).state;
    const breached = ok(run(noBreachEdge, state, { type: 'timer_fired', kind: 'sla', nodeId: 's1' })).state;
    expect(run(noBreachEdge, breached, { type: 'timer_fired', kind: 'sla', nodeId: 's1' })).toMatchObject({
      ok: false,
      error: { code: 'STALE_TIMER' },
    });
  });

  it('clears the breach flag when the step is completed', () => {
    const state = start(noBreachEdge).state;
    const breached = ok(run(noBreachEdge, state, { type: 'timer_fired', kind: 'sla', nodeId: 's1' })).state;
    const after = ok(run(noBreachEdge, breached, complete('s1'))).state;
    expect(after.breached).toBe(false);
    // The ticket stays marked as having breached.
    expect(after.everBreached).toBe(true);
  });

  it.each([
    ['a node the ticket left', { type: 'timer_fired', kind: 'sla', nodeId: 'other' }],
    ['the wrong kind for a step', { type: 'timer_fired', kind: 'wait', nodeId: 's1' }],
    ['a timeout at a step', { type: 'timer_fired', kind: 'timeout', nodeId: 's1' }],
  ] as const)('refuses a timer for %s as STALE_TIMER', (_words, event) => {
    const state = start(noBreachEdge).state;
    expect(run(noBreachEdge, state, event)).toMatchObject({ ok: false, error: { code: 'STALE_TIMER' } });
  });

  const waits = (mode: 'reply' | 'duration') =>
    flow(
      [startNode(), waitNode('w', mode, 60), stepNode('replied'), stepNode('timed_out'), endNode()],
      [
        edge('e1', 'start', 'next', 'w'),
        edge('e2', 'w', 'next', 'replied'),
        ...(mode === 'reply' ? [edge('e3', 'w', 'timeout', 'timed_out')] : []),
        edge('e4', 'replied', 'outcome:done', 'end'),
        edge('e5', 'timed_out', 'outcome:done', 'end'),
      ],
    );

  it('ends a duration wait on its timer', () => {
    const doc = waits('duration');
    const result = ok(run(doc, start(doc).state, { type: 'timer_fired', kind: 'wait', nodeId: 'w' }));
    expect(result.effects[0]).toEqual({ type: 'cancel_timers' });
    expect(result.state.nodeId).toBe('replied');
  });

  it('times out a reply wait along the timeout output', () => {
    const doc = waits('reply');
    const result = ok(run(doc, start(doc).state, { type: 'timer_fired', kind: 'timeout', nodeId: 'w' }));
    expect(result.events[0]).toEqual({ type: 'timer_fired', nodeId: 'w', kind: 'timeout' });
    expect(result.state.nodeId).toBe('timed_out');
  });

  it('refuses a wait timer at a reply wait and a timeout at a duration wait', () => {
    const reply = waits('reply');
    const duration = waits('duration');
    expect(run(reply, start(reply).state, { type: 'timer_fired', kind: 'wait', nodeId: 'w' })).toMatchObject({
      ok: false,
      error: { code: 'STALE_TIMER' },
    });
    expect(
      run(duration, start(duration).state, { type: 'timer_fired', kind: 'timeout', nodeId: 'w' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'STALE_TIMER' },
    });
  });

  it('moves a reply wait on when the customer replies', () => {
    const doc = waits('reply');
    const result = ok(run(doc, start(doc).state, { type: 'customer_replied' }));
    expect(result.events[0]).toEqual({ type: 'customer_replied', nodeId: 'w' });
    expect(result.effects[0]).toEqual({ type: 'cancel_timers' });
    expect(result.state.nodeId).toBe('replied');
  });

  it('answers NOT_WAITING to a reply at a duration wait or a step', () => {
    const doc = waits('duration');
    expect(run(doc, start(doc).state, { type: 'customer_replied' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_WAITING' },
    });
    expect(run(noBreachEdge, start(noBreachEdge).state, { type: 'customer_replied' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_WAITING' },
    });
  });
});

describe('transition: robustness', () => {
  it('answers BROKEN_FLOW instead of throwing on a malformed document', () => {
    const result = transition(
      { nodes: null } as unknown as FlowDocument,
      initialState(ticket()),
      { type: 'start' },
      { now: NOW },
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'BROKEN_FLOW' } });
  });

  it('keeps what an internal failure threw as the cause of its BROKEN_FLOW', () => {
    // Given a start node whose data throws when the engine reads it
    const boom = new Error('data unreadable');
    const broken = {
      ...startNode(),
      get data(): never {
        throw boom;
      },
    } as unknown as FlowNode;
    const result = transition(flow([broken], []), initialState(ticket()), { type: 'start' }, { now: NOW });
    // Then the refusal is BROKEN_FLOW and carries the thrown error, not a bare message
    expect(result).toMatchObject({ ok: false, error: { code: 'BROKEN_FLOW' } });
    expect(!result.ok && result.error.cause).toBe(boom);
  });

  it('leaves the cause out of ordinary refusals', () => {
    const doc = through([]);
    const refused = run(doc, start(doc).state, { type: 'start' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'ALREADY_STARTED' } });
    expect(!refused.ok && 'cause' in refused.error).toBe(false);
  });

  it('answers BROKEN_FLOW to an unknown event', () => {
    const doc = through([]);
    expect(run(doc, initialState(ticket()), { type: 'explode' } as unknown as EngineEvent)).toMatchObject({
      ok: false,
      error: { code: 'BROKEN_FLOW' },
    });
  });

  it('gives the same result for the same input (replay)', () => {
    // Given a flow and a script of events, when played twice, then the results are identical
    const doc = through([actionNode('a', [{ op: 'add_tag', tag: 'x' }])]);
    const play = () => {
      const first = start(doc);
      return [first, ok(run(doc, first.state, complete('s1')))];
    };
    expect(play()).toEqual(play());
  });
});

import type { FlowDocument } from '@stepwise/flow';
import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { TicketEvent } from '../../trpc.ts';
import { Timeline } from './Timeline.tsx';

afterEach(cleanup);

const NOW = Date.parse('2026-03-02T12:00:00.000Z');
const SENIOR = '6f1c2d3e-4b5a-4c6d-8e7f-112233445566';
const DELETED = '0b0b0b0b-1111-4222-8333-444455556666';
const AGENT = '9a8b7c6d-5e4f-4a3b-9c2d-1e0f00112233';
const VERSION_A = 'aaaaaaaa-1111-4111-8111-111111111111';
const VERSION_B = 'bbbbbbbb-2222-4222-8222-222222222222';
const TEAMS = [
  { id: SENIOR, name: 'Senior' },
  { id: 'c0ffee00-0000-4000-8000-000000000000', name: 'Billing' },
];
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

const step = (id: string, title: string) => ({
  id,
  type: 'step',
  position: { x: 0, y: 0 },
  data: {
    title,
    instructions: '',
    checklist: [],
    form: [{ key: 'plan', label: 'Agreed plan', type: 'text', required: false }],
    teamId: null,
    teamSource: 'current',
    slaMinutes: 30,
    outcomes: [{ id: 'done', label: 'Plan agreed' }],
  },
});

const DOCUMENT = {
  schemaVersion: 2,
  fields: [],
  nodes: [
    { id: 'start', type: 'start', position: { x: 0, y: 0 }, data: { label: 'New ticket', trigger: {} } },
    step('review', 'Review the escalation'),
    step('lead', 'Senior takes over'),
    {
      id: 'escalate',
      type: 'action',
      position: { x: 0, y: 0 },
      data: { label: 'Escalate to Senior', ops: [] },
    },
    {
      id: 'severity',
      type: 'decision',
      position: { x: 0, y: 0 },
      data: { label: 'VIP or urgent?', branches: [] },
    },
    {
      id: 'await',
      type: 'wait',
      position: { x: 0, y: 0 },
      data: { label: 'Wait for the reply', mode: 'reply', minutes: 60 },
    },
    { id: 'sub', type: 'subflow', position: { x: 0, y: 0 }, data: { label: 'Refund check', flowId: 'f' } },
    {
      id: 'end',
      type: 'end',
      position: { x: 0, y: 0 },
      data: { label: 'Resolved', status: 'resolved', feedback: true },
    },
  ],
  edges: [],
  notes: [],
} as unknown as FlowDocument;

let seq = 0;
/** An event as the server stores it (shapes copied from the runtime's writers). */
function event(
  type: string,
  data: unknown,
  more: { fromNode?: string | null; toNode?: string | null; createdAt?: string } = {},
): TicketEvent {
  seq += 1;
  return {
    seq,
    type,
    actorName: type === 'step.completed' || type === 'ticket.assigned' ? 'Alex Agent' : null,
    fromNode: more.fromNode ?? null,
    toNode: more.toNode ?? null,
    data,
    createdAt: more.createdAt ?? '2026-03-02T11:00:00.000Z',
  } as TicketEvent;
}

const ticketData = {
  channel: 'email',
  priority: 'normal',
  category: 'escalation',
  subject: 'Broken',
  customer: { name: 'Ines', email: 'ines@example.com', tier: 'existing' },
  tags: [],
  fields: {},
};

/** One event of every type the runtime and the feedback router write. */
const EVERY_TYPE: Record<string, TicketEvent> = {
  created: event(
    'ticket.created',
    {
      input: { type: 'start', ticket: ticketData },
      trail: [
        { type: 'node_entered', nodeId: 'start', nodeType: 'start' },
        {
          type: 'decision_evaluated',
          nodeId: 'severity',
          branchId: null,
          handle: 'default',
          tried: [
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
                { field: 'plan', operator: 'is_set', expected: null, actual: 'refund', result: true },
              ],
            },
          ],
        },
        { type: 'node_entered', nodeId: 'review', nodeType: 'step' },
      ],
    },
    { toNode: 'review' },
  ),
  started: event(
    'flow.started',
    { input: { type: 'start', ticket: ticketData }, trail: [], flowId: 'x', versionId: VERSION_A },
    { fromNode: null, toNode: 'review' },
  ),
  breachEdge: event(
    'timer.fired',
    {
      input: { type: 'timer_fired', kind: 'sla', nodeId: 'review' },
      trail: [
        { type: 'timer_fired', nodeId: 'review', kind: 'sla' },
        { type: 'sla_breached', nodeId: 'review', escalatedBy: 'edge' },
        { type: 'node_entered', nodeId: 'escalate', nodeType: 'action' },
        {
          type: 'action_performed',
          nodeId: 'escalate',
          ops: ['set_field priority', 'add_tag escalation-overdue', `assign ${SENIOR} least_loaded`],
          changes: [
            { op: 'set_field', field: 'priority', value: 'urgent' },
            { op: 'add_tag', tag: 'escalation-overdue' },
            { op: 'assign', teamId: SENIOR, strategy: 'least_loaded' },
          ],
        },
        { type: 'node_entered', nodeId: 'lead', nodeType: 'step' },
      ],
      runtime: { assigneeId: AGENT },
    },
    { fromNode: 'review', toNode: 'lead' },
  ),
  oldAction: event(
    'timer.fired',
    {
      input: { type: 'timer_fired', kind: 'sla', nodeId: 'review' },
      trail: [
        {
          type: 'action_performed',
          nodeId: 'escalate',
          ops: [
            'set_field priority',
            'set_field channel skipped: "pigeon" is not a valid value',
            'add_tag vip skipped: already tagged',
            `assign ${DELETED} team`,
            'send_message',
            'webhook https://hooks.example.com/x',
          ],
        },
      ],
    },
    { fromNode: 'review', toNode: 'lead' },
  ),
  breachInPlace: event(
    'timer.fired',
    {
      input: { type: 'timer_fired', kind: 'sla', nodeId: 'lead' },
      trail: [
        { type: 'timer_fired', nodeId: 'lead', kind: 'sla' },
        { type: 'sla_breached', nodeId: 'lead', escalatedBy: 'priority' },
      ],
    },
    { fromNode: 'lead', toNode: 'lead' },
  ),
  completed: event(
    'step.completed',
    {
      input: { type: 'complete_step', nodeId: 'lead', outcomeId: 'done', form: {}, checklist: [] },
      trail: [
        {
          type: 'step_completed',
          nodeId: 'lead',
          outcomeId: 'done',
          values: { plan: 'Call back' },
          checklist: [],
        },
        { type: 'node_entered', nodeId: 'await', nodeType: 'wait' },
      ],
      key: 'k-1',
    },
    { fromNode: 'lead', toNode: 'await' },
  ),
  timeout: event(
    'timer.fired',
    {
      input: { type: 'timer_fired', kind: 'timeout', nodeId: 'await' },
      trail: [{ type: 'timer_fired', nodeId: 'await', kind: 'timeout' }],
    },
    { fromNode: 'await', toNode: 'sub' },
  ),
  replied: event(
    'customer.replied',
    {
      input: { type: 'customer_replied' },
      trail: [
        { type: 'customer_replied', nodeId: 'await' },
        { type: 'node_entered', nodeId: 'sub', nodeType: 'subflow' },
      ],
    },
    { fromNode: 'await', toNode: 'sub' },
  ),
  parked: event(
    'subflow.completed',
    {
      input: { type: 'subflow_completed' },
      trail: [
        {
          type: 'parked',
          nodeId: 'sub',
          reason: 'Output "Next" of Subflow "Refund check" is not connected.',
        },
      ],
    },
    { fromNode: 'sub', toNode: 'sub' },
  ),
  migrated: event(
    'ticket.migrated',
    {
      fromVersion: VERSION_A,
      toVersion: VERSION_B,
      fromNode: 'review',
      toNode: 'lead',
      trail: [],
      input: {
        type: 'migrate',
        toVersion: VERSION_B,
        state: { status: 'at_step', nodeId: 'lead', teamId: SENIOR, assigneeId: AGENT, ticket: ticketData },
      },
    },
    { fromNode: 'review', toNode: 'lead' },
  ),
  assigned: event(
    'ticket.assigned',
    { input: { type: 'assign', assigneeId: AGENT }, trail: [] },
    { fromNode: 'lead', toNode: 'lead' },
  ),
  released: event(
    'ticket.assigned',
    { input: { type: 'assign', assigneeId: null }, trail: [] },
    { fromNode: 'lead', toNode: 'lead' },
  ),
  ended: event(
    'step.completed',
    {
      input: { type: 'complete_step', nodeId: 'lead', outcomeId: 'done', form: {}, checklist: [] },
      trail: [
        { type: 'step_completed', nodeId: 'lead', outcomeId: 'done', values: {}, checklist: [] },
        { type: 'node_entered', nodeId: 'end', nodeType: 'end' },
        { type: 'ended', nodeId: 'end', status: 'resolved' },
      ],
    },
    { fromNode: 'lead', toNode: 'end' },
  ),
  feedback: event(
    'feedback.received',
    { input: { type: 'feedback', score: 4, comment: 'Quick and kind' }, trail: [] },
    { fromNode: 'end', toNode: 'end' },
  ),
};

/** Events no current writer produces: missing or odd data must not break the page. */
const ODD: TicketEvent[] = [
  event('ticket.created', null),
  event('step.completed', { trail: 'not a list' }),
  event('timer.fired', {
    input: 42,
    trail: [
      null,
      7,
      { type: 'mystery' },
      { type: 'action_performed', nodeId: 'escalate' },
      { type: 'action_performed', nodeId: 'escalate', changes: [null, { op: 'assign' }, { op: 'explode' }] },
      { type: 'decision_evaluated', nodeId: 'severity', handle: 'default', branchId: null },
      {
        type: 'decision_evaluated',
        nodeId: 'severity',
        handle: 'x',
        branchId: 'b',
        tried: [{ branchId: 'b' }],
      },
      { type: 'step_completed', nodeId: 'gone', outcomeId: 'done' },
      { type: 'sla_breached' },
      { type: 'parked' },
      { type: 'ended' },
    ],
  }),
  event('something.new', { input: {}, trail: [] }, { fromNode: 'nowhere', createdAt: 'not a date' }),
];

function itemsOf(container: HTMLElement): Map<number, string> {
  const out = new Map<number, string>();
  const items = container.querySelectorAll('li.timeline-item');
  for (const item of items) {
    const head = item.querySelector('.timeline-title')?.textContent ?? '';
    out.set(out.size, `${head} | ${item.textContent ?? ''}`);
  }
  return out;
}

describe('Timeline', () => {
  it('given one event of every stored type, when rendered, then each reads in words, naming teams and never showing an id', () => {
    // Given every event type the server writes, oldest first
    const events = Object.values(EVERY_TYPE);
    // When the timeline renders them with the organization's teams
    const { container } = render(<Timeline events={events} document={DOCUMENT} now={NOW} teams={TEAMS} />);
    const text = container.textContent ?? '';
    // Then every event is there, newest first
    const items = [...itemsOf(container).values()];
    expect(items).toHaveLength(events.length);
    expect(items[0]).toMatch(/^Customer feedback received \| /);
    expect(items.at(-1)).toMatch(/^Ticket created \| /);
    // And each says what happened
    expect(text).toContain(
      'Escalate to Senior: priority → urgent; tag escalation-overdue added; team → Senior (least busy agent)',
    );
    expect(text).toContain('SLA breached at Review the escalation, escalated by its breach path');
    expect(text).toContain('SLA breached at Senior takes over, escalated by raising the priority');
    expect(text).toContain('Decision VIP or urgent? went to');
    // Decisions name fields by their labels (built-in and form fields alike), never by their keys
    expect(text).toContain('customer tier is “vip” — was “existing”');
    expect(text).toContain('Agreed plan is set — was “refund”');
    expect(text).not.toContain('customer.tier');
    expect(text).toContain('Outcome Plan agreed');
    expect(text).toContain('Agreed plan');
    expect(text).toContain('Timeout timer fired at Wait for the reply');
    expect(text).toContain('The customer replied');
    expect(text).toContain('Stopped: Output "Next" of Subflow "Refund check" is not connected.');
    expect(text).toContain('Moved to a new version');
    expect(text).toContain('Ticket assigned');
    expect(text).toContain('Ticket released');
    expect(text).toContain('Closed as');
    expect(text).toContain('Score 4/5 — “Quick and kind”');
    expect(text).toContain('Entered the flow');
    // And an event recorded before actions were stored as data still names its team, here a deleted one
    expect(text).toContain(
      'Escalate to Senior: priority set; channel not changed; tag vip already there; team → a deleted team; message sent to the customer; webhook called',
    );
    // And no id (team, user, version) leaks into the words
    expect(text).not.toMatch(UUID);
  });

  it('given the teams are not loaded yet, when rendered, then an assignment reads "a team", not an id', () => {
    const { container } = render(
      <Timeline events={[EVERY_TYPE.breachEdge!]} document={DOCUMENT} now={NOW} />,
    );
    expect(container.textContent).toContain('team → a team (least busy agent)');
    expect(container.textContent).not.toMatch(UUID);
  });

  it('given events with missing or odd data, when rendered, then the timeline still shows them without crashing', () => {
    // Given stored events of shapes no writer produces today (null data, a trail that is not a list…)
    // When rendered (without a flow document, as for an unrouted ticket)
    const { container } = render(<Timeline events={ODD} document={null} now={NOW} teams={TEAMS} />);
    // Then every event is listed with a title, and the known parts of the odd ones still read in words
    const items = [...itemsOf(container).values()];
    expect(items).toHaveLength(ODD.length);
    expect(items[0]).toMatch(/^Something new \| /);
    const text = container.textContent ?? '';
    expect(text).toContain('Ticket created');
    expect(text).toContain('escalate: team → a deleted team');
    expect(text).toContain('Decision severity went to default (no branch matched)');
    expect(text).toContain('Outcome done');
    expect(text).toContain('Stopped: the flow could not go on');
    expect(text).not.toMatch(UUID);
  });

  it('given no events, when rendered, then it says nothing has happened yet', () => {
    const { container } = render(<Timeline events={[]} document={DOCUMENT} now={NOW} teams={TEAMS} />);
    expect(container.textContent).toBe('Nothing has happened on this ticket yet.');
  });

  it('given a note, an edit and a reassignment, when rendered, then the note’s text, each change old → new and the person, team and reason read in words', () => {
    // Given the three hand-made events, oldest first
    const at = '2026-03-02T11:00:00.000Z';
    const base = { actorName: 'Alex Agent', fromNode: 'triage', toNode: 'triage', createdAt: at };
    const events: TicketEvent[] = [
      {
        ...base,
        seq: 2,
        type: 'note.added',
        data: { input: { type: 'note', body: 'Courier lost it.' }, trail: [] },
      },
      {
        ...base,
        seq: 3,
        type: 'ticket.edited',
        data: {
          input: { type: 'edit', set: { priority: 'urgent', tags: ['courier'] } },
          previous: { priority: 'normal', tags: [] },
          trail: [],
        } as TicketEvent['data'],
      },
      {
        ...base,
        seq: 4,
        type: 'ticket.reassigned',
        data: {
          input: { type: 'reassign', teamId: SENIOR, assigneeId: AGENT, reason: 'Knows the customer' },
          trail: [],
        },
      },
    ];
    // When rendered with the teams and people
    const { container } = render(
      <Timeline
        events={events}
        document={DOCUMENT}
        now={NOW}
        teams={TEAMS}
        people={[{ id: AGENT, name: 'Sam Support' }]}
      />,
    );
    // Then
    const items = [...itemsOf(container).values()];
    expect(items.map((i) => i.split(' | ')[0])).toEqual([
      'Ticket reassigned',
      'Ticket edited',
      'Internal note',
    ]);
    const text = container.textContent ?? '';
    expect(text).toContain('Courier lost it.');
    expect(text).toContain('Priority: “normal”  “urgent”');
    expect(text).toContain('Tags: (none)  courier');
    expect(text).toContain('To Sam Support (Senior) — “Knows the customer”');
    expect(text).not.toMatch(UUID);
    // And no move is drawn for them: the ticket stayed where it was
    expect(container.querySelectorAll('.timeline-move')).toHaveLength(0);
  });
});

import { type FlowDocument, TEMPLATES } from '@stepwise/flow';
import { describe, expect, it } from 'vitest';
import type { TicketDetail, TicketEvent, TicketMessage } from '../../trpc.ts';
import { describeUpdate, entrySeq, type Ownership } from './liveNotice.ts';

const template = TEMPLATES.find((t) => t.id === 'refund-request');
if (!template) throw new Error('the refund template is missing');
const document: FlowDocument = template.document;

const event = (seq: number, type: string, extra: Partial<TicketEvent> = {}): TicketEvent => ({
  seq,
  type,
  actorName: null,
  fromNode: null,
  toNode: null,
  data: { input: null, trail: [] },
  createdAt: '2025-03-01T12:00:00.000Z',
  ...extra,
});

const message = (
  id: string,
  authorKind: TicketMessage['authorKind'],
  authorName: string | null,
): TicketMessage => ({
  id,
  authorKind,
  authorName,
  body: 'Hello',
  createdAt: '2025-03-01T12:00:00.000Z',
});

function detail(
  seq: number,
  events: TicketEvent[],
  messages: TicketMessage[] = [],
  assignee: [string, string] | null = null,
): TicketDetail {
  return {
    ticket: {
      id: 't1',
      number: 7,
      seq,
      subject: 'Refund',
      description: '',
      channel: 'email',
      priority: 'normal',
      category: 'refund',
      status: 'at_step',
      endStatus: null,
      nodeId: events.at(-1)?.toNode ?? 'verify',
      customer: { name: 'Priya Raman', email: 'priya@example.com', tier: 'existing' },
      tags: [],
      fields: {},
      teamId: null,
      teamName: null,
      assigneeId: assignee?.[0] ?? null,
      assigneeName: assignee?.[1] ?? null,
      breached: false,
      slaBreachedAt: null,
      slaDueAt: null,
      createdAt: '2025-03-01T12:00:00.000Z',
      updatedAt: '2025-03-01T12:00:00.000Z',
      external: null,
    },
    flow: { id: 'f1', name: 'Refund request' },
    version: { id: 'v1', number: 1, document },
    currentStep: null,
    nextByOutcome: {},
    events,
    messages,
    path: [],
    conversation: messages,
    csat: null,
    parent: null,
    children: [],
    feedbackLink: null,
  };
}

/** Alex is looking; nothing of theirs yet. */
const ALEX: Ownership = { selfName: 'Alex Agent', ownUpTo: -1, ownMessages: new Set() };

const created = event(1, 'ticket.created', { toNode: 'verify' });

describe('describeUpdate', () => {
  it('given another agent completed the step, when the page refreshes, then the notice names them and the step', () => {
    const before = detail(1, [created]);
    const after = detail(2, [
      created,
      event(2, 'step.completed', { actorName: 'Sam Support', fromNode: 'verify', toNode: 'end' }),
    ]);
    expect(describeUpdate(before, after, ALEX)).toBe('Updated — Sam Support completed Verify eligibility');
  });

  it('given the agent completed it themself, when the page refreshes, then there is no news', () => {
    const before = detail(1, [created]);
    const after = detail(2, [
      created,
      event(2, 'step.completed', { actorName: 'Alex Agent', fromNode: 'verify', toNode: 'end' }),
    ]);
    expect(describeUpdate(before, after, ALEX)).toBeNull();
  });

  it('given another agent added a note or edited the ticket, when the page refreshes, then the notice says so and who', () => {
    const before = detail(1, [created]);
    const note = event(2, 'note.added', { actorName: 'Sam Support', fromNode: 'verify', toNode: 'verify' });
    expect(describeUpdate(before, detail(2, [created, note]), ALEX)).toBe(
      'Updated — Sam Support added an internal note',
    );
    const edit = event(2, 'ticket.edited', {
      actorName: 'Sam Support',
      fromNode: 'verify',
      toNode: 'verify',
    });
    expect(describeUpdate(before, detail(2, [created, edit]), ALEX)).toBe(
      'Updated — Sam Support edited the ticket',
    );
  });

  it('given the SLA timer escalated the ticket, when the page refreshes, then the breach is named', () => {
    const before = detail(1, [created]);
    const breach = event(2, 'timer.fired', {
      fromNode: 'verify',
      toNode: 'verify',
      data: {
        input: { type: 'timer', kind: 'sla' },
        trail: [{ type: 'sla_breached', nodeId: 'verify', escalatedBy: 'priority' }],
      },
    });
    const after = detail(2, [created, breach]);
    expect(describeUpdate(before, after, ALEX)).toBe('Updated — the SLA of Verify eligibility was breached');
  });

  it('given a new customer message without a move, when the page refreshes, then the message is announced', () => {
    const before = detail(1, [created], [message('m1', 'agent', 'Alex Agent')]);
    const after = detail(
      1,
      [created],
      [message('m1', 'agent', 'Alex Agent'), message('m2', 'customer', 'Priya Raman')],
    );
    expect(describeUpdate(before, after, ALEX)).toBe('Updated — new message from Priya Raman');
  });

  it('given only an automatic message or the agent’s own reply, when the page refreshes, then there is no news', () => {
    const before = detail(1, [created]);
    const after = detail(1, [created], [message('m1', 'system', null), message('m2', 'agent', 'Alex Agent')]);
    expect(describeUpdate(before, after, ALEX)).toBeNull();
  });

  it('given someone else took the ticket, when the page refreshes, then the new assignee is named', () => {
    const before = detail(1, [created]);
    const after = detail(
      2,
      [
        created,
        event(2, 'ticket.assigned', { actorName: 'Sam Support', fromNode: 'verify', toNode: 'verify' }),
      ],
      [],
      ['u2', 'Sam Support'],
    );
    expect(describeUpdate(before, after, ALEX)).toBe('Updated — assigned to Sam Support');
  });

  it('given a customer reply the agent logged from a call, when the page refreshes, then it is not news to them', () => {
    const before = detail(1, [created]);
    const after = detail(
      2,
      [
        created,
        event(2, 'customer.replied', { actorName: 'Alex Agent', fromNode: 'follow_up', toNode: 'end' }),
      ],
      [message('m9', 'customer', 'Priya Raman')],
    );
    const own: Ownership = { ...ALEX, ownUpTo: 2, ownMessages: new Set(['m9']) };
    expect(describeUpdate(before, after, own)).toBeNull();
  });

  it('given another agent moved the ticket after the agent’s own change, when the page refreshes, then only that is news', () => {
    const before = detail(1, [created]);
    const after = detail(3, [
      created,
      event(2, 'ticket.assigned', { actorName: 'Alex Agent', fromNode: 'verify', toNode: 'verify' }),
      event(3, 'step.completed', { actorName: 'Sam Support', fromNode: 'verify', toNode: 'end' }),
    ]);
    expect(describeUpdate(before, after, { ...ALEX, ownUpTo: 2 })).toBe(
      'Updated — Sam Support completed Verify eligibility',
    );
    expect(describeUpdate(before, after, { ...ALEX, ownUpTo: 3, selfName: null })).toBeNull();
  });

  it('given two readings of different tickets, when compared, then nothing is said', () => {
    const other = detail(5, [created]);
    expect(
      describeUpdate(detail(1, [created]), { ...other, ticket: { ...other.ticket, id: 't2' } }),
    ).toBeNull();
  });
});

describe('entrySeq', () => {
  it('given an assignment after the ticket reached its step, when asked, then the entry is still the move that got it there', () => {
    const d = detail(3, [
      created,
      event(2, 'step.completed', { fromNode: 'triage', toNode: 'verify' }),
      event(3, 'ticket.assigned', { fromNode: 'verify', toNode: 'verify' }),
    ]);
    expect(entrySeq(d)).toBe(2);
  });

  it('given an SLA escalation that stayed on the step and then an outcome that loops back to it, when asked, then only the loop is a new entry', () => {
    const escalated = detail(3, [
      created,
      event(2, 'step.completed', { fromNode: 'triage', toNode: 'verify' }),
      event(3, 'timer.fired', { fromNode: 'verify', toNode: 'verify' }),
    ]);
    expect(entrySeq(escalated)).toBe(2);
    const looped = detail(4, [
      ...escalated.events,
      event(4, 'step.completed', { fromNode: 'verify', toNode: 'verify' }),
    ]);
    expect(entrySeq(looped)).toBe(4);
  });
});

import { TEMPLATES } from '@stepwise/flow';
import { describe, expect, it } from 'vitest';
import type { TicketDetail } from '../../trpc.ts';
import { type StepCompletion, type TicketCore, withCompletion, withCore } from './ticketCore.ts';

const template = TEMPLATES[0];
if (!template) throw new Error('no template');
const document = template.document;

function core(id: string, seq: number): TicketCore {
  return {
    ticket: {
      id,
      number: 3,
      seq,
      subject: 'Refund',
      description: '',
      channel: 'email',
      priority: 'normal',
      category: 'refund',
      status: 'at_step',
      endStatus: null,
      nodeId: 'verify',
      customer: { name: 'Priya Raman', email: 'priya@example.com', tier: 'existing' },
      tags: [],
      fields: {},
      teamId: null,
      teamName: null,
      assigneeId: null,
      assigneeName: null,
      breached: false,
      slaBreachedAt: null,
      slaDueAt: null,
      createdAt: '2025-03-01T12:00:00.000Z',
      updatedAt: '2025-03-01T12:00:00.000Z',
      external: null,
    },
    flow: null,
    version: { id: 'v1', number: 1, document },
    currentStep: null,
    nextByOutcome: {},
    events: [],
    messages: [
      { id: 'm1', authorKind: 'system', authorName: null, body: 'Hi', createdAt: '2025-03-01T12:00:00.000Z' },
    ],
    path: [],
  };
}

const page = (id: string, seq: number): TicketDetail => ({
  ...core(id, seq),
  messages: [],
  conversation: [],
  csat: { score: 5, comment: null },
  parent: null,
  children: [],
  feedbackLink: null,
});

describe('withCore', () => {
  it('given the page and a move of the same ticket, when merged, then the moved ticket shows and the page-only parts stay', () => {
    const merged = withCore(page('t1', 1), core('t1', 2));
    expect(merged?.ticket.seq).toBe(2);
    expect(merged?.csat).toEqual({ score: 5, comment: null });
    expect(merged?.conversation).toEqual(merged?.messages);
    expect(merged?.messages).toHaveLength(1);
  });

  it('given no page yet or another ticket’s answer, when merged, then the page is left as it is', () => {
    expect(withCore(undefined, core('t1', 2))).toBeUndefined();
    const other = page('t2', 1);
    expect(withCore(other, core('t1', 2))).toBe(other);
  });
});

const event = (seq: number, toNode: string): TicketDetail['events'][number] => ({
  seq,
  type: 'step.completed',
  actorName: 'Alex Agent',
  fromNode: 'triage',
  toNode,
  data: { input: null, trail: [{ type: 'node_entered', nodeId: toNode, nodeType: 'step' }] },
  createdAt: '2025-03-01T12:05:00.000Z',
});

function completion(id: string, seq: number): StepCompletion {
  const { ticket } = core(id, seq);
  return {
    ticket,
    currentStep: null,
    nextByOutcome: {},
    events: [event(seq, 'verify')],
    messages: [
      {
        id: 'm2',
        authorKind: 'system',
        authorName: null,
        body: 'Moved',
        createdAt: '2025-03-01T12:05:00.000Z',
      },
    ],
    path: ['verify'],
  };
}

describe('withCompletion', () => {
  it('given the page at seq 1, when a completion at seq 2 is merged, then its event, messages and path follow the page’s', () => {
    // given
    const before: TicketDetail = {
      ...page('t1', 1),
      events: [event(1, 'triage')],
      messages: [
        {
          id: 'm1',
          authorKind: 'customer',
          authorName: 'Priya',
          body: 'Hi',
          createdAt: '2025-03-01T12:00:00.000Z',
        },
      ],
      path: ['triage'],
    };
    // when
    const merged = withCompletion(before, completion('t1', 2));
    // then
    expect(merged?.ticket.seq).toBe(2);
    expect(merged?.events.map((e) => e.seq)).toEqual([1, 2]);
    expect(merged?.messages.map((m) => m.id)).toEqual(['m1', 'm2']);
    expect(merged?.conversation).toEqual(merged?.messages);
    expect(merged?.path).toEqual(['triage', 'verify']);
    expect(merged?.version).toBe(before.version);
    expect(merged?.csat).toEqual({ score: 5, comment: null });
  });

  it('given a page that already shows the move, or another ticket, when merged, then the page is left as it is', () => {
    const fresh = page('t1', 2);
    expect(withCompletion(fresh, completion('t1', 2))).toBe(fresh);
    const other = page('t2', 1);
    expect(withCompletion(other, completion('t1', 2))).toBe(other);
    expect(withCompletion(undefined, completion('t1', 2))).toBeUndefined();
  });
});

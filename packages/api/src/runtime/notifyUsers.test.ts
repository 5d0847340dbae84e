import type { TrailEntry } from '@stepwise/flow';
import { describe, expect, it } from 'vitest';
import { notificationsOfMove } from './notifyUsers.ts';

const breach: TrailEntry = { type: 'sla_breached', nodeId: 'work', escalatedBy: 'priority' };

describe('notificationsOfMove', () => {
  it('given a ticket handed to an agent by someone else or by the flow, when moved, then the agent is told', () => {
    expect(
      notificationsOfMove({ assigneeBefore: null, assigneeAfter: 'u1', trail: [], actorId: 'manager' }),
    ).toEqual([{ type: 'notify_user', kind: 'assigned', userId: 'u1' }]);
    expect(
      notificationsOfMove({ assigneeBefore: 'u2', assigneeAfter: 'u1', trail: [], actorId: null }),
    ).toEqual([{ type: 'notify_user', kind: 'assigned', userId: 'u1' }]);
  });

  it('given an agent taking a ticket, a release or no change, when moved, then nobody is told', () => {
    expect(
      notificationsOfMove({ assigneeBefore: null, assigneeAfter: 'u1', trail: [], actorId: 'u1' }),
    ).toEqual([]);
    expect(
      notificationsOfMove({ assigneeBefore: 'u1', assigneeAfter: null, trail: [], actorId: 'u2' }),
    ).toEqual([]);
    expect(
      notificationsOfMove({ assigneeBefore: 'u1', assigneeAfter: 'u1', trail: [], actorId: null }),
    ).toEqual([]);
  });

  it('given a breach, when the ticket had an assignee, then they are told; an escalation that hands it on also tells the next one', () => {
    expect(
      notificationsOfMove({ assigneeBefore: 'u1', assigneeAfter: 'u1', trail: [breach], actorId: null }),
    ).toEqual([{ type: 'notify_user', kind: 'breached', userId: 'u1' }]);
    expect(
      notificationsOfMove({ assigneeBefore: 'u1', assigneeAfter: 'u2', trail: [breach], actorId: null }),
    ).toEqual([
      { type: 'notify_user', kind: 'assigned', userId: 'u2' },
      { type: 'notify_user', kind: 'breached', userId: 'u1' },
    ]);
    expect(
      notificationsOfMove({ assigneeBefore: null, assigneeAfter: null, trail: [breach], actorId: null }),
    ).toEqual([]);
  });
});

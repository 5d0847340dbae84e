import { type FlowDocument, initialState, TEMPLATES, transition, validate } from '@stepwise/flow';
import { describe, expect, it } from 'vitest';
import { addWorkingMinutes, nextWeekdayRun } from './demoHistory.ts';
import { FAST_TRACK_NODES, refundFastTrack } from './refundFastTrack.ts';

const v1 = TEMPLATES.find((t) => t.id === 'refund-request')?.document as FlowDocument;
const agentHours = (d: number) => (d === 0 || d === 6 ? ([9, 17] as const) : ([7, 21] as const));

/** Where a refund of `amount`, found eligible at verification, goes next on `document`. */
function afterVerify(document: FlowDocument, amount: number): string | null {
  const ticket = {
    channel: 'email' as const,
    priority: 'normal' as const,
    category: 'refund',
    subject: 'Refund',
    customer: { name: 'Ines', email: 'ines@example.com', tier: 'existing' as const },
    tags: [],
    fields: {},
  };
  const started = transition(document, initialState(ticket), { type: 'start' }, { now: 0 });
  if (!started.ok) throw new Error(started.error.message);
  const verified = transition(
    document,
    started.state,
    {
      type: 'complete_step',
      nodeId: 'verify',
      outcomeId: 'eligible',
      form: { order_number: 'A-1', amount, arrived_damaged: false },
      checklist: ['order_found', 'within_window', 'no_prior_refund'],
      actorId: 'agent',
    },
    { now: 60_000 },
  );
  if (!verified.ok) throw new Error(verified.error.message);
  return verified.state.nodeId;
}

describe('the demo history', () => {
  it('given the refund template, when v2 is made from it, then it is valid and only refunds under 50 take the fast track', () => {
    // when
    const v2 = refundFastTrack(v1);
    // then
    expect(validate(v2).filter((i) => i.severity === 'error')).toEqual([]);
    expect(afterVerify(v2, 30)).toBe(FAST_TRACK_NODES.step);
    expect(afterVerify(v2, 80)).toBe('issue_refund');
    expect(afterVerify(v2, 180)).toBe('manager_approval');
    expect(afterVerify(v1, 30)).toBe('issue_refund');
  });

  it('given working hours, when work is added, then nights and weekends are skipped', () => {
    // given: Friday 20:30 UTC
    const friday = Date.parse('2030-05-03T20:30:00.000Z');
    // when / then
    expect(new Date(addWorkingMinutes(friday, 20, agentHours)).toISOString()).toBe(
      '2030-05-03T20:50:00.000Z',
    );
    expect(new Date(addWorkingMinutes(friday, 60, agentHours)).toISOString()).toBe(
      '2030-05-04T09:30:00.000Z',
    );
    expect(new Date(addWorkingMinutes(friday, 9 * 60, agentHours)).toISOString()).toBe(
      '2030-05-05T09:30:00.000Z',
    );
  });

  it('given the payment run at 16:00 on weekdays, when a refund is ready, then it goes out in the next run', () => {
    // when / then
    expect(new Date(nextWeekdayRun(Date.parse('2030-05-02T10:00:00.000Z'), 16)).toISOString()).toBe(
      '2030-05-02T16:00:00.000Z',
    );
    expect(new Date(nextWeekdayRun(Date.parse('2030-05-03T16:30:00.000Z'), 16)).toISOString()).toBe(
      '2030-05-06T16:00:00.000Z',
    );
  });
});

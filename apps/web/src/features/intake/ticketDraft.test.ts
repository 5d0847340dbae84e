import { describe, expect, it } from 'vitest';
import { TicketIntake } from '@stepwise/flow';
import {
  draftProblems,
  EMPTY_DRAFT,
  fieldValue,
  serverProblems,
  type TicketDraft,
  toPayload,
} from './ticketDraft.ts';

const valid: TicketDraft = {
  ...EMPTY_DRAFT,
  customerName: ' Priya Raman ',
  customerEmail: 'priya@example.com',
  subject: ' Charged twice ',
  description: 'Two charges on my card.',
  category: ' refund ',
  tags: 'billing, card, billing',
  fields: [
    { id: 1, key: 'order_id', value: 'A-1001' },
    { id: 2, key: 'amount', value: '49.90' },
    { id: 3, key: '', value: '' },
  ],
};

describe('draftProblems', () => {
  it('given a complete draft, when checked, then there is no problem', () => {
    expect(draftProblems(valid)).toEqual({});
  });

  it('given an empty draft, when checked, then the required fields are named by their API paths', () => {
    expect(draftProblems(EMPTY_DRAFT)).toEqual({
      'customer.name': 'Enter the customer’s name.',
      'customer.email': 'Enter the customer’s email address.',
      subject: 'The subject is required.',
    });
  });

  it('given a malformed email and an over-long subject, when checked, then each is reported', () => {
    const problems = draftProblems({ ...valid, customerEmail: 'priya@', subject: 'x'.repeat(501) });
    expect(problems['customer.email']).toBe('Enter a valid customer email address.');
    expect(problems.subject).toBe('The subject is at most 500 characters.');
  });

  it('given drafts the API would refuse, when checked, then the form says what the API says, on the same control', () => {
    // The schema `tickets.create` is built on (the server's own test checks it extends it unchanged).
    const cases: Array<[Partial<TicketDraft>, string]> = [
      [{ customerEmail: 'not-an-address' }, 'customer.email'],
      [{ subject: 'a\u0000b' }, 'subject'],
      [{ description: 'x'.repeat(10_001) }, 'description'],
      [{ customerName: 'n'.repeat(201) }, 'customer.name'],
      [{ category: 'c'.repeat(201) }, 'category'],
      [{ tags: 't'.repeat(101) }, 'tags'],
      [{ fields: [{ id: 7, key: 'order', value: 'v'.repeat(10_001) }] }, 'fields.7.value'],
    ];
    for (const [change, at] of cases) {
      const draft = { ...valid, ...change };
      const { flowId: _flow, ...payload } = toPayload(draft);
      const server = TicketIntake.safeParse(payload);
      expect(server.success, at).toBe(false);
      const mine = draftProblems(draft);
      expect(Object.keys(mine), at).toEqual([at]);
      const theirs = server.error!.issues[0]!.message;
      expect(mine[at]!.toLowerCase().replace(/\.$/, ''), at).toBe(theirs.toLowerCase().replace(/\.$/, ''));
    }
    expect(TicketIntake.safeParse(toPayload(valid)).success).toBe(true);
  });

  it('given custom fields with a bad key, a duplicate and a value without key, when checked, then each row says why', () => {
    const problems = draftProblems({
      ...valid,
      fields: [
        { id: 1, key: '1st', value: 'x' },
        { id: 2, key: 'order', value: 'x' },
        { id: 3, key: 'order', value: 'y' },
        { id: 4, key: '', value: 'orphan' },
        { id: 5, key: '__proto__', value: 'x' },
        { id: 6, key: 'constructor', value: 'x' },
      ],
    });
    expect(problems['fields.1.key']).toMatch(/letters, digits/);
    expect(problems['fields.2.key']).toBeUndefined();
    expect(problems['fields.3.key']).toBe('This key is already used above.');
    expect(problems['fields.4.key']).toBe('Enter a field key.');
    expect(problems['fields.5.key']).toMatch(/letters, digits/);
    expect(problems['fields.6.key']).toMatch(/reserved/);
  });

  it('given more than 200 custom fields, when checked, then the problem is the form’s, not one row’s', () => {
    const fields = Array.from({ length: 201 }, (_, i) => ({ id: i + 1, key: `f${i}`, value: 'x' }));
    expect(draftProblems({ ...valid, fields })).toEqual({ fields: 'At most 200 fields.' });
  });
});

describe('toPayload', () => {
  it('given a valid draft, when sent, then text is trimmed, tags are unique and fields typed', () => {
    expect(toPayload(valid)).toEqual({
      channel: 'email',
      subject: 'Charged twice',
      description: 'Two charges on my card.',
      customer: { name: 'Priya Raman', email: 'priya@example.com', tier: 'existing' },
      category: 'refund',
      priority: 'normal',
      tags: ['billing', 'card'],
      fields: { order_id: 'A-1001', amount: 49.9 },
    });
  });

  it('given a chosen flow, when sent, then the flow id goes with it; automatic routing sends none', () => {
    expect(toPayload({ ...valid, flowId: 'f1' }).flowId).toBe('f1');
    expect('flowId' in toPayload(valid)).toBe(false);
  });
});

describe('fieldValue', () => {
  it('given typed text, when converted, then numbers and yes/no keep their type and the rest stays text', () => {
    expect(fieldValue('42')).toBe(42);
    expect(fieldValue('-3.5')).toBe(-3.5);
    expect(fieldValue('true')).toBe(true);
    expect(fieldValue('false')).toBe(false);
    expect(fieldValue('A-1001')).toBe('A-1001');
    expect(fieldValue('007')).toBe('007');
    expect(fieldValue('0012345678901234567')).toBe('0012345678901234567');
  });
});

describe('serverProblems', () => {
  it('given the API refused a field value, when mapped, then the message lands on that row', () => {
    const mapped = serverProblems(valid, {
      'customer.email': 'Enter a valid customer email address.',
      'fields.amount': 'a field value is at most 10,000 characters',
      'something.else': 'Odd',
    });
    expect(mapped.byField).toEqual({
      'customer.email': 'Enter a valid customer email address.',
      'fields.2.value': 'a field value is at most 10,000 characters',
    });
    expect(mapped.general).toEqual(['Odd']);
  });
});

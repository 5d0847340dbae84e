import { describe, expect, it } from 'vitest';
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
      subject: 'Enter a subject.',
    });
  });

  it('given a malformed email and an over-long subject, when checked, then each is reported', () => {
    const problems = draftProblems({ ...valid, customerEmail: 'priya@', subject: 'x'.repeat(501) });
    expect(problems['customer.email']).toBe('Enter a valid email address.');
    expect(problems.subject).toBe('The subject is at most 500 characters.');
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
      ],
    });
    expect(problems['fields.1.key']).toMatch(/letters, digits/);
    expect(problems['fields.2.key']).toBeUndefined();
    expect(problems['fields.3.key']).toBe('This key is already used above.');
    expect(problems['fields.4.key']).toBe('Enter a field key.');
    expect(problems['fields.5.key']).toBeDefined();
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

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../services/canonicalJson.ts';
import { type CompleteStepInput, requestHash } from './completeStep.ts';

/** The request hash as it was first defined: SHA-256 of the canonical JSON of the request without its key. */
function reference(callerId: string | null, input: CompleteStepInput): string {
  const { idempotencyKey: _key, ...request } = input;
  return createHash('sha256')
    .update(canonicalJson({ op: 'tickets.complete', callerId, ...request }))
    .digest('hex');
}

describe('requestHash', () => {
  const base: CompleteStepInput = {
    ticketId: '6f1c3c1e-9a4b-4c1d-8e52-0a7d3f2b9c10',
    expectedSeq: 3,
    nodeId: 'verify',
    outcomeId: 'eligible',
    form: {},
    checklist: [],
    idempotencyKey: 'key-0001',
  };
  const cases: Array<[string, string | null, CompleteStepInput]> = [
    ['an empty form and checklist', 'u1', base],
    ['no caller (a bot token’s id is passed instead, or none)', null, base],
    [
      'a form with keys out of order, odd characters and every value type',
      'u1',
      {
        ...base,
        form: { zeta: 'Ünïcødé "quoted" \\ back', alpha: 42.5, mid: true, none: null, emoji: '🙂\n' },
        checklist: ['b', 'a', 'c'],
      },
    ],
    ['a reply made with the move', 'u2', { ...base, reply: 'Refunded — thanks!' }],
    ['a reply that is present but empty', 'u2', { ...base, reply: '' }],
  ];

  it.each(cases)(
    'given %s, when hashed, then it equals the canonical JSON hash keys were stored with',
    (_, caller, input) => {
      expect(requestHash(caller, input)).toBe(reference(caller, input));
    },
  );

  it('given the same request with another idempotency key or its form keys in another order, when hashed, then the hash is the same; any other change gives another', () => {
    const form = { a: 1, b: 'x' };
    const first = requestHash('u1', { ...base, form });
    expect(requestHash('u1', { ...base, form: { b: 'x', a: 1 }, idempotencyKey: 'key-0002' })).toBe(first);
    expect(requestHash('u1', { ...base, form, outcomeId: 'not_eligible' })).not.toBe(first);
    expect(requestHash('u1', { ...base, form, checklist: ['x'] })).not.toBe(first);
    expect(requestHash('u9', { ...base, form })).not.toBe(first);
  });
});

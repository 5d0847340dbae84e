import { describe, expect, it } from 'vitest';
import { fingerprint, formPayload } from './formValues.ts';
import { IdempotencyKeys, newIdempotencyKey } from './idempotency.ts';
import { fieldErrorsOf } from './completeErrors.ts';

function counter() {
  let n = 0;
  return () => `key-${++n}`;
}

const base = {
  ticketId: 't1',
  expectedSeq: 3,
  nodeId: 'verify',
  outcomeId: 'ok',
  form: { amount: 12 },
  checklist: ['a'],
};

describe('IdempotencyKeys', () => {
  it('given a submission that got no answer, when the same submission is retried, then the same key is sent', () => {
    const keys = new IdempotencyKeys(counter());
    const first = keys.keyFor(fingerprint(base));
    expect(keys.keyFor(fingerprint({ ...base, checklist: ['a'] }))).toBe(first);
  });

  it('given an answered submission, when the user submits again, then a new key is used', () => {
    const keys = new IdempotencyKeys(counter());
    const first = keys.keyFor(fingerprint(base));
    keys.answered();
    expect(keys.keyFor(fingerprint(base))).not.toBe(first);
  });

  it('given a pending key, when a different submission is made, then it gets its own key', () => {
    const keys = new IdempotencyKeys(counter());
    const first = keys.keyFor(fingerprint(base));
    expect(keys.keyFor(fingerprint({ ...base, outcomeId: 'not_ok' }))).not.toBe(first);
  });

  it('given the default generator, when keys are made, then they are distinct UUIDs', () => {
    const a = newIdempotencyKey();
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(newIdempotencyKey()).not.toBe(a);
  });
});

describe('formPayload', () => {
  it('given typed inputs, when turned into a payload, then numbers are numbers and empty fields are left out', () => {
    const fields = [
      { key: 'amount', label: 'Amount', type: 'number', required: true },
      { key: 'reason', label: 'Reason', type: 'text', required: false },
      { key: 'when', label: 'When', type: 'date', required: false },
    ] as const;
    expect(formPayload(fields, { amount: ' 42.5 ', reason: '', when: '2025-03-01' })).toEqual({
      amount: 42.5,
      when: '2025-03-01',
    });
  });

  it('given yes/no fields, when turned into a payload, then answers are booleans and an unanswered one is left out', () => {
    const fields = [
      { key: 'damaged', label: 'Damaged', type: 'boolean', required: true },
      { key: 'gift', label: 'Gift', type: 'boolean', required: false },
      { key: 'boxed', label: 'Boxed', type: 'boolean', required: false },
    ] as const;
    expect(formPayload(fields, { damaged: 'no', gift: 'yes', boxed: '' })).toEqual({
      damaged: false,
      gift: true,
    });
  });

  it('given a number field holding text, when turned into a payload, then the text is sent for the server to refuse', () => {
    expect(formPayload([{ key: 'n', label: 'N', type: 'number', required: true }], { n: 'abc' })).toEqual({
      n: 'abc',
    });
  });
});

describe('fieldErrorsOf', () => {
  it('given the runtime refusal shape, when read, then each field key maps to its message', () => {
    expect(
      fieldErrorsOf({
        code: 'FORM_INVALID',
        issues: { amount: 'Enter a number.', order_number: 'Required.' },
      }),
    ).toEqual({
      amount: 'Enter a number.',
      order_number: 'Required.',
    });
  });

  it('given a flat record or junk, when read, then strings are kept and anything else is ignored', () => {
    expect(fieldErrorsOf({ reason: 'Too long.', n: 3 })).toEqual({ reason: 'Too long.' });
    expect(fieldErrorsOf(null)).toEqual({});
    expect(fieldErrorsOf(['x'])).toEqual({});
  });
});

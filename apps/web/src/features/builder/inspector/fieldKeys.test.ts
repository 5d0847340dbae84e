import type { FormField } from '@stepwise/flow';
import { describe, expect, it } from 'vitest';
import { fieldKeyFor, keyFollowsLabel, withLabelKey } from './fieldKeys.ts';

const field = (key: string, label: string): FormField => ({ key, label, type: 'text', required: false });

describe('form field keys from labels', () => {
  it('given a label, when a key is made, then it is its slug, starting with a letter, unique in the form', () => {
    expect(fieldKeyFor('Refund amount (€)', [])).toBe('refund_amount');
    expect(fieldKeyFor('Éligible ?', [])).toBe('eligible');
    expect(fieldKeyFor('2nd contact', [])).toBe('field_2nd_contact');
    expect(fieldKeyFor('Amount', [field('amount', 'Amount')])).toBe('amount_2');
  });

  it('given a field whose key follows its label, when relabelled, then the key follows', () => {
    const fields = [field('field_1', 'Field 1'), field('order', 'Order')];
    const first = fields[0] as FormField;
    expect(keyFollowsLabel(first, fields)).toBe(true);
    expect(withLabelKey(first, 'Order', fields)).toMatchObject({ label: 'Order', key: 'order_2' });
    expect(withLabelKey(first, 'Refund amount', fields)).toMatchObject({ key: 'refund_amount' });
  });

  it('given a key edited by hand, when relabelled, then the key stays', () => {
    const custom = field('amt', 'Refund amount');
    expect(keyFollowsLabel(custom, [custom])).toBe(false);
    expect(withLabelKey(custom, 'Amount refunded', [custom])).toEqual({
      ...custom,
      label: 'Amount refunded',
    });
  });
});

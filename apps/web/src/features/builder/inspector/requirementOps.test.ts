import type { ChecklistItem, FormField, StepNode } from '@stepwise/flow';
import { describe, expect, it } from 'vitest';
import { requirementMode, withoutOutcome, withRequiredFor, withRequirementMode } from './requirementOps.ts';

const outcomes = [
  { id: 'eligible', label: 'Eligible' },
  { id: 'not_eligible', label: 'Not eligible' },
  { id: 'later', label: 'Ask later' },
];
const item: ChecklistItem = { id: 'window', label: 'Within return window', required: true };

describe('requirement modes', () => {
  it('given each shape, when read, then the mode is optional, all or some', () => {
    expect(requirementMode({ required: false })).toBe('optional');
    expect(requirementMode({ required: true })).toBe('all');
    expect(requirementMode({ required: true, requiredFor: ['eligible'] })).toBe('some');
  });

  it('given an item required for all, when switched to "only for", then it starts with the first outcome', () => {
    expect(withRequirementMode(item, 'some', outcomes)).toEqual({ ...item, requiredFor: ['eligible'] });
  });

  it('given an item required for some, when switched to all or optional, then the list is dropped', () => {
    const some = { ...item, requiredFor: ['not_eligible'] };
    expect(withRequirementMode(some, 'all', outcomes)).toEqual(item);
    expect(withRequirementMode(some, 'optional', outcomes)).toEqual({ ...item, required: false });
    // and back to "some" later keeps nothing stale: the list starts again from the first outcome
    expect(withRequirementMode(some, 'some', outcomes)).toEqual(some);
  });
});

describe('withRequiredFor', () => {
  it('given an outcome ticked, when added, then the list follows the step outcome order', () => {
    const some = { ...item, requiredFor: ['later'] };
    expect(withRequiredFor(some, 'eligible', true, outcomes).requiredFor).toEqual(['eligible', 'later']);
  });

  it('given the last outcome unticked, when removed, then the item becomes optional', () => {
    const some = { ...item, requiredFor: ['eligible'] };
    expect(withRequiredFor(some, 'eligible', false, outcomes)).toEqual({ ...item, required: false });
  });
});

describe('withoutOutcome', () => {
  const field: FormField = {
    key: 'amount',
    label: 'Amount',
    type: 'number',
    required: true,
    requiredFor: ['eligible', 'later'],
  };
  const data: StepNode['data'] = {
    title: 'Verify',
    instructions: '',
    teamId: 'team-1',
    slaMinutes: 60,
    outcomes,
    checklist: [
      { ...item, requiredFor: ['eligible'] },
      { id: 'found', label: 'Order found', required: true },
    ],
    form: [field],
  };

  it('given items required only for a removed outcome, when it is removed, then they forget it', () => {
    const next = withoutOutcome(data, 'eligible');
    expect(next.outcomes.map((o) => o.id)).toEqual(['not_eligible', 'later']);
    // Required only for the removed outcome: now optional. Required for all: unchanged.
    expect(next.checklist).toEqual([
      { id: 'window', label: 'Within return window', required: false },
      { id: 'found', label: 'Order found', required: true },
    ]);
    expect(next.form).toEqual([{ ...field, requiredFor: ['later'] }]);
  });

  it('given no item names the outcome, when it is removed, then the items are the same objects', () => {
    const next = withoutOutcome(data, 'not_eligible');
    expect(next.checklist[0]).toBe(data.checklist[0]);
    expect(next.form[0]).toBe(data.form[0]);
  });
});

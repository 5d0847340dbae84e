import { describe, expect, it } from 'vitest';
import { gateHint, missingFor, outcomeGates, requirementLabel } from './requirements.ts';

const outcomes = [
  { id: 'refund', label: 'Refund' },
  { id: 'replace', label: 'Replace' },
  { id: 'not_eligible', label: 'Not eligible' },
];
const checklist = [
  { id: 'found', label: 'Order found', required: true },
  { id: 'window', label: 'Within return window', required: true, requiredFor: ['refund', 'replace'] },
  { id: 'photos', label: 'Photos received', required: false },
];

describe('requirementLabel', () => {
  it('given each kind of requirement, when labelled, then it says for which outcomes', () => {
    expect(requirementLabel(checklist[0]!, outcomes)).toBe('Required');
    expect(requirementLabel(checklist[1]!, outcomes)).toBe('Required for Refund or Replace');
    expect(requirementLabel({ required: true, requiredFor: ['refund'] }, outcomes)).toBe(
      'Required for Refund',
    );
    expect(requirementLabel(checklist[2]!, outcomes)).toBeNull();
    // A list naming only outcomes the step no longer has requires nothing (the builder reports it).
    expect(requirementLabel({ required: true, requiredFor: ['gone'] }, outcomes)).toBeNull();
  });
});

describe('outcome gates', () => {
  it('given nothing ticked, when gated, then each outcome waits only for its own items', () => {
    const gates = outcomeGates(checklist, outcomes, new Set());
    expect(gates.get('refund')?.map((i) => i.id)).toEqual(['found', 'window']);
    expect(gates.get('not_eligible')?.map((i) => i.id)).toEqual(['found']);
  });

  it('given the all-outcome item ticked, when gated, then "Not eligible" is free and "Refund" still waits', () => {
    const ticked = new Set(['found']);
    const gates = outcomeGates(checklist, outcomes, ticked);
    expect(gates.has('not_eligible')).toBe(false);
    expect(missingFor(checklist, 'refund', ticked).map((i) => i.id)).toEqual(['window']);
    expect(gateHint(outcomes[0]!, gates.get('refund')!)).toBe('Tick “Within return window” to pick Refund.');
  });

  it('given two items missing, when hinted, then they are joined with "and"', () => {
    const gates = outcomeGates(checklist, outcomes, new Set());
    expect(gateHint(outcomes[0]!, gates.get('refund')!)).toBe(
      'Tick “Order found” and “Within return window” to pick Refund.',
    );
  });
});

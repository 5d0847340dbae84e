import type { FlowNode } from '@stepwise/flow';
import { describe, expect, it } from 'vitest';
import { findNodes } from './FindNode.tsx';

const step = (id: string, title: string): FlowNode =>
  ({
    id,
    type: 'step',
    position: { x: 0, y: 0 },
    data: { title, instructions: '', checklist: [], form: [], teamId: null, slaMinutes: null, outcomes: [] },
  }) as FlowNode;

const nodes = [
  step('a', 'Verify eligibility'),
  step('b', 'Issue the refund'),
  step('c', 'Refund declined note'),
];

describe('findNodes', () => {
  it('given part of a name in any case, when searched, then names starting with it come first, then the rest in document order', () => {
    expect(findNodes(nodes, 'REFUND').map((n) => n.id)).toEqual(['c', 'b']);
    expect(findNodes(nodes, 'refund issue').map((n) => n.id)).toEqual(['b']);
  });

  it('given no match, when searched, then nothing; given an empty query, then the first nodes with their kind', () => {
    expect(findNodes(nodes, 'escalate')).toEqual([]);
    expect(findNodes(nodes, '  ')[0]).toEqual({ id: 'a', name: 'Verify eligibility', kind: 'Step' });
  });
});

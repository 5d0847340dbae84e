import { describe, expect, it } from 'vitest';
import { proposeMapping } from './proposeMapping.ts';
import type { FlowNode } from './schema.ts';
import { TEMPLATES } from './templates.ts';
import { actionNode, edge, endNode, flow, startNode, stepNode, subflowNode, waitNode } from './testFlows.ts';

const titled = (node: FlowNode, title: string): FlowNode =>
  node.type === 'step'
    ? { ...node, data: { ...node.data, title } }
    : ({ ...node, data: { ...node.data, label: title } } as FlowNode);

describe('proposeMapping', () => {
  it('maps every waiting node of a version onto itself in an unchanged copy, by id', () => {
    // Given a template and a copy of it, when a mapping is proposed
    const doc = TEMPLATES.find((t) => t.id === 'refund-request')!.document;
    const { mapping, reasons } = proposeMapping(doc, structuredClone(doc));
    // Then each step, wait and subflow maps to itself (and nothing else is listed)
    const waiting = doc.nodes.filter((n) => ['step', 'wait', 'subflow'].includes(n.type)).map((n) => n.id);
    expect(Object.keys(mapping).sort()).toEqual(waiting.sort());
    for (const id of waiting) {
      expect(mapping[id]).toBe(id);
      expect(reasons[id]).toBe('same-id');
    }
  });

  it('prefers the same id over a same-titled node', () => {
    const from = flow([startNode(), titled(stepNode('a'), 'Check'), endNode()], []);
    const to = flow(
      [startNode(), titled(stepNode('a'), 'Renamed'), titled(stepNode('b'), 'Check'), endNode()],
      [],
    );
    expect(proposeMapping(from, to)).toEqual({ mapping: { a: 'a' }, reasons: { a: 'same-id' } });
  });

  it('falls back to the one node of the same type with the same title (case and spacing ignored)', () => {
    // Given a step deleted and drawn again under a new id, and a wait re-created likewise
    const from = flow(
      [startNode(), titled(stepNode('old'), 'Verify  eligibility'), waitNode('w1', 'reply', 60)],
      [],
    );
    const to = flow(
      [
        startNode(),
        titled(stepNode('new'), ' verify eligibility'),
        titled(waitNode('w2', 'reply', 60), 'Wait w1'),
      ],
      [],
    );
    // Then both are found by title
    expect(proposeMapping(from, to)).toEqual({
      mapping: { old: 'new', w1: 'w2' },
      reasons: { old: 'same-title', w1: 'same-title' },
    });
  });

  it('does not guess between two same-titled nodes, nor across types', () => {
    const from = flow([startNode(), titled(stepNode('x'), 'Call back'), subflowNode('s', 'f1')], []);
    const to = flow(
      [
        startNode(),
        titled(stepNode('y1'), 'Call back'),
        titled(stepNode('y2'), 'Call back'),
        // Same id as the subflow, but an action: incompatible; same label, but a step: another type.
        { id: 's', type: 'action', position: { x: 0, y: 0 }, data: { label: 'Subflow s', ops: [] } },
        titled(stepNode('z'), 'Subflow s'),
      ],
      [],
    );
    expect(proposeMapping(from, to)).toEqual({
      mapping: { x: null, s: null },
      reasons: { x: 'none', s: 'none' },
    });
  });

  it('ignores nodes no ticket waits at', () => {
    const from = flow([startNode(), actionNode('act'), endNode('done')], [edge('e', 'start', 'next', 'act')]);
    expect(proposeMapping(from, from)).toEqual({ mapping: {}, reasons: {} });
  });
});

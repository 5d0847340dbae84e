import { describe, expect, it } from 'vitest';
import { describeNode, describeOutput, hasOutput, outputCount, outputIndex } from './describeNode.ts';
import { outputsOf } from './schema.ts';
import {
  actionNode,
  decisionNode,
  endNode,
  startNode,
  stepNode,
  subflowNode,
  waitNode,
  all,
  branch,
} from './testFlows.ts';

const nodes = [
  startNode(),
  stepNode('s', {
    outcomes: [
      { id: 'a', label: 'Approve' },
      { id: 'b', label: 'Reject' },
    ],
  }),
  decisionNode('d', [branch('x', all()), branch('y', all())]),
  actionNode('act'),
  waitNode('w1', 'reply', 10),
  waitNode('w2', 'reply', null),
  waitNode('w3', 'duration', 10),
  subflowNode('sf', 'f'),
  endNode(),
];

describe('describeNode', () => {
  it('names nodes by type and title', () => {
    expect(describeNode(stepNode('s1', { title: 'Verify eligibility' }))).toBe('Step "Verify eligibility"');
    expect(describeNode(stepNode('s1', { title: '  ' }))).toBe('Step "s1"');
    expect(describeNode(endNode())).toBe('End "End end"');
  });

  it('names outputs by their labels', () => {
    const step = nodes[1]!;
    expect(describeOutput(step, 'outcome:a')).toBe('"Approve"');
    expect(describeOutput(nodes[2]!, 'default')).toBe('"Otherwise" (default)');
    expect(describeOutput(step, 'sla_breach')).toBe('"On SLA breach"');
  });

  it.each(nodes)('agrees with outputsOf for $id', (node) => {
    // Given a node, then the allocation-free helpers answer as outputsOf does
    const outputs = outputsOf(node);
    expect(outputCount(node)).toBe(outputs.length);
    for (const [i, handle] of outputs.entries()) expect(outputIndex(node, handle)).toBe(i);
    for (const other of [
      'next',
      'timeout',
      'default',
      'sla_breach',
      'outcome:zz',
      'branch:zz',
      'outcome:',
      'xoutcome:a',
    ]) {
      expect(hasOutput(node, other)).toBe(outputs.includes(other));
    }
  });
});

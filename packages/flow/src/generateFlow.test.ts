import { describe, expect, it } from 'vitest';
import { generateFlow } from './generateFlow.ts';
import { validate } from './validate.ts';

describe('generateFlow', () => {
  it('is deterministic: the same seed gives the same document', () => {
    expect(generateFlow(40, 123)).toEqual(generateFlow(40, 123));
  });

  it('varies with the seed', () => {
    expect(generateFlow(40, 1)).not.toEqual(generateFlow(40, 2));
  });

  it.each([2, 3, 5, 200, 500])('produces exactly %i nodes, valid without warnings', (count) => {
    // Given a node count, when generated, then the document has that many nodes and validates clean
    const doc = generateFlow(count, count);
    expect(doc.nodes).toHaveLength(count);
    expect(validate(doc)).toEqual([]);
  });

  it('uses every node type but start-only ones in a 200-node flow', () => {
    const types = new Set(generateFlow(200, 42).nodes.map((n) => n.type));
    expect([...types].sort()).toEqual(['action', 'decision', 'end', 'start', 'step', 'subflow', 'wait']);
  });
});

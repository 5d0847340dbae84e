import { generateFlow, outputsOf } from '@stepwise/flow';
import { describe, expect, it } from 'vitest';
import { moveElements } from './documentOps.ts';
import { CanvasModelCache, type CanvasModelInput, estimatedHandles } from './useCanvasModel.ts';

const NONE = new Set<string>();

function input(
  document: CanvasModelInput['document'],
  extra: Partial<CanvasModelInput> = {},
): CanvasModelInput {
  return {
    document,
    names: { teams: new Map(), flows: new Map(), fields: [] },
    selectedNodes: NONE,
    selectedEdges: NONE,
    measured: new Map(),
    byNode: new Map(),
    invalidEdges: NONE,
    path: [],
    ...extra,
  };
}

describe('CanvasModelCache', () => {
  it('given 500 nodes, when one is moved, then only that node is a new React Flow object', () => {
    const doc = generateFlow(500, 3);
    const base = input(doc);
    const cache = new CanvasModelCache();
    const first = cache.build(base);
    const moved = doc.nodes[10];
    if (!moved) throw new Error('no node');
    const next = cache.build({ ...base, document: moveElements(doc, new Map([[moved.id, { x: 1, y: 1 }]])) });
    const changed = next.nodes.filter((n, i) => n !== first.nodes[i]).map((n) => n.id);
    expect(changed).toEqual([moved.id]);
    expect(next.edges.every((e, i) => e === first.edges[i])).toBe(true);
  });

  it('given a selection and a test-run path, when built, then selected and marked nodes change and the rest stay', () => {
    const doc = generateFlow(20, 5);
    const [a, b, c] = doc.nodes;
    if (!a || !b || !c) throw new Error('no nodes');
    const base = input(doc);
    const cache = new CanvasModelCache();
    const first = cache.build(base);
    const next = cache.build({ ...base, selectedNodes: new Set([a.id]), path: [b.id, c.id] });
    const changed = next.nodes.filter((n, i) => n !== first.nodes[i]).map((n) => n.id);
    expect(changed.sort()).toEqual([a.id, b.id, c.id].sort());
    expect(next.nodes.find((n) => n.id === a.id)?.selected).toBe(true);
  });
});

describe('CanvasModelCache data identity', () => {
  it('given nodes measured or selected, when rebuilt, then their data objects stay the same (the views skip rendering)', () => {
    const doc = generateFlow(10, 2);
    const base = input(doc);
    const cache = new CanvasModelCache();
    const first = cache.build(base);
    const measured = new Map(doc.nodes.map((n) => [n.id, { width: 200, height: 100 }]));
    const next = cache.build({ ...base, measured, selectedNodes: new Set([doc.nodes[0]?.id ?? '']) });
    next.nodes.forEach((n, i) => {
      expect(n).not.toBe(first.nodes[i]);
      expect(n.data).toBe(first.nodes[i]?.data);
      expect(n.measured).toEqual({ width: 200, height: 100 });
    });
  });
});

describe('estimatedHandles', () => {
  it('given an unmeasured node, when built, then it carries a handle per output (and an input unless it is the Start), on the node edges', () => {
    const doc = generateFlow(30, 4);
    const cache = new CanvasModelCache();
    const model = cache.build(input(doc));
    for (const canvas of model.nodes) {
      const node = doc.nodes.find((n) => n.id === canvas.id);
      if (!node) continue;
      const handles = estimatedHandles(node);
      expect(canvas.handles).toEqual(handles);
      const sources = handles.filter((h) => h.type === 'source');
      expect(sources.map((h) => h.id)).toEqual(outputsOf(node));
      expect(handles.some((h) => h.type === 'target')).toBe(node.type !== 'start');
      for (let i = 1; i < sources.length; i++)
        expect(sources[i]?.y ?? 0).toBeGreaterThan(sources[i - 1]?.y ?? 0);
    }
  });

  it('given a measured node, when rebuilt, then the estimate is dropped so React Flow keeps what it measured', () => {
    const doc = generateFlow(5, 4);
    const measured = new Map(doc.nodes.map((n) => [n.id, { width: 200, height: 90 }]));
    const model = new CanvasModelCache().build(input(doc, { measured }));
    expect(model.nodes.every((n) => n.handles === undefined)).toBe(true);
  });
});

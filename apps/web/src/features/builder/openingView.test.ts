import type { FlowNode } from '@stepwise/flow';
import { describe, expect, it } from 'vitest';
import { openingView } from './openingView.ts';

const node = (id: string, x: number, y: number, type: FlowNode['type'] = 'end'): FlowNode =>
  ({ id, type, position: { x, y }, data: {} }) as unknown as FlowNode;

const VIEW = { width: 1000, height: 700 };

describe('openingView', () => {
  it('given a small flow, when it opens, then it fits the view (readable at that zoom)', () => {
    const nodes = [node('s', 0, 0, 'start'), node('a', 320, 0), node('b', 640, 160)];
    expect(openingView({ nodes, notes: [] }, VIEW)).toEqual({ kind: 'fit' });
  });

  it('given a flow that would fit only below zoom 0.6, when it opens, then it opens on its Start instead', () => {
    const nodes = [
      node('a', 0, 0),
      node('s', 400, 300, 'start'),
      ...Array.from({ length: 12 }, (_, i) => node(`n${i}`, 320 * i, 0)),
    ];
    expect(openingView({ nodes, notes: [] }, VIEW)).toEqual({ kind: 'start', at: { x: 400, y: 300 } });
  });

  it('given a flow at the edge of readable, when it opens, then 0.6 still fits and a little wider does not', () => {
    // fit zoom = min(1000 / (w · 1.15), 700 / (h · 1.15)) with the nominal 240 × 150 node
    const at = (width: number) =>
      openingView({ nodes: [node('s', 0, 0, 'start'), node('e', width - 240, 0)], notes: [] }, VIEW);
    expect(at(1440).kind).toBe('fit');
    expect(at(1480).kind).toBe('start');
  });

  it('given an empty canvas, when it opens, then it stays at zoom 1; given only notes, then it fits them', () => {
    expect(openingView({ nodes: [], notes: [] }, VIEW)).toEqual({ kind: 'empty' });
    expect(openingView({ nodes: [], notes: [{}] }, VIEW)).toEqual({ kind: 'fit' });
  });
});

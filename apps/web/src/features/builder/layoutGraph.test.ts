import { generateFlow, TEMPLATES } from '@stepwise/flow';
import { describe, expect, it } from 'vitest';
import { layout } from './layout.ts';
import { layoutGraph } from './layoutGraph.ts';

describe('layoutGraph', () => {
  it('given the refund flow, when laid out, then every node gets a position on the grid and edges run left to right', () => {
    const template = TEMPLATES.find((t) => t.id === 'refund-request');
    if (!template) throw new Error('the refund template is missing');
    const doc = template.document;
    const positions = layoutGraph(
      doc.nodes.map((n) => ({ id: n.id, width: 200, height: 100 })),
      doc.edges,
    );
    expect(Object.keys(positions).sort()).toEqual(doc.nodes.map((n) => n.id).sort());
    for (const p of Object.values(positions)) {
      expect(p.x % 16).toBe(0);
      expect(p.y % 16).toBe(0);
    }
    const start = positions.start;
    const verify = positions.verify;
    expect(start && verify && start.x < verify.x).toBe(true);
  });

  it('given overlapping nodes, when laid out, then no two nodes overlap', () => {
    const doc = generateFlow(60, 7);
    const positions = layoutGraph(
      doc.nodes.map((n) => ({ id: n.id, width: 200, height: 100 })),
      doc.edges,
    );
    const boxes = Object.values(positions);
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i];
        const b = boxes[j];
        if (!a || !b) continue;
        const overlap = Math.abs(a.x - b.x) < 200 && Math.abs(a.y - b.y) < 100;
        expect(overlap).toBe(false);
      }
    }
  });

  it('given no Worker (tests), when layout is asked for, then it still resolves with positions', async () => {
    const positions = await layout(
      [
        { id: 'a', width: 100, height: 50 },
        { id: 'b', width: 100, height: 50 },
      ],
      [{ id: 'e', source: 'a', target: 'b' }],
    );
    expect(positions.a && positions.b && positions.a.x < positions.b.x).toBe(true);
  });
});

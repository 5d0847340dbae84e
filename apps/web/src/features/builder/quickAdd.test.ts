import { type FlowDocument, type FlowNode, validate } from '@stepwise/flow';
import { describe, expect, it } from 'vitest';
import { createNode, emptyDocument, UNMEASURED } from './documentOps.ts';
import { filterEntries, PICKER_ENTRIES } from './NodePicker.tsx';
import { appendHandle, freeSpot, inheritedTeam, NEW_NODE } from './quickAdd.ts';
import { Builder } from './store.ts';

const NO_SIZES = new Map<string, { width: number; height: number }>();

function setup(document: FlowDocument = emptyDocument()) {
  let n = 0;
  return new Builder(document, { newId: (prefix) => `${prefix}_${++n}` });
}

function overlapping(document: FlowDocument): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  const size = (node: FlowNode) => (node.id.startsWith('x') ? UNMEASURED : NEW_NODE);
  for (const a of document.nodes)
    for (const b of document.nodes) {
      if (a.id >= b.id) continue;
      const sa = size(a);
      const sb = size(b);
      if (
        a.position.x < b.position.x + sb.width &&
        b.position.x < a.position.x + sa.width &&
        a.position.y < b.position.y + sb.height &&
        b.position.y < a.position.y + sa.height
      )
        pairs.push([a.id, b.id]);
    }
  return pairs;
}

const node = (builder: Builder, id: string | null) => builder.document.nodes.find((n) => n.id === id);

describe('quick-add placement', () => {
  it('given a node where the new one would go, when a free spot is asked for, then it lands below it on the grid', () => {
    const document = { ...emptyDocument(), nodes: [createNode('step', 'x1', { x: 0, y: 0 })] };
    const spot = freeSpot(document, NO_SIZES, { x: 10, y: 10 });
    expect(spot.x).toBe(16);
    expect(spot.y).toBeGreaterThanOrEqual(UNMEASURED.height);
    expect(spot.y % 16).toBe(0);
  });

  it('given a step with two outcomes, when nodes are appended after each, then they stand in one column to its right, the second below the first, none overlapping', () => {
    const builder = setup();
    const start = builder.addNode('start', { x: 0, y: 0 });
    const step = builder.appendNode('step', { after: { source: start, handle: null } });
    builder.updateNode(step ?? '', (n) =>
      n.type === 'step'
        ? {
            ...n,
            data: {
              ...n.data,
              outcomes: [
                { id: 'yes', label: 'Yes' },
                { id: 'no', label: 'No' },
              ],
            },
          }
        : n,
    );
    const first = builder.appendNode('end', { after: { source: step ?? '', handle: 'outcome:yes' } });
    const second = builder.appendNode('end', { after: { source: step ?? '', handle: 'outcome:no' } });
    const s = node(builder, step);
    const a = node(builder, first);
    const b = node(builder, second);
    expect(s && a && b).toBeTruthy();
    if (!s || !a || !b) return;
    expect(s.position.x).toBeGreaterThan(node(builder, start)?.position.x ?? 0);
    expect(a.position.x).toBe(b.position.x);
    expect(a.position.x).toBeGreaterThan(s.position.x);
    expect(b.position.y).toBeGreaterThan(a.position.y);
    expect(overlapping(builder.document)).toEqual([]);
    expect(builder.document.edges.map((e) => [e.source, e.sourceHandle, e.target])).toEqual([
      [start, 'next', step],
      [step, 'outcome:yes', first],
      [step, 'outcome:no', second],
    ]);
  });

  it('given a crowded column, when ten nodes are appended after one node, then none overlaps another', () => {
    const builder = setup();
    const start = builder.addNode('start', { x: 0, y: 0 });
    for (let i = 0; i < 10; i++) builder.appendNode('step', { after: { source: start, handle: null } });
    expect(overlapping(builder.document)).toEqual([]);
  });

  it('given a drop point on top of a node, when a node is added there, then it moves clear of it', () => {
    const builder = setup();
    const start = builder.addNode('start', { x: 0, y: 0 });
    const step = builder.appendNode('step', { after: { source: start, handle: 'next' }, at: { x: 8, y: 8 } });
    expect(overlapping(builder.document)).toEqual([]);
    expect(builder.document.edges).toHaveLength(1);
    expect(node(builder, step)?.position.x).toBe(16);
  });
});

describe('quick-add connections', () => {
  it('given a step whose first outcome is connected, when a node is appended, then it takes the next free outcome and never the SLA-breach output first', () => {
    const builder = setup();
    const step = builder.addNode('step', { x: 0, y: 0 });
    builder.updateNode(step, (n) =>
      n.type === 'step'
        ? {
            ...n,
            data: {
              ...n.data,
              slaMinutes: 30,
              outcomes: [
                { id: 'a', label: 'A' },
                { id: 'b', label: 'B' },
              ],
            },
          }
        : n,
    );
    const s = node(builder, step);
    if (!s) throw new Error('no step');
    expect(appendHandle(builder.document, s)).toBe('outcome:a');
    builder.appendNode('end', { after: { source: step, handle: null } });
    expect(appendHandle(builder.document, node(builder, step) as FlowNode)).toBe('outcome:b');
    builder.appendNode('end', { after: { source: step, handle: null } });
    expect(appendHandle(builder.document, node(builder, step) as FlowNode)).toBe('sla_breach');
  });

  it('given an append, when undone, then the node and its connection go in one step', () => {
    const builder = setup();
    const start = builder.addNode('start', { x: 0, y: 0 });
    builder.appendNode('step', { after: { source: start, handle: null } });
    expect(builder.document.nodes).toHaveLength(2);
    builder.undo();
    expect(builder.document.nodes).toHaveLength(1);
    expect(builder.document.edges).toHaveLength(0);
  });

  it('given a connected output, when it is pointed at another node and then disconnected, then the edge follows and then goes', () => {
    const builder = setup();
    const start = builder.addNode('start', { x: 0, y: 0 });
    const a = builder.appendNode('end', { after: { source: start, handle: null } }) ?? '';
    const b = builder.addNode('end', { x: 600, y: 400 });
    const edgeId = builder.document.edges[0]?.id;
    expect(builder.setOutputTarget(start, 'next', b)).toEqual({ ok: true });
    expect(builder.document.edges).toEqual([{ id: edgeId, source: start, sourceHandle: 'next', target: b }]);
    expect(builder.setOutputTarget(start, 'next', null)).toEqual({ ok: true });
    expect(builder.document.edges).toEqual([]);
    expect(a).not.toBe('');
    const refused = builder.setOutputTarget(start, 'next', start);
    expect(refused.ok).toBe(false);
  });

  it('given an edge, when its end is dragged to another node, then it is re-targeted with its id, and a refused target changes nothing', () => {
    const builder = setup();
    const start = builder.addNode('start', { x: 0, y: 0 });
    builder.appendNode('end', { after: { source: start, handle: null } });
    const other = builder.addNode('step', { x: 600, y: 400 });
    const edge = builder.document.edges[0];
    if (!edge) throw new Error('no edge');
    expect(builder.reconnect(edge.id, { source: start, sourceHandle: 'next', target: other })).toEqual({
      ok: true,
    });
    expect(builder.document.edges).toEqual([{ ...edge, target: other }]);
    const before = builder.document;
    const refused = builder.reconnect(edge.id, { source: start, sourceHandle: 'next', target: start });
    expect(refused.ok).toBe(false);
    expect(builder.document).toBe(before);
  });
});

describe('quick-add inherits the team', () => {
  it('given a step on a team, when a step is appended after it, then the new step has that team', () => {
    const builder = setup();
    const first = builder.addNode('step', { x: 0, y: 0 });
    builder.updateNode(first, (n) =>
      n.type === 'step' ? { ...n, data: { ...n.data, teamId: 'billing' } } : n,
    );
    const second = builder.appendNode('step', { after: { source: first, handle: null } });
    const s = node(builder, second);
    expect(s?.type === 'step' && s.data.teamId).toBe('billing');
  });

  it('given an assign action upstream of a message action, when a step is appended, then it takes the assigned team', () => {
    const builder = setup();
    const start = builder.addNode('start', { x: 0, y: 0 });
    const assign = builder.appendNode('action', {
      after: { source: start, handle: null },
      prepare: (n) =>
        n.type === 'action'
          ? { ...n, data: { ...n.data, ops: [{ op: 'assign', teamId: 'payments', strategy: 'team' }] } }
          : n,
    });
    const message = builder.appendNode('action', { after: { source: assign ?? '', handle: null } });
    const step = builder.appendNode('step', { after: { source: message ?? '', handle: null } });
    const s = node(builder, step);
    expect(s?.type === 'step' && s.data.teamId).toBe('payments');
    // The action was named after what it does.
    expect(node(builder, assign)?.type === 'action' && node(builder, assign)?.data).toMatchObject({
      label: 'Assign to a team',
    });
    expect(inheritedTeam(builder.document, start)).toBeNull();
  });

  it('given a step on the ticket’s current team, when a step is appended, then it keeps the current team too and validates', () => {
    const builder = setup();
    const start = builder.addNode('start', { x: 0, y: 0 });
    const first = builder.appendNode('step', { after: { source: start, handle: null } }) ?? '';
    builder.updateNode(first, (n) =>
      n.type === 'step' ? { ...n, data: { ...n.data, teamId: null, teamSource: 'current' } } : n,
    );
    const second = builder.appendNode('step', { after: { source: first, handle: null } });
    const s = node(builder, second);
    expect(s?.type === 'step' && s.data.teamSource).toBe('current');
    expect(validate(builder.document).map((i) => i.code)).not.toContain('STEP_WITHOUT_TEAM');
  });
});

describe('the node picker', () => {
  it('given a query, when filtered, then entries starting with it come first and every word must match', () => {
    expect(filterEntries(PICKER_ENTRIES, 'dec')[0]?.key).toBe('decision');
    expect(filterEntries(PICKER_ENTRIES, 'assign')[0]?.key).toBe('action:assign');
    expect(filterEntries(PICKER_ENTRIES, 'end unres').map((e) => e.key)).toEqual(['end:closed_unresolved']);
    expect(filterEntries(PICKER_ENTRIES, 'zzz')).toEqual([]);
    expect(PICKER_ENTRIES.some((e) => 'type' in e && e.type === 'start')).toBe(false);
  });
});

import { type FlowDocument, TEMPLATES, validate } from '@stepwise/flow';
import { describe, expect, it } from 'vitest';
import {
  boundsOf,
  connect,
  copyElements,
  createNode,
  emptyDocument,
  itemId,
  moveElements,
  moveItem,
  type NewId,
  pasteClipboard,
  removeElements,
  replaceNode,
  snap,
  UNMEASURED,
} from './documentOps.ts';

function refund(): FlowDocument {
  const template = TEMPLATES.find((t) => t.id === 'refund-request');
  if (!template) throw new Error('the refund template is missing');
  return structuredClone(template.document);
}

function counter(): NewId {
  let n = 0;
  return (prefix) => `${prefix}_${++n}`;
}

describe('createNode', () => {
  it('given each palette type, when created, then the node is a valid document node with the outputs of its type', () => {
    const types = ['start', 'step', 'decision', 'action', 'wait', 'subflow', 'end'] as const;
    const doc: FlowDocument = {
      ...emptyDocument(),
      nodes: types.map((type, i) => createNode(type, `n${i}`, { x: i * 240, y: 0 })),
    };
    const codes = new Set(validate(doc).map((i) => i.code));
    // Every problem is about wiring or configuration a manager does next, never about the shape.
    expect(
      [...codes].every(
        (c) => !['DUPLICATE_ID', 'DUPLICATE_ITEM_ID', 'UNKNOWN_FIELD', 'CONDITION_TYPE_MISMATCH'].includes(c),
      ),
    ).toBe(true);
    expect(codes.has('STEP_WITHOUT_TEAM')).toBe(true);
  });
});

describe('removeElements', () => {
  it('given a node with edges in and out, when it is removed, then every edge touching it goes too and the rest keep their identity', () => {
    const doc = refund();
    const touching = doc.edges.filter((e) => e.source === 'verify' || e.target === 'verify');
    expect(touching.length).toBeGreaterThan(1);
    const next = removeElements(doc, ['verify'], []);
    expect(next.nodes.some((n) => n.id === 'verify')).toBe(false);
    expect(next.edges).toHaveLength(doc.edges.length - touching.length);
    expect(next.edges.every((e) => e.source !== 'verify' && e.target !== 'verify')).toBe(true);
    const kept = next.nodes.find((n) => n.id === 'check_amount');
    expect(kept).toBe(doc.nodes.find((n) => n.id === 'check_amount'));
  });

  it('given a note and an edge selected, when removed, then only they go', () => {
    const doc = refund();
    const note = doc.notes[0];
    const edge = doc.edges[0];
    if (!note || !edge) throw new Error('the fixture has a note and edges');
    const next = removeElements(doc, [`note:${note.id}`], [edge.id]);
    expect(next.notes).toHaveLength(doc.notes.length - 1);
    expect(next.edges).toHaveLength(doc.edges.length - 1);
    expect(next.nodes).toBe(doc.nodes);
  });

  it('given nothing to remove, when called, then the same document comes back', () => {
    const doc = refund();
    expect(removeElements(doc, [], [])).toBe(doc);
  });
});

describe('replaceNode', () => {
  it('given a step whose outcome is removed, when replaced, then the edge from that outcome is removed with it', () => {
    const doc = refund();
    const verify = doc.nodes.find((n) => n.id === 'verify');
    if (verify?.type !== 'step') throw new Error('verify is a step');
    const next = replaceNode(doc, {
      ...verify,
      data: { ...verify.data, outcomes: verify.data.outcomes.filter((o) => o.id !== 'not_eligible') },
    });
    expect(next.edges.some((e) => e.source === 'verify' && e.sourceHandle === 'outcome:not_eligible')).toBe(
      false,
    );
    expect(next.edges.some((e) => e.source === 'verify' && e.sourceHandle === 'outcome:eligible')).toBe(true);
    expect(next.edges).toHaveLength(doc.edges.length - 1);
  });

  it('given a step renamed, when replaced, then its edges all stay', () => {
    const doc = refund();
    const verify = doc.nodes.find((n) => n.id === 'verify');
    if (verify?.type !== 'step') throw new Error('verify is a step');
    const next = replaceNode(doc, { ...verify, data: { ...verify.data, title: 'Verify the order' } });
    expect(next.edges).toBe(doc.edges);
  });
});

describe('connect', () => {
  it('given a free output, when connected, then an edge is added', () => {
    const doc = removeElements(refund(), [], ['e-start-verify']);
    const source = doc.nodes.find((n) => n.type === 'start');
    if (!source) throw new Error('no start');
    const free = doc;
    const result = connect(free, { source: source.id, sourceHandle: 'next', target: 'verify' }, 'e_new');
    expect(result.ok).toBe(true);
    if (result.ok)
      expect(result.document.edges.at(-1)).toEqual({
        id: 'e_new',
        source: source.id,
        sourceHandle: 'next',
        target: 'verify',
      });
  });

  it('given an output already connected or an edge into the start, when connected, then it is refused with the reason and nothing changes', () => {
    const doc = refund();
    const start = doc.nodes.find((n) => n.type === 'start');
    if (!start) throw new Error('no start');
    const taken = connect(doc, { source: start.id, sourceHandle: 'next', target: 'check_amount' }, 'x');
    expect(taken).toMatchObject({ ok: false, code: 'DUPLICATE_OUTPUT' });
    const intoStart = connect(doc, { source: 'verify', sourceHandle: 'sla_breach', target: start.id }, 'x');
    expect(intoStart).toMatchObject({ ok: false, code: 'EDGE_INTO_START' });
    if (!intoStart.ok) expect(intoStart.message).toBe('Nothing may lead into the Start node.');
  });
});

describe('moveElements', () => {
  it('given one node moved, when applied, then only that node is a new object', () => {
    const doc = refund();
    const next = moveElements(doc, new Map([['verify', { x: 1, y: 2 }]]));
    next.nodes.forEach((node, i) => {
      if (node.id === 'verify') expect(node.position).toEqual({ x: 1, y: 2 });
      else expect(node).toBe(doc.nodes[i]);
    });
    expect(next.notes).toBe(doc.notes);
  });

  it('given a note moved by its canvas id, when applied, then the note moves', () => {
    const doc = refund();
    const note = doc.notes[0];
    if (!note) throw new Error('the fixture has a note');
    const next = moveElements(doc, new Map([[`note:${note.id}`, { x: 5, y: 6 }]]));
    expect(next.notes[0]?.position).toEqual({ x: 5, y: 6 });
    expect(next.nodes).toBe(doc.nodes);
  });
});

describe('copy and paste', () => {
  it('given two connected nodes copied, when pasted, then the copies have fresh ids, keep the edge between them and move by the offset', () => {
    const doc = refund();
    const clip = copyElements(doc, ['verify', 'check_amount']);
    if (!clip) throw new Error('nothing copied');
    const between = doc.edges.filter((e) => e.source === 'verify' && e.target === 'check_amount');
    expect(clip.edges).toEqual(between);
    const { document, canvasIds } = pasteClipboard(doc, clip, counter(), { x: 32, y: 32 });
    expect(document.nodes).toHaveLength(doc.nodes.length + 2);
    expect(document.edges).toHaveLength(doc.edges.length + between.length);
    expect(canvasIds).toEqual(['step_1', 'decision_2']);
    const copy = document.nodes.find((n) => n.id === 'step_1');
    const original = doc.nodes.find((n) => n.id === 'verify');
    expect(copy?.position).toEqual({
      x: (original?.position.x ?? 0) + 32,
      y: (original?.position.y ?? 0) + 32,
    });
    expect(document.edges.at(-1)).toMatchObject({
      source: 'step_1',
      target: 'decision_2',
      sourceHandle: 'outcome:eligible',
    });
    expect(new Set(document.nodes.map((n) => n.id)).size).toBe(document.nodes.length);
    // The copies are numbered: problems never name two nodes alike.
    expect(copy?.type === 'step' && copy.data.title).toBe('Verify eligibility 2');
    const labels = document.nodes.map((n) => (n.type === 'step' ? n.data.title : n.data.label));
    expect(new Set(labels).size).toBe(
      new Set(doc.nodes.map((n) => (n.type === 'step' ? n.data.title : n.data.label))).size + 2,
    );
  });

  it('given nothing selected, when copied, then there is nothing to paste', () => {
    expect(copyElements(refund(), [])).toBeNull();
  });
});

describe('helpers', () => {
  it('given labels, when item ids are made, then they are slugs, unique within the node', () => {
    expect(itemId('Not eligible', [], 'outcome')).toBe('not_eligible');
    expect(itemId('Done', ['done'], 'outcome')).toBe('done_2');
    expect(itemId('Done', ['done', 'done_2'], 'outcome')).toBe('done_3');
    expect(itemId('!!!', [], 'outcome')).toBe('outcome');
  });

  it('given positions, when snapped, then they land on the 16 px grid', () => {
    expect(snap({ x: 7, y: 25 })).toEqual({ x: 0, y: 32 });
  });

  it('given a list, when an item moves up or down, then the order changes and out-of-range moves do nothing', () => {
    expect(moveItem(['a', 'b', 'c'], 1, -1)).toEqual(['b', 'a', 'c']);
    expect(moveItem(['a', 'b', 'c'], 1, 1)).toEqual(['a', 'c', 'b']);
    expect(moveItem(['a', 'b'], 0, -1)).toEqual(['a', 'b']);
  });
});

describe('boundsOf', () => {
  it('given nodes some of which React Flow measured, when bounded, then the rectangle around them with the measured or default sizes', () => {
    const document: FlowDocument = {
      ...emptyDocument(),
      nodes: [createNode('step', 'a', { x: 100, y: 50 }), createNode('end', 'b', { x: 400, y: 300 })],
    };
    // Given a measured and an unmeasured node, when both are bounded
    const bounds = boundsOf(document, ['a', 'b', 'missing'], new Map([['a', { width: 240, height: 150 }]]));
    // Then the box spans from a's corner to b's far corner (b at the default 200 × 100)
    expect(bounds).toEqual({ x: 100, y: 50, width: 400 + UNMEASURED.width - 100, height: 300 + 100 - 50 });
    expect(boundsOf(document, ['missing'], new Map())).toBeNull();
  });
});

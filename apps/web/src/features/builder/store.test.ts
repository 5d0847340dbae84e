import { type ActionOp, type FlowDocument, TEMPLATES } from '@stepwise/flow';
import { beforeEach, describe, expect, it } from 'vitest';
import { emptyDocument } from './documentOps.ts';
import { samePlan } from './BuilderContext.ts';
import { Builder, CLIPBOARD_KIND, COALESCE_MS, clearClipboard, clipboardFromText } from './store.ts';

function refund(): FlowDocument {
  const template = TEMPLATES.find((t) => t.id === 'refund-request');
  if (!template) throw new Error('the refund template is missing');
  return structuredClone(template.document);
}

/** A builder with a clock the test moves and predictable ids. */
function setup(document: FlowDocument = refund()) {
  let now = 1_000;
  let n = 0;
  const builder = new Builder(document, { now: () => now, newId: (prefix) => `${prefix}_${++n}` });
  return {
    builder,
    tick: (ms: number) => {
      now += ms;
    },
    undoSteps: () => builder.store.temporal.getState().pastStates.length,
  };
}

const title = (builder: Builder, id: string) => {
  const node = builder.document.nodes.find((n) => n.id === id);
  return node?.type === 'step' ? node.data.title : undefined;
};

function typeTitle(builder: Builder, id: string, text: string, tick: (ms: number) => void) {
  for (let i = 1; i <= text.length; i++) {
    builder.updateNode(
      id,
      (n) => (n.type === 'step' ? { ...n, data: { ...n.data, title: text.slice(0, i) } } : n),
      `${id}:title`,
    );
    tick(120);
  }
}

beforeEach(() => clearClipboard());

describe('Builder undo history', () => {
  it('given a word typed into a title, when undone, then the whole word goes in one step', () => {
    const { builder, tick, undoSteps } = setup();
    typeTitle(builder, 'verify', 'Check', tick);
    expect(title(builder, 'verify')).toBe('Check');
    expect(undoSteps()).toBe(1);
    builder.undo();
    expect(title(builder, 'verify')).toBe('Verify eligibility');
  });

  it('given two bursts of typing more than the coalescing window apart, when undone, then each burst is its own step', () => {
    const { builder, tick, undoSteps } = setup();
    typeTitle(builder, 'verify', 'Check', tick);
    tick(COALESCE_MS + 1);
    typeTitle(builder, 'verify', 'Check it', tick);
    expect(undoSteps()).toBe(2);
    builder.undo();
    expect(title(builder, 'verify')).toBe('Check');
  });

  it('given an undo, when the same field is typed into at once, then it is a new step and the redo stack is dropped', () => {
    const { builder, tick, undoSteps } = setup();
    typeTitle(builder, 'verify', 'Check', tick);
    builder.undo();
    typeTitle(builder, 'verify', 'X', tick);
    expect(undoSteps()).toBe(1);
    expect(builder.store.temporal.getState().futureStates).toHaveLength(0);
    builder.undo();
    expect(title(builder, 'verify')).toBe('Verify eligibility');
  });

  it('given a drag of many moves, when undone, then the node is back where it started in one step', () => {
    const { builder, undoSteps } = setup();
    const before = builder.document.nodes.find((n) => n.id === 'verify')?.position;
    for (let x = 0; x < 40; x += 4) builder.moveNodes(new Map([['verify', { x, y: 0 }]]), 'drag');
    builder.moveNodes(new Map([['verify', { x: 48, y: 16 }]]), 'end');
    expect(builder.document.nodes.find((n) => n.id === 'verify')?.position).toEqual({ x: 48, y: 16 });
    expect(undoSteps()).toBe(1);
    builder.undo();
    expect(builder.document.nodes.find((n) => n.id === 'verify')?.position).toEqual(before);
  });

  it('given a node deleted with its edges, when undone and redone, then the node and its edges come back and go again', () => {
    const { builder } = setup();
    const edges = builder.document.edges.length;
    builder.select(['verify']);
    expect(builder.deleteSelection()).toBe(true);
    expect(builder.document.edges.length).toBeLessThan(edges);
    builder.undo();
    expect(builder.document.nodes.some((n) => n.id === 'verify')).toBe(true);
    expect(builder.document.edges).toHaveLength(edges);
    builder.redo();
    expect(builder.document.nodes.some((n) => n.id === 'verify')).toBe(false);
  });

  it('given selection changes and measured sizes, when recorded, then they are not undo steps', () => {
    const { builder, undoSteps } = setup();
    builder.select(['verify']);
    builder.setMeasured([{ id: 'verify', size: { width: 200, height: 120 } }]);
    builder.applySelection([{ id: 'check_amount', selected: true }], []);
    expect(undoSteps()).toBe(0);
    expect([...builder.store.getState().selectedNodes]).toEqual(['verify', 'check_amount']);
  });

  it('given a document imported, when undone, then the previous document is back in one step', () => {
    const { builder, undoSteps } = setup();
    const before = builder.document;
    builder.replaceDocument(emptyDocument(), 'record');
    expect(builder.document.nodes).toHaveLength(0);
    expect(undoSteps()).toBe(1);
    builder.undo();
    expect(builder.document).toBe(before);
  });

  it('given a reload of another version, when replaced with a reset, then there is nothing to undo', () => {
    const { builder, undoSteps } = setup();
    builder.addNode('end', { x: 0, y: 0 });
    builder.replaceDocument(emptyDocument(), 'reset');
    expect(undoSteps()).toBe(0);
    expect(builder.document.nodes).toHaveLength(0);
  });
});

describe('Builder editing', () => {
  it('given an empty canvas, when nodes are added and connected, then the document has them, on the grid, with the new node selected', () => {
    const { builder } = setup(emptyDocument());
    const start = builder.addNode('start', { x: 10, y: 10 });
    const end = builder.addNode('end', { x: 250, y: 7 });
    expect(builder.document.nodes.map((n) => n.position)).toEqual([
      { x: 16, y: 16 },
      { x: 256, y: 0 },
    ]);
    expect([...builder.store.getState().selectedNodes]).toEqual([end]);
    expect(builder.connect({ source: start, sourceHandle: 'next', target: end }).ok).toBe(true);
    const again = builder.connect({ source: start, sourceHandle: 'next', target: end });
    expect(again.ok).toBe(false);
    expect(builder.document.edges).toHaveLength(1);
  });

  it('given a selection copied, when pasted twice, then each paste lands further away with fresh ids', () => {
    const { builder } = setup();
    builder.select(['verify', 'check_amount']);
    expect(builder.copy()).toBe(2);
    const nodes = builder.document.nodes.length;
    const edges = builder.document.edges.length;
    expect(builder.paste()).toBe(2);
    expect(builder.paste()).toBe(2);
    expect(builder.document.nodes).toHaveLength(nodes + 4);
    expect(builder.document.edges).toHaveLength(edges + 2);
    const verify = builder.document.nodes.find((n) => n.id === 'verify');
    // The copies are numbered, so no two nodes share a name.
    const copies = builder.document.nodes.filter(
      (n) => n.type === 'step' && n.data.title.startsWith('Verify eligibility'),
    );
    expect(copies.map((n) => n.type === 'step' && n.data.title)).toEqual([
      'Verify eligibility',
      'Verify eligibility 2',
      'Verify eligibility 3',
    ]);
    expect(copies.map((n) => n.position.x - (verify?.position.x ?? 0))).toEqual([0, 32, 64]);
  });

  it('given a selection copied as text, when pasted into another flow, then the nodes and their edge arrive with fresh ids; other text pastes nothing', () => {
    const { builder } = setup();
    builder.select(['verify', 'check_amount']);
    const text = builder.copyText();
    expect(text).not.toBeNull();
    expect(JSON.parse(text ?? '')).toMatchObject({ kind: CLIPBOARD_KIND });
    clearClipboard();
    const other = setup(emptyDocument()).builder;
    expect(other.pasteText(text ?? '')).toBe(2);
    expect(other.document.nodes).toHaveLength(2);
    expect(other.document.edges).toHaveLength(1);
    expect(other.document.nodes.map((n) => n.id)).not.toContain('verify');
    // A second paste of the same text lands further away.
    expect(other.pasteText(text ?? '')).toBe(2);
    expect(other.document.nodes).toHaveLength(4);
    for (const junk of [
      'hello',
      '{"kind":"stepwise/nodes","nodes":"x"}',
      '{"__proto__":{"kind":"stepwise/nodes"}}',
      '[]',
    ])
      expect(other.pasteText(junk)).toBe(0);
    expect(
      clipboardFromText('{"kind":"stepwise/nodes","schemaVersion":3,"nodes":[],"edges":[],"notes":[]}'),
    ).toBeNull();
    expect(({} as Record<string, unknown>).kind).toBeUndefined();
  });

  it('given a selection, when duplicated, then the copies are added and selected in one undo step', () => {
    const { builder, undoSteps } = setup();
    builder.select(['verify']);
    expect(builder.duplicate()).toBe(1);
    expect(undoSteps()).toBe(1);
    const [selected] = [...builder.store.getState().selectedNodes];
    expect(selected).not.toBe('verify');
    expect(builder.document.nodes.some((n) => n.id === selected)).toBe(true);
  });
});

describe('samePlan', () => {
  it('given a document whose nodes only moved, when compared, then it is the same plan; any other change is not', () => {
    const { builder } = setup();
    const before = builder.document;
    builder.moveNodes(new Map([['verify', { x: 999, y: 999 }]]), 'end');
    expect(samePlan(before, builder.document)).toBe(true);
    builder.updateNode('verify', (n) => (n.type === 'step' ? { ...n, data: { ...n.data, title: 'X' } } : n));
    expect(samePlan(before, builder.document)).toBe(false);
    builder.undo();
    builder.select(['verify']);
    builder.deleteSelection();
    expect(samePlan(before, builder.document)).toBe(false);
  });
});

describe('Builder node names', () => {
  const labels = (builder: Builder) =>
    builder.document.nodes.map((n) => (n.type === 'step' ? n.data.title : n.data.label));

  it('given an empty canvas, when two actions, two ends and two steps are added, then every node has its own name', () => {
    const { builder } = setup(emptyDocument());
    for (const type of ['action', 'action', 'end', 'end', 'step', 'step'] as const)
      builder.addNode(type, { x: 0, y: 0 });
    expect(labels(builder)).toEqual([
      'New action',
      'New action 2',
      'Resolved',
      'Resolved 2',
      'New step',
      'New step 2',
    ]);
  });

  it('given a new action, when it is given operations in the inspector, then its name follows them until it is renamed', () => {
    const { builder } = setup(emptyDocument());
    builder.setTeamNames(new Map([['t1', 'Billing']]));
    const id = builder.addNode('action', { x: 0, y: 0 });
    const setOps = (ops: ActionOp[]) =>
      builder.updateNode(id, (n) => (n.type === 'action' ? { ...n, data: { ...n.data, ops } } : n));
    setOps([{ op: 'assign', teamId: 't1', strategy: 'round_robin' }]);
    expect(labels(builder)).toEqual(['Assign to Billing']);
    setOps([
      { op: 'assign', teamId: 't1', strategy: 'round_robin' },
      { op: 'add_tag', tag: 'vip' },
    ]);
    expect(labels(builder)).toEqual(['Assign to Billing and 1 more']);
    builder.updateNode(id, (n) =>
      n.type === 'action' ? { ...n, data: { ...n.data, label: 'Route VIPs' } } : n,
    );
    setOps([{ op: 'send_message', template: 'Hi' }]);
    expect(labels(builder)).toEqual(['Route VIPs']);
    // Undo puts back the name with the operations.
    builder.undo();
    builder.undo();
    expect(labels(builder)).toEqual(['Assign to Billing and 1 more']);
  });

  it('given two Resolved ends, when the second becomes Transferred, then it is named Transferred', () => {
    const { builder } = setup(emptyDocument());
    builder.addNode('end', { x: 0, y: 0 });
    const second = builder.addNode('end', { x: 0, y: 200 });
    builder.updateNode(second, (n) =>
      n.type === 'end' ? { ...n, data: { ...n.data, status: 'transferred' } } : n,
    );
    expect(labels(builder)).toEqual(['Resolved', 'Transferred']);
  });

  it('given a template, when a node is edited, then its chosen name stays', () => {
    const { builder } = setup();
    const end = builder.document.nodes.find((n) => n.type === 'end');
    if (!end) throw new Error('the template has no End');
    const before = labels(builder);
    builder.updateNode(end.id, (n) =>
      n.type === 'end' ? { ...n, data: { ...n.data, status: 'closed_unresolved' } } : n,
    );
    expect(labels(builder)).toEqual(before);
  });
});

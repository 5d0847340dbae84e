import { describe, expect, it } from 'vitest';
import { applyDiff, describeChange, diffDocuments, type PropertyChange } from './diffDocuments.ts';
import type { FlowDocument, FlowNode, StepNode } from './schema.ts';
import { TEMPLATES } from './templates.ts';
import {
  actionNode,
  all,
  branch,
  comparison,
  decisionNode,
  edge,
  endNode,
  flow,
  startNode,
  stepNode,
  waitNode,
} from './testFlows.ts';

/**
 * start → verify (step) → route (decision: VIP / default) → approve (step) | notify (action) → end.
 * Positions are distinct so moves can be told from changes.
 */
function base(): FlowDocument {
  const verify = stepNode('verify', {
    title: 'Verify eligibility',
    instructions: 'Check the order.',
    checklist: [
      { id: 'c1', label: 'Order found', required: true },
      { id: 'c3', label: 'Photos received', required: false },
    ],
    form: [
      { key: 'amount', label: 'Amount', type: 'number', required: true },
      { key: 'reason', label: 'Reason', type: 'choice', required: false, options: ['Damaged', 'Late'] },
    ],
    slaMinutes: 30,
    outcomes: [
      { id: 'eligible', label: 'Eligible' },
      { id: 'not_eligible', label: 'Not eligible' },
    ],
  });
  const route = decisionNode('route', [
    { ...branch('vip', all(comparison('customer.tier', 'equals', 'vip'))), label: 'VIP' },
    { ...branch('big', all(comparison('amount', 'greater_than', 100))), label: 'Big amount' },
  ]);
  const notify = actionNode('notify', [
    { op: 'add_tag', tag: 'refund' },
    { op: 'send_message', template: 'Hi {{customer.name}}, done.' },
  ]);
  const nodes: FlowNode[] = [startNode(), verify, route, stepNode('approve'), notify, endNode('end', true)];
  nodes.forEach((node, i) => {
    node.position = { x: i * 280, y: 100 };
  });
  const doc = flow(
    nodes,
    [
      edge('e-start', 'start', 'next', 'verify'),
      edge('e-eligible', 'verify', 'outcome:eligible', 'route'),
      edge('e-not', 'verify', 'outcome:not_eligible', 'end'),
      edge('e-vip', 'route', 'branch:vip', 'approve'),
      edge('e-big', 'route', 'branch:big', 'approve'),
      edge('e-default', 'route', 'default', 'notify'),
      edge('e-approve', 'approve', 'outcome:done', 'notify'),
      edge('e-notify', 'notify', 'next', 'end'),
    ],
    [{ key: 'region', label: 'Region', type: 'choice', options: ['EU', 'US'] }],
  );
  doc.notes.push({ id: 'n1', position: { x: 0, y: -200 }, text: 'Policy: 30 days.' });
  return doc;
}

/** A copy of `base()` edited in place by `edit`. */
function edited(edit: (doc: FlowDocument) => void): FlowDocument {
  const doc = base();
  edit(doc);
  return doc;
}

const node = <T extends FlowNode['type']>(doc: FlowDocument, id: string, _type?: T) =>
  doc.nodes.find((n) => n.id === id) as Extract<FlowNode, { type: T }>;
const stepData = (doc: FlowDocument, id: string): StepNode['data'] => node(doc, id, 'step').data;

/** The only change of the only changed node. */
function onlyChange(before: FlowDocument, after: FlowDocument): PropertyChange {
  const diff = diffDocuments(before, after);
  expect(diff.nodes.changed).toHaveLength(1);
  expect(diff.nodes.changed[0]!.changes).toHaveLength(1);
  return diff.nodes.changed[0]!.changes[0]!;
}

/** `after` with the positions of `before` (what `applyDiff` reproduces). */
function withLayoutOf(before: FlowDocument, after: FlowDocument): FlowDocument {
  const at = new Map([...before.nodes, ...before.notes].map((x) => [x.id, x.position]));
  return {
    ...after,
    nodes: after.nodes.map((n) => ({ ...n, position: at.get(n.id) ?? n.position })),
    notes: after.notes.map((n) => ({ ...n, position: at.get(n.id) ?? n.position })),
  };
}

describe('diffDocuments', () => {
  it('finds nothing between a document and itself, or a copy of it', () => {
    // Given a document and its deep copy, when compared, then the diff is empty
    const doc = base();
    for (const other of [doc, structuredClone(doc)]) {
      const diff = diffDocuments(doc, other);
      expect(diff.isEmpty).toBe(true);
      expect(diff.nodes).toEqual({ added: [], removed: [], changed: [], moved: [] });
      expect(diff.edges).toEqual({ added: [], removed: [], changed: [] });
    }
  });

  it('reports a reworded instruction', () => {
    // Given a step whose instructions were reworded
    const after = edited((d) => {
      stepData(d, 'verify').instructions = 'Find the order in the order system.';
    });
    // When compared, then exactly that property changed, old and new text included
    expect(onlyChange(base(), after)).toEqual({
      path: 'data.instructions',
      label: 'Instructions',
      kind: 'changed',
      from: 'Check the order.',
      to: 'Find the order in the order system.',
    });
    expect(diffDocuments(base(), after).nodes.changed[0]).toMatchObject({ id: 'verify', type: 'step' });
  });

  it('reports a new checklist item by its id, and no reorder when it is appended', () => {
    const item = { id: 'c2', label: 'Verify ID', required: true };
    const after = edited((d) => {
      stepData(d, 'verify').checklist.push(item);
    });
    expect(onlyChange(base(), after)).toEqual({
      path: 'data.checklist[id=c2]',
      label: 'Checklist item "Verify ID"',
      kind: 'added',
      to: item,
    });
  });

  it('reports a checklist item inserted in the middle as added, and the new order', () => {
    const after = edited((d) => {
      stepData(d, 'verify').checklist.splice(1, 0, { id: 'c2', label: 'Verify ID', required: true });
    });
    const changes = diffDocuments(base(), after).nodes.changed[0]!.changes;
    expect(changes.map((c) => [c.path, c.kind])).toEqual([
      ['data.checklist[id=c2]', 'added'],
      ['data.checklist[order]', 'changed'],
    ]);
    expect(changes[1]).toMatchObject({
      label: 'Checklist order',
      from: ['c1', 'c3'],
      to: ['c1', 'c2', 'c3'],
    });
  });

  it('reports a removed and a relabelled checklist item per item', () => {
    const after = edited((d) => {
      const checklist = stepData(d, 'verify').checklist;
      checklist[0]!.label = 'Order found in the system';
      checklist.pop();
    });
    expect(diffDocuments(base(), after).nodes.changed[0]!.changes).toEqual([
      {
        path: 'data.checklist[id=c1].label',
        label: 'Checklist item "Order found" label',
        kind: 'changed',
        from: 'Order found',
        to: 'Order found in the system',
      },
      {
        path: 'data.checklist[id=c3]',
        label: 'Checklist item "Photos received"',
        kind: 'removed',
        from: { id: 'c3', label: 'Photos received', required: false },
      },
    ]);
  });

  it('reports a changed condition on its branch', () => {
    const after = edited((d) => {
      node(d, 'route', 'decision').data.branches[0]!.condition = all(
        comparison('customer.tier', 'in', ['vip', 'existing']),
      );
    });
    const change = onlyChange(base(), after);
    expect(change).toMatchObject({
      path: 'data.branches[id=vip].condition',
      label: 'Condition of branch "VIP"',
      kind: 'changed',
    });
    expect(change.to).toEqual(all(comparison('customer.tier', 'in', ['vip', 'existing'])));
  });

  it('reports reordered branches (first match wins, so order matters)', () => {
    const after = edited((d) => {
      node(d, 'route', 'decision').data.branches.reverse();
    });
    expect(onlyChange(base(), after)).toEqual({
      path: 'data.branches[order]',
      label: 'Branches order',
      kind: 'changed',
      from: ['vip', 'big'],
      to: ['big', 'vip'],
    });
  });

  it('reports a new SLA and a changed one', () => {
    const noSla = edited((d) => {
      stepData(d, 'approve').slaMinutes = null;
    });
    const change = onlyChange(noSla, base());
    expect(change).toEqual({
      path: 'data.slaMinutes',
      label: 'SLA (minutes)',
      kind: 'changed',
      from: null,
      to: 60,
    });
    expect(describeChange(change)).toBe('SLA set to 60 min');
    const longer = edited((d) => {
      stepData(d, 'verify').slaMinutes = 60;
    });
    expect(describeChange(onlyChange(base(), longer))).toBe('SLA 30 → 60 min');
  });

  it('reports a step switched to the ticket’s current team, and back', () => {
    // Given a step that named its team, when it is set to keep the ticket's current team
    const keeps = edited((d) => {
      const data = stepData(d, 'verify');
      data.teamId = null;
      data.teamSource = 'current';
    });
    const changes = diffDocuments(base(), keeps).nodes.changed[0]!.changes;
    // Then both parts are reported, in words
    expect(changes.map((c) => c.path).sort()).toEqual(['data.teamId', 'data.teamSource']);
    const source = changes.find((c) => c.path === 'data.teamSource')!;
    expect(source).toMatchObject({ kind: 'added', to: 'current' });
    expect(describeChange(source)).toBe('Team: the ticket’s current team');
    // And the way back reads as a named team again
    const back = diffDocuments(keeps, base()).nodes.changed[0]!.changes.find(
      (c) => c.path === 'data.teamSource',
    )!;
    expect(describeChange(back)).toBe('Team: a named team');
  });

  it('reports a renamed outcome by its id', () => {
    const after = edited((d) => {
      stepData(d, 'verify').outcomes[0]!.label = 'Qualifies';
    });
    const change = onlyChange(base(), after);
    expect(change).toEqual({
      path: 'data.outcomes[id=eligible].label',
      label: 'Outcome "Eligible" label',
      kind: 'changed',
      from: 'Eligible',
      to: 'Qualifies',
    });
    expect(describeChange(change)).toBe('Outcome "Eligible" label: "Eligible" → "Qualifies"');
  });

  it('reports form fields by key', () => {
    const after = edited((d) => {
      const form = stepData(d, 'verify').form;
      form[1]!.required = true;
      form[1]!.options = ['Damaged', 'Late', 'Other'];
    });
    expect(diffDocuments(base(), after).nodes.changed[0]!.changes.map((c) => [c.path, c.label])).toEqual([
      ['data.form[key=reason].required', 'Form field "Reason" required'],
      ['data.form[key=reason].options', 'Form field "Reason" options'],
    ]);
  });

  it('reports action operations by position: a changed text, a replaced kind, an added one', () => {
    const after = edited((d) => {
      const ops = node(d, 'notify', 'action').data.ops;
      ops[0] = { op: 'assign', teamId: 'team-billing', strategy: 'team' };
      ops[1] = { op: 'send_message', template: 'Hello {{customer.name}}.' };
      ops.push({ op: 'add_tag', tag: 'done' });
    });
    const changes = diffDocuments(base(), after).nodes.changed[0]!.changes;
    expect(changes.map((c) => [c.path, c.kind, c.label])).toEqual([
      ['data.ops[0]', 'changed', 'Operation 1 (assign)'],
      ['data.ops[1].template', 'changed', 'Operation 2 (send message) text'],
      ['data.ops[2]', 'added', 'Operation 3 (add tag)'],
    ]);
  });

  it('reports a node whose type changed as a change of path "type", with its data', () => {
    const after = edited((d) => {
      const at = d.nodes.findIndex((n) => n.id === 'approve');
      d.nodes[at] = { ...waitNode('approve', 'duration', 60), position: d.nodes[at]!.position };
    });
    const changed = diffDocuments(base(), after).nodes.changed;
    expect(changed).toHaveLength(1);
    expect(changed[0]!.type).toBe('wait');
    expect(changed[0]!.changes[0]).toEqual({
      path: 'type',
      label: 'Type',
      kind: 'changed',
      from: 'step',
      to: 'wait',
    });
    expect(describeChange(changed[0]!.changes[0]!)).toBe('Type: Step → Wait');
    expect(changed[0]!.changes.map((c) => c.path)).toContain('data.mode');
  });

  it('reports a retargeted edge', () => {
    const after = edited((d) => {
      d.edges.find((e) => e.id === 'e-big')!.target = 'notify';
    });
    const diff = diffDocuments(base(), after);
    expect(diff.edges).toEqual({
      added: [],
      removed: [],
      changed: [
        {
          id: 'e-big',
          changes: [{ path: 'target', label: 'To node', kind: 'changed', from: 'approve', to: 'notify' }],
        },
      ],
    });
    expect(diff.nodes.changed).toEqual([]);
  });

  it('reports added and removed nodes with their edges', () => {
    const extra: FlowNode = { ...stepNode('callback'), position: { x: 900, y: 400 } };
    const after = edited((d) => {
      d.nodes = d.nodes.filter((n) => n.id !== 'approve');
      d.edges = d.edges.filter((e) => e.source !== 'approve' && e.target !== 'approve');
      d.nodes.push(extra);
      d.edges.push(
        edge('e-vip', 'route', 'branch:vip', 'callback'),
        edge('e-cb', 'callback', 'outcome:done', 'end'),
      );
      d.edges.push(edge('e-big2', 'route', 'branch:big', 'notify'));
    });
    const diff = diffDocuments(base(), after);
    expect(diff.nodes.added).toEqual([extra]);
    expect(diff.nodes.removed.map((n) => n.id)).toEqual(['approve']);
    expect(diff.edges.removed.map((e) => e.id).sort()).toEqual(['e-approve', 'e-big']);
    expect(diff.edges.added.map((e) => e.id).sort()).toEqual(['e-big2', 'e-cb']);
    expect(diff.edges.changed).toEqual([
      {
        id: 'e-vip',
        changes: [{ path: 'target', label: 'To node', kind: 'changed', from: 'approve', to: 'callback' }],
      },
    ]);
    expect(diff.isEmpty).toBe(false);
  });

  it('keeps a pure move apart: moved, not changed, and the diff is not empty', () => {
    const after = edited((d) => {
      node(d, 'verify').position = { x: 300, y: 420 };
      d.notes[0]!.position = { x: 10, y: -260 };
    });
    const diff = diffDocuments(base(), after);
    expect(diff.nodes.changed).toEqual([]);
    expect(diff.nodes.moved).toEqual([{ id: 'verify', from: { x: 280, y: 100 }, to: { x: 300, y: 420 } }]);
    expect(diff.notes.changed).toEqual([]);
    expect(diff.notes.moved).toEqual([{ id: 'n1', from: { x: 0, y: -200 }, to: { x: 10, y: -260 } }]);
    expect(diff.isEmpty).toBe(false);
  });

  it('reports a node that moved and changed in both lists', () => {
    const after = edited((d) => {
      node(d, 'end', 'end').position = { x: 0, y: 0 };
      node(d, 'end', 'end').data.feedback = false;
    });
    const diff = diffDocuments(base(), after);
    expect(diff.nodes.moved.map((m) => m.id)).toEqual(['end']);
    expect(diff.nodes.changed).toEqual([
      {
        id: 'end',
        type: 'end',
        changes: [
          { path: 'data.feedback', label: 'Asks for feedback', kind: 'changed', from: true, to: false },
        ],
      },
    ]);
  });

  it('reports trigger filters, notes and custom fields', () => {
    const after = edited((d) => {
      node(d, 'start', 'start').data.trigger.channels = ['email', 'chat'];
      d.notes[0]!.text = 'Policy: 60 days.';
      d.notes.push({ id: 'n2', position: { x: 600, y: -200 }, text: 'New' });
      d.fields[0]!.options = ['EU', 'US', 'APAC'];
      d.fields.push({ key: 'amount', label: 'Amount', type: 'number' });
    });
    const diff = diffDocuments(base(), after);
    const trigger = diff.nodes.changed[0]!.changes[0]!;
    expect(trigger).toMatchObject({
      path: 'data.trigger.channels',
      label: 'Channels',
      from: [],
      to: ['email', 'chat'],
    });
    expect(describeChange(trigger)).toBe('Channels: any → email, chat');
    expect(diff.notes.changed).toEqual([
      {
        id: 'n1',
        changes: [
          { path: 'text', label: 'Text', kind: 'changed', from: 'Policy: 30 days.', to: 'Policy: 60 days.' },
        ],
      },
    ]);
    expect(diff.notes.added.map((n) => n.id)).toEqual(['n2']);
    expect(diff.fields.changed).toEqual([
      {
        key: 'region',
        changes: [
          {
            path: 'options',
            label: 'Options',
            kind: 'changed',
            from: ['EU', 'US'],
            to: ['EU', 'US', 'APAC'],
          },
        ],
      },
    ]);
    expect(diff.fields.added).toEqual([{ key: 'amount', label: 'Amount', type: 'number' }]);
  });

  it('does not alias the documents it compares', () => {
    const after = edited((d) => {
      stepData(d, 'verify').checklist.push({ id: 'c2', label: 'Verify ID', required: true });
    });
    const diff = diffDocuments(base(), after);
    (diff.nodes.changed[0]!.changes[0]!.to as { label: string }).label = 'mutated';
    expect(stepData(after, 'verify').checklist[2]!.label).toBe('Verify ID');
  });

  it('compares two different templates without throwing, and finds their shared start', () => {
    const [a, b] = [TEMPLATES[0]!.document, TEMPLATES[1]!.document];
    const diff = diffDocuments(a, b);
    expect(diff.isEmpty).toBe(false);
    expect(diff.nodes.changed.map((c) => c.id)).toContain('start');
  });
});

describe('applyDiff', () => {
  const edits: Array<[string, (d: FlowDocument) => void]> = [
    [
      'reword',
      (d) => {
        stepData(d, 'verify').instructions = 'Reworded.';
      },
    ],
    [
      'insert a checklist item',
      (d) => void stepData(d, 'verify').checklist.splice(0, 0, { id: 'c0', label: 'First', required: false }),
    ],
    [
      'reverse a checklist and drop an outcome',
      (d) => {
        stepData(d, 'verify').checklist.reverse();
        stepData(d, 'verify').outcomes.pop();
        d.edges = d.edges.filter((e) => e.id !== 'e-not');
      },
    ],
    [
      'replace an operation and remove one',
      (d) => {
        const ops = node(d, 'notify', 'action').data.ops;
        ops.splice(0, 2, { op: 'webhook', url: 'https://example.com/hook' });
      },
    ],
    [
      'remove and add form fields',
      (d) => {
        const form = stepData(d, 'verify').form;
        form.shift();
        form.unshift({ key: 'order', label: 'Order', type: 'text', required: true });
        delete form[1]!.options;
      },
    ],
    [
      'change a type',
      (d) => {
        const at = d.nodes.findIndex((n) => n.id === 'approve');
        d.nodes[at] = { ...endNode('approve'), position: { x: 5, y: 5 } };
        d.edges = d.edges.filter((e) => e.source !== 'approve');
      },
    ],
    [
      'remove a note and a field, move everything',
      (d) => {
        d.notes = [];
        d.fields = [];
        for (const n of d.nodes) n.position = { x: n.position.y, y: n.position.x };
      },
    ],
  ];

  it.each(edits)('replays "%s" onto the earlier document, keeping its layout', (_, edit) => {
    // Given a document and an edited copy
    const before = base();
    const after = edited(edit);
    // When the diff is applied to the earlier document
    const result = applyDiff(before, diffDocuments(before, after));
    // Then the result is the edited copy, laid out as before; the earlier document is untouched
    expect(result).toEqual(withLayoutOf(before, after));
    expect(before).toEqual(base());
  });

  it('removes several trailing operations from the end backwards', () => {
    // Given an action with three operations, cut down to its first one
    const before = edited(
      (d) => void node(d, 'notify', 'action').data.ops.push({ op: 'add_tag', tag: 'third' }),
    );
    const after = edited((d) => void node(d, 'notify', 'action').data.ops.splice(1));
    // When replayed, then exactly the first operation is left
    const result = applyDiff(before, diffDocuments(before, after));
    expect(node(result, 'notify', 'action').data.ops).toEqual([{ op: 'add_tag', tag: 'refund' }]);
  });

  it('ignores moves', () => {
    const after = edited((d) => {
      node(d, 'verify').position = { x: 1, y: 2 };
    });
    expect(applyDiff(base(), diffDocuments(base(), after))).toEqual(base());
  });

  it('skips changes whose path it does not understand, or whose item is gone', () => {
    const diff = diffDocuments(base(), base());
    diff.nodes.changed.push({
      id: 'verify',
      type: 'step',
      changes: [
        { path: 'data..instructions', label: 'x', kind: 'changed', to: 'x' },
        { path: 'data.checklist[id=nope].label', label: 'x', kind: 'changed', to: 'x' },
      ],
    });
    expect(applyDiff(base(), diff)).toEqual(base());
  });
});

describe('describeChange', () => {
  const change = (over: Partial<PropertyChange>): PropertyChange => ({
    path: 'data.instructions',
    label: 'Instructions',
    kind: 'changed',
    ...over,
  });

  it.each([
    [change({ from: 'a'.repeat(200), to: 'b' }), 'Instructions changed'],
    [change({ path: 'data.slaMinutes', label: 'SLA (minutes)', from: 30, to: 60 }), 'SLA 30 → 60 min'],
    [
      change({ path: 'data.slaMinutes', label: 'SLA (minutes)', from: 30, to: null }),
      'SLA removed (was 30 min)',
    ],
    [change({ path: 'data.minutes', label: 'Wait (minutes)', from: 60, to: 120 }), 'Wait 60 → 120 min'],
    [
      change({ path: 'data.teamId', label: 'Team', from: 'team-billing', to: 'team-senior' }),
      'Team: "team-billing" → "team-senior"',
    ],
    [
      change({ path: 'data.feedback', label: 'Asks for feedback', from: false, to: true }),
      'Asks for feedback: no → yes',
    ],
    [
      change({ path: 'data.checklist[id=c2]', label: 'Checklist item "Verify ID"', kind: 'added', to: {} }),
      'Checklist item "Verify ID" added',
    ],
    [
      change({ path: 'data.outcomes[id=x]', label: 'Outcome "X"', kind: 'removed', from: {} }),
      'Outcome "X" removed',
    ],
    [
      change({ path: 'data.branches[order]', label: 'Branches order', from: ['a', 'b'], to: ['b', 'a'] }),
      'Branches order changed',
    ],
    [
      change({
        path: 'data.branches[id=vip].condition',
        label: 'Condition of branch "VIP"',
        from: all(),
        to: all(),
      }),
      'Condition of branch "VIP" changed',
    ],
  ])('describes %o as "%s"', (c, words) => {
    expect(describeChange(c)).toBe(words);
  });
});

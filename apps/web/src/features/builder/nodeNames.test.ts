import { type ActionOp, type FlowDocument, type FlowNode, validate } from '@stepwise/flow';
import { describe, expect, it } from 'vitest';
import { createNode, emptyDocument } from './documentOps.ts';
import { Builder } from './store.ts';
import { teamIssues } from './teamIssues.ts';
import {
  autoLabel,
  copyLabel,
  followAutoLabel,
  isAutoLabel,
  labelOf,
  nameContext,
  uniqueLabel,
  withLabel,
} from './nodeNames.ts';

const TEAMS = new Map([['t-billing', 'Billing']]);
const DOC: FlowDocument = {
  ...emptyDocument(),
  fields: [{ key: 'job_status', label: 'Job status', type: 'text' }],
};
const CTX = nameContext(DOC, TEAMS);

const action = (ops: ActionOp[], label = 'New action', id = 'a'): FlowNode => ({
  id,
  type: 'action',
  position: { x: 0, y: 0 },
  data: { label, ops },
});
const end = (
  status: 'resolved' | 'closed_unresolved' | 'transferred',
  label: string,
  id = 'e',
): FlowNode => ({
  id,
  type: 'end',
  position: { x: 0, y: 0 },
  data: { label, status, feedback: false },
});

describe('autoLabel', () => {
  it.each([
    [[{ op: 'assign', teamId: 't-billing', strategy: 'team' }], 'Assign to Billing'],
    [[{ op: 'assign', teamId: 'gone', strategy: 'team' }], 'Assign to a team'],
    [[{ op: 'send_message', template: 'Hi' }], 'Send message'],
    [[{ op: 'set_field', field: 'priority', value: 'urgent' }], 'Set priority to urgent'],
    [[{ op: 'set_field', field: 'job_status', value: 'Closed' }], 'Set job status to Closed'],
    [[{ op: 'set_field', field: 'unknown_key', value: true }], 'Set unknown_key to yes'],
    [[{ op: 'set_field', field: 'category', value: '' }], 'Clear category'],
    [[{ op: 'add_tag', tag: 'vip' }], 'Add tag vip'],
    [[{ op: 'webhook', url: 'https://example.com/h' }], 'Call webhook'],
    [[], 'New action'],
    [
      [
        { op: 'add_tag', tag: 'vip' },
        { op: 'send_message', template: 'Hi' },
        { op: 'webhook', url: 'https://example.com/h' },
      ],
      'Add tag vip and 2 more',
    ],
  ] as Array<[ActionOp[], string]>)('given an action doing %j, then it is named %j', (ops, name) => {
    expect(autoLabel(action(ops), CTX)).toBe(name);
  });

  it('given an End, then it is named after its status', () => {
    expect(autoLabel(end('resolved', ''), CTX)).toBe('Resolved');
    expect(autoLabel(end('closed_unresolved', ''), CTX)).toBe('Closed unresolved');
    expect(autoLabel(end('transferred', ''), CTX)).toBe('Transferred');
  });

  it('given a step or a decision, then no automatic name (the manager names them)', () => {
    expect(autoLabel(createNode('step', 's', { x: 0, y: 0 }), CTX)).toBeNull();
    expect(autoLabel(createNode('decision', 'd', { x: 0, y: 0 }), CTX)).toBeNull();
  });

  it('given a very long tag, then the name stays within the 200-character label bound', () => {
    const name = autoLabel(
      action([
        { op: 'add_tag', tag: 'x'.repeat(190) },
        ...Array(3).fill({ op: 'send_message', template: '' }),
      ]),
      CTX,
    );
    expect(name?.length).toBeLessThanOrEqual(200);
    expect(name).toMatch(/^Add tag x+… and 3 more$/);
  });
});

describe('isAutoLabel and uniqueLabel', () => {
  it('given the automatic name, a numbered one or nothing, then automatic; anything else is a rename', () => {
    expect(isAutoLabel('Resolved', 'Resolved')).toBe(true);
    expect(isAutoLabel('Resolved 2', 'Resolved')).toBe(true);
    expect(isAutoLabel('  ', 'Resolved')).toBe(true);
    expect(isAutoLabel('Resolved by billing', 'Resolved')).toBe(false);
    expect(isAutoLabel('Set priority to urgent (x)', 'Set priority to urgent (x)')).toBe(true);
    expect(isAutoLabel('Set priority to urgent x', 'Set priority to urgent (x)')).toBe(false);
  });

  it('given labels taken in any case, then the next free number', () => {
    expect(uniqueLabel('Resolved', new Set())).toBe('Resolved');
    expect(uniqueLabel('Resolved', new Set(['resolved']))).toBe('Resolved 2');
    expect(uniqueLabel('Resolved', new Set(['resolved', 'resolved 2']))).toBe('Resolved 3');
  });
});

describe('copyLabel', () => {
  it('given a free label, then kept; a taken one continues its series or is numbered', () => {
    expect(copyLabel('Urgent?', new Set())).toBe('Urgent?');
    expect(copyLabel('Urgent?', new Set(['urgent?']))).toBe('Urgent? 2');
    expect(copyLabel('Resolved 2', new Set(['resolved', 'resolved 2']))).toBe('Resolved 3');
    expect(copyLabel('Tier 2', new Set(['tier 2']))).toBe('Tier 2 2');
    expect(copyLabel('', new Set(['']))).toBe('');
  });
});

describe('followAutoLabel', () => {
  const docWith = (...nodes: FlowNode[]): FlowDocument => ({ ...DOC, nodes });

  it('given a new action, when its first operation is set, then it is named after it', () => {
    const before = action([]);
    const after = action([{ op: 'assign', teamId: 't-billing', strategy: 'team' }]);
    expect(labelOf(followAutoLabel(before, after, docWith(before), CTX))).toBe('Assign to Billing');
  });

  it('given an action named after its tag, when the tag is typed, then the name follows every keystroke', () => {
    let node = action([{ op: 'add_tag', tag: 'v' }], 'Add tag v');
    for (const tag of ['vi', 'vip']) {
      const next = action([{ op: 'add_tag', tag }], labelOf(node));
      node = followAutoLabel(node, next, docWith(node), CTX);
    }
    expect(labelOf(node)).toBe('Add tag vip');
  });

  it('given a renamed action, when its operations change, then it keeps its name', () => {
    const before = action([{ op: 'add_tag', tag: 'vip' }], 'Flag the VIP');
    const after = action([{ op: 'send_message', template: 'Hi' }], 'Flag the VIP');
    expect(followAutoLabel(before, after, docWith(before), CTX)).toBe(after);
  });

  it('given an edit that sets the label, then the label set is kept', () => {
    const before = end('resolved', 'Resolved');
    const after = end('resolved', 'Escalated');
    expect(followAutoLabel(before, after, docWith(before), CTX)).toBe(after);
  });

  it('given an End "Resolved 2", when its status changes, then it is named after the new status, numbered only when taken', () => {
    const other = end('resolved', 'Resolved', 'e1');
    const before = end('resolved', 'Resolved 2', 'e2');
    const after = end('transferred', 'Resolved 2', 'e2');
    expect(labelOf(followAutoLabel(before, after, docWith(other, before), CTX))).toBe('Transferred');
    const transferred = end('transferred', 'Transferred', 'e3');
    expect(labelOf(followAutoLabel(before, after, docWith(other, transferred, before), CTX))).toBe(
      'Transferred 2',
    );
  });

  it('given an End "Resolved 2", when only its feedback changes, then it keeps its number', () => {
    const before = end('resolved', 'Resolved 2');
    const after = { ...before, data: { ...before.data, feedback: true } } as FlowNode;
    expect(followAutoLabel(before, after, docWith(before), CTX)).toBe(after);
  });

  it('given a step, then its title never changes by itself', () => {
    const before = createNode('step', 's', { x: 0, y: 0 });
    const after = withLabel(before, 'New step');
    expect(followAutoLabel(before, { ...after, position: { x: 5, y: 5 } }, docWith(before), CTX)).toEqual({
      ...after,
      position: { x: 5, y: 5 },
    });
  });
});

describe('problem messages', () => {
  it('given two actions and two ends added to a canvas, when validated, then every problem names its node by a label no other node has', () => {
    // Given a start, two actions and two ends, none connected
    const builder = new Builder(emptyDocument());
    builder.addNode('start', { x: 0, y: 0 });
    const first = builder.addNode('action', { x: 0, y: 200 });
    const second = builder.addNode('action', { x: 0, y: 400 });
    builder.addNode('end', { x: 300, y: 0 });
    builder.addNode('end', { x: 300, y: 200 });
    builder.setTeamNames(new Map([['t1', 'Billing']]));
    builder.updateNode(second, (n) =>
      n.type === 'action'
        ? { ...n, data: { ...n.data, ops: [{ op: 'assign', teamId: 'gone', strategy: 'team' }] } }
        : n,
    );
    // When validated (with the builder's team check)
    const issues = [
      ...validate(builder.document),
      ...teamIssues(builder.document, [{ id: 't1', name: 'Billing' }]),
    ];
    const about = (id: string) => issues.filter((i) => i.nodeIds.length === 1 && i.nodeIds[0] === id);
    // Then each node's problems name it, and no two nodes share a name in them
    expect(about(first).map((i) => i.message)).toContain(
      'Action "New action" cannot be reached from the Start: connect an output to it or delete it.',
    );
    expect(about(second).map((i) => i.message)).toContain(
      'Action "Assign to a team" assigns to a team that does not exist in your organization: pick a team.',
    );
    const unreachable = issues.filter((i) => i.code === 'UNREACHABLE').map((i) => i.message);
    expect(unreachable).toEqual([
      'Action "New action" cannot be reached from the Start: connect an output to it or delete it.',
      'Action "Assign to a team" cannot be reached from the Start: connect an output to it or delete it.',
      'End "Resolved" cannot be reached from the Start: connect an output to it or delete it.',
      'End "Resolved 2" cannot be reached from the Start: connect an output to it or delete it.',
    ]);
  });
});

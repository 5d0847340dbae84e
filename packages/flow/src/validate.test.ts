import { describe, expect, it } from 'vitest';
import { generateFlow } from './generateFlow.ts';
import type { FlowDocument, FlowNode } from './schema.ts';
import {
  actionNode,
  all,
  branch,
  comparison,
  decisionNode,
  edge,
  endNode,
  flow,
  miniFlow,
  startNode,
  stepNode,
  subflowNode,
  waitNode,
} from './testFlows.ts';
import { canConnect, type RuleCode, VALIDATION_CODES, validate } from './validate.ts';

type Row = {
  code: RuleCode;
  /** A clean document close to the defect (validate returns no issue at all). */
  good: FlowDocument;
  /** The same idea with the defect. */
  bad: FlowDocument;
  nodeIds: string[];
  edgeIds: string[];
};

const routeTo = (d: FlowNode, extraNodes: FlowNode[] = [], extraEdges = [] as ReturnType<typeof edge>[]) =>
  flow(
    [startNode(), d, stepNode('s1'), endNode(), ...extraNodes],
    [
      edge('e1', 'start', 'next', d.id),
      edge('e2', 's1', 'outcome:done', 'end'),
      ...(d.type === 'decision'
        ? d.data.branches.map((b) => edge(`e-${b.id}`, d.id, `branch:${b.id}`, 's1'))
        : []),
      edge('e-default', d.id, d.type === 'decision' ? 'default' : 'next', 's1'),
      ...extraEdges,
    ],
    [{ key: 'amount', label: 'Amount', type: 'number' }],
  );

const TABLE: Row[] = [
  {
    code: 'NO_START',
    good: miniFlow(),
    bad: flow([stepNode('s1'), endNode()], [edge('e2', 's1', 'outcome:done', 'end')]),
    nodeIds: [],
    edgeIds: [],
  },
  {
    code: 'MULTIPLE_STARTS',
    good: miniFlow(),
    bad: flow(
      [startNode(), startNode('start2'), stepNode('s1'), endNode()],
      [
        edge('e1', 'start', 'next', 's1'),
        edge('e1b', 'start2', 'next', 's1'),
        edge('e2', 's1', 'outcome:done', 'end'),
      ],
    ),
    nodeIds: ['start', 'start2'],
    edgeIds: [],
  },
  {
    code: 'DUPLICATE_ID',
    good: miniFlow(),
    bad: flow(
      [startNode(), stepNode('s1'), endNode()],
      [edge('e1', 'start', 'next', 's1'), edge('e1', 's1', 'outcome:done', 'end')],
    ),
    nodeIds: [],
    edgeIds: ['e1'],
  },
  {
    code: 'DANGLING_EDGE',
    good: miniFlow(),
    bad: flow(
      [
        startNode(),
        stepNode('s1', {
          outcomes: [
            { id: 'done', label: 'Done' },
            { id: 'more', label: 'More' },
          ],
        }),
        endNode(),
      ],
      [
        edge('e1', 'start', 'next', 's1'),
        edge('e2', 's1', 'outcome:done', 'end'),
        edge('e3', 's1', 'outcome:more', 'ghost'),
      ],
    ),
    nodeIds: ['s1'],
    edgeIds: ['e3'],
  },
  {
    code: 'UNKNOWN_HANDLE',
    good: miniFlow(),
    bad: flow(
      [startNode(), stepNode('s1'), endNode()],
      [
        edge('e1', 'start', 'next', 's1'),
        edge('e2', 's1', 'outcome:done', 'end'),
        edge('e3', 's1', 'outcome:nope', 'end'),
      ],
    ),
    nodeIds: ['s1'],
    edgeIds: ['e3'],
  },
  {
    code: 'DUPLICATE_OUTPUT',
    good: miniFlow(),
    bad: flow(
      [startNode(), stepNode('s1'), endNode(), endNode('end2')],
      [
        edge('e1', 'start', 'next', 's1'),
        edge('e2', 's1', 'outcome:done', 'end'),
        edge('e3', 's1', 'outcome:done', 'end2'),
      ],
    ),
    nodeIds: ['s1'],
    edgeIds: ['e2', 'e3'],
  },
  {
    code: 'EDGE_INTO_START',
    // A retry outcome looping back to the step itself is fine; back into the Start is not.
    good: flow(
      [
        startNode(),
        stepNode('s1', {
          outcomes: [
            { id: 'done', label: 'Done' },
            { id: 'retry', label: 'Retry' },
          ],
        }),
        endNode(),
      ],
      [
        edge('e1', 'start', 'next', 's1'),
        edge('e2', 's1', 'outcome:done', 'end'),
        edge('e3', 's1', 'outcome:retry', 's1'),
      ],
    ),
    bad: flow(
      [
        startNode(),
        stepNode('s1', {
          outcomes: [
            { id: 'done', label: 'Done' },
            { id: 'retry', label: 'Retry' },
          ],
        }),
        endNode(),
      ],
      [
        edge('e1', 'start', 'next', 's1'),
        edge('e2', 's1', 'outcome:done', 'end'),
        edge('e3', 's1', 'outcome:retry', 'start'),
      ],
    ),
    nodeIds: ['s1', 'start'],
    edgeIds: ['e3'],
  },
  {
    code: 'SELF_LOOP',
    good: flow(
      [startNode(), actionNode('a1'), stepNode('s1'), endNode()],
      [
        edge('e1', 'start', 'next', 'a1'),
        edge('e2', 'a1', 'next', 's1'),
        edge('e3', 's1', 'outcome:done', 'end'),
      ],
    ),
    bad: flow(
      [startNode(), actionNode('a1'), stepNode('s1'), endNode()],
      [
        edge('e1', 'start', 'next', 'a1'),
        edge('e2', 'a1', 'next', 'a1'),
        edge('e3', 's1', 'outcome:done', 'end'),
      ],
    ),
    nodeIds: ['a1'],
    edgeIds: ['e2'],
  },
  {
    code: 'UNREACHABLE',
    good: miniFlow(),
    bad: flow(
      [startNode(), stepNode('s1'), stepNode('s2'), endNode()],
      [
        edge('e1', 'start', 'next', 's1'),
        edge('e2', 's1', 'outcome:done', 'end'),
        edge('e3', 's2', 'outcome:done', 'end'),
      ],
    ),
    nodeIds: ['s2'],
    edgeIds: [],
  },
  {
    code: 'UNCONNECTED_OUTPUT',
    good: miniFlow(),
    bad: flow(
      [
        startNode(),
        stepNode('s1', {
          outcomes: [
            { id: 'done', label: 'Done' },
            { id: 'later', label: 'Later' },
          ],
        }),
        endNode(),
      ],
      [edge('e1', 'start', 'next', 's1'), edge('e2', 's1', 'outcome:done', 'end')],
    ),
    nodeIds: ['s1'],
    edgeIds: [],
  },
  {
    code: 'NO_PATH_TO_END',
    // A loop through steps is fine as long as a way out leads to an End.
    good: flow(
      [
        startNode(),
        stepNode('s1', {
          outcomes: [
            { id: 'done', label: 'Done' },
            { id: 'more', label: 'More' },
          ],
        }),
        stepNode('s2'),
        endNode(),
      ],
      [
        edge('e1', 'start', 'next', 's1'),
        edge('e2', 's1', 'outcome:done', 'end'),
        edge('e3', 's1', 'outcome:more', 's2'),
        edge('e4', 's2', 'outcome:done', 's1'),
      ],
    ),
    bad: flow(
      [
        startNode(),
        stepNode('s1', {
          outcomes: [
            { id: 'done', label: 'Done' },
            { id: 'more', label: 'More' },
          ],
        }),
        stepNode('s2'),
        endNode(),
      ],
      [
        edge('e1', 'start', 'next', 's1'),
        edge('e2', 's1', 'outcome:done', 'end'),
        edge('e3', 's1', 'outcome:more', 's2'),
        edge('e4', 's2', 'outcome:done', 's2'),
      ],
    ),
    nodeIds: ['s2'],
    edgeIds: [],
  },
  {
    code: 'NO_OUTCOMES',
    good: miniFlow(),
    bad: flow(
      [startNode(), stepNode('s1', { outcomes: [] }), endNode()],
      [edge('e1', 'start', 'next', 's1'), edge('e2', 's1', 'sla_breach', 'end')],
    ),
    nodeIds: ['s1'],
    edgeIds: [],
  },
  {
    code: 'DECISION_WITHOUT_BRANCHES',
    good: routeTo(decisionNode('d1', [branch('b1', all(comparison('priority', 'equals', 'urgent')))])),
    bad: routeTo(decisionNode('d1', [])),
    nodeIds: ['d1'],
    edgeIds: [],
  },
  {
    code: 'DEFAULT_BRANCH_MISSING',
    good: routeTo(decisionNode('d1', [branch('b1', all(comparison('priority', 'equals', 'urgent')))])),
    bad: flow(
      [
        startNode(),
        decisionNode('d1', [branch('b1', all(comparison('priority', 'equals', 'urgent')))]),
        stepNode('s1'),
        endNode(),
      ],
      [
        edge('e1', 'start', 'next', 'd1'),
        edge('e-b1', 'd1', 'branch:b1', 's1'),
        edge('e2', 's1', 'outcome:done', 'end'),
      ],
    ),
    nodeIds: ['d1'],
    edgeIds: [],
  },
  {
    code: 'AUTOMATIC_CYCLE',
    // The same loop with a step in it is a legitimate "try again" loop.
    good: flow(
      [
        startNode(),
        decisionNode('d1', [branch('b1', all(comparison('tags', 'contains', 'ready')))]),
        stepNode('s1'),
        stepNode('s2'),
        endNode(),
      ],
      [
        edge('e1', 'start', 'next', 'd1'),
        edge('e2', 'd1', 'branch:b1', 's1'),
        edge('e3', 'd1', 'default', 's2'),
        edge('e4', 's2', 'outcome:done', 'd1'),
        edge('e5', 's1', 'outcome:done', 'end'),
      ],
    ),
    bad: flow(
      [
        startNode(),
        decisionNode('d1', [branch('b1', all(comparison('tags', 'contains', 'ready')))]),
        stepNode('s1'),
        actionNode('a1'),
        endNode(),
      ],
      [
        edge('e1', 'start', 'next', 'd1'),
        edge('e2', 'd1', 'branch:b1', 's1'),
        edge('e3', 'd1', 'default', 'a1'),
        edge('e4', 'a1', 'next', 'd1'),
        edge('e5', 's1', 'outcome:done', 'end'),
      ],
    ),
    nodeIds: ['a1', 'd1'],
    edgeIds: ['e3', 'e4'],
  },
  {
    code: 'STEP_WITHOUT_TEAM',
    good: miniFlow(),
    bad: flow(
      [startNode(), stepNode('s1', { teamId: null }), endNode()],
      [edge('e1', 'start', 'next', 's1'), edge('e2', 's1', 'outcome:done', 'end')],
    ),
    nodeIds: ['s1'],
    edgeIds: [],
  },
  {
    code: 'CURRENT_TEAM_UNSET',
    // Every path to the step set to the ticket's current team assigns a team first.
    good: routeTo(
      decisionNode('d1', [branch('b1', all(comparison('priority', 'equals', 'urgent')))]),
      [
        actionNode('a1', [{ op: 'assign', teamId: 'team-senior', strategy: 'team' }]),
        stepNode('s2', { teamId: null, teamSource: 'current' }),
      ],
      [
        edge('e-a1', 'a1', 'next', 's2'),
        edge('e-s2', 's2', 'outcome:done', 'end'),
        edge('e-b', 's1', 'sla_breach', 'a1'),
      ],
    ),
    // The default branch reaches it with no team set.
    bad: flow(
      [
        startNode(),
        decisionNode('d1', [branch('b1', all(comparison('priority', 'equals', 'urgent')))]),
        actionNode('a1', [{ op: 'assign', teamId: 'team-senior', strategy: 'team' }]),
        stepNode('s2', { teamId: null, teamSource: 'current' }),
        endNode(),
      ],
      [
        edge('e1', 'start', 'next', 'd1'),
        edge('e2', 'd1', 'branch:b1', 'a1'),
        edge('e3', 'd1', 'default', 's2'),
        edge('e4', 'a1', 'next', 's2'),
        edge('e5', 's2', 'outcome:done', 'end'),
      ],
    ),
    nodeIds: ['s2'],
    edgeIds: [],
  },
  {
    code: 'STEP_WITHOUT_SLA',
    good: miniFlow(),
    bad: flow(
      [startNode(), stepNode('s1', { slaMinutes: null }), endNode()],
      [edge('e1', 'start', 'next', 's1'), edge('e2', 's1', 'outcome:done', 'end')],
    ),
    nodeIds: ['s1'],
    edgeIds: [],
  },
  {
    code: 'UNKNOWN_FIELD',
    // A step's form field is a field conditions may read.
    good: routeTo(
      decisionNode('d1', [branch('b1', all(comparison('order_number', 'is_set')))]),
      [stepNode('s0', { form: [{ key: 'order_number', label: 'Order', type: 'text', required: true }] })],
      [edge('e0', 's0', 'outcome:done', 'end'), edge('e0b', 's1', 'sla_breach', 's0')],
    ),
    bad: routeTo(decisionNode('d1', [branch('b1', all(comparison('colour', 'equals', 'red')))])),
    nodeIds: ['d1'],
    edgeIds: [],
  },
  {
    code: 'CONDITION_TYPE_MISMATCH',
    good: routeTo(decisionNode('d1', [branch('b1', all(comparison('amount', 'greater_than', 100)))])),
    bad: routeTo(decisionNode('d1', [branch('b1', all(comparison('subject', 'greater_than', 100)))])),
    nodeIds: ['d1'],
    edgeIds: [],
  },
  {
    code: 'SUBFLOW_WITHOUT_TARGET',
    good: routeTo(subflowNode('sf', 'flow-follow-up')),
    bad: routeTo(subflowNode('sf', null)),
    nodeIds: ['sf'],
    edgeIds: [],
  },
  {
    code: 'WAIT_WITHOUT_DURATION',
    good: routeTo(waitNode('w', 'duration', 60)),
    bad: routeTo(waitNode('w', 'duration', null)),
    nodeIds: ['w'],
    edgeIds: [],
  },
  {
    code: 'NOTIFY_INCOMPLETE',
    good: routeTo({
      id: 'n',
      type: 'notify',
      position: { x: 0, y: 0 },
      data: { label: 'Tell the leads', channel: 'Escalations', message: 'Ticket {{ticket.number}} is late' },
    }),
    bad: routeTo({
      id: 'n',
      type: 'notify',
      position: { x: 0, y: 0 },
      data: { label: 'Tell the leads', channel: ' ', message: 'Ticket {{ticket.number}} is late' },
    }),
    nodeIds: ['n'],
    edgeIds: [],
  },
  {
    code: 'DUPLICATE_ITEM_ID',
    good: flow(
      [
        startNode(),
        stepNode('s1', {
          checklist: [
            { id: 'a', label: 'First', required: true },
            { id: 'b', label: 'Second', required: false },
          ],
        }),
        endNode(),
      ],
      [edge('e1', 'start', 'next', 's1'), edge('e2', 's1', 'outcome:done', 'end')],
    ),
    bad: flow(
      [
        startNode(),
        stepNode('s1', {
          checklist: [
            { id: 'a', label: 'First', required: true },
            { id: 'a', label: 'Second', required: false },
          ],
        }),
        endNode(),
      ],
      [edge('e1', 'start', 'next', 's1'), edge('e2', 's1', 'outcome:done', 'end')],
    ),
    nodeIds: ['s1'],
    edgeIds: [],
  },
  {
    code: 'REQUIREMENT_UNKNOWN_OUTCOME',
    // Required only for the step's own outcome "done".
    good: flow(
      [
        startNode(),
        stepNode('s1', { checklist: [{ id: 'a', label: 'First', required: true, requiredFor: ['done'] }] }),
        endNode(),
      ],
      [edge('e1', 'start', 'next', 's1'), edge('e2', 's1', 'outcome:done', 'end')],
    ),
    // Required for an outcome the step does not have.
    bad: flow(
      [
        startNode(),
        stepNode('s1', { checklist: [{ id: 'a', label: 'First', required: true, requiredFor: ['gone'] }] }),
        endNode(),
      ],
      [edge('e1', 'start', 'next', 's1'), edge('e2', 's1', 'outcome:done', 'end')],
    ),
    nodeIds: ['s1'],
    edgeIds: [],
  },
];

const sorted = (ids: string[]) => [...ids].sort();

describe('validate: the rule table (reliability test 1)', () => {
  it('covers every code in VALIDATION_CODES, once', () => {
    // Given the table, when its codes are listed, then they are exactly the exported codes
    expect(sorted(TABLE.map((row) => row.code))).toEqual(sorted([...VALIDATION_CODES]));
  });

  describe.each(TABLE)('$code', (row) => {
    it('accepts the clean fixture without any issue', () => {
      // Given a clean document close to the defect, when validated, then nothing is reported
      expect(validate(row.good)).toEqual([]);
    });

    it('rejects the defective fixture with its own code and the right node and edge ids', () => {
      // Given the defective document, when validated
      const issues = validate(row.bad);
      // Then exactly one issue carries this rule's code, pointing at the culprits
      const mine = issues.filter((i) => i.code === row.code);
      expect(mine).toHaveLength(1);
      expect(sorted(mine[0]!.nodeIds)).toEqual(sorted(row.nodeIds));
      expect(sorted(mine[0]!.edgeIds)).toEqual(sorted(row.edgeIds));
      expect(mine[0]!.message.length).toBeGreaterThan(20);
      const warning = row.code === 'STEP_WITHOUT_SLA' || row.code === 'DECISION_WITHOUT_BRANCHES';
      expect(mine[0]!.severity).toBe(warning ? 'warning' : 'error');
    });
  });
});

describe('validate: details', () => {
  it('words a missing team the way a manager reads it', () => {
    // Given a step titled "Verify eligibility" without a team
    const doc = flow(
      [startNode(), stepNode('s1', { title: 'Verify eligibility', teamId: null }), endNode()],
      [edge('e1', 'start', 'next', 's1'), edge('e2', 's1', 'outcome:done', 'end')],
    );
    // When validated, then the message names the step and says what to do
    expect(validate(doc).map((i) => i.message)).toEqual([
      'Step "Verify eligibility" has no team: pick the team that works it.',
    ]);
  });

  it('names the step that keeps the ticket team when no team is set before it', () => {
    // Given a first step set to the ticket's current team
    const doc = flow(
      [startNode(), stepNode('s1', { title: 'Take over', teamId: null, teamSource: 'current' }), endNode()],
      [edge('e1', 'start', 'next', 's1'), edge('e2', 's1', 'outcome:done', 'end')],
    );
    // When validated, then only the new rule speaks (not "has no team"), naming the step by its title
    const issues = validate(doc);
    expect(issues.map((i) => i.code)).toEqual(['CURRENT_TEAM_UNSET']);
    expect(issues[0]!.message).toMatch(/^Step "Take over" is worked by the ticket's current team/);
  });

  it('accepts a step keeping the ticket team after a step with a named team', () => {
    // Given start → named-team step → current-team step → end
    const doc = flow(
      [startNode(), stepNode('s1'), stepNode('s2', { teamId: null, teamSource: 'current' }), endNode()],
      [
        edge('e1', 'start', 'next', 's1'),
        edge('e2', 's1', 'outcome:done', 's2'),
        edge('e3', 's2', 'outcome:done', 'end'),
      ],
    );
    // When validated, then it is clean
    expect(validate(doc)).toEqual([]);
  });

  it('reports an End node with an outgoing connection as UNKNOWN_HANDLE', () => {
    // Given an end with an edge out of it
    const doc = miniFlow();
    doc.nodes.push(endNode('end2'));
    doc.edges.push(edge('e9', 'end', 'next', 'end2'));
    // When validated, then that edge is an unknown handle of the End
    const issue = validate(doc).find((i) => i.code === 'UNKNOWN_HANDLE');
    expect(issue).toMatchObject({ nodeIds: ['end'], edgeIds: ['e9'] });
    expect(issue?.message).toContain('ends the flow');
  });

  it('reports duplicate node ids once per id', () => {
    // Given two nodes sharing an id
    const doc = miniFlow();
    doc.nodes.push(stepNode('s1'), stepNode('s1'));
    // When validated, then one DUPLICATE_ID names it
    expect(validate(doc).filter((i) => i.code === 'DUPLICATE_ID')).toEqual([
      expect.objectContaining({ nodeIds: ['s1'], edgeIds: [] }),
    ]);
  });

  it('uses DEFAULT_BRANCH_MISSING, not UNCONNECTED_OUTPUT, for a decision default', () => {
    // Given a decision without its default connected
    const doc = TABLE.find((r) => r.code === 'DEFAULT_BRANCH_MISSING')!.bad;
    // When validated, then no UNCONNECTED_OUTPUT is reported
    const codes = validate(doc).map((i) => i.code);
    expect(codes).toContain('DEFAULT_BRANCH_MISSING');
    expect(codes).not.toContain('UNCONNECTED_OUTPUT');
  });

  it('does not require the SLA-breach output to be connected', () => {
    // Given the mini flow (its step's sla_breach is unconnected), when validated, then it is clean
    expect(validate(miniFlow())).toEqual([]);
  });

  it('requires the timeout output of a reply wait with minutes', () => {
    // Given a reply wait with a timeout whose timeout output is not connected
    const doc = flow(
      [startNode(), waitNode('w', 'reply', 60), endNode()],
      [edge('e1', 'start', 'next', 'w'), edge('e2', 'w', 'next', 'end')],
    );
    // When validated, then the timeout output is reported
    expect(validate(doc)).toEqual([expect.objectContaining({ code: 'UNCONNECTED_OUTPUT', nodeIds: ['w'] })]);
    expect(validate(doc)[0]!.message).toContain('"Timeout"');
  });

  it.each([
    ['a number compared with text', comparison('amount', 'equals', 'lots')],
    ['"is one of" without a list', comparison('priority', 'in', 'urgent')],
    ['a choice value not among the options', comparison('priority', 'equals', 'critical')],
    ['"contains" on a number field', comparison('amount', 'contains', '1')],
    ['a list for "is"', comparison('priority', 'equals', ['low', 'high'])],
    ['no value for "is"', comparison('priority', 'equals')],
    ['a non-date for a date field', comparison('due', 'less_than', 'tomorrow')],
  ])('rejects %s as CONDITION_TYPE_MISMATCH', (_words, rule) => {
    // Given a decision comparing with a value of the wrong type
    const doc = routeTo(decisionNode('d1', [branch('b1', all(rule))]));
    doc.fields.push({ key: 'due', label: 'Due', type: 'date' });
    // When validated, then the mismatch is reported on the decision
    expect(validate(doc)).toEqual([
      expect.objectContaining({ code: 'CONDITION_TYPE_MISMATCH', nodeIds: ['d1'] }),
    ]);
  });

  it.each([
    comparison('priority', 'in', ['urgent', 'HIGH']),
    comparison('due', 'greater_than', '2024-01-31'),
    comparison('customer.tier', 'not_equals', 'vip'),
    comparison('tags', 'contains', 'vip'),
    comparison('subject', 'is_empty'),
  ])('accepts a well-typed comparison (%o)', (rule) => {
    // Given a decision comparing fields with values of the right type
    const doc = routeTo(decisionNode('d1', [branch('b1', all(rule))]));
    doc.fields.push({ key: 'due', label: 'Due', type: 'date' });
    // When validated, then it is clean
    expect(validate(doc)).toEqual([]);
  });

  it('checks comparisons inside nested groups', () => {
    // Given an unknown field three groups down
    const doc = routeTo(
      decisionNode('d1', [
        branch('b1', all(all(all(comparison('nope', 'is_set'))), comparison('priority', 'is_set'))),
      ]),
    );
    // When validated, then it is found
    expect(validate(doc).map((i) => i.code)).toEqual(['UNKNOWN_FIELD']);
  });

  it('flags a 5,000-node loop of automatic nodes without overflowing the stack', () => {
    // Given a chain of 5,000 actions whose last one leads back to the first (and no way out)
    const nodes: FlowNode[] = [startNode()];
    const edges = [edge('e0', 'start', 'next', 'a0')];
    for (let i = 0; i < 5000; i++) {
      nodes.push(actionNode(`a${i}`));
      edges.push(edge(`e${i + 1}`, `a${i}`, 'next', i === 4999 ? 'a0' : `a${i + 1}`));
    }
    // When validated
    const issues = validate(flow(nodes, edges));
    // Then one cycle names all 5,000 actions
    const cycles = issues.filter((i) => i.code === 'AUTOMATIC_CYCLE');
    expect(cycles).toHaveLength(1);
    expect(cycles[0]!.nodeIds).toHaveLength(5000);
    expect(cycles[0]!.edgeIds).toHaveLength(5000);
  });

  it('accepts a 5,000-node chain (deep paths do not overflow)', () => {
    // Given start → 4,998 actions in a row → end
    const nodes: FlowNode[] = [startNode()];
    const edges = [edge('e0', 'start', 'next', 'a1')];
    for (let i = 1; i < 4999; i++) {
      nodes.push(actionNode(`a${i}`));
      edges.push(edge(`e${i}`, `a${i}`, 'next', i === 4998 ? 'end' : `a${i + 1}`));
    }
    nodes.push(endNode());
    // When validated, then it is clean
    expect(validate(flow(nodes, edges))).toEqual([]);
  });

  it('accepts a generated 5,000-node flow (its speed is measured by `npm run bench`, E2)', () => {
    // Given a 5,000-node generated flow
    const doc = generateFlow(5000, 11);
    // When validated, then it is clean
    expect(validate(doc)).toEqual([]);
  });
});

describe('canConnect', () => {
  const doc = flow(
    [
      startNode(),
      stepNode('s1', {
        outcomes: [
          { id: 'done', label: 'Done' },
          { id: 'retry', label: 'Retry' },
        ],
      }),
      actionNode('a1'),
      endNode(),
    ],
    [edge('e1', 'start', 'next', 's1'), edge('e2', 's1', 'outcome:done', 'a1')],
  );

  it.each([
    ['a free output to another node', { source: 'a1', sourceHandle: 'next', target: 'end' }],
    ['a step to itself', { source: 's1', sourceHandle: 'outcome:retry', target: 's1' }],
    ['a step SLA breach', { source: 's1', sourceHandle: 'sla_breach', target: 'end' }],
  ])('allows %s', (_words, connection) => {
    // Given the flow, when asked, then the connection is allowed
    expect(canConnect(doc, connection)).toEqual({ ok: true });
  });

  it.each([
    ['DANGLING_EDGE', { source: 'a1', sourceHandle: 'next', target: 'ghost' }],
    ['DANGLING_EDGE', { source: 'ghost', sourceHandle: 'next', target: 'end' }],
    ['UNKNOWN_HANDLE', { source: 's1', sourceHandle: 'outcome:nope', target: 'end' }],
    ['UNKNOWN_HANDLE', { source: 'end', sourceHandle: 'next', target: 's1' }],
    ['EDGE_INTO_START', { source: 'a1', sourceHandle: 'next', target: 'start' }],
    ['SELF_LOOP', { source: 'a1', sourceHandle: 'next', target: 'a1' }],
    ['DUPLICATE_OUTPUT', { source: 's1', sourceHandle: 'outcome:done', target: 'end' }],
  ])('refuses with %s: %o', (code, connection) => {
    // Given the flow, when asked for a connection breaking a rule, then it is refused with that rule's code
    const result = canConnect(doc, connection);
    expect(result).toMatchObject({ ok: false, code });
    if (!result.ok) expect(result.message.length).toBeGreaterThan(10);
  });

  it('agrees with validate: what it allows, validate accepts', () => {
    // Given the flow plus the two connections canConnect allows to complete it
    const done = flow(doc.nodes, [
      ...doc.edges,
      edge('e3', 'a1', 'next', 'end'),
      edge('e4', 's1', 'outcome:retry', 's1'),
    ]);
    expect(canConnect(doc, { source: 'a1', sourceHandle: 'next', target: 'end' })).toEqual({ ok: true });
    // When validated, then it is clean
    expect(validate(done)).toEqual([]);
  });
});

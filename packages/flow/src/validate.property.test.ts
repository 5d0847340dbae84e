import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateFlow } from './generateFlow.ts';
import { parseFlowDocument } from './parseFlowDocument.ts';
import { AUTOMATIC_TYPES, type FlowDocument, type FlowNode, requiredOutputsOf } from './schema.ts';
import { actionNode, edge, startNode, stepNode } from './testFlows.ts';
import { type RuleCode, VALIDATION_CODES, validate } from './validate.ts';

/** Small random flows: every node type appears from 5 nodes on (start, step, decision, action, end). */
const flowArb = fc.record({ nodeCount: fc.integer({ min: 5, max: 30 }), seed: fc.integer() });

type Pick = <T>(list: readonly T[]) => T;
type Mutation = { name: string; code: RuleCode; apply: (doc: FlowDocument, pick: Pick) => void };

const ofType = <T extends FlowNode['type']>(doc: FlowDocument, type: T) =>
  doc.nodes.filter((n): n is Extract<FlowNode, { type: T }> => n.type === type);

/** Replaces a node in place, keeping its id and its place in the list. */
const replaceNode = (doc: FlowDocument, old: FlowNode, next: FlowNode) => {
  doc.nodes[doc.nodes.indexOf(old)] = next;
};

/**
 * Single defects and the code each must produce. Each applies to any generated flow of 5+ nodes
 * (a start, a step, a decision with a branch, an action and an end are always there).
 */
const MUTATIONS: Mutation[] = [
  {
    name: 'remove an edge from a required output',
    code: 'UNCONNECTED_OUTPUT',
    apply: (doc, pick) => {
      const victims = doc.edges.filter(
        (e) => e.sourceHandle !== 'sla_breach' && e.sourceHandle !== 'default',
      );
      const victim = pick(victims);
      doc.edges.splice(doc.edges.indexOf(victim), 1);
    },
  },
  {
    name: 'remove the default edge of a decision',
    code: 'DEFAULT_BRANCH_MISSING',
    apply: (doc, pick) => {
      const d = pick(ofType(doc, 'decision'));
      doc.edges = doc.edges.filter((e) => !(e.source === d.id && e.sourceHandle === 'default'));
    },
  },
  {
    name: 'retarget an edge into the start',
    code: 'EDGE_INTO_START',
    apply: (doc, pick) => {
      pick(doc.edges).target = 'start';
    },
  },
  {
    name: "clear a step's team",
    code: 'STEP_WITHOUT_TEAM',
    apply: (doc, pick) => {
      pick(ofType(doc, 'step')).data.teamId = null;
    },
  },
  {
    name: "make every step keep the ticket's team, with no assign action before",
    code: 'CURRENT_TEAM_UNSET',
    apply: (doc) => {
      for (const node of doc.nodes) {
        if (node.type === 'step') node.data = { ...node.data, teamId: null, teamSource: 'current' };
        if (node.type === 'action')
          node.data.ops = node.data.ops.map((op) =>
            op.op === 'assign' ? { op: 'add_tag', tag: 'moved' } : op,
          );
      }
    },
  },
  {
    name: "clear a step's SLA",
    code: 'STEP_WITHOUT_SLA',
    apply: (doc, pick) => {
      pick(ofType(doc, 'step')).data.slaMinutes = null;
    },
  },
  {
    name: 'rename a condition field to an unknown one',
    code: 'UNKNOWN_FIELD',
    apply: (doc, pick) => {
      const d = pick(ofType(doc, 'decision'));
      const rule = pick(d.data.branches).condition.rules[0]!;
      if (rule.kind === 'comparison') rule.field = 'no_such_field';
      else throw new Error('generated branches start with a comparison');
    },
  },
  {
    name: 'compare a text field with greater_than',
    code: 'CONDITION_TYPE_MISMATCH',
    apply: (doc, pick) => {
      const d = pick(ofType(doc, 'decision'));
      pick(d.data.branches).condition.rules[0] = {
        kind: 'comparison',
        field: 'subject',
        operator: 'greater_than',
        value: 3,
      };
    },
  },
  {
    name: 'add an automatic self-loop',
    code: 'SELF_LOOP',
    apply: (doc, pick) => {
      const automatic = doc.nodes.filter((n) => AUTOMATIC_TYPES.has(n.type) && n.type !== 'start');
      const node = pick(automatic);
      const out = doc.edges.find((e) => e.source === node.id)!;
      out.target = node.id;
    },
  },
  {
    name: 'duplicate a node id',
    code: 'DUPLICATE_ID',
    apply: (doc, pick) => {
      const a = pick(doc.nodes.slice(1));
      doc.nodes.push({ ...a, position: { x: 1, y: 1 } });
    },
  },
  {
    name: 'duplicate an edge id',
    code: 'DUPLICATE_ID',
    apply: (doc, pick) => {
      const [a, b] = [pick(doc.edges), pick(doc.edges)];
      if (a === b) doc.edges.push({ ...a });
      else b.id = a.id;
    },
  },
  {
    name: 'point an edge at a missing node',
    code: 'DANGLING_EDGE',
    apply: (doc, pick) => {
      pick(doc.edges).target = 'ghost';
    },
  },
  {
    name: 'draw an edge from an output the node lacks',
    code: 'UNKNOWN_HANDLE',
    apply: (doc, pick) => {
      const e = pick(doc.edges);
      e.sourceHandle = `outcome:${e.sourceHandle.length}x`;
    },
  },
  {
    name: 'draw an edge out of an end',
    code: 'UNKNOWN_HANDLE',
    apply: (doc, pick) => {
      const end = pick(ofType(doc, 'end'));
      doc.edges.push(edge('e-extra', end.id, 'next', pick(doc.nodes.slice(1)).id));
    },
  },
  {
    name: 'connect an output twice',
    code: 'DUPLICATE_OUTPUT',
    apply: (doc, pick) => {
      const e = pick(doc.edges);
      doc.edges.push({ ...e, id: 'e-copy' });
    },
  },
  {
    name: 'add an island step',
    code: 'UNREACHABLE',
    apply: (doc) => {
      doc.nodes.push(stepNode('island'));
      doc.edges.push(edge('e-island', 'island', 'outcome:done', 'end'));
    },
  },
  {
    name: "loop a step's every outcome onto itself",
    code: 'NO_PATH_TO_END',
    apply: (doc, pick) => {
      const s = pick(ofType(doc, 'step'));
      doc.edges = doc.edges.filter((e) => !(e.source === s.id && e.sourceHandle === 'sla_breach'));
      for (const e of doc.edges) if (e.source === s.id) e.target = s.id;
    },
  },
  {
    name: 'remove every outcome of a step',
    code: 'NO_OUTCOMES',
    apply: (doc, pick) => {
      const s = pick(ofType(doc, 'step'));
      s.data.outcomes = [];
      doc.edges = doc.edges.filter((e) => !(e.source === s.id && e.sourceHandle.startsWith('outcome:')));
    },
  },
  {
    name: 'add an unconnected outcome',
    code: 'UNCONNECTED_OUTPUT',
    apply: (doc, pick) => {
      pick(ofType(doc, 'step')).data.outcomes.push({ id: 'brand_new', label: 'Brand new' });
    },
  },
  {
    name: 'remove every branch of a decision',
    code: 'DECISION_WITHOUT_BRANCHES',
    apply: (doc, pick) => {
      const d = pick(ofType(doc, 'decision'));
      d.data.branches = [];
      doc.edges = doc.edges.filter((e) => !(e.source === d.id && e.sourceHandle.startsWith('branch:')));
    },
  },
  {
    name: 'put two actions in a loop',
    code: 'AUTOMATIC_CYCLE',
    apply: (doc, pick) => {
      const e = pick(doc.edges);
      doc.nodes.push(actionNode('loop_a'), actionNode('loop_b'));
      e.target = 'loop_a';
      doc.edges.push(edge('e-la', 'loop_a', 'next', 'loop_b'), edge('e-lb', 'loop_b', 'next', 'loop_a'));
    },
  },
  {
    name: 'turn an action into a subflow without target',
    code: 'SUBFLOW_WITHOUT_TARGET',
    apply: (doc, pick) => {
      const a = pick(ofType(doc, 'action'));
      replaceNode(doc, a, {
        id: a.id,
        type: 'subflow',
        position: a.position,
        data: { label: 'Sub', flowId: null },
      });
    },
  },
  {
    name: 'turn an action into a duration wait without minutes',
    code: 'WAIT_WITHOUT_DURATION',
    apply: (doc, pick) => {
      const a = pick(ofType(doc, 'action'));
      replaceNode(doc, a, {
        id: a.id,
        type: 'wait',
        position: a.position,
        data: { label: 'Pause', mode: 'duration', minutes: null },
      });
    },
  },
  {
    name: 'turn an action into a notify node that names no channel',
    code: 'NOTIFY_INCOMPLETE',
    apply: (doc, pick) => {
      const a = pick(ofType(doc, 'action'));
      replaceNode(doc, a, {
        id: a.id,
        type: 'notify',
        position: a.position,
        data: { label: 'Tell the team', channel: '', message: 'Ticket {{ticket.number}} moved' },
      });
    },
  },
  {
    name: 'repeat an outcome id',
    code: 'DUPLICATE_ITEM_ID',
    apply: (doc, pick) => {
      const s = pick(ofType(doc, 'step'));
      s.data.outcomes.push({ ...s.data.outcomes[0]!, label: 'Again' });
    },
  },
  {
    name: 'require a form field only for an outcome the step does not have',
    code: 'REQUIREMENT_UNKNOWN_OUTCOME',
    apply: (doc, pick) => {
      const s = pick(ofType(doc, 'step'));
      s.data.form = [
        ...s.data.form,
        {
          key: 'mutated_answer',
          label: 'Answer',
          type: 'boolean',
          required: true,
          requiredFor: ['no_such_outcome'],
        },
      ];
    },
  },
  {
    name: 'remove the start',
    code: 'NO_START',
    apply: (doc) => {
      doc.nodes = doc.nodes.filter((n) => n.type !== 'start');
      doc.edges = doc.edges.filter((e) => e.source !== 'start');
    },
  },
  {
    name: 'add a second start',
    code: 'MULTIPLE_STARTS',
    apply: (doc, pick) => {
      doc.nodes.push(startNode('start2'));
      doc.edges.push(
        edge('e-start2', 'start2', 'next', pick(doc.nodes.filter((n) => n.type !== 'start')).id),
      );
    },
  },
];

describe('validate: property (reliability test 2)', () => {
  it('has a mutation for every rule code', () => {
    // Given the mutation list, when its codes are collected, then every code is exercised
    expect(new Set(MUTATIONS.map((m) => m.code))).toEqual(new Set(VALIDATION_CODES));
  });

  it('accepts 10,000 random valid flows', () => {
    // Given random flows of 5–30 nodes, when validated, then there is no issue at all
    fc.assert(
      fc.property(flowArb, ({ nodeCount, seed }) => {
        const doc = generateFlow(nodeCount, seed);
        expect(doc.nodes).toHaveLength(nodeCount);
        expect(validate(doc)).toEqual([]);
      }),
      { numRuns: 10_000 },
    );
  }, 60_000);

  it('parses 1,000 random valid flows after a JSON round trip', () => {
    // Given random flows serialised as JSON, when parsed, then they come back equal
    fc.assert(
      fc.property(flowArb, ({ nodeCount, seed }) => {
        const doc = generateFlow(nodeCount, seed);
        const result = parseFlowDocument(JSON.parse(JSON.stringify(doc)));
        expect(result).toEqual({ ok: true, document: doc });
      }),
      { numRuns: 1_000 },
    );
  }, 60_000);

  it('rejects 10,000 single mutations with the expected code', () => {
    // Given a random valid flow and one random defect
    fc.assert(
      fc.property(
        flowArb,
        fc.constantFrom(...MUTATIONS),
        fc.infiniteStream(fc.nat()),
        ({ nodeCount, seed }, mutation, choices) => {
          const doc = structuredClone(generateFlow(nodeCount, seed));
          const pick: Pick = (list) => {
            if (list.length === 0) throw new Error(`nothing to pick for "${mutation.name}"`);
            return list[choices.next().value % list.length]!;
          };
          mutation.apply(doc, pick);
          // When validated (without throwing)
          const issues = validate(doc);
          // Then the defect is reported with its code; errors block, warnings are warnings
          const mine = issues.filter((i) => i.code === mutation.code);
          expect(
            mine.length,
            `${mutation.name}: ${JSON.stringify(issues.map((i) => i.code))}`,
          ).toBeGreaterThan(0);
          const warning =
            mutation.code === 'STEP_WITHOUT_SLA' || mutation.code === 'DECISION_WITHOUT_BRANCHES';
          expect(mine.every((i) => i.severity === (warning ? 'warning' : 'error'))).toBe(true);
          if (!warning) expect(issues.some((i) => i.severity === 'error')).toBe(true);
        },
      ),
      { numRuns: 10_000 },
    );
  }, 60_000);

  it('keeps required outputs connected in generated flows (the generator is not trivially valid)', () => {
    // Given generated flows, when their required outputs are counted, then some have several per node
    const doc = generateFlow(30, 3);
    const outputs = doc.nodes.reduce((sum, n) => sum + requiredOutputsOf(n).length, 0);
    expect(outputs).toBeGreaterThan(doc.nodes.length);
    expect(new Set(doc.nodes.map((n) => n.type)).size).toBeGreaterThanOrEqual(5);
  });
});

import type {
  ActionOp,
  Branch,
  ChecklistItem,
  Comparison,
  ConditionGroup,
  Edge,
  FieldDef,
  FlowDocument,
  FlowNode,
  FormField,
  Outcome,
} from './schema.ts';
import { CURRENT_SCHEMA_VERSION } from './schema.ts';
import { seededRandom as prng } from './seededRandom.ts';

const STEP_TITLES = [
  'Verify identity',
  'Check order history',
  'Reproduce the issue',
  'Collect logs',
  'Confirm billing details',
  'Review account status',
  'Call the customer back',
  'Check warranty',
];
const OUTCOMES: readonly Outcome[] = [
  { id: 'done', label: 'Done' },
  { id: 'needs_info', label: 'Needs info' },
  { id: 'escalate', label: 'Escalate' },
];
const TEAMS = ['team-billing', 'team-technical'];
const SLAS = [30, 60, 240, 480, 1440];
const FORM_TYPES: ReadonlyArray<FormField['type']> = ['text', 'number', 'email', 'date', 'choice'];
const FIELDS: FieldDef[] = [
  { key: 'amount', label: 'Amount', type: 'number' },
  { key: 'region', label: 'Region', type: 'choice', options: ['EU', 'US', 'APAC'] },
];

type Open = { source: number; handle: string };

/**
 * Generates a valid flow document (no validation errors or warnings) of exactly `nodeCount` nodes
 * (at least 2), the same for the same seed: a start, then steps, decisions, actions, waits and
 * subflows wired forward (so no loop of automatic nodes), some steps with a retry outcome looping
 * back, every output connected, every node reachable and every path ending in an End.
 * Benchmarks and property tests use it; it is pure (seeded PRNG, no `Math.random`).
 */
export function generateFlow(nodeCount: number, seed: number): FlowDocument {
  const random = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const total = Math.max(2, Math.floor(nodeCount));
  const nodes: FlowNode[] = [];
  const edges: Edge[] = [];
  const open: Open[] = [];
  const formFields: FormField[] = [];
  const position = (k: number) => ({ x: (k % 10) * 280, y: Math.floor(k / 10) * 180 });
  const connect = (source: number, handle: string, target: number) => {
    edges.push({
      id: `e${edges.length}`,
      source: nodes[source]!.id,
      sourceHandle: handle,
      target: nodes[target]!.id,
    });
  };
  const takeOpen = (): Open => {
    const i = Math.floor(random() * open.length);
    const taken = open[i]!;
    open[i] = open[open.length - 1]!;
    open.pop();
    return taken;
  };

  nodes.push({
    id: 'start',
    type: 'start',
    position: position(0),
    data: {
      label: 'New ticket',
      trigger: { mode: 'auto', channels: [], categories: [], priorities: [], tiers: [] },
    },
  });
  open.push({ source: 0, handle: 'next' });

  const comparison = (): Comparison => {
    const roll = Math.floor(random() * (formFields.length > 0 ? 9 : 8));
    switch (roll) {
      case 0:
        return { kind: 'comparison', field: 'priority', operator: 'equals', value: pick(['urgent', 'high']) };
      case 1:
        return { kind: 'comparison', field: 'customer.tier', operator: 'in', value: ['vip', 'existing'] };
      case 2:
        return {
          kind: 'comparison',
          field: 'category',
          operator: 'equals',
          value: pick(['billing', 'technical']),
        };
      case 3:
        return { kind: 'comparison', field: 'channel', operator: 'not_equals', value: 'phone' };
      case 4:
        return { kind: 'comparison', field: 'amount', operator: 'greater_than', value: 100 };
      case 5:
        return { kind: 'comparison', field: 'tags', operator: 'contains', value: 'vip' };
      case 6:
        return { kind: 'comparison', field: 'region', operator: 'equals', value: pick(['EU', 'US', 'APAC']) };
      case 7:
        return { kind: 'comparison', field: 'subject', operator: 'is_set' };
      default: {
        const field = pick(formFields);
        return { kind: 'comparison', field: field.key, operator: 'is_set' };
      }
    }
  };
  const condition = (): ConditionGroup => {
    const rules: ConditionGroup['rules'] = [comparison()];
    if (random() < 0.4) rules.push(comparison());
    if (random() < 0.15)
      rules.push({ kind: 'group', combinator: 'any', rules: [comparison(), comparison()] });
    return { kind: 'group', combinator: random() < 0.7 ? 'all' : 'any', rules };
  };

  const bodyCount = total - 2;
  const firstTypes = ['step', 'decision', 'action'] as const;
  for (let b = 0; b < bodyCount; b++) {
    const k = nodes.length;
    const id = `n${k}`;
    let type: FlowNode['type'];
    if (b < firstTypes.length) type = firstTypes[b]!;
    else {
      const r = random();
      type =
        r < 0.35
          ? 'step'
          : r < 0.6
            ? 'decision'
            : r < 0.8
              ? 'action'
              : r < 0.88
                ? 'wait'
                : r < 0.93
                  ? 'subflow'
                  : 'end';
    }
    if (type === 'end' && open.length < 2) type = 'action';

    let node: FlowNode;
    const outputs: string[] = [];
    let retry: string | null = null;
    switch (type) {
      case 'step': {
        const outcomes = OUTCOMES.slice(0, 1 + Math.floor(random() * OUTCOMES.length));
        const checklist: ChecklistItem[] = [];
        for (let c = 0; c < Math.floor(random() * 3); c++) {
          checklist.push({ id: `c${c}`, label: `Check item ${c + 1}`, required: random() < 0.6 });
        }
        const form: FormField[] = [];
        for (let f = 0; f < Math.floor(random() * 3); f++) {
          const ftype = pick(FORM_TYPES);
          const field: FormField = {
            key: `${id}_${ftype}${f}`,
            label: `${ftype} ${f + 1}`,
            type: ftype,
            required: random() < 0.5,
            ...(ftype === 'choice' ? { options: ['Yes', 'No', 'Unsure'] } : {}),
          };
          form.push(field);
          formFields.push(field);
        }
        node = {
          id,
          type: 'step',
          position: position(k),
          data: {
            title: `${pick(STEP_TITLES)} ${k}`,
            instructions: 'Follow the checklist, record what you found, then pick the outcome.',
            checklist,
            form,
            teamId: pick(TEAMS),
            slaMinutes: pick(SLAS),
            outcomes,
          },
        };
        for (const o of outcomes) outputs.push(`outcome:${o.id}`);
        // A retry outcome looping back to an earlier node (or itself): loops through a step are fine.
        if (outcomes.length > 1 && random() < 0.15) retry = outputs.pop()!;
        if (random() < 0.2) outputs.push('sla_breach');
        break;
      }
      case 'decision': {
        const branches: Branch[] = [];
        const count = 1 + Math.floor(random() * 3);
        for (let i = 0; i < count; i++)
          branches.push({ id: `b${i}`, label: `Branch ${i + 1}`, condition: condition() });
        node = { id, type: 'decision', position: position(k), data: { label: `Route ${k}`, branches } };
        for (const br of branches) outputs.push(`branch:${br.id}`);
        outputs.push('default');
        break;
      }
      case 'action': {
        const ops: ActionOp[] = [];
        const count = 1 + Math.floor(random() * 2);
        for (let i = 0; i < count; i++) {
          const r = Math.floor(random() * 5);
          if (r === 0) ops.push({ op: 'set_field', field: 'priority', value: pick(['high', 'urgent']) });
          else if (r === 1) ops.push({ op: 'add_tag', tag: pick(['vip', 'refund', 'follow-up']) });
          else if (r === 2)
            ops.push({ op: 'assign', teamId: pick(TEAMS), strategy: pick(['team', 'round_robin'] as const) });
          else if (r === 3)
            ops.push({ op: 'send_message', template: 'Hello {{customer.name}}, we are on it.' });
          else ops.push({ op: 'set_field', field: 'region', value: 'EU' });
        }
        node = { id, type: 'action', position: position(k), data: { label: `Update ${k}`, ops } };
        outputs.push('next');
        break;
      }
      case 'wait': {
        const reply = random() < 0.6;
        node = {
          id,
          type: 'wait',
          position: position(k),
          data: reply
            ? { label: `Await reply ${k}`, mode: 'reply', minutes: 1440 }
            : { label: `Pause ${k}`, mode: 'duration', minutes: 60 },
        };
        outputs.push('next');
        if (reply) outputs.push('timeout');
        break;
      }
      case 'subflow':
        node = {
          id,
          type: 'subflow',
          position: position(k),
          data: { label: `Follow-up ${k}`, flowId: 'flow-follow-up' },
        };
        outputs.push('next');
        break;
      default:
        node = {
          id,
          type: 'end',
          position: position(k),
          data: {
            label: `Closed ${k}`,
            status: pick(['resolved', 'closed_unresolved', 'transferred'] as const),
            feedback: random() < 0.5,
          },
        };
        break;
    }
    nodes.push(node);
    // Reachable: one open output of an earlier node leads here; sometimes a second one merges in.
    const into = takeOpen();
    connect(into.source, into.handle, k);
    if (open.length > 1 && random() < 0.15) {
      const merge = takeOpen();
      connect(merge.source, merge.handle, k);
    }
    if (retry !== null) connect(k, retry, 1 + Math.floor(random() * k));
    for (const handle of outputs) open.push({ source: k, handle });
  }

  const endIndex = nodes.length;
  nodes.push({
    id: 'end',
    type: 'end',
    position: position(endIndex),
    data: { label: 'Resolved', status: 'resolved', feedback: true },
  });
  for (const o of open) connect(o.source, o.handle, endIndex);
  return {
    schemaVersion: CURRENT_SCHEMA_VERSION,
    fields: FIELDS.map((f) => ({ ...f })),
    nodes,
    edges,
    notes: [],
  };
}

import {
  describeNode,
  describeOutput,
  hasOutput,
  outputCount,
  outputIndex,
  outputsOfAt,
} from './describeNode.ts';
import { indexFlow } from './indexFlow.ts';
import { isNodeKind, kindOf } from './nodes/registry.ts';
import {
  BUILTIN_FIELDS,
  type Comparison,
  type ConditionGroup,
  type FlowDocument,
  type FlowNode,
  LIMITS,
} from './schema.ts';
import { parseIsoTime } from './isoTime.ts';
import type { OutputSpec } from './nodes/kind.ts';

type UnconnectedRule = Extract<OutputSpec<FlowNode>, { handle: string }>['unconnected'];

/** The rules `validate` checks, one code each. Errors block publishing; warnings don't. */
export const VALIDATION_CODES = [
  'NO_START',
  'MULTIPLE_STARTS',
  'DUPLICATE_ID',
  'DANGLING_EDGE',
  'UNKNOWN_HANDLE',
  'DUPLICATE_OUTPUT',
  'EDGE_INTO_START',
  'SELF_LOOP',
  'UNREACHABLE',
  'UNCONNECTED_OUTPUT',
  'NO_PATH_TO_END',
  'NO_OUTCOMES',
  'DECISION_WITHOUT_BRANCHES',
  'DEFAULT_BRANCH_MISSING',
  'AUTOMATIC_CYCLE',
  'STEP_WITHOUT_TEAM',
  'STEP_WITHOUT_SLA',
  'UNKNOWN_FIELD',
  'CONDITION_TYPE_MISMATCH',
  'SUBFLOW_WITHOUT_TARGET',
  'WAIT_WITHOUT_DURATION',
  'DUPLICATE_ITEM_ID',
  'CURRENT_TEAM_UNSET',
  'NOTIFY_INCOMPLETE',
  'REQUIREMENT_UNKNOWN_OUTCOME',
] as const;
export type RuleCode = (typeof VALIDATION_CODES)[number];

/** Codes `parseFlowDocument` returns when the input is not a well-formed flow document at all. */
export const PARSE_CODES = [
  'INVALID_DOCUMENT',
  'LIMIT_EXCEEDED',
  'CONDITION_TOO_DEEP',
  'UNSUPPORTED_VERSION',
] as const;
export type ParseCode = (typeof PARSE_CODES)[number];

export type ValidationCode = RuleCode | ParseCode;

/** One problem of a flow document, with the nodes and edges the canvas highlights for it. */
export type ValidationIssue = {
  code: ValidationCode;
  severity: 'error' | 'warning';
  /** Human-readable and actionable: says what is wrong and what to do. */
  message: string;
  nodeIds: string[];
  edgeIds: string[];
};

const WARNINGS: ReadonlySet<ValidationCode> = new Set(['STEP_WITHOUT_SLA', 'DECISION_WITHOUT_BRANCHES']);

function issue(
  code: RuleCode,
  message: string,
  nodeIds: string[] = [],
  edgeIds: string[] = [],
): ValidationIssue {
  return { code, severity: WARNINGS.has(code) ? 'warning' : 'error', message, nodeIds, edgeIds };
}

/**
 * Validates a (parsed) flow document against the rules of the builder and returns every issue found,
 * errors and warnings, each with its code and the ids of the nodes and edges involved. Returns `[]`
 * for a clean document. Pure and linear in the size of the document (no recursion over the graph), so
 * the canvas can call it on every edit and the publish procedure before freezing a version.
 */
export function validate(document: FlowDocument): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const nodes = document.nodes;
  const edges = document.edges;
  const n = nodes.length;

  // --- nodes: ids, starts, per-node rules -------------------------------------------------------
  const slotOf = new Map<string, number>();
  const starts: number[] = [];
  const ends: number[] = [];
  /** Nodes whose kind evaluates conditions (decisions): their fields are checked at the end. */
  const withConditions: FlowNode[] = [];
  const reported = new Set<string>();
  for (let i = 0; i < n; i++) {
    const node = nodes[i]!;
    if (slotOf.has(node.id)) {
      if (!reported.has(node.id)) {
        reported.add(node.id);
        issues.push(
          issue(
            'DUPLICATE_ID',
            `Several nodes share the id "${node.id}": every node needs its own id; delete or re-create the copies.`,
            [node.id],
          ),
        );
      }
    } else slotOf.set(node.id, i);
    const kind = kindOf(node);
    if (kind.entry) starts.push(i);
    if (kind.terminal) ends.push(i);
    if (kind.conditions) withConditions.push(node);
    kind.validate?.(
      node,
      (code, message) => issues.push(issue(code, message, [node.id])),
      describeNode(node),
    );
  }
  if (starts.length === 0) {
    issues.push(issue('NO_START', 'The flow has no Start node: add one so tickets can enter the flow.'));
  } else if (starts.length > 1) {
    issues.push(
      issue(
        'MULTIPLE_STARTS',
        `The flow has ${starts.length} Start nodes: keep exactly one and delete the others.`,
        starts.map((i) => nodes[i]!.id),
      ),
    );
  }

  // --- edges: ids, endpoints, handles -----------------------------------------------------------
  const edgeIds = new Set<string>();
  // Outputs are numbered: node i's outputs are outputBase[i] … outputBase[i + 1] - 1, in outputsOf order.
  const outputBase = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) outputBase[i + 1] = outputBase[i]! + outputCount(nodes[i]!);
  const firstOnOutput = new Int32Array(outputBase[n]!).fill(-1);
  const src = new Int32Array(edges.length);
  const dst = new Int32Array(edges.length);
  const outDegree = new Int32Array(n + 1);
  const inDegree = new Int32Array(n + 1);
  let graphEdges = 0;
  const reportedEdgeIds = new Set<string>();
  for (let e = 0; e < edges.length; e++) {
    const edge = edges[e]!;
    if (edgeIds.has(edge.id)) {
      if (!reportedEdgeIds.has(edge.id)) {
        reportedEdgeIds.add(edge.id);
        issues.push(
          issue(
            'DUPLICATE_ID',
            `Several connections share the id "${edge.id}": every connection needs its own id; delete and redraw the copies.`,
            [],
            [edge.id],
          ),
        );
      }
    } else edgeIds.add(edge.id);
    const s = slotOf.get(edge.source);
    const t = slotOf.get(edge.target);
    const source = s === undefined ? undefined : nodes[s]!;
    const target = t === undefined ? undefined : nodes[t]!;
    if (source === undefined || target === undefined) {
      const from = source ? describeNode(source) : `a missing node ("${edge.source}")`;
      const to = target ? describeNode(target) : `a missing node ("${edge.target}")`;
      issues.push(
        issue(
          'DANGLING_EDGE',
          `A connection from ${from} to ${to} leads nowhere: delete it or reconnect it to an existing node.`,
          [source?.id, target?.id].filter((id): id is string => id !== undefined),
          [edge.id],
        ),
      );
    }
    const output = source === undefined ? -1 : outputIndex(source, edge.sourceHandle);
    if (source !== undefined && output === -1) {
      issues.push(
        issue(
          'UNKNOWN_HANDLE',
          kindOf(source).outputs.length === 0
            ? `${describeNode(source)} ends the flow and cannot lead anywhere: delete this connection.`
            : `A connection leaves ${describeNode(source)} from output "${edge.sourceHandle}", which it does not have: delete it or draw it from an existing output.`,
          [source.id],
          [edge.id],
        ),
      );
      continue;
    }
    if (source === undefined) continue;
    const first = firstOnOutput[outputBase[s!]! + output]!;
    if (first === -1) firstOnOutput[outputBase[s!]! + output] = e;
    else {
      issues.push(
        issue(
          'DUPLICATE_OUTPUT',
          `Output ${describeOutput(source, edge.sourceHandle)} of ${describeNode(source)} has more than one connection: an output leads to exactly one node, delete the extra one.`,
          [source.id],
          [edges[first]!.id, edge.id],
        ),
      );
    }
    if (target === undefined) continue;
    if (kindOf(target).entry) {
      issues.push(
        issue(
          'EDGE_INTO_START',
          `A connection from ${describeNode(source)} leads back into the Start node: nothing may enter the Start; connect it to another node.`,
          [source.id, target.id],
          [edge.id],
        ),
      );
    }
    if (s === t && kindOf(source).automatic) {
      issues.push(
        issue(
          'SELF_LOOP',
          `${describeNode(source)} is connected to itself: an automatic node would repeat forever; connect it to another node.`,
          [source.id],
          [edge.id],
        ),
      );
    }
    src[graphEdges] = s!;
    dst[graphEdges] = t!;
    graphEdges++;
    outDegree[s! + 1]!++;
    inDegree[t! + 1]!++;
  }

  // --- outputs that must be connected ----------------------------------------------------------
  for (let i = 0; i < n; i++) {
    const node = nodes[i]!;
    if (slotOf.get(node.id) !== i) continue;
    const base = outputBase[i]!;
    const count = outputBase[i + 1]! - base;
    for (let k = 0; k < count; k++) {
      if (firstOnOutput[base + k] !== -1) continue;
      const handle = outputsOfAt(node, k);
      const rule = unconnectedRule(node, handle);
      if (rule === 'optional') continue;
      if (rule === 'required') {
        issues.push(
          issue(
            'UNCONNECTED_OUTPUT',
            `Output ${describeOutput(node, handle)} of ${describeNode(node)} is not connected: connect it to the node that comes next.`,
            [node.id],
          ),
        );
      } else issues.push(issue(rule.code, rule.message(describeNode(node)), [node.id]));
    }
  }

  // --- graph: adjacency in compressed rows (no per-node arrays) ----------------------------------
  for (let i = 0; i < n; i++) {
    outDegree[i + 1]! += outDegree[i]!;
    inDegree[i + 1]! += inDegree[i]!;
  }
  const outList = new Int32Array(graphEdges);
  const inList = new Int32Array(graphEdges);
  const outFill = outDegree.slice(0, n);
  const inFill = inDegree.slice(0, n);
  for (let e = 0; e < graphEdges; e++) {
    outList[outFill[src[e]!]!++] = dst[e]!;
    inList[inFill[dst[e]!]!++] = src[e]!;
  }

  const reachable = new Uint8Array(n);
  const queue = new Int32Array(n);
  if (starts.length > 0) {
    let head = 0;
    let tail = 0;
    for (const s of starts) {
      if (reachable[s]) continue;
      reachable[s] = 1;
      queue[tail++] = s;
    }
    while (head < tail) {
      const v = queue[head++]!;
      for (let k = outDegree[v]!; k < outDegree[v + 1]!; k++) {
        const w = outList[k]!;
        if (!reachable[w]) {
          reachable[w] = 1;
          queue[tail++] = w;
        }
      }
    }
    for (let i = 0; i < n; i++) {
      const node = nodes[i]!;
      if (reachable[i] || slotOf.get(node.id) !== i) continue;
      issues.push(
        issue(
          'UNREACHABLE',
          `${describeNode(node)} cannot be reached from the Start: connect an output to it or delete it.`,
          [node.id],
        ),
      );
    }
  } else reachable.fill(1);

  checkCurrentTeams(nodes, starts, slotOf, outDegree, outList, queue, issues);

  // Every path reaches an end: walk backwards from the ends; a reachable node not met cannot close.
  const closes = new Uint8Array(n);
  {
    let head = 0;
    let tail = 0;
    for (const e of ends) {
      if (closes[e]) continue;
      closes[e] = 1;
      queue[tail++] = e;
    }
    while (head < tail) {
      const v = queue[head++]!;
      for (let k = inDegree[v]!; k < inDegree[v + 1]!; k++) {
        const w = inList[k]!;
        if (!closes[w]) {
          closes[w] = 1;
          queue[tail++] = w;
        }
      }
    }
  }
  for (let i = 0; i < n; i++) {
    const node = nodes[i]!;
    if (closes[i] || !reachable[i] || slotOf.get(node.id) !== i) continue;
    issues.push(
      issue(
        'NO_PATH_TO_END',
        ends.length === 0
          ? `No path leads from ${describeNode(node)} to an End, because the flow has no End node: add one so tickets can close.`
          : `No path leads from ${describeNode(node)} to an End: connect it onward so its tickets can close.`,
        [node.id],
      ),
    );
  }

  findAutomaticCycles(nodes, edges, slotOf, outDegree, outList, issues);
  checkConditions(document, withConditions, issues);
  return issues;
}

/** What an unconnected output of the node calls for, by its kind's output grammar. */
function unconnectedRule(node: FlowNode, handle: string): NonNullable<UnconnectedRule> {
  for (const spec of kindOf(node).outputs) {
    if ('prefix' in spec) {
      if (handle.startsWith(spec.prefix)) return 'required';
    } else if (spec.handle === handle) return spec.unconnected ?? 'required';
  }
  return 'required';
}

/** Sets the ticket's team when entered: a step with a named team, or an action with an assign op. */
function setsTeam(node: FlowNode): boolean {
  return kindOf(node).setsTeam?.(node) ?? false;
}

/**
 * A step set to the ticket's current team needs a team on every path that reaches it: walks forward
 * from the Start through nodes that leave the team unset (stopping at those that set one); a step
 * set to the current team met on that walk can be reached with no team at all.
 */
function checkCurrentTeams(
  nodes: readonly FlowNode[],
  starts: readonly number[],
  slotOf: ReadonlyMap<string, number>,
  outDegree: Int32Array,
  outList: Int32Array,
  queue: Int32Array,
  issues: ValidationIssue[],
): void {
  const unset = new Uint8Array(nodes.length);
  let head = 0;
  let tail = 0;
  for (const s of starts) {
    if (unset[s]) continue;
    unset[s] = 1;
    queue[tail++] = s;
  }
  while (head < tail) {
    const v = queue[head++]!;
    if (setsTeam(nodes[v]!)) continue;
    for (let k = outDegree[v]!; k < outDegree[v + 1]!; k++) {
      const w = outList[k]!;
      if (!unset[w]) {
        unset[w] = 1;
        queue[tail++] = w;
      }
    }
  }
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    if (!unset[i] || slotOf.get(node.id) !== i) continue;
    if (!kindOf(node).usesCurrentTeam?.(node)) continue;
    issues.push(
      issue(
        'CURRENT_TEAM_UNSET',
        `${describeNode(node)} is worked by the ticket's current team, but a ticket can reach it before any team is set: pick a named team for it, or set one earlier on every path to it (a step with a named team, or an action that assigns a team).`,
        [node.id],
      ),
    );
  }
}

/** Iterative Tarjan over the automatic nodes: a strongly connected group of them spins a ticket forever. */
function findAutomaticCycles(
  nodes: readonly FlowNode[],
  edges: FlowDocument['edges'],
  slotOf: ReadonlyMap<string, number>,
  outStart: Int32Array,
  outList: Int32Array,
  issues: ValidationIssue[],
): void {
  const n = nodes.length;
  const automatic = new Uint8Array(n);
  let any = false;
  for (let i = 0; i < n; i++) {
    if (kindOf(nodes[i]!).automatic) {
      automatic[i] = 1;
      any = true;
    }
  }
  if (!any) return;
  const order = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const cursor = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const component = new Int32Array(n).fill(-1);
  const stack: number[] = [];
  const calls: number[] = [];
  const cycles: number[][] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (!automatic[root] || order[root] !== -1) continue;
    order[root] = low[root] = counter++;
    cursor[root] = outStart[root]!;
    stack.push(root);
    onStack[root] = 1;
    calls.push(root);
    while (calls.length > 0) {
      const v = calls[calls.length - 1]!;
      if (cursor[v]! < outStart[v + 1]!) {
        const w = outList[cursor[v]!++]!;
        if (!automatic[w] || w === v) continue;
        if (order[w] === -1) {
          order[w] = low[w] = counter++;
          cursor[w] = outStart[w]!;
          stack.push(w);
          onStack[w] = 1;
          calls.push(w);
        } else if (onStack[w] && order[w]! < low[v]!) low[v] = order[w]!;
        continue;
      }
      calls.pop();
      if (calls.length > 0) {
        const u = calls[calls.length - 1]!;
        if (low[v]! < low[u]!) low[u] = low[v]!;
      }
      if (low[v] !== order[v]) continue;
      const members: number[] = [];
      let w: number;
      do {
        w = stack.pop()!;
        onStack[w] = 0;
        members.push(w);
      } while (w !== v);
      if (members.length > 1) {
        for (const m of members) component[m] = cycles.length;
        cycles.push(members.reverse());
      }
    }
  }
  if (cycles.length === 0) return;
  const cycleEdges: string[][] = cycles.map(() => []);
  for (const edge of edges) {
    const s = slotOf.get(edge.source);
    const t = slotOf.get(edge.target);
    if (s === undefined || t === undefined || s === t) continue;
    const c = component[s]!;
    if (c !== -1 && c === component[t] && hasOutput(nodes[s]!, edge.sourceHandle))
      cycleEdges[c]!.push(edge.id);
  }
  cycles.forEach((members, c) => {
    const names = members.slice(0, 6).map((m) => describeNode(nodes[m]!));
    const more = members.length > 6 ? ` and ${members.length - 6} more` : '';
    issues.push(
      issue(
        'AUTOMATIC_CYCLE',
        `${names.join(', ')}${more} form a loop with no step or wait in it: a ticket would go round forever. Put a step or a wait in the loop, or break it.`,
        members.map((m) => nodes[m]!.id),
        cycleEdges[c]!,
      ),
    );
  });
}

type KnownField = {
  label: string;
  type: string;
  options: readonly string[] | undefined;
  /** The options trimmed and lower-cased, as the evaluator compares them; null = any value. */
  optionSet: ReadonlySet<string> | null;
};

function knownField(label: string, type: string, options: readonly string[] | undefined): KnownField {
  const optionSet =
    options && options.length > 0 ? new Set(options.map((o) => o.trim().toLowerCase())) : null;
  return { label, type, options, optionSet };
}

const OPERATOR_WORDS: Record<string, string> = {
  equals: '"is"',
  not_equals: '"is not"',
  in: '"is one of"',
  not_in: '"is not one of"',
  contains: '"contains"',
  greater_than: '"is greater than"',
  less_than: '"is less than"',
};

/** Why `value` cannot be compared with the field, or null when it can. */
function scalarProblem(field: KnownField, value: unknown): string | null {
  switch (field.type) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : `${field.label} is a number`;
    case 'boolean':
      return typeof value === 'boolean' ? null : `${field.label} is yes/no`;
    case 'date':
      return typeof value === 'string' && !Number.isNaN(parseIsoTime(value))
        ? null
        : `${field.label} is a date (YYYY-MM-DD)`;
    case 'choice': {
      if (typeof value !== 'string') return `${field.label} is one of a list of options`;
      if (field.optionSet === null || field.optionSet.has(value.trim().toLowerCase())) return null;
      return `"${value}" is not an option of ${field.label} (${(field.options ?? []).join(', ')})`;
    }
    default:
      return typeof value === 'string' || typeof value === 'number' ? null : `${field.label} is text`;
  }
}

function typeWords(type: string): string {
  switch (type) {
    case 'tags':
      return 'a list of tags';
    case 'choice':
      return 'a choice';
    case 'boolean':
      return 'yes/no';
    default:
      return type;
  }
}

function comparisonProblem(cmp: Comparison, field: KnownField): string | null {
  const op = cmp.operator;
  if (op === 'is_set' || op === 'is_empty') return null;
  const words = OPERATOR_WORDS[op] ?? op;
  const value: unknown = cmp.value;
  if (value === undefined) return `${words} needs a value to compare ${field.label} with`;
  if (op === 'in' || op === 'not_in') {
    if (!Array.isArray(value)) return `${words} needs a list of values`;
    for (const item of value) {
      const problem = scalarProblem(field, item);
      if (problem) return problem;
    }
    return null;
  }
  if (Array.isArray(value))
    return `${words} compares ${field.label} with one value, not a list (use "is one of")`;
  if (op === 'greater_than' || op === 'less_than') {
    if (field.type !== 'number' && field.type !== 'date') {
      return `${words} needs a number or date field, and ${field.label} is ${typeWords(field.type)}`;
    }
    return scalarProblem(field, value);
  }
  if (op === 'contains') {
    if (field.type === 'number' || field.type === 'boolean' || field.type === 'date') {
      return `${words} needs a text field, and ${field.label} is ${typeWords(field.type)}`;
    }
    return typeof value === 'string' ? null : `${words} looks for a piece of text`;
  }
  return scalarProblem(field, value);
}

function checkConditions(
  document: FlowDocument,
  withConditions: readonly FlowNode[],
  issues: ValidationIssue[],
): void {
  if (withConditions.length === 0) return;
  const known = new Map<string, KnownField>();
  for (const def of BUILTIN_FIELDS) {
    known.set(def.key, knownField(def.label, def.key === 'tags' ? 'tags' : def.type, def.options));
  }
  for (const def of document.fields) {
    if (!known.has(def.key)) known.set(def.key, knownField(def.label || def.key, def.type, def.options));
  }
  for (const node of document.nodes) {
    const captured = isNodeKind(node.type) ? kindOf(node).capturedFields?.(node) : undefined;
    for (const f of captured ?? []) {
      if (!known.has(f.key)) known.set(f.key, knownField(f.label || f.key, f.type, f.options));
    }
  }
  // Explicit stack (reused): parsed documents nest at most LIMITS.maxConditionDepth groups, but the
  // canvas may hand over anything it built.
  const groups: ConditionGroup[] = [];
  const depths: number[] = [];
  for (const node of withConditions) {
    for (const { where, condition } of kindOf(node).conditions?.(node) ?? []) {
      groups.push(condition);
      depths.push(1);
      while (groups.length > 0) {
        const group = groups.pop()!;
        const depth = depths.pop()!;
        for (const rule of group.rules) {
          if (rule.kind === 'group') {
            if (depth < LIMITS.maxConditionDepth) {
              groups.push(rule);
              depths.push(depth + 1);
            }
            continue;
          }
          const field = known.get(rule.field);
          if (!field) {
            issues.push(
              issue(
                'UNKNOWN_FIELD',
                `${describeNode(node)}, ${where} reads the field "${rule.field}", which does not exist: pick an existing field, or declare it among the flow's fields.`,
                [node.id],
              ),
            );
            continue;
          }
          const problem = comparisonProblem(rule, field);
          if (problem) {
            issues.push(
              issue(
                'CONDITION_TYPE_MISMATCH',
                `${describeNode(node)}, ${where} cannot compare "${rule.field}" this way: ${problem}. Change the operator or the value.`,
                [node.id],
              ),
            );
          }
        }
      }
    }
  }
}

/** A connection the canvas is about to draw. */
export type Connection = { source: string; sourceHandle: string; target: string };

export type CanConnectResult = { ok: true } | { ok: false; code: RuleCode; message: string };

/**
 * Answers whether the canvas may draw a connection, by the same rules `validate` applies: both nodes
 * exist, the output exists on the source, nothing enters the Start, an output leads to one node only,
 * and an automatic node does not connect to itself.
 */
export function canConnect(document: FlowDocument, connection: Connection): CanConnectResult {
  const index = indexFlow(document);
  const source = index.nodes.get(connection.source);
  const target = index.nodes.get(connection.target);
  if (!source || !target) {
    return {
      ok: false,
      code: 'DANGLING_EDGE',
      message: 'Both ends of a connection must be nodes of this flow.',
    };
  }
  if (!hasOutput(source, connection.sourceHandle)) {
    return {
      ok: false,
      code: 'UNKNOWN_HANDLE',
      message:
        kindOf(source).outputs.length === 0
          ? `${describeNode(source)} ends the flow and cannot lead anywhere.`
          : `${describeNode(source)} has no output "${connection.sourceHandle}".`,
    };
  }
  if (kindOf(target).entry) {
    return { ok: false, code: 'EDGE_INTO_START', message: 'Nothing may lead into the Start node.' };
  }
  if (source === target && kindOf(source).automatic) {
    return {
      ok: false,
      code: 'SELF_LOOP',
      message: `${describeNode(source)} runs automatically and would repeat forever if connected to itself.`,
    };
  }
  if (index.targets.get(source.id)?.has(connection.sourceHandle)) {
    return {
      ok: false,
      code: 'DUPLICATE_OUTPUT',
      message: `Output ${describeOutput(source, connection.sourceHandle)} of ${describeNode(source)} is already connected: remove that connection first.`,
    };
  }
  return { ok: true };
}

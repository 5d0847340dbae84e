import {
  type ActionOp,
  BUILTIN_FIELDS,
  type EndNode,
  type FlowDocument,
  kindOf,
  nameOf,
  type FlowNode,
  type ScalarValue,
} from '@stepwise/flow';

/**
 * Node names that say what a node does, so that two nodes are never both "New action": an action is
 * named after its operations ("Assign to Billing", "Send message and 2 more") and an End after its status
 * ("Resolved", "Closed unresolved") — until the manager renames it. No flag records a rename: a label
 * is automatic when it is the automatic name of the node's data before the edit (possibly numbered,
 * "Resolved 2"), or empty.
 */

/** What names depend on besides the node: the organization's team names and the flow's field labels. */
export type NameContext = {
  teamName: (teamId: string) => string | undefined;
  fieldLabel: (key: string) => string | undefined;
};

const LABEL_MAX = 200;
const VALUE_MAX = 40;

/** The label a node shows (a step's title: the property its kind names it by). */
export function labelOf(node: FlowNode): string {
  return nameOf(node);
}

/** The node with another label (a step's title). */
export function withLabel(node: FlowNode, label: string): FlowNode {
  return { ...node, data: { ...node.data, [kindOf(node).nameKey]: label } } as FlowNode;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** "Priority" → "priority", "SLA tier" stays: lower-case a label's first letter unless it is an acronym. */
function inSentence(label: string): string {
  return /^[A-Z][a-z]/.test(label) ? label[0]!.toLowerCase() + label.slice(1) : label;
}

function valueWords(value: ScalarValue): string {
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return clip(String(value).trim(), VALUE_MAX);
}

/** What one operation does, in a few words: "Set priority to urgent", "Add tag vip". */
export function describeOp(op: ActionOp, context: NameContext): string {
  switch (op.op) {
    case 'set_field': {
      const field = inSentence(context.fieldLabel(op.field) ?? op.field);
      const value = valueWords(op.value);
      return value === '' ? `Clear ${field}` : `Set ${field} to ${value}`;
    }
    case 'add_tag': {
      const tag = clip(op.tag.trim(), VALUE_MAX);
      return tag === '' ? 'Add tag' : `Add tag ${tag}`;
    }
    case 'assign':
      return `Assign to ${context.teamName(op.teamId) ?? 'a team'}`;
    case 'send_message':
      return 'Send message';
    case 'webhook':
      return 'Call webhook';
  }
}

const END_NAMES: Record<EndNode['data']['status'], string> = {
  resolved: 'Resolved',
  closed_unresolved: 'Closed unresolved',
  transferred: 'Transferred',
};

/** The automatic name of a node, or null for node types named by the manager only. */
export function autoLabel(node: FlowNode, context: NameContext): string | null {
  if (node.type === 'end') return END_NAMES[node.data.status];
  if (node.type !== 'action') return null;
  const [first, ...rest] = node.data.ops;
  if (!first) return 'New action';
  const more = rest.length === 0 ? '' : ` and ${rest.length} more`;
  return clip(describeOp(first, context), LABEL_MAX - more.length) + more;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether `label` is the automatic name `auto`, possibly numbered ("Resolved 2"), or empty. */
export function isAutoLabel(label: string, auto: string): boolean {
  const trimmed = label.trim();
  return trimmed === '' || new RegExp(`^${escapeRegExp(auto)}(?: \\d+)?$`).test(trimmed);
}

/** The labels of a document's nodes, lower-cased, except the node `exceptId`. */
export function takenLabels(document: FlowDocument, exceptId?: string): Set<string> {
  const taken = new Set<string>();
  for (const node of document.nodes) if (node.id !== exceptId) taken.add(labelOf(node).trim().toLowerCase());
  return taken;
}

/** `base` when no other node has that label (in any case), else `base 2`, `base 3`, … */
export function uniqueLabel(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base.toLowerCase())) return base;
  for (let i = 2; ; i++) {
    const suffix = ` ${i}`;
    const name = `${clip(base, LABEL_MAX - suffix.length)}${suffix}`;
    if (!taken.has(name.toLowerCase())) return name;
  }
}

/**
 * The label of a copy: its original's when no other node has it, else the next of its series ("Resolved 2"
 * → "Resolved 3" when "Resolved" exists), else numbered ("Tier 2" → "Tier 2 2").
 */
export function copyLabel(label: string, taken: ReadonlySet<string>): string {
  if (label.trim() === '' || !taken.has(label.trim().toLowerCase())) return label;
  const series = /^(.*\S) \d+$/.exec(label.trim());
  if (series?.[1] && taken.has(series[1].toLowerCase())) return uniqueLabel(series[1], taken);
  return uniqueLabel(label.trim(), taken);
}

/**
 * The edited node `after` with its label following its data: when the edit did not touch the label and
 * the label was automatic for the node `before` the edit, it becomes the automatic name of the new data
 * (numbered when another node of `document` has it). A renamed node keeps its name; a label the edit set
 * is kept as it is.
 */
export function followAutoLabel(
  before: FlowNode,
  after: FlowNode,
  document: FlowDocument,
  context: NameContext,
): FlowNode {
  if (before.type !== after.type || labelOf(before) !== labelOf(after)) return after;
  const was = autoLabel(before, context);
  const next = autoLabel(after, context);
  if (was === null || next === null || !isAutoLabel(labelOf(before), was)) return after;
  // Same name as before (another field changed): keep the number it may have.
  if (next === was && labelOf(before).trim() !== '') return after;
  return withLabel(after, uniqueLabel(next, takenLabels(document, after.id)));
}

/** A context from the organization's teams and the document's fields (built-in, declared, step forms). */
export function nameContext(document: FlowDocument, teams: ReadonlyMap<string, string>): NameContext {
  return {
    teamName: (id) => teams.get(id),
    fieldLabel: (key) => {
      const builtin = BUILTIN_FIELDS.find((f) => f.key === key);
      if (builtin) return builtin.label;
      const declared = document.fields.find((f) => f.key === key);
      if (declared?.label) return declared.label;
      for (const node of document.nodes)
        if (node.type === 'step') {
          const field = node.data.form.find((f) => f.key === key);
          if (field?.label) return field.label;
        }
      return undefined;
    },
  };
}

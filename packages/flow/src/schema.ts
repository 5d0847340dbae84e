import { z } from 'zod';

/**
 * The flow document: the JSON graph a draft or a published version holds. It is the contract between
 * canvas, runtime, storage and import/export. Node ids are stable across versions.
 */

/**
 * 2: a step's team may be "the ticket's current team" (`teamSource: 'current'`). A version-1 document
 * is a valid version-2 one (see `migrations/v1ToV2.ts`); the number moved so that an older Stepwise
 * refuses a document that keeps the ticket's team instead of silently dropping the setting.
 */
export const CURRENT_SCHEMA_VERSION = 2 as const;

/** The bounds on input: larger documents, strings, ids or condition nesting are refused with a typed error. */
export const LIMITS = {
  maxNodes: 500,
  maxEdges: 2000,
  maxNotes: 500,
  maxString: 10_000,
  maxId: 64,
  maxConditionDepth: 10,
  maxAutomaticRun: 100,
  maxListItems: 200,
} as const;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Ids: 1–64 chars of letters, digits, `_`, `-`, `.`, `:`; never a prototype key. */
export const Id = z
  .string()
  .min(1, 'an id cannot be empty')
  .max(LIMITS.maxId, `an id is at most ${LIMITS.maxId} characters`)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'an id uses letters, digits, "_", "-", "." or ":" only')
  .refine((s) => !FORBIDDEN_KEYS.has(s), 'this id is reserved');

/** Field keys (ticket fields, form fields): like ids, but must start with a letter. */
export const FieldKey = z
  .string()
  .min(1)
  .max(LIMITS.maxId)
  .regex(
    /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)?$/,
    'a field key is letters, digits and "_" (one dot allowed)',
  )
  .refine((s) => !s.split('.').some((p) => FORBIDDEN_KEYS.has(p)), 'this field key is reserved');

const Text = z.string().max(LIMITS.maxString, `text is at most ${LIMITS.maxString} characters`);
const Label = z.string().max(200, 'a label is at most 200 characters');

export const CHANNELS = ['email', 'chat', 'phone', 'social', 'web'] as const;
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const TIERS = ['new', 'existing', 'vip'] as const;
export const END_STATUSES = ['resolved', 'closed_unresolved', 'transferred'] as const;
export const Channel = z.enum(CHANNELS);
export const Priority = z.enum(PRIORITIES);
export const Tier = z.enum(TIERS);
export type Channel = z.infer<typeof Channel>;
export type Priority = z.infer<typeof Priority>;
export type Tier = z.infer<typeof Tier>;

export const Position = z.object({ x: z.number().finite(), y: z.number().finite() });

// ---------------------------------------------------------------------------------------------------
// Fields: the ticket fields a flow uses. Built-in fields always exist (see BUILTIN_FIELDS); custom ones
// are declared in the document; step form fields are captured into the ticket's fields by their key.

export const FIELD_TYPES = ['text', 'number', 'choice', 'date', 'email', 'boolean'] as const;
export const FieldType = z.enum(FIELD_TYPES);
export type FieldType = z.infer<typeof FieldType>;

export const FieldDef = z.object({
  key: FieldKey,
  label: Label,
  type: FieldType,
  /** For `choice` fields. */
  options: z.array(Label).max(LIMITS.maxListItems).optional(),
});
export type FieldDef = z.infer<typeof FieldDef>;

/**
 * Fields every ticket has. Conditions and set-field actions address them by these keys; custom and
 * captured fields by their own key.
 */
export const BUILTIN_FIELDS: readonly FieldDef[] = [
  { key: 'channel', label: 'Channel', type: 'choice', options: [...CHANNELS] },
  { key: 'priority', label: 'Priority', type: 'choice', options: [...PRIORITIES] },
  { key: 'category', label: 'Category', type: 'text' },
  { key: 'subject', label: 'Subject', type: 'text' },
  { key: 'customer.tier', label: 'Customer tier', type: 'choice', options: [...TIERS] },
  { key: 'customer.email', label: 'Customer email', type: 'email' },
  { key: 'customer.name', label: 'Customer name', type: 'text' },
  { key: 'tags', label: 'Tags', type: 'text' },
];

// ---------------------------------------------------------------------------------------------------
// Conditions: data, never code. A group combines comparisons (and nested groups) with all/any.

export const OPERATORS = [
  'equals',
  'not_equals',
  'in',
  'not_in',
  'contains',
  'greater_than',
  'less_than',
  'is_set',
  'is_empty',
] as const;
export const Operator = z.enum(OPERATORS);
export type Operator = z.infer<typeof Operator>;

export const ScalarValue = z.union([Text, z.number().finite(), z.boolean()]);
export type ScalarValue = z.infer<typeof ScalarValue>;
export const ConditionValue = z.union([ScalarValue, z.array(ScalarValue).max(LIMITS.maxListItems)]);
export type ConditionValue = z.infer<typeof ConditionValue>;

export const Comparison = z.object({
  kind: z.literal('comparison'),
  field: FieldKey,
  operator: Operator,
  /** Absent for is_set / is_empty; an array for in / not_in. */
  value: ConditionValue.optional(),
});
export type Comparison = z.infer<typeof Comparison>;

export type ConditionGroup = {
  kind: 'group';
  combinator: 'all' | 'any';
  rules: Array<Comparison | ConditionGroup>;
};
export const ConditionGroup: z.ZodType<ConditionGroup> = z.lazy(() =>
  z.object({
    kind: z.literal('group'),
    combinator: z.enum(['all', 'any']),
    rules: z.array(z.union([Comparison, ConditionGroup])).max(LIMITS.maxListItems),
  }),
);

// ---------------------------------------------------------------------------------------------------
// Nodes: one shape per type.

export const StartTrigger = z.object({
  /** `auto`: tickets whose attributes pass the filters enter; `manual`: an agent starts it by hand. */
  mode: z.enum(['auto', 'manual']),
  /** Empty list = any. */
  channels: z.array(Channel).max(CHANNELS.length),
  categories: z.array(Label).max(LIMITS.maxListItems),
  priorities: z.array(Priority).max(PRIORITIES.length),
  tiers: z.array(Tier).max(TIERS.length),
});
export type StartTrigger = z.infer<typeof StartTrigger>;

export const ChecklistItem = z.object({ id: Id, label: Label, required: z.boolean() });
export type ChecklistItem = z.infer<typeof ChecklistItem>;

export const FormField = z.object({
  /** Captured into the ticket's fields under this key. */
  key: FieldKey,
  label: Label,
  type: z.enum(['text', 'number', 'choice', 'date', 'email']),
  required: z.boolean(),
  options: z.array(Label).max(LIMITS.maxListItems).optional(),
});
export type FormField = z.infer<typeof FormField>;

export const Outcome = z.object({ id: Id, label: Label });
export type Outcome = z.infer<typeof Outcome>;

export const Branch = z.object({ id: Id, label: Label, condition: ConditionGroup });
export type Branch = z.infer<typeof Branch>;

export const ActionOp = z.discriminatedUnion('op', [
  z.object({ op: z.literal('set_field'), field: FieldKey, value: ScalarValue }),
  z.object({ op: z.literal('add_tag'), tag: Label }),
  z.object({
    op: z.literal('assign'),
    teamId: Id,
    /** `team`: the team's queue; otherwise an agent of the team picked by the strategy. */
    strategy: z.enum(['team', 'round_robin', 'least_loaded']),
  }),
  /** `{{customer.name}}`-style placeholders are filled from ticket fields. */
  z.object({ op: z.literal('send_message'), template: Text }),
  z.object({ op: z.literal('webhook'), url: z.string().url().max(2000) }),
]);
export type ActionOp = z.infer<typeof ActionOp>;

const nodeBase = { id: Id, position: Position };

export const StartNode = z.object({
  ...nodeBase,
  type: z.literal('start'),
  data: z.object({ label: Label, trigger: StartTrigger }),
});
export const StepNode = z.object({
  ...nodeBase,
  type: z.literal('step'),
  data: z.object({
    title: Label,
    instructions: Text,
    checklist: z.array(ChecklistItem).max(LIMITS.maxListItems),
    form: z.array(FormField).max(LIMITS.maxListItems),
    /** The team that works the step (null: none picked yet). Ignored when `teamSource` is `current`. */
    teamId: Id.nullable(),
    /**
     * Where the step's team comes from. Absent or `named`: the team `teamId` (entering the step moves
     * the ticket to it). `current`: the ticket keeps the team it has when it arrives — the one an
     * earlier step or an assign action (e.g. an escalation's) gave it; `teamId` is then null.
     */
    teamSource: z.enum(['named', 'current']).optional(),
    /** Due within N minutes of entering the step; null = no SLA. */
    slaMinutes: z.number().int().positive().max(525_600).nullable(),
    outcomes: z.array(Outcome).max(50),
  }),
});
export const DecisionNode = z.object({
  ...nodeBase,
  type: z.literal('decision'),
  data: z.object({ label: Label, branches: z.array(Branch).max(50) }),
});
export const ActionNode = z.object({
  ...nodeBase,
  type: z.literal('action'),
  data: z.object({ label: Label, ops: z.array(ActionOp).max(50) }),
});
export const WaitNode = z.object({
  ...nodeBase,
  type: z.literal('wait'),
  data: z.object({
    label: Label,
    /** `reply`: until the customer replies (timeout output after `timeoutMinutes`, if set); `duration`: for N minutes. */
    mode: z.enum(['reply', 'duration']),
    minutes: z.number().int().positive().max(525_600).nullable(),
  }),
});
export const SubflowNode = z.object({
  ...nodeBase,
  type: z.literal('subflow'),
  data: z.object({ label: Label, flowId: Id.nullable() }),
});
export const EndNode = z.object({
  ...nodeBase,
  type: z.literal('end'),
  data: z.object({ label: Label, status: z.enum(END_STATUSES), feedback: z.boolean() }),
});

export const FlowNode = z.discriminatedUnion('type', [
  StartNode,
  StepNode,
  DecisionNode,
  ActionNode,
  WaitNode,
  SubflowNode,
  EndNode,
]);
export type FlowNode = z.infer<typeof FlowNode>;
export type NodeType = FlowNode['type'];
export type NodeOf<T extends NodeType> = Extract<FlowNode, { type: T }>;
export type StartNode = NodeOf<'start'>;
export type StepNode = NodeOf<'step'>;
export type DecisionNode = NodeOf<'decision'>;
export type ActionNode = NodeOf<'action'>;
export type WaitNode = NodeOf<'wait'>;
export type SubflowNode = NodeOf<'subflow'>;
export type EndNode = NodeOf<'end'>;

/**
 * The team entering `step` moves a ticket to, or null when the step leaves the ticket's team as it is
 * (a step set to the ticket's current team, or one with no team picked).
 */
export function namedTeamOf(step: StepNode): string | null {
  if (step.data.teamSource === 'current') return null;
  const teamId = step.data.teamId;
  return teamId === null || teamId === '' ? null : teamId;
}
export const NODE_TYPES = ['start', 'step', 'decision', 'action', 'wait', 'subflow', 'end'] as const;
/** Node types the engine runs without waiting for anyone. */
export const AUTOMATIC_TYPES: ReadonlySet<NodeType> = new Set(['start', 'decision', 'action', 'subflow']);

// ---------------------------------------------------------------------------------------------------
// Edges: from a named output (handle) of a node to a node.
//   step:     `outcome:<outcomeId>` and `sla_breach`
//   decision: `branch:<branchId>` and `default`
//   wait:     `next` and (reply mode with minutes) `timeout`
//   start, action, subflow: `next`
//   end: none

export const Edge = z.object({
  id: Id,
  source: Id,
  sourceHandle: z
    .string()
    .min(1)
    .max(LIMITS.maxId * 2 + 1),
  target: Id,
});
export type Edge = z.infer<typeof Edge>;

export const Note = z.object({
  id: Id,
  position: Position,
  text: Text,
  width: z.number().finite().positive().max(5000).optional(),
  height: z.number().finite().positive().max(5000).optional(),
});
export type Note = z.infer<typeof Note>;

export const FlowDocument = z.object({
  schemaVersion: z.literal(CURRENT_SCHEMA_VERSION),
  /** Custom ticket fields this flow reads or writes (built-ins are implicit). */
  fields: z.array(FieldDef).max(LIMITS.maxListItems),
  nodes: z.array(FlowNode).max(LIMITS.maxNodes, `a flow has at most ${LIMITS.maxNodes} nodes`),
  edges: z.array(Edge).max(LIMITS.maxEdges, `a flow has at most ${LIMITS.maxEdges} edges`),
  notes: z.array(Note).max(LIMITS.maxNotes),
});
export type FlowDocument = z.infer<typeof FlowDocument>;

/** The handles (named outputs) a node offers, in display order. */
export function outputsOf(node: FlowNode): string[] {
  switch (node.type) {
    case 'start':
    case 'action':
    case 'subflow':
      return ['next'];
    case 'step':
      return [...node.data.outcomes.map((o) => `outcome:${o.id}`), 'sla_breach'];
    case 'decision':
      return [...node.data.branches.map((b) => `branch:${b.id}`), 'default'];
    case 'wait':
      return node.data.mode === 'reply' && node.data.minutes !== null ? ['next', 'timeout'] : ['next'];
    case 'end':
      return [];
  }
}

/** Outputs that must be connected (the SLA-breach output is optional: unconnected, the ticket escalates in place). */
export function requiredOutputsOf(node: FlowNode): string[] {
  return outputsOf(node).filter((h) => h !== 'sla_breach');
}

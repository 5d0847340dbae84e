import { z } from 'zod';
import { type NodeKind, NODE_TYPES, nodeKinds } from './nodes/registry.ts';
import { CURRENT_SCHEMA_VERSION, FieldDef, Id, LIMITS, Position, SafeString, Text } from './schemaBase.ts';

export * from './schemaBase.ts';
export { ActionNode, ActionOp } from './nodes/action.ts';
export { Branch, DecisionNode } from './nodes/decision.ts';
export { EndNode } from './nodes/end.ts';
export { StartNode, StartTrigger } from './nodes/start.ts';
export {
  ChecklistItem,
  FORM_FIELD_TYPES,
  FormField,
  isRequiredFor,
  isRequiredForAll,
  namedTeamOf,
  Outcome,
  type Requirement,
  StepNode,
} from './nodes/step.ts';
export { SubflowNode } from './nodes/subflow.ts';
export { NotifyNode } from './nodes/notify.ts';
export { WaitNode } from './nodes/wait.ts';
export { NODE_TYPES };

/**
 * The flow document: the JSON graph a draft or a published version holds. It is the contract between
 * canvas, runtime, storage and import/export. Node ids are stable across versions.
 */

// ---------------------------------------------------------------------------------------------------
// Nodes: one shape per kind, each defined by its kind (`nodes/<kind>.ts`).

type NodeSchema = (typeof nodeKinds)[NodeKind]['schema'];

export const FlowNode = z.discriminatedUnion(
  'type',
  NODE_TYPES.map((type) => nodeKinds[type].schema) as unknown as [NodeSchema, ...NodeSchema[]],
);
export type FlowNode = z.infer<typeof FlowNode>;
export type NodeType = FlowNode['type'];
export type NodeOf<T extends NodeType> = Extract<FlowNode, { type: T }>;

/** Node types the engine runs without waiting for anyone. */
export const AUTOMATIC_TYPES: ReadonlySet<NodeType> = new Set(
  NODE_TYPES.filter((type) => nodeKinds[type].automatic),
);

// ---------------------------------------------------------------------------------------------------
// Edges: from a named output (handle) of a node to a node. Each kind declares its outputs (the
// `outputs` of `nodes/<kind>.ts`): a step's `outcome:<outcomeId>` and `sla_breach`, a decision's
// `branch:<branchId>` and `default`, a wait's `next` and (reply mode with minutes) `timeout`…

export const Edge = z.strictObject({
  id: Id,
  source: Id,
  sourceHandle: SafeString.min(1).max(LIMITS.maxId * 2 + 1),
  target: Id,
});
export type Edge = z.infer<typeof Edge>;

export const Note = z.strictObject({
  id: Id,
  position: Position,
  text: Text,
  width: z.number().finite().positive().max(5000).optional(),
  height: z.number().finite().positive().max(5000).optional(),
});
export type Note = z.infer<typeof Note>;

export const FlowDocument = z.strictObject({
  schemaVersion: z.literal(CURRENT_SCHEMA_VERSION),
  /** Custom ticket fields this flow reads or writes (built-ins are implicit). */
  fields: z.array(FieldDef).max(LIMITS.maxListItems),
  nodes: z.array(FlowNode).max(LIMITS.maxNodes, `a flow has at most ${LIMITS.maxNodes} nodes`),
  edges: z.array(Edge).max(LIMITS.maxEdges, `a flow has at most ${LIMITS.maxEdges} edges`),
  notes: z.array(Note).max(LIMITS.maxNotes),
});
export type FlowDocument = z.infer<typeof FlowDocument>;

export { outputsOf, requiredOutputsOf } from './outputs.ts';

import type { FlowNode } from '../schema.ts';
import { actionKind } from './action.ts';
import { decisionKind } from './decision.ts';
import { endKind } from './end.ts';
import type { NodeKindDef } from './kind.ts';
import { notifyKind } from './notify.ts';
import { startKind } from './start.ts';
import { stepKind } from './step.ts';
import { subflowKind } from './subflow.ts';
import { waitKind } from './wait.ts';

/** The node kinds, in the order the document schema, the palette and the docs list them. */
export const NODE_TYPES = [
  'start',
  'step',
  'decision',
  'action',
  'notify',
  'wait',
  'subflow',
  'end',
] as const;
export type NodeKind = (typeof NODE_TYPES)[number];

/**
 * Every node kind's definition, by type. A kind listed in `NODE_TYPES` without an entry here (or an
 * entry whose schema has another `type`) does not compile.
 */
export const nodeKinds = {
  start: startKind,
  step: stepKind,
  decision: decisionKind,
  action: actionKind,
  notify: notifyKind,
  wait: waitKind,
  subflow: subflowKind,
  end: endKind,
  // biome-ignore lint/suspicious/noExplicitAny: each entry is checked against its own node type by `defineKind`.
} satisfies { [K in NodeKind]: NodeKindDef<any> & { type: K } };

/** A kind's definition, read through the node union (every callback takes any `FlowNode`). */
export type AnyNodeKind = NodeKindDef<FlowNode>;

/**
 * Whether `type` names a node kind. Parsed documents only hold known kinds; the engine and the
 * validator also meet unparsed rows and canvas states, and ask this first.
 */
export function isNodeKind(type: unknown): type is NodeKind {
  return typeof type === 'string' && Object.hasOwn(nodeKinds, type);
}

/** The definition of a node's kind. */
export function kindOf(node: Pick<FlowNode, 'type'>): AnyNodeKind {
  return nodeKinds[node.type] as unknown as AnyNodeKind;
}

import { isNodeKind, kindOf } from './nodes/registry.ts';
import type { FlowDocument, FlowNode } from './schema.ts';

/** Lookup tables over one flow document: what the engine and `canConnect` ask for on every move. */
export type FlowIndex = {
  /** Nodes by id (the first one, should ids repeat). */
  nodes: ReadonlyMap<string, FlowNode>;
  /** Edge target by source node id, then by output handle (the first edge, should an output repeat). */
  targets: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** The first node of the entry kind (the Start), if any. */
  start: FlowNode | undefined;
};

// Documents are immutable values (published versions never change; the canvas replaces the draft
// object on every edit), so an index keyed by the document object stays right for its lifetime.
const cache = new WeakMap<FlowDocument, FlowIndex>();

/**
 * Returns the (cached) index of a flow document. Building it is linear in the size of the document;
 * later calls with the same document object are a WeakMap lookup.
 */
export function indexFlow(document: FlowDocument): FlowIndex {
  const cached = cache.get(document);
  if (cached) return cached;
  const nodes = new Map<string, FlowNode>();
  let start: FlowNode | undefined;
  for (const node of document.nodes) {
    if (!nodes.has(node.id)) nodes.set(node.id, node);
    if (start === undefined && isNodeKind(node.type) && kindOf(node).entry) start = node;
  }
  const targets = new Map<string, Map<string, string>>();
  for (const edge of document.edges) {
    let byHandle = targets.get(edge.source);
    if (!byHandle) {
      byHandle = new Map();
      targets.set(edge.source, byHandle);
    }
    if (!byHandle.has(edge.sourceHandle)) byHandle.set(edge.sourceHandle, edge.target);
  }
  const index: FlowIndex = { nodes, targets, start };
  cache.set(document, index);
  return index;
}

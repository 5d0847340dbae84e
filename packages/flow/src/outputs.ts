import { kindOf, NODE_TYPES, nodeKinds } from './nodes/registry.ts';
import type { FlowNode } from './schema.ts';

/*
 * The output grammar of every node, read from its kind's `outputs` (see `nodes/kind.ts`): which
 * handles a node offers, in display order, and what they are called.
 */

/** The handles (named outputs) a node offers, in display order. */
export function outputsOf(node: FlowNode): string[] {
  const handles: string[] = [];
  for (const spec of kindOf(node).outputs) {
    if ('prefix' in spec) for (const item of spec.items(node)) handles.push(`${spec.prefix}${item.id}`);
    else if (spec.when === undefined || spec.when(node)) handles.push(spec.handle);
  }
  return handles;
}

/** Outputs that must be connected (the SLA-breach output is optional: unconnected, the ticket escalates in place). */
export function requiredOutputsOf(node: FlowNode): string[] {
  const optional = new Set<string>();
  for (const spec of kindOf(node).outputs)
    if (!('prefix' in spec) && spec.unconnected === 'optional') optional.add(spec.handle);
  return outputsOf(node).filter((h) => !optional.has(h));
}

/** How many outputs (handles) the node offers: the length of `outputsOf(node)`. */
export function outputCount(node: FlowNode): number {
  let count = 0;
  for (const spec of kindOf(node).outputs) {
    if ('prefix' in spec) count += spec.items(node).length;
    else if (spec.when === undefined || spec.when(node)) count++;
  }
  return count;
}

/** Whether `handle` is `prefix` followed by `id`, without building the string. */
function isPrefixed(handle: string, prefix: string, id: string): boolean {
  return handle.length === prefix.length + id.length && handle.endsWith(id) && handle.startsWith(prefix);
}

/**
 * The position of `handle` in `outputsOf(node)`, or -1 when the node has no such output. Allocates
 * nothing: the validator asks this for every edge.
 */
export function outputIndex(node: FlowNode, handle: string): number {
  let at = 0;
  for (const spec of kindOf(node).outputs) {
    if ('prefix' in spec) {
      const items = spec.items(node);
      for (let i = 0; i < items.length; i++) if (isPrefixed(handle, spec.prefix, items[i]!.id)) return at + i;
      at += items.length;
    } else if (spec.when === undefined || spec.when(node)) {
      if (handle === spec.handle) return at;
      at++;
    }
  }
  return -1;
}

/** The handle at position `k` of `outputsOf(node)` (for messages, where allocating is fine). */
export function outputsOfAt(node: FlowNode, k: number): string {
  return outputsOf(node)[k] ?? '';
}

/** Whether `handle` is one of the node's outputs (same answer as `outputsOf(node).includes(handle)`). */
export function hasOutput(node: FlowNode, handle: string): boolean {
  return outputIndex(node, handle) !== -1;
}

/** The spec of the kind's output `handle` is, with the item it stands for; undefined when unknown. */
function outputSpecOf(node: FlowNode, handle: string) {
  for (const spec of kindOf(node).outputs) {
    if (!('prefix' in spec)) {
      if (spec.handle === handle) return { spec, item: undefined };
      continue;
    }
    if (!handle.startsWith(spec.prefix)) continue;
    const id = handle.slice(spec.prefix.length);
    return { spec, item: spec.items(node).find((i) => i.id === id) ?? { id, label: '' } };
  }
  // A handle the node does not have (an edge drawn before its output went away): named as the kind
  // that has it names it.
  for (const type of NODE_TYPES) {
    for (const spec of nodeKinds[type].outputs)
      if (!('prefix' in spec) && spec.handle === handle) return { spec, item: undefined };
  }
  return undefined;
}

/**
 * What the canvas shows on an output: the outcome or branch label (its id when it has none),
 * "Otherwise", "On SLA breach", "Next", "Timeout"; the handle itself when the node has no such output.
 */
export function outputLabel(node: FlowNode, handle: string): string {
  const found = outputSpecOf(node, handle);
  if (found === undefined) return handle;
  if (found.item !== undefined) return found.item.label || found.item.id;
  return 'label' in found.spec ? found.spec.label : handle;
}

/** Names an output for messages: `"Approve"`, `"Otherwise" (default)`, `"On SLA breach"`, `"Next"`. */
export function describeOutput(node: FlowNode, handle: string): string {
  const found = outputSpecOf(node, handle);
  if (found !== undefined && found.item === undefined && 'handle' in found.spec && found.spec.quoted)
    return found.spec.quoted;
  return `"${outputLabel(node, handle)}"`;
}

/** Whether the canvas draws the output as an escalation (a step's SLA breach). */
export function isBreachOutput(node: FlowNode, handle: string): boolean {
  const found = outputSpecOf(node, handle);
  return (
    found !== undefined && found.item === undefined && 'handle' in found.spec && found.spec.breach === true
  );
}

import { isNodeKind, kindOf } from './nodes/registry.ts';
import type { FlowNode } from './schema.ts';

export {
  describeOutput,
  hasOutput,
  outputCount,
  outputIndex,
  outputLabel,
  outputsOfAt,
} from './outputs.ts';

/** A node's name as written: a step's title, every other kind's label (untrimmed; '' when absent). */
export function nameOf(node: FlowNode): string {
  if (!isNodeKind(node.type)) return '';
  const name: unknown = (node.data as Record<string, unknown>)[kindOf(node).nameKey];
  return typeof name === 'string' ? name : '';
}

/** The kind's name for people: `Step`, `Decision`. */
export function kindLabel(type: string): string {
  return isNodeKind(type) ? kindOf({ type }).words.label : 'Node';
}

/**
 * Names a node the way a manager sees it on the canvas, for messages: `Step "Verify eligibility"`,
 * `Decision "Route by amount"`; falls back to the id when the node has no title or label.
 */
export function describeNode(node: FlowNode): string {
  const title = nameOf(node).trim();
  return `${kindLabel(node.type)} "${title !== '' ? title : node.id}"`;
}

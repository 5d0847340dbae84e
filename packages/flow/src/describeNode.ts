import { type FlowNode, outputsOf } from './schema.ts';

const TYPE_WORDS: Record<FlowNode['type'], string> = {
  start: 'Start',
  step: 'Step',
  decision: 'Decision',
  action: 'Action',
  wait: 'Wait',
  subflow: 'Subflow',
  end: 'End',
};

/**
 * Names a node the way a manager sees it on the canvas, for messages: `Step "Verify eligibility"`,
 * `Decision "Route by amount"`; falls back to the id when the node has no title or label.
 */
export function describeNode(node: FlowNode): string {
  const title = node.type === 'step' ? node.data.title : node.data.label;
  const name = typeof title === 'string' && title.trim() !== '' ? title.trim() : node.id;
  return `${TYPE_WORDS[node.type] ?? 'Node'} "${name}"`;
}

/**
 * Names an output (handle) of a node by what the canvas shows on it: the outcome or branch label,
 * "Otherwise" for a decision's default, "On SLA breach", "Next", "Timeout".
 */
export function describeOutput(node: FlowNode, handle: string): string {
  if (handle.startsWith('outcome:') && node.type === 'step') {
    const id = handle.slice(8);
    const outcome = node.data.outcomes.find((o) => o.id === id);
    return `"${outcome?.label || id}"`;
  }
  if (handle.startsWith('branch:') && node.type === 'decision') {
    const id = handle.slice(7);
    const branch = node.data.branches.find((b) => b.id === id);
    return `"${branch?.label || id}"`;
  }
  switch (handle) {
    case 'default':
      return '"Otherwise" (default)';
    case 'sla_breach':
      return '"On SLA breach"';
    case 'next':
      return '"Next"';
    case 'timeout':
      return '"Timeout"';
    default:
      return `"${handle}"`;
  }
}

/** How many outputs (handles) the node offers: the length of `outputsOf(node)`. */
export function outputCount(node: FlowNode): number {
  switch (node.type) {
    case 'start':
    case 'action':
    case 'subflow':
      return 1;
    case 'step':
      return node.data.outcomes.length + 1;
    case 'decision':
      return node.data.branches.length + 1;
    case 'wait':
      return node.data.mode === 'reply' && node.data.minutes !== null ? 2 : 1;
    default:
      return 0;
  }
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
  switch (node.type) {
    case 'start':
    case 'action':
    case 'subflow':
      return handle === 'next' ? 0 : -1;
    case 'step': {
      const outcomes = node.data.outcomes;
      if (handle === 'sla_breach') return outcomes.length;
      for (let i = 0; i < outcomes.length; i++) if (isPrefixed(handle, 'outcome:', outcomes[i]!.id)) return i;
      return -1;
    }
    case 'decision': {
      const branches = node.data.branches;
      if (handle === 'default') return branches.length;
      for (let i = 0; i < branches.length; i++) if (isPrefixed(handle, 'branch:', branches[i]!.id)) return i;
      return -1;
    }
    case 'wait':
      if (handle === 'next') return 0;
      return handle === 'timeout' && node.data.mode === 'reply' && node.data.minutes !== null ? 1 : -1;
    default:
      return -1;
  }
}

/** The handle at position `k` of `outputsOf(node)` (for messages, where allocating is fine). */
export function outputsOfAt(node: FlowNode, k: number): string {
  return outputsOf(node)[k] ?? '';
}

/** Whether `handle` is one of the node's outputs (same answer as `outputsOf(node).includes(handle)`). */
export function hasOutput(node: FlowNode, handle: string): boolean {
  return outputIndex(node, handle) !== -1;
}

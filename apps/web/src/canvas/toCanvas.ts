import type { FlowDocument } from '@stepwise/flow';
import { type Edge, MarkerType } from '@xyflow/react';
import { outputLabel } from './describe.ts';
import type { CanvasFlowNode, CanvasNames, CanvasNode, NodeIssue } from './types.ts';

export type CanvasEdge = Edge<{ handle: string; onPath: boolean; breach: boolean }, 'output'>;

export type CanvasOptions = {
  names: CanvasNames;
  /** Node ids the ticket went through, in order; the last one is where it is now. */
  path?: readonly string[];
  issues?: ReadonlyMap<string, readonly NodeIssue[]>;
};

const NO_ISSUES: readonly NodeIssue[] = [];
const ACCENT = '#4338ca';
const EDGE = '#8a8f98';

/** React Flow nodes and edges for a flow document (positions as stored: layout is never run on open). */
export function toCanvas(
  document: FlowDocument,
  options: CanvasOptions,
): { nodes: CanvasNode[]; edges: CanvasEdge[] } {
  const path = options.path ?? [];
  const current = path.length > 0 ? path[path.length - 1] : undefined;
  const visited = new Set(path);
  const walked = new Set<string>();
  for (let i = 1; i < path.length; i++) walked.add(`${path[i - 1]}\u0000${path[i]}`);

  const nodes: CanvasNode[] = document.nodes.map(
    (node) =>
      ({
        id: node.id,
        type: node.type,
        position: node.position,
        data: {
          node,
          names: options.names,
          mark: node.id === current ? 'current' : visited.has(node.id) ? 'visited' : null,
          issues: options.issues?.get(node.id) ?? NO_ISSUES,
        },
      }) as CanvasFlowNode,
  );
  for (const note of document.notes) {
    nodes.push({
      id: `note:${note.id}`,
      type: 'note',
      position: note.position,
      data: { text: note.text, width: note.width, height: note.height },
      connectable: false,
    });
  }

  const byId = new Map(document.nodes.map((n) => [n.id, n]));
  const edges: CanvasEdge[] = document.edges.map((edge) => {
    const source = byId.get(edge.source);
    const onPath = walked.has(`${edge.source}\u0000${edge.target}`);
    const breach = edge.sourceHandle === 'sla_breach';
    return {
      id: edge.id,
      source: edge.source,
      sourceHandle: edge.sourceHandle,
      target: edge.target,
      type: 'output',
      label: source ? outputLabel(source, edge.sourceHandle) : edge.sourceHandle,
      className: [onPath ? 'is-path' : '', breach ? 'is-breach' : ''].filter(Boolean).join(' ') || undefined,
      markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16, color: onPath ? ACCENT : EDGE },
      data: { handle: edge.sourceHandle, onPath, breach },
    };
  });
  return { nodes, edges };
}

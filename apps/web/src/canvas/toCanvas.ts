import {
  type Edge as FlowEdge,
  type FlowDocument,
  type FlowNode,
  isBreachOutput,
  type Note,
  outputsOf,
} from '@stepwise/flow';
import { type Edge, MarkerType } from '@xyflow/react';
import { webKindOf } from '../kinds/registry.tsx';
import { outputLabel } from './describe.ts';
import type {
  CanvasFlowNode,
  CanvasNames,
  CanvasNode,
  CanvasNoteNode,
  NodeIssue,
  NodeMark,
} from './types.ts';

export type CanvasEdgeData = {
  handle: string;
  onPath: boolean;
  breach: boolean;
  /** The builder's validation found a problem with this edge. */
  invalid?: boolean;
};
export type CanvasEdge = Edge<CanvasEdgeData, 'output'>;

export type CanvasOptions = {
  names: CanvasNames;
  /** Node ids the ticket went through, in order; the last one is where it is now. */
  path?: readonly string[];
  issues?: ReadonlyMap<string, readonly NodeIssue[]>;
};

export const NO_ISSUES: readonly NodeIssue[] = [];
const ACCENT = '#4338ca';
const EDGE = '#8a8f98';
const DANGER = '#b42318';

/** Canvas ids of notes are prefixed so they never collide with node ids. */
export const NOTE_PREFIX = 'note:';
export const noteCanvasId = (noteId: string): string => `${NOTE_PREFIX}${noteId}`;

/** Every node view is this wide (styles.css, `.fnode`). */
export const NODE_WIDTH = 200;

/**
 * About how tall a node's view is, before React Flow has measured it. With only the visible elements
 * rendered, React Flow renders every node it cannot place (to measure it) and then drops those out of
 * view: with an estimate, nodes out of view are never rendered at all, and the minimap shows them.
 */
export function estimatedHeight(node: FlowNode): number {
  const outputs = outputsOf(node).length;
  const lines = webKindOf(node.type).summaryLines?.(node) ?? 1;
  return 56 + lines * 18 + (outputs > 0 ? 10 + outputs * 20 : 0);
}

/** The React Flow node of one flow node. */
export function toCanvasNode(
  node: FlowNode,
  names: CanvasNames,
  mark: NodeMark,
  issues: readonly NodeIssue[],
): CanvasFlowNode {
  return {
    id: node.id,
    type: node.type,
    position: node.position,
    initialWidth: NODE_WIDTH,
    initialHeight: estimatedHeight(node),
    data: { node, names, mark, issues },
  } as CanvasFlowNode;
}

/** The React Flow node of a note (no handles). */
export function noteToCanvas(note: Note): CanvasNoteNode {
  return {
    id: noteCanvasId(note.id),
    type: 'note',
    position: note.position,
    initialWidth: note.width ?? 220,
    initialHeight: note.height ?? 64,
    data: { noteId: note.id, text: note.text, width: note.width, height: note.height },
    connectable: false,
  };
}

/** The React Flow edge of one flow edge, labelled with the output it leaves from. */
export function toCanvasEdge(
  edge: FlowEdge,
  source: FlowNode | undefined,
  onPath: boolean,
  invalid = false,
): CanvasEdge {
  const breach = source ? isBreachOutput(source, edge.sourceHandle) : edge.sourceHandle === 'sla_breach';
  return {
    id: edge.id,
    source: edge.source,
    sourceHandle: edge.sourceHandle,
    target: edge.target,
    type: 'output',
    label: source ? outputLabel(source, edge.sourceHandle) : edge.sourceHandle,
    className:
      [onPath ? 'is-path' : '', breach ? 'is-breach' : '', invalid ? 'is-invalid' : '']
        .filter(Boolean)
        .join(' ') || undefined,
    markerEnd: {
      type: MarkerType.ArrowClosed,
      width: 16,
      height: 16,
      color: invalid ? DANGER : onPath ? ACCENT : EDGE,
    },
    data: { handle: edge.sourceHandle, onPath, breach, invalid },
  };
}

/** Where a node stands on a ticket's path. */
export function markOf(nodeId: string, current: string | undefined, visited: ReadonlySet<string>): NodeMark {
  return nodeId === current ? 'current' : visited.has(nodeId) ? 'visited' : null;
}

/** The consecutive node pairs of a path, as `source\u0000target` keys (edges walked). */
export function walkedPairs(path: readonly string[]): Set<string> {
  const walked = new Set<string>();
  for (let i = 1; i < path.length; i++) walked.add(`${path[i - 1]}\u0000${path[i]}`);
  return walked;
}

/** React Flow nodes and edges for a flow document (positions as stored: layout is never run on open). */
export function toCanvas(
  document: FlowDocument,
  options: CanvasOptions,
): { nodes: CanvasNode[]; edges: CanvasEdge[] } {
  const path = options.path ?? [];
  const current = path.length > 0 ? path[path.length - 1] : undefined;
  const visited = new Set(path);
  const walked = walkedPairs(path);

  const nodes: CanvasNode[] = document.nodes.map((node) =>
    toCanvasNode(
      node,
      options.names,
      markOf(node.id, current, visited),
      options.issues?.get(node.id) ?? NO_ISSUES,
    ),
  );
  for (const note of document.notes) nodes.push(noteToCanvas(note));

  const byId = new Map(document.nodes.map((n) => [n.id, n]));
  const edges: CanvasEdge[] = document.edges.map((edge) =>
    toCanvasEdge(edge, byId.get(edge.source), walked.has(`${edge.source}\u0000${edge.target}`)),
  );
  return { nodes, edges };
}

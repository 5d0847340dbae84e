import {
  type Edge as FlowEdge,
  type FlowDocument,
  type FlowNode,
  type Note,
  outputsOf,
} from '@stepwise/flow';
import { type NodeHandle, Position } from '@xyflow/react';
import { useMemo, useRef } from 'react';
import { outputLabel } from '../../canvas/describe.ts';
import {
  type CanvasEdge,
  estimatedHeight,
  markOf,
  NODE_WIDTH,
  NO_ISSUES,
  noteCanvasId,
  noteToCanvas,
  toCanvasEdge,
  toCanvasNode,
  walkedPairs,
} from '../../canvas/toCanvas.ts';
import type { CanvasNames, CanvasNode, NodeIssue, NodeMark } from '../../canvas/types.ts';
import type { Size } from './store.ts';

type NodeEntry = {
  node: FlowNode;
  names: CanvasNames;
  mark: NodeMark;
  issues: readonly NodeIssue[];
  selected: boolean;
  measured: Size | undefined;
  canvas: CanvasNode;
};
type NoteEntry = { note: Note; selected: boolean; measured: Size | undefined; canvas: CanvasNode };
type EdgeEntry = {
  edge: FlowEdge;
  label: string;
  onPath: boolean;
  invalid: boolean;
  selected: boolean;
  canvas: CanvasEdge;
};

/** Handle size and offsets of the builder's node views (styles.css, builder section). */
const HANDLE = 11;
const HANDLE_OUTSET = 11.5;
const TARGET_Y = 22;
const OUTPUT_ROW = 21;

/**
 * Where a node's handles are, before React Flow has measured them. React Flow renders every node whose
 * handles it has not measured, even out of view; with these estimates, nodes out of view are not
 * rendered at all on a big flow (their edges point at the estimates until they come into view and are
 * measured). Measured nodes go without: React Flow keeps what it measured.
 */
export function estimatedHandles(node: FlowNode): NodeHandle[] {
  const height = estimatedHeight(node);
  const outputs = outputsOf(node);
  const handles: NodeHandle[] = [];
  if (node.type !== 'start') {
    handles.push({
      type: 'target',
      position: Position.Left,
      x: -HANDLE_OUTSET,
      y: TARGET_Y - HANDLE / 2,
      width: HANDLE,
      height: HANDLE,
    });
  }
  const top = height - (8 + OUTPUT_ROW * outputs.length) + 4;
  outputs.forEach((id, i) => {
    handles.push({
      id,
      type: 'source',
      position: Position.Right,
      x: NODE_WIDTH + HANDLE_OUTSET - HANDLE,
      y: top + i * OUTPUT_ROW + OUTPUT_ROW / 2 - HANDLE / 2,
      width: HANDLE,
      height: HANDLE,
    });
  });
  return handles;
}

export type CanvasModelInput = {
  document: FlowDocument;
  names: CanvasNames;
  selectedNodes: ReadonlySet<string>;
  selectedEdges: ReadonlySet<string>;
  measured: ReadonlyMap<string, Size>;
  byNode: ReadonlyMap<string, readonly NodeIssue[]>;
  invalidEdges: ReadonlySet<string>;
  /** A test run's path (the last node is where the simulated ticket is). */
  path: readonly string[];
};

export type CanvasModel = { nodes: CanvasNode[]; edges: CanvasEdge[] };

/**
 * Turns the document into React Flow nodes and edges, keeping the same object for every node and edge
 * whose inputs did not change: React Flow then skips them (a drag re-renders the dragged node only).
 */
export class CanvasModelCache {
  private nodes = new Map<string, NodeEntry>();
  private notes = new Map<string, NoteEntry>();
  private edges = new Map<string, EdgeEntry>();
  private lastEdges: CanvasEdge[] = [];

  build(input: CanvasModelInput): CanvasModel {
    const { document, names, selectedNodes, selectedEdges, measured, byNode, invalidEdges, path } = input;
    const current = path.length > 0 ? path[path.length - 1] : undefined;
    const visited = new Set(path);
    const walked = walkedPairs(path);

    const nextNodes = new Map<string, NodeEntry>();
    const nodes: CanvasNode[] = [];
    for (const node of document.nodes) {
      const mark = markOf(node.id, current, visited);
      const issues = byNode.get(node.id) ?? NO_ISSUES;
      const selected = selectedNodes.has(node.id);
      const size = measured.get(node.id);
      let entry = this.nodes.get(node.id);
      if (
        !entry ||
        entry.node !== node ||
        entry.names !== names ||
        entry.mark !== mark ||
        entry.issues !== issues ||
        entry.selected !== selected ||
        entry.measured !== size
      ) {
        // Selection and size are not the view's data: keep the data object, and the memoised view skips.
        const sameData =
          entry !== undefined &&
          entry.node === node &&
          entry.names === names &&
          entry.mark === mark &&
          entry.issues === issues;
        const base = sameData && entry ? entry.canvas : toCanvasNode(node, names, mark, issues);
        const canvas = { ...base, selected } as CanvasNode;
        if (size) {
          canvas.measured = size;
          delete canvas.handles;
        } else {
          delete canvas.measured;
          canvas.handles = sameData && entry?.canvas.handles ? entry.canvas.handles : estimatedHandles(node);
        }
        entry = { node, names, mark, issues, selected, measured: size, canvas };
      }
      nextNodes.set(node.id, entry);
      nodes.push(entry.canvas);
    }
    this.nodes = nextNodes;

    const nextNotes = new Map<string, NoteEntry>();
    for (const note of document.notes) {
      const id = noteCanvasId(note.id);
      const selected = selectedNodes.has(id);
      const size = measured.get(id);
      let entry = this.notes.get(id);
      if (!entry || entry.note !== note || entry.selected !== selected || entry.measured !== size) {
        const base = entry && entry.note === note ? entry.canvas : noteToCanvas(note);
        const canvas = { ...base, selected } as CanvasNode;
        if (size) canvas.measured = size;
        else delete canvas.measured;
        entry = { note, selected, measured: size, canvas };
      }
      nextNotes.set(id, entry);
      nodes.push(entry.canvas);
    }
    this.notes = nextNotes;

    const byId = new Map(document.nodes.map((n) => [n.id, n]));
    const nextEdges = new Map<string, EdgeEntry>();
    const edges: CanvasEdge[] = [];
    for (const edge of document.edges) {
      const source = byId.get(edge.source);
      const label = source ? outputLabel(source, edge.sourceHandle) : edge.sourceHandle;
      const onPath = walked.has(`${edge.source}\u0000${edge.target}`);
      const invalid = invalidEdges.has(edge.id);
      const selected = selectedEdges.has(edge.id);
      let entry = this.edges.get(edge.id);
      if (
        !entry ||
        entry.edge !== edge ||
        entry.label !== label ||
        entry.onPath !== onPath ||
        entry.invalid !== invalid ||
        entry.selected !== selected
      ) {
        entry = {
          edge,
          label,
          onPath,
          invalid,
          selected,
          canvas: { ...toCanvasEdge(edge, source, onPath, invalid), selected },
        };
      }
      nextEdges.set(edge.id, entry);
      edges.push(entry.canvas);
    }
    this.edges = nextEdges;
    // The same array when no edge changed (a drag): React Flow then keeps its connection index.
    const same = edges.length === this.lastEdges.length && edges.every((e, i) => e === this.lastEdges[i]);
    if (!same) this.lastEdges = edges;
    return { nodes, edges: this.lastEdges };
  }
}

/** The canvas model of the builder, rebuilt incrementally on each render. */
export function useCanvasModel({
  document,
  names,
  selectedNodes,
  selectedEdges,
  measured,
  byNode,
  invalidEdges,
  path,
}: CanvasModelInput): CanvasModel {
  const cache = useRef<CanvasModelCache | null>(null);
  return useMemo(() => {
    cache.current ??= new CanvasModelCache();
    return cache.current.build({
      document,
      names,
      selectedNodes,
      selectedEdges,
      measured,
      byNode,
      invalidEdges,
      path,
    });
  }, [document, names, selectedNodes, selectedEdges, measured, byNode, invalidEdges, path]);
}

import {
  type CanConnectResult,
  CURRENT_SCHEMA_VERSION,
  canConnect,
  type Connection,
  type Edge,
  type FlowDocument,
  type FlowNode,
  hasOutput,
  nodeKinds,
  type Note,
  type NodeType,
} from '@stepwise/flow';
import { NOTE_PREFIX } from '../../canvas/toCanvas.ts';
import { copyLabel, labelOf, takenLabels, withLabel } from './nodeNames.ts';

/**
 * Pure operations on a flow document, as the builder applies them: each returns a new document and
 * keeps every node, edge and note it does not change as the same object (the canvas re-renders only
 * what changed, and undo restores by reference).
 */

export type Point = { x: number; y: number };

/** The canvas grid: dropped, pasted and laid-out nodes land on it. */
export const GRID = 16;

export function snap(p: Point): Point {
  return { x: Math.round(p.x / GRID) * GRID, y: Math.round(p.y / GRID) * GRID };
}

/** Makes an id with the given prefix (`step`, `e`, …); the store retries while it collides. */
export type NewId = (prefix: string) => string;

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A short random id such as `step_k3j9x2qa`: letters and digits, well inside the 64-character bound. */
export function randomId(prefix: string): string {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  let out = '';
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return `${prefix}_${out}`;
}

export function emptyDocument(): FlowDocument {
  return { schemaVersion: CURRENT_SCHEMA_VERSION, fields: [], nodes: [], edges: [], notes: [] };
}

/** A new node of a type, as the palette drops it: its kind's defaults, which a manager then edits. */
export function createNode(type: NodeType, id: string, position: Point): FlowNode {
  return { id, type, position, data: nodeKinds[type].defaults() } as FlowNode;
}

/** All ids in use by nodes, edges and notes (new ids must avoid every one). */
export function usedIds(document: FlowDocument): Set<string> {
  const ids = new Set<string>();
  for (const n of document.nodes) ids.add(n.id);
  for (const e of document.edges) ids.add(e.id);
  for (const n of document.notes) ids.add(n.id);
  return ids;
}

/** An id from `newId` that is not in `taken` (and is then added to it). */
export function freshId(newId: NewId, prefix: string, taken: Set<string>): string {
  for (let i = 0; i < 1000; i++) {
    const id = newId(prefix);
    if (!taken.has(id)) {
      taken.add(id);
      return id;
    }
  }
  throw new Error(`could not make a fresh ${prefix} id`);
}

/**
 * An id for an item inside a node (an outcome, branch or checklist item) made from its label, e.g.
 * `not_eligible`, with `_2`, `_3`… when the node already has one.
 */
export function itemId(label: string, taken: Iterable<string>, fallback: string): string {
  const base =
    label
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 40) || fallback;
  const used = new Set(taken);
  if (!used.has(base)) return base;
  for (let i = 2; ; i++) if (!used.has(`${base}_${i}`)) return `${base}_${i}`;
}

export function addNode(document: FlowDocument, node: FlowNode): FlowDocument {
  return { ...document, nodes: [...document.nodes, node] };
}

export function addNote(document: FlowDocument, note: Note): FlowDocument {
  return { ...document, notes: [...document.notes, note] };
}

/**
 * Replaces a node (same id) and removes the edges that leave from an output it no longer has: removing
 * an outcome removes its edge, as does clearing a reply wait's timeout.
 */
export function replaceNode(document: FlowDocument, node: FlowNode): FlowDocument {
  const index = document.nodes.findIndex((n) => n.id === node.id);
  if (index < 0) return document;
  const nodes = document.nodes.slice();
  nodes[index] = node;
  const edges = document.edges.filter((e) => e.source !== node.id || hasOutput(node, e.sourceHandle));
  return { ...document, nodes, edges: edges.length === document.edges.length ? document.edges : edges };
}

export function replaceNote(document: FlowDocument, note: Note): FlowDocument {
  const index = document.notes.findIndex((n) => n.id === note.id);
  if (index < 0) return document;
  const notes = document.notes.slice();
  notes[index] = note;
  return { ...document, notes };
}

/** Splits canvas ids into node ids and note ids (notes are `note:<id>` on the canvas). */
export function splitCanvasIds(canvasIds: Iterable<string>): { nodes: Set<string>; notes: Set<string> } {
  const nodes = new Set<string>();
  const notes = new Set<string>();
  for (const id of canvasIds) {
    if (id.startsWith(NOTE_PREFIX)) notes.add(id.slice(NOTE_PREFIX.length));
    else nodes.add(id);
  }
  return { nodes, notes };
}

/** Moves nodes and notes (by canvas id) to new positions. */
export function moveElements(document: FlowDocument, moves: ReadonlyMap<string, Point>): FlowDocument {
  if (moves.size === 0) return document;
  let nodesChanged = false;
  const nodes = document.nodes.map((n) => {
    const p = moves.get(n.id);
    if (!p || (p.x === n.position.x && p.y === n.position.y)) return n;
    nodesChanged = true;
    return { ...n, position: { x: p.x, y: p.y } };
  });
  let notesChanged = false;
  const notes = document.notes.map((n) => {
    const p = moves.get(`${NOTE_PREFIX}${n.id}`);
    if (!p || (p.x === n.position.x && p.y === n.position.y)) return n;
    notesChanged = true;
    return { ...n, position: { x: p.x, y: p.y } };
  });
  if (!nodesChanged && !notesChanged) return document;
  return {
    ...document,
    nodes: nodesChanged ? nodes : document.nodes,
    notes: notesChanged ? notes : document.notes,
  };
}

/** Removes nodes and notes (by canvas id) with every edge that touches them, and the given edges. */
export function removeElements(
  document: FlowDocument,
  canvasIds: Iterable<string>,
  edgeIds: Iterable<string>,
): FlowDocument {
  const { nodes: nodeIds, notes: noteIds } = splitCanvasIds(canvasIds);
  const edgeSet = new Set(edgeIds);
  if (nodeIds.size === 0 && noteIds.size === 0 && edgeSet.size === 0) return document;
  const nodes = document.nodes.filter((n) => !nodeIds.has(n.id));
  const edges = document.edges.filter(
    (e) => !edgeSet.has(e.id) && !nodeIds.has(e.source) && !nodeIds.has(e.target),
  );
  const notes = document.notes.filter((n) => !noteIds.has(n.id));
  if (
    nodes.length === document.nodes.length &&
    edges.length === document.edges.length &&
    notes.length === document.notes.length
  ) {
    return document;
  }
  return {
    ...document,
    nodes: nodes.length === document.nodes.length ? document.nodes : nodes,
    edges: edges.length === document.edges.length ? document.edges : edges,
    notes: notes.length === document.notes.length ? document.notes : notes,
  };
}

export type ConnectResult =
  | { ok: true; document: FlowDocument; edge: Edge }
  | Extract<CanConnectResult, { ok: false }>;

/** Adds an edge when `canConnect` allows it (the same rules as validation), or says why not. */
export function connect(document: FlowDocument, connection: Connection, id: string): ConnectResult {
  const allowed = canConnect(document, connection);
  if (!allowed.ok) return allowed;
  const edge: Edge = { id, ...connection };
  return { ok: true, document: { ...document, edges: [...document.edges, edge] }, edge };
}

/** Sets the positions layout computed (nodes not in `positions` stay where they are). */
export function applyPositions(
  document: FlowDocument,
  positions: Readonly<Record<string, Point>>,
): FlowDocument {
  const moves = new Map<string, Point>();
  for (const node of document.nodes) {
    const p = Object.hasOwn(positions, node.id) ? positions[node.id] : undefined;
    if (p) moves.set(node.id, p);
  }
  return moveElements(document, moves);
}

/** What copy takes: the chosen nodes and notes, and the edges between chosen nodes. */
export type Clipboard = { nodes: FlowNode[]; edges: Edge[]; notes: Note[] };

export function copyElements(document: FlowDocument, canvasIds: Iterable<string>): Clipboard | null {
  const { nodes: nodeIds, notes: noteIds } = splitCanvasIds(canvasIds);
  const nodes = document.nodes.filter((n) => nodeIds.has(n.id));
  const notes = document.notes.filter((n) => noteIds.has(n.id));
  if (nodes.length === 0 && notes.length === 0) return null;
  const edges = document.edges.filter((e) => nodeIds.has(e.source) && nodeIds.has(e.target));
  return { nodes, edges, notes };
}

/**
 * Adds a copy of the clipboard, moved by `offset`, with fresh ids for every node, edge and note; edges
 * between copied nodes follow their copies. A copy whose label another node has is numbered ("Urgent? 2"),
 * so problems never name two nodes alike. Returns the new document and the canvas ids of the copies.
 */
export function pasteClipboard(
  document: FlowDocument,
  clipboard: Clipboard,
  newId: NewId,
  offset: Point,
): { document: FlowDocument; canvasIds: string[] } {
  const taken = usedIds(document);
  const labels = takenLabels(document);
  const renamed = new Map<string, string>();
  const nodes = clipboard.nodes.map((node): FlowNode => {
    const id = freshId(newId, node.type, taken);
    renamed.set(node.id, id);
    const label = copyLabel(labelOf(node), labels);
    labels.add(label.trim().toLowerCase());
    const moved = { ...node, id, position: { x: node.position.x + offset.x, y: node.position.y + offset.y } };
    return label === labelOf(node) ? moved : withLabel(moved, label);
  });
  const edges: Edge[] = [];
  for (const edge of clipboard.edges) {
    const source = renamed.get(edge.source);
    const target = renamed.get(edge.target);
    if (source && target)
      edges.push({ id: freshId(newId, 'e', taken), source, sourceHandle: edge.sourceHandle, target });
  }
  const notes = clipboard.notes.map(
    (note): Note => ({
      ...note,
      id: freshId(newId, 'note', taken),
      position: { x: note.position.x + offset.x, y: note.position.y + offset.y },
    }),
  );
  return {
    document: {
      ...document,
      nodes: [...document.nodes, ...nodes],
      edges: [...document.edges, ...edges],
      notes: [...document.notes, ...notes],
    },
    canvasIds: [...nodes.map((n) => n.id), ...notes.map((n) => `${NOTE_PREFIX}${n.id}`)],
  };
}

/** Moves an item of a list one place up (-1) or down (+1); out of range leaves the list as it is. */
export function moveItem<T>(items: readonly T[], index: number, by: -1 | 1): T[] {
  const to = index + by;
  if (index < 0 || index >= items.length || to < 0 || to >= items.length) return items.slice();
  const next = items.slice();
  const [item] = next.splice(index, 1);
  next.splice(to, 0, item as T);
  return next;
}

/** Where a node is drawn when React Flow has not measured it yet (it is off screen in a large flow). */
export const UNMEASURED = { width: 200, height: 100 } as const;

/**
 * The rectangle around the given nodes (by id; ids not in the document are skipped), with the sizes
 * React Flow measured or `UNMEASURED`; null when none is in the document. The canvas centres on it
 * without needing the nodes rendered.
 */
export function boundsOf(
  document: FlowDocument,
  ids: Iterable<string>,
  measured: ReadonlyMap<string, { width: number; height: number }>,
): { x: number; y: number; width: number; height: number } | null {
  const wanted = new Set(ids);
  let left = Number.POSITIVE_INFINITY;
  let top = Number.POSITIVE_INFINITY;
  let right = Number.NEGATIVE_INFINITY;
  let bottom = Number.NEGATIVE_INFINITY;
  for (const node of document.nodes) {
    if (!wanted.has(node.id)) continue;
    const size = measured.get(node.id) ?? UNMEASURED;
    left = Math.min(left, node.position.x);
    top = Math.min(top, node.position.y);
    right = Math.max(right, node.position.x + size.width);
    bottom = Math.max(bottom, node.position.y + size.height);
  }
  if (left === Number.POSITIVE_INFINITY) return null;
  return { x: left, y: top, width: right - left, height: bottom - top };
}

import {
  CURRENT_SCHEMA_VERSION,
  type Connection,
  canConnect,
  parseFlowDocument,
  type FieldDef,
  type FlowDocument,
  type FlowNode,
  type Note,
  type NodeType,
} from '@stepwise/flow';
import { type TemporalState, temporal } from 'zundo';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { NOTE_PREFIX, noteCanvasId } from '../../canvas/toCanvas.ts';
import {
  addNode,
  addNote,
  applyPositions,
  type Clipboard,
  type ConnectResult,
  connect,
  copyElements,
  createNode,
  freshId,
  moveElements,
  type NewId,
  type Point,
  pasteClipboard,
  randomId,
  removeElements,
  replaceNode,
  replaceNote,
  snap,
  usedIds,
} from './documentOps.ts';
import type { FlowMeta } from './DraftSaver.ts';
import {
  autoLabel,
  followAutoLabel,
  labelOf,
  nameContext,
  takenLabels,
  uniqueLabel,
  withLabel,
} from './nodeNames.ts';
import { appendHandle, freeSpot, inheritedTeam, placeAfter } from './quickAdd.ts';

export type Size = { width: number; height: number };

/**
 * The builder's state: the document (the only part undo/redo tracks) and what the canvas needs around
 * it — the selection (canvas ids: node ids, `note:<id>` for notes), the sizes React Flow measured and
 * the flow's name and description.
 * React Flow is controlled from this store; its own internal store is never the source of truth.
 */
export type BuilderState = {
  document: FlowDocument;
  selectedNodes: ReadonlySet<string>;
  selectedEdges: ReadonlySet<string>;
  measured: ReadonlyMap<string, Size>;
  /** The flow's name and description (saved with the draft; not part of undo). */
  meta: FlowMeta;
};

type Tracked = { document: FlowDocument };

export type BuilderStore = StoreApi<BuilderState> & { temporal: StoreApi<TemporalState<Tracked>> };

/** Edits to the same field within this many milliseconds of each other are one undo step. */
export const COALESCE_MS = 500;
/** How far each paste moves the copies from the originals. */
export const PASTE_OFFSET = 32;
const HISTORY_LIMIT = 200;
const NONE: ReadonlySet<string> = new Set();

// The clipboard outlives one builder: copy in one flow, paste in another (same tab). Through the system
// clipboard (`clipboardText`, `pasteText`) copies also go to other tabs and windows.
let clipboard: { content: Clipboard; pastes: number; text: string | null } | null = null;

/** Marks the system clipboard's text as Stepwise nodes (flow JSON), so any other text is left alone. */
export const CLIPBOARD_KIND = 'stepwise/nodes';

/** The selection as the system clipboard carries it: flow JSON with the nodes, edges and notes. */
export function clipboardToText(content: Clipboard): string {
  return JSON.stringify({ kind: CLIPBOARD_KIND, schemaVersion: CURRENT_SCHEMA_VERSION, ...content });
}

/**
 * The nodes, edges and notes in a text from the system clipboard, parsed (and migrated) like a flow
 * document; null for any other text or a malformed one.
 */
export function clipboardFromText(text: string): Clipboard | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object' || (value as { kind?: unknown }).kind !== CLIPBOARD_KIND)
    return null;
  const { nodes, edges, notes, schemaVersion } = value as Record<string, unknown>;
  const parsed = parseFlowDocument({ schemaVersion, fields: [], nodes, edges, notes });
  if (!parsed.ok) return null;
  const { document } = parsed;
  if (document.nodes.length === 0 && document.notes.length === 0) return null;
  return { nodes: document.nodes, edges: document.edges, notes: document.notes };
}

export type BuilderOptions = {
  newId?: NewId;
  /** Milliseconds, for coalescing edits (tests pass a fake clock). */
  now?: () => number;
  meta?: FlowMeta;
};

/**
 * The document store of one open flow, with every editing action of the builder. Every change to the
 * document is one undo step, except: a whole drag is one step; edits that name the same `coalesce`
 * key (the same field) within `COALESCE_MS` of each other are one step.
 */
export class Builder {
  readonly store: BuilderStore;
  private readonly newId: NewId;
  private readonly now: () => number;
  private lastEdit: { key: string; at: number } | null = null;
  private dragging = false;
  /** The organization's team names, for the automatic names of assign actions ("Assign to Billing"). */
  private teamNames: ReadonlyMap<string, string> = new Map();

  constructor(document: FlowDocument, options: BuilderOptions = {}) {
    this.newId = options.newId ?? randomId;
    this.now = options.now ?? (() => Date.now());
    this.store = createStore<BuilderState>()(
      temporal<BuilderState, [], [], Tracked>(
        () => ({
          document,
          selectedNodes: NONE,
          selectedEdges: NONE,
          measured: new Map<string, Size>(),
          meta: options.meta ?? { name: '', description: '' },
        }),
        {
          partialize: (state): Tracked => ({ document: state.document }),
          // Selection and measured sizes change the state but not the document: not an undo step.
          equality: (past, current) => past.document === current.document,
          limit: HISTORY_LIMIT,
        },
      ),
    );
  }

  get document(): FlowDocument {
    return this.store.getState().document;
  }

  private record(next: Partial<BuilderState>): void {
    this.store.setState(next);
  }

  /** Changes the state without adding an undo step (the change joins the previous step). */
  private silently(next: Partial<BuilderState>): void {
    const history = this.store.temporal.getState();
    history.pause();
    try {
      this.store.setState(next);
    } finally {
      history.resume();
    }
  }

  /**
   * Applies `recipe` to the document as one undo step — or, with a `coalesce` key equal to the previous
   * edit's made within `COALESCE_MS`, as part of that edit's step (typing a word is one step).
   */
  edit(
    recipe: (document: FlowDocument) => FlowDocument,
    coalesce?: string,
    extra: Partial<BuilderState> = {},
  ) {
    const before = this.document;
    const next = recipe(before);
    if (next === before && Object.keys(extra).length === 0) return;
    const at = this.now();
    const joins =
      coalesce !== undefined &&
      this.lastEdit !== null &&
      this.lastEdit.key === coalesce &&
      at - this.lastEdit.at < COALESCE_MS;
    if (joins) this.silently({ ...extra, document: next });
    else this.record({ ...extra, document: next });
    this.lastEdit = coalesce === undefined ? null : { key: coalesce, at };
  }

  readonly setTeamNames = (names: ReadonlyMap<string, string>): void => {
    this.teamNames = names;
  };

  /**
   * Adds a node of `type` at `position` (snapped to the grid) and selects it; returns its id. Its default
   * label is numbered when another node has it already ("New step 2", "Resolved 2").
   */
  readonly addNode = (type: NodeType, position: Point): string => {
    const id = freshId(this.newId, type, usedIds(this.document));
    const fresh = createNode(type, id, snap(position));
    const node = withLabel(fresh, uniqueLabel(labelOf(fresh), takenLabels(this.document)));
    this.edit((d) => addNode(d, node), undefined, { selectedNodes: new Set([id]), selectedEdges: NONE });
    return id;
  };

  /**
   * Quick-add: a node of `type` placed where it overlaps nothing and, with `after`, connected from that
   * node's output — one undo step, the new node selected. Placement: at `at` (the end of a connection
   * drag) or, without it, one column right of `after`'s node, level with the output. `after.handle`
   * null picks the node's first free output (none free: the node is placed beside it, unconnected).
   * A step appended after a node inherits the team the path into it last assigned; `prepare` adjusts
   * the new node's data (an action created with its operation). Returns the new node's id, or null
   * when the connection is refused (then nothing is added).
   */
  readonly appendNode = (
    type: NodeType,
    options: {
      after?: { source: string; handle: string | null };
      at?: Point;
      prepare?: (node: FlowNode) => FlowNode;
    } = {},
  ): string | null => {
    const { measured } = this.store.getState();
    const document = this.document;
    const source = options.after ? document.nodes.find((n) => n.id === options.after?.source) : undefined;
    const handle =
      source && options.after
        ? options.after.handle === null
          ? appendHandle(document, source)
          : options.after.handle
        : null;
    const position = options.at
      ? freeSpot(document, measured, options.at)
      : source
        ? placeAfter(document, measured, source.id, handle)
        : freeSpot(document, measured, { x: 0, y: 0 });
    const taken = usedIds(document);
    const id = freshId(this.newId, type, taken);
    let node = createNode(type, id, position);
    if (node.type === 'step' && source) {
      const team = inheritedTeam(document, source.id);
      if (team && 'teamId' in team) node = { ...node, data: { ...node.data, teamId: team.teamId } };
      else if (team) node = { ...node, data: { ...node.data, teamId: null, teamSource: 'current' } };
    }
    if (options.prepare) {
      node = options.prepare(node);
      // Pre-set data names the node as it would once edited ("Assign to Billing", "Closed unresolved").
      const auto = autoLabel(node, nameContext(document, this.teamNames));
      if (auto !== null) node = withLabel(node, auto);
    }
    node = withLabel(node, uniqueLabel(labelOf(node), takenLabels(document)));
    let next = addNode(document, node);
    if (source && handle !== null) {
      const result = connect(
        next,
        { source: source.id, sourceHandle: handle, target: id },
        freshId(this.newId, 'e', taken),
      );
      if (!result.ok) return null;
      next = result.document;
    }
    this.edit(() => next, undefined, { selectedNodes: new Set([id]), selectedEdges: NONE });
    return id;
  };

  readonly addNote = (position: Point, text = ''): string => {
    const id = freshId(this.newId, 'note', usedIds(this.document));
    const note: Note = { id, position: snap(position), text };
    this.edit((d) => addNote(d, note), undefined, {
      selectedNodes: new Set([noteCanvasId(id)]),
      selectedEdges: NONE,
    });
    return id;
  };

  readonly setMeta = (meta: FlowMeta): void => {
    this.store.setState({ meta });
  };

  /**
   * Replaces a node through `recipe`; edges from outputs the node no longer has are removed. An automatic
   * label follows the node's new data (an action's operations, an End's status) until it is renamed.
   */
  readonly updateNode = (id: string, recipe: (node: FlowNode) => FlowNode, coalesce?: string): void => {
    this.edit((d) => {
      const node = d.nodes.find((n) => n.id === id);
      if (!node) return d;
      const next = recipe(node);
      if (next === node) return d;
      return replaceNode(d, followAutoLabel(node, next, d, nameContext(d, this.teamNames)));
    }, coalesce);
  };

  readonly updateNote = (id: string, recipe: (note: Note) => Note, coalesce?: string): void => {
    this.edit((d) => {
      const note = d.notes.find((n) => n.id === id);
      return note ? replaceNote(d, recipe(note)) : d;
    }, coalesce);
  };

  readonly setFields = (fields: FieldDef[], coalesce?: string): void => {
    this.edit((d) => ({ ...d, fields }), coalesce);
  };

  /**
   * Moves nodes and notes (canvas ids). `drag` moves are one gesture: the first records the step, the
   * rest (and the final `end`) join it, so undo puts the whole drag back. An `end` outside a drag (a
   * keyboard nudge) is a step of its own.
   */
  readonly moveNodes = (moves: ReadonlyMap<string, Point>, phase: 'drag' | 'end'): void => {
    const next = moveElements(this.document, moves);
    this.lastEdit = null;
    if (phase === 'drag') {
      if (next === this.document) return;
      if (this.dragging) this.silently({ document: next });
      else {
        this.dragging = true;
        this.record({ document: next });
      }
      return;
    }
    if (this.dragging) {
      this.dragging = false;
      if (next !== this.document) this.silently({ document: next });
    } else if (next !== this.document) this.record({ document: next });
  };

  /** Connects an output to a node when `canConnect` allows it; otherwise returns why not. */
  readonly connect = (connection: Connection): ConnectResult => {
    const id = freshId(this.newId, 'e', usedIds(this.document));
    const result = connect(this.document, connection, id);
    if (result.ok) {
      this.edit(() => result.document, undefined, { selectedEdges: NONE });
    }
    return result;
  };

  /**
   * Points an output at another node (`target`), or disconnects it (null): the output's edge, if any,
   * is replaced — one undo step. Returns why not when `canConnect` refuses the new connection.
   */
  readonly setOutputTarget = (
    source: string,
    sourceHandle: string,
    target: string | null,
  ): { ok: true } | { ok: false; message: string } => {
    const document = this.document;
    const old = document.edges.find((e) => e.source === source && e.sourceHandle === sourceHandle);
    if (old?.target === target) return { ok: true };
    const without = old ? { ...document, edges: document.edges.filter((e) => e !== old) } : document;
    if (target === null) {
      this.edit(() => without, undefined, { selectedEdges: NONE });
      return { ok: true };
    }
    const result = connect(
      without,
      { source, sourceHandle, target },
      old?.id ?? freshId(this.newId, 'e', usedIds(document)),
    );
    if (!result.ok) return result;
    this.edit(() => result.document, undefined, { selectedEdges: NONE });
    return { ok: true };
  };

  /**
   * Re-targets an existing edge (dragging its end to another node): the same checks as a new connection,
   * made as if the edge were gone; the edge keeps its id. Returns why not when refused.
   */
  readonly reconnect = (
    edgeId: string,
    connection: Connection,
  ): { ok: true } | { ok: false; message: string } => {
    const document = this.document;
    const old = document.edges.find((e) => e.id === edgeId);
    if (!old) return { ok: false, message: 'That connection no longer exists.' };
    if (
      old.source === connection.source &&
      old.sourceHandle === connection.sourceHandle &&
      old.target === connection.target
    )
      return { ok: true };
    const without = { ...document, edges: document.edges.filter((e) => e !== old) };
    const allowed = canConnect(without, connection);
    if (!allowed.ok) return allowed;
    const edges = document.edges.map((e) => (e === old ? { id: old.id, ...connection } : e));
    this.edit(() => ({ ...document, edges }), undefined, { selectedEdges: NONE });
    return { ok: true };
  };

  /** Deletes the selected nodes, notes and edges (and every edge touching a deleted node): one step. */
  readonly deleteSelection = (): boolean => {
    const { selectedNodes, selectedEdges } = this.store.getState();
    const next = removeElements(this.document, selectedNodes, selectedEdges);
    if (next === this.document) return false;
    this.edit(() => next, undefined, { selectedNodes: NONE, selectedEdges: NONE });
    return true;
  };

  readonly deleteElements = (canvasIds: Iterable<string>, edgeIds: Iterable<string>): void => {
    const next = removeElements(this.document, canvasIds, edgeIds);
    if (next !== this.document)
      this.edit(() => next, undefined, { selectedNodes: NONE, selectedEdges: NONE });
  };

  readonly select = (canvasIds: Iterable<string>, edgeIds: Iterable<string> = []): void => {
    this.store.setState({ selectedNodes: new Set(canvasIds), selectedEdges: new Set(edgeIds) });
  };

  readonly selectAll = (): void => {
    const d = this.document;
    this.select([...d.nodes.map((n) => n.id), ...d.notes.map((n) => noteCanvasId(n.id))], []);
  };

  /** Applies React Flow's selection changes (`select` changes of nodes and edges). */
  readonly applySelection = (
    nodes: ReadonlyArray<{ id: string; selected: boolean }>,
    edges: ReadonlyArray<{ id: string; selected: boolean }>,
  ): void => {
    const state = this.store.getState();
    const apply = (
      current: ReadonlySet<string>,
      changes: ReadonlyArray<{ id: string; selected: boolean }>,
    ) => {
      if (changes.length === 0) return current;
      const next = new Set(current);
      for (const c of changes) {
        if (c.selected) next.add(c.id);
        else next.delete(c.id);
      }
      return next.size === 0 ? NONE : next;
    };
    const selectedNodes = apply(state.selectedNodes, nodes);
    const selectedEdges = apply(state.selectedEdges, edges);
    if (selectedNodes !== state.selectedNodes || selectedEdges !== state.selectedEdges) {
      this.store.setState({ selectedNodes, selectedEdges });
    }
  };

  /** Records the sizes React Flow measured (for the minimap, fit view and layout). */
  readonly setMeasured = (sizes: ReadonlyArray<{ id: string; size: Size }>): void => {
    if (sizes.length === 0) return;
    const current = this.store.getState().measured;
    let next: Map<string, Size> | null = null;
    for (const { id, size } of sizes) {
      const old = current.get(id);
      if (old && old.width === size.width && old.height === size.height) continue;
      next ??= new Map(current);
      next.set(id, size);
    }
    if (next) this.store.setState({ measured: next });
  };

  /** Copies the selected nodes and notes, with the edges between them; returns how many were copied. */
  readonly copy = (): number => {
    const content = copyElements(this.document, this.store.getState().selectedNodes);
    if (!content) return 0;
    clipboard = { content, pastes: 0, text: null };
    return content.nodes.length + content.notes.length;
  };

  /** Copies the selection (as `copy`) and returns it as flow JSON for the system clipboard; null when nothing is selected. */
  readonly copyText = (): string | null => {
    const content = copyElements(this.document, this.store.getState().selectedNodes);
    if (!content) return null;
    const text = clipboardToText(content);
    clipboard = { content, pastes: 0, text };
    return text;
  };

  /**
   * Pastes nodes from the system clipboard's text (copied in this or another flow, tab or window);
   * returns how many were pasted, 0 when the text holds no Stepwise nodes.
   */
  readonly pasteText = (text: string): number => {
    if (clipboard?.text !== text) {
      const content = clipboardFromText(text);
      if (!content) return 0;
      clipboard = { content, pastes: 0, text };
    }
    return this.paste();
  };

  /** Pastes the clipboard with fresh ids, offset from the originals, and selects the copies. */
  readonly paste = (): number => {
    if (!clipboard) return 0;
    clipboard.pastes += 1;
    const shift = PASTE_OFFSET * clipboard.pastes;
    const { document, canvasIds } = pasteClipboard(this.document, clipboard.content, this.newId, {
      x: shift,
      y: shift,
    });
    this.edit(() => document, undefined, { selectedNodes: new Set(canvasIds), selectedEdges: NONE });
    return canvasIds.length;
  };

  /** Copy and paste in one: the copies of the selection appear beside it, selected. */
  readonly duplicate = (): number => {
    const content = copyElements(this.document, this.store.getState().selectedNodes);
    if (!content) return 0;
    const { document, canvasIds } = pasteClipboard(this.document, content, this.newId, {
      x: PASTE_OFFSET,
      y: PASTE_OFFSET,
    });
    this.edit(() => document, undefined, { selectedNodes: new Set(canvasIds), selectedEdges: NONE });
    return canvasIds.length;
  };

  /** Sets laid-out positions: one undo step. */
  readonly applyLayout = (positions: Readonly<Record<string, Point>>): void => {
    this.edit((d) => applyPositions(d, positions));
  };

  /**
   * Replaces the whole document: as one undo step (an import), or starting a fresh history (reloading
   * another manager's version).
   */
  readonly replaceDocument = (document: FlowDocument, history: 'record' | 'reset'): void => {
    if (history === 'record') {
      this.edit(() => document, undefined, { selectedNodes: NONE, selectedEdges: NONE });
      return;
    }
    this.lastEdit = null;
    this.silently({ document, selectedNodes: NONE, selectedEdges: NONE });
    this.store.temporal.getState().clear();
  };

  readonly undo = (): void => {
    this.lastEdit = null;
    this.store.temporal.getState().undo();
    this.pruneSelection();
  };

  readonly redo = (): void => {
    this.lastEdit = null;
    this.store.temporal.getState().redo();
    this.pruneSelection();
  };

  /** Drops selected ids that no longer exist (after undo or redo). */
  private pruneSelection(): void {
    const { document, selectedNodes, selectedEdges } = this.store.getState();
    const ids = new Set<string>([
      ...document.nodes.map((n) => n.id),
      ...document.notes.map((n) => `${NOTE_PREFIX}${n.id}`),
    ]);
    const edges = new Set(document.edges.map((e) => e.id));
    const nodesLeft = [...selectedNodes].filter((id) => ids.has(id));
    const edgesLeft = [...selectedEdges].filter((id) => edges.has(id));
    if (nodesLeft.length !== selectedNodes.size || edgesLeft.length !== selectedEdges.size) {
      this.select(nodesLeft, edgesLeft);
    }
  }
}

/** For tests: forget what was copied. */
export function clearClipboard(): void {
  clipboard = null;
}

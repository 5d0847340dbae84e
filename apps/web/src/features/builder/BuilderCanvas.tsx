import { canConnect, NODE_TYPES, type NodeType } from '@stepwise/flow';
import {
  Background,
  BackgroundVariant,
  type Connection,
  Controls,
  type EdgeChange,
  type FinalConnectionState,
  MiniMap,
  type NodeChange,
  type NodeTypes,
  Panel,
  ReactFlow,
  useReactFlow,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { MousePointerClick } from 'lucide-react';
import {
  type DragEvent,
  type MouseEvent as ReactMouseEvent,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { toast } from 'sonner';
import { EdgeLabelLayerContext, EdgeLabelLayerProbe } from '../../canvas/EdgeLabelLayer.tsx';
import { editorNodeTypes } from '../../canvas/editorNodeTypes.ts';
import { edgeTypes } from '../../canvas/edgeTypes.ts';
import { type NoteEditing, NoteEditingContext } from '../../canvas/NoteEditing.ts';
import type { CanvasEdge } from '../../canvas/toCanvas.ts';
import { ZoomProbe } from '../../canvas/ZoomProbe.tsx';
import { KindStyles } from '../../kinds/registry.tsx';
import type { CanvasNames, CanvasNode } from '../../canvas/types.ts';
import { useBuilder, useBuilderState } from './BuilderContext.ts';
import { GRID, type Point } from './documentOps.ts';
import type { Size } from './store.ts';
import { FIT_OPTIONS, type Opening, openingView, startViewport, VISIBLE_ONLY_ABOVE } from './openingView.ts';
import { useCanvasModel } from './useCanvasModel.ts';
import type { Validation } from './useValidation.ts';

/** The drag-and-drop type of a palette item; its data is the node type (or `note`). */
export const PALETTE_MIME = 'application/x-stepwise-node';
export type PaletteItem = NodeType | 'note';

export function isPaletteItem(value: string): value is PaletteItem {
  return value === 'note' || (NODE_TYPES as readonly string[]).includes(value);
}

/** Where a dropped node's top-left lands relative to the pointer: it appears under the cursor. */
const DROP_OFFSET: Point = { x: 100, y: 28 };
/** Where a quick-added node's top-left lands relative to the drop point: its input right there. */
const QUICK_ADD_OFFSET: Point = { x: 8, y: 44 };
const SNAP: [number, number] = [GRID, GRID];
const MINIMAP_STYLE = { width: 168, height: 112 };
const MULTI_SELECT_KEYS = ['Shift', 'Meta', 'Control'];
const NO_PATH: readonly string[] = [];

/**
 * True a moment after `when` first holds, once the browser is idle: the minimap (one SVG shape per node)
 * costs as much to mount as the visible canvas itself on a big flow, so it comes in after the nodes.
 */
function useDeferredMount(when: boolean): boolean {
  const [mounted, setMounted] = useState(false);
  useEffect(() => {
    if (mounted || !when) return;
    if (typeof window.requestIdleCallback === 'function') {
      const id = window.requestIdleCallback(() => setMounted(true), { timeout: 400 });
      return () => window.cancelIdleCallback(id);
    }
    const id = window.setTimeout(() => setMounted(true), 50);
    return () => window.clearTimeout(id);
  }, [mounted, when]);
  return mounted;
}

function miniMapColor(node: CanvasNode): string {
  if (node.type === 'note') return '#fde68a';
  if (node.data.mark === 'current') return '#4338ca';
  if (node.data.mark === 'visited') return '#a5b4fc';
  if (node.data.issues.some((i) => i.severity === 'error')) return '#f4a29a';
  return '#c4c8ce';
}

/** The node under the pointer where a connection drag ended (dropping on a node's body connects to it). */
function nodeUnder(event: MouseEvent | TouchEvent): string | null {
  const point = 'changedTouches' in event ? event.changedTouches[0] : event;
  if (!point) return null;
  const element = document.elementFromPoint(point.clientX, point.clientY);
  const node = element?.closest('.react-flow__node');
  const id = node?.getAttribute('data-id') ?? null;
  return id === null || id.startsWith('note:') ? null : id;
}

export type BuilderCanvasProps = {
  /** Accessible name of the canvas region. */
  label: string;
  names: CanvasNames;
  validation: Validation;
  /** A test run's path through the flow, highlighted. */
  path?: readonly string[];
  /** For the benchmark's render counter; the builder uses `editorNodeTypes`. */
  nodeTypes?: NodeTypes;
  /**
   * A connection drag from an output ended on empty canvas: quick-add offers a node there. `screen` is
   * the drop point in window pixels, `at` where the new node's top-left goes on the canvas.
   */
  onQuickAdd?: (request: { source: string; handle: string; screen: Point; at: Point }) => void;
};

/**
 * The builder's canvas: React Flow controlled from the builder's store. Drag nodes from the palette,
 * connect outputs to nodes (refused connections say why), select (Shift-click, Shift-drag a box), move
 * (a drag is one undo step), snap to a 16 px grid; minimap, zoom controls, fit view.
 */
export function BuilderCanvas({
  label,
  names,
  validation,
  path = NO_PATH,
  nodeTypes,
  onQuickAdd,
}: BuilderCanvasProps) {
  const builder = useBuilder();
  const { screenToFlowPosition } = useReactFlow();
  const document = useBuilderState((s) => s.document);
  const selectedNodes = useBuilderState((s) => s.selectedNodes);
  const selectedEdges = useBuilderState((s) => s.selectedEdges);
  const measured = useBuilderState((s) => s.measured);
  const model = useCanvasModel({
    document,
    names,
    selectedNodes,
    selectedEdges,
    measured,
    byNode: validation.byNode,
    invalidEdges: validation.edgeIds,
    path,
  });

  const onNodesChange = useCallback(
    (changes: NodeChange<CanvasNode>[]) => {
      const moves = new Map<string, Point>();
      let phase: 'drag' | 'end' = 'end';
      const sizes: Array<{ id: string; size: Size }> = [];
      const selects: Array<{ id: string; selected: boolean }> = [];
      for (const change of changes) {
        if (change.type === 'position') {
          if (change.position) moves.set(change.id, change.position);
          if (change.dragging) phase = 'drag';
        } else if (change.type === 'dimensions') {
          if (change.dimensions) sizes.push({ id: change.id, size: change.dimensions });
        } else if (change.type === 'select') {
          selects.push({ id: change.id, selected: change.selected });
        }
      }
      if (sizes.length > 0) builder.setMeasured(sizes);
      if (selects.length > 0) builder.applySelection(selects, []);
      if (moves.size > 0) builder.moveNodes(moves, phase);
    },
    [builder],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange<CanvasEdge>[]) => {
      const selects: Array<{ id: string; selected: boolean }> = [];
      for (const change of changes) {
        if (change.type === 'select') selects.push({ id: change.id, selected: change.selected });
      }
      if (selects.length > 0) builder.applySelection([], selects);
    },
    [builder],
  );

  // The edge whose end is being dragged to another node: checked as if it were gone.
  const reconnecting = useRef<string | null>(null);
  const isValidConnection = useCallback(
    (c: Connection | CanvasEdge) => {
      if (typeof c.sourceHandle !== 'string') return false;
      const current = builder.document;
      const moving = reconnecting.current;
      const document = moving ? { ...current, edges: current.edges.filter((e) => e.id !== moving) } : current;
      return canConnect(document, { source: c.source, sourceHandle: c.sourceHandle, target: c.target }).ok;
    },
    [builder],
  );

  const onReconnectStart = useCallback((_: unknown, edge: CanvasEdge) => {
    reconnecting.current = edge.id;
  }, []);
  const onReconnect = useCallback(
    (edge: CanvasEdge, c: Connection) => {
      if (!c.sourceHandle) return;
      const result = builder.reconnect(edge.id, {
        source: c.source,
        sourceHandle: c.sourceHandle,
        target: c.target,
      });
      if (!result.ok) toast.error(result.message, { id: 'connect-refused' });
    },
    [builder],
  );
  const onReconnectEnd = useCallback(
    (event: MouseEvent | TouchEvent, edge: CanvasEdge, handleType: string, state: FinalConnectionState) => {
      reconnecting.current = null;
      // Dropped on a node's body rather than its input: re-target the edge to that node. (`handleType` is
      // the end that stayed: `source` when the target end was dragged.)
      if (state.isValid || handleType !== 'source' || !edge.sourceHandle) return;
      const target = nodeUnder(event);
      if (target === null || target === edge.target) return;
      const result = builder.reconnect(edge.id, {
        source: edge.source,
        sourceHandle: edge.sourceHandle,
        target,
      });
      if (!result.ok) toast.error(result.message, { id: 'connect-refused' });
    },
    [builder],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      if (!c.sourceHandle) return;
      const result = builder.connect({ source: c.source, sourceHandle: c.sourceHandle, target: c.target });
      if (!result.ok) toast.error(result.message);
    },
    [builder],
  );

  const onConnectEnd = useCallback(
    (event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      // A valid connection was made by onConnect; otherwise the drag ended over a node's body (connect
      // to it) or over a refused handle (say why).
      if (state.isValid || !state.fromNode || !state.fromHandle?.id) return;
      // The end of an edge being re-targeted: onReconnectEnd deals with it.
      if (reconnecting.current !== null) return;
      const target = state.toNode?.id ?? nodeUnder(event);
      if (target === null && state.fromHandle.type === 'source' && onQuickAdd) {
        // Dropped on empty canvas: offer a new node there, connected (React Flow's "add node on edge drop").
        const point = 'changedTouches' in event ? event.changedTouches[0] : event;
        if (!point) return;
        const screen = { x: point.clientX, y: point.clientY };
        const p = screenToFlowPosition(screen);
        onQuickAdd({
          source: state.fromNode.id,
          handle: state.fromHandle.id,
          screen,
          at: { x: p.x + QUICK_ADD_OFFSET.x, y: p.y - QUICK_ADD_OFFSET.y },
        });
        return;
      }
      if (target === null || (target === state.fromNode.id && !state.toNode)) return;
      const result = builder.connect({
        source: state.fromNode.id,
        sourceHandle: state.fromHandle.id,
        target,
      });
      if (!result.ok) toast.error(result.message, { id: 'connect-refused' });
    },
    [builder, onQuickAdd, screenToFlowPosition],
  );

  const onDragOver = useCallback((event: DragEvent) => {
    if (!event.dataTransfer.types.includes(PALETTE_MIME)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  }, []);

  const onDrop = useCallback(
    (event: DragEvent) => {
      const item = event.dataTransfer.getData(PALETTE_MIME);
      if (!isPaletteItem(item)) return;
      event.preventDefault();
      const p = screenToFlowPosition({ x: event.clientX, y: event.clientY });
      const at = { x: p.x - DROP_OFFSET.x, y: p.y - DROP_OFFSET.y };
      if (item === 'note') builder.addNote(at);
      else builder.addNode(item, at);
    },
    [builder, screenToFlowPosition],
  );

  const [editingNote, setEditingNote] = useState<string | null>(null);
  const [labelLayer, setLabelLayer] = useState<HTMLElement | null>(null);
  const [zoomedOut, setZoomedOut] = useState(false);
  const empty = document.nodes.length === 0 && document.notes.length === 0;
  const minimap = useDeferredMount(measured.size > 0 || empty);
  const section = useRef<HTMLElement>(null);
  // The opening view needs the canvas's size (one layout pass) and is chosen once, from the document as
  // it opened: later edits never move the camera by themselves.
  const openedWith = useRef(document);
  const [opened, setOpened] = useState<{ size: { width: number; height: number }; opening: Opening } | null>(
    null,
  );
  useLayoutEffect(() => {
    const el = section.current;
    if (!el) return;
    const size = { width: el.clientWidth, height: el.clientHeight };
    setOpened({ size, opening: openingView(openedWith.current, size) });
  }, []);
  const noteEditing: NoteEditing = useMemo(
    () => ({
      editingId: editingNote,
      setText: (noteId, text) => builder.updateNote(noteId, (n) => ({ ...n, text }), `note:${noteId}:text`),
      stopEditing: () => setEditingNote(null),
    }),
    [builder, editingNote],
  );
  const onNodeDoubleClick = useCallback((_: ReactMouseEvent, node: CanvasNode) => {
    if (node.type === 'note') setEditingNote(node.data.noteId);
  }, []);

  return (
    <section
      ref={section}
      className={zoomedOut ? 'canvas builder-canvas is-zoomed-out' : 'canvas builder-canvas'}
      aria-label={label}
    >
      <KindStyles />
      <NoteEditingContext.Provider value={noteEditing}>
        <EdgeLabelLayerContext.Provider value={labelLayer}>
          {opened && (
            <ReactFlow<CanvasNode, CanvasEdge>
              nodes={model.nodes}
              edges={model.edges}
              onNodesChange={onNodesChange}
              onEdgesChange={onEdgesChange}
              onConnect={onConnect}
              onConnectEnd={onConnectEnd}
              onReconnectStart={onReconnectStart}
              onReconnect={onReconnect}
              onReconnectEnd={onReconnectEnd}
              isValidConnection={isValidConnection}
              onDragOver={onDragOver}
              onDrop={onDrop}
              onNodeDoubleClick={onNodeDoubleClick}
              zoomOnDoubleClick={false}
              nodeTypes={nodeTypes ?? editorNodeTypes}
              edgeTypes={edgeTypes}
              fitView={opened.opening.kind === 'fit'}
              fitViewOptions={FIT_OPTIONS}
              defaultViewport={
                opened.opening.kind === 'start' ? startViewport(opened.opening.at, opened.size) : undefined
              }
              minZoom={0.1}
              maxZoom={2}
              snapToGrid
              snapGrid={SNAP}
              deleteKeyCode={null}
              multiSelectionKeyCode={MULTI_SELECT_KEYS}
              selectionKeyCode="Shift"
              connectionRadius={28}
              onlyRenderVisibleElements={document.nodes.length > VISIBLE_ONLY_ABOVE}
            >
              <Background variant={BackgroundVariant.Dots} gap={GRID} size={1.2} color="#c9ccd2" />
              <Controls position="bottom-left" showInteractive={false} />
              {minimap && (
                <MiniMap<CanvasNode>
                  pannable
                  zoomable
                  nodeColor={miniMapColor}
                  ariaLabel="Minimap of the flow"
                  position="bottom-right"
                  style={MINIMAP_STYLE}
                />
              )}
              {empty && (
                <Panel position="top-center" className="builder-empty-hint">
                  <MousePointerClick size={16} aria-hidden="true" />
                  <span>
                    Drag a <strong>Start</strong> node from the palette onto the canvas, or click a palette
                    item to add it. Then drag from an output to the next node to connect them.
                  </span>
                </Panel>
              )}
              <EdgeLabelLayerProbe onLayer={setLabelLayer} />
              <ZoomProbe onZoomedOut={setZoomedOut} />
            </ReactFlow>
          )}
        </EdgeLabelLayerContext.Provider>
      </NoteEditingContext.Provider>
    </section>
  );
}

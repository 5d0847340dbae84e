import type { FlowDocument } from '@stepwise/flow';
import { Background, Controls, MiniMap, ReactFlow, useNodesState, useReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useEffect, useMemo, useRef, useState } from 'react';
import { KindStyles } from '../kinds/registry.tsx';
import { EdgeLabelLayerContext, EdgeLabelLayerProbe } from './EdgeLabelLayer.tsx';
import { type CanvasOverlay, OverlayContext } from './overlay.ts';
import { edgeTypes } from './edgeTypes.ts';
import { nodeTypes } from './nodeTypes.ts';
import { toCanvas } from './toCanvas.ts';
import { ZoomProbe } from './ZoomProbe.tsx';
import { type CanvasNames, type CanvasNode, fieldNamesOf, type NodeIssue } from './types.ts';

export type FlowCanvasProps = {
  document: FlowDocument;
  /** Accessible name of the canvas region, e.g. `Refund request, version 3`. */
  label: string;
  teams?: ReadonlyArray<{ id: string; name: string }>;
  flows?: ReadonlyArray<{ id: string; name: string }>;
  /** The ticket's path through the flow; the last node is highlighted as its position. */
  path?: readonly string[];
  /** Nodes to fit in view (default: the whole flow); the view follows when they change. */
  focus?: readonly string[];
  issues?: ReadonlyMap<string, readonly NodeIssue[]>;
  /** Height of the canvas (React Flow needs a parent with an explicit height). */
  height?: number | string;
  /** An analytics overlay: a figure and colour per node, traffic per edge (the heatmap). */
  overlay?: CanvasOverlay;
};

const PADDING = 0.12;
const MAX_ZOOM = 1.1;
const MINIMAP_STYLE = { width: 168, height: 112 };
const EMPTY: ReadonlyArray<{ id: string; name: string }> = [];

function miniMapColor(node: CanvasNode): string {
  if (node.type === 'note') return '#fde68a';
  if (node.data.mark === 'current') return '#4338ca';
  if (node.data.mark === 'visited') return '#a5b4fc';
  return '#c4c8ce';
}

function keepMeasured(next: CanvasNode[], previous: CanvasNode[]): CanvasNode[] {
  const measured = new Map(previous.map((n) => [n.id, n.measured]));
  return next.map((n) => {
    const size = measured.get(n.id);
    return size ? ({ ...n, measured: size } as CanvasNode) : n;
  });
}

/** Moves the view to the focused nodes when they change (the first fit is React Flow's own `fitView`). */
function FollowFocus({ focus }: { focus: readonly string[] | undefined }) {
  const { fitView } = useReactFlow();
  const key = focus?.join('\u0000') ?? '';
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const nodes = key === '' ? undefined : key.split('\u0000').map((id) => ({ id }));
    void fitView({ nodes, padding: PADDING, maxZoom: MAX_ZOOM, duration: 300 });
  }, [key, fitView]);
  return null;
}

/**
 * A read-only view of a flow document: the nodes at their stored positions, labelled outputs and edges,
 * fit to view with zoom controls and a minimap; optionally a ticket's path and position highlighted.
 */
export function FlowCanvas({
  document,
  label,
  teams = EMPTY,
  flows = EMPTY,
  path,
  focus,
  issues,
  height = 520,
  overlay,
}: FlowCanvasProps) {
  const names: CanvasNames = useMemo(
    () => ({
      teams: new Map(teams.map((t) => [t.id, t.name])),
      flows: new Map(flows.map((f) => [f.id, f.name])),
      fields: fieldNamesOf(document),
    }),
    [teams, flows, document],
  );
  const computed = useMemo(
    () => toCanvas(document, { names, path, issues }),
    [document, names, path, issues],
  );
  // React Flow reports each node's measured size through onNodesChange (the minimap needs it); when the
  // document, names or path change, the new nodes keep the sizes already measured.
  const [nodes, setNodes, onNodesChange] = useNodesState<CanvasNode>(computed.nodes);
  const [shown, setShown] = useState(computed.nodes);
  if (shown !== computed.nodes) {
    setShown(computed.nodes);
    setNodes((previous) => keepMeasured(computed.nodes, previous));
  }
  // Traffic widens edges: their arrowheads keep their size (React Flow's markers scale with the stroke).
  const edges = useMemo(
    () =>
      overlay
        ? computed.edges.map((e) =>
            typeof e.markerEnd === 'object'
              ? { ...e, markerEnd: { ...e.markerEnd, markerUnits: 'userSpaceOnUse', width: 18, height: 18 } }
              : e,
          )
        : computed.edges,
    [computed.edges, overlay],
  );
  const [labelLayer, setLabelLayer] = useState<HTMLElement | null>(null);
  const [zoomedOut, setZoomedOut] = useState(false);
  const [fitViewOptions] = useState(() => ({
    padding: PADDING,
    maxZoom: MAX_ZOOM,
    nodes: focus && focus.length > 0 ? focus.map((id) => ({ id })) : undefined,
  }));

  return (
    <section className={zoomedOut ? 'canvas is-zoomed-out' : 'canvas'} style={{ height }} aria-label={label}>
      <KindStyles />
      <OverlayContext.Provider value={overlay ?? null}>
        <EdgeLabelLayerContext.Provider value={labelLayer}>
          <ReactFlow<CanvasNode>
            nodes={nodes}
            edges={edges}
            onNodesChange={onNodesChange}
            nodeTypes={nodeTypes}
            edgeTypes={edgeTypes}
            fitView
            fitViewOptions={fitViewOptions}
            minZoom={0.1}
            maxZoom={2}
            nodesDraggable={false}
            nodesConnectable={false}
            elementsSelectable={false}
            edgesFocusable={false}
            onlyRenderVisibleElements={nodes.length > 300}
            onNodeClick={overlay?.onNodeClick ? (_event, node) => overlay.onNodeClick?.(node.id) : undefined}
          >
            <Background gap={20} size={1} color="#d4d4d8" />
            <Controls showInteractive={false} position="bottom-left" />
            <MiniMap<CanvasNode>
              pannable
              zoomable
              nodeColor={miniMapColor}
              ariaLabel="Minimap of the flow"
              position="bottom-right"
              style={MINIMAP_STYLE}
            />
            <FollowFocus focus={focus} />
            <EdgeLabelLayerProbe onLayer={setLabelLayer} />
            <ZoomProbe onZoomedOut={setZoomedOut} />
          </ReactFlow>
        </EdgeLabelLayerContext.Provider>
      </OverlayContext.Provider>
    </section>
  );
}

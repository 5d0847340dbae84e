import { type ReactFlowState, useStore } from '@xyflow/react';
import { createContext, useContext, useEffect } from 'react';

/**
 * React Flow's HTML layer for edge labels (above the edges, inside the zoomed viewport). Its own
 * `<EdgeLabelRenderer>` looks the layer up with a store selector per edge — a DOM query on every store
 * update for every edge, which dominates a drag on a big flow — so the canvas finds it once and hands it
 * to the edges through this context.
 */
export const EdgeLabelLayerContext = createContext<HTMLElement | null>(null);

export function useEdgeLabelLayer(): HTMLElement | null {
  return useContext(EdgeLabelLayerContext);
}

const selectDomNode = (s: ReactFlowState) => s.domNode;

/** Rendered inside `<ReactFlow>`: reports the label layer to the canvas that provides the context. */
export function EdgeLabelLayerProbe({ onLayer }: { onLayer: (layer: HTMLElement | null) => void }) {
  const domNode = useStore(selectDomNode);
  useEffect(() => {
    onLayer(domNode?.querySelector<HTMLElement>('.react-flow__edgelabel-renderer') ?? null);
  }, [domNode, onLayer]);
  return null;
}

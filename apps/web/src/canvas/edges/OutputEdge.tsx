import { BaseEdge, type EdgeProps, getSmoothStepPath, type ReactFlowState, useStore } from '@xyflow/react';
import { createPortal } from 'react-dom';
import { useEdgeLabelLayer } from '../EdgeLabelLayer.tsx';
import { useOverlay } from '../overlay.ts';
import type { CanvasEdge } from '../toCanvas.ts';
import { COMPACT_ZOOM } from '../ZoomProbe.tsx';

const isZoomedOut = (s: ReactFlowState) => s.transform[2] < COMPACT_ZOOM;

/**
 * An edge from a named output: a rounded step path with the output's label drawn above the nodes
 * (React Flow's own SVG labels sit under them and vanish where nodes stand close together), in the label
 * layer the canvas provides (see `EdgeLabelLayer`).
 */
export function OutputEdge({
  id,
  sourceX,
  sourceY,
  targetX,
  targetY,
  sourcePosition,
  targetPosition,
  label,
  markerEnd,
  data,
  selected,
}: EdgeProps<CanvasEdge>) {
  const layer = useEdgeLabelLayer();
  const overlay = useOverlay();
  const traffic = overlay?.edges.get(id);
  // Zoomed far out labels are unreadable: not rendering them spares hundreds of elements on big flows.
  const zoomedOut = useStore(isZoomedOut);
  const [path, labelX, labelY] = getSmoothStepPath({
    sourceX,
    sourceY,
    sourcePosition,
    targetX,
    targetY,
    targetPosition,
    borderRadius: 8,
  });
  const classes = [
    'edge-label',
    data?.onPath ? 'is-path' : '',
    data?.breach ? 'is-breach' : '',
    data?.invalid ? 'is-invalid' : '',
    selected ? 'is-selected' : '',
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <>
      <BaseEdge
        id={id}
        path={path}
        markerEnd={markerEnd}
        interactionWidth={16}
        style={
          overlay
            ? { strokeWidth: traffic ? 1.5 + 8 * traffic.share : 1, opacity: traffic ? 1 : 0.45 }
            : undefined
        }
      />
      {label &&
        layer &&
        !zoomedOut &&
        createPortal(
          <div
            className={classes}
            data-edge-id={id}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
          >
            {label}
            {traffic && <span className="edge-traffic"> · {traffic.text}</span>}
          </div>,
          layer,
        )}
    </>
  );
}

import { type ReactFlowState, useStore } from '@xyflow/react';
import { useEffect } from 'react';

/** Below this zoom the summaries and labels are unreadable: the canvas shows titles and wiring only. */
export const COMPACT_ZOOM = 0.45;

const isZoomedOut = (s: ReactFlowState) => s.transform[2] < COMPACT_ZOOM;

/**
 * Rendered inside `<ReactFlow>`: tells the canvas when the view is zoomed out past `COMPACT_ZOOM`, so it
 * can switch to the simplified look with one class on its element (CSS hides summaries, icons and edge
 * labels without changing any node's size: no node re-renders or is measured again).
 */
export function ZoomProbe({ onZoomedOut }: { onZoomedOut: (zoomedOut: boolean) => void }) {
  const zoomedOut = useStore(isZoomedOut);
  useEffect(() => onZoomedOut(zoomedOut), [zoomedOut, onZoomedOut]);
  return null;
}

import type { NodeProps } from '@xyflow/react';

/**
 * Whether a node view must render again: only when what it shows changed (its data, selection,
 * connectability). React Flow also passes the measured size, the position and the drag state, which the
 * views do not show: without this, every node renders twice on open (once more when it is measured).
 */
export function sameNodeProps(a: NodeProps, b: NodeProps): boolean {
  return (
    a.id === b.id && a.data === b.data && a.selected === b.selected && a.isConnectable === b.isConnectable
  );
}

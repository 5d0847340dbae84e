import type { NodeOf, NodeType } from '@stepwise/flow';
import type { NodeProps } from '@xyflow/react';
import type { LucideIcon } from 'lucide-react';
import type { ComponentType } from 'react';
import type { FlowNodeData } from '../canvas/types.ts';
import type { FlowOption } from '../features/builder/inspector/Inspector.tsx';
import type { TeamOption } from '../features/builder/inspector/StepInspector.tsx';

/*
 * What the web app shows of a node kind, in one place: its canvas view, its inspector panel, its
 * palette entry and its colours. The kind's schema, outputs, engine behaviour and words live in
 * packages/flow (`nodes/<kind>.ts`); the registry (`registry.ts`) holds one entry per kind.
 */

/** The palette's groups, in display order. */
export const PALETTE_GROUPS = ['Flow', 'Work', 'Logic'] as const;
export type PaletteGroup = (typeof PALETTE_GROUPS)[number];

/** What the inspector panel of a node gets: the node (its data is edited through `useNodeEdit`) and the choices. */
export type InspectorProps<T extends NodeType> = {
  node: NodeOf<T>;
  teams: readonly TeamOption[];
  flows: readonly FlowOption[];
};

/** What React Flow passes a node view (the props of `NodeProps<CanvasFlowNode<T>>`). */
export type ViewProps<T extends NodeType> = Omit<NodeProps, 'data' | 'type'> & {
  data: FlowNodeData<T>;
  type: T;
};

export type WebNodeKind<T extends NodeType> = {
  /** The node on the canvas (read-only; the builder connects its handles). */
  view: ComponentType<ViewProps<T>>;
  /** The builder's panel that edits every property of the node. */
  inspector: ComponentType<InspectorProps<T>>;
  /** The palette entry: its group and icon (its label and hint are the kind's words in packages/flow). */
  palette: { group: PaletteGroup; icon: LucideIcon };
  /**
   * The kind's colours, as CSS values: `fg` for icons and text, `bg` behind them, `border` for the
   * node's top edge. They become the variables `--kind-fg`, `--kind-bg`, `--kind-border`.
   */
  colors: { fg: string; bg: string; border: string };
  /** Lines the view's summary takes (for the height React Flow assumes before measuring); 1 when absent. */
  summaryLines?(node: NodeOf<T>): number;
};

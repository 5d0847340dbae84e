import { Zap } from 'lucide-react';
import { ActionNodeView } from '../canvas/nodes/ActionNodeView.tsx';
import { ActionInspector } from '../features/builder/inspector/ActionInspector.tsx';
import type { WebNodeKind } from './kind.ts';

export const actionView: WebNodeKind<'action'> = {
  view: ActionNodeView,
  inspector: ActionInspector,
  palette: { group: 'Logic', icon: Zap },
  colors: { fg: '#6b21a8', bg: '#f3e8fd', border: '#9b5de5' },
  summaryLines: (node) => Math.max(1, node.data.ops.length),
};

import { GitBranch } from 'lucide-react';
import { DecisionNodeView } from '../canvas/nodes/DecisionNodeView.tsx';
import { DecisionInspector } from '../features/builder/inspector/DecisionInspector.tsx';
import type { WebNodeKind } from './kind.ts';

export const decisionView: WebNodeKind<'decision'> = {
  view: DecisionNodeView,
  inspector: DecisionInspector,
  palette: { group: 'Logic', icon: GitBranch },
  colors: { fg: 'var(--warning)', bg: '#fdf3e1', border: '#d98c1e' },
  summaryLines: (node) => Math.max(1, node.data.branches.length),
};

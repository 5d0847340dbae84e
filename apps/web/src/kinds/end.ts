import { CircleCheckBig } from 'lucide-react';
import { EndNodeView } from '../canvas/nodes/EndNodeView.tsx';
import { EndInspector } from '../features/builder/inspector/SimpleInspectors.tsx';
import type { WebNodeKind } from './kind.ts';

export const endView: WebNodeKind<'end'> = {
  view: EndNodeView,
  inspector: EndInspector,
  palette: { group: 'Flow', icon: CircleCheckBig },
  colors: { fg: '#3f444b', bg: '#f1f2f4', border: '#6b7280' },
  summaryLines: (node) => (node.data.feedback ? 2 : 1),
};

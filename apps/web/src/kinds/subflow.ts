import { Workflow } from 'lucide-react';
import { SubflowNodeView } from '../canvas/nodes/SubflowNodeView.tsx';
import { SubflowInspector } from '../features/builder/inspector/SimpleInspectors.tsx';
import type { WebNodeKind } from './kind.ts';

export const subflowView: WebNodeKind<'subflow'> = {
  view: SubflowNodeView,
  inspector: SubflowInspector,
  palette: { group: 'Logic', icon: Workflow },
  colors: { fg: '#0f5e66', bg: '#e6f6f7', border: '#1b9aa6' },
};

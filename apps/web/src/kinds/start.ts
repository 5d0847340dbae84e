import { Play } from 'lucide-react';
import { StartNodeView } from '../canvas/nodes/StartNodeView.tsx';
import { StartInspector } from '../features/builder/inspector/SimpleInspectors.tsx';
import type { WebNodeKind } from './kind.ts';

export const startView: WebNodeKind<'start'> = {
  view: StartNodeView,
  inspector: StartInspector,
  palette: { group: 'Flow', icon: Play },
  colors: { fg: 'var(--success)', bg: '#e8f6ec', border: '#22a05a' },
};

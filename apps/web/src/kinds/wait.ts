import { Hourglass } from 'lucide-react';
import { WaitNodeView } from '../canvas/nodes/WaitNodeView.tsx';
import { WaitInspector } from '../features/builder/inspector/SimpleInspectors.tsx';
import type { WebNodeKind } from './kind.ts';

export const waitView: WebNodeKind<'wait'> = {
  view: WaitNodeView,
  inspector: WaitInspector,
  palette: { group: 'Work', icon: Hourglass },
  colors: { fg: 'var(--info)', bg: '#e8f0fb', border: '#3b82c4' },
};

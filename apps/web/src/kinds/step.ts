import { ClipboardCheck } from 'lucide-react';
import { StepNodeView } from '../canvas/nodes/StepNodeView.tsx';
import { StepInspector } from '../features/builder/inspector/StepInspector.tsx';
import type { WebNodeKind } from './kind.ts';

export const stepView: WebNodeKind<'step'> = {
  view: StepNodeView,
  inspector: StepInspector,
  palette: { group: 'Work', icon: ClipboardCheck },
  colors: { fg: 'var(--accent)', bg: 'var(--accent-soft)', border: 'var(--accent)' },
  summaryLines: (node) => 2 + (node.data.checklist.length > 0 ? 1 : 0) + (node.data.form.length > 0 ? 1 : 0),
};

import type { NodeTypes } from '@xyflow/react';
import { ActionNodeView } from './nodes/ActionNodeView.tsx';
import { DecisionNodeView } from './nodes/DecisionNodeView.tsx';
import { EndNodeView } from './nodes/EndNodeView.tsx';
import { NoteView } from './nodes/NoteView.tsx';
import { StartNodeView } from './nodes/StartNodeView.tsx';
import { StepNodeView } from './nodes/StepNodeView.tsx';
import { SubflowNodeView } from './nodes/SubflowNodeView.tsx';
import { WaitNodeView } from './nodes/WaitNodeView.tsx';

/** One view per node type. Defined once at module level: React Flow warns when this object changes. */
export const nodeTypes = {
  start: StartNodeView,
  step: StepNodeView,
  decision: DecisionNodeView,
  action: ActionNodeView,
  wait: WaitNodeView,
  subflow: SubflowNodeView,
  end: EndNodeView,
  note: NoteView,
} satisfies NodeTypes;

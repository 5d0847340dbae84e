import { memo } from 'react';
import type { NodeProps } from '@xyflow/react';
import { Play } from 'lucide-react';
import { describeTrigger } from '../describe.ts';
import type { CanvasFlowNode } from '../types.ts';
import { NodeFrame } from './NodeFrame.tsx';
import { sameNodeProps } from './sameNodeProps.ts';

export const StartNodeView = memo(function StartNodeView({
  data,
  selected,
}: NodeProps<CanvasFlowNode<'start'>>) {
  return (
    <NodeFrame node={data.node} icon={Play} mark={data.mark} issues={data.issues} selected={selected}>
      <p className="fnode-text">{describeTrigger(data.node.data.trigger)}</p>
    </NodeFrame>
  );
}, sameNodeProps);

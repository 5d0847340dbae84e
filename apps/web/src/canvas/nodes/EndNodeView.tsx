import { memo } from 'react';
import type { NodeProps } from '@xyflow/react';
import { CircleCheckBig } from 'lucide-react';
import { describeEndStatus } from '../describe.ts';
import type { CanvasFlowNode } from '../types.ts';
import { Fact, NodeFrame } from './NodeFrame.tsx';
import { sameNodeProps } from './sameNodeProps.ts';

export const EndNodeView = memo(function EndNodeView({ data, selected }: NodeProps<CanvasFlowNode<'end'>>) {
  const { status, feedback } = data.node.data;
  return (
    <NodeFrame
      node={data.node}
      icon={CircleCheckBig}
      mark={data.mark}
      issues={data.issues}
      selected={selected}
    >
      <Fact label="Status">{describeEndStatus(status)}</Fact>
      {feedback && <Fact label="Feedback">Asks for CSAT</Fact>}
    </NodeFrame>
  );
}, sameNodeProps);

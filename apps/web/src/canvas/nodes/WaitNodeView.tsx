import { memo } from 'react';
import type { NodeProps } from '@xyflow/react';
import { Hourglass } from 'lucide-react';
import { formatMinutes } from '../describe.ts';
import type { CanvasFlowNode } from '../types.ts';
import { NodeFrame } from './NodeFrame.tsx';
import { sameNodeProps } from './sameNodeProps.ts';

export const WaitNodeView = memo(function WaitNodeView({
  data,
  selected,
}: NodeProps<CanvasFlowNode<'wait'>>) {
  const { mode, minutes } = data.node.data;
  const text =
    mode === 'reply'
      ? minutes === null
        ? 'Until the customer replies'
        : `Until the customer replies, at most ${formatMinutes(minutes)}`
      : minutes === null
        ? 'Duration not set'
        : `For ${formatMinutes(minutes)}`;
  return (
    <NodeFrame node={data.node} icon={Hourglass} mark={data.mark} issues={data.issues} selected={selected}>
      <p className="fnode-text">{text}</p>
    </NodeFrame>
  );
}, sameNodeProps);

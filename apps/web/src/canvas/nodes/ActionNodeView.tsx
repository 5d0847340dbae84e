import { memo } from 'react';
import type { NodeProps } from '@xyflow/react';
import { Zap } from 'lucide-react';
import { describeOp } from '../describe.ts';
import type { CanvasFlowNode } from '../types.ts';
import { NodeFrame } from './NodeFrame.tsx';
import { sameNodeProps } from './sameNodeProps.ts';

export const ActionNodeView = memo(function ActionNodeView({
  data,
  selected,
}: NodeProps<CanvasFlowNode<'action'>>) {
  const ops = data.node.data.ops;
  return (
    <NodeFrame node={data.node} icon={Zap} mark={data.mark} issues={data.issues} selected={selected}>
      {ops.length === 0 ? (
        <p className="fnode-text">Does nothing yet</p>
      ) : (
        <ul className="fnode-ops">
          {ops.map((op, i) => (
            // Operations have no id; their order is their identity in a read-only view.
            <li key={i}>{describeOp(op, data.names)}</li>
          ))}
        </ul>
      )}
    </NodeFrame>
  );
}, sameNodeProps);

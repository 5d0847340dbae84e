import { memo } from 'react';
import type { NodeProps } from '@xyflow/react';
import { Workflow } from 'lucide-react';
import type { CanvasFlowNode } from '../types.ts';
import { NodeFrame } from './NodeFrame.tsx';
import { sameNodeProps } from './sameNodeProps.ts';

export const SubflowNodeView = memo(function SubflowNodeView({
  data,
  selected,
}: NodeProps<CanvasFlowNode<'subflow'>>) {
  const flowId = data.node.data.flowId;
  return (
    <NodeFrame node={data.node} icon={Workflow} mark={data.mark} issues={data.issues} selected={selected}>
      <p className="fnode-text">
        {flowId === null
          ? 'No flow chosen'
          : `Runs “${data.names.flows.get(flowId) ?? 'another flow'}”, then continues`}
      </p>
    </NodeFrame>
  );
}, sameNodeProps);

import { memo } from 'react';
import { describeCondition } from '@stepwise/flow';
import type { NodeProps } from '@xyflow/react';
import { GitBranch } from 'lucide-react';
import type { CanvasFlowNode } from '../types.ts';
import { NodeFrame } from './NodeFrame.tsx';
import { sameNodeProps } from './sameNodeProps.ts';

export const DecisionNodeView = memo(function DecisionNodeView({
  data,
  selected,
}: NodeProps<CanvasFlowNode<'decision'>>) {
  const branches = data.node.data.branches;
  return (
    <NodeFrame node={data.node} icon={GitBranch} mark={data.mark} issues={data.issues} selected={selected}>
      {branches.length === 0 ? (
        <p className="fnode-text">Always takes the default branch</p>
      ) : (
        <ol className="fnode-branches">
          {branches.map((b) => (
            <li key={b.id}>
              <span className="fnode-branch-label">{b.label || b.id}:</span>{' '}
              {describeCondition(b.condition, data.names.fields)}
            </li>
          ))}
        </ol>
      )}
    </NodeFrame>
  );
}, sameNodeProps);

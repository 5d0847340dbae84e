import { memo } from 'react';
import type { NodeProps } from '@xyflow/react';
import { ClipboardCheck } from 'lucide-react';
import { formatMinutes } from '../describe.ts';
import type { CanvasFlowNode } from '../types.ts';
import { Fact, NodeFrame } from './NodeFrame.tsx';
import { sameNodeProps } from './sameNodeProps.ts';

export const StepNodeView = memo(function StepNodeView({
  data,
  selected,
}: NodeProps<CanvasFlowNode<'step'>>) {
  const step = data.node.data;
  const required = step.checklist.filter((c) => c.required).length;
  return (
    <NodeFrame
      node={data.node}
      icon={ClipboardCheck}
      mark={data.mark}
      issues={data.issues}
      selected={selected}
    >
      <Fact label="Team">
        {step.teamSource === 'current'
          ? 'Ticket’s current team'
          : step.teamId
            ? (data.names.teams.get(step.teamId) ?? 'Unknown team')
            : 'No team'}
      </Fact>
      <Fact label="SLA">{step.slaMinutes === null ? 'None' : formatMinutes(step.slaMinutes)}</Fact>
      {step.checklist.length > 0 && (
        <Fact label="Checklist">
          {step.checklist.length} {step.checklist.length === 1 ? 'item' : 'items'}
          {required > 0 ? ` (${required} required)` : ''}
        </Fact>
      )}
      {step.form.length > 0 && (
        <Fact label="Form">
          {step.form.length} {step.form.length === 1 ? 'field' : 'fields'}
        </Fact>
      )}
    </NodeFrame>
  );
}, sameNodeProps);

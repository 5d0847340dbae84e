import { type FlowNode, isBreachOutput, kindLabel, kindOf, outputsOf } from '@stepwise/flow';
import { Handle, Position, useUpdateNodeInternals } from '@xyflow/react';
import type { LucideIcon } from 'lucide-react';
import { AlertCircle, MapPin } from 'lucide-react';
import { type CSSProperties, type ReactNode, useEffect, useRef } from 'react';
import { nodeTitle, outputLabel } from '../describe.ts';
import { heatColour, heatInk, useOverlay } from '../overlay.ts';
import type { NodeIssue, NodeMark } from '../types.ts';

/**
 * Tells React Flow to measure the node's handles again when its outputs change (an outcome added,
 * renamed or reordered): it measures them on mount and on resize only, and edges would otherwise
 * attach to where the handles used to be.
 */
function useOutputsMeasured(nodeId: string, outputsKey: string): void {
  const updateNodeInternals = useUpdateNodeInternals();
  const previous = useRef(outputsKey);
  useEffect(() => {
    if (previous.current === outputsKey) return;
    previous.current = outputsKey;
    updateNodeInternals(nodeId);
  }, [nodeId, outputsKey, updateNodeInternals]);
}

/**
 * The frame every node view shares: an input on the left (except on the entry kind, Start), a header with the type's icon,
 * the title, a summary, and one labelled output handle per output on the right, in `outputsOf` order.
 */
export function NodeFrame({
  node,
  icon: Icon,
  mark,
  issues,
  selected,
  children,
}: {
  node: FlowNode;
  icon: LucideIcon;
  mark: NodeMark;
  issues: readonly NodeIssue[];
  selected: boolean;
  children?: ReactNode;
}) {
  const outputs = outputsOf(node);
  useOutputsMeasured(node.id, outputs.join('\u0000'));
  const overlay = useOverlay();
  const heat = overlay?.nodes.get(node.id);
  const errors = issues.filter((i) => i.severity === 'error').length;
  const classes = [
    'fnode',
    `fnode-${node.type}`,
    mark ? `is-${mark}` : '',
    selected ? 'is-selected' : '',
    errors > 0 ? 'has-error' : issues.length > 0 ? 'has-warning' : '',
    overlay ? (heat ? 'has-heat' : 'no-heat') : '',
    overlay && overlay.selected === node.id ? 'is-selected' : '',
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <div
      className={classes}
      data-node-id={node.id}
      style={heat ? ({ '--heat': heatColour(heat.level) } as CSSProperties) : undefined}
    >
      {!kindOf(node).entry && <Handle type="target" position={Position.Left} className="fnode-target" />}
      <div className="fnode-head">
        <span className="fnode-icon">
          <Icon size={14} aria-hidden="true" />
        </span>
        <span className="fnode-kind">{kindLabel(node.type)}</span>
        {mark === 'current' && (
          <span className="fnode-here">
            <MapPin size={12} aria-hidden="true" /> Ticket is here
          </span>
        )}
        {issues.length > 0 && (
          <span
            className={errors > 0 ? 'fnode-issues is-error' : 'fnode-issues'}
            title={issues.map((i) => i.message).join('\n')}
          >
            <AlertCircle size={12} aria-hidden="true" /> {issues.length}
          </span>
        )}
      </div>
      <div className="fnode-title">{nodeTitle(node)}</div>
      {heat && (
        <div
          className="fnode-heat"
          style={{ background: heatColour(heat.level), color: heatInk(heat.level) }}
          title={heat.label}
        >
          {heat.text}
        </div>
      )}
      {children && <div className="fnode-body">{children}</div>}
      {outputs.length > 0 && (
        <ul className="fnode-outputs">
          {outputs.map((handle) => (
            <li
              key={handle}
              className={isBreachOutput(node, handle) ? 'fnode-output is-breach' : 'fnode-output'}
            >
              <span>{outputLabel(node, handle)}</span>
              <Handle
                type="source"
                position={Position.Right}
                id={handle}
                className="fnode-source"
                title={`Output “${outputLabel(node, handle)}”`}
              />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** One summary line: an icon-less label and value, e.g. `Team  Billing`. */
export function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="fnode-fact">
      <span className="fnode-fact-label">{label}</span>
      <span className="fnode-fact-value">{children}</span>
    </div>
  );
}

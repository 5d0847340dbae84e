import { type FlowNode, outputsOf } from '@stepwise/flow';
import { ArrowRight } from 'lucide-react';
import { nodeTitle, outputLabel } from '../../../canvas/describe.ts';
import { useBuilderState } from '../BuilderContext.ts';
import { Section } from './controls.tsx';

/**
 * Every output of the selected node with where it leads, each a button that opens the node picker:
 * connect it to an existing node, to a new one, or disconnect it — the whole flow can be drawn without
 * a mouse.
 */
export function OutputsSection({
  node,
  onConnect,
}: {
  node: FlowNode;
  onConnect: (source: string, handle: string) => void;
}) {
  const outputs = outputsOf(node);
  const targets = useBuilderState((s) => {
    const names: string[] = [];
    for (const handle of outputs) {
      const edge = s.document.edges.find((e) => e.source === node.id && e.sourceHandle === handle);
      const target = edge ? s.document.nodes.find((n) => n.id === edge.target) : undefined;
      names.push(target ? nodeTitle(target) : '');
    }
    return names.join('\u0000');
  }).split('\u0000');
  if (outputs.length === 0) return null;
  return (
    <Section title="Next" hint="Where each output leads. Pick a node, or a new one to add after this one.">
      <ul className="insp-list insp-outputs">
        {outputs.map((handle, i) => {
          const label = outputLabel(node, handle);
          const target = targets[i] ?? '';
          return (
            <li key={handle} className="insp-row insp-output">
              <span className="insp-output-label">{label}</span>
              <ArrowRight size={14} aria-hidden="true" />
              <button
                type="button"
                className={`insp-output-target btn btn-small ${target ? 'btn-ghost' : 'btn-secondary'}`}
                data-output={handle}
                onClick={() => onConnect(node.id, handle)}
              >
                {target || 'Connect…'}
                <span className="sr-only"> after {label}</span>
              </button>
            </li>
          );
        })}
      </ul>
    </Section>
  );
}

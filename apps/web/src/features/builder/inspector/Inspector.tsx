import { type FlowNode, kindLabel, type NodeType } from '@stepwise/flow';
import { Copy, Trash2 } from 'lucide-react';
import { type ComponentType, useMemo } from 'react';
import { describeEndStatus, nodeTitle, outputLabel } from '../../../canvas/describe.ts';
import { NOTE_PREFIX } from '../../../canvas/toCanvas.ts';
import { Markdown } from '../../../ui/Markdown.tsx';
import { useBuilder, useBuilderState } from '../BuilderContext.ts';
import type { InspectorProps } from '../../../kinds/kind.ts';
import { KindStyles, webKindOf } from '../../../kinds/registry.tsx';
import { Section, TextArea } from './controls.tsx';
import { FlowSettings } from './FlowSettings.tsx';
import { OutputsSection } from './OutputsSection.tsx';
import type { TeamOption } from './StepInspector.tsx';

export type FlowOption = { id: string; name: string; published: boolean };

function NodeEditor({
  node,
  teams,
  flows,
}: {
  node: FlowNode;
  teams: readonly TeamOption[];
  flows: readonly FlowOption[];
}) {
  const Editor = webKindOf(node.type).inspector as ComponentType<InspectorProps<NodeType>>;
  return <Editor node={node} teams={teams} flows={flows} />;
}

const ORIGIN = { x: 0, y: 0 };

/**
 * The selected node, rebuilt from its type and data only: moving it on the canvas (a new position)
 * does not re-render the inspector.
 */
function useSelectedNode(id: string): FlowNode | undefined {
  const type = useBuilderState((s) => s.document.nodes.find((n) => n.id === id)?.type);
  const data = useBuilderState((s) => s.document.nodes.find((n) => n.id === id)?.data);
  return useMemo(
    () => (type && data ? ({ id, type, position: ORIGIN, data } as FlowNode) : undefined),
    [id, type, data],
  );
}

/** Opens the node picker for an output of a node (connect it, or add a node after it). */
export type ConnectOutput = (source: string, handle: string) => void;

function SelectedNode({
  id,
  teams,
  flows,
  onConnectOutput,
}: {
  id: string;
  teams: readonly TeamOption[];
  flows: readonly FlowOption[];
  onConnectOutput: ConnectOutput;
}) {
  const builder = useBuilder();
  const node = useSelectedNode(id);
  if (!node) return <FlowSettings />;
  return (
    <div className="insp-node" data-inspecting={node.id}>
      <div className="insp-node-head">
        <KindStyles />
        <span className={`insp-kind insp-kind-${node.type}`}>{kindLabel(node.type)}</span>
        <span className="insp-node-id" title="Node id (stable across versions)">
          {node.id}
        </span>
        <button
          type="button"
          className="icon-btn icon-btn-small"
          onClick={() => builder.duplicate()}
          aria-label={`Duplicate ${nodeTitle(node)}`}
          title="Duplicate (Ctrl+D)"
        >
          <Copy size={14} aria-hidden="true" />
        </button>
        <button
          type="button"
          className="icon-btn icon-btn-small icon-btn-danger"
          onClick={() => builder.deleteSelection()}
          aria-label={`Delete ${nodeTitle(node)}`}
          title="Delete (Del)"
        >
          <Trash2 size={14} aria-hidden="true" />
        </button>
      </div>
      <NodeEditor key={node.id} node={node} teams={teams} flows={flows} />
      <OutputsSection node={node} onConnect={onConnectOutput} />
    </div>
  );
}

function nodeName(node: FlowNode | undefined, fallback: string): string {
  if (!node) return fallback;
  return node.type === 'end'
    ? `${nodeTitle(node)} (${describeEndStatus(node.data.status)})`
    : nodeTitle(node);
}

function SelectedEdge({ id }: { id: string }) {
  const builder = useBuilder();
  const edge = useBuilderState((s) => s.document.edges.find((e) => e.id === id));
  const from = useBuilderState((s) => {
    const source = edge ? s.document.nodes.find((n) => n.id === edge.source) : undefined;
    return edge ? nodeName(source, edge.source) : '';
  });
  const output = useBuilderState((s) => {
    const source = edge ? s.document.nodes.find((n) => n.id === edge.source) : undefined;
    return edge ? (source ? outputLabel(source, edge.sourceHandle) : edge.sourceHandle) : '';
  });
  const to = useBuilderState((s) =>
    edge
      ? nodeName(
          s.document.nodes.find((n) => n.id === edge.target),
          edge.target,
        )
      : '',
  );
  if (!edge) return <FlowSettings />;
  return (
    <Section title="Connection">
      <dl className="insp-facts">
        <div>
          <dt>From</dt>
          <dd>{from}</dd>
        </div>
        <div>
          <dt>Output</dt>
          <dd>{output}</dd>
        </div>
        <div>
          <dt>To</dt>
          <dd>{to}</dd>
        </div>
      </dl>
      <button type="button" className="btn btn-danger btn-small" onClick={() => builder.deleteSelection()}>
        <Trash2 size={14} aria-hidden="true" /> Delete connection
      </button>
    </Section>
  );
}

function NoteEditor({ noteId }: { noteId: string }) {
  const builder = useBuilder();
  const note = useBuilderState((s) => s.document.notes.find((n) => n.id === noteId));
  if (!note) return null;
  return (
    <Section title="Note" hint="Notes are for the people editing the flow; tickets never see them.">
      <TextArea
        label="Text"
        rows={8}
        value={note.text}
        placeholder="Markdown: **bold**, lists, links"
        onChange={(text) => builder.updateNote(noteId, (n) => ({ ...n, text }), `note:${noteId}:text`)}
      />
      {note.text.trim() !== '' && (
        <div className="insp-preview">
          <Markdown source={note.text} />
        </div>
      )}
    </Section>
  );
}

/**
 * The side panel: edits the selected node (every property of its type), note or connection; with
 * several selected, offers duplicate and delete; with nothing selected, the flow's own settings.
 */
export function Inspector({
  teams,
  flows,
  onConnectOutput,
}: {
  teams: readonly TeamOption[];
  flows: readonly FlowOption[];
  onConnectOutput: ConnectOutput;
}) {
  const builder = useBuilder();
  const selectedNodes = useBuilderState((s) => s.selectedNodes);
  const selectedEdges = useBuilderState((s) => s.selectedEdges);
  const count = selectedNodes.size + selectedEdges.size;

  if (count === 0) return <FlowSettings />;
  if (count > 1) {
    return (
      <Section title={`${count} items selected`}>
        <p className="insp-hint">Move them together on the canvas, or:</p>
        <div className="insp-actions">
          <button type="button" className="btn btn-secondary btn-small" onClick={() => builder.duplicate()}>
            <Copy size={14} aria-hidden="true" /> Duplicate
          </button>
          <button
            type="button"
            className="btn btn-danger btn-small"
            onClick={() => builder.deleteSelection()}
          >
            <Trash2 size={14} aria-hidden="true" /> Delete
          </button>
        </div>
      </Section>
    );
  }
  const [edgeId] = [...selectedEdges];
  if (edgeId !== undefined) return <SelectedEdge key={edgeId} id={edgeId} />;
  const [canvasId] = [...selectedNodes];
  if (canvasId === undefined) return <FlowSettings />;
  if (canvasId.startsWith(NOTE_PREFIX))
    return <NoteEditor key={canvasId} noteId={canvasId.slice(NOTE_PREFIX.length)} />;
  return (
    <SelectedNode
      key={canvasId}
      id={canvasId}
      teams={teams}
      flows={flows}
      onConnectOutput={onConnectOutput}
    />
  );
}

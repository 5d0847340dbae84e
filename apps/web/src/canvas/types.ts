import {
  BUILTIN_FIELDS,
  type FieldName,
  type FlowDocument,
  type FlowNode,
  type NodeType,
} from '@stepwise/flow';
import type { Node } from '@xyflow/react';

/** Names the canvas shows for ids and keys a document refers to (teams, other flows, fields). */
export type CanvasNames = {
  teams: ReadonlyMap<string, string>;
  flows: ReadonlyMap<string, string>;
  /** The document's custom fields and its steps' form fields, so conditions read by label. */
  fields: readonly FieldName[];
};

/** The fields a document's conditions and actions may name: its custom fields, then its form fields. */
export function fieldNamesOf(document: Pick<FlowDocument, 'fields' | 'nodes'>): FieldName[] {
  const out: FieldName[] = (document.fields ?? []).map((f) => ({ key: f.key, label: f.label }));
  for (const node of document.nodes)
    if (node.type === 'step')
      for (const f of node.data.form)
        if (!out.some((o) => o.key === f.key)) out.push({ key: f.key, label: f.label });
  return out;
}

/**
 * Names fields in a sentence: a built-in by its label in lower case ("customer tier"), a custom or form
 * field by its label, anything else (or a blank label) by its key.
 */
export function fieldNamer(fields: readonly FieldName[]): (key: string) => string {
  const names = new Map<string, string>();
  for (const f of BUILTIN_FIELDS) names.set(f.key, f.label.toLowerCase());
  for (const f of fields) if (!names.has(f.key) && f.label.trim() !== '') names.set(f.key, f.label);
  return (key) => names.get(key) ?? key;
}

/** Where a ticket stands relative to a node, for the ticket page's highlighting. */
export type NodeMark = 'current' | 'visited' | null;

/** A problem the builder's validation found on a node (shown as a marker on the node). */
export type NodeIssue = { severity: 'error' | 'warning'; message: string };

export type FlowNodeData<T extends NodeType = NodeType> = {
  node: Extract<FlowNode, { type: T }>;
  names: CanvasNames;
  mark: NodeMark;
  issues: readonly NodeIssue[];
};

export type CanvasFlowNode<T extends NodeType = NodeType> = Node<FlowNodeData<T>, T>;
export type NoteNodeData = {
  noteId: string;
  text: string;
  width: number | undefined;
  height: number | undefined;
};
export type CanvasNoteNode = Node<NoteNodeData, 'note'>;
export type CanvasNode = CanvasFlowNode | CanvasNoteNode;

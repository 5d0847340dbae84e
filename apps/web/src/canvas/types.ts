import type { FlowNode, NodeType } from '@stepwise/flow';
import type { Node } from '@xyflow/react';

/** Names the canvas shows for ids a document refers to (teams, other flows). */
export type CanvasNames = {
  teams: ReadonlyMap<string, string>;
  flows: ReadonlyMap<string, string>;
};

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

import { NODE_TYPES } from '@stepwise/flow';
import type { NodeTypes } from '@xyflow/react';
import { webNodeKinds } from '../kinds/registry.tsx';
import { NoteView } from './nodes/NoteView.tsx';

/**
 * One view per node kind (from the kinds' registry), and the note's. Built once at module level: React
 * Flow warns when this object changes.
 */
export const nodeTypes: NodeTypes = {
  ...Object.fromEntries(NODE_TYPES.map((type) => [type, webNodeKinds[type].view])),
  note: NoteView,
} as NodeTypes;

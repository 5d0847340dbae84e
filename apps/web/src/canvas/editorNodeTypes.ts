import type { NodeTypes } from '@xyflow/react';
import { nodeTypes } from './nodeTypes.ts';
import { EditableNoteView } from './nodes/EditableNoteView.tsx';

/**
 * The builder's node views: the read-only views (their handles connect when the canvas allows it) and
 * an editable note. Module level, like `nodeTypes`: React Flow warns when this object changes.
 */
export const editorNodeTypes = { ...nodeTypes, note: EditableNoteView } satisfies NodeTypes;

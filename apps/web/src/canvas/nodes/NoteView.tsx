import { memo } from 'react';
import type { NodeProps } from '@xyflow/react';
import { Markdown } from '../../ui/Markdown.tsx';
import type { CanvasNoteNode } from '../types.ts';
import { sameNodeProps } from './sameNodeProps.ts';

/** A sticky note on the canvas: Markdown text, no handles. */
export const NoteView = memo(function NoteView({ data }: NodeProps<CanvasNoteNode>) {
  return (
    <div className="fnote" style={{ width: data.width ?? 220, minHeight: data.height }}>
      <Markdown source={data.text} />
    </div>
  );
}, sameNodeProps);

import { memo } from 'react';
import type { NodeProps } from '@xyflow/react';
import { StickyNote } from 'lucide-react';
import { Markdown } from '../../ui/Markdown.tsx';
import { useNoteEditing } from '../NoteEditing.ts';
import type { CanvasNoteNode } from '../types.ts';
import { sameNodeProps } from './sameNodeProps.ts';

const MAX_NOTE = 10_000;

/**
 * A sticky note on the builder's canvas: Markdown text; the canvas opens it for editing in place on
 * double-click (keyboard users edit it in the inspector), Escape or clicking elsewhere closes it. The
 * textarea is `nodrag`, so selecting text does not move the note.
 */
export const EditableNoteView = memo(function EditableNoteView({
  data,
  selected,
}: NodeProps<CanvasNoteNode>) {
  const editing = useNoteEditing();
  const open = editing !== null && editing.editingId === data.noteId;
  const classes = ['fnote', selected ? 'is-selected' : '', open ? 'is-editing' : '']
    .filter(Boolean)
    .join(' ');
  const style = { width: data.width ?? 220, minHeight: data.height };
  if (open) {
    return (
      <div className={classes} style={style} data-note-id={data.noteId}>
        <label className="sr-only" htmlFor={`note-text-${data.noteId}`}>
          Note text
        </label>
        <textarea
          id={`note-text-${data.noteId}`}
          className="fnote-input nodrag nopan nowheel"
          value={data.text}
          maxLength={MAX_NOTE}
          // biome-ignore lint/a11y/noAutofocus: the user opened the note for typing by double-clicking it
          autoFocus
          rows={Math.min(14, Math.max(3, data.text.split('\n').length + 1))}
          onChange={(e) => editing.setText(data.noteId, e.target.value)}
          onBlur={() => editing.stopEditing()}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.stopPropagation();
              editing.stopEditing();
            }
          }}
        />
      </div>
    );
  }
  return (
    <div
      className={classes}
      style={style}
      data-note-id={data.noteId}
      title={editing ? 'Double-click to edit' : undefined}
    >
      {data.text.trim() === '' ? (
        <p className="fnote-empty">
          <StickyNote size={13} aria-hidden="true" /> Empty note — double-click to write
        </p>
      ) : (
        <Markdown source={data.text} />
      )}
    </div>
  );
}, sameNodeProps);

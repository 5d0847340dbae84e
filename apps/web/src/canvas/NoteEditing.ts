import { createContext, useContext } from 'react';

/** How an editable canvas changes a note's text; absent on read-only canvases. */
export type NoteEditing = {
  /** The note being edited in place (the canvas opens it on double-click), or null. */
  editingId: string | null;
  /** Called on every keystroke: the editor coalesces a burst of typing into one undo step. */
  setText(noteId: string, text: string): void;
  /** Closes the in-place editor (Escape, or the focus left it). */
  stopEditing(): void;
};

export const NoteEditingContext = createContext<NoteEditing | null>(null);

export function useNoteEditing(): NoteEditing | null {
  return useContext(NoteEditingContext);
}

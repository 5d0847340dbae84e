import { useEffect, useRef } from 'react';
import { isTyping, shortcutsOf } from '../../ui/shortcuts.ts';

export type ShortcutHandlers = {
  undo: () => void;
  redo: () => void;
  duplicate: () => void;
  remove: () => void;
  selectAll: () => void;
  deselect: () => void;
  save: () => void;
  find: () => void;
  help: () => void;
  /** Opens quick-add after the selected node; false when it does not apply (then Tab moves focus). */
  append: () => boolean;
  /** Enter on a canvas node: edit it (focus moves to the inspector's first field). */
  inspect: () => void;
};

/** The builder's shortcuts, as its help dialog lists them (from the app's one registry). */
export const SHORTCUTS = shortcutsOf('builder');

export { isTyping };

/** Which handler a key press calls, or null. Pure, for the tests. */
export function shortcutFor(
  event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>,
): keyof ShortcutHandlers | null {
  const mod = event.ctrlKey || event.metaKey;
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  if (event.altKey) return null;
  if (mod) {
    if (key === 'z') return event.shiftKey ? 'redo' : 'undo';
    if (key === 'y') return 'redo';
    if (key === 'd') return 'duplicate';
    if (key === 'a') return 'selectAll';
    if (key === 's') return 'save';
    if (key === 'f' && !event.shiftKey) return 'find';
    return null;
  }
  if (key === 'Delete' || key === 'Backspace') return 'remove';
  if (key === 'Escape') return 'deselect';
  if (key === '?') return 'help';
  if ((key === 'Tab' || key === 'a') && !event.shiftKey) return 'append';
  if (key === 'Enter' && !event.shiftKey) return 'inspect';
  return null;
}

/**
 * Copy and paste of nodes through the system clipboard, as flow JSON: the browser's own copy and paste
 * events (Ctrl+C, Ctrl+V, the Edit menu) — no permission prompt — except while typing in a field, with
 * text selected on the page, or with a dialog open. `copy` returns the text to put on the clipboard (null:
 * nothing selected, the browser's copy goes on); `paste` returns how many nodes it pasted (0: not ours).
 */
export function useClipboard(handlers: { copy: () => string | null; paste: (text: string) => number }): void {
  const latest = useRef(handlers);
  latest.current = handlers;
  useEffect(() => {
    const ours = (event: ClipboardEvent) =>
      !event.defaultPrevented &&
      !isTyping(document.activeElement) &&
      document.querySelector('dialog[open]') === null &&
      (window.getSelection()?.toString() ?? '') === '';
    const onCopy = (event: ClipboardEvent) => {
      if (!ours(event) || !event.clipboardData) return;
      const text = latest.current.copy();
      if (text === null) return;
      event.clipboardData.setData('text/plain', text);
      event.preventDefault();
    };
    const onPaste = (event: ClipboardEvent) => {
      if (!ours(event) || !event.clipboardData) return;
      if (latest.current.paste(event.clipboardData.getData('text/plain')) > 0) event.preventDefault();
    };
    document.addEventListener('copy', onCopy);
    document.addEventListener('paste', onPaste);
    return () => {
      document.removeEventListener('copy', onCopy);
      document.removeEventListener('paste', onPaste);
    };
  }, []);
}

/**
 * The builder's keyboard shortcuts on the window, except while typing in a field or while a dialog is
 * open (text fields keep their own undo, copy and paste).
 */
export function useBuilderShortcuts(handlers: ShortcutHandlers): void {
  const latest = useRef(handlers);
  latest.current = handlers;
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || isTyping(event.target)) return;
      if (document.querySelector('dialog[open]')) return;
      const action = shortcutFor(event);
      if (!action) return;
      if (action === 'inspect') {
        // Only from a node on the canvas: Enter keeps its meaning on buttons and links.
        if (!(event.target instanceof Element) || !event.target.closest('.builder-canvas .react-flow__node'))
          return;
        event.preventDefault();
        latest.current.inspect();
        return;
      }
      if (action === 'append') {
        // Tab appends only from the canvas (elsewhere it moves focus as always); A anywhere but a field.
        const onCanvas =
          event.target === document.body ||
          (event.target instanceof Element && event.target.closest('.builder-canvas') !== null);
        if (event.key === 'Tab' && !onCanvas) return;
        if (latest.current.append()) event.preventDefault();
        return;
      }
      event.preventDefault();
      latest.current[action]();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}

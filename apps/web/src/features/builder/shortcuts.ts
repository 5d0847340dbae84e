import { useEffect, useRef } from 'react';
import { isTyping, shortcutsOf } from '../../ui/shortcuts.ts';

export type ShortcutHandlers = {
  undo: () => void;
  redo: () => void;
  copy: () => void;
  paste: () => void;
  duplicate: () => void;
  remove: () => void;
  selectAll: () => void;
  deselect: () => void;
  save: () => void;
  find: () => void;
  help: () => void;
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
    if (key === 'c' && !event.shiftKey) return 'copy';
    if (key === 'v' && !event.shiftKey) return 'paste';
    if (key === 'd') return 'duplicate';
    if (key === 'a') return 'selectAll';
    if (key === 's') return 'save';
    if (key === 'f' && !event.shiftKey) return 'find';
    return null;
  }
  if (key === 'Delete' || key === 'Backspace') return 'remove';
  if (key === 'Escape') return 'deselect';
  if (key === '?') return 'help';
  return null;
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
      // Copying text the user selected on the page stays the browser's job.
      if (action === 'copy' && (window.getSelection()?.toString() ?? '') !== '') return;
      event.preventDefault();
      latest.current[action]();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}

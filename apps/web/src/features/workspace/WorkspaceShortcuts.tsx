import { useEffect, useState } from 'react';
import { Dialog } from '../../ui/Dialog.tsx';
import { ShortcutsTable } from '../../ui/ShortcutsTable.tsx';
import { isTyping, type ShortcutPage, workspaceShortcutFor } from '../../ui/shortcuts.ts';
import { focusComposer, moveQueueCursor, pickOutcome } from './workspaceKeys.ts';

/**
 * The workspace's keyboard shortcuts on a page (`queue`: J/K move between tickets, Enter opens; `ticket`:
 * R reply, N note, 1–9 outcomes), and `?` for the list. Keys typed into a field, or pressed while a
 * dialog is open, are left alone. Rendered once by the page; shows nothing until `?`.
 */
export function WorkspaceShortcuts({ page }: { page: Exclude<ShortcutPage, 'builder'> }) {
  const [helpOpen, setHelpOpen] = useState(false);
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.repeat || isTyping(event.target)) return;
      if (document.querySelector('dialog[open]')) return;
      const shortcut = workspaceShortcutFor(event, page);
      if (!shortcut) return;
      const main = document.getElementById('main');
      if (!main) return;
      let handled = false;
      switch (shortcut.action) {
        case 'help':
          setHelpOpen(true);
          handled = true;
          break;
        case 'next':
        case 'previous':
          handled = moveQueueCursor(main, shortcut.action === 'next' ? 1 : -1);
          break;
        case 'open':
          // A row's link has the focus after J/K: Enter follows it as any link does.
          break;
        case 'reply':
        case 'note':
          handled = focusComposer(main, shortcut.action);
          break;
        case 'outcome':
          handled = pickOutcome(main, shortcut.index ?? 0);
          break;
      }
      // Moving the focus in keydown would otherwise type the letter into the box just focused.
      if (handled) event.preventDefault();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [page]);

  return (
    <Dialog open={helpOpen} onClose={() => setHelpOpen(false)} title="Keyboard shortcuts">
      <ShortcutsTable page={page} />
    </Dialog>
  );
}

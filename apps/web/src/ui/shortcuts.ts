/**
 * Every keyboard shortcut of the app, in one registry: the builder's and the agent workspace's. The help
 * dialog (`?`) of each page lists the entries of that page from here, and the key handlers of the
 * builder (`features/builder/shortcuts.ts`) and of the workspace (`features/workspace/`) match keys
 * against the same table, so what is listed is what works.
 */

/** Where a shortcut works. */
export type ShortcutPage = 'builder' | 'queue' | 'ticket';

export type WorkspaceAction = 'next' | 'previous' | 'open' | 'reply' | 'note' | 'outcome' | 'help';

export type Shortcut = {
  /** `Mod` is Ctrl, or ⌘ on a Mac; `1–9` is a range of digits. */
  keys: readonly string[];
  action: string;
  pages: readonly ShortcutPage[];
};

const ALL_PAGES: readonly ShortcutPage[] = ['builder', 'queue', 'ticket'];

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: ['Mod', 'Z'], action: 'Undo', pages: ['builder'] },
  { keys: ['Shift', 'Mod', 'Z'], action: 'Redo (also Mod + Y)', pages: ['builder'] },
  {
    keys: ['Mod', 'C'],
    action: 'Copy the selected nodes (to the system clipboard: paste them into another flow or tab)',
    pages: ['builder'],
  },
  { keys: ['Mod', 'V'], action: 'Paste (with the connections between copied nodes)', pages: ['builder'] },
  { keys: ['Mod', 'D'], action: 'Duplicate the selection', pages: ['builder'] },
  { keys: ['Delete'], action: 'Delete the selection (also Backspace)', pages: ['builder'] },
  { keys: ['Mod', 'A'], action: 'Select everything', pages: ['builder'] },
  { keys: ['Shift', 'Click'], action: 'Add a node to the selection', pages: ['builder'] },
  { keys: ['Shift', 'Drag'], action: 'Select the nodes in a box', pages: ['builder'] },
  { keys: ['Esc'], action: 'Clear the selection', pages: ['builder'] },
  { keys: ['Mod', 'S'], action: 'Save now (the draft also saves by itself)', pages: ['builder'] },
  { keys: ['Mod', 'F'], action: 'Find a node by its name', pages: ['builder'] },
  { keys: ['Tab'], action: 'Add a node after the selected one (on the canvas; also A)', pages: ['builder'] },
  { keys: ['Enter'], action: 'Edit the focused node in the inspector (Esc comes back)', pages: ['builder'] },
  { keys: ['J'], action: 'Next ticket', pages: ['queue'] },
  { keys: ['K'], action: 'Previous ticket', pages: ['queue'] },
  { keys: ['Enter'], action: 'Open the chosen ticket', pages: ['queue'] },
  { keys: ['R'], action: 'Write a reply to the customer', pages: ['ticket'] },
  {
    keys: ['N'],
    action: 'Write an internal note (the reply box when there is no note box)',
    pages: ['ticket'],
  },
  {
    keys: ['1–9'],
    action: 'Pick that outcome of the current step (its button, left to right)',
    pages: ['ticket'],
  },
  { keys: ['?'], action: 'Show these shortcuts', pages: ALL_PAGES },
];

/** The shortcuts a page's help dialog lists, in the registry's order. */
export function shortcutsOf(page: ShortcutPage): Shortcut[] {
  return SHORTCUTS.filter((s) => s.pages.includes(page));
}

/** True when the key goes to a text field, so no shortcut may take it. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) {
    return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file'].includes(
      target.type,
    );
  }
  return false;
}

type KeyPress = Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey'>;

/**
 * Which workspace action a key press asks for on a page, or null; `outcome` comes with its index (0 for
 * `1`). Pure, for the tests. Keys with Ctrl, ⌘ or Alt stay the browser's.
 */
export function workspaceShortcutFor(
  event: KeyPress,
  page: Exclude<ShortcutPage, 'builder'>,
): { action: WorkspaceAction; index?: number } | null {
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  if (key === '?') return { action: 'help' };
  if (page === 'queue') {
    if (key === 'j') return { action: 'next' };
    if (key === 'k') return { action: 'previous' };
    if (key === 'Enter') return { action: 'open' };
    return null;
  }
  if (key === 'r') return { action: 'reply' };
  if (key === 'n') return { action: 'note' };
  if (/^[1-9]$/.test(key)) return { action: 'outcome', index: Number(key) - 1 };
  return null;
}

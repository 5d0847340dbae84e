import { describe, expect, it } from 'vitest';
import { SHORTCUTS as BUILDER_SHORTCUTS, shortcutFor } from '../features/builder/shortcuts.ts';
import { SHORTCUTS, shortcutsOf, workspaceShortcutFor } from './shortcuts.ts';

const press = (key: string, mods: { ctrl?: boolean; meta?: boolean; alt?: boolean } = {}) => ({
  key,
  ctrlKey: mods.ctrl ?? false,
  metaKey: mods.meta ?? false,
  altKey: mods.alt ?? false,
});

describe('the one shortcut registry', () => {
  it('given the builder and the workspace, when their help lists are taken, then both come from the registry and share ?', () => {
    expect(BUILDER_SHORTCUTS).toEqual(shortcutsOf('builder'));
    const help = SHORTCUTS.find((s) => s.keys.join() === '?');
    expect(help?.pages).toEqual(['builder', 'queue', 'ticket']);
    expect(shortcutsOf('queue').map((s) => s.keys.join('+'))).toEqual(['J', 'K', 'Enter', '?']);
    expect(shortcutsOf('ticket').map((s) => s.keys.join('+'))).toEqual(['R', 'N', '1–9', '?']);
  });

  it('given a key listed for one page, when pressed on the other pages, then it does nothing there', () => {
    expect(workspaceShortcutFor(press('j'), 'ticket')).toBeNull();
    expect(workspaceShortcutFor(press('r'), 'queue')).toBeNull();
    expect(workspaceShortcutFor(press('1'), 'queue')).toBeNull();
    // The workspace's letters are not builder keys.
    for (const key of ['j', 'k', 'r', 'n', '1'])
      expect(shortcutFor({ ...press(key), shiftKey: false })).toBeNull();
  });
});

describe('workspaceShortcutFor', () => {
  it('given the queue, when J, K, Enter or ? is pressed (either case), then each names its action', () => {
    expect(workspaceShortcutFor(press('j'), 'queue')).toEqual({ action: 'next' });
    expect(workspaceShortcutFor(press('J'), 'queue')).toEqual({ action: 'next' });
    expect(workspaceShortcutFor(press('k'), 'queue')).toEqual({ action: 'previous' });
    expect(workspaceShortcutFor(press('Enter'), 'queue')).toEqual({ action: 'open' });
    expect(workspaceShortcutFor(press('?'), 'queue')).toEqual({ action: 'help' });
  });

  it('given a ticket, when R, N or a digit is pressed, then reply, note or that outcome (0-based) is asked for', () => {
    expect(workspaceShortcutFor(press('r'), 'ticket')).toEqual({ action: 'reply' });
    expect(workspaceShortcutFor(press('n'), 'ticket')).toEqual({ action: 'note' });
    expect(workspaceShortcutFor(press('1'), 'ticket')).toEqual({ action: 'outcome', index: 0 });
    expect(workspaceShortcutFor(press('9'), 'ticket')).toEqual({ action: 'outcome', index: 8 });
    expect(workspaceShortcutFor(press('0'), 'ticket')).toBeNull();
  });

  it('given Ctrl, ⌘ or Alt held, when a listed key is pressed, then the browser keeps it (Ctrl+R reloads)', () => {
    expect(workspaceShortcutFor(press('r', { ctrl: true }), 'ticket')).toBeNull();
    expect(workspaceShortcutFor(press('1', { meta: true }), 'ticket')).toBeNull();
    expect(workspaceShortcutFor(press('j', { alt: true }), 'queue')).toBeNull();
  });
});

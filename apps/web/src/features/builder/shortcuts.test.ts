import { describe, expect, it } from 'vitest';
import { isTyping, shortcutFor } from './shortcuts.ts';

const key = (k: string, mods: { ctrl?: boolean; meta?: boolean; shift?: boolean; alt?: boolean } = {}) => ({
  key: k,
  ctrlKey: mods.ctrl ?? false,
  metaKey: mods.meta ?? false,
  shiftKey: mods.shift ?? false,
  altKey: mods.alt ?? false,
});

describe('shortcutFor', () => {
  it('given the documented keys, when pressed, then each maps to its action (Ctrl or Cmd)', () => {
    expect(shortcutFor(key('z', { ctrl: true }))).toBe('undo');
    expect(shortcutFor(key('z', { meta: true }))).toBe('undo');
    expect(shortcutFor(key('Z', { ctrl: true, shift: true }))).toBe('redo');
    expect(shortcutFor(key('y', { ctrl: true }))).toBe('redo');
    // Copy and paste are the browser's own events (the system clipboard), not key handlers.
    expect(shortcutFor(key('c', { meta: true }))).toBeNull();
    expect(shortcutFor(key('v', { ctrl: true }))).toBeNull();
    expect(shortcutFor(key('d', { ctrl: true }))).toBe('duplicate');
    expect(shortcutFor(key('Delete'))).toBe('remove');
    expect(shortcutFor(key('Backspace'))).toBe('remove');
    expect(shortcutFor(key('?', { shift: true }))).toBe('help');
    expect(shortcutFor(key('Escape'))).toBe('deselect');
    expect(shortcutFor(key('f', { ctrl: true }))).toBe('find');
    expect(shortcutFor(key('f', { meta: true }))).toBe('find');
    expect(shortcutFor(key('Tab'))).toBe('append');
    expect(shortcutFor(key('a'))).toBe('append');
    expect(shortcutFor(key('Tab', { shift: true }))).toBeNull();
    expect(shortcutFor(key('a', { ctrl: true }))).toBe('selectAll');
  });

  it('given other keys, when pressed, then nothing happens', () => {
    expect(shortcutFor(key('z'))).toBeNull();
    expect(shortcutFor(key('z', { ctrl: true, alt: true }))).toBeNull();
    expect(shortcutFor(key('q', { ctrl: true }))).toBeNull();
  });
});

describe('isTyping', () => {
  it('given text fields, when checked, then they keep their keys; checkboxes and buttons do not', () => {
    const text = document.createElement('input');
    const area = document.createElement('textarea');
    const box = document.createElement('input');
    box.type = 'checkbox';
    const button = document.createElement('button');
    expect(isTyping(text)).toBe(true);
    expect(isTyping(area)).toBe(true);
    expect(isTyping(box)).toBe(false);
    expect(isTyping(button)).toBe(false);
    expect(isTyping(null)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { freshUnread } from './notificationWords.ts';

describe('freshUnread', () => {
  const n = (id: string, read = false) => ({ id, readAt: read ? '2030-01-01T00:00:00.000Z' : null });

  it('given the first answer, when checked, then nothing is new (opening the app pops up nothing old)', () => {
    expect(freshUnread(null, [n('a'), n('b')])).toEqual([]);
  });

  it('given what was known, when a later answer comes, then only the unread ones not seen before are new', () => {
    expect(freshUnread(new Set(['a']), [n('c'), n('b', true), n('a')])).toEqual(['c']);
  });
});

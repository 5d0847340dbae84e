import { describe, expect, it } from 'vitest';
import { linkParts } from './Linkified.tsx';

describe('linkParts', () => {
  it('given a message with a feedback path, when split, then the path is a link and the rest text', () => {
    expect(linkParts('Tell us how we did: /feedback/abc_DEF-123 Thanks!')).toEqual([
      { kind: 'text', value: 'Tell us how we did: ' },
      { kind: 'link', value: '/feedback/abc_DEF-123' },
      { kind: 'text', value: ' Thanks!' },
    ]);
  });

  it('given a full URL ending a sentence, when split, then the full stop stays outside the link', () => {
    expect(linkParts('See https://acme.example/feedback/t0k.')).toEqual([
      { kind: 'text', value: 'See ' },
      { kind: 'link', value: 'https://acme.example/feedback/t0k' },
      { kind: 'text', value: '.' },
    ]);
  });

  it('given script-like or other schemes, when split, then nothing becomes a link', () => {
    expect(linkParts('javascript:alert(1) and <a href="x">')).toEqual([
      { kind: 'text', value: 'javascript:alert(1) and <a href="x">' },
    ]);
  });

  it('given a path inside a word, when split, then it is not a link', () => {
    expect(linkParts('see foo/feedback/abc')).toEqual([{ kind: 'text', value: 'see foo/feedback/abc' }]);
  });
});

import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Markdown } from './Markdown.tsx';
import { parseInline, parseMarkdown } from './markdown.ts';

afterEach(cleanup);

describe('parseMarkdown', () => {
  it('given paragraphs separated by a blank line, when parsed, then each is its own block with soft breaks joined', () => {
    const blocks = parseMarkdown('First line\ncontinues.\n\nSecond paragraph.');
    expect(blocks.map((b) => b.kind)).toEqual(['paragraph', 'paragraph']);
    expect(blocks[0]).toMatchObject({ children: [{ kind: 'text', text: 'First line continues.' }] });
  });

  it('given bullet and numbered items, when parsed, then they form an unordered and an ordered list', () => {
    const blocks = parseMarkdown('- one\n- two\n\n1. first\n2. second');
    expect(blocks).toMatchObject([
      {
        kind: 'list',
        ordered: false,
        items: [{ children: [{ text: 'one' }] }, { children: [{ text: 'two' }] }],
      },
      {
        kind: 'list',
        ordered: true,
        items: [{ children: [{ text: 'first' }] }, { children: [{ text: 'second' }] }],
      },
    ]);
  });

  it('given bold, italic and code, when parsed inline, then each becomes its own node', () => {
    expect(parseInline('a **bold** and *it* or _it_ `x`').map((n) => n.kind)).toEqual([
      'text',
      'strong',
      'text',
      'em',
      'text',
      'em',
      'text',
      'code',
    ]);
  });

  it('given snake_case words, when parsed inline, then underscores stay text', () => {
    expect(parseInline('set refund_amount_max now')).toMatchObject([
      { kind: 'text', text: 'set refund_amount_max now' },
    ]);
  });

  it('given an unclosed emphasis, when parsed inline, then the asterisk stays literal', () => {
    expect(parseInline('5 * 3 = 15')).toMatchObject([{ kind: 'text', text: '5 * 3 = 15' }]);
  });
});

describe('<Markdown>', () => {
  it('given raw HTML in the source, when rendered, then it shows as text and creates no element', () => {
    const { container } = render(
      <Markdown source={'<img src=x onerror="alert(1)"> <script>alert(2)</script>'} />,
    );
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('script')).toBeNull();
    expect(container.textContent).toContain('<img src=x onerror="alert(1)">');
  });

  it('given a javascript: link, when rendered, then only its text shows, not a link', () => {
    const { container } = render(<Markdown source="[click me](javascript:alert(1))" />);
    expect(container.querySelector('a')).toBeNull();
    expect(container.textContent).toBe('click me');
  });

  it('given an https link, when rendered, then it opens in a new tab without an opener', () => {
    const { getByRole } = render(<Markdown source="See [the policy](https://example.com/refunds)." />);
    const link = getByRole('link', { name: 'the policy' });
    expect(link.getAttribute('href')).toBe('https://example.com/refunds');
    expect(link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(link.getAttribute('target')).toBe('_blank');
  });

  it('given instructions with a list and bold text, when rendered, then the structure is kept', () => {
    const { container } = render(<Markdown source={'Check **all** of:\n\n- the order\n- the *receipt*'} />);
    expect(container.querySelector('p strong')?.textContent).toBe('all');
    expect(container.querySelectorAll('ul > li')).toHaveLength(2);
    expect(container.querySelector('li em')?.textContent).toBe('receipt');
  });
});

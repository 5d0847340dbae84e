import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Markdown } from './Markdown.tsx';
import { MarkdownView } from './MarkdownView.tsx';

afterEach(cleanup);

describe('<Markdown>', () => {
  it('given the renderer is still loading, when rendered, then the source shows as plain text, then as Markdown', async () => {
    const { container, findByRole } = render(
      <Markdown source={'See **the** [policy](https://example.com).'} />,
    );
    expect(container.textContent).toBe('See **the** [policy](https://example.com).');
    expect((await findByRole('link', { name: 'policy' })).getAttribute('href')).toBe('https://example.com');
    expect(container.querySelector('strong')?.textContent).toBe('the');
  });
});

describe('<MarkdownView>', () => {
  it('given raw HTML in the source, when rendered, then it shows as text and creates no element', () => {
    const { container } = render(
      <Markdown
        source={
          '<img src=x onerror="alert(1)"> <script>alert(2)</script>\n\n<a href="javascript:alert(3)">x</a>'
        }
      />,
    );
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('script')).toBeNull();
    expect(container.querySelector('a')).toBeNull();
    expect(container.textContent).toContain('<img src=x onerror="alert(1)">');
  });

  it.each([
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    'java\tscript:alert(1)',
    'vbscript:msgbox(1)',
    'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
    'file:///etc/passwd',
  ])('given a link to %j, when rendered, then only its text shows, not a link', (href) => {
    const { container } = render(<MarkdownView source={`[click me](<${href}>)`} />);
    expect(container.querySelector('a')).toBeNull();
    expect(container.textContent).toBe('click me');
  });

  it('given an entity-encoded script tag, when rendered, then it is text and no element', () => {
    const { container } = render(
      <MarkdownView source={'&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#x3C;b&#x3E;'} />,
    );
    expect(container.querySelector('script, b')).toBeNull();
    expect(container.textContent).toBe('<script>alert(1)</script> & <b>');
  });

  it('given an autolink and an entity-encoded javascript: address, when rendered, then neither becomes a script link', () => {
    const { container } = render(
      <MarkdownView source={'[x](&#106;avascript:alert(1)) and https://example.com/a'} />,
    );
    const hrefs = [...container.querySelectorAll('a')].map((a) => a.getAttribute('href'));
    expect(hrefs).toEqual(['https://example.com/a']);
  });

  it('given an image, when rendered, then its alt text stands in and nothing is fetched', () => {
    const { container } = render(<MarkdownView source={'![a receipt](https://tracker.example/p.png)'} />);
    expect(container.querySelector('img')).toBeNull();
    expect(container.textContent).toBe('a receipt');
  });

  it('given an https link, when rendered, then it opens in a new tab without an opener', () => {
    const { getByRole } = render(<MarkdownView source="See [the policy](https://example.com/refunds)." />);
    const link = getByRole('link', { name: 'the policy' });
    expect(link.getAttribute('href')).toBe('https://example.com/refunds');
    expect(link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(link.getAttribute('target')).toBe('_blank');
  });

  it('given instructions with a list and bold text, when rendered, then the structure is kept', () => {
    const { container } = render(
      <MarkdownView source={'Check **all** of:\n\n- the order\n- the *receipt*'} />,
    );
    expect(container.querySelector('p strong')?.textContent).toBe('all');
    expect(container.querySelectorAll('ul > li')).toHaveLength(2);
    expect(container.querySelector('li em')?.textContent).toBe('receipt');
  });

  it('given GitHub-flavoured blocks, when rendered, then tables, code fences, quotes, numbered lists, task lists and strikethrough all render', () => {
    const source = [
      '| Tier | Limit |',
      '| --- | --- |',
      '| VIP | 500 |',
      '',
      '```',
      'refund --order 42',
      '```',
      '',
      '> Ask before refunding twice.',
      '',
      '1. first',
      '2. second',
      '',
      '- [x] receipt checked',
      '- [ ] label sent',
      '',
      '~~old rule~~ new rule, snake_case_words stay',
    ].join('\n');
    const { container } = render(<MarkdownView source={source} />);
    expect([...container.querySelectorAll('th')].map((th) => th.textContent)).toEqual(['Tier', 'Limit']);
    expect(container.querySelector('td')?.textContent).toBe('VIP');
    expect(container.querySelector('pre code')?.textContent).toBe('refund --order 42\n');
    expect(container.querySelector('blockquote')?.textContent?.trim()).toBe('Ask before refunding twice.');
    expect(container.querySelectorAll('ol > li')).toHaveLength(2);
    const boxes = [...container.querySelectorAll<HTMLInputElement>('input[type="checkbox"]')];
    expect(boxes.map((b) => [b.checked, b.disabled])).toEqual([
      [true, true],
      [false, true],
    ]);
    expect(container.querySelector('del')?.textContent).toBe('old rule');
    expect(container.textContent).toContain('snake_case_words stay');
  });

  it('given a heading, when rendered, then it sits below the page headings (h1 renders as h3)', () => {
    const { container } = render(<MarkdownView source={'# Refunds\n\n## Limits'} />);
    expect(container.querySelector('h3')?.textContent).toBe('Refunds');
    expect(container.querySelector('h4')?.textContent).toBe('Limits');
    expect(container.querySelector('h1, h2')).toBeNull();
  });
});

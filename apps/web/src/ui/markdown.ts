/**
 * A small, safe Markdown subset for step instructions: paragraphs, headings, bullet and numbered lists,
 * **bold**, *italic*, `code` and [links](https://…). The parser returns data; `<Markdown>` turns it into
 * React elements, so text is always text (never HTML) and only http(s) and mailto links become links.
 */

export type Inline =
  | { kind: 'text'; key: string; text: string }
  | { kind: 'strong' | 'em'; key: string; children: Inline[] }
  | { kind: 'code'; key: string; text: string }
  | { kind: 'link'; key: string; href: string; children: Inline[] };

export type Block =
  | { kind: 'paragraph'; key: string; children: Inline[] }
  | { kind: 'heading'; key: string; level: 1 | 2 | 3; children: Inline[] }
  | { kind: 'list'; key: string; ordered: boolean; items: Array<{ key: string; children: Inline[] }> };

const BULLET = /^\s{0,3}[-*+]\s+(.*)$/;
const NUMBERED = /^\s{0,3}\d{1,9}[.)]\s+(.*)$/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const SAFE_HREF = /^(https?:\/\/|mailto:)/i;
const ESCAPABLE = new Set('\\`*_[]()#+-.!'.split(''));

/** Whether a link target may be rendered as a link (no `javascript:`, `data:`… URLs). */
export function isSafeHref(href: string): boolean {
  return SAFE_HREF.test(href.trim());
}

export function parseMarkdown(source: string): Block[] {
  const blocks: Block[] = [];
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  let paragraph: string[] = [];
  let list: { ordered: boolean; items: string[] } | null = null;

  const flushParagraph = () => {
    if (paragraph.length === 0) return;
    const key = `b${blocks.length}`;
    blocks.push({ kind: 'paragraph', key, children: parseInline(paragraph.join(' '), key) });
    paragraph = [];
  };
  const flushList = () => {
    if (!list) return;
    const key = `b${blocks.length}`;
    blocks.push({
      kind: 'list',
      key,
      ordered: list.ordered,
      items: list.items.map((text, i) => ({
        key: `${key}.${i}`,
        children: parseInline(text, `${key}.${i}`),
      })),
    });
    list = null;
  };

  for (const line of lines) {
    if (line.trim() === '') {
      flushParagraph();
      flushList();
      continue;
    }
    const bullet = BULLET.exec(line);
    const numbered = bullet ? null : NUMBERED.exec(line);
    const item = bullet ?? numbered;
    if (item) {
      flushParagraph();
      const ordered = numbered !== null;
      if (list && list.ordered !== ordered) flushList();
      if (!list) list = { ordered, items: [] };
      list.items.push((item[1] ?? '').trim());
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      flushParagraph();
      flushList();
      const key = `b${blocks.length}`;
      const level = Math.min(3, (heading[1] ?? '#').length) as 1 | 2 | 3;
      blocks.push({ kind: 'heading', key, level, children: parseInline(heading[2] ?? '', key) });
      continue;
    }
    if (list && /^\s+\S/.test(line)) {
      // An indented line right after a list item continues that item.
      const items: string[] = list.items;
      items[items.length - 1] = `${items[items.length - 1] ?? ''} ${line.trim()}`;
      continue;
    }
    flushList();
    paragraph.push(line.trim());
  }
  flushParagraph();
  flushList();
  return blocks;
}

const isWordChar = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c);

/** Finds the closing delimiter of an emphasis run opened at `from`, or -1. */
function findClosing(text: string, delim: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const at = text.indexOf(delim, i);
    if (at < 0) return -1;
    if (text[at - 1] === '\\') {
      i = at + 1;
      continue;
    }
    const inner = text.slice(from, at);
    const single = delim.length === 1;
    // `*a**b*`: a single delimiter must not close on half of a double one.
    const doubled = single && text[at + 1] === delim;
    // Underscores inside words (snake_case) are not emphasis.
    const intraword = delim[0] === '_' && isWordChar(text[at + delim.length]);
    if (inner.trim() !== '' && !/\s$/.test(inner) && !doubled && !intraword) return at;
    i = at + (doubled ? 2 : 1);
  }
  return -1;
}

/** The index of the `)` that closes a link target starting at `from` (parentheses inside it balance), or -1. */
function closingParen(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i += 1;
    else if (c === '(') depth += 1;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}

export function parseInline(text: string, keyPrefix = 'i'): Inline[] {
  const out: Inline[] = [];
  let buffer = '';
  const key = () => `${keyPrefix}.${out.length}`;
  const flush = () => {
    if (buffer === '') return;
    out.push({ kind: 'text', key: key(), text: buffer });
    buffer = '';
  };

  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    const next = text[i + 1];
    if (c === '\\' && next !== undefined && ESCAPABLE.has(next)) {
      buffer += next;
      i += 2;
      continue;
    }
    if (c === '`') {
      const end = text.indexOf('`', i + 1);
      if (end > i + 1) {
        flush();
        out.push({ kind: 'code', key: key(), text: text.slice(i + 1, end) });
        i = end + 1;
        continue;
      }
    }
    if ((c === '*' || c === '_') && next === c) {
      const delim = c + c;
      const canOpen =
        text[i + 2] !== undefined && !/\s/.test(text[i + 2] ?? '') && !(c === '_' && isWordChar(text[i - 1]));
      const end = canOpen ? findClosing(text, delim, i + 2) : -1;
      if (end > 0) {
        flush();
        const k = key();
        out.push({ kind: 'strong', key: k, children: parseInline(text.slice(i + 2, end), k) });
        i = end + 2;
        continue;
      }
      buffer += delim;
      i += 2;
      continue;
    }
    if (c === '*' || c === '_') {
      const canOpen = next !== undefined && !/\s/.test(next) && !(c === '_' && isWordChar(text[i - 1]));
      const end = canOpen ? findClosing(text, c, i + 1) : -1;
      if (end > 0) {
        flush();
        const k = key();
        out.push({ kind: 'em', key: k, children: parseInline(text.slice(i + 1, end), k) });
        i = end + 1;
        continue;
      }
    }
    if (c === '[') {
      const close = text.indexOf('](', i + 1);
      const end = close > i ? closingParen(text, close + 2) : -1;
      if (close > i + 1 && end > close + 2) {
        const label = text.slice(i + 1, close);
        const href = text.slice(close + 2, end).trim();
        flush();
        const k = key();
        const children = parseInline(label, k);
        if (isSafeHref(href)) out.push({ kind: 'link', key: k, href, children });
        else out.push(...children.map((child, n) => ({ ...child, key: `${k}.${n}` })));
        i = end + 1;
        continue;
      }
    }
    buffer += c;
    i += 1;
  }
  flush();
  return out;
}

import { Fragment } from 'react';

/** Web addresses and the app's own feedback paths, as they appear in message text. */
const LINK = /(https?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]]|\/feedback\/[A-Za-z0-9_-]+)/g;

/** Splits text into plain parts and links (only http(s) URLs and `/feedback/<token>` paths). */
export function linkParts(text: string): Array<{ kind: 'text' | 'link'; value: string }> {
  const parts: Array<{ kind: 'text' | 'link'; value: string }> = [];
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    const at = match.index;
    // A path only counts at the start of a word (not inside another URL or word).
    if (match[0].startsWith('/') && at > 0 && !/\s/.test(text[at - 1] ?? '')) continue;
    if (at > last) parts.push({ kind: 'text', value: text.slice(last, at) });
    parts.push({ kind: 'link', value: match[0] });
    last = at + match[0].length;
  }
  if (last < text.length) parts.push({ kind: 'text', value: text.slice(last) });
  return parts;
}

/** Message text with its links clickable; everything else stays text (never HTML). */
export function Linkified({ text }: { text: string }) {
  return (
    <>
      {linkParts(text).map((part, i) =>
        part.kind === 'link' ? (
          // Parts are positional and never reorder.
          <a key={i} href={part.value} target="_blank" rel="noopener noreferrer">
            {part.value}
          </a>
        ) : (
          <Fragment key={i}>{part.value}</Fragment>
        ),
      )}
    </>
  );
}

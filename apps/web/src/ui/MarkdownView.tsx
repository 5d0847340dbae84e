import type { AnchorHTMLAttributes, ReactNode } from 'react';
import ReactMarkdown, { type Components, defaultUrlTransform } from 'react-markdown';
import remarkGfm from 'remark-gfm';

/**
 * Instructions, notes and test-run steps in GitHub-flavoured Markdown (paragraphs, headings, lists and
 * task lists, quotes, code spans and fences, tables, strikethrough, links), rendered as React elements —
 * never as HTML: raw HTML in the source shows as text, and a link whose address is not http(s), mailto,
 * tel or relative renders as its text alone.
 */

/** The address a link may keep, or '' (then the link shows as text). */
function safeUrl(url: string): string {
  const kept = defaultUrlTransform(url);
  return /^(?:https?:|mailto:|tel:|[/#?.]|[^:]*$)/i.test(kept) ? kept : '';
}

function Link({ href, children }: AnchorHTMLAttributes<HTMLAnchorElement> & { node?: unknown }): ReactNode {
  if (!href) return <span>{children}</span>;
  return (
    <a href={href} target="_blank" rel="noopener noreferrer">
      {children}
    </a>
  );
}

// The page's own headings sit above instructions: a document's `#` renders one level below the card's.
const COMPONENTS: Components = {
  a: Link,
  h1: ({ children }) => <h3>{children}</h3>,
  h2: ({ children }) => <h4>{children}</h4>,
  h3: ({ children }) => <h5>{children}</h5>,
  h4: ({ children }) => <h6>{children}</h6>,
  h5: ({ children }) => <h6>{children}</h6>,
  h6: ({ children }) => <h6>{children}</h6>,
  // Images are not part of instructions: the alt text stands in (nothing is fetched from the address).
  img: ({ alt }) => <span>{alt ?? ''}</span>,
  table: ({ children }) => (
    <div className="markdown-table">
      <table>{children}</table>
    </div>
  ),
};

const PLUGINS = [remarkGfm];

export function MarkdownView({ source, className }: { source: string; className?: string }) {
  return (
    <div className={className ? `markdown ${className}` : 'markdown'}>
      <ReactMarkdown remarkPlugins={PLUGINS} components={COMPONENTS} urlTransform={safeUrl}>
        {source}
      </ReactMarkdown>
    </div>
  );
}

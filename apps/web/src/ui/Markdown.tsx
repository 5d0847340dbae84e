import { lazy, Suspense } from 'react';

// The Markdown parser and its GitHub extensions weigh about 50 KB gzipped: loaded with the first text
// that needs them, not with the first page.
const MarkdownView = lazy(() => import('./MarkdownView.tsx').then((m) => ({ default: m.MarkdownView })));

/**
 * Instructions, notes and test-run steps in GitHub-flavoured Markdown (see `MarkdownView`). Until the
 * renderer has loaded, the source shows as plain text in the same place.
 */
export function Markdown({ source, className }: { source: string; className?: string }) {
  const classes = className ? `markdown ${className}` : 'markdown';
  return (
    <Suspense
      fallback={
        <div className={classes}>
          <p className="markdown-source">{source}</p>
        </div>
      }
    >
      <MarkdownView source={source} className={className} />
    </Suspense>
  );
}

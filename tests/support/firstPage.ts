import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** The first page's JavaScript may weigh at most this much, gzip-compressed. */
export const FIRST_PAGE_BUDGET_BYTES = 170 * 1024;

type ManifestEntry = { file: string; isEntry?: boolean; imports?: string[]; dynamicImports?: string[] };
type Manifest = Record<string, ManifestEntry>;

export type PageWeight = {
  /** The page's source module (e.g. `src/features/queue/QueuePage.tsx`). */
  page: string;
  files: Array<{ file: string; bytes: number; gzipBytes: number }>;
  bytes: number;
  gzipBytes: number;
};

/**
 * The JavaScript a browser fetches to show one page of the built app: the entry, the files it imports
 * statically, and the page's own file with its static imports (files a page loads later, on demand,
 * are not counted). Read from the build's manifest; sizes gzip level 9, as the build serves them.
 */
export function pageWeight(webDir: string, page: string): PageWeight {
  const manifest = JSON.parse(readFileSync(join(webDir, '.vite/manifest.json'), 'utf8')) as Manifest;
  const entry = Object.keys(manifest).find((key) => manifest[key]?.isEntry);
  if (!entry) throw new Error('the build manifest has no entry');
  const pageKey = Object.keys(manifest).find((key) => key.endsWith(page));
  if (!pageKey) throw new Error(`the build manifest has no page ${page}`);
  const seen = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    for (const imported of manifest[key]?.imports ?? []) visit(imported);
  };
  visit(entry);
  visit(pageKey);
  const files = [...seen].map((key) => {
    const file = manifest[key]?.file ?? key;
    const content = readFileSync(join(webDir, file));
    return { file, bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length };
  });
  return {
    page,
    files,
    bytes: files.reduce((sum, f) => sum + f.bytes, 0),
    gzipBytes: files.reduce((sum, f) => sum + f.gzipBytes, 0),
  };
}

/** The pages a person meets first: the login page, and the queue an agent lands on after it. */
export const FIRST_PAGES = ['src/features/auth/LoginPage.tsx', 'src/features/queue/QueuePage.tsx'] as const;

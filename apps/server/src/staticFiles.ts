import type { Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { acceptedEncoding, type Encoding } from './compression.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
};

/** Vite fingerprints everything under /assets: those never change, so browsers may keep them a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Stepwise</title></head>
<body style="font: 15px system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; color: #1f2937">
<h1>Stepwise is running, but the web app is not built</h1>
<p>Run <code>npm run build</code> (or start with <code>npm start</code>, which builds first), then reload this page.</p>
<p>The API is available at <code>/trpc</code>; <a href="/healthz">/healthz</a> reports the server's health.</p>
</body></html>
`;

async function fileAt(path: string): Promise<Stats | null> {
  try {
    const s = await stat(path);
    return s.isFile() ? s : null;
  } catch {
    return null;
  }
}

/**
 * Serves the built web app: files from `webDir` with their content types (brotli or gzip when the
 * browser accepts it and the build precompressed the file), long caching for /assets, and index.html
 * for any other path (the app's client-side routes). Only GET and HEAD reach it.
 */
export async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  webDir: string,
  pathname: string,
): Promise<void> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return plain(res, 400, 'Bad request path.');
  }
  const relative = normalize(decoded).replace(/^([/\\])+/, '');
  const root = normalize(webDir + sep);
  const target = join(root, relative);
  // normalize() resolved any `..`; anything that lands outside the web root is refused.
  if (!target.startsWith(root) || decoded.includes('\0')) return plain(res, 404, 'Not found.');
  // Dot-files and dot-folders (the build's `.vite/manifest.json`) are the build's own, not the app's.
  if (relative.split(/[/\\]/).some((part) => part.startsWith('.'))) return plain(res, 404, 'Not found.');

  const isAsset = relative.startsWith(`assets${sep}`);
  const file = relative === '' ? null : await fileAt(target);
  if (file) return sendFile(req, res, target, file, isAsset ? IMMUTABLE : 'no-cache');
  if (isAsset || extname(relative) !== '') return plain(res, 404, 'Not found.');

  const indexPath = join(root, 'index.html');
  const index = await fileAt(indexPath);
  if (!index) {
    res.statusCode = 503;
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.setHeader('cache-control', 'no-store');
    res.end(req.method === 'HEAD' ? undefined : NOT_BUILT);
    return;
  }
  return sendFile(req, res, indexPath, index, 'no-cache');
}

/** The build writes `<file>.br` and `<file>.gz` beside each compressible file (vite.config.ts). */
const SUFFIX: Record<Encoding, string> = { br: '.br', gzip: '.gz' };

async function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  file: Stats,
  cacheControl: string,
): Promise<void> {
  const type = CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
  // The variant the browser accepts, when the build made one (only text files have them).
  let encoding: Encoding | null = null;
  let sent = { path, file };
  if (/^(text\/|application\/(json|manifest\+json|wasm)|image\/svg)/.test(type)) {
    res.setHeader('vary', 'accept-encoding');
    const wanted = acceptedEncoding(req.headers['accept-encoding']);
    const variant = wanted === null ? null : await fileAt(path + SUFFIX[wanted]);
    if (wanted !== null && variant && variant.mtimeMs >= file.mtimeMs) {
      encoding = wanted;
      sent = { path: path + SUFFIX[wanted], file: variant };
    }
  }
  // Each encoding is its own representation, with its own validator.
  const etag = `W/"${sent.file.size.toString(16)}-${Math.floor(sent.file.mtimeMs).toString(16)}${encoding ? `-${encoding}` : ''}"`;
  res.setHeader('content-type', type);
  res.setHeader('cache-control', cacheControl);
  res.setHeader('etag', etag);
  res.setHeader('last-modified', file.mtime.toUTCString());
  if (encoding) res.setHeader('content-encoding', encoding);
  if (req.headers['if-none-match'] === etag) {
    res.statusCode = 304;
    res.end();
    return;
  }
  if (req.method === 'HEAD') {
    res.setHeader('content-length', sent.file.size);
    res.end();
    return;
  }
  // The build's files are small: one read, one write (no stream to tear down if the client leaves).
  const content = await readFile(sent.path);
  res.setHeader('content-length', content.length);
  res.end(content);
}

function plain(res: ServerResponse, status: number, message: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.end(message);
}

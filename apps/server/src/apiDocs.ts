import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { appRouter, openApiDocument } from '@stepwise/api';

/**
 * `/api/openapi.json` (the OpenAPI 3.1 document generated from the router) and `/api/docs`, a page that
 * renders it with Swagger UI served from this server's own node_modules (no CDN): its bundle and
 * stylesheet, and a start script of ours — a file, as the pages' CSP allows same-origin scripts only.
 */
export const OPENAPI_PATH = '/api/openapi.json';
export const DOCS_PATH = '/api/docs';

const SWAGGER_UI_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Stepwise API</title>
<link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css">
<link rel="stylesheet" href="${DOCS_PATH}/docs.css">
</head>
<body>
<main id="swagger-ui" aria-label="Stepwise API reference"><p class="loading">Loading the API reference…</p></main>
<noscript><p>The reference needs JavaScript. The document itself: <a href="${OPENAPI_PATH}">${OPENAPI_PATH}</a>.</p></noscript>
<script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
<script src="${DOCS_PATH}/docs.js"></script>
</body>
</html>
`;

const START = `window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(OPENAPI_PATH)},
  dom_id: '#swagger-ui',
  deepLinking: true,
  layout: 'BaseLayout',
  presets: [SwaggerUIBundle.presets.apis],
  validatorUrl: null,
  defaultModelsExpandDepth: 0,
});
`;

const STYLE = `body { margin: 0; font-family: system-ui, sans-serif; }
.loading { padding: 2rem; }
.swagger-ui .wrapper { padding: 0 1rem; }
`;

type Asset = { type: string; body: () => Promise<Buffer>; cache: string };

/** Swagger UI's files change only with its version: a day's caching; our own short texts: revalidated. */
const ASSETS: Record<string, Asset> = {
  [`${DOCS_PATH}/swagger-ui-bundle.js`]: {
    type: 'text/javascript; charset=utf-8',
    body: () => readFile(join(SWAGGER_UI_DIR, 'swagger-ui-bundle.js')),
    cache: 'public, max-age=86400',
  },
  [`${DOCS_PATH}/swagger-ui.css`]: {
    type: 'text/css; charset=utf-8',
    body: () => readFile(join(SWAGGER_UI_DIR, 'swagger-ui.css')),
    cache: 'public, max-age=86400',
  },
  [`${DOCS_PATH}/docs.js`]: {
    type: 'text/javascript; charset=utf-8',
    body: async () => Buffer.from(START),
    cache: 'no-cache',
  },
  [`${DOCS_PATH}/docs.css`]: {
    type: 'text/css; charset=utf-8',
    body: async () => Buffer.from(STYLE),
    cache: 'no-cache',
  },
  [DOCS_PATH]: { type: 'text/html; charset=utf-8', body: async () => Buffer.from(PAGE), cache: 'no-cache' },
};

/** Whether a path is one of these (only GET and HEAD are answered). */
export function isApiDocsPath(pathname: string): boolean {
  return pathname === OPENAPI_PATH || pathname in ASSETS || pathname === `${DOCS_PATH}/`;
}

/** Serves the document and the docs page; the document is built once per process (the router is fixed). */
export function apiDocsHandler(options: { publicUrl: () => string }) {
  let document: Buffer | null = null;
  const loaded = new Map<string, Promise<{ plain: Buffer; gzip: Buffer }>>();
  const load = (path: string, asset: Asset) => {
    let entry = loaded.get(path);
    if (!entry) {
      entry = asset.body().then((plain) => ({ plain, gzip: gzipSync(plain) }));
      // A failed read is tried again on the next request.
      entry.catch(() => loaded.delete(path));
      loaded.set(path, entry);
    }
    return entry;
  };
  return async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.statusCode = 405;
      res.setHeader('allow', 'GET, HEAD');
      res.end();
      return;
    }
    if (pathname === `${DOCS_PATH}/`) {
      res.statusCode = 308;
      res.setHeader('location', DOCS_PATH);
      res.end();
      return;
    }
    if (pathname === OPENAPI_PATH) {
      document ??= Buffer.from(
        JSON.stringify(openApiDocument(appRouter, { serverUrl: options.publicUrl(), version: '1' }), null, 2),
      );
      return send(req, res, 'application/json; charset=utf-8', 'no-cache', document, null);
    }
    const asset = ASSETS[pathname];
    if (!asset) {
      res.statusCode = 404;
      res.end();
      return;
    }
    const { plain, gzip } = await load(pathname, asset);
    return send(req, res, asset.type, asset.cache, plain, gzip);
  };
}

function send(
  req: IncomingMessage,
  res: ServerResponse,
  type: string,
  cache: string,
  plain: Buffer,
  gzip: Buffer | null,
): void {
  const zipped = gzip !== null && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = zipped && gzip ? gzip : plain;
  res.statusCode = 200;
  res.setHeader('content-type', type);
  res.setHeader('cache-control', cache);
  res.setHeader('vary', 'accept-encoding');
  if (zipped) res.setHeader('content-encoding', 'gzip');
  res.setHeader('content-length', body.length);
  res.end(req.method === 'HEAD' ? undefined : body);
}

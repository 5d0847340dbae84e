import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AppRouter,
  appRouter,
  type ContextFactory,
  createContextFactory,
  handleCompleteStep,
  liveHubOf,
  startRuntimeLoop,
} from '@stepwise/api';
import type { Database } from '@stepwise/db';
import { getTRPCErrorShape, TRPCError } from '@trpc/server';
import { nodeHTTPRequestHandler } from '@trpc/server/adapters/node-http';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { errorsOnlyLogger, type Logger } from './logger.ts';
import { serveStatic } from './staticFiles.ts';

/** A request body is at most 1 MiB (the product's input bounds; larger bodies get 413). */
export const MAX_BODY_BYTES = 1024 * 1024;

export const DEFAULT_WEB_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../dist/web');

/** The lean path for the hottest procedure (a ticket step), served without the fetch-API conversion. */
const FAST_COMPLETE_PATH = '/trpc/tickets.complete';

const SECURITY_HEADERS: ReadonlyArray<[string, string]> = [
  ['x-content-type-options', 'nosniff'],
  ['referrer-policy', 'strict-origin-when-cross-origin'],
  ['x-frame-options', 'DENY'],
  ['cross-origin-opener-policy', 'same-origin'],
  [
    'content-security-policy',
    // React Flow positions nodes with inline styles; scripts stay same-origin only.
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
      "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
  ],
];

export type StartServerOptions = {
  db: Database;
  /** 0 = a free port. */
  port: number;
  /** Default 127.0.0.1 (main.ts passes HOST, default 0.0.0.0). */
  host?: string;
  now?: () => Date;
  /** The built web app (default `<repo>/dist/web`). */
  webDir?: string;
  /**
   * Run the runtime loop in this process (default true): SLA/wait timers, the outbox of moves'
   * after-commit effects (subflows, feedback links, flow webhooks) and the webhook deliveries.
   */
  timers?: boolean;
  /** Polling interval of the runtime loop (default 1000 ms). */
  pollMs?: number;
  logger?: Logger;
  /**
   * The address people reach this app at (`PUBLIC_URL`, already checked): links sent out of the app are
   * built on it. Default `http://localhost:<the port it listens on>`.
   */
  publicUrl?: string;
};

export type RunningServer = {
  url: string;
  port: number;
  /** The address links sent out of the app start with (no trailing slash). */
  publicUrl: string;
  close(): Promise<void>;
};

/**
 * The HTTP host: tRPC at /trpc (batching on, 1 MiB bodies, CSRF-checked mutations), /healthz, and the
 * built web app with a client-side-routing fallback. Also starts the runtime loop unless told not to.
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { db } = options;
  const now = options.now ?? (() => new Date());
  const logger = options.logger ?? errorsOnlyLogger;
  const webDir = options.webDir ?? DEFAULT_WEB_DIR;
  const createContext = createContextFactory({ db, now });
  const logInternal = ({ error, path }: { error: TRPCError; path: string }) => {
    if (error.code === 'INTERNAL_SERVER_ERROR')
      logger.error('trpc.error', { path, error: error.cause ?? error });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    for (const [name, value] of SECURITY_HEADERS) res.setHeader(name, value);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const { pathname } = url;

    if (pathname === '/healthz') return health(req, res, db);

    if (pathname === '/trpc' || pathname.startsWith('/trpc/')) {
      res.setHeader('cache-control', 'no-store');
      const path = pathname.slice('/trpc/'.length);
      if (req.method === 'POST') {
        const refusal = csrfRefusal(req);
        if (refusal) return sendTrpcError(req, res, 'FORBIDDEN', refusal, path);
        const length = Number(req.headers['content-length'] ?? 0);
        if (length > MAX_BODY_BYTES) {
          return sendTrpcError(req, res, 'PAYLOAD_TOO_LARGE', 'The request body is larger than 1 MiB.', path);
        }
        if (pathname === FAST_COMPLETE_PATH && !url.searchParams.has('batch')) {
          return handleCompleteStep(req, res, createContext, { onError: logInternal });
        }
      }
      return nodeHTTPRequestHandler<AppRouter, IncomingMessage, ServerResponse>({
        router: appRouter,
        req,
        res,
        path,
        allowBatching: true,
        maxBatchSize: 50,
        maxBodySize: MAX_BODY_BYTES,
        createContext: ({ req: request, res: response }) => contextOf(createContext, request, response),
        onError: ({ error, path: procedurePath }) => logInternal({ error, path: procedurePath ?? path }),
      });
    }

    if (req.method === 'GET' || req.method === 'HEAD') return serveStatic(req, res, webDir, pathname);
    res.statusCode = 405;
    res.setHeader('allow', 'GET, HEAD');
    res.end();
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error('http.error', { method: req.method, url: req.url, error });
      if (!res.headersSent) {
        res.statusCode = 500;
        res.setHeader('content-type', 'text/plain; charset=utf-8');
        res.end('Internal server error.');
      } else {
        res.destroy();
      }
    });
  });
  // A slow client may not hold a connection open forever while sending headers or a body.
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolvePromise();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const publicUrl = (options.publicUrl ?? `http://localhost:${port}`).replace(/\/+$/, '');
  const background = options.timers !== false;
  const intervalMs = options.pollMs ?? 1000;
  const loop = background
    ? startRuntimeLoop(db, {
        now,
        intervalMs,
        publicUrl,
        onError: (error, step) => logger.error(`${step}.error`, { error }),
      })
    : null;
  // One LISTEN per process: live subscriptions fan out from it, and a committed move wakes the loop.
  const hub = liveHubOf(db);
  await hub.start();
  const offLoop = loop ? hub.onAny(() => loop.nudge()) : () => {};

  let closing: Promise<void> | null = null;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    port,
    publicUrl,
    close() {
      closing ??= (async () => {
        offLoop();
        await loop?.stop();
        await new Promise<void>((resolveClose) => {
          // Live streams (SSE) never end by themselves: give in-flight requests a moment, then cut.
          const force = setTimeout(() => server.closeAllConnections(), 2000);
          server.close(() => {
            clearTimeout(force);
            resolveClose();
          });
          server.closeIdleConnections();
        });
        await hub.stop();
      })();
      return closing;
    },
  };
}

function contextOf(createContext: ContextFactory, req: IncomingMessage, res: ServerResponse) {
  return createContext({
    headers: headersOf(req),
    setCookie: (cookie) => res.appendHeader('set-cookie', cookie),
    clientIp: req.socket.remoteAddress ?? 'unknown',
  });
}

/** Node's header bag as a fetch `Headers`. */
export function headersOf(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.append(name, value);
  }
  return headers;
}

/**
 * CSRF: a browser can send a cross-site POST only as a "simple" request (form or text/plain body), so
 * requiring `application/json` forces a CORS preflight we never grant. An Origin, when sent, must be
 * this host; a browser's cross-site fetch metadata is refused outright. Requests with an API token
 * (`Authorization: Bearer`) still need JSON but skip the Origin checks.
 */
export function csrfRefusal(req: IncomingMessage): string | null {
  const mediaType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    return 'Requests that change data must be sent as application/json.';
  }
  // An API token is not ambient authority (a browser never adds it by itself): no Origin check.
  if (/^Bearer\s/i.test(req.headers.authorization ?? '')) return null;
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let originHost: string | null = null;
    try {
      const parsed = new URL(origin);
      if (parsed.protocol === 'http:' || parsed.protocol === 'https:') originHost = parsed.host;
    } catch {
      originHost = null;
    }
    if (originHost === null || originHost !== req.headers.host) {
      return 'Cross-origin requests are not allowed.';
    }
  }
  if (req.headers['sec-fetch-site'] === 'cross-site') return 'Cross-site requests are not allowed.';
  return null;
}

/** An error in exactly the shape tRPC's adapter gives (the router's errorFormatter applies). */
function sendTrpcError(
  req: IncomingMessage,
  res: ServerResponse,
  code: TRPCError['code'],
  message: string,
  path: string,
): void {
  const error = new TRPCError({ code, message });
  const shape = getTRPCErrorShape({
    config: appRouter._def._config,
    error,
    type: 'unknown',
    path: path || undefined,
    input: undefined,
    ctx: undefined,
  });
  res.statusCode = getHTTPStatusCodeFromError(error);
  res.setHeader('content-type', 'application/json');
  // The body was not read: close the connection rather than read (or mis-frame) what is left of it.
  res.setHeader('connection', 'close');
  res.end(JSON.stringify({ error: shape }));
  req.resume();
}

async function health(req: IncomingMessage, res: ServerResponse, db: Database): Promise<void> {
  res.setHeader('content-type', 'application/json');
  res.setHeader('cache-control', 'no-store');
  try {
    await db.query('SELECT 1');
    res.statusCode = 200;
    res.end(req.method === 'HEAD' ? undefined : JSON.stringify({ ok: true, db: db.kind }));
  } catch {
    res.statusCode = 503;
    res.end(req.method === 'HEAD' ? undefined : JSON.stringify({ ok: false, db: db.kind }));
  }
}

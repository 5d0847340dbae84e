import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  appRouter,
  type ContextFactory,
  createContextFactory,
  isConnectionError,
  liveHubOf,
  RETRY_AFTER_SECONDS,
  type RuntimeLoop,
  type SendMail,
  startRuntimeLoop,
} from '@stepwise/api';
import type { Database } from '@stepwise/db';
import { apiDocsHandler, isApiDocsPath } from './apiDocs.ts';
import { clientAddressOf, type TrustedProxies } from './clientAddress.ts';
import { dynamicCompression } from './compression.ts';
import { errorsOnlyLogger, type Logger } from './logger.ts';
import { logSender } from './mailer.ts';
import { serveStatic } from './staticFiles.ts';
import { headersOf, trpcHandler } from './trpcHttp.ts';

export const DEFAULT_WEB_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../dist/web');

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
  /**
   * The runtime loop starts once this settles (default: at once). The demo's history moves tickets on
   * its own clock, in the past: the loop, on the real clock, would fire their timers early.
   */
  holdLoopUntil?: Promise<unknown>;
  logger?: Logger;
  /** The keep-alive comment interval of live streams (default 20 s; tests shorten it). */
  ssePingMs?: number;
  /**
   * The address people reach this app at (`PUBLIC_URL`, already checked): links sent out of the app are
   * built on it. Default `http://localhost:<the port it listens on>`.
   */
  publicUrl?: string;
  /** Sends the outgoing mail (SMTP, see mailer.ts); default: each message goes to the log with its link. */
  sendMail?: SendMail;
  /**
   * The proxies whose `X-Forwarded-For` names the client (`TRUSTED_PROXY`, already checked); default none:
   * the socket's peer is the client.
   */
  trustedProxy?: TrustedProxies | null;
  /** Channel URLs may be http:// to this machine (`STEPWISE_ALLOW_LOCAL_URLS`; development and tests). */
  allowLocalUrls?: boolean;
};

export type RunningServer = {
  url: string;
  port: number;
  /** The address links sent out of the app start with (no trailing slash). */
  publicUrl: string;
  close(): Promise<void>;
};

/**
 * The HTTP host: tRPC at /trpc (batching on, 1 MiB bodies, CSRF-checked mutations, answers of 1 KiB and
 * more compressed), /healthz, the API's OpenAPI document and docs page (/api/openapi.json, /api/docs),
 * and the built web app (precompressed files, a client-side-routing fallback). Also starts the runtime
 * loop unless told not to.
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { db } = options;
  const now = options.now ?? (() => new Date());
  const logger = options.logger ?? errorsOnlyLogger;
  const webDir = options.webDir ?? DEFAULT_WEB_DIR;
  // Known once the server listens (its port); requests arrive only after that.
  let publicUrl = options.publicUrl ?? '';
  const createContext = createContextFactory({
    db,
    now,
    publicUrl: () => publicUrl,
    allowLocalUrls: options.allowLocalUrls ?? false,
  });
  const trpc = trpcHandler({
    ssePingMs: options.ssePingMs,
    router: appRouter,
    createContext: (req, res) => contextOf(createContext, req, res, options.trustedProxy ?? null),
    onError: ({ error, path }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR')
        logger.error('trpc.error', { path, error: error.cause ?? error });
    },
  });

  const apiDocs = apiDocsHandler({ publicUrl: () => publicUrl });
  const compress = dynamicCompression();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    for (const [name, value] of SECURITY_HEADERS) res.setHeader(name, value);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const { pathname } = url;

    if (pathname === '/healthz') return health(req, res, db);

    if (isApiDocsPath(pathname)) return apiDocs(req, res, pathname);

    if (pathname === '/trpc' || pathname.startsWith('/trpc/')) {
      compress(req, res);
      return trpc(req, res, url);
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
  publicUrl = (options.publicUrl ?? `http://localhost:${port}`).replace(/\/+$/, '');
  const background = options.timers !== false;
  const intervalMs = options.pollMs ?? 1000;
  // One LISTEN per process: live subscriptions fan out from it, and a committed move wakes the loop.
  const hub = liveHubOf(db);
  await hub.start();
  // The LISTEN connection is back after the database was lost: said once per outage.
  const offDbBack = hub.onReconnect(() => {
    logger.info('db.reachable', { wasReported: dbDown });
    dbDown = false;
  });
  let loop: RuntimeLoop | null = null;
  let dbDown = false;
  let offLoop = () => {};
  let closing: Promise<void> | null = null;
  const startLoop = () => {
    if (!background || closing) return;
    const started = startRuntimeLoop(db, {
      now,
      intervalMs,
      publicUrl,
      sendMail: options.sendMail ?? logSender(logger),
      onError: (error, step) => {
        // While the database is down every round fails the same way: said once, until a round succeeds.
        if (isConnectionError(error)) {
          if (!dbDown) logger.error('db.unreachable', { step, error });
          dbDown = true;
          return;
        }
        logger.error(`${step}.error`, { error });
      },
    });
    loop = started;
    const offChange = hub.onAny(() => started.nudge());
    // Back after an outage: work noted while the database was down is picked up at once.
    const offReconnect = hub.onReconnect(() => started.nudge());
    offLoop = () => {
      offChange();
      offReconnect();
    };
  };
  if (options.holdLoopUntil) void options.holdLoopUntil.then(startLoop, startLoop);
  else startLoop();

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    port,
    publicUrl,
    close() {
      closing ??= (async () => {
        offLoop();
        offDbBack();
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

function contextOf(
  createContext: ContextFactory,
  req: IncomingMessage,
  res: ServerResponse,
  trustedProxy: TrustedProxies | null,
) {
  return createContext({
    headers: headersOf(req),
    setCookie: (cookie) => res.appendHeader('set-cookie', cookie),
    clientIp: clientAddressOf(req, trustedProxy),
  });
}

async function health(req: IncomingMessage, res: ServerResponse, db: Database): Promise<void> {
  res.setHeader('content-type', 'application/json');
  res.setHeader('cache-control', 'no-store');
  try {
    await db.query('SELECT 1');
    res.statusCode = 200;
    res.end(req.method === 'HEAD' ? undefined : JSON.stringify({ ok: true, db: db.kind }));
  } catch (error) {
    // Unreachable (restarting, failing over): a load balancer should try again shortly.
    res.statusCode = 503;
    res.setHeader('retry-after', String(RETRY_AFTER_SECONDS));
    const reason = isConnectionError(error) ? 'unreachable' : 'failing';
    res.end(req.method === 'HEAD' ? undefined : JSON.stringify({ ok: false, db: db.kind, reason }));
  }
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { retryAfterOf } from '@stepwise/api';
import { type AnyTRPCRouter, TRPCError } from '@trpc/server';
import { nodeHTTPRequestHandler } from '@trpc/server/adapters/node-http';
import { type TrpcEndpoint, unbatchedMutations, writeTrpcError } from './trpcFastPath.ts';

/** A request body is at most 1 MiB (the product's input bounds; larger bodies get 413). */
export const MAX_BODY_BYTES = 1024 * 1024;
/** At most this many calls in one batched request. */
export const MAX_BATCH_SIZE = 50;
/**
 * A live stream that carries no event for this long gets a comment line: proxies and load balancers
 * commonly cut a connection idle for 30–60 s, and a comment is ignored by every event-stream reader.
 */
export const SSE_PING_MS = 20_000;

/**
 * `/trpc/…`: every call passes the same gate — no caching, CSRF-checked mutations, the body limit on the
 * declared length — then an unbatched mutation is served by the lean adapter (`trpcFastPath.ts`) and
 * everything else (batches, queries, live subscriptions) by tRPC's standard Node adapter. Both get the
 * same router, context factory, body limit and error log.
 */
export function trpcHandler<TRouter extends AnyTRPCRouter>(
  endpoint: Omit<TrpcEndpoint<TRouter>, 'maxBodySize'> & {
    /** The keep-alive interval of live streams (default `SSE_PING_MS`). */
    ssePingMs?: number;
  },
) {
  const { ssePingMs = SSE_PING_MS, ...rest } = endpoint;
  const shared: TrpcEndpoint<TRouter> = { ...rest, maxBodySize: MAX_BODY_BYTES };
  const fast = unbatchedMutations(shared);
  return (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    res.setHeader('cache-control', 'no-store');
    const path = url.pathname.slice('/trpc/'.length);
    // One header cannot key several calls: in a batch, each input carries its own `idempotencyKey`.
    if (url.searchParams.get('batch') === '1' && req.headers['idempotency-key'] !== undefined) {
      const error = new TRPCError({
        code: 'BAD_REQUEST',
        message:
          'An Idempotency-Key header keys one call: send it with an unbatched call, or put idempotencyKey in each input of the batch.',
      });
      writeTrpcError(res, shared.router, { error, type: 'unknown', path: path || undefined }, true);
      return Promise.resolve();
    }
    if (req.method === 'POST') {
      const refusal = csrfRefusal(req) ?? lengthRefusal(req, shared.maxBodySize);
      if (refusal) {
        writeTrpcError(
          res,
          shared.router,
          { error: refusal, type: 'unknown', path: path || undefined },
          true,
        );
        return Promise.resolve();
      }
      if (fast.accepts(req, url, path)) return fast.serve(req, res, path);
    }
    if (req.method === 'GET' && (req.headers.accept ?? '').includes('text/event-stream'))
      keepAlive(res, ssePingMs);
    return nodeHTTPRequestHandler<TRouter, IncomingMessage, ServerResponse>({
      router: shared.router,
      req,
      res,
      path,
      allowBatching: true,
      maxBatchSize: MAX_BATCH_SIZE,
      maxBodySize: shared.maxBodySize,
      createContext: ({ req: request, res: response }) => shared.createContext(request, response),
      onError: ({ error, path: procedurePath }) => shared.onError({ error, path: procedurePath ?? path }),
      responseMeta: ({ errors }) => retryAfterHeader(errors),
    });
  };
}

/**
 * `Retry-After` (seconds) when a call was refused with TOO_MANY_REQUESTS (the longest wait of the
 * request's calls) or the database is unreachable (SERVICE_UNAVAILABLE, 503).
 */
function retryAfterHeader(errors: readonly TRPCError[]): { headers?: Record<string, string> } {
  const seconds = errors.map(retryAfterOf).filter((s): s is number => s !== undefined);
  return seconds.length > 0 ? { headers: { 'retry-after': String(Math.max(...seconds)) } } : {};
}

/**
 * Writes a comment line (`: ping`) on an event stream every `intervalMs` while it is open. tRPC writes
 * each line of an event whole, so a comment never lands inside a line; a comment line between the
 * lines of an event is ignored by the reader, and no blank line is sent (which would end an event).
 */
function keepAlive(res: ServerResponse, intervalMs: number): void {
  const timer = setInterval(() => {
    if (res.writableEnded || res.destroyed) return;
    if (!res.headersSent || !String(res.getHeader('content-type') ?? '').startsWith('text/event-stream'))
      return;
    res.write(': ping\n');
  }, intervalMs);
  timer.unref();
  res.once('close', () => clearInterval(timer));
}

/** A declared body over the limit is refused before a byte of it is read. */
function lengthRefusal(req: IncomingMessage, maxBodySize: number): TRPCError | null {
  const length = Number(req.headers['content-length'] ?? 0);
  return length > maxBodySize
    ? new TRPCError({ code: 'PAYLOAD_TOO_LARGE', message: 'The request body is larger than 1 MiB.' })
    : null;
}

/**
 * CSRF: a browser can send a cross-site POST only as a "simple" request (form or text/plain body), so
 * requiring `application/json` forces a CORS preflight we never grant. An Origin, when sent, must be
 * this host; a browser's cross-site fetch metadata is refused outright. Requests with an API token
 * (`Authorization: Bearer`) still need JSON but skip the Origin checks.
 */
export function csrfRefusal(req: IncomingMessage): TRPCError | null {
  const refuse = (message: string) => new TRPCError({ code: 'FORBIDDEN', message });
  const mediaType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    return refuse('Requests that change data must be sent as application/json.');
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
      return refuse('Cross-origin requests are not allowed.');
    }
  }
  if (req.headers['sec-fetch-site'] === 'cross-site') return refuse('Cross-site requests are not allowed.');
  return null;
}

/** Node's header bag as a fetch `Headers` (what the context factory reads). */
export function headersOf(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const name in req.headers) {
    // HTTP/2 pseudo-headers are not headers.
    if (name.startsWith(':')) continue;
    const value = req.headers[name];
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.append(name, value);
  }
  return headers;
}

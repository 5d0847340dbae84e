import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  callTRPCProcedure,
  getTRPCErrorFromUnknown,
  getTRPCErrorShape,
  TRPCError,
  transformTRPCResponse,
} from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { ContextFactory, RequestContext } from '../createContext.ts';
import { appRouter } from '../router.ts';

const PATH = 'tickets.complete';
/** A request body is at most 1 MiB (the product's input bounds). */
const MAX_BODY_BYTES = 1024 * 1024;

export type FastCompleteOptions = {
  /** Told about every error (the server logs the INTERNAL_SERVER_ERROR ones), like the adapter's onError. */
  onError?: (info: { error: TRPCError; path: string }) => void;
};

/**
 * `POST /trpc/tickets.complete` (unbatched), without the fetch-API conversion of tRPC's Node adapter:
 * the body is read into a string, the context built from the request headers, and the SAME router
 * procedure called (`tickets.complete`: same access check, same zod input, same errors). The response
 * is byte-for-byte what the standard adapter sends: `{"result":{"data":…}}`, or `{"error":…}` shaped by
 * the router's errorFormatter with the adapter's HTTP status. A body that is not JSON fails inside the
 * procedure's input step, as it does in the adapter (after the access check).
 *
 * The server routes here only JSON POSTs that passed its CSRF and size checks.
 */
export async function handleCompleteStep(
  req: IncomingMessage,
  res: ServerResponse,
  createContext: ContextFactory,
  options: FastCompleteOptions = {},
): Promise<void> {
  let ctx: RequestContext | undefined;
  let body: string | null = null;
  try {
    body = await readBody(req);
    ctx = await createContext({
      headers: headersOf(req),
      setCookie: (cookie) => res.appendHeader('set-cookie', cookie),
      clientIp: req.socket.remoteAddress ?? 'unknown',
    });
    const text = body;
    const data: unknown = await callTRPCProcedure({
      router: appRouter,
      path: PATH,
      type: 'mutation',
      ctx,
      signal: undefined,
      batchIndex: 0,
      getRawInput: async () => {
        try {
          return JSON.parse(text) as unknown;
        } catch (cause) {
          // What the adapter's input reader throws for a body that is not JSON.
          throw new TRPCError({
            code: 'BAD_REQUEST',
            message: cause instanceof Error ? cause.message : 'Invalid input',
            cause,
          });
        }
      },
    });
    send(res, 200, JSON.stringify(transformTRPCResponse(appRouter._def._config, { result: { data } })));
  } catch (cause) {
    const error = getTRPCErrorFromUnknown(cause);
    options.onError?.({ error, path: PATH });
    const shape = getTRPCErrorShape({
      config: appRouter._def._config,
      error,
      type: 'mutation',
      path: PATH,
      input: parsedOrUndefined(body),
      ctx,
    });
    const status =
      typeof shape.data === 'object' &&
      shape.data !== null &&
      'httpStatus' in shape.data &&
      typeof shape.data.httpStatus === 'number'
        ? shape.data.httpStatus
        : getHTTPStatusCodeFromError(error);
    send(res, status, JSON.stringify(transformTRPCResponse(appRouter._def._config, { error: shape })));
  }
}

function parsedOrUndefined(body: string | null): unknown {
  if (body === null) return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, body: string): void {
  res.statusCode = status;
  res.setHeader('vary', 'trpc-accept, accept');
  res.setHeader('content-type', 'application/json');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}

/** Reads the request body as UTF-8, refusing more than 1 MiB (PAYLOAD_TOO_LARGE, as the adapter does). */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.off('data', onData);
        req.off('end', onEnd);
        req.resume();
        reject(new TRPCError({ code: 'PAYLOAD_TOO_LARGE' }));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () =>
      resolve(
        chunks.length === 1 ? (chunks[0]?.toString('utf8') ?? '') : Buffer.concat(chunks).toString('utf8'),
      );
    req.on('data', onData);
    req.on('end', onEnd);
    req.once('error', reject);
  });
}

/** The request's headers as a fetch `Headers` (what the context factory reads). */
function headersOf(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const name in req.headers) {
    if (name.startsWith(':')) continue;
    const value = req.headers[name];
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.append(name, value);
  }
  return headers;
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type AnyTRPCProcedure,
  type AnyTRPCRouter,
  callTRPCProcedure,
  getTRPCErrorFromUnknown,
  getTRPCErrorShape,
  type inferRouterContext,
  TRPCError,
  type TRPCProcedureType,
  transformTRPCResponse,
} from '@trpc/server';
import { getHTTPStatusCode } from '@trpc/server/http';
import { retryAfterOf } from '@stepwise/api';

export type TrpcErrorInfo = { error: TRPCError; path: string | undefined };

/** What both ways of serving a procedure share: the router, its context, the body limit, the error log. */
export type TrpcEndpoint<TRouter extends AnyTRPCRouter> = {
  router: TRouter;
  createContext: (req: IncomingMessage, res: ServerResponse) => Promise<inferRouterContext<TRouter>>;
  /** Bytes; a larger body is refused with PAYLOAD_TOO_LARGE. */
  maxBodySize: number;
  onError: (info: TrpcErrorInfo) => void;
};

/**
 * tRPC's unbatched mutation call (`POST /trpc/<path>` with a JSON body), served without the fetch-API
 * conversion of the standard Node adapter: the same router procedure through tRPC's public server API,
 * in the adapter's order (the context, then the procedure — its access check runs before the body is
 * read — then the input), answered with the bytes the adapter would send: `{"result":{"data":…}}`, or
 * `{"error":…}` shaped by the router's errorFormatter with the adapter's HTTP status. Everything else (a
 * batch, a query, a subscription, a streaming accept header, an unknown path) is the adapter's.
 */
export function unbatchedMutations<TRouter extends AnyTRPCRouter>(endpoint: TrpcEndpoint<TRouter>) {
  const { router } = endpoint;
  const procedures: Record<string, AnyTRPCProcedure> = router._def.procedures;
  const mutationPaths = new Set(
    Object.entries(procedures)
      .filter(([, procedure]) => procedure._def.type === 'mutation')
      .map(([path]) => path),
  );

  return {
    /** This request is an unbatched call of a mutation (the caller already knows it is a JSON POST). */
    accepts(req: IncomingMessage, url: URL, path: string): boolean {
      return (
        mutationPaths.has(path) &&
        url.searchParams.get('batch') !== '1' &&
        req.headers['trpc-accept'] === undefined &&
        !(req.headers.accept ?? '').includes('application/jsonl')
      );
    },

    async serve(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
      let ctx: inferRouterContext<TRouter> | undefined;
      let input: unknown;
      try {
        ctx = await endpoint.createContext(req, res);
        const data: unknown = await callTRPCProcedure({
          router,
          path,
          type: 'mutation',
          ctx,
          signal: undefined,
          batchIndex: 0,
          getRawInput: async () => {
            input = parseJson(await readBody(req, endpoint.maxBodySize));
            return input;
          },
        });
        writeJson(res, 200, transformTRPCResponse(router._def._config, { result: { data } }));
      } catch (cause) {
        const error = getTRPCErrorFromUnknown(cause);
        endpoint.onError({ error, path });
        const tooLarge = error.code === 'PAYLOAD_TOO_LARGE';
        writeTrpcError(res, router, { error, type: 'mutation', path, input, ctx }, tooLarge);
      }
    },
  };
}

export type TrpcErrorCall = {
  error: TRPCError;
  type: TRPCProcedureType | 'unknown';
  path?: string | undefined;
  input?: unknown;
  ctx?: unknown;
};

/**
 * An error in exactly the shape (and with the status) tRPC's adapter gives: the router's errorFormatter
 * applies, and a refusal that says when to come back (TOO_MANY_REQUESTS) says it in `Retry-After` too. `closeConnection`: the body was refused unread (too large, or not to be read at all), so the
 * connection closes rather than read, or mis-frame, the rest of it.
 */
export function writeTrpcError(
  res: ServerResponse,
  router: AnyTRPCRouter,
  call: TrpcErrorCall,
  closeConnection = false,
): void {
  const shape = getTRPCErrorShape({
    config: router._def._config,
    error: call.error,
    type: call.type,
    path: call.path,
    input: call.input,
    ctx: call.ctx,
  });
  if (closeConnection) res.setHeader('connection', 'close');
  const retryAfter = retryAfterOf(call.error);
  if (retryAfter !== undefined) res.setHeader('retry-after', String(retryAfter));
  writeJson(
    res,
    getHTTPStatusCode({ error: shape }),
    transformTRPCResponse(router._def._config, { error: shape }),
  );
}

function writeJson(res: ServerResponse, status: number, json: unknown): void {
  const body = JSON.stringify(json);
  res.statusCode = status;
  res.setHeader('vary', 'trpc-accept, accept');
  res.setHeader('content-type', 'application/json');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}

/** A body that is not JSON fails as the adapter's input reader fails it. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: cause instanceof Error ? cause.message : 'Invalid input',
      cause,
    });
  }
}

/** Reads the request body as UTF-8, refusing more than `limit` bytes (PAYLOAD_TOO_LARGE, as the adapter does). */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.pause();
        reject(new TRPCError({ code: 'PAYLOAD_TOO_LARGE' }));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(
        chunks.length === 1 ? (chunks[0]?.toString('utf8') ?? '') : Buffer.concat(chunks).toString('utf8'),
      );
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

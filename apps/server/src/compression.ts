import type { IncomingMessage, ServerResponse } from 'node:http';
import compression from 'compression';

export type Encoding = 'br' | 'gzip';

/**
 * The best encoding of `offered` (in our order of preference: brotli, then gzip) that the request's
 * `Accept-Encoding` allows, or null for the file as it is. `q=0` refuses an encoding; `*` stands for
 * every encoding not named.
 */
export function acceptedEncoding(
  acceptEncoding: string | string[] | undefined,
  offered: readonly Encoding[] = ['br', 'gzip'],
): Encoding | null {
  const header = Array.isArray(acceptEncoding) ? acceptEncoding.join(',') : (acceptEncoding ?? '');
  const weights = new Map<string, number>();
  for (const part of header.split(',')) {
    const [token = '', ...params] = part.trim().toLowerCase().split(';');
    if (!token) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    weights.set(token, Number.isFinite(weight) ? weight : 0);
  }
  const weightOf = (encoding: string) => weights.get(encoding) ?? weights.get('*') ?? 0;
  let best: Encoding | null = null;
  for (const encoding of offered) {
    if (weightOf(encoding) > 0 && (best === null || weightOf(encoding) > weightOf(best))) best = encoding;
  }
  return best;
}

/** Live streams stay uncompressed: a compressor holds bytes back, and an event must arrive when it is sent. */
function compressible(req: IncomingMessage, res: ServerResponse): boolean {
  const type = String(res.getHeader('content-type') ?? '');
  if (type.startsWith('text/event-stream')) return false;
  return compression.filter(req, res);
}

/**
 * Compresses the API's answers (JSON) with brotli (quality 4: fast enough per request) or gzip, as the
 * client accepts. An answer whose length is known when it starts (the lean mutation path) is compressed
 * from 1 KiB; a streamed one (tRPC's adapter: queries, batches) whatever its size. Live streams, and
 * clients that accept neither encoding, get the bytes as they are. Wraps the response before a handler
 * writes to it.
 */
export function dynamicCompression(): (req: IncomingMessage, res: ServerResponse) => void {
  const middleware = compression({ filter: compressible, threshold: 1024 });
  return (req, res) => {
    // The middleware only patches the response (its `next` is called synchronously, with no error).
    middleware(req, res, () => {});
  };
}

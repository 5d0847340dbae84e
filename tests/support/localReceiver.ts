import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a local receiver got: its path, headers, raw body and the status it answered. */
export type Received = { path: string; headers: IncomingHttpHeaders; body: string; status: number };

export type LocalReceiver = {
  /** `http://127.0.0.1:<port>`: tests point channels and endpoints at paths under it (never the internet). */
  url: string;
  received: Received[];
  /** The status of the next answers, in order (then 200): `[500]` fails the first request. */
  answer(statuses: number[]): void;
  close(): Promise<void>;
};

/**
 * A Slack- or webhook-style HTTP receiver on 127.0.0.1: records every POST and answers 200, or the
 * statuses queued with `answer` first.
 */
export async function localReceiver(): Promise<LocalReceiver> {
  const received: Received[] = [];
  const queued: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const status = queued.shift() ?? 200;
      received.push({
        path: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        status,
      });
      res.statusCode = status;
      res.end(status === 200 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    answer: (statuses) => queued.push(...statuses),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

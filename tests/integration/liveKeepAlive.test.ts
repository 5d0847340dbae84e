import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../apps/server/src/server.ts';
import { SSE_PING_MS } from '../../apps/server/src/trpcHttp.ts';
import { cookieFor, createRuntimeOrg, fakeClock, type RuntimeOrg } from '../support/runtimeFixture.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

describe.each(backends())('live streams stay open when idle (%s)', (backend) => {
  let db: TestDb;
  let org: RuntimeOrg;
  let server: RunningServer;
  const clock = fakeClock(new Date());

  beforeAll(async () => {
    db = await openTestDb(backend);
    org = await createRuntimeOrg(db, 'Quiet Ltd', clock.now());
    server = await startServer({ db, port: 0, now: clock.now, timers: false, ssePingMs: 150 });
  });
  afterAll(async () => {
    await server.close();
    await db.dispose();
  });

  it('given an idle queue stream, when nothing happens for a while, then comment pings arrive (ignored by readers) and the stream stays open', async () => {
    // given
    const cookie = await cookieFor(db, org.people.agent1, clock.now());
    const received: string[] = [];
    // when
    const text = await new Promise<string>((resolve, reject) => {
      const req = get(
        `${server.url}/trpc/live.queue?input=${encodeURIComponent('{}')}`,
        { headers: { cookie, accept: 'text/event-stream' } },
        (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            received.push(chunk);
            const all = received.join('');
            if ((all.match(/^: ping$/gm) ?? []).length >= 2) {
              req.destroy();
              resolve(all);
            }
          });
          res.on('end', () => reject(new Error(`the stream ended: ${received.join('')}`)));
        },
      );
      req.on('error', (error) => {
        if (!req.destroyed) reject(error);
      });
      setTimeout(() => reject(new Error(`no two pings in 3 s: ${received.join('')}`)), 3000).unref();
    });
    // then: the stream opened as usual, then pinged as a comment line (no blank line that would end an event)
    expect(text).toMatch(/^event: connected$/m);
    expect(text).not.toMatch(/event: ping/);
    expect(SSE_PING_MS).toBeGreaterThanOrEqual(15_000);
    expect(SSE_PING_MS).toBeLessThanOrEqual(25_000);
  });
});

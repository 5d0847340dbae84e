import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get, type IncomingHttpHeaders, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../apps/server/src/server.ts';
import { precompressDir } from '../../scripts/precompress.ts';
import {
  cookieFor,
  createRuntimeOrg,
  fakeClock,
  publishFlow,
  type RuntimeOrg,
  template,
} from '../support/runtimeFixture.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

type Raw = { status: number; headers: IncomingHttpHeaders; body: Buffer };

/** A GET whose body is returned as sent on the wire (node:http never decompresses). */
function rawGet(url: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** A JSON POST (a tRPC mutation), body returned as sent on the wire. */
function rawPost(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

function decoded(raw: Raw): string {
  const encoding = raw.headers['content-encoding'];
  if (encoding === 'br') return brotliDecompressSync(raw.body).toString('utf8');
  if (encoding === 'gzip') return gunzipSync(raw.body).toString('utf8');
  return raw.body.toString('utf8');
}

const APP_JS = `// the app\n${'export const words = ["step", "ticket", "flow", "outcome"];\n'.repeat(200)}`;
const TINY_JS = 'console.log(1)';

describe.each(backends())('compressed responses (%s)', (backend) => {
  let db: TestDb;
  let org: RuntimeOrg;
  let server: RunningServer;
  let webDir: string;
  let flowId: string;
  const clock = fakeClock(new Date());

  beforeAll(async () => {
    db = await openTestDb(backend);
    org = await createRuntimeOrg(db, 'Squeeze Ltd', clock.now());
    flowId = (await publishFlow(db, org, 'Refunds', template('refund-request'), 1)).flowId;
    webDir = mkdtempSync(join(tmpdir(), 'stepwise-web-'));
    mkdirSync(join(webDir, 'assets'));
    mkdirSync(join(webDir, '.vite'));
    writeFileSync(
      join(webDir, 'index.html'),
      `<!doctype html><title>Stepwise</title>${'<p>x</p>'.repeat(300)}`,
    );
    writeFileSync(join(webDir, 'assets', 'app-abc123.js'), APP_JS);
    writeFileSync(join(webDir, 'assets', 'tiny-abc123.js'), TINY_JS);
    writeFileSync(join(webDir, 'assets', 'logo-abc123.png'), Buffer.alloc(4096, 7));
    writeFileSync(join(webDir, '.vite', 'manifest.json'), '{"src/main.tsx":{"file":"assets/app-abc123.js"}}');
    precompressDir(webDir);
    server = await startServer({ db, port: 0, webDir, now: clock.now, timers: false, ssePingMs: 100 });
  });
  afterAll(async () => {
    await server.close();
    await db.dispose();
    rmSync(webDir, { recursive: true, force: true });
  });

  it('given a browser that accepts brotli, when it fetches a script, then it gets the precompressed brotli file, smaller, with the same content', async () => {
    // when
    const raw = await rawGet(`${server.url}/assets/app-abc123.js`, {
      'accept-encoding': 'gzip, deflate, br, zstd',
    });
    // then
    expect(raw.status).toBe(200);
    expect(raw.headers['content-encoding']).toBe('br');
    expect(raw.headers.vary).toMatch(/accept-encoding/i);
    expect(raw.headers['content-type']).toMatch(/^text\/javascript/);
    expect(Number(raw.headers['content-length'])).toBe(raw.body.length);
    expect(raw.body.length).toBeLessThan(APP_JS.length / 10);
    expect(decoded(raw)).toBe(APP_JS);
  });

  it('given a client that accepts only gzip, or nothing, or refuses both, then it gets gzip, or the file as it is', async () => {
    const gzip = await rawGet(`${server.url}/assets/app-abc123.js`, { 'accept-encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(decoded(gzip)).toBe(APP_JS);

    const plain = await rawGet(`${server.url}/assets/app-abc123.js`);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString('utf8')).toBe(APP_JS);

    const refused = await rawGet(`${server.url}/assets/app-abc123.js`, {
      'accept-encoding': 'br;q=0, gzip;q=0',
    });
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(refused.body.toString('utf8')).toBe(APP_JS);
  });

  it('given each encoding, then it has its own validator, and revalidating it answers 304', async () => {
    const br = await rawGet(`${server.url}/assets/app-abc123.js`, { 'accept-encoding': 'br' });
    const plain = await rawGet(`${server.url}/assets/app-abc123.js`);
    expect(br.headers.etag).not.toBe(plain.headers.etag);
    const again = await rawGet(`${server.url}/assets/app-abc123.js`, {
      'accept-encoding': 'br',
      'if-none-match': String(br.headers.etag),
    });
    expect(again.status).toBe(304);
    const other = await rawGet(`${server.url}/assets/app-abc123.js`, {
      'accept-encoding': 'gzip',
      'if-none-match': String(br.headers.etag),
    });
    expect(other.status).toBe(200);
    expect(other.headers['content-encoding']).toBe('gzip');
  });

  it('given a client-side route, then index.html comes compressed; a tiny file and an image come as they are', async () => {
    const page = await rawGet(`${server.url}/tickets/123`, { 'accept-encoding': 'br' });
    expect(page.headers['content-encoding']).toBe('br');
    expect(decoded(page)).toMatch(/^<!doctype html><title>Stepwise<\/title>/);

    const tiny = await rawGet(`${server.url}/assets/tiny-abc123.js`, { 'accept-encoding': 'br' });
    expect(tiny.headers['content-encoding']).toBeUndefined();
    expect(tiny.body.toString('utf8')).toBe(TINY_JS);

    const image = await rawGet(`${server.url}/assets/logo-abc123.png`, { 'accept-encoding': 'br' });
    expect(image.headers['content-encoding']).toBeUndefined();
    expect(image.body.length).toBe(4096);
  });

  it("given the build's own dot-folder, then it is not served", async () => {
    const manifest = await rawGet(`${server.url}/.vite/manifest.json`);
    expect(manifest.status).toBe(404);
  });

  it('given an API answer of 1 KiB and more, then it is compressed as the client accepts', async () => {
    // given
    const cookie = await cookieFor(db, org.people.manager, clock.now());
    const flowUrl = `${server.url}/trpc/flows.get?input=${encodeURIComponent(JSON.stringify({ flowId }))}`;
    // when
    const br = await rawGet(flowUrl, { cookie, 'accept-encoding': 'gzip, deflate, br' });
    const gzip = await rawGet(flowUrl, { cookie, 'accept-encoding': 'gzip' });
    const plain = await rawGet(flowUrl, { cookie });
    // then
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.length).toBeGreaterThan(1024);
    expect(br.body.length).toBeLessThan(plain.body.length / 2);
    const document = JSON.parse(decoded(br)) as { result: { data: { id: string; name: string } } };
    expect(document.result.data).toMatchObject({ id: flowId, name: 'Refunds' });
    expect(JSON.parse(decoded(gzip))).toEqual(JSON.parse(plain.body.toString('utf8')));
  });

  it('given a small answer of known length (a mutation), then it is sent as it is', async () => {
    // given
    const cookie = await cookieFor(db, org.people.agent1, clock.now());
    // when
    const answer = await rawPost(
      `${server.url}/trpc/auth.logout`,
      {},
      { cookie, 'accept-encoding': 'br, gzip' },
    );
    // then
    expect(answer.status).toBe(200);
    expect(answer.body.length).toBeLessThan(1024);
    expect(answer.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(answer.body.toString('utf8'))).toHaveProperty('result');
  });

  it('given a live stream opened by a browser that accepts brotli, then it is not compressed and its events arrive as sent', async () => {
    // given
    const cookie = await cookieFor(db, org.people.agent1, clock.now());
    const received: string[] = [];
    // when
    const { headers, text } = await new Promise<{ headers: IncomingHttpHeaders; text: string }>(
      (resolve, reject) => {
        const req = get(
          `${server.url}/trpc/live.queue?input=${encodeURIComponent('{}')}`,
          { headers: { cookie, accept: 'text/event-stream', 'accept-encoding': 'gzip, deflate, br' } },
          (res) => {
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => {
              received.push(chunk);
              const all = received.join('');
              if (/^event: connected$/m.test(all) && /^: ping$/m.test(all)) {
                req.destroy();
                resolve({ headers: res.headers, text: all });
              }
            });
          },
        );
        req.on('error', (error) => {
          if (!req.destroyed) reject(error);
        });
        setTimeout(() => reject(new Error(`no event in 3 s: ${received.join('')}`)), 3000).unref();
      },
    );
    // then
    expect(headers['content-type']).toMatch(/^text\/event-stream/);
    expect(headers['content-encoding']).toBeUndefined();
    expect(text).toMatch(/^event: connected$/m);
  });
});

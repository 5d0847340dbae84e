import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../apps/server/src/server.ts';
import { PASSWORD } from '../support/apiSession.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

type Reply = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

/** A raw HTTP exchange (node:http: full control over headers such as Origin and framing). */
function send(
  base: string,
  path: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    chunked?: boolean;
  } = {},
): Promise<Reply> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    // The server may answer (413, 403) and close before the whole body is sent: that is the point.
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    if (options.body !== undefined && options.chunked) {
      const body = Buffer.from(options.body);
      for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.subarray(i, i + 64 * 1024));
      req.end();
    } else {
      req.end(options.body);
    }
  });
}

const json = (extra: Record<string, string> = {}) => ({ 'content-type': 'application/json', ...extra });

describe.each(backends())('server over HTTP (%s)', (backend) => {
  let db: TestDb;
  let server: RunningServer;
  let webDir: string;
  let counter = 0;
  const email = () => `http-${counter++}-${Math.random().toString(36).slice(2, 8)}@example.test`;
  const signUpBody = (address: string) =>
    JSON.stringify({ orgName: 'HTTP Org', name: 'Hattie', email: address, password: PASSWORD });
  const accountExists = async (address: string) =>
    (await db.query('SELECT 1 FROM users WHERE email = $1', [address])).length > 0;

  beforeAll(async () => {
    db = await openTestDb(backend);
    webDir = mkdtempSync(join(tmpdir(), 'stepwise-web-'));
    mkdirSync(join(webDir, 'assets'));
    writeFileSync(
      join(webDir, 'index.html'),
      '<!doctype html><title>Stepwise app</title><div id="root"></div>',
    );
    writeFileSync(join(webDir, 'assets', 'index-abc123.js'), 'console.log("app")');
    writeFileSync(join(webDir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    server = await startServer({ db, port: 0, webDir, timers: false });
  });
  afterAll(async () => {
    await server?.close();
    await db.dispose();
    rmSync(webDir, { recursive: true, force: true });
  });

  it('given a visitor, when they sign up over HTTP, then a session cookie is set and works for batched queries', async () => {
    // given
    const address = email();
    // when
    const signUp = await send(server.url, '/trpc/auth.signUp', {
      method: 'POST',
      headers: json(),
      body: signUpBody(address),
    });
    // then
    expect(signUp.status).toBe(200);
    expect(JSON.parse(signUp.body)).toMatchObject({
      result: { data: { role: 'admin', user: { email: address } } },
    });
    const setCookie = signUp.headers['set-cookie'] ?? [];
    expect(setCookie).toHaveLength(1);
    expect(setCookie[0]).toMatch(
      /^sw_session=[A-Za-z0-9_-]{43}; Max-Age=1209600; HttpOnly; SameSite=Lax; Path=\/$/,
    );
    const cookie = (setCookie[0] ?? '').split(';')[0] ?? '';
    const batch = await send(
      server.url,
      `/trpc/auth.me,flows.list?batch=1&input=${encodeURIComponent('{}')}`,
      {
        headers: { cookie },
      },
    );
    expect(batch.status).toBe(200);
    expect(JSON.parse(batch.body)).toEqual([
      { result: { data: expect.objectContaining({ user: expect.objectContaining({ email: address }) }) } },
      { result: { data: [] } },
    ]);
    const anonymous = await send(server.url, '/trpc/flows.list');
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.body)).toMatchObject({ error: { data: { code: 'UNAUTHORIZED' } } });
  });

  it('given a mutation as text/plain, a form, or from a foreign origin, when sent, then 403 and nothing is written', async () => {
    // given
    const attempts: Array<[string, Record<string, string>]> = [
      ['text/plain', { 'content-type': 'text/plain' }],
      ['form', { 'content-type': 'application/x-www-form-urlencoded' }],
      ['multipart', { 'content-type': 'multipart/form-data; boundary=x' }],
      ['no content type', {}],
      ['foreign origin', json({ origin: 'https://evil.example' })],
      ['null origin', json({ origin: 'null' })],
      ['cross-site fetch', json({ 'sec-fetch-site': 'cross-site' })],
    ];
    for (const [label, headers] of attempts) {
      const address = email();
      // when
      const reply = await send(server.url, '/trpc/auth.signUp', {
        method: 'POST',
        headers,
        body: signUpBody(address),
      });
      // then
      expect({ label, status: reply.status }).toEqual({ label, status: 403 });
      expect(JSON.parse(reply.body)).toMatchObject({
        error: { data: { code: 'FORBIDDEN', httpStatus: 403 } },
      });
      expect(reply.headers['set-cookie']).toBeUndefined();
      expect(await accountExists(address)).toBe(false);
    }
    // and the same request from this very origin goes through
    const address = email();
    const host = new URL(server.url).host;
    const same = await send(server.url, '/trpc/auth.signUp', {
      method: 'POST',
      headers: json({ origin: `http://${host}`, 'sec-fetch-site': 'same-origin' }),
      body: signUpBody(address),
    });
    expect(same.status).toBe(200);
    expect(await accountExists(address)).toBe(true);
  });

  it('given a 2 MiB body, when posted with or without a length, then 413 PAYLOAD_TOO_LARGE and nothing is written', async () => {
    for (const chunked of [false, true]) {
      // given
      const address = email();
      const body = JSON.stringify({
        orgName: 'x'.repeat(2 * 1024 * 1024),
        name: 'Big',
        email: address,
        password: PASSWORD,
      });
      // when
      const reply = await send(server.url, '/trpc/auth.signUp', {
        method: 'POST',
        headers: json(),
        body,
        chunked,
      });
      // then
      expect({ chunked, status: reply.status }).toEqual({ chunked, status: 413 });
      expect(JSON.parse(reply.body)).toMatchObject({
        error: { data: { code: 'PAYLOAD_TOO_LARGE', httpStatus: 413 } },
      });
      expect(await accountExists(address)).toBe(false);
    }
    // and the server still answers
    expect((await send(server.url, '/healthz')).status).toBe(200);
  });

  it('given the hot path, when tickets.complete is posted as a form or without a session, then it is refused', async () => {
    const form = await send(server.url, '/trpc/tickets.complete', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'ticketId=x',
    });
    expect(form.status).toBe(403);
    const anonymous = await send(server.url, '/trpc/tickets.complete', {
      method: 'POST',
      headers: json(),
      body: '{}',
    });
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.body)).toMatchObject({ error: { data: { code: 'UNAUTHORIZED' } } });
  });

  it('given a running server, when /healthz is asked, then it reports ok and the database kind', async () => {
    const reply = await send(server.url, '/healthz');
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ ok: true, db: backend });
  });

  it('given a built web app, when pages and assets are asked, then files, types, caching and the SPA fallback are right', async () => {
    // when
    const root = await send(server.url, '/');
    const deep = await send(server.url, '/flows/123?version=2');
    const asset = await send(server.url, '/assets/index-abc123.js');
    const icon = await send(server.url, '/favicon.svg');
    const missingAsset = await send(server.url, '/assets/missing.js');
    const traversal = await send(server.url, '/..%2f..%2f..%2fpackage.json');
    const put = await send(server.url, '/', { method: 'PUT', body: 'x' });
    // then
    for (const page of [root, deep]) {
      expect(page.status).toBe(200);
      expect(page.body).toContain('Stepwise app');
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.headers['cache-control']).toBe('no-cache');
    }
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(icon.headers['content-type']).toBe('image/svg+xml');
    expect(missingAsset.status).toBe(404);
    expect(traversal.status).toBe(404);
    expect(traversal.body).not.toContain('"workspaces"');
    expect(put.status).toBe(405);
    expect(root.headers['x-content-type-options']).toBe('nosniff');
    expect(root.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    expect(root.headers['content-security-policy']).toContain("default-src 'self'");
    expect(root.headers['content-security-policy']).toContain("style-src 'self' 'unsafe-inline'");
    expect(root.headers['content-security-policy']).not.toContain("script-src 'self' 'unsafe-inline'");
    // and a repeat visit with the validator is answered 304
    const again = await send(server.url, '/assets/index-abc123.js', {
      headers: { 'if-none-match': String(asset.headers.etag) },
    });
    expect(again.status).toBe(304);
  });

  it('given no built web app, when a page is asked, then a plain page says to run npm run build', async () => {
    // given
    const bare = await startServer({ db, port: 0, webDir: join(webDir, 'does-not-exist'), timers: false });
    try {
      // when
      const page = await send(bare.url, '/queue');
      // then
      expect(page.status).toBe(503);
      expect(page.body).toContain('npm run build');
      expect((await send(bare.url, '/healthz')).status).toBe(200);
    } finally {
      await bare.close();
    }
  });

  it('given a server running its runtime loop, when closed, then it stops listening', async () => {
    // given
    const other = await startServer({ db, port: 0, webDir });
    expect((await send(other.url, '/healthz')).status).toBe(200);
    // when
    await other.close();
    // then
    await expect(send(other.url, '/healthz')).rejects.toThrow(/ECONNREFUSED/);
  });
});

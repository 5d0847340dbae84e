import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppRouter, appRouter, createContextFactory } from '@stepwise/api';
import type { Database } from '@stepwise/db';
import { nodeHTTPRequestHandler } from '@trpc/server/adapters/node-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../apps/server/src/server.ts';
import { headersOf, MAX_BATCH_SIZE, MAX_BODY_BYTES } from '../../apps/server/src/trpcHttp.ts';
import type { TicketDetail } from '../../packages/api/src/runtime/ticketView.ts';
import { PASSWORD } from '../support/apiSession.ts';
import { lastMailTo, linkIn, tokenOf } from '../support/outbox.ts';
import {
  apiAs,
  cookieFor,
  createRuntimeOrg,
  eventCount,
  type FakeClock,
  fakeClock,
  newKey,
  postJson,
  publishFlow,
  type RuntimeOrg,
  TRIAGE_CHECKLIST,
  template,
  ticketInput,
} from '../support/runtimeFixture.ts';
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

/**
 * The reference: tRPC's standard Node adapter alone (no gate in front), configured as the server
 * configures it, with the server's context.
 */
async function standardAdapter(
  db: Database,
  clock: FakeClock,
): Promise<{ url: string; close(): Promise<void> }> {
  const createContext = createContextFactory({ db, now: clock.now });
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void nodeHTTPRequestHandler<AppRouter, IncomingMessage, ServerResponse>({
      router: appRouter,
      req,
      res,
      path: new URL(req.url ?? '/', 'http://x').pathname.slice('/trpc/'.length),
      allowBatching: true,
      maxBatchSize: MAX_BATCH_SIZE,
      maxBodySize: MAX_BODY_BYTES,
      createContext: ({ req: request, res: response }) =>
        createContext({
          headers: headersOf(request),
          setCookie: (c) => response.appendHeader('set-cookie', c),
          clientIp: '127.0.0.1',
        }),
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe.each(backends())('server over HTTP (%s)', (backend) => {
  let db: TestDb;
  let server: RunningServer;
  let webDir: string;
  let counter = 0;
  const email = () => `http-${counter++}-${Math.random().toString(36).slice(2, 8)}@example.test`;
  const signUpBody = (address: string) =>
    JSON.stringify({ orgName: 'HTTP Org', name: 'Hattie', email: address, password: PASSWORD });
  /** Whether a sign-up of the address got as far as the database (a request, its mail or an account). */
  const signUpWritten = async (address: string) =>
    (
      await db.query(
        `SELECT 1 FROM users WHERE email = $1 UNION ALL SELECT 1 FROM sign_up_requests WHERE email = $1
         UNION ALL SELECT 1 FROM outgoing_mail WHERE to_address = $1`,
        [address],
      )
    ).length > 0;

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

  it('given a visitor, when they sign up over HTTP and confirm with the mailed link, then a session cookie is set only then and works for batched queries', async () => {
    // given
    const address = email();
    // when
    const signUp = await send(server.url, '/trpc/auth.signUp', {
      method: 'POST',
      headers: json(),
      body: signUpBody(address),
    });
    // then: "check your inbox", and no cookie yet
    expect(signUp.status).toBe(200);
    expect(JSON.parse(signUp.body)).toEqual({ result: { data: { next: 'check_inbox' } } });
    expect(signUp.headers['set-cookie']).toBeUndefined();
    const link = linkIn(await lastMailTo(db, address, 'sign_up.confirm'));
    expect(link.startsWith(`${server.publicUrl}/signup/confirm/`)).toBe(true);
    // when: the link is confirmed
    const confirm = await send(server.url, '/trpc/auth.confirmSignUp', {
      method: 'POST',
      headers: json(),
      body: JSON.stringify({ token: tokenOf(link) }),
    });
    expect(confirm.status).toBe(200);
    expect(JSON.parse(confirm.body)).toMatchObject({
      result: { data: { role: 'admin', user: { email: address } } },
    });
    const setCookie = confirm.headers['set-cookie'] ?? [];
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
      expect(await signUpWritten(address)).toBe(false);
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
    expect(await signUpWritten(address)).toBe(true);
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
      expect(await signUpWritten(address)).toBe(false);
    }
    // and the server still answers
    expect((await send(server.url, '/healthz')).status).toBe(200);
  });

  describe('the unbatched mutation path', () => {
    const clock = fakeClock();
    const agent = new Agent({ keepAlive: true });
    let org: RuntimeOrg;
    let app: RunningServer;
    let reference: { url: string; close(): Promise<void> };
    let cookies: { manager: string; outsider: string };

    beforeAll(async () => {
      org = await createRuntimeOrg(db, 'Adapter Ltd', clock.now());
      await publishFlow(db, org, 'Ticket resolution', template('ticket-resolution'), 20);
      app = await startServer({ db, port: 0, webDir, now: clock.now, timers: false });
      reference = await standardAdapter(db, clock);
      cookies = {
        manager: await cookieFor(db, org.people.manager, clock.now()),
        outsider: await cookieFor(db, org.people.outsider, clock.now()),
      };
    });
    afterAll(async () => {
      agent.destroy();
      await app?.close();
      await reference?.close();
    });

    const newTicket = () =>
      apiAs(db, org.people.manager, clock).tickets.create(
        ticketInput({ flowId: org.flows['Ticket resolution']?.flowId }),
      );
    const triage = (t: Pick<TicketDetail, 'ticket'>, overrides: Record<string, unknown> = {}) => ({
      ticketId: t.ticket.id,
      expectedSeq: t.ticket.seq,
      nodeId: 'triage',
      outcomeId: 'triaged',
      checklist: TRIAGE_CHECKLIST,
      form: { issue_type: 'Technical' },
      idempotencyKey: newKey(),
      ...overrides,
    });
    const withCookie = (cookie: string | null): Record<string, string> => (cookie ? { cookie } : {});
    /** The same unbatched call through the server and through the standard adapter alone. */
    const both = async (path: string, body: unknown, cookie: string | null) => ({
      served: await postJson(agent, app.url, path, body, withCookie(cookie)),
      standard: await postJson(agent, reference.url, path, body, withCookie(cookie)),
    });

    it('given a step completed in-process, when its request is retried unbatched, batched and through the standard adapter, then all three answer the first response', async () => {
      // given
      const t = await newTicket();
      const input = triage(t);
      const first = await apiAs(db, org.people.manager, clock).tickets.complete(input);
      // when
      const { served, standard } = await both('/trpc/tickets.complete', input, cookies.manager);
      const batched = await postJson(
        agent,
        app.url,
        '/trpc/tickets.complete?batch=1',
        { 0: input },
        {
          cookie: cookies.manager,
        },
      );
      // then
      expect([served.status, standard.status, batched.status]).toEqual([200, 200, 200]);
      expect(served.body).toBe(JSON.stringify({ result: { data: first } }));
      expect(standard.body).toBe(served.body);
      expect(batched.body).toBe(`[${served.body}]`);
      expect(served.headers['content-type']).toBe(standard.headers['content-type']);
      // The server compresses answers, so a cache must also key them on the accepted encodings.
      expect(served.headers.vary).toBe(`${standard.headers.vary}, Accept-Encoding`);
      expect(await eventCount(db, t.ticket.id)).toBe(2);
    });

    it('given a fresh step, when completed unbatched, then it moves once and answers only what changed, as the adapter replays it', async () => {
      // given
      const t = await newTicket();
      const input = triage(t);
      // when
      const response = await postJson(agent, app.url, '/trpc/tickets.complete', input, {
        cookie: cookies.manager,
      });
      // then
      expect(response.status).toBe(200);
      const data = (JSON.parse(response.body) as { result: { data: Record<string, unknown> } }).result.data;
      expect(Object.keys(data).sort()).toEqual(
        ['currentStep', 'events', 'messages', 'nextByOutcome', 'path', 'ticket'].sort(),
      );
      expect(data).toMatchObject({
        ticket: { id: t.ticket.id, seq: 2, nodeId: 'resolve_technical' },
        currentStep: { id: 'resolve_technical' },
        events: [{ seq: 2, type: 'step.completed', fromNode: 'triage', toNode: 'resolve_technical' }],
        path: ['route', 'resolve_technical'],
      });
      expect(await eventCount(db, t.ticket.id)).toBe(2);
      // and the same request through the standard adapter replays exactly that body
      const replay = await postJson(agent, reference.url, '/trpc/tickets.complete', input, {
        cookie: cookies.manager,
      });
      expect(replay.body).toBe(response.body);
    });

    it('given requests that fail, when sent unbatched to the server and to the standard adapter, then status and error bodies are byte-identical', async () => {
      // given
      const t = await newTicket();
      await apiAs(db, org.people.manager, clock).tickets.complete(triage(t));
      const keyed = triage(await newTicket());
      await apiAs(db, org.people.manager, clock).tickets.complete(keyed);
      const huge = triage(t, { form: { issue_type: 'x'.repeat(MAX_BODY_BYTES) } });
      const cases: Array<[string, string, unknown, string | null, number]> = [
        ['stale (CONFLICT with the fresh ticket)', 'tickets.complete', triage(t), cookies.manager, 409],
        ['another team (FORBIDDEN)', 'tickets.complete', triage(await newTicket()), cookies.outsider, 403],
        ['no session (UNAUTHORIZED)', 'tickets.complete', triage(t), null, 401],
        [
          'bad input (zod BAD_REQUEST)',
          'tickets.complete',
          triage(t, { idempotencyKey: 'short', expectedSeq: -1 }),
          cookies.manager,
          400,
        ],
        [
          'form refused (BAD_REQUEST with details)',
          'tickets.complete',
          triage(await newTicket(), { form: { issue_type: 'Weather' } }),
          cookies.manager,
          400,
        ],
        [
          'unknown ticket (NOT_FOUND)',
          'tickets.complete',
          triage(t, { ticketId: randomUUID() }),
          cookies.manager,
          404,
        ],
        [
          'key reused (UNPROCESSABLE_CONTENT)',
          'tickets.complete',
          { ...keyed, outcomeId: 'no_action' },
          cookies.manager,
          422,
        ],
        ['not JSON', 'tickets.complete', '{"ticketId": ', cookies.manager, 400],
        ['empty body', 'tickets.complete', '', cookies.manager, 400],
        ['a public mutation, bad input', 'auth.login', { email: 'nobody' }, null, 400],
        ['a query posted (left to the adapter)', 'flows.list', {}, cookies.manager, 405],
        ['no such procedure', 'tickets.nothing', {}, cookies.manager, 404],
      ];
      for (const [name, path, body, cookie, status] of cases) {
        // when
        const { served, standard } = await both(`/trpc/${path}`, body, cookie);
        // then
        expect({ name, status: standard.status }).toEqual({ name, status });
        expect({
          name,
          status: served.status,
          body: served.body,
          type: served.headers['content-type'],
        }).toEqual({
          name,
          status: standard.status,
          body: standard.body,
          type: standard.headers['content-type'],
        });
      }
      const conflict = JSON.parse(
        (await both('/trpc/tickets.complete', triage(t), cookies.manager)).served.body,
      );
      expect(conflict).toMatchObject({
        error: {
          data: { code: 'CONFLICT', path: 'tickets.complete', details: { fresh: { ticket: { seq: 2 } } } },
        },
      });
      // and a body over 1 MiB sent without a length is refused while it is read, the same on both
      for (const base of [app.url, reference.url]) {
        const reply = await send(base, '/trpc/tickets.complete', {
          method: 'POST',
          headers: json({ cookie: cookies.manager }),
          body: JSON.stringify(huge),
          chunked: true,
        });
        expect({ base: base === app.url ? 'served' : 'standard', status: reply.status }).toMatchObject({
          status: 413,
        });
        expect(JSON.parse(reply.body)).toMatchObject({
          error: { data: { code: 'PAYLOAD_TOO_LARGE', httpStatus: 413, path: 'tickets.complete' } },
        });
      }
      expect(await eventCount(db, t.ticket.id)).toBe(2);
    });

    it('given a mutation refused at the gate (a form, a foreign origin, a declared 2 MiB body), when sent unbatched or batched, then both get the same typed refusal', async () => {
      // given
      const t = await newTicket();
      const input = triage(t);
      const attempts: Array<[string, Record<string, string>, string, number]> = [
        ['a form', { 'content-type': 'application/x-www-form-urlencoded' }, 'ticketId=x', 403],
        ['a foreign origin', json({ origin: 'https://evil.example' }), JSON.stringify(input), 403],
        [
          'a declared 2 MiB body',
          json(),
          JSON.stringify({ ...input, form: { issue_type: 'x'.repeat(2 * MAX_BODY_BYTES) } }),
          413,
        ],
      ];
      for (const [label, headers, body, status] of attempts) {
        // when
        const [unbatched, batched] = await Promise.all(
          ['/trpc/tickets.complete', '/trpc/tickets.complete?batch=1'].map((path) =>
            send(app.url, path, { method: 'POST', headers: { ...headers, cookie: cookies.manager }, body }),
          ),
        );
        // then
        expect({ label, status: unbatched?.status }).toEqual({ label, status });
        expect({ label, body: batched?.body, status: batched?.status }).toEqual({
          label,
          body: unbatched?.body,
          status,
        });
        expect(JSON.parse(unbatched?.body ?? '')).toMatchObject({
          error: { data: { code: status === 403 ? 'FORBIDDEN' : 'PAYLOAD_TOO_LARGE', httpStatus: status } },
        });
      }
      expect(await eventCount(db, t.ticket.id)).toBe(1);
    });
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

  it('given a server told to hold its runtime loop, when a timer is due meanwhile, then it fires only once the hold is over', async () => {
    // given: a ticket that came in two hours ago, its one-hour triage SLA passed
    const past = fakeClock(new Date(Date.now() - 3 * 60 * 60 * 1000));
    const org = await createRuntimeOrg(db, 'Held Loop Org', past.now());
    await publishFlow(db, org, 'Ticket resolution', template('ticket-resolution'), 20);
    past.advance(60 * 60 * 1000);
    const ticket = await apiAs(db, org.people.manager, past).tickets.create(ticketInput());
    const breached = async () =>
      (
        await db.query<{ breached: boolean }>('SELECT breached FROM tickets WHERE id = $1::uuid', [
          ticket.ticket.id,
        ])
      )[0]?.breached;
    let release = () => {};
    // when
    const held = await startServer({
      db,
      port: 0,
      webDir,
      pollMs: 20,
      holdLoopUntil: new Promise<void>((done) => (release = done)),
    });
    try {
      await new Promise((wait) => setTimeout(wait, 300));
      // then: the server answers, the timer waits
      expect((await send(held.url, '/healthz')).status).toBe(200);
      expect(await breached()).toBe(false);
      release();
      const until = Date.now() + 5000;
      while (!(await breached()) && Date.now() < until) await new Promise((wait) => setTimeout(wait, 50));
      expect(await breached()).toBe(true);
    } finally {
      await held.close();
    }
  });
});

import { randomUUID } from 'node:crypto';
import { Agent, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AppRouter, appRouter, createContextFactory, handleCompleteStep } from '@stepwise/api';
import { nodeHTTPRequestHandler } from '@trpc/server/adapters/node-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poolQuery } from '../../packages/api/src/runtime/sql.ts';
import type { TicketDetail } from '../../packages/api/src/runtime/ticketView.ts';
import { VersionCache } from '../../packages/api/src/runtime/versionCache.ts';
import { checkInvariants } from '../support/invariants.ts';
import {
  apiAs,
  cookieFor,
  createRuntimeOrg,
  eventCount,
  fakeClock,
  loopDocument,
  newKey,
  postJson,
  publishFlow,
  type RuntimeOrg,
  TRIAGE_CHECKLIST,
  template,
  ticketInput,
} from '../support/runtimeFixture.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    handler(req, res).catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe.each(backends())('runtime (%s)', (backend) => {
  let db: TestDb;
  let org: RuntimeOrg;
  const clock = fakeClock();
  const agent = new Agent({ keepAlive: true });
  let standard: { server: Server; url: string };
  let fast: { server: Server; url: string };
  let cookies: { manager: string; outsider: string };

  beforeAll(async () => {
    db = await openTestDb(backend);
    org = await createRuntimeOrg(db, 'Fast Path Ltd', clock.now());
    await publishFlow(db, org, 'Loop', loopDocument(), 1);
    await publishFlow(db, org, 'Ticket resolution', template('ticket-resolution'), 20);
    const createContext = createContextFactory({ db, now: clock.now });
    const contextOf = (req: IncomingMessage, res: ServerResponse) =>
      createContext({
        headers: new Headers(req.headers.cookie ? { cookie: req.headers.cookie } : {}),
        setCookie: (c) => res.appendHeader('set-cookie', c),
        clientIp: '127.0.0.1',
      });
    // The standard tRPC Node adapter, as the server uses it for every other procedure…
    standard = await listen((req, res) =>
      nodeHTTPRequestHandler<AppRouter, IncomingMessage, ServerResponse>({
        router: appRouter,
        req,
        res,
        path: new URL(req.url ?? '/', 'http://x').pathname.slice('/trpc/'.length),
        createContext: ({ req: request, res: response }) => contextOf(request, response),
      }),
    );
    // …and the lean path for tickets.complete.
    fast = await listen((req, res) => handleCompleteStep(req, res, createContext));
    cookies = {
      manager: await cookieFor(db, org.people.manager, clock.now()),
      outsider: await cookieFor(db, org.people.outsider, clock.now()),
    };
  });
  afterAll(async () => {
    agent.destroy();
    await new Promise((r) => standard.server.close(r));
    await new Promise((r) => fast.server.close(r));
    await db.dispose();
  });

  const newTicket = (flow = 'Ticket resolution') =>
    apiAs(db, org.people.manager, clock).tickets.create(ticketInput({ flowId: org.flows[flow]?.flowId }));
  const triage = (t: TicketDetail, overrides: Record<string, unknown> = {}) => ({
    ticketId: t.ticket.id,
    expectedSeq: t.ticket.seq,
    nodeId: 'triage',
    outcomeId: 'triaged',
    checklist: TRIAGE_CHECKLIST,
    form: { issue_type: 'Technical' },
    idempotencyKey: newKey(),
    ...overrides,
  });
  /** The same request through both paths: status, content type and body must be identical. */
  const both = async (body: unknown, cookie: string | null) => {
    const headers: Record<string, string> = cookie ? { cookie } : {};
    const a = await postJson(agent, standard.url, '/trpc/tickets.complete', body, headers);
    const b = await postJson(agent, fast.url, '/trpc/tickets.complete', body, headers);
    return { standard: a, fast: b };
  };

  describe('fast path for tickets.complete', () => {
    it('given a completed step, when its request is retried through both paths, then both bodies are byte-identical to the first response', async () => {
      // given
      const t = await newTicket();
      const input = triage(t);
      const first = await apiAs(db, org.people.manager, clock).tickets.complete(input);
      // when
      const { standard: a, fast: b } = await both(input, cookies.manager);
      // then
      expect(a.status).toBe(200);
      expect(b.status).toBe(200);
      expect(b.headers['content-type']).toBe(a.headers['content-type']);
      expect(b.body).toBe(a.body);
      expect(a.body).toBe(JSON.stringify({ result: { data: first } }));
      expect(await eventCount(db, t.ticket.id)).toBe(2);
    });

    it('given a fresh step, when completed through the fast path, then it moves once and answers like the adapter', async () => {
      // given
      const t = await newTicket();
      const input = triage(t);
      // when
      const response = await postJson(agent, fast.url, '/trpc/tickets.complete', input, {
        cookie: cookies.manager,
      });
      // then
      expect(response.status).toBe(200);
      const data = (JSON.parse(response.body) as { result: { data: TicketDetail } }).result.data;
      expect(data.ticket).toMatchObject({ id: t.ticket.id, seq: 2, nodeId: 'resolve_technical' });
      expect(await eventCount(db, t.ticket.id)).toBe(2);
      // and the same request through the adapter now replays exactly that body
      const replay = await postJson(agent, standard.url, '/trpc/tickets.complete', input, {
        cookie: cookies.manager,
      });
      expect(replay.body).toBe(response.body);
    });

    it('given requests that fail, when sent through both paths, then status and error bodies are byte-identical', async () => {
      // given
      const t = await newTicket();
      const moved = await apiAs(db, org.people.manager, clock).tickets.complete(triage(t));
      const used = triage(t, {
        expectedSeq: moved.ticket.seq,
        nodeId: 'resolve_technical',
        outcomeId: 'resolved',
      });
      await apiAs(db, org.people.manager, clock)
        .tickets.complete({ ...used, idempotencyKey: newKey() })
        .catch(() => null);
      const cases: Array<[string, unknown, string | null, number]> = [
        ['stale (CONFLICT with fresh state)', triage(t), cookies.manager, 409],
        ['another team (FORBIDDEN)', triage(await newTicket()), cookies.outsider, 403],
        ['no session (UNAUTHORIZED)', triage(t), null, 401],
        [
          'bad input (zod BAD_REQUEST)',
          triage(t, { idempotencyKey: 'short', expectedSeq: -1 }),
          cookies.manager,
          400,
        ],
        [
          'form refused (BAD_REQUEST with details)',
          triage(await newTicket(), { form: { issue_type: 'Weather' } }),
          cookies.manager,
          400,
        ],
        ['unknown ticket (NOT_FOUND)', triage(t, { ticketId: randomUUID() }), cookies.manager, 404],
        ['not JSON', '{"ticketId": ', cookies.manager, 400],
        ['empty body', '', cookies.manager, 400],
      ];
      const keyed = triage(await newTicket());
      await apiAs(db, org.people.manager, clock).tickets.complete(keyed);
      cases.push([
        'key reused (UNPROCESSABLE_CONTENT)',
        { ...keyed, outcomeId: 'no_action' },
        cookies.manager,
        422,
      ]);
      for (const [name, body, cookie, status] of cases) {
        // when
        const { standard: a, fast: b } = await both(body, cookie);
        // then
        expect({ name, status: a.status }).toEqual({ name, status });
        expect({ name, status: b.status, body: b.body, type: b.headers['content-type'] }).toEqual({
          name,
          status: a.status,
          body: a.body,
          type: a.headers['content-type'],
        });
        expect(JSON.parse(a.body)).toMatchObject({
          error: { data: { path: 'tickets.complete', httpStatus: status } },
        });
      }
    });
  });

  describe('version cache', () => {
    it('given versions of two organizations, when read through a small cache, then the org is checked on every hit and the oldest entry goes first', async () => {
      // given
      const cache = new VersionCache(2);
      const query = poolQuery(db);
      const loop = org.flows.Loop?.versionId ?? '';
      const resolution = org.flows['Ticket resolution']?.versionId ?? '';
      const other = await createRuntimeOrg(db, 'Other Org', clock.now());
      const foreign = (await publishFlow(db, other, 'Loop', loopDocument(), 1)).versionId;
      // when / then
      expect((await cache.get(query, org.orgId, loop))?.number).toBe(1);
      expect(await cache.get(query, org.orgId, foreign)).toBeNull();
      expect(await cache.get(query, other.orgId, loop)).toBeNull();
      expect(cache.size).toBe(2);
      expect((await cache.get(query, org.orgId, resolution))?.document.nodes.length).toBeGreaterThan(5);
      expect(cache.size).toBe(2);
      expect(await cache.get(query, org.orgId, randomUUID())).toBeNull();
    });
  });

  it('given everything above, when the invariants are checked, then they hold', async () => {
    expect(await checkInvariants(db)).toEqual([]);
  });
});

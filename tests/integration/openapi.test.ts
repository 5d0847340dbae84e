import { Agent, request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { AddMessageOutput, API_SCOPES, appRouter, scopeOf, TicketDetailOutput } from '@stepwise/api';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../apps/server/src/server.ts';
import {
  apiAs,
  createRuntimeOrg,
  fakeClock,
  loopDocument,
  postJson,
  publishFlow,
  type RuntimeOrg,
  ticketInput,
} from '../support/runtimeFixture.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

type Reply = { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer };

function get(base: string, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, { requestBody?: unknown; parameters?: unknown[] }>>;
  components: { schemas: Record<string, unknown> };
};

/** Every object schema under `node` that names its properties, with where it is. */
function objectSchemas(
  node: unknown,
  at: string,
  out: Array<{ at: string; schema: Record<string, unknown> }>,
) {
  if (Array.isArray(node)) {
    for (const [i, n] of node.entries()) objectSchemas(n, `${at}[${i}]`, out);
  } else if (node !== null && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (record.type === 'object' && record.properties) out.push({ at, schema: record });
    for (const [k, v] of Object.entries(record)) objectSchemas(v, `${at}.${k}`, out);
  }
  return out;
}

describe.each(backends())('OpenAPI document and docs page (%s)', (backend) => {
  let db: TestDb;
  let org: RuntimeOrg;
  let server: RunningServer;
  let bearer: string;
  let flowId: string;
  let doc: Doc;
  const clock = fakeClock();
  const agent = new Agent({ keepAlive: true });

  beforeAll(async () => {
    db = await openTestDb(backend);
    org = await createRuntimeOrg(db, 'Docs Ltd', clock.now());
    flowId = (await publishFlow(db, org, 'Loop', loopDocument(), 1)).flowId;
    server = await startServer({ db, port: 0, timers: false, now: clock.now });
    bearer = (
      await apiAs(db, org.people.admin, clock).admin.tokens.create({ name: 'Docs', scopes: [...API_SCOPES] })
    ).token;
    const reply = await get(server.url, '/api/openapi.json');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    doc = JSON.parse(reply.body.toString('utf8')) as Doc;
  });
  afterAll(async () => {
    agent.destroy();
    await server?.close();
    await db?.dispose();
  });

  it('given /api/openapi.json, when validated by an OpenAPI schema validator, then it is valid OpenAPI 3.1', async () => {
    const validator = new Validator();
    const result = await validator.validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    expect(doc.openapi).toBe('3.1.0');
  });

  it('given a real API token with every scope, when it calls every procedure of the router, then the document lists exactly those it may call, each naming its scope', async () => {
    // The access check runs before the input is read: FORBIDDEN means the token may not call it; any
    // other answer (here a 400 for the empty input) means it may. Nothing is written either way.
    const mayCall: string[] = [];
    // Public procedures (log in, sign up, a customer's feedback link) need no token: not listed.
    const procedures = appRouter._def.procedures as unknown as Record<
      string,
      { _def: { type: string; meta?: { access?: unknown } } }
    >;
    for (const [path, procedure] of Object.entries(procedures)) {
      const type = procedure._def.type;
      if (type === 'subscription' || procedure._def.meta?.access === 'public') continue;
      const reply =
        type === 'mutation'
          ? await postJson(agent, server.url, `/trpc/${path}`, {}, { authorization: `Bearer ${bearer}` })
          : await get(server.url, `/trpc/${path}?input=%7B%7D`, { authorization: `Bearer ${bearer}` });
      expect([200, 400, 403, 404], `${path} answered ${reply.status}`).toContain(reply.status);
      if (reply.status !== 403) mayCall.push(path);
    }
    expect(mayCall.length).toBeGreaterThan(0);
    expect(Object.keys(doc.paths).sort()).toEqual(mayCall.map((p) => `/trpc/${p}`).sort());
    // and each says how to call it over tRPC's HTTP shape
    for (const [path, item] of Object.entries(doc.paths)) {
      const procedure = procedures[path.slice('/trpc/'.length)];
      const method = procedure?._def.type === 'mutation' ? 'post' : 'get';
      expect(Object.keys(item)).toEqual([method]);
      const description = String((item[method] as { description?: string }).description);
      expect(description).toContain(
        method === 'post' ? `POST ${path} with the input as the JSON body` : `GET ${path}?input=`,
      );
      expect(description).toContain(`scope \`${scopeOf(path.slice('/trpc/'.length))}\``);
    }
  });

  it('given the request schemas, then every object refuses unknown keys (additionalProperties: false), as the server does', async () => {
    const requests = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.values(item).flatMap((op) => [
        ...objectSchemas(op.requestBody, `${path} body`, []),
        ...objectSchemas(op.parameters, `${path} parameters`, []),
      ]),
    );
    expect(requests.length).toBeGreaterThan(0);
    const open = requests.filter(({ schema }) => schema.additionalProperties !== false).map(({ at }) => at);
    expect(open).toEqual([]);
    // and the server refuses an unknown key with a 400 naming it
    const reply = await postJson(
      agent,
      server.url,
      '/trpc/tickets.create',
      ticketInput({ flowId, externalRef: 'x' }),
      { authorization: `Bearer ${bearer}` },
    );
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body).error.message).toContain('Unrecognized key: "externalRef"');
  });

  it('given real answers over HTTP, then they match the documented response schemas exactly', async () => {
    const created = await postJson(
      agent,
      server.url,
      '/trpc/tickets.create',
      ticketInput({ flowId, externalId: 'CRM-7', source: 'hubspot' }),
      { authorization: `Bearer ${bearer}`, 'idempotency-key': 'docs-key-0001' },
    );
    expect(created.status).toBe(200);
    const ticket = TicketDetailOutput.parse(JSON.parse(created.body).result.data);
    const added = await postJson(
      agent,
      server.url,
      '/trpc/tickets.addMessage',
      { ticketId: ticket.ticket.id, body: 'Thanks', from: 'customer' },
      { authorization: `Bearer ${bearer}` },
    );
    expect(added.status).toBe(200);
    expect(AddMessageOutput.parse(JSON.parse(added.body).result.data)).toMatchObject({ movedOn: false });
    const body = doc.paths['/trpc/tickets.create']?.post as Record<string, unknown>;
    expect(JSON.stringify(body.responses)).toContain('#/components/schemas/TicketDetail');
    expect(doc.components.schemas.TicketDetail).toBeDefined();
  });

  it('given /api/docs, then a page that loads Swagger UI from this server, under the app’s CSP, compressed', async () => {
    const page = await get(server.url, '/api/docs');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("script-src 'self';");
    const html = page.body.toString('utf8');
    expect(html).toContain('<script src="/api/docs/swagger-ui-bundle.js"></script>');
    expect(html).not.toMatch(/https?:\/\//);
    const bundle = await get(server.url, '/api/docs/swagger-ui-bundle.js', { 'accept-encoding': 'gzip' });
    expect(bundle.status).toBe(200);
    expect(bundle.headers['content-encoding']).toBe('gzip');
    expect(bundle.body.length).toBeLessThan(700_000);
    expect(gunzipSync(bundle.body).toString('utf8')).toContain('SwaggerUIBundle');
    expect((await get(server.url, '/api/docs/other.js')).status).toBe(404);
  });
});

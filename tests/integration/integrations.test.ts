import { createHmac, timingSafeEqual } from 'node:crypto';
import { Agent, createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deliverDueWebhooks } from '@stepwise/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../apps/server/src/server.ts';
import {
  apiAs,
  createRuntimeOrg,
  fakeClock,
  postJson,
  publishFlow,
  type RuntimeOrg,
  template,
  ticketInput,
  withTrigger,
} from '../support/runtimeFixture.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

/** The verification snippet of the README, verbatim (a receiver needs nothing but node:crypto). */
function verifyStepwiseWebhook(
  secret: string,
  headers: IncomingMessage['headers'],
  rawBody: string,
): boolean {
  const id = String(headers['webhook-id']);
  const timestamp = String(headers['webhook-timestamp']);
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${rawBody}`).digest('base64')}`;
  const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) < 5 * 60;
  return (
    fresh &&
    String(headers['webhook-signature'])
      .split(' ')
      .some((s) => s.length === expected.length && timingSafeEqual(Buffer.from(s), Buffer.from(expected)))
  );
}

type Hit = { headers: IncomingMessage['headers']; body: string };

describe.each(backends())('API tokens, webhooks and audit (%s)', (backend) => {
  let db: TestDb;
  let org: RuntimeOrg;
  let server: RunningServer;
  let receiver: Server;
  let receiverUrl: string;
  const hits: Hit[] = [];
  /** How many of the next requests the receiver answers 500. */
  let failNext = 0;
  const agent = new Agent({ keepAlive: true });
  // Real time: webhook timestamps are checked against the receiver's clock.
  const clock = fakeClock(new Date());

  beforeAll(async () => {
    db = await openTestDb(backend);
    org = await createRuntimeOrg(db, 'Integrations plc', clock.now());
    await publishFlow(
      db,
      org,
      'Billing intake',
      withTrigger(template('refund-request'), { categories: ['billing'] }),
      10,
    );
    server = await startServer({ db, port: 0, now: clock.now, timers: false });
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      req.on('end', () => {
        hits.push({ headers: req.headers, body });
        res.statusCode = failNext > 0 ? 500 : 200;
        if (failNext > 0) failNext--;
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/stepwise`;
  });
  afterAll(async () => {
    agent.destroy();
    await server.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    await db.dispose();
  });

  const admin = () => apiAs(db, org.people.admin, clock);

  it('given an API token, when an intake gateway posts a ticket with it (no Origin, foreign Origin), then the ticket is created and routed; text/plain is refused', async () => {
    // given
    const created = await admin().admin.tokens.create({ name: 'Email gateway' });
    expect(created.token).toMatch(/^sw_[A-Za-z0-9_-]{43}$/);
    const auth = { authorization: `Bearer ${created.token}` };
    // when
    const plain = await postJson(
      agent,
      server.url,
      '/trpc/tickets.create',
      ticketInput({ category: 'billing' }),
      auth,
    );
    const foreign = await postJson(
      agent,
      server.url,
      '/trpc/tickets.create',
      ticketInput({ category: 'nothing' }),
      {
        ...auth,
        origin: 'https://mail-gateway.example',
      },
    );
    const textPlain = await postJson(
      agent,
      server.url,
      '/trpc/tickets.create',
      JSON.stringify(ticketInput()),
      {
        ...auth,
        'content-type': 'text/plain',
      },
    );
    // then
    expect(plain.status).toBe(200);
    const routed = JSON.parse(plain.body) as { result: { data: { ticket: { id: string; status: string } } } };
    expect(routed.result.data.ticket.status).toBe('at_step');
    expect(foreign.status).toBe(200);
    const unrouted = JSON.parse(foreign.body) as {
      result: { data: { ticket: { id: string; status: string } } };
    };
    expect(unrouted.result.data.ticket.status).toBe('unrouted');
    expect(textPlain.status).toBe(403);
    const list = await admin().admin.tokens.list();
    expect(list).toEqual([
      expect.objectContaining({
        id: created.id,
        name: 'Email gateway',
        prefix: created.token.slice(0, 10),
        revokedAt: null,
      }),
    ]);
    expect(list[0]?.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(list)).not.toContain(created.token);

    // and: the unrouted ticket is listed, and a manager starts a flow on it by hand
    const waiting = await apiAs(db, org.people.manager, clock).tickets.unrouted();
    expect(waiting.map((t) => t.id)).toContain(unrouted.result.data.ticket.id);
    const started = await apiAs(db, org.people.agent1, clock).tickets.startFlow({
      ticketId: unrouted.result.data.ticket.id,
      flowId: org.flows['Billing intake']?.flowId ?? '',
    });
    expect(started.ticket.status).toBe('at_step');
    expect((await apiAs(db, org.people.manager, clock).tickets.unrouted()).map((t) => t.id)).not.toContain(
      unrouted.result.data.ticket.id,
    );

    // and: a customer message through the token; an agent message is its bot's (the token predates scopes:
    // it has `tickets:create` and `tickets:reply`); other procedures are forbidden
    const ticketId = routed.result.data.ticket.id;
    const customer = await postJson(
      agent,
      server.url,
      '/trpc/tickets.addMessage',
      { ticketId, body: 'Any news?', from: 'customer' },
      auth,
    );
    expect(customer.status).toBe(200);
    const asAgent = await postJson(
      agent,
      server.url,
      '/trpc/tickets.addMessage',
      { ticketId, body: 'Hi', from: 'agent' },
      auth,
    );
    expect(asAgent.status).toBe(200);
    const page = await apiAs(db, org.people.manager, clock).tickets.get({ ticketId });
    expect(page.messages.map((m) => [m.authorKind, m.authorName, m.body])).toEqual(
      expect.arrayContaining([['agent', 'Bot: Email gateway', 'Hi']]),
    );
    const queue = await fetch(`${server.url}/trpc/tickets.queue`, { headers: auth });
    expect(queue.status).toBe(403);

    // when: the token is revoked
    await admin().admin.tokens.revoke({ tokenId: created.id });
    const revoked = await postJson(agent, server.url, '/trpc/tickets.create', ticketInput(), auth);
    // then
    expect(revoked.status).toBe(401);
    const forged = await postJson(agent, server.url, '/trpc/tickets.create', ticketInput(), {
      authorization: `Bearer sw_${'x'.repeat(43)}`,
    });
    expect(forged.status).toBe(401);
  });

  it('given a webhook endpoint, when tickets move, then every event gets exactly one outbox row, written with it', async () => {
    // given
    const endpoint = await admin().admin.webhooks.create({ url: receiverUrl, description: 'CRM sync' });
    expect(endpoint.secret).toMatch(/^whsec_/);
    // when
    const t = await apiAs(db, org.people.manager, clock).tickets.create(ticketInput({ category: 'billing' }));
    await apiAs(db, org.people.agent1, clock).tickets.assign({
      ticketId: t.ticket.id,
      assigneeId: org.people.agent1.userId,
    });
    // a move whose transaction rolls back leaves no outbox row either
    await expect(
      db.db.transaction(async (tx) => {
        await tx.execute(
          `INSERT INTO ticket_events (org_id, ticket_id, seq, type, data) VALUES ('${org.orgId}', '${t.ticket.id}', 99, 'test.rolled_back', '{"input":{"type":"x"},"trail":[]}')`,
        );
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    // then
    const rows = await db.query<{ seq: number; n: number }>(
      `SELECT e.seq, (SELECT count(*)::int FROM webhook_deliveries d WHERE d.ticket_id = e.ticket_id AND d.seq = e.seq
                        AND d.endpoint_id = $2::uuid AND d.event_type = e.type) AS n
         FROM ticket_events e WHERE e.ticket_id = $1::uuid ORDER BY e.seq`,
      [t.ticket.id, endpoint.id],
    );
    expect(rows.map((r) => r.n)).toEqual([1, 1]);
    const stray = await db.query(`SELECT 1 FROM webhook_deliveries WHERE event_type = 'test.rolled_back'`);
    expect(stray).toHaveLength(0);
  });

  it('given a receiver that fails twice, when the worker retries on its backoff, then the same webhook-id arrives 3 times and the signature verifies with the documented snippet', async () => {
    // given
    hits.length = 0;
    await db.query(`UPDATE webhook_deliveries SET status = 'delivered' WHERE status = 'pending'`);
    const endpoints = await admin().admin.webhooks.list();
    const secretRows = await db.query<{ secret: string }>(
      'SELECT secret FROM webhook_endpoints WHERE id = $1::uuid',
      [endpoints[0]?.id],
    );
    const secret = secretRows[0]?.secret ?? '';
    const t = await apiAs(db, org.people.manager, clock).tickets.create(ticketInput({ category: 'billing' }));
    failNext = 2;
    // when
    await deliverDueWebhooks(db, clock.now());
    clock.advance(10_000);
    await deliverDueWebhooks(db, clock.now());
    clock.advance(59_000);
    expect(await deliverDueWebhooks(db, clock.now())).toBe(0);
    clock.advance(1_000);
    await deliverDueWebhooks(db, clock.now());
    clock.advance(3_600_000);
    await deliverDueWebhooks(db, clock.now());
    // then
    expect(hits).toHaveLength(3);
    const ids = new Set(hits.map((h) => h.headers['webhook-id']));
    expect(ids.size).toBe(1);
    for (const hit of hits) {
      expect(verifyStepwiseWebhook(secret, hit.headers, hit.body)).toBe(true);
      expect(verifyStepwiseWebhook(secret, hit.headers, `${hit.body} `)).toBe(false);
      expect(JSON.parse(hit.body)).toMatchObject({
        type: 'ticket.created',
        data: { ticketId: t.ticket.id, seq: 1 },
      });
    }
    const deliveries = await admin().admin.webhooks.deliveries({ limit: 10 });
    expect(deliveries.find((d) => d.id === [...ids][0])).toMatchObject({
      status: 'delivered',
      attempts: 3,
      lastStatusCode: 200,
    });
  });

  it('given a disabled then deleted endpoint, when tickets move, then nothing more is queued; and the audit log lists every change', async () => {
    // given
    const [endpoint] = await admin().admin.webhooks.list();
    if (!endpoint) throw new Error('no endpoint');
    await admin().admin.webhooks.disable({ endpointId: endpoint.id });
    const before = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_deliveries');
    // when
    await apiAs(db, org.people.manager, clock).tickets.create(ticketInput({ category: 'billing' }));
    // then
    const after = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_deliveries');
    expect(after[0]?.n).toBe(before[0]?.n);
    await admin().admin.webhooks.delete({ endpointId: endpoint.id });
    expect(await admin().admin.webhooks.list()).toEqual([]);
    await expect(admin().admin.webhooks.delete({ endpointId: endpoint.id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(admin().admin.webhooks.create({ url: 'ftp://example.com/x' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    await expect(apiAs(db, org.people.manager, clock).admin.audit({ limit: 10 })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    const audit = (await admin().admin.audit({ limit: 200 })).entries;
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining([
        'api_token.created',
        'api_token.revoked',
        'webhook.created',
        'webhook.disabled',
        'webhook.deleted',
        'version.published',
      ]),
    );
    expect(audit.find((a) => a.action === 'webhook.deleted')?.actorName).toBe(org.people.admin.name);
    const page1 = await admin().admin.audit({ limit: 2 });
    const page2 = await admin().admin.audit({ limit: 2, cursor: page1.nextCursor });
    expect([...page1.entries, ...page2.entries].map((a) => a.id)).toEqual(audit.slice(0, 4).map((a) => a.id));
  });

  it('given another organization, when it names this one’s token or endpoint ids, then NOT_FOUND', async () => {
    // given
    const other = await createRuntimeOrg(db, 'Elsewhere', clock.now());
    const token = await admin().admin.tokens.create({ name: 'Widget' });
    const endpoint = await admin().admin.webhooks.create({ url: receiverUrl });
    const outsider = apiAs(db, other.people.admin, clock);
    // when / then
    await expect(outsider.admin.tokens.revoke({ tokenId: token.id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(outsider.admin.webhooks.disable({ endpointId: endpoint.id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(
      outsider.admin.webhooks.deliveries({ endpointId: endpoint.id, limit: 5 }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await outsider.admin.tokens.list()).toEqual([]);
  });
});

import { Agent } from 'node:http';
import { randomUUID } from 'node:crypto';
import { type Caller, LEGACY_SCOPES } from '@stepwise/api';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { type RunningServer, startServer } from '../../apps/server/src/server.ts';
import type { TicketDetail } from '../../packages/api/src/runtime/ticketView.ts';
import {
  apiAs,
  createRuntimeOrg,
  fakeClock,
  loopDocument,
  newKey,
  postJson,
  publishFlow,
  type RuntimeOrg,
  ticketInput,
} from '../support/runtimeFixture.ts';
import { backends, hasPostgres, openTestDb, type TestDb } from '../support/testDb.ts';

const KEY_REUSED = 'This idempotency key was already used for a different request.';

async function refusal(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return error as TRPCError;
}

async function count(db: TestDb, sql: string, params: unknown[]): Promise<number> {
  const rows = await db.query<{ n: number }>(sql, params);
  return rows[0]?.n ?? 0;
}

const ticketsOf = (db: TestDb, orgId: string) =>
  count(db, 'SELECT count(*)::int AS n FROM tickets WHERE org_id = $1::uuid', [orgId]);
const messagesOf = (db: TestDb, ticketId: string) =>
  count(
    db,
    `SELECT count(*)::int AS n FROM ticket_messages WHERE ticket_id = $1::uuid AND author_kind <> 'system'`,
    [ticketId],
  );

describe.each(backends())('idempotent intake (%s)', (backend) => {
  let db: TestDb;
  let org: RuntimeOrg;
  let token: Caller;
  let flowId: string;
  const clock = fakeClock();

  beforeAll(async () => {
    db = await openTestDb(backend);
    org = await createRuntimeOrg(db, 'Intake Ltd', clock.now());
    flowId = (await publishFlow(db, org, 'Loop', loopDocument(), 1)).flowId;
    token = {
      userId: null,
      orgId: org.orgId,
      role: 'api',
      name: 'API token “gateway”',
      email: '',
      token: { id: randomUUID(), scopes: LEGACY_SCOPES },
    };
  });
  afterAll(async () => {
    await db.dispose();
  });

  const api = () => apiAs(db, token, clock);

  it('given a create with an idempotency key, when it is retried, then the first response comes back and one ticket exists', async () => {
    // given
    const key = newKey();
    const before = await ticketsOf(db, org.orgId);
    const first = await api().tickets.create(ticketInput({ flowId, idempotencyKey: key }));
    // when
    const again = await api().tickets.create(ticketInput({ flowId, idempotencyKey: key }));
    // then
    expect(JSON.stringify(again)).toBe(JSON.stringify(first));
    expect(again.version?.document.nodes.length).toBeGreaterThan(0);
    expect(await ticketsOf(db, org.orgId)).toBe(before + 1);
  });

  it('given a used key, when it comes with another payload, then 422 names the conflict and nothing is written', async () => {
    // given
    const key = newKey();
    await api().tickets.create(ticketInput({ flowId, idempotencyKey: key }));
    const before = await ticketsOf(db, org.orgId);
    // when
    const error = await refusal(
      api().tickets.create(ticketInput({ flowId, subject: 'Other', idempotencyKey: key })),
    );
    // then
    expect(error.code).toBe('UNPROCESSABLE_CONTENT');
    expect(error.message).toBe(KEY_REUSED);
    expect(await ticketsOf(db, org.orgId)).toBe(before);
    // and a create's key on a message is refused too (one key, one request)
    const t = await api().tickets.create(ticketInput({ flowId }));
    const onMessage = await refusal(
      api().tickets.addMessage({
        ticketId: t.ticket.id,
        body: 'Hello',
        from: 'customer',
        idempotencyKey: key,
      }),
    );
    expect(onMessage.code).toBe('UNPROCESSABLE_CONTENT');
    expect(await messagesOf(db, t.ticket.id)).toBe(0);
  });

  it('given an external id, when the create is retried (even reworded), then the same ticket comes back; another source makes its own', async () => {
    // given
    const before = await ticketsOf(db, org.orgId);
    const first = await api().tickets.create(
      ticketInput({ flowId, externalId: 'ZD-1001', source: 'zendesk' }),
    );
    // when
    const retried = await api().tickets.create(
      ticketInput({ flowId, externalId: 'ZD-1001', source: 'zendesk', subject: 'Re: damaged' }),
    );
    const otherSource = await api().tickets.create(
      ticketInput({ flowId, externalId: 'ZD-1001', source: 'freshdesk' }),
    );
    // then
    expect(retried.ticket.id).toBe(first.ticket.id);
    expect(retried.ticket.subject).toBe('Order arrived damaged');
    expect(otherSource.ticket.id).not.toBe(first.ticket.id);
    expect(await ticketsOf(db, org.orgId)).toBe(before + 2);
    // and without a source the channel is the source
    const byMail = await api().tickets.create(ticketInput({ flowId, externalId: '<m1@mail.example>' }));
    const byMailAgain = await api().tickets.create(ticketInput({ flowId, externalId: '<m1@mail.example>' }));
    const byChat = await api().tickets.create(
      ticketInput({ flowId, channel: 'chat', externalId: '<m1@mail.example>' }),
    );
    expect(byMailAgain.ticket.id).toBe(byMail.ticket.id);
    expect(byChat.ticket.id).not.toBe(byMail.ticket.id);
    const stored = await db.query<{ external_source: string; external_id: string }>(
      'SELECT external_source, external_id FROM tickets WHERE id = $1::uuid',
      [byMail.ticket.id],
    );
    expect(stored).toEqual([{ external_source: 'email', external_id: '<m1@mail.example>' }]);
  });

  it('given a ticket made with an external id, when a reply names it by number or by external id, then it lands on that ticket, and the ticket shows the external id', async () => {
    // given
    const made = await api().tickets.create(ticketInput({ flowId, externalId: 'HS-77', source: 'hubspot' }));
    const twin = await api().tickets.create(ticketInput({ flowId, externalId: 'HS-77', source: 'zendesk' }));
    expect(made.ticket.external).toEqual({ id: 'HS-77', source: 'hubspot' });
    // when
    const byNumber = await api().tickets.addMessage({
      ticketNumber: made.ticket.number,
      body: 'Replying to #' + made.ticket.number,
      from: 'customer',
    });
    const byExternal = await api().tickets.addMessage({
      externalId: 'HS-77',
      source: 'hubspot',
      body: 'And by its HubSpot id',
      from: 'customer',
    });
    // then
    expect(byNumber.ticketId).toBe(made.ticket.id);
    expect(byExternal.ticketId).toBe(made.ticket.id);
    expect(await messagesOf(db, made.ticket.id)).toBeGreaterThanOrEqual(2);
    expect(await messagesOf(db, twin.ticket.id)).toBe(0);
    // two systems used the id: without a source the request is refused and names both
    const ambiguous = await refusal(
      api().tickets.addMessage({ externalId: 'HS-77', body: 'Which one?', from: 'customer' }),
    );
    expect(ambiguous.code).toBe('BAD_REQUEST');
    expect(ambiguous.message).toBe(
      'Tickets from hubspot and zendesk both have the external id "HS-77": give its source too.',
    );
    // an unknown number or id is NOT_FOUND, and naming the ticket twice (or not at all) is a 400
    const missing = await refusal(
      api().tickets.addMessage({ ticketNumber: 999_999, body: 'Hello', from: 'customer' }),
    );
    expect([missing.code, missing.message]).toEqual([
      'NOT_FOUND',
      'There is no ticket #999999 in your organization.',
    ]);
    const unknown = await refusal(
      api().tickets.addMessage({ externalId: 'nope', source: 'hubspot', body: 'Hello', from: 'customer' }),
    );
    expect([unknown.code, unknown.message]).toEqual([
      'NOT_FOUND',
      'No ticket in your organization has the external id "nope" from hubspot.',
    ]);
    for (const naming of [{ ticketId: made.ticket.id, ticketNumber: made.ticket.number }, {}]) {
      const both = await refusal(api().tickets.addMessage({ ...naming, body: 'Hello', from: 'customer' }));
      expect(both.code).toBe('BAD_REQUEST');
      expect(both.message).toContain(
        'Name the ticket by exactly one of ticketId, ticketNumber or externalId.',
      );
    }
    // another organization's external id is not found here
    const other = await createRuntimeOrg(db, 'Elsewhere Ltd', clock.now());
    const otherFlow = (await publishFlow(db, other, 'Loop', loopDocument(), 1)).flowId;
    const theirs = await apiAs(db, other.people.admin, clock).tickets.create(
      ticketInput({ flowId: otherFlow, externalId: 'ELSE-1', source: 'hubspot' }),
    );
    const crossed = await refusal(
      api().tickets.addMessage({ externalId: 'ELSE-1', source: 'hubspot', body: 'Hi', from: 'customer' }),
    );
    expect(crossed.code).toBe('NOT_FOUND');
    expect(await messagesOf(db, theirs.ticket.id)).toBe(0);
  });

  it('given bad intake inputs, then each is a 400 naming the field and nothing is written', async () => {
    const before = await ticketsOf(db, org.orgId);
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ source: 'zendesk' }, 'source', 'A source names where the externalId comes from'],
      [{ externalId: 'x', source: 'Zen Desk' }, 'source', 'A source is 1 to 64 lowercase'],
      [{ externalId: '' }, 'externalId', 'An external id is 1 to 200 characters.'],
      [{ idempotencyKey: 'short' }, 'idempotencyKey', 'An idempotency key is 8 to 128 characters.'],
      [{ externalID: 'x' }, '', 'Unrecognized key: "externalID"'],
    ];
    const issueOf = (error: TRPCError) => {
      expect(error.code).toBe('BAD_REQUEST');
      expect(error.cause).toBeInstanceOf(ZodError);
      const issue = (error.cause as ZodError).issues[0];
      return { path: issue?.path.join('.'), message: issue?.message };
    };
    for (const [extra, path, message] of cases) {
      const error = await refusal(api().tickets.create(ticketInput({ flowId, ...extra })));
      expect(issueOf(error)).toEqual({ path, message: expect.stringContaining(message) });
    }
    const onMessage = await refusal(
      api().tickets.addMessage({
        ticketId: 'x',
        body: 'Hi',
        from: 'customer',
        idempotencykey: 'abcdefgh',
      } as never),
    );
    expect(issueOf(onMessage)).toEqual({ path: '', message: 'Unrecognized key: "idempotencykey"' });
    expect(await ticketsOf(db, org.orgId)).toBe(before);
  });

  it('given a customer message with a key, when it is retried, then one message and the first answer; another body is 422', async () => {
    // given: a ticket waiting at its first step
    const t = await api().tickets.create(ticketInput({ flowId }));
    const key = newKey();
    const message = { ticketId: t.ticket.id, body: 'My order number is 1234', from: 'customer' as const };
    // when
    const first = await api().tickets.addMessage({ ...message, idempotencyKey: key });
    const again = await api().tickets.addMessage({ ...message, idempotencyKey: key });
    const other = await refusal(
      api().tickets.addMessage({ ...message, body: 'Another', idempotencyKey: key }),
    );
    // then
    expect(again).toEqual(first);
    expect(await messagesOf(db, t.ticket.id)).toBe(1);
    expect(other.code).toBe('UNPROCESSABLE_CONTENT');
    expect(other.message).toBe(KEY_REUSED);
    expect(await messagesOf(db, t.ticket.id)).toBe(1);
  });

  it('given a key whose first request stopped before answering (left pending), when retried, then after a wait it answers from the ticket as it is, writing nothing', async () => {
    // given: the ticket and message were written with their keys, but no answer was stored
    const createKey = newKey();
    const first = await api().tickets.create(ticketInput({ flowId, idempotencyKey: createKey }));
    const messageKey = newKey();
    const message = { ticketId: first.ticket.id, body: 'Still there?', from: 'customer' as const };
    const answered = await api().tickets.addMessage({ ...message, idempotencyKey: messageKey });
    await db.query(
      `UPDATE idempotency_keys SET response = to_jsonb(jsonb_build_object('state', 'pending', 'ref', (response #>> '{}')::jsonb->'ref')::text)
        WHERE org_id = $1::uuid AND key = ANY($2::text[])`,
      [org.orgId, [createKey, messageKey]],
    );
    const tickets = await ticketsOf(db, org.orgId);
    // when
    const started = Date.now();
    const again = await api().tickets.create(ticketInput({ flowId, idempotencyKey: createKey }));
    const messageAgain = await api().tickets.addMessage({ ...message, idempotencyKey: messageKey });
    // then
    expect(Date.now() - started).toBeGreaterThanOrEqual(2 * 5000 - 100);
    expect(again.ticket.id).toBe(first.ticket.id);
    expect(messageAgain).toEqual({
      messageId: answered.messageId,
      ticketId: first.ticket.id,
      seq: answered.seq,
      movedOn: false,
    });
    expect(await ticketsOf(db, org.orgId)).toBe(tickets);
    expect(await messagesOf(db, first.ticket.id)).toBe(1);
  }, 30_000);

  describe('over HTTP with the Idempotency-Key header', () => {
    let server: RunningServer;
    let bearer: string;
    const agent = new Agent({ keepAlive: true });

    beforeAll(async () => {
      server = await startServer({ db, port: 0, timers: false, now: clock.now });
      bearer = (await apiAs(db, org.people.admin, clock).admin.tokens.create({ name: 'Gateway' })).token;
    });
    afterAll(async () => {
      agent.destroy();
      await server.close();
    });

    const post = (path: string, body: unknown, key?: string) =>
      postJson(agent, server.url, path, body, {
        authorization: `Bearer ${bearer}`,
        ...(key === undefined ? {} : { 'idempotency-key': key }),
      });

    it('given a create retried with the header, then the same bytes; another payload 422; a bad or disagreeing key 400', async () => {
      // given
      const key = newKey();
      const before = await ticketsOf(db, org.orgId);
      const first = await post('/trpc/tickets.create', ticketInput({ flowId }), key);
      // when
      const again = await post('/trpc/tickets.create', ticketInput({ flowId }), key);
      const other = await post('/trpc/tickets.create', ticketInput({ flowId, priority: 'high' }), key);
      const bad = await post('/trpc/tickets.create', ticketInput({ flowId }), 'short');
      const differ = await post(
        '/trpc/tickets.create',
        ticketInput({ flowId, idempotencyKey: newKey() }),
        key,
      );
      // then
      expect(first.status).toBe(200);
      expect(again.status).toBe(200);
      expect(again.body).toBe(first.body);
      expect(other.status).toBe(422);
      expect(JSON.parse(other.body).error).toMatchObject({
        message: KEY_REUSED,
        data: { code: 'UNPROCESSABLE_CONTENT', httpStatus: 422 },
      });
      expect(bad.status).toBe(400);
      expect(JSON.parse(bad.body).error.message).toContain('Idempotency-Key header');
      expect(differ.status).toBe(400);
      expect(await ticketsOf(db, org.orgId)).toBe(before + 1);
      // and the header and the input's key are one key
      const viaInput = await post('/trpc/tickets.create', ticketInput({ flowId, idempotencyKey: key }));
      expect(viaInput.body).toBe(first.body);
      const both = await post('/trpc/tickets.create', ticketInput({ flowId, idempotencyKey: key }), key);
      expect(both.body).toBe(first.body);
    });

    it('given a batch with the header, then 400 before any call runs: one header cannot key several calls', async () => {
      const before = await ticketsOf(db, org.orgId);
      const reply = await post(
        '/trpc/tickets.create,tickets.create?batch=1',
        { 0: ticketInput({ flowId }), 1: ticketInput({ flowId }) },
        newKey(),
      );
      expect(reply.status).toBe(400);
      expect(JSON.parse(reply.body).error.message).toContain('An Idempotency-Key header keys one call');
      expect(await ticketsOf(db, org.orgId)).toBe(before);
      // and keys in the batch's inputs work call by call
      const keys = [newKey(), newKey()];
      const batch = {
        0: ticketInput({ flowId, idempotencyKey: keys[0] }),
        1: ticketInput({ flowId, idempotencyKey: keys[1] }),
      };
      const first = await post('/trpc/tickets.create,tickets.create?batch=1', batch);
      const again = await post('/trpc/tickets.create,tickets.create?batch=1', batch);
      expect(first.status).toBe(200);
      expect(again.body).toBe(first.body);
      expect(await ticketsOf(db, org.orgId)).toBe(before + 2);
    });

    it('given a customer reply retried with the header, then one message', async () => {
      const created = JSON.parse((await post('/trpc/tickets.create', ticketInput({ flowId }))).body) as {
        result: { data: TicketDetail };
      };
      const ticketId = created.result.data.ticket.id;
      const key = newKey();
      const body = { ticketId, body: 'Here is the photo', from: 'customer' };
      const first = await post('/trpc/tickets.addMessage', body, key);
      const again = await post('/trpc/tickets.addMessage', body, key);
      expect(first.status).toBe(200);
      expect(again.body).toBe(first.body);
      expect(await messagesOf(db, ticketId)).toBe(1);
    });
  });
});

// PGlite serialises transactions, so races cannot happen there: concurrency on PostgreSQL only.
describe.skipIf(!hasPostgres())('idempotent intake under concurrency (postgres)', () => {
  let db: TestDb;
  let org: RuntimeOrg;
  let token: Caller;
  let flowId: string;
  const clock = fakeClock();

  beforeAll(async () => {
    db = await openTestDb('postgres', { maxConnections: 24 });
    org = await createRuntimeOrg(db, 'Gateway Ltd', clock.now());
    flowId = (await publishFlow(db, org, 'Loop', loopDocument(), 1)).flowId;
    token = {
      userId: null,
      orgId: org.orgId,
      role: 'api',
      name: 'API token “gateway”',
      email: '',
      token: { id: randomUUID(), scopes: LEGACY_SCOPES },
    };
  });
  afterAll(async () => {
    await db.dispose();
  });

  /** 100 creates over 20 requests (5 copies of each), all started at once in a shuffled order. */
  async function retriedCreates(inputOf: (i: number) => Record<string, unknown>) {
    const order = Array.from({ length: 100 }, (_, n) => n % 20).sort(() => Math.random() - 0.5);
    const before = await ticketsOf(db, org.orgId);
    const results = await Promise.allSettled(
      order.map((i) => apiAs(db, token, clock).tickets.create(ticketInput({ flowId, ...inputOf(i) }))),
    );
    const rejected = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
    const byRequest = new Map<number, Set<string>>();
    results.forEach((r, n) => {
      if (r.status !== 'fulfilled') return;
      const i = order[n] ?? -1;
      const seen = byRequest.get(i) ?? new Set<string>();
      seen.add(r.value.ticket.id);
      byRequest.set(i, seen);
    });
    return { rejected, byRequest, made: (await ticketsOf(db, org.orgId)) - before, results, order };
  }

  it('given 100 concurrent retried creates over 20 idempotency keys, then exactly 20 tickets and each key answers alike', async () => {
    for (let round = 0; round < 3; round++) {
      const keys = Array.from({ length: 20 }, () => newKey());
      const { rejected, byRequest, made, results, order } = await retriedCreates((i) => ({
        idempotencyKey: keys[i],
        subject: `Request ${i}`,
      }));
      expect(rejected).toEqual([]);
      expect(made).toBe(20);
      expect([...byRequest.values()].every((ids) => ids.size === 1)).toBe(true);
      // every copy of a request got the byte-identical first response
      const bodies = new Map<number, Set<string>>();
      results.forEach((r, n) => {
        if (r.status !== 'fulfilled') return;
        const i = order[n] ?? -1;
        bodies.set(i, (bodies.get(i) ?? new Set()).add(JSON.stringify(r.value)));
      });
      expect([...bodies.values()].every((b) => b.size === 1)).toBe(true);
    }
  });

  it('given 100 concurrent retried creates over 20 external ids, then exactly 20 tickets, one per id', async () => {
    for (let round = 0; round < 3; round++) {
      const ids = Array.from({ length: 20 }, (_, i) => `HS-${round}-${i}`);
      const { rejected, byRequest, made } = await retriedCreates((i) => ({
        externalId: ids[i],
        source: 'hubspot',
      }));
      expect(rejected).toEqual([]);
      expect(made).toBe(20);
      expect(byRequest.size).toBe(20);
      expect([...byRequest.values()].every((t) => t.size === 1)).toBe(true);
    }
  });

  it('given 100 concurrent retried creates over 20 requests carrying both a key and an external id, then 20 tickets and each request answers alike', async () => {
    const keys = Array.from({ length: 20 }, () => newKey());
    const { rejected, made, results, order } = await retriedCreates((i) => ({
      idempotencyKey: keys[i],
      externalId: `SF-${keys[i]}`,
      source: 'salesforce',
    }));
    expect(rejected).toEqual([]);
    expect(made).toBe(20);
    const bodies = new Map<number, Set<string>>();
    results.forEach((r, n) => {
      if (r.status !== 'fulfilled') return;
      const i = order[n] ?? -1;
      bodies.set(i, (bodies.get(i) ?? new Set()).add(JSON.stringify(r.value)));
    });
    expect(bodies.size).toBe(20);
    expect([...bodies.values()].every((b) => b.size === 1)).toBe(true);
  });

  it('given 50 concurrent retries of one customer message, then one message and one answer', async () => {
    const t = await apiAs(db, token, clock).tickets.create(ticketInput({ flowId }));
    const key = newKey();
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () =>
        apiAs(db, token, clock).tickets.addMessage({
          ticketId: t.ticket.id,
          body: 'Any news?',
          from: 'customer',
          idempotencyKey: key,
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const answers = new Set(results.map((r) => (r.status === 'fulfilled' ? JSON.stringify(r.value) : '')));
    expect(answers.size).toBe(1);
    expect(await messagesOf(db, t.ticket.id)).toBe(1);
  });
});

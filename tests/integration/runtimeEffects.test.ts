import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deliverDueWebhooks, fireDueTimers, runDueEffects } from '@stepwise/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setRouteOrder } from '../../packages/api/src/runtime/routeOrder.ts';
import { checkInvariants } from '../support/invariants.ts';
import { childDocument, tourDocument } from '../support/runtimeDocs.ts';
import {
  apiAs,
  createRuntimeOrg,
  fakeClock,
  publishFlow,
  type RuntimeOrg,
  ticketInput,
} from '../support/runtimeFixture.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

type Received = { headers: IncomingMessage['headers']; body: string };

describe.each(backends())('runtime effects: every node type, subflows, feedback (%s)', (backend) => {
  let db: TestDb;
  let org: RuntimeOrg;
  let receiver: Server;
  let hookUrl: string;
  const received: Received[] = [];
  const clock = fakeClock();

  beforeAll(async () => {
    db = await openTestDb(backend);
    org = await createRuntimeOrg(db, 'Effects Ltd', clock.now());
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const child = await publishFlow(db, org, 'Verify identity', childDocument(), 50);
    await publishFlow(db, org, 'Runtime tour', tourDocument(child.flowId, hookUrl, 'team-billing'), 10);
    await apiAs(db, org.people.admin, clock).admin.webhooks.create({
      url: hookUrl,
      description: 'flow calls',
    });
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    await db.dispose();
  });

  const manager = () => apiAs(db, org.people.manager, clock);
  /** The server's PUBLIC_URL in these tests (with a trailing slash, which links must not double). */
  const publicUrl = 'https://support.effects.example/';
  const drain = async () => {
    for (let i = 0; i < 5; i++) await runDueEffects(db, clock.now(), { publicUrl });
  };

  it('given the tour flow, when a ticket comes in, then it is assigned round-robin, messaged, waits, and its flow webhook is queued', async () => {
    // given / when
    const created = await manager().tickets.create(ticketInput({ category: 'tour', subject: 'Tour one' }));
    await drain();
    // then
    expect(created.ticket.status).toBe('waiting');
    expect(created.ticket.teamId).toBe(org.teams.billing);
    expect(created.ticket.assigneeId).toBe(org.people.agent1.userId);
    const page = await manager().tickets.get({ ticketId: created.ticket.id });
    expect(page.conversation.map((m) => [m.authorKind, m.body])).toContainEqual([
      'system',
      'Hello Ines Duarte, we are on it.',
    ]);
    const flowCalls = await db.query<{ event_type: string }>(
      `SELECT event_type FROM webhook_deliveries WHERE ticket_id = $1::uuid AND event_type = 'flow.webhook'`,
      [created.ticket.id],
    );
    expect(flowCalls).toHaveLength(1);
  });

  it('given a waiting ticket, when an agent replies, then it still waits; when the customer replies, then it moves through the subflow to the end and a feedback link is sent', async () => {
    // given
    const created = await manager().tickets.create(ticketInput({ category: 'tour', subject: 'Tour two' }));
    // when
    const reply = await apiAs(db, org.people.agent1, clock).tickets.addMessage({
      ticketId: created.ticket.id,
      body: 'We are looking into it.',
      from: 'agent',
    });
    // then
    expect(reply.movedOn).toBe(false);
    // when
    const customer = await apiAs(db, org.people.agent1, clock).tickets.addMessage({
      ticketId: created.ticket.id,
      body: 'Here is my order number: 1234.',
      from: 'customer',
    });
    expect(customer.movedOn).toBe(true);
    let page = await manager().tickets.get({ ticketId: created.ticket.id });
    expect(page.ticket.status).toBe('in_subflow');
    await drain();
    // then: the child ran on the other flow and ended; the parent resumed and ended with a feedback link
    page = await manager().tickets.get({ ticketId: created.ticket.id });
    expect(page.children).toHaveLength(1);
    expect(page.children[0]?.status).toBe('ended');
    const child = await manager().tickets.get({ ticketId: page.children[0]?.id ?? '' });
    expect(child.parent?.id).toBe(created.ticket.id);
    expect(child.flow?.name).toBe('Verify identity');
    expect(child.ticket.customer.email).toBe(created.ticket.customer.email);
    expect(page.ticket.status).toBe('ended');
    expect(page.ticket.endStatus).toBe('resolved');
    expect(page.events.map((e) => e.type)).toContain('subflow.completed');
    // the customer's message carries the absolute link on PUBLIC_URL; people in the app see it masked
    const [sent] = await db.query<{ body: string }>(
      `SELECT body FROM ticket_messages WHERE ticket_id = $1::uuid AND author_kind = 'system' AND body LIKE '%/feedback/%'`,
      [created.ticket.id],
    );
    const link = /https:\/\/support\.effects\.example\/feedback\/([A-Za-z0-9_-]{43})(?=$|\s)/.exec(
      sent?.body ?? '',
    );
    expect(sent?.body, 'the message sent to the customer').toMatch(
      /^How did we do\? Tell us in one click: https:/,
    );
    const token = link?.[1] ?? '';
    expect(token).toHaveLength(43);
    expect(page.feedbackLink).toBe(`…/feedback/••••${token.slice(-4)}`);
    const shown = page.conversation.find((m) => m.authorKind === 'system' && m.body.includes('/feedback/'));
    expect(shown?.body).toBe(`How did we do? Tell us in one click: …/feedback/••••${token.slice(-4)}`);
    expect(JSON.stringify(page)).not.toContain(token);

    // when: the customer answers through the public page, twice
    const anon = apiAs(db, null, clock);
    const info = await anon.feedback.get({ token });
    expect(info).toEqual({
      state: 'open',
      orgName: 'Effects Ltd',
      ticketNumber: page.ticket.number,
      subject: 'Tour two',
    });
    await anon.feedback.submit({ token, score: 4, comment: 'Quick and kind.' });
    // then
    await expect(anon.feedback.submit({ token, score: 1 })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'Thanks — we already have your feedback.',
    });
    const after = await manager().tickets.get({ ticketId: created.ticket.id });
    expect(after.csat).toEqual({ score: 4, comment: 'Quick and kind.' });
    expect(after.feedbackLink).toBeNull();
    expect(after.events.at(-1)?.type).toBe('feedback.received');
    // a used, an unknown and a malformed link are answered with a state, not an error
    expect(await anon.feedback.get({ token })).toEqual({
      state: 'answered',
      orgName: 'Effects Ltd',
      ticketNumber: page.ticket.number,
    });
    expect(await anon.feedback.get({ token: 'A'.repeat(43) })).toEqual({ state: 'invalid' });
    expect(await anon.feedback.get({ token: 'not a token' })).toEqual({ state: 'invalid' });
  });

  it('given a waiting ticket, when its reply timeout passes, then the timer follows the timeout edge once', async () => {
    // given
    const created = await manager().tickets.create(ticketInput({ category: 'tour', subject: 'Tour three' }));
    // when
    clock.advance(61 * 60_000);
    await fireDueTimers(db, clock.now());
    await fireDueTimers(db, clock.now());
    // then
    const page = await manager().tickets.get({ ticketId: created.ticket.id });
    expect(page.ticket.status).toBe('ended');
    expect(page.ticket.endStatus).toBe('closed_unresolved');
    expect(page.events.filter((e) => e.type === 'timer.fired')).toHaveLength(1);
    // a customer message after the end is recorded, moves nothing
    const late = await manager().tickets.addMessage({
      ticketId: created.ticket.id,
      body: 'Hello?',
      from: 'customer',
    });
    expect(late.movedOn).toBe(false);
  });

  it('given queued flow webhooks, when the worker runs, then the receiver gets signed POSTs', async () => {
    // when
    await drain();
    await deliverDueWebhooks(db, clock.now());
    // then
    const flowCalls = received.filter((r) => r.body.includes('"flow.webhook"'));
    expect(flowCalls.length).toBeGreaterThanOrEqual(3);
    for (const call of flowCalls) {
      expect(call.headers['webhook-signature']).toMatch(/^v1,/);
      expect(call.headers['webhook-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('given a Billing ticket, when agents take and release it, then only a Billing agent can take it, each change is one event, and a stale seq is a CONFLICT', async () => {
    // given
    const created = await manager().tickets.create(ticketInput({ category: 'tour', subject: 'Tour assign' }));
    const technicalOnly = apiAs(db, org.people.agent2, clock);
    const billing = apiAs(db, org.people.agent1, clock);
    // when / then
    await expect(
      technicalOnly.tickets.assign({ ticketId: created.ticket.id, assigneeId: org.people.agent2.userId }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const released = await billing.tickets.assign({ ticketId: created.ticket.id, assigneeId: null });
    expect(released.ticket.assigneeId).toBeNull();
    await expect(
      billing.tickets.assign({
        ticketId: created.ticket.id,
        assigneeId: org.people.agent1.userId,
        expectedSeq: created.ticket.seq,
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    const taken = await billing.tickets.assign({
      ticketId: created.ticket.id,
      assigneeId: org.people.agent1.userId,
      expectedSeq: released.ticket.seq,
    });
    expect(taken.ticket).toMatchObject({
      assigneeId: org.people.agent1.userId,
      seq: released.ticket.seq + 1,
    });
    expect(taken.events.slice(-2).map((e) => e.type)).toEqual(['ticket.assigned', 'ticket.assigned']);
    const handed = await manager().tickets.assign({
      ticketId: created.ticket.id,
      assigneeId: org.people.agent2.userId,
    });
    expect(handed.ticket.assigneeName).toBe(org.people.agent2.name);
  });

  it('given tickets moved by hand and ended, when a manager starts a flow on an ended ticket and assigns it, then the run restarts and the invariants hold', async () => {
    // given
    const created = await manager().tickets.create(ticketInput({ category: 'tour', subject: 'Tour four' }));
    clock.advance(61 * 60_000);
    await fireDueTimers(db, clock.now());
    await expect(
      manager().tickets.startFlow({
        ticketId: created.ticket.id,
        flowId: org.flows['Verify identity']?.flowId ?? '',
      }),
    ).resolves.toMatchObject({ ticket: { status: 'ended' }, flow: { name: 'Verify identity' } });
    // then
    const problems = await checkInvariants(db, { orgId: org.orgId });
    expect(problems).toEqual([]);
  });
});

describe.each(backends())('routing order (%s)', (backend) => {
  let db: TestDb;
  let org: RuntimeOrg;
  const clock = fakeClock();

  beforeAll(async () => {
    db = await openTestDb(backend);
    org = await createRuntimeOrg(db, 'Routing Co', clock.now());
  });
  afterAll(async () => {
    await db.dispose();
  });

  it('given two flows that both match, when the route order is set, then intake takes the first; with no match the ticket is unrouted', async () => {
    // given
    const child = await publishFlow(db, org, 'Verify identity', childDocument(), 50);
    const a = await publishFlow(
      db,
      org,
      'Tour A',
      tourDocument(child.flowId, 'http://127.0.0.1:9/a', 'team-billing'),
      10,
    );
    const b = await publishFlow(
      db,
      org,
      'Tour B',
      tourDocument(child.flowId, 'http://127.0.0.1:9/b', 'team-billing'),
      20,
    );
    const api = apiAs(db, org.people.manager, clock);
    expect((await api.tickets.create(ticketInput({ category: 'tour' }))).flow?.name).toBe('Tour A');
    // when the manager puts B first through the API
    await api.flows.setRouteOrder({ flowIds: [b.flowId, a.flowId] });
    // then
    expect((await api.tickets.create(ticketInput({ category: 'tour' }))).flow?.name).toBe('Tour B');
    const none = await api.tickets.create(ticketInput({ category: 'nobody-routes-this' }));
    expect(none.ticket.status).toBe('unrouted');
    expect((await api.tickets.unrouted()).map((t) => t.id)).toEqual([none.ticket.id]);
    await expect(
      setRouteOrder(db, {
        orgId: org.orgId,
        actorId: org.people.manager.userId,
        flowIds: [crypto.randomUUID()],
        now: clock.now(),
      }),
    ).rejects.toMatchObject({ code: 'not_found' });
  });
});

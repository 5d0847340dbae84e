import { deliverDueWebhooks, fireDueTimers, runDueEffects, verifyWebhook } from '@stepwise/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalReceiver, localReceiver, type Received } from '../support/localReceiver.ts';
import { breachNotifyDocument } from '../support/runtimeDocs.ts';
import {
  apiAs,
  createRuntimeOrg,
  fakeClock,
  publishFlow,
  type RuntimeOrg,
  ticketInput,
} from '../support/runtimeFixture.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

const MINUTE = 60_000;

type Body = {
  v: number;
  id: string;
  type: string;
  createdAt: string;
  data: Record<string, unknown> & {
    ticket?: Record<string, unknown>;
    message?: Record<string, unknown>;
    breach?: Record<string, unknown>;
  };
};

/**
 * Webhooks with content (payload version 1): a ticket summary on every event, the message on
 * `message.created`, the breached step on `sla.breached`; signed; each endpoint gets only the event types
 * it chose; a test event on demand.
 */
describe.each(backends())('webhook content (%s)', (backend) => {
  let db: TestDb;
  let org: RuntimeOrg;
  let receiver: LocalReceiver;
  const clock = fakeClock();
  const secrets: Record<string, string> = {};

  beforeAll(async () => {
    db = await openTestDb(backend);
    receiver = await localReceiver();
    org = await createRuntimeOrg(db, 'Hooks Ltd', clock.now());
    await publishFlow(db, org, 'Watched', breachNotifyDocument('Escalations', 'watched'), 10);
    const admin = apiAs(db, org.people.admin, clock);
    const all = await admin.admin.webhooks.create({ url: `${receiver.url}/all`, description: 'Everything' });
    const mail = await admin.admin.webhooks.create({
      url: `${receiver.url}/mail`,
      description: 'Email gateway',
      eventTypes: ['message.created'],
    });
    secrets['/all'] = all.secret;
    secrets['/mail'] = mail.secret;
  });
  afterAll(async () => {
    await receiver?.close();
    await db?.dispose();
  });

  const admin = () => apiAs(db, org.people.admin, clock);
  const manager = () => apiAs(db, org.people.manager, clock);
  const deliver = async () => {
    await runDueEffects(db, clock.now());
    await deliverDueWebhooks(db, clock.now());
  };
  const bodiesAt = (path: string): Body[] =>
    receiver.received.filter((r) => r.path === path).map((r) => JSON.parse(r.body) as Body);
  const signedBy = (r: Received, secret: string) =>
    verifyWebhook(
      secret,
      {
        id: String(r.headers['webhook-id']),
        timestamp: String(r.headers['webhook-timestamp']),
        signature: String(r.headers['webhook-signature']),
      },
      r.body,
      // as the receiver checks it when it arrives (the fake clock has moved on since)
      Number(r.headers['webhook-timestamp']),
    );

  it('given endpoints with chosen event types, when a ticket is created, replied to and breaches, then each gets its types with the ticket summary, signed, as version 1', async () => {
    // given
    const created = await manager().tickets.create(
      ticketInput({
        category: 'watched',
        subject: 'Invoice twice',
        priority: 'high',
        channel: 'chat',
        customer: { name: 'Noor Haddad', email: 'noor@example.com', tier: 'vip' },
      }),
    );
    const ticketId = created.ticket.id;
    const number = created.ticket.number;
    // when: an agent takes it and replies; the customer answers; the SLA passes
    const agent = apiAs(db, org.people.agent1, clock);
    await agent.tickets.assign({ ticketId, assigneeId: org.people.agent1.userId });
    await agent.tickets.addMessage({ ticketId, body: 'We are refunding the second charge.', from: 'agent' });
    await agent.tickets.addMessage({ ticketId, body: 'Thank you!', from: 'customer' });
    await deliver();
    clock.advance(11 * MINUTE);
    await fireDueTimers(db, clock.now());
    await deliver();

    // then: the everything endpoint has the moves, the agent's message and the breach, all version 1
    const all = bodiesAt('/all');
    // (deliveries due at one instant are posted concurrently: their order of arrival is not theirs)
    expect(all.map((b) => b.type).sort()).toEqual([
      'message.created',
      'sla.breached',
      'ticket.assigned',
      'ticket.created',
      'timer.fired',
    ]);
    const of = (type: string) => all.find((b) => b.type === type);
    expect(all.every((b) => b.v === 1)).toBe(true);
    expect(new Set(all.map((b) => b.id)).size).toBe(all.length);
    // the summary, as it was at each event
    const createdEvent = of('ticket.created');
    expect(createdEvent?.data).toMatchObject({ type: 'ticket.created', ticketId, ticketNumber: number });
    expect(createdEvent?.data.ticket).toEqual({
      id: ticketId,
      number,
      subject: 'Invoice twice',
      channel: 'chat',
      priority: 'high',
      category: 'watched',
      tags: [],
      status: 'at_step',
      endStatus: null,
      breached: false,
      customer: { name: 'Noor Haddad', email: 'noor@example.com', tier: 'vip' },
      step: { id: 'watch', title: 'Watch' },
      team: { id: org.teams.billing, name: 'Billing' },
      assignee: null,
      flow: {
        id: org.flows.Watched?.flowId,
        name: 'Watched',
        versionId: org.flows.Watched?.versionId,
        version: 1,
      },
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    // the agent's reply, with its author and the ticket now assigned
    const reply = of('message.created');
    expect(reply?.data.message).toMatchObject({
      authorKind: 'agent',
      author: { id: org.people.agent1.userId, name: expect.any(String) },
      body: 'We are refunding the second charge.',
    });
    expect(reply?.data.ticket).toMatchObject({
      number,
      assignee: { id: org.people.agent1.userId, name: expect.any(String) },
    });
    // the breach: the step that was late, and the ticket past it
    expect(of('sla.breached')?.data.breach).toEqual({
      stepId: 'watch',
      stepTitle: 'Watch',
      escalatedBy: 'edge',
    });
    expect(of('sla.breached')?.data.ticket).toMatchObject({
      breached: true,
      step: { id: 'lead', title: 'Lead review' },
    });
    // the email gateway's endpoint got only what it chose: the agent's reply, not the customer's message
    const mail = bodiesAt('/mail');
    expect(mail.map((b) => [b.type, b.data.message?.body])).toEqual([
      ['message.created', 'We are refunding the second charge.'],
    ]);
    // every request is signed with its endpoint's secret, and not with another's
    for (const r of receiver.received) {
      const secret = secrets[r.path];
      if (!secret) continue;
      expect(signedBy(r, secret)).toBe(true);
      expect(signedBy(r, secrets[r.path === '/all' ? '/mail' : '/all'] ?? '')).toBe(false);
    }
  });

  it('given an endpoint, when its event types change, then only those are sent from then on; unknown types are refused', async () => {
    // given
    const [endpoint] = (await admin().admin.webhooks.list()).filter((e) => e.url.endsWith('/all'));
    if (!endpoint) throw new Error('no endpoint');
    expect(endpoint.eventTypes).toContain('sla.breached');
    // when
    const set = await admin().admin.webhooks.setEventTypes({
      endpointId: endpoint.id,
      eventTypes: ['sla.breached', 'ticket.created'],
    });
    // then: kept in the list's order
    expect(set.eventTypes).toEqual(['ticket.created', 'sla.breached']);
    await expect(
      admin().admin.webhooks.setEventTypes({
        endpointId: endpoint.id,
        eventTypes: ['ticket.exploded' as 'sla.breached'],
      }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const before = bodiesAt('/all').length;
    const created = await manager().tickets.create(ticketInput({ category: 'watched', subject: 'Second' }));
    await apiAs(db, org.people.agent1, clock).tickets.addMessage({
      ticketId: created.ticket.id,
      body: 'On it.',
      from: 'agent',
    });
    await deliver();
    expect(
      bodiesAt('/all')
        .slice(before)
        .map((b) => b.type),
    ).toEqual(['ticket.created']);
  });

  it('given an endpoint, when an admin sends a test event, then it gets a signed sample payload and the answer is shown', async () => {
    // given
    const [endpoint] = (await admin().admin.webhooks.list()).filter((e) => e.url.endsWith('/mail'));
    if (!endpoint) throw new Error('no endpoint');
    // when
    const result = await admin().admin.webhooks.test({ endpointId: endpoint.id });
    // then
    expect(result).toMatchObject({ ok: true, statusCode: 200, error: null });
    const last = receiver.received.at(-1);
    if (!last) throw new Error('nothing received');
    expect(signedBy(last, secrets['/mail'] ?? '')).toBe(true);
    const body = JSON.parse(last.body) as Body;
    expect(body).toMatchObject({ v: 1, id: result.deliveryId, type: 'webhook.test' });
    expect(body.data).toMatchObject({
      test: true,
      ticket: { subject: expect.any(String) },
      message: { body: expect.any(String) },
    });
    // and a failing endpoint: the answer is shown, logged, not retried
    receiver.answer([503]);
    const failed = await admin().admin.webhooks.test({ endpointId: endpoint.id });
    expect(failed).toMatchObject({ ok: false, statusCode: 503, error: 'The endpoint answered HTTP 503.' });
    const log = await admin().admin.webhooks.deliveries({ endpointId: endpoint.id, limit: 50 });
    expect(log.find((d) => d.id === failed.deliveryId)).toMatchObject({
      eventType: 'webhook.test',
      status: 'failed',
    });
    const sent = receiver.received.length;
    clock.advance(MINUTE);
    await deliverDueWebhooks(db, clock.now());
    expect(receiver.received.length).toBe(sent);
  });
});

import { runDueEffects } from '@stepwise/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveHubOf, subscribeChanges } from '../../packages/api/src/live/hub.ts';
import { fireDueTimers } from '../../packages/api/src/runtime/fireDueTimers.ts';
import {
  apiAs,
  createRuntimeOrg,
  fakeClock,
  loopDocument,
  type Person,
  publishFlow,
  type RuntimeOrg,
  ticketInput,
} from '../support/runtimeFixture.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

describe.each(backends())('in-app notifications (%s)', (backend) => {
  let db: TestDb;
  let org: RuntimeOrg;
  const clock = fakeClock();

  beforeAll(async () => {
    db = await openTestDb(backend);
    org = await createRuntimeOrg(db, 'Notify Ltd', clock.now());
    // Every ticket starts at "Work the ticket" (Billing, 60-minute SLA), unassigned.
    await publishFlow(db, org, 'Work', loopDocument({ trigger: 'auto' }), 10);
  });
  afterAll(async () => {
    await db.dispose();
  });

  const as = (person: Person) => apiAs(db, person, clock);
  const listOf = (person: Person) => as(person).notifications.list({ limit: 50 });
  const newTicket = async (subject: string) =>
    (await as(org.people.manager).tickets.create(ticketInput({ subject }))).ticket;
  /** One round of the outbox, as the runtime loop runs it. */
  const runOutbox = () => runDueEffects(db, clock.now());

  it('given a ticket, when a manager assigns it to an agent, then the agent (and nobody else) is notified once the outbox has run, once however often it runs', async () => {
    // given
    const ticket = await newTicket('Assigned by the manager');
    // when
    await as(org.people.manager).tickets.assign({
      ticketId: ticket.id,
      assigneeId: org.people.agent1.userId,
    });
    // then: written with the move, performed after its commit
    expect((await listOf(org.people.agent1)).items.filter((n) => n.ticketId === ticket.id)).toEqual([]);
    await runOutbox();
    await runOutbox();
    const list = await listOf(org.people.agent1);
    const mine = list.items.filter((n) => n.ticketId === ticket.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      kind: 'assigned',
      ticketNumber: ticket.number,
      subject: 'Assigned by the manager',
      customerName: 'Ines Duarte',
      readAt: null,
    });
    expect(list.unread).toBeGreaterThanOrEqual(1);
    for (const other of [org.people.agent2, org.people.manager]) {
      expect((await listOf(other)).items.filter((n) => n.ticketId === ticket.id)).toEqual([]);
    }
  });

  it('given a ticket, when an agent takes it themselves, then nobody is notified', async () => {
    // given
    const ticket = await newTicket('Taken by the agent');
    // when
    await as(org.people.agent1).tickets.assign({ ticketId: ticket.id, assigneeId: org.people.agent1.userId });
    await runOutbox();
    // then
    expect((await listOf(org.people.agent1)).items.filter((n) => n.ticketId === ticket.id)).toEqual([]);
  });

  it('given a ticket assigned to an agent, when the customer replies, then the agent is notified at once (with the message), an agent reply notifies nobody', async () => {
    // given
    const ticket = await newTicket('Customer writes back');
    await as(org.people.agent1).tickets.assign({ ticketId: ticket.id, assigneeId: org.people.agent1.userId });
    // when
    await as(org.people.agent2).tickets.addMessage({
      ticketId: ticket.id,
      from: 'agent',
      body: 'We are on it.',
    });
    await as(org.people.agent1).tickets.addMessage({
      ticketId: ticket.id,
      from: 'customer',
      body: 'Any news?',
    });
    // then
    const mine = (await listOf(org.people.agent1)).items.filter((n) => n.ticketId === ticket.id);
    expect(mine.map((n) => n.kind)).toEqual(['customer_replied']);
  });

  it('given a ticket assigned to an agent, when its SLA breaches, then the agent is notified of the breach; an unassigned ticket breaching notifies nobody', async () => {
    // given
    const mine = await newTicket('Breaches on me');
    await as(org.people.manager).tickets.assign({ ticketId: mine.id, assigneeId: org.people.agent1.userId });
    const nobodys = await newTicket('Breaches on nobody');
    await runOutbox();
    const before = (await listOf(org.people.agent1)).unread;
    // when: past the 60-minute SLA
    clock.advance(61 * 60_000);
    await fireDueTimers(db, clock.now());
    await runOutbox();
    // then
    const after = await listOf(org.people.agent1);
    expect(after.items.filter((n) => n.ticketId === mine.id).map((n) => n.kind)).toEqual([
      'breached',
      'assigned',
    ]);
    // Every ticket of the agent's breached at once (this one and the three of the tests before): one each.
    const breached = after.items.filter((n) => n.kind === 'breached').map((n) => n.subject);
    expect(breached.sort()).toEqual(
      ['Assigned by the manager', 'Breaches on me', 'Customer writes back', 'Taken by the agent'].sort(),
    );
    expect(after.unread).toBe(before + 4);
    for (const person of Object.values(org.people)) {
      expect((await listOf(person)).items.filter((n) => n.ticketId === nobodys.id)).toEqual([]);
    }
  });

  it('given notifications, when one is marked read, then the unread count drops by one; another person’s id is NOT_FOUND and changes nothing; mark all read leaves none unread', async () => {
    // given
    const list = await listOf(org.people.agent1);
    const unread = list.items.filter((n) => n.readAt === null);
    expect(unread.length).toBeGreaterThanOrEqual(3);
    const first = unread[0];
    if (!first) throw new Error('no unread notification');
    // when
    await as(org.people.agent1).notifications.markRead({ notificationIds: [first.id] });
    // then
    const after = await listOf(org.people.agent1);
    expect(after.unread).toBe(list.unread - 1);
    expect(after.items.find((n) => n.id === first.id)?.readAt).not.toBeNull();
    // when: someone else names agent1's notification
    const second = unread[1];
    if (!second) throw new Error('no second unread notification');
    await expect(
      as(org.people.agent2).notifications.markRead({ notificationIds: [second.id] }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await listOf(org.people.agent1)).unread).toBe(after.unread);
    // when
    await as(org.people.agent1).notifications.markAllRead();
    // then
    expect((await listOf(org.people.agent1)).unread).toBe(0);
  });

  it('given a page listening to the organization’s changes, when the outbox writes a notification, then a change is announced after the row exists', async () => {
    // given
    const ticket = await newTicket('Heard live');
    const hub = liveHubOf(db);
    await hub.start();
    const abort = new AbortController();
    const changes = subscribeChanges(
      hub,
      org.orgId,
      (c) => c.ticketId === ticket.id && c.message === true,
      abort.signal,
    );
    try {
      await as(org.people.manager).tickets.assign({
        ticketId: ticket.id,
        assigneeId: org.people.agent2.userId,
      });
      // when
      await runOutbox();
      // then: the announcement comes, and by then the notification is there to read
      const heard = await Promise.race([
        changes.next(),
        new Promise<null>((resolve) => setTimeout(() => resolve(null), 5_000)),
      ]);
      expect(heard).not.toBeNull();
      const mine = (await listOf(org.people.agent2)).items.filter((n) => n.ticketId === ticket.id);
      expect(mine.map((n) => n.kind)).toEqual(['assigned']);
    } finally {
      changes.close();
      abort.abort();
    }
  });

  it('given bad input, when listing or marking, then a typed BAD_REQUEST and nothing written', async () => {
    await expect(as(org.people.agent1).notifications.list({ limit: 500 })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    await expect(
      as(org.people.agent1).notifications.markRead({ notificationIds: ['not-an-id'] }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(as(org.people.agent1).notifications.markRead({ notificationIds: [] })).rejects.toMatchObject(
      {
        code: 'BAD_REQUEST',
      },
    );
  });
});

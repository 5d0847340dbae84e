import { createCaller, createContextFactory } from '@stepwise/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trpcError } from '../support/apiSession.ts';
import { checkInvariants } from '../support/invariants.ts';
import { handWorkDocument } from '../support/runtimeDocs.ts';
import {
  apiAs,
  createRuntimeOrg,
  eventCount,
  fakeClock,
  newKey,
  publishFlow,
  type RuntimeOrg,
  ticketInput,
} from '../support/runtimeFixture.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

const MINUTE = 60_000;

/**
 * Working a ticket beyond its step: internal notes (agents only), hand edits whose new values the flow's
 * decisions see, reassignment with a reason, a reply sent with a step's outcome, bulk actions with one
 * compare-and-set per ticket, and the customer's other tickets. Every change is a move of the one
 * pipeline: replaying each ticket's events gives back its row.
 */
describe.each(backends())('agent work (%s)', (backend) => {
  let db: TestDb;
  let org: RuntimeOrg;
  const clock = fakeClock();
  const manager = () => apiAs(db, org.people.manager, clock);
  const agent1 = () => apiAs(db, org.people.agent1, clock);
  const outsider = () => apiAs(db, org.people.outsider, clock);

  beforeAll(async () => {
    db = await openTestDb(backend);
    org = await createRuntimeOrg(db, 'Work Ltd', clock.now());
    await publishFlow(db, org, 'Hand work', handWorkDocument(), 10);
    // An endpoint that chose every event type it can: notes must still never reach it.
    await apiAs(db, org.people.admin, clock).admin.webhooks.create({
      url: 'https://hooks.example.test/everything',
      description: 'Everything',
    });
  });
  afterAll(async () => {
    await db?.dispose();
  });

  const newTicket = async (overrides: Record<string, unknown> = {}) => {
    clock.advance(MINUTE);
    const created = await manager().tickets.create(ticketInput({ category: 'hand-work', ...overrides }));
    return created.ticket;
  };

  describe('internal notes', () => {
    it('given a ticket, when an agent of its team adds a note, then the timeline shows it and the customer’s conversation, webhooks and token readers never see it', async () => {
      // given
      const ticket = await newTicket();
      const body = 'Internal: the courier lost the parcel, refund without asking for photos.';
      // when
      clock.advance(MINUTE);
      const page = await agent1().work.addNote({ ticketId: ticket.id, body });
      // then: a note.added event with its author, after the creation
      const note = page.events.find((e) => e.type === 'note.added');
      expect(note?.actorName).toBe(org.people.agent1.name);
      expect(note?.data.input).toEqual({ type: 'note', body });
      expect(page.ticket.seq).toBe(ticket.seq + 1);
      expect(page.ticket.nodeId).toBe('assess');
      // and the conversation (what the customer is told) does not hold it
      expect(JSON.stringify(page.conversation)).not.toContain('courier lost');
      const messages = await db.query<{ body: string }>(
        'SELECT body FROM ticket_messages WHERE ticket_id = $1::uuid',
        [ticket.id],
      );
      expect(messages.filter((m) => m.body.includes('courier lost'))).toEqual([]);
      // and no webhook carries it: no delivery of its type, no message.created, no payload with its text
      const deliveries = await db.query<{ event_type: string; payload: unknown }>(
        'SELECT event_type, payload FROM webhook_deliveries WHERE ticket_id = $1::uuid',
        [ticket.id],
      );
      expect(deliveries.map((d) => d.event_type)).toEqual(['ticket.created']);
      expect(JSON.stringify(deliveries)).not.toContain('courier lost');
      // and another system reading the ticket with a token does not get it
      const { token } = await apiAs(db, org.people.admin, clock).admin.tokens.create({
        name: 'Chat widget',
        scopes: ['tickets:read'],
      });
      const createContext = createContextFactory({ db });
      const widget = createCaller(
        await createContext({ headers: new Headers({ authorization: `Bearer ${token}` }) }),
      );
      const seen = await widget.tickets.get({ ticketId: ticket.id });
      expect(JSON.stringify(seen)).not.toContain('courier lost');
      expect(seen.ticket.seq).toBe(page.ticket.seq);
    });

    it('given an agent on no team of the ticket, when they add a note, then FORBIDDEN and nothing is written; an empty note is refused', async () => {
      // given
      const ticket = await newTicket();
      const before = await eventCount(db, ticket.id);
      // when / then
      expect((await trpcError(outsider().work.addNote({ ticketId: ticket.id, body: 'Hi' }))).code).toBe(
        'FORBIDDEN',
      );
      expect((await trpcError(agent1().work.addNote({ ticketId: ticket.id, body: '   ' }))).code).toBe(
        'BAD_REQUEST',
      );
      expect(await eventCount(db, ticket.id)).toBe(before);
    });
  });

  describe('edits', () => {
    it('given a normal-priority ticket, when its priority is edited to urgent, then a ticket.edited event holds old and new values and the decision after the step takes the urgent branch', async () => {
      // given two alike tickets
      const edited = await newTicket({ subject: 'Parcel lost, customer furious' });
      const control = await newTicket({ subject: 'Parcel lost, customer patient' });
      // when one is made urgent, tagged and given an order reference
      clock.advance(MINUTE);
      const page = await agent1().work.edit({
        ticketId: edited.id,
        expectedSeq: edited.seq,
        priority: 'urgent',
        tags: ['courier'],
        fields: { order_ref: 'A-77' },
      });
      // then
      expect(page.ticket.priority).toBe('urgent');
      expect(page.ticket.tags).toEqual(['courier']);
      expect(page.ticket.fields.order_ref).toBe('A-77');
      const event = page.events.at(-1);
      expect(event?.type).toBe('ticket.edited');
      expect(event?.data).toMatchObject({
        input: {
          type: 'edit',
          set: { priority: 'urgent', tags: ['courier'], fields: { order_ref: 'A-77' } },
        },
        previous: { priority: 'normal', tags: [], fields: { order_ref: null } },
      });
      // and when both have "Assess" done, the edited one goes to "Expedite", the other ends
      for (const t of [edited, control]) {
        const now = await manager().tickets.get({ ticketId: t.id });
        await manager().tickets.complete({
          ticketId: t.id,
          expectedSeq: now.ticket.seq,
          nodeId: 'assess',
          outcomeId: 'done',
          idempotencyKey: newKey(),
        });
      }
      expect((await manager().tickets.get({ ticketId: edited.id })).ticket.nodeId).toBe('expedite');
      expect((await manager().tickets.get({ ticketId: control.id })).ticket.status).toBe('ended');
    });

    it('given an edit that changes nothing, then no event; given a stale sequence number, then CONFLICT and nothing is written', async () => {
      // given
      const ticket = await newTicket();
      // when the priority is set to what it is
      const same = await manager().work.edit({ ticketId: ticket.id, priority: 'normal' });
      // then
      expect(same.ticket.seq).toBe(ticket.seq);
      // when someone moves it first, an edit made on what was seen before is refused
      await manager().work.addNote({ ticketId: ticket.id, body: 'Looked at it.' });
      const error = await trpcError(
        agent1().work.edit({ ticketId: ticket.id, expectedSeq: ticket.seq, priority: 'high' }),
      );
      expect(error.code).toBe('CONFLICT');
      const after = await manager().tickets.get({ ticketId: ticket.id });
      expect(after.ticket.priority).toBe('normal');
      expect(after.ticket.seq).toBe(ticket.seq + 1);
    });
  });

  describe('reassignment', () => {
    it('given a ticket of Billing, when an agent hands it to a named agent and then to Technical with reasons, then each is a ticket.reassigned event with its reason', async () => {
      // given
      const ticket = await newTicket();
      expect(ticket.teamId).toBe(org.teams.billing);
      // when
      clock.advance(MINUTE);
      const toAgent = await agent1().work.reassign({
        ticketId: ticket.id,
        assigneeId: org.people.agent2.userId,
        reason: 'Agent 2 handled this customer before.',
      });
      clock.advance(MINUTE);
      const toTeam = await manager().work.reassign({
        ticketId: ticket.id,
        teamId: org.teams.technical,
        reason: 'Courier integrations are Technical’s.',
      });
      // then
      expect(toAgent.ticket.assigneeId).toBe(org.people.agent2.userId);
      expect(toAgent.ticket.teamId).toBe(org.teams.billing);
      expect(toAgent.events.at(-1)?.data.input).toEqual({
        type: 'reassign',
        teamId: org.teams.billing,
        assigneeId: org.people.agent2.userId,
        reason: 'Agent 2 handled this customer before.',
      });
      expect(toTeam.ticket.teamId).toBe(org.teams.technical);
      expect(toTeam.ticket.assigneeId).toBeNull();
      expect(toTeam.events.at(-1)?.type).toBe('ticket.reassigned');
      // and agent2 (Technical) now sees it in their queue
      const queue = await apiAs(db, org.people.agent2, clock).tickets.queue({ scope: 'teams' });
      expect(queue.map((r) => r.id)).toContain(ticket.id);
    });

    it('given bad reassignments, then each is refused with its reason and nothing is written', async () => {
      // given
      const ticket = await newTicket();
      const before = await eventCount(db, ticket.id);
      // when / then
      const noReason = await trpcError(
        manager().work.reassign({ ticketId: ticket.id, teamId: org.teams.technical, reason: ' ' }),
      );
      expect(noReason.code).toBe('BAD_REQUEST');
      const noTarget = await trpcError(manager().work.reassign({ ticketId: ticket.id, reason: 'Why not' }));
      expect(noTarget.code).toBe('BAD_REQUEST');
      const unknownTeam = await trpcError(
        manager().work.reassign({
          ticketId: ticket.id,
          teamId: '00000000-0000-4000-8000-000000000000',
          reason: 'Elsewhere',
        }),
      );
      expect(unknownTeam.code).toBe('NOT_FOUND');
      const stranger = await trpcError(
        outsider().work.reassign({ ticketId: ticket.id, teamId: org.teams.technical, reason: 'Mine now' }),
      );
      expect(stranger.code).toBe('FORBIDDEN');
      expect(await eventCount(db, ticket.id)).toBe(before);
    });
  });

  describe('reply and mark an outcome', () => {
    it('given a ticket at a step, when the agent replies and marks Done in one action, then the reply and the move land together, and a retry adds nothing', async () => {
      // given
      const ticket = await newTicket();
      const key = newKey();
      const input = {
        ticketId: ticket.id,
        expectedSeq: ticket.seq,
        nodeId: 'assess',
        outcomeId: 'done',
        idempotencyKey: key,
        reply: 'We have refunded your order; it will show within 3 days.',
      };
      // when
      clock.advance(MINUTE);
      const done = await agent1().tickets.complete(input);
      const again = await agent1().tickets.complete(input);
      // then
      expect(done.ticket.status).toBe('ended');
      expect(done.messages[0]).toMatchObject({
        authorKind: 'agent',
        authorName: org.people.agent1.name,
        body: input.reply,
      });
      expect(again).toEqual(done);
      const page = await manager().tickets.get({ ticketId: ticket.id });
      expect(page.conversation.filter((m) => m.body === input.reply)).toHaveLength(1);
      expect(page.events.filter((e) => e.type === 'step.completed')).toHaveLength(1);
    });

    it('given the ticket moved first, when the agent replies and marks Done, then CONFLICT and no reply is written', async () => {
      // given
      const ticket = await newTicket();
      await manager().work.addNote({ ticketId: ticket.id, body: 'Taking a look.' });
      // when
      const error = await trpcError(
        agent1().tickets.complete({
          ticketId: ticket.id,
          expectedSeq: ticket.seq,
          nodeId: 'assess',
          outcomeId: 'done',
          idempotencyKey: newKey(),
          reply: 'This reply must not be sent.',
        }),
      );
      // then
      expect(error.code).toBe('CONFLICT');
      const rows = await db.query('SELECT 1 FROM ticket_messages WHERE ticket_id = $1::uuid AND body = $2', [
        ticket.id,
        'This reply must not be sent.',
      ]);
      expect(rows).toEqual([]);
    });
  });

  describe('bulk actions', () => {
    it('given 50 selected queue rows of which 5 moved meanwhile, when a manager bulk-assigns them, then 45 are applied and the 5 are reported with where they are now', async () => {
      // given 50 tickets as the queue shows them
      const created = [];
      for (let i = 0; i < 50; i++) created.push(await newTicket({ subject: `Bulk ${i}` }));
      const selected = created.map((t) => ({ ticketId: t.id, expectedSeq: t.seq }));
      // and 5 moved by others at once, after the queue was read
      const moved = created.slice(10, 15);
      await Promise.all(
        moved.map((t, i) =>
          i % 2 === 0
            ? agent1().tickets.assign({ ticketId: t.id, assigneeId: org.people.agent1.userId })
            : apiAs(db, org.people.agent1, clock).work.addNote({ ticketId: t.id, body: 'Mine.' }),
        ),
      );
      // when
      const result = await manager().work.bulk({
        tickets: selected,
        action: { kind: 'assign', assigneeId: org.people.agent2.userId },
      });
      // then
      expect(result.applied).toBe(45);
      expect(result.failed).toBe(5);
      const reported = result.results.filter((r) => r.outcome !== 'applied');
      expect(reported.map((r) => r.ticketId).sort()).toEqual(moved.map((t) => t.id).sort());
      expect(reported.every((r) => r.outcome === 'conflict' && r.seq === 2)).toBe(true);
      // and each applied ticket moved exactly once, to agent2; the 5 kept what the others did
      const rows = await db.query<{ id: string; assignee_id: string | null; seq: number }>(
        'SELECT id, assignee_id, seq FROM tickets WHERE id = ANY($1::uuid[])',
        [created.map((t) => t.id)],
      );
      const movedIds = new Set(moved.map((t) => t.id));
      for (const row of rows) {
        expect(row.seq).toBe(2);
        if (!movedIds.has(row.id)) expect(row.assignee_id).toBe(org.people.agent2.userId);
        else expect(row.assignee_id).not.toBe(org.people.agent2.userId);
      }
    });

    it('given tickets a bulk action and other agents move at the same moment, then every contested ticket is moved by exactly one of them', async () => {
      // given
      const created = [];
      for (let i = 0; i < 10; i++) created.push(await newTicket({ subject: `Race ${i}` }));
      const contested = created.slice(0, 5);
      // when the bulk and five single moves race on the same sequence numbers
      const [bulk, ...singles] = await Promise.all([
        manager().work.bulk({
          tickets: created.map((t) => ({ ticketId: t.id, expectedSeq: t.seq })),
          action: { kind: 'priority', priority: 'high' },
        }),
        ...contested.map((t) =>
          agent1()
            .work.edit({ ticketId: t.id, expectedSeq: t.seq, priority: 'low' })
            .then(
              () => 'applied' as const,
              (error: { code?: string }) => error.code ?? 'thrown',
            ),
        ),
      ]);
      // then each contested ticket has exactly one winner; the uncontested are all applied
      contested.forEach((t, i) => {
        const bulkRow = bulk.results.find((r) => r.ticketId === t.id);
        const bulkWon = bulkRow?.outcome === 'applied';
        const singleWon = singles[i] === 'applied';
        expect(bulkWon !== singleWon).toBe(true);
        if (!bulkWon) expect(bulkRow?.outcome).toBe('conflict');
        else expect(singles[i]).toBe('CONFLICT');
      });
      expect(bulk.results.slice(5).every((r) => r.outcome === 'applied')).toBe(true);
      const seqs = await db.query<{ seq: number }>('SELECT seq FROM tickets WHERE id = ANY($1::uuid[])', [
        created.map((t) => t.id),
      ]);
      expect(seqs.every((r) => r.seq === 2)).toBe(true);
    });

    it('given an agent, when they bulk-take tickets of their team and one of a team they are not on, then theirs are taken and the other is reported forbidden; a tag already there is unchanged', async () => {
      // given
      const ours = await newTicket({ subject: 'Take me' });
      const theirs = await newTicket({ subject: 'Not yours' });
      await manager().work.reassign({
        ticketId: theirs.id,
        teamId: org.teams.technical,
        reason: 'Technical',
      });
      const agent = apiAs(db, org.people.agent2, clock); // Technical only
      const fresh = await manager().tickets.get({ ticketId: theirs.id });
      // when
      const taken = await apiAs(db, org.people.outsider, clock).work.bulk({
        tickets: [{ ticketId: ours.id, expectedSeq: ours.seq }],
        action: { kind: 'take' },
      });
      const tagged = await agent.work.bulk({
        tickets: [{ ticketId: theirs.id, expectedSeq: fresh.ticket.seq }],
        action: { kind: 'tag', tag: 'courier' },
      });
      const retag = await agent.work.bulk({
        tickets: [{ ticketId: theirs.id, expectedSeq: fresh.ticket.seq + 1 }],
        action: { kind: 'tag', tag: 'courier' },
      });
      // then
      expect(taken.results[0]?.outcome).toBe('forbidden');
      expect(tagged.results[0]?.outcome).toBe('applied');
      expect(retag.results[0]).toMatchObject({ outcome: 'unchanged', seq: fresh.ticket.seq + 1 });
      const page = await manager().tickets.get({ ticketId: theirs.id });
      expect(page.ticket.tags).toEqual(['courier']);
    });
  });

  describe('customer context', () => {
    it('given a customer with open, ended and rated tickets, when an agent opens one, then the others are listed by email with their CSAT and tier, and nobody else’s', async () => {
      // given
      const email = `kai-${backend}@example.com`;
      const customer = { name: 'Kai Moreno', email, tier: 'vip' };
      const first = await newTicket({ subject: 'First order late', customer });
      await manager().tickets.complete({
        ticketId: first.id,
        expectedSeq: first.seq,
        nodeId: 'assess',
        outcomeId: 'done',
        idempotencyKey: newKey(),
      });
      // The customer rated it (the rating's own path is covered by the feedback tests).
      await db.query('UPDATE tickets SET csat_score = 4, csat_comment = $2 WHERE id = $1::uuid', [
        first.id,
        'Fine',
      ]);
      const second = await newTicket({ subject: 'Second order late', customer });
      const current = await newTicket({ subject: 'Third order late', customer });
      await newTicket({ subject: 'Someone else', customer: { ...customer, email: 'other@example.com' } });
      // when
      const context = await agent1().work.customer({ ticketId: current.id });
      // then
      expect(context.customer).toEqual({ name: 'Kai Moreno', email, tier: 'vip' });
      expect(context.total).toBe(3);
      expect(context.open.map((t) => t.id)).toEqual([second.id]);
      expect(context.previous.map((t) => ({ id: t.id, csat: t.csatScore }))).toEqual([
        { id: first.id, csat: 4 },
      ]);
      expect(context.csat).toEqual({ count: 1, mean: 4 });
    });
  });

  it('given everything above, when every ticket of the organization is replayed, then each replays to its row', async () => {
    expect(await checkInvariants(db, { orgId: org.orgId })).toEqual([]);
  });
});

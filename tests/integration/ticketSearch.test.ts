import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketListRow } from '../../packages/api/src/runtime/queue.ts';
import { trpcError } from '../support/apiSession.ts';
import {
  apiAs,
  createRuntimeOrg,
  fakeClock,
  publishFlow,
  type RuntimeOrg,
  template,
  ticketInput,
} from '../support/runtimeFixture.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

type Who = keyof RuntimeOrg['people'];
type ListInput = Parameters<ReturnType<typeof apiAs>['tickets']['list']>[0];

describe.each(backends())('ticket search, sorts and pages (%s)', (backend) => {
  let db: TestDb;
  let org: RuntimeOrg;
  let other: RuntimeOrg;
  const clock = fakeClock();
  const api = (who: Who, o: RuntimeOrg = org) => apiAs(db, o.people[who], clock);

  /** Every page of a list, following the cursors; `between` runs after each page but the last. */
  async function everyPage(
    who: Who,
    input: Exclude<ListInput, undefined>,
    between?: (page: number) => Promise<void>,
  ): Promise<TicketListRow[]> {
    const rows: TicketListRow[] = [];
    let cursor: string | null = null;
    let page = 0;
    do {
      const answer = await api(who).tickets.list({ ...input, ...(cursor ? { cursor } : {}) });
      rows.push(...answer.tickets);
      cursor = answer.nextCursor;
      page++;
      if (cursor && between) await between(page);
    } while (cursor !== null);
    return rows;
  }

  beforeAll(async () => {
    db = await openTestDb(backend);
    org = await createRuntimeOrg(db, 'Acme', clock.now());
    other = await createRuntimeOrg(db, 'Globex', clock.now());
    await publishFlow(db, org, 'Refund request', template('refund-request'), 10);
    await publishFlow(db, org, 'Ticket resolution', template('ticket-resolution'), 20);
    await publishFlow(db, other, 'Ticket resolution', template('ticket-resolution'), 20);
  });
  afterAll(async () => {
    await db.dispose();
  });

  describe('search', () => {
    it('given tickets with words in their subject, customer, description and messages, when an agent searches, then each is found by any of them and no other organization’s is', async () => {
      // given
      const manager = api('manager');
      const bySubject = await manager.tickets.create(
        ticketInput({ subject: 'Invoice shows a duplicated surcharge' }),
      );
      const byEmail = await manager.tickets.create(
        ticketInput({
          subject: 'Cannot log in',
          customer: { name: 'Mireille Okafor', email: 'mireille.okafor@lumen.example', tier: 'vip' },
        }),
      );
      const byMessage = await manager.tickets.create(ticketInput({ subject: 'Question about my order' }));
      await api('agent1').tickets.addMessage({
        ticketId: byMessage.ticket.id,
        body: 'The courier left the parcel with a neighbour called Zbigniew.',
        from: 'customer',
      });
      const byDescription = await manager.tickets.create(
        ticketInput({ subject: 'Broken item', description: 'The kettle whistles like a harmonica.' }),
      );
      await api('manager', other).tickets.create(
        ticketInput({ subject: 'Invoice shows a duplicated surcharge elsewhere' }),
      );
      const find = async (search: string) =>
        (await api('agent2').tickets.list({ search, limit: 200 })).tickets.map((t) => t.id);
      // when / then: a word of the subject, whole or as a prefix, in any case
      expect(await find('surcharge')).toEqual([bySubject.ticket.id]);
      expect(await find('DUPLIC surch')).toEqual([bySubject.ticket.id]);
      // the customer's email, whole or by a part of it, and their name
      expect(await find('mireille.okafor@lumen.example')).toEqual([byEmail.ticket.id]);
      expect(await find('lumen')).toEqual([byEmail.ticket.id]);
      expect(await find('Okafor')).toEqual([byEmail.ticket.id]);
      // a word of a customer's message; words from different parts of one ticket find it together
      expect(await find('zbigniew')).toEqual([byMessage.ticket.id]);
      expect(await find('zbigniew order')).toEqual([byMessage.ticket.id]);
      expect(await find('zbigniew surcharge')).toEqual([]);
      // the description
      expect(await find('harmonica')).toEqual([byDescription.ticket.id]);
      // a ticket number
      expect(await find(`#${byEmail.ticket.number}`)).toEqual([byEmail.ticket.id]);
    });

    it('given odd characters in a search, when it runs, then it answers (maybe empty) instead of failing', async () => {
      for (const search of [
        "'",
        '\\',
        ':*',
        '& | ! ( )',
        "o'brien",
        '<->',
        '""',
        '@@',
        '%_',
        '-',
        '1:2',
        'é',
      ])
        await expect(api('agent1').tickets.list({ search })).resolves.toMatchObject({
          tickets: expect.any(Array),
        });
    });

    it('given a message added after the ticket, when it is searched for, then the new words are found at once', async () => {
      // given
      const ticket = await api('manager').tickets.create(ticketInput({ subject: 'Late delivery' }));
      expect((await api('agent1').tickets.list({ search: 'quetzal' })).tickets).toEqual([]);
      // when
      await api('agent1').tickets.addMessage({
        ticketId: ticket.ticket.id,
        body: 'We found your quetzal figurine in the warehouse.',
        from: 'agent',
      });
      // then
      expect((await api('agent1').tickets.list({ search: 'quetzal' })).tickets.map((t) => t.id)).toEqual([
        ticket.ticket.id,
      ]);
    });
  });

  it('given a ticket moving along its flow, when its text does not change, then its search entry is not rewritten; when it does, the new words are found', async () => {
    // The move statement sets every column, subject and customer included: the index must not be rebuilt
    // for a move that leaves the text alone (it was, on every step, before the trigger compared values).
    const ticket = await api('manager').tickets.create(ticketInput({ subject: 'Parcel stuck in customs' }));
    const version = async () => {
      const [row] = await db.query<{ v: string }>(
        `SELECT xmin::text AS v FROM ticket_search WHERE org_id = $1::uuid AND ticket_id = $2::uuid AND part = 'ticket'`,
        [org.orgId, ticket.ticket.id],
      );
      return row?.v;
    };
    const before = await version();
    expect(before).toBeDefined();
    const taken = await api('agent1').tickets.assign({
      ticketId: ticket.ticket.id,
      assigneeId: org.people.agent1.userId,
      expectedSeq: ticket.ticket.seq,
    });
    expect(taken.ticket.seq).toBe(ticket.ticket.seq + 1);
    expect(await version()).toBe(before);
    // The text changed by hand (the same UPDATE a data fix would make): indexed again at once.
    await db.query(`UPDATE tickets SET subject = 'Parcel stuck at the border' WHERE id = $1::uuid`, [
      ticket.ticket.id,
    ]);
    expect(await version()).not.toBe(before);
    expect((await api('agent1').tickets.list({ search: 'border' })).tickets.map((t) => t.id)).toEqual([
      ticket.ticket.id,
    ]);
  });

  describe('sorts and pages', () => {
    const PRIORITY_RANK: Record<string, number> = { urgent: 0, high: 1, normal: 2, low: 3 };
    const due = (t: TicketListRow) =>
      t.slaDueAt === null ? Number.POSITIVE_INFINITY : Date.parse(t.slaDueAt);

    beforeAll(async () => {
      const priorities = ['low', 'normal', 'high', 'urgent'] as const;
      for (let i = 0; i < 22; i++) {
        clock.advance(61_000);
        await api('manager').tickets.create(
          ticketInput({
            subject: `Batch ticket ${i}`,
            priority: priorities[i % 4],
            channel: i % 3 ? 'email' : 'chat',
          }),
        );
      }
    });

    it.each([
      [
        'sla',
        (a: TicketListRow, b: TicketListRow) =>
          due(a) - due(b) || PRIORITY_RANK[a.priority]! - PRIORITY_RANK[b.priority]! || a.number - b.number,
      ],
      [
        'priority',
        (a: TicketListRow, b: TicketListRow) =>
          PRIORITY_RANK[a.priority]! - PRIORITY_RANK[b.priority]! || due(a) - due(b) || a.number - b.number,
      ],
      ['oldest', (a: TicketListRow, b: TicketListRow) => a.number - b.number],
      ['newest', (a: TicketListRow, b: TicketListRow) => b.number - a.number],
      [
        'updated',
        (a: TicketListRow, b: TicketListRow) =>
          Date.parse(b.updatedAt) - Date.parse(a.updatedAt) || b.number - a.number,
      ],
    ] as const)(
      'given tickets arriving while an agent pages through the %s order, when every page is read, then each ticket there at the start comes exactly once, in order',
      async (sort, compare) => {
        // given
        const before = (
          await db.query<{ id: string }>('SELECT id FROM tickets WHERE org_id = $1::uuid', [org.orgId])
        ).map((r) => r.id);
        const added: string[] = [];
        // when: three new tickets (one urgent, due soonest) arrive after each page
        const rows = await everyPage('agent1', { sort, limit: 4 }, async (page) => {
          if (page > 3) return;
          for (const priority of ['urgent', 'low', 'normal'] as const) {
            clock.advance(1_000);
            const created = await api('manager').tickets.create(
              ticketInput({ subject: `Arrived during ${sort} page ${page}`, priority }),
            );
            added.push(created.ticket.id);
          }
        });
        // then
        const ids = rows.map((r) => r.id);
        expect(new Set(ids).size).toBe(ids.length);
        const original = ids.filter((id) => !added.includes(id));
        expect([...original].sort()).toEqual([...before].sort());
        expect(rows.filter((r) => before.includes(r.id))).toEqual(
          [...rows.filter((r) => before.includes(r.id))].sort(compare),
        );
      },
    );

    it('given a cursor from another sort or a made-up one, when it is used, then a clear BAD_REQUEST', async () => {
      const first = await api('agent1').tickets.list({ sort: 'sla', limit: 2 });
      expect(first.nextCursor).not.toBeNull();
      const other = await trpcError(
        api('agent1').tickets.list({ sort: 'priority', limit: 2, cursor: first.nextCursor }),
      );
      expect(other.code).toBe('BAD_REQUEST');
      expect(other.message).toContain('start again from the first page');
      const forged = Buffer.from(
        JSON.stringify({ s: 'sla', k: ["x'; DROP TABLE tickets; --", '1', '2'] }),
      ).toString('base64url');
      expect((await trpcError(api('agent1').tickets.list({ sort: 'sla', cursor: forged }))).code).toBe(
        'BAD_REQUEST',
      );
    });
  });
});

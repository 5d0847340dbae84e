import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketListRow } from '../../packages/api/src/runtime/queue.ts';
import type { SavedViewQuery } from '../../packages/api/src/routers/views.ts';
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
const PEOPLE: Who[] = ['agent1', 'agent2', 'outsider', 'manager', 'admin'];

describe.each(backends())('queue views (%s)', (backend) => {
  let db: TestDb;
  let org: RuntimeOrg;
  let other: RuntimeOrg;
  const clock = fakeClock();
  const api = (who: Who, o: RuntimeOrg = org) => apiAs(db, o.people[who], clock);
  const ids: Record<string, string> = {};

  async function everyPage(who: Who, input: Record<string, unknown>): Promise<TicketListRow[]> {
    const rows: TicketListRow[] = [];
    let cursor: string | null = null;
    do {
      const answer = await api(who).tickets.list({ ...input, limit: 3, ...(cursor ? { cursor } : {}) });
      rows.push(...answer.tickets);
      cursor = answer.nextCursor;
    } while (cursor !== null);
    return rows;
  }

  const set = (id: string | undefined, assignments: string, params: unknown[] = []) =>
    db.query(`UPDATE tickets SET ${assignments} WHERE id = $1::uuid`, [id, ...params]);

  beforeAll(async () => {
    db = await openTestDb(backend);
    org = await createRuntimeOrg(db, 'Acme', clock.now());
    other = await createRuntimeOrg(db, 'Globex', clock.now());
    await publishFlow(db, org, 'Ticket resolution', template('ticket-resolution'), 20);
    await publishFlow(db, other, 'Ticket resolution', template('ticket-resolution'), 20);
    // Every new ticket waits at triage, for the Technical team (agent1 and agent2).
    const names = [
      'technical',
      'mine1',
      'mine2',
      'billing',
      'breached',
      'reply',
      'duration',
      'closed',
      'oldClosed',
      'unrouted',
    ];
    for (const name of names) {
      const created = await api('manager').tickets.create(ticketInput({ subject: `Ticket ${name}` }));
      ids[name] = created.ticket.id;
    }
    await api('manager', other).tickets.create(ticketInput({ subject: 'Elsewhere' }));
    // The states the views tell apart, written directly (the runtime's own paths to them are tested elsewhere).
    await api('agent1').tickets.assign({ ticketId: ids.mine1!, assigneeId: org.people.agent1.userId });
    await api('manager').tickets.assign({ ticketId: ids.mine2!, assigneeId: org.people.agent2.userId });
    await set(ids.billing, 'team_id = $2::uuid', [org.teams.billing]);
    await set(ids.breached, 'sla_breached_at = $2::timestamptz', [clock.now().toISOString()]);
    await set(ids.reply, `status = 'waiting', sla_due_at = NULL`);
    await set(ids.duration, `status = 'waiting', sla_due_at = NULL`);
    await db.query(
      `INSERT INTO timers (org_id, ticket_id, seq, kind, node_id, due_at)
       SELECT org_id, id, seq, 'wait', 'pause', $2::timestamptz FROM tickets WHERE id = $1::uuid`,
      [ids.duration, new Date(clock.now().getTime() + 3_600_000).toISOString()],
    );
    const daysAgo = (n: number) => new Date(clock.now().getTime() - n * 86_400_000).toISOString();
    await set(ids.closed, `status = 'ended', end_status = 'resolved', closed_at = $2::timestamptz`, [
      daysAgo(1),
    ]);
    await set(ids.oldClosed, `status = 'ended', end_status = 'resolved', closed_at = $2::timestamptz`, [
      daysAgo(10),
    ]);
    await set(
      ids.unrouted,
      `status = 'unrouted', flow_id = NULL, version_id = NULL, node_id = NULL, team_id = NULL`,
    );
  });
  afterAll(async () => {
    await db.dispose();
  });

  it.each(PEOPLE)(
    "given tickets in every state, when %s lists the views, then each view's count is the length of its list",
    async (who) => {
      // when
      const views = await api(who).views.list();
      // then
      for (const view of views.builtIn) {
        const rows = await everyPage(who, { view: view.id, sort: 'sla' });
        expect({ view: view.id, count: view.count }).toEqual({ view: view.id, count: rows.length });
      }
    },
  );

  it('given the states, when the views are read, then each holds the tickets it names', async () => {
    const subjects = async (who: Who, view: string) =>
      (await everyPage(who, { view, sort: 'oldest' })).map((t) => t.subject.replace('Ticket ', '')).sort();
    expect(await subjects('agent1', 'mine')).toEqual(['mine1']);
    expect(await subjects('agent2', 'mine')).toEqual(['mine2']);
    // agent2 is in Technical only: the Billing ticket is not theirs; agent1 (both teams) has it
    expect(await subjects('agent2', 'teams')).not.toContain('billing');
    expect(await subjects('agent1', 'teams')).toContain('billing');
    expect(await subjects('agent1', 'unassigned')).not.toContain('mine1');
    expect(await subjects('manager', 'breached')).toEqual(['breached']);
    // waiting on the customer: the reply wait, not the wait for a duration
    expect(await subjects('manager', 'waiting')).toEqual(['reply']);
    expect(await subjects('manager', 'closed')).toEqual(['closed']);
    expect(await subjects('manager', 'unrouted')).toEqual(['unrouted']);
    // an agent in no team has no team tickets, but every open ticket is in "all"
    expect(await subjects('outsider', 'teams')).toEqual([]);
    expect(await subjects('outsider', 'unassigned')).toEqual([]);
    expect(await subjects('outsider', 'all')).toHaveLength(7);
  });

  it('given a manager in no team, when the queue opens, then the default view is every open ticket, and it is not empty', async () => {
    const views = await api('manager').views.list();
    expect(views.defaultView).toBe('all');
    expect(views.builtIn.find((v) => v.id === 'all')?.count).toBe(7);
    expect(views.builtIn.map((v) => v.id)).toContain('unrouted');
    const agent = await api('agent1').views.list();
    expect(agent.defaultView).toBe('teams');
    expect(agent.builtIn.map((v) => v.id)).not.toContain('unrouted');
    expect((await trpcError(api('agent1').tickets.list({ view: 'unrouted' }))).code).toBe('FORBIDDEN');
  });

  describe('saved views', () => {
    const urgentFirst: SavedViewQuery = { view: 'teams', priority: ['normal'], sort: 'priority' };

    it('given a view saved by agent1 for the Technical team, when each person lists views, then team members see it with the count of its list, others do not', async () => {
      // given
      const shared = await api('agent1').views.create({
        name: 'Normal for Technical',
        teamId: org.teams.technical,
        query: urgentFirst,
      });
      const own = await api('agent1').views.create({
        name: 'Chats about triage',
        query: { search: 'Ticket', sort: 'updated' },
      });
      // when
      const seen = async (who: Who) => (await api(who).views.list()).saved;
      // then: agent2 (Technical) sees the shared one only; the outsider and the manager neither
      expect((await seen('agent2')).map((v) => v.id)).toEqual([shared.id]);
      expect(await seen('outsider')).toEqual([]);
      expect(await seen('manager')).toEqual([]);
      const mine = await seen('agent1');
      expect(mine.map((v) => [v.name, v.mine, v.teamName])).toEqual([
        ['Chats about triage', true, null],
        ['Normal for Technical', true, 'Technical'],
      ]);
      // each count is its list's length, for whoever sees it (the view is relative to the reader)
      for (const who of ['agent1', 'agent2'] as const) {
        for (const view of await seen(who)) {
          const { sort, ...filters } = view.query;
          expect(view.count).toBe((await everyPage(who, { ...filters, sort })).length);
        }
      }
      expect(mine.find((v) => v.id === own.id)?.count).toBeGreaterThan(0);
    });

    it('given a saved view, when someone else changes or deletes it, then FORBIDDEN (team members) or NOT_FOUND (others), and it stays', async () => {
      // given
      const view = await api('agent1').views.create({
        name: 'Mine only',
        teamId: org.teams.technical,
        query: { view: 'mine', sort: 'sla' },
      });
      // when
      const byMember = await trpcError(api('agent2').views.update({ viewId: view.id, name: 'Taken' }));
      const byOutsider = await trpcError(api('outsider').views.remove({ viewId: view.id }));
      const byOtherOrg = await trpcError(api('admin', other).views.remove({ viewId: view.id }));
      // then
      expect([byMember.code, byOutsider.code, byOtherOrg.code]).toEqual([
        'FORBIDDEN',
        'NOT_FOUND',
        'NOT_FOUND',
      ]);
      expect((await api('agent2').views.list()).saved.map((v) => v.name)).toContain('Mine only');
      // and: the owner renames it, makes it private and deletes it
      await api('agent1').views.update({ viewId: view.id, name: 'Mine, private', teamId: null });
      expect((await api('agent2').views.list()).saved.map((v) => v.name)).not.toContain('Mine, private');
      await api('agent1').views.remove({ viewId: view.id });
      expect((await api('agent1').views.list()).saved.map((v) => v.name)).not.toContain('Mine, private');
    });

    it('given bad saved views, when they are saved, then clear errors and nothing is written', async () => {
      const before = await db.query('SELECT id FROM saved_views');
      const duplicate = await trpcError(
        api('agent1').views.create({ name: 'normal FOR technical', query: urgentFirst }),
      );
      const foreignTeam = await trpcError(
        api('agent2').views.create({ name: 'Billing', teamId: org.teams.billing, query: urgentFirst }),
      );
      const managersOnly = await trpcError(
        api('agent2').views.create({ name: 'Unrouted', query: { view: 'unrouted', sort: 'newest' } }),
      );
      const otherOrgTeam = await trpcError(
        api('agent1').views.create({ name: 'Theirs', teamId: other.teams.billing, query: urgentFirst }),
      );
      expect([duplicate.code, foreignTeam.code, managersOnly.code, otherOrgTeam.code]).toEqual([
        'CONFLICT',
        'FORBIDDEN',
        'FORBIDDEN',
        'NOT_FOUND',
      ]);
      expect(await db.query('SELECT id FROM saved_views')).toEqual(before);
    });
  });
});

import { seedDemo } from '@stepwise/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiHarness } from '../support/apiSession.ts';
import { checkInvariants } from '../support/invariants.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

describe.each(backends())('demo seed (%s)', (backend) => {
  let db: TestDb;
  const now = new Date('2030-05-06T10:00:00.000Z');

  beforeAll(async () => {
    db = await openTestDb(backend);
  });
  afterAll(async () => {
    await db.dispose();
  });

  const count = async (table: string) =>
    (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]?.n;

  it('given an empty database, when seeded, then Acme Support has its people, teams, published flows and a dozen tickets at various steps', async () => {
    // when
    const result = await seedDemo(db, { now });
    // then
    expect(result).toEqual({
      orgName: 'Acme Support',
      logins: [
        { role: 'admin', email: 'admin@acme.test', password: 'stepwise-demo' },
        { role: 'manager', email: 'manager@acme.test', password: 'stepwise-demo' },
        { role: 'agent', email: 'agent1@acme.test', password: 'stepwise-demo' },
        { role: 'agent', email: 'agent2@acme.test', password: 'stepwise-demo' },
      ],
    });
    const flows = await db.query<{ name: string; number: number }>(
      `SELECT f.name, v.number FROM flows f JOIN flow_versions v ON v.id = f.active_version_id ORDER BY f.route_order`,
    );
    expect(flows).toEqual([
      { name: 'Refund request', number: 1 },
      { name: 'Ticket resolution', number: 1 },
    ]);
    const members = await db.query<{ email: string; teams: string }>(
      `SELECT u.email, coalesce(string_agg(t.name, ',' ORDER BY t.name), '') AS teams
         FROM users u LEFT JOIN team_members m ON m.user_id = u.id LEFT JOIN teams t ON t.id = m.team_id
        GROUP BY u.email ORDER BY u.email`,
    );
    expect(members).toEqual([
      { email: 'admin@acme.test', teams: '' },
      { email: 'agent1@acme.test', teams: 'Billing,Technical' },
      { email: 'agent2@acme.test', teams: 'Technical' },
      { email: 'manager@acme.test', teams: '' },
    ]);
    const tickets = await db.query<{
      status: string;
      node_id: string;
      breached: boolean;
      seq: number;
      channel: string;
    }>('SELECT status, node_id, breached, seq, channel FROM tickets ORDER BY number');
    expect(tickets).toHaveLength(12);
    expect(new Set(tickets.map((t) => t.node_id)).size).toBeGreaterThanOrEqual(6);
    expect(new Set(tickets.map((t) => t.channel))).toEqual(
      new Set(['email', 'chat', 'phone', 'social', 'web']),
    );
    expect(tickets.filter((t) => t.breached)).toHaveLength(1);
    expect(tickets.filter((t) => t.status === 'ended').length).toBeGreaterThanOrEqual(2);
    expect(tickets.filter((t) => t.status === 'at_step').length).toBeGreaterThanOrEqual(8);
    expect(tickets.some((t) => t.seq >= 3)).toBe(true);
    expect(await checkInvariants(db)).toEqual([]);
  });

  it('given the seed ran, when an agent logs in with the demo password, then they see their queue', async () => {
    // given
    const h = apiHarness(db, { now: () => now });
    // when
    const agent = await h.login('agent2@acme.test', 'stepwise-demo');
    const queue = await (await h.as(agent)).tickets.queue({ scope: 'teams' });
    // then
    expect(agent.me).toMatchObject({ role: 'agent', org: { name: 'Acme Support' } });
    expect(queue.length).toBeGreaterThan(0);
    expect(queue.every((r) => r.teamName === 'Technical' || r.assigneeName === agent.me.user.name)).toBe(
      true,
    );
    expect(queue.some((r) => r.breached)).toBe(true);
  });

  it('given an organization exists, when seeded again, then it returns null and writes nothing', async () => {
    // given
    const before = [
      await count('organizations'),
      await count('users'),
      await count('tickets'),
      await count('ticket_events'),
    ];
    // when
    const again = await seedDemo(db, { now });
    // then
    expect(again).toBeNull();
    expect([
      await count('organizations'),
      await count('users'),
      await count('tickets'),
      await count('ticket_events'),
    ]).toEqual(before);
  });
});

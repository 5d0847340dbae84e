import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiHarness, detailsOf, type TestUser, trpcError } from '../support/apiSession.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

describe.each(backends())('teams (%s)', (backend) => {
  let db: TestDb;
  let h: ReturnType<typeof apiHarness>;
  let admin: TestUser;
  let manager: TestUser;
  let agent: TestUser;

  beforeAll(async () => {
    db = await openTestDb(backend);
    h = apiHarness(db);
    admin = await h.signUp('Teams Org');
    manager = await h.addMember(admin, 'manager');
    agent = await h.addMember(admin, 'agent');
  });
  afterAll(async () => {
    await db.dispose();
  });

  it('given a manager, when they create a team and set its members, then every member sees it with its members', async () => {
    // given
    const api = await h.as(manager);
    // when
    const team = await api.teams.create({ name: 'Billing' });
    const withMembers = await api.teams.setMembers({
      teamId: team.id,
      userIds: [agent.me.user.id, manager.me.user.id],
    });
    // then
    expect(team).toEqual({ id: team.id, name: 'Billing', memberIds: [] });
    expect([...withMembers.memberIds].sort()).toEqual([agent.me.user.id, manager.me.user.id].sort());
    const seenByAgent = await (await h.as(agent)).teams.list();
    expect(seenByAgent.find((t) => t.id === team.id)?.memberIds.sort()).toEqual(withMembers.memberIds.sort());
    const members = await (await h.as(admin)).users.list();
    expect(members.find((m) => m.id === agent.me.user.id)?.teamIds).toContain(team.id);
    const actions = await db.query<{ action: string }>('SELECT action FROM audit_log WHERE target_id = $1', [
      team.id,
    ]);
    expect(actions.map((a) => a.action).sort()).toEqual(['team.created', 'team.members_changed']);
  });

  it('given a team, when another is created or renamed with its name, then CONFLICT', async () => {
    // given
    const api = await h.as(admin);
    await api.teams.create({ name: 'Technical' });
    const other = await api.teams.create({ name: 'Senior' });
    // when
    const created = await trpcError(api.teams.create({ name: 'Technical' }));
    const renamed = await trpcError(api.teams.rename({ teamId: other.id, name: 'Technical' }));
    // then
    expect(created.code).toBe('CONFLICT');
    expect(renamed.code).toBe('CONFLICT');
    expect((await api.teams.list()).filter((t) => t.name === 'Technical')).toHaveLength(1);
    expect((await api.teams.rename({ teamId: other.id, name: 'Senior support' })).name).toBe(
      'Senior support',
    );
  });

  it('given users outside the organization, when set as members, then BAD_REQUEST naming them and the team is unchanged', async () => {
    // given
    const api = await h.as(admin);
    const team = await api.teams.create({ name: 'Escalations' });
    await api.teams.setMembers({ teamId: team.id, userIds: [agent.me.user.id] });
    const outsider = await h.signUp('Elsewhere', 'outsider');
    const ghost = '00000000-0000-4000-8000-000000000000';
    // when
    const error = await trpcError(
      api.teams.setMembers({ teamId: team.id, userIds: [manager.me.user.id, outsider.me.user.id, ghost] }),
    );
    // then
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toContain(outsider.me.user.id);
    expect(error.message).toContain(ghost);
    expect(detailsOf(error)).toEqual({ unknownUserIds: [outsider.me.user.id, ghost] });
    expect((await api.teams.list()).find((t) => t.id === team.id)?.memberIds).toEqual([agent.me.user.id]);
  });

  it('given an agent, when they try to change teams, then FORBIDDEN', async () => {
    const api = await h.as(agent);
    expect((await trpcError(api.teams.create({ name: 'Agents only' }))).code).toBe('FORBIDDEN');
    expect(await db.query("SELECT 1 FROM teams WHERE name = 'Agents only'")).toEqual([]);
  });

  it('given bad input, when creating a team, then BAD_REQUEST', async () => {
    const api = await h.as(admin);
    expect((await trpcError(api.teams.create({ name: '   ' }))).code).toBe('BAD_REQUEST');
    expect((await trpcError(api.teams.create({ name: 'x'.repeat(201) }))).code).toBe('BAD_REQUEST');
    expect((await trpcError(api.teams.rename({ teamId: 'not-a-uuid', name: 'Y' }))).code).toBe('BAD_REQUEST');
  });
});

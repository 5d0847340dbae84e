import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiHarness, type TestUser, trpcError } from '../support/apiSession.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

describe.each(backends())('users (%s)', (backend) => {
  let db: TestDb;
  let h: ReturnType<typeof apiHarness>;
  let admin: TestUser;

  beforeAll(async () => {
    db = await openTestDb(backend);
    h = apiHarness(db);
    admin = await h.signUp('Users Org');
  });
  afterAll(async () => {
    await db.dispose();
  });

  const auditActions = async (orgId: string) =>
    (
      await db.query<{ action: string }>(
        'SELECT action FROM audit_log WHERE org_id = $1 ORDER BY created_at, id',
        [orgId],
      )
    ).map((r) => r.action);

  it('given an agent, when the admin changes their role, then the new role applies to their next request', async () => {
    // given
    const agent = await h.addMember(admin, 'agent');
    expect((await trpcError((await h.as(agent)).users.list())).code).toBe('FORBIDDEN');
    // when
    const updated = await (await h.as(admin)).users.setRole({ userId: agent.me.user.id, role: 'manager' });
    // then
    expect(updated.role).toBe('manager');
    expect((await (await h.as(agent)).auth.me())?.role).toBe('manager');
    expect((await (await h.as(agent)).users.list()).length).toBeGreaterThan(1);
    expect(await auditActions(admin.me.org.id)).toContain('user.role_changed');
  });

  it('given the only admin, when they demote themselves, then PRECONDITION_FAILED and they stay admin', async () => {
    // given
    const solo = await h.signUp('Solo Org');
    // when
    const error = await trpcError(
      (await h.as(solo)).users.setRole({ userId: solo.me.user.id, role: 'manager' }),
    );
    // then
    expect(error.code).toBe('PRECONDITION_FAILED');
    expect((await (await h.as(solo)).auth.me())?.role).toBe('admin');
    // and with a second admin, the first may step down
    const second = await h.addMember(solo, 'admin');
    await (await h.as(second)).users.setRole({ userId: solo.me.user.id, role: 'agent' });
    expect((await (await h.as(solo)).auth.me())?.role).toBe('agent');
  });

  it('given an admin, when they disable themselves, then BAD_REQUEST', async () => {
    const error = await trpcError((await h.as(admin)).users.disable({ userId: admin.me.user.id }));
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toBe('You cannot disable your own account.');
    expect((await (await h.as(admin)).auth.me())?.role).toBe('admin');
  });

  it('given a member, when disabled and enabled, then the list shows it and both are audited', async () => {
    // given
    const agent = await h.addMember(admin, 'agent');
    // when
    const disabled = await (await h.as(admin)).users.disable({ userId: agent.me.user.id });
    const enabled = await (await h.as(admin)).users.enable({ userId: agent.me.user.id });
    // then
    expect(disabled.disabled).toBe(true);
    expect(enabled.disabled).toBe(false);
    expect(await auditActions(admin.me.org.id)).toEqual(
      expect.arrayContaining(['user.disabled', 'user.enabled']),
    );
  });

  it('given a user of another organization, when the admin targets them, then NOT_FOUND', async () => {
    // given
    const foreign = await h.signUp('Foreign Org', 'foreign');
    const api = await h.as(admin);
    // when / then
    expect((await trpcError(api.users.setRole({ userId: foreign.me.user.id, role: 'agent' }))).code).toBe(
      'NOT_FOUND',
    );
    expect((await trpcError(api.users.disable({ userId: foreign.me.user.id }))).code).toBe('NOT_FOUND');
    expect((await trpcError(api.users.enable({ userId: foreign.me.user.id }))).code).toBe('NOT_FOUND');
    expect((await (await h.as(foreign)).auth.me())?.role).toBe('admin');
  });
});

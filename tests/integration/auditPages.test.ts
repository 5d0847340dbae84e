import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, createRuntimeOrg, fakeClock, type RuntimeOrg } from '../support/runtimeFixture.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

describe.each(backends())('the audit log, page by page (%s)', (backend) => {
  let db: TestDb;
  let org: RuntimeOrg;
  let other: RuntimeOrg;
  const clock = fakeClock();
  const SAME_TIME = '2030-03-04T08:00:00.123456Z';

  beforeAll(async () => {
    db = await openTestDb(backend);
    org = await createRuntimeOrg(db, 'Audited', clock.now());
    other = await createRuntimeOrg(db, 'Audited elsewhere', clock.now());
    // 130 entries written in one instant (one transaction's work, a bulk import), between older and newer ones.
    const insert = (orgId: string, n: number, at: string, action: string) =>
      db.query(
        `INSERT INTO audit_log (org_id, actor_id, action, target_type, target_id, data, created_at)
         SELECT $1::uuid, NULL, $2, 'test', i::text, jsonb_build_object('n', i), $3::timestamptz
           FROM generate_series(1, $4::int) AS i`,
        [orgId, action, at, n],
      );
    await insert(org.orgId, 7, '2030-03-04T07:00:00.000Z', 'test.older');
    await insert(org.orgId, 130, SAME_TIME, 'test.same_instant');
    await insert(org.orgId, 5, '2030-03-04T09:00:00.000Z', 'test.newer');
    await insert(other.orgId, 60, SAME_TIME, 'test.other_org');
  });
  afterAll(async () => {
    await db.dispose();
  });

  it('given 130 entries sharing one timestamp across page boundaries, when an admin pages through with the cursor, then every entry comes exactly once, newest first, and none of another organization', async () => {
    // given
    const admin = apiAs(db, org.people.admin, clock);
    // when
    const seen: Array<{ id: string; action: string; createdAt: string }> = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof admin.admin.audit>> = await admin.admin.audit({
        limit: 40,
        cursor,
      });
      sizes.push(page.entries.length);
      seen.push(...page.entries);
      cursor = page.nextCursor;
    } while (cursor !== null);
    // then
    expect(sizes).toEqual([40, 40, 40, 22]);
    expect(new Set(seen.map((e) => e.id)).size).toBe(142);
    expect(seen.filter((e) => e.action === 'test.same_instant')).toHaveLength(130);
    expect(seen.some((e) => e.action === 'test.other_org')).toBe(false);
    expect(seen.slice(0, 5).every((e) => e.action === 'test.newer')).toBe(true);
    expect(seen.slice(-7).every((e) => e.action === 'test.older')).toBe(true);
    const times = seen.map((e) => e.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('given a page whose last entry is the last of all, then it has no next cursor; given a cursor that was not given out, then BAD_REQUEST with a way forward', async () => {
    const admin = apiAs(db, org.people.admin, clock);
    const all = await admin.admin.audit({ limit: 142 });
    expect(all.entries).toHaveLength(142);
    expect(all.nextCursor).toBeNull();
    await expect(admin.admin.audit({ cursor: 'not-a-cursor' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/first page/),
    });
  });
});

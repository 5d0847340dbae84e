import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poolQuery } from '../../packages/api/src/runtime/sql.ts';
import { VersionCache } from '../../packages/api/src/runtime/versionCache.ts';
import { checkInvariants } from '../support/invariants.ts';
import {
  createRuntimeOrg,
  fakeClock,
  loopDocument,
  publishFlow,
  type RuntimeOrg,
  template,
} from '../support/runtimeFixture.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

describe.each(backends())('runtime (%s)', (backend) => {
  let db: TestDb;
  let org: RuntimeOrg;
  const clock = fakeClock();

  beforeAll(async () => {
    db = await openTestDb(backend);
    org = await createRuntimeOrg(db, 'Runtime Ltd', clock.now());
    await publishFlow(db, org, 'Loop', loopDocument(), 1);
    await publishFlow(db, org, 'Ticket resolution', template('ticket-resolution'), 20);
  });
  afterAll(async () => {
    await db.dispose();
  });

  describe('version cache', () => {
    it('given versions of two organizations, when read through a small cache, then the org is checked on every hit and the oldest entry goes first', async () => {
      // given
      const cache = new VersionCache(2);
      const query = poolQuery(db);
      const loop = org.flows.Loop?.versionId ?? '';
      const resolution = org.flows['Ticket resolution']?.versionId ?? '';
      const other = await createRuntimeOrg(db, 'Other Org', clock.now());
      const foreign = (await publishFlow(db, other, 'Loop', loopDocument(), 1)).versionId;
      // when / then
      expect((await cache.get(query, org.orgId, loop))?.number).toBe(1);
      expect(await cache.get(query, org.orgId, foreign)).toBeNull();
      expect(await cache.get(query, other.orgId, loop)).toBeNull();
      // The read names the organization: another's version is not even loaded.
      expect(cache.size).toBe(1);
      expect((await cache.get(query, other.orgId, foreign))?.number).toBe(1);
      expect(cache.size).toBe(2);
      expect((await cache.get(query, org.orgId, resolution))?.document.nodes.length).toBeGreaterThan(5);
      expect(cache.size).toBe(2);
      expect(await cache.get(query, org.orgId, randomUUID())).toBeNull();
    });
  });

  it('given everything above, when the invariants are checked, then they hold', async () => {
    expect(await checkInvariants(db)).toEqual([]);
  });
});

import { createHash } from 'node:crypto';
import { publishVersion } from '@stepwise/api';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../packages/api/src/services/canonicalJson.ts';
import {
  apiHarness,
  detailsOf,
  sampleDocument,
  type TestUser,
  trpcError,
  unpublishableDocument,
} from '../support/apiSession.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

describe.each(backends())('versions (%s)', (backend) => {
  let db: TestDb;
  let h: ReturnType<typeof apiHarness>;
  let manager: TestUser;
  let manager2: TestUser;
  let agent: TestUser;
  /** A team of the organization: publish refuses steps naming teams the organization does not have. */
  let supportTeam: string;

  beforeAll(async () => {
    db = await openTestDb(backend, { maxConnections: 12 });
    h = apiHarness(db);
    const admin = await h.signUp('Versions Org');
    manager = await h.addMember(admin, 'manager');
    manager2 = await h.addMember(admin, 'manager');
    agent = await h.addMember(admin, 'agent');
    supportTeam = (await (await h.as(admin)).teams.create({ name: 'Support' })).id;
  });
  afterAll(async () => {
    await db.dispose();
  });

  const versionCount = async (flowId: string) =>
    (
      await db.query<{ n: number }>('SELECT count(*)::int AS n FROM flow_versions WHERE flow_id = $1', [
        flowId,
      ])
    )[0]?.n;

  it('given a valid draft, when published twice with a change between, then v1 and v2 exist and v2 is active', async () => {
    // given
    const api = await h.as(manager);
    const { id: flowId } = await api.flows.create({
      name: 'Ticket resolution',
      document: sampleDocument('v1 step', supportTeam),
    });
    // when
    const v1 = await api.versions.publish({ flowId, message: 'First version' });
    await api.flows.saveDraft({ flowId, revision: 1, document: sampleDocument('v2 step', supportTeam) });
    const v2 = await api.versions.publish({ flowId, message: 'Clearer step title', revision: 2 });
    // then
    expect([v1.number, v2.number]).toEqual([1, 2]);
    expect(v1.contentHash).toBe(
      createHash('sha256')
        .update(canonicalJson(sampleDocument('v1 step', supportTeam)))
        .digest('hex'),
    );
    expect(v2.contentHash).not.toBe(v1.contentHash);
    const list = await (await h.as(agent)).versions.list({ flowId });
    expect(list.map((v) => [v.number, v.isActive, v.message, v.authorName])).toEqual([
      [2, true, 'Clearer step title', manager.me.user.name],
      [1, false, 'First version', manager.me.user.name],
    ]);
    const flow = (await api.flows.list()).find((f) => f.id === flowId);
    expect(flow).toMatchObject({ activeVersion: { id: v2.id, number: 2 }, versionCount: 2 });
    const got = await api.versions.get({ versionId: v1.id });
    expect(got).toMatchObject({
      id: v1.id,
      flowId,
      flowName: 'Ticket resolution',
      number: 1,
      contentHash: v1.contentHash,
    });
    expect(got.document).toEqual(sampleDocument('v1 step', supportTeam));
    const audit = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_log WHERE target_id = $1 AND action = 'version.published'",
      [flowId],
    );
    expect(audit[0]?.n).toBe(2);
  });

  it('given the latest version, when the same draft is published again, then that version is returned, not a copy', async () => {
    // given
    const api = await h.as(manager);
    const { id: flowId } = await api.flows.create({
      name: 'Double click',
      document: sampleDocument(undefined, supportTeam),
    });
    const first = await api.versions.publish({ flowId, message: 'once' });
    // when
    const again = await api.versions.publish({ flowId, message: 'twice' });
    // then
    expect(again).toEqual(first);
    expect(await versionCount(flowId)).toBe(1);
  });

  it('given a draft with errors, when published, then BAD_REQUEST with the issues and no version', async () => {
    // given
    const api = await h.as(manager);
    const { id: flowId } = await api.flows.create({ name: 'Unfinished', document: unpublishableDocument() });
    // when
    const error = await trpcError(api.versions.publish({ flowId, message: 'try' }));
    // then
    expect(error.code).toBe('BAD_REQUEST');
    const issues = detailsOf(error);
    const errors = Array.isArray(issues)
      ? issues.filter((i: { severity: string }) => i.severity === 'error')
      : [];
    expect(errors.length).toBeGreaterThan(1);
    expect(error.message).toBe(`This flow has ${errors.length} problems to fix before publishing.`);
    expect(issues).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'NO_PATH_TO_END', severity: 'error' })]),
    );
    expect(await versionCount(flowId)).toBe(0);
    expect((await api.flows.get({ flowId })).activeVersionId).toBeNull();
  });

  it('given a step naming a team the organization does not have, when published, then BAD_REQUEST naming the node and no version', async () => {
    // given one flow with a template placeholder team, one with another organization's team
    const api = await h.as(manager);
    const other = await h.signUp('Other org');
    const foreignTeam = (await (await h.as(other)).teams.create({ name: 'Theirs' })).id;
    for (const teamId of ['team-billing', foreignTeam]) {
      const { id: flowId } = await api.flows.create({
        name: `Unknown team ${teamId}`,
        document: sampleDocument('Check', teamId),
      });
      // when
      const error = await trpcError(api.versions.publish({ flowId, message: 'try' }));
      // then
      expect(error.code).toBe('BAD_REQUEST');
      expect(detailsOf(error)).toEqual([
        expect.objectContaining({ code: 'UNKNOWN_TEAM', severity: 'error', nodeIds: ['check'] }),
      ]);
      expect(await versionCount(flowId)).toBe(0);
    }
  });

  it('given a newer draft than the publisher saw, when published with the old revision, then CONFLICT and no version', async () => {
    // given
    const api = await h.as(manager);
    const { id: flowId } = await api.flows.create({
      name: 'Stale publish',
      document: sampleDocument(undefined, supportTeam),
    });
    await api.flows.saveDraft({ flowId, revision: 1, document: sampleDocument('newer', supportTeam) });
    // when
    const error = await trpcError(api.versions.publish({ flowId, message: 'old view', revision: 1 }));
    // then
    expect(error.code).toBe('CONFLICT');
    expect(detailsOf(error)).toEqual({ currentRevision: 2 });
    expect(await versionCount(flowId)).toBe(0);
  });

  it('given a published version, when raw SQL updates or deletes it, then the database refuses', async () => {
    // given
    const api = await h.as(manager);
    const { id: flowId } = await api.flows.create({
      name: 'Immutable',
      document: sampleDocument(undefined, supportTeam),
    });
    const v1 = await api.versions.publish({ flowId, message: 'frozen' });
    // when / then
    await expect(
      db.query("UPDATE flow_versions SET message = 'rewritten' WHERE id = $1", [v1.id]),
    ).rejects.toThrow(/immutable/);
    await expect(db.query('DELETE FROM flow_versions WHERE id = $1', [v1.id])).rejects.toThrow(/immutable/);
    expect((await api.versions.get({ versionId: v1.id })).message).toBe('frozen');
  });

  it('given an agent, when they publish, then FORBIDDEN', async () => {
    const { id: flowId } = await (await h.as(manager)).flows.create({
      name: 'Agent publish',
      document: sampleDocument(undefined, supportTeam),
    });
    const error = await trpcError((await h.as(agent)).versions.publish({ flowId, message: 'nope' }));
    expect(error.code).toBe('FORBIDDEN');
    expect(await versionCount(flowId)).toBe(0);
  });

  it('given a message over 500 characters, when publishing, then BAD_REQUEST', async () => {
    const { id: flowId } = await (await h.as(manager)).flows.create({
      name: 'Long message',
      document: sampleDocument(undefined, supportTeam),
    });
    const error = await trpcError(
      (await h.as(manager)).versions.publish({ flowId, message: 'x'.repeat(501) }),
    );
    expect(error.code).toBe('BAD_REQUEST');
    expect(await versionCount(flowId)).toBe(0);
  });

  // PGlite serialises transactions, so the race cannot happen there (PGlite has one connection).
  it.runIf(backend === 'postgres')(
    'given one draft, when two managers publish it at once, then exactly one new version is created (50 rounds)',
    async () => {
      const api = await h.as(manager);
      const { id: flowId } = await api.flows.create({
        name: 'Concurrent publish',
        document: sampleDocument('round 0', supportTeam),
      });
      let revision = 1;
      for (let round = 1; round <= 50; round++) {
        // given a draft changed since the last version
        revision = (
          await api.flows.saveDraft({
            flowId,
            revision,
            document: sampleDocument(`round ${round}`, supportTeam),
          })
        ).revision;
        const callers = await Promise.all([manager, manager2].map((m) => h.as(m)));
        // when
        const results = await Promise.all(
          callers.map((c) => c.versions.publish({ flowId, message: `round ${round}` })),
        );
        // then
        expect(new Set(results.map((r) => r.id)).size).toBe(1);
        expect(results[0]?.number).toBe(round);
        expect(await versionCount(flowId)).toBe(round);
      }
      const audit = await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM audit_log WHERE target_id = $1 AND action = 'version.published'",
        [flowId],
      );
      expect(audit[0]?.n).toBe(50);
    },
  );

  // Deterministic form of the race: another transaction holds an uncommitted version with the next
  // number while publishVersion inserts; when it commits, publishVersion hits the unique index.
  it.runIf(backend === 'postgres')(
    'given a concurrent uncommitted publish, when it commits first, then publishVersion returns its twin or takes the next number',
    async () => {
      const api = await h.as(manager);
      const other = postgres(db.url ?? '', { max: 1, onnotice: () => {} });
      try {
        for (const sameContent of [true, false]) {
          // given
          const { id: flowId } = await api.flows.create({
            name: `Held publish ${sameContent}`,
            document: sampleDocument('held', supportTeam),
          });
          const hash = createHash('sha256')
            .update(canonicalJson(sampleDocument(sameContent ? 'held' : 'something else', supportTeam)))
            .digest('hex');
          const reserved = await other.reserve();
          let publishing: Promise<{ id: string; number: number }> | undefined;
          try {
            await reserved`BEGIN`;
            const [held] = await reserved<{ id: string }[]>`
              INSERT INTO flow_versions (org_id, flow_id, number, document, content_hash, message)
              VALUES (${manager.me.org.id}, ${flowId}, 1, ${reserved.json(sampleDocument('held', supportTeam))}, ${hash}, 'held')
              RETURNING id`;
            // when
            publishing = publishVersion(db, {
              orgId: manager.me.org.id,
              flowId,
              authorId: manager.me.user.id,
              message: 'mine',
            });
            await waitForLockWait(db);
            await reserved`COMMIT`;
            const result = await publishing;
            // then
            if (sameContent) expect(result).toMatchObject({ id: held?.id, number: 1 });
            else expect(result.number).toBe(2);
            expect(await versionCount(flowId)).toBe(sameContent ? 1 : 2);
            expect((await api.flows.get({ flowId })).activeVersionId).toBe(result.id);
          } finally {
            await reserved`ROLLBACK`.catch(() => {});
            reserved.release();
            await publishing?.catch(() => {});
          }
        }
      } finally {
        await other.end();
      }
    },
  );
});

/** Resolves once some session of this database waits on a lock (the publish blocked on the unique index). */
async function waitForLockWait(db: TestDb): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const rows = await db.query(
      "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' LIMIT 1",
    );
    if (rows.length > 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('publishVersion never waited on the held version');
}

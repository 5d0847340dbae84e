import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiHarness,
  detailsOf,
  malformedDocument,
  sampleDocument,
  type TestUser,
  trpcError,
  unpublishableDocument,
} from '../support/apiSession.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

describe.each(backends())('flows (%s)', (backend) => {
  let db: TestDb;
  let h: ReturnType<typeof apiHarness>;
  let manager: TestUser;
  let otherManager: TestUser;
  let agent: TestUser;

  beforeAll(async () => {
    db = await openTestDb(backend);
    h = apiHarness(db);
    const admin = await h.signUp('Flows Org');
    manager = await h.addMember(admin, 'manager');
    otherManager = await h.addMember(admin, 'manager', 'Second manager');
    agent = await h.addMember(admin, 'agent');
  });
  afterAll(async () => {
    await db.dispose();
  });

  const storedFlow = async (id: string) =>
    (
      await db.query<{ draft: unknown; draft_revision: number; name: string }>(
        'SELECT draft, draft_revision, name FROM flows WHERE id = $1',
        [id],
      )
    )[0];

  it('given a manager, when they create a flow without a document, then it has a valid start → end draft at revision 1', async () => {
    // given
    const api = await h.as(manager);
    // when
    const created = await api.flows.create({ name: 'Refund request', description: 'Money back' });
    const flow = await api.flows.get({ flowId: created.id });
    // then
    expect(created.draftRevision).toBe(1);
    expect(flow).toMatchObject({
      id: created.id,
      name: 'Refund request',
      description: 'Money back',
      draftRevision: 1,
      activeVersionId: null,
    });
    expect(flow.draft.nodes.map((n) => n.type)).toEqual(['start', 'end']);
    expect(flow.updatedBy).toBe(manager.me.user.name);
    expect(new Date(flow.updatedAt).toISOString()).toBe(flow.updatedAt);
    const listed = (await (await h.as(agent)).flows.list()).find((f) => f.id === created.id);
    expect(listed).toMatchObject({
      name: 'Refund request',
      draftRevision: 1,
      activeVersion: null,
      versionCount: 0,
    });
    const audit = await db.query<{ action: string }>('SELECT action FROM audit_log WHERE target_id = $1', [
      created.id,
    ]);
    expect(audit.map((a) => a.action)).toEqual(['flow.created']);
  });

  it('given a malformed document, when creating a flow, then BAD_REQUEST with the issues and no flow', async () => {
    // given
    const api = await h.as(manager);
    // when
    const error = await trpcError(api.flows.create({ name: 'Broken', document: malformedDocument() }));
    // then
    expect(error.code).toBe('BAD_REQUEST');
    const issues = detailsOf(error);
    expect(Array.isArray(issues) && issues.length).toBeGreaterThan(0);
    expect(issues).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'INVALID_DOCUMENT', nodeIds: ['start'] })]),
    );
    expect(await db.query("SELECT 1 FROM flows WHERE name = 'Broken'")).toEqual([]);
  });

  it('given a flow, when another is created with the same name, then CONFLICT', async () => {
    const api = await h.as(manager);
    await api.flows.create({ name: 'Escalation', document: sampleDocument() });
    const error = await trpcError(api.flows.create({ name: 'Escalation' }));
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toBe('A flow named "Escalation" already exists. Choose another name.');
  });

  it('given a flow at revision 1, when saved on revision 1, then revision 2 is stored with the rule issues', async () => {
    // given
    const api = await h.as(manager);
    const { id } = await api.flows.create({ name: 'Complaint' });
    // when
    const saved = await api.flows.saveDraft({
      flowId: id,
      revision: 1,
      document: unpublishableDocument(),
      name: 'Complaint handling',
    });
    // then
    expect(saved.revision).toBe(2);
    expect(saved.issues.filter((i) => i.severity === 'error').map((i) => i.code)).toEqual(
      expect.arrayContaining(['UNCONNECTED_OUTPUT', 'NO_PATH_TO_END']),
    );
    const flow = await api.flows.get({ flowId: id });
    expect(flow).toMatchObject({ draftRevision: 2, name: 'Complaint handling' });
    expect(flow.draft).toEqual(unpublishableDocument());
    const audit = await db.query<{ action: string }>(
      'SELECT action FROM audit_log WHERE target_id = $1 ORDER BY action',
      [id],
    );
    expect(audit.map((a) => a.action)).toEqual(['flow.created', 'flow.draft_saved', 'flow.renamed']);
  });

  it('given two managers on revision 1, when the second saves after the first, then CONFLICT and the first save stays', async () => {
    // given
    const first = await h.as(manager);
    const second = await h.as(otherManager);
    const { id } = await first.flows.create({ name: 'Onboarding' });
    await first.flows.saveDraft({ flowId: id, revision: 1, document: sampleDocument('First manager') });
    const before = await storedFlow(id);
    // when
    const error = await trpcError(
      second.flows.saveDraft({ flowId: id, revision: 1, document: sampleDocument('Second manager') }),
    );
    // then
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toBe(
      'Another manager saved this flow since you opened it (revision 2). Reload to see their changes, or save yours as a copy.',
    );
    expect(detailsOf(error)).toEqual({
      currentRevision: 2,
      updatedBy: manager.me.user.name,
      updatedAt: expect.any(String),
    });
    expect(await storedFlow(id)).toEqual(before);
    expect(JSON.stringify(before?.draft)).toContain('First manager');
  });

  it('given one revision, when two saves race on it, then exactly one lands', async () => {
    // given
    const { id } = await (await h.as(manager)).flows.create({ name: 'Race' });
    const [a, b] = [await h.as(manager), await h.as(otherManager)];
    // when
    const results = await Promise.allSettled([
      a.flows.saveDraft({ flowId: id, revision: 1, document: sampleDocument('A') }),
      b.flows.saveDraft({ flowId: id, revision: 1, document: sampleDocument('B') }),
    ]);
    // then
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected');
    expect(rejected?.status === 'rejected' && (rejected.reason as { code: string }).code).toBe('CONFLICT');
    expect((await storedFlow(id))?.draft_revision).toBe(2);
  });

  it('given a flow, when a malformed document is saved, then BAD_REQUEST with issues and nothing changes', async () => {
    // given
    const api = await h.as(manager);
    const { id } = await api.flows.create({ name: 'Proactive check-in', document: sampleDocument() });
    const before = await storedFlow(id);
    // when
    const error = await trpcError(
      api.flows.saveDraft({ flowId: id, revision: 1, document: malformedDocument(), name: 'Renamed' }),
    );
    // then
    expect(error.code).toBe('BAD_REQUEST');
    expect(detailsOf(error)).toEqual(
      expect.arrayContaining([expect.objectContaining({ severity: 'error' })]),
    );
    expect(await storedFlow(id)).toEqual(before);
  });

  it('given an agent, when they try to create or save a flow, then FORBIDDEN; reading is allowed', async () => {
    // given
    const { id } = await (await h.as(manager)).flows.create({ name: 'Read only for agents' });
    const api = await h.as(agent);
    // when / then
    expect((await trpcError(api.flows.create({ name: 'Agent flow' }))).code).toBe('FORBIDDEN');
    expect(
      (await trpcError(api.flows.saveDraft({ flowId: id, revision: 1, document: sampleDocument() }))).code,
    ).toBe('FORBIDDEN');
    expect((await api.flows.get({ flowId: id })).name).toBe('Read only for agents');
  });

  it('given an unknown flow id, when saving, then NOT_FOUND', async () => {
    const error = await trpcError(
      (await h.as(manager)).flows.saveDraft({
        flowId: '00000000-0000-4000-8000-000000000001',
        revision: 1,
        document: sampleDocument(),
      }),
    );
    expect(error.code).toBe('NOT_FOUND');
  });
});
